#include "engine/registry/keys.h"

#include <sodium.h>

#include <nlohmann/json.hpp>

#include "engine/hash.h"

namespace vaglio::engine::registry {
namespace {

constexpr const char* kKeyFormat = "vaglio.key/1";
constexpr const char* kSignaturePrefix = "vaglio.signature/1\n";

std::string Hex(const unsigned char* b, size_t n) {
  std::string out(2 * n + 1, '\0');
  sodium_bin2hex(out.data(), out.size(), b, n);
  out.pop_back();
  return out;
}

// Exactly `n` bytes from 2n hex digits, or nothing.
std::optional<std::string> FromHex(const std::string& hex, size_t n) {
  std::string out(n, '\0');
  size_t len = 0;
  if (hex.size() != 2 * n ||
      sodium_hex2bin(reinterpret_cast<unsigned char*>(out.data()), n, hex.data(), hex.size(), nullptr, &len, nullptr) != 0 ||
      len != n) {
    return std::nullopt;
  }
  return out;
}

std::string KeyId(const std::string& public_key_hex) { return Sha256Hex(public_key_hex).substr(0, 16); }

}  // namespace

KeyPair GenerateKey(const std::string& holder, const std::string& role) {
  if (sodium_init() < 0) return {};
  unsigned char pk[crypto_sign_PUBLICKEYBYTES], sk[crypto_sign_SECRETKEYBYTES];
  crypto_sign_keypair(pk, sk);
  KeyPair k;
  k.pub.public_key = Hex(pk, sizeof pk);
  k.pub.key_id = KeyId(k.pub.public_key);
  k.pub.holder = holder;
  k.pub.role = role;
  k.secret_key = Hex(sk, sizeof sk);
  sodium_memzero(sk, sizeof sk);
  return k;
}

std::string PublicKeyFileJson(const PublicKey& k) {
  nlohmann::ordered_json j;
  j["format"] = kKeyFormat;
  j["key_id"] = k.key_id;
  j["holder"] = k.holder;
  j["role"] = k.role;
  j["public_key"] = k.public_key;
  return j.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";  // not UTF-8: U+FFFD
}

std::string KeyFileJson(const KeyPair& k) {
  nlohmann::ordered_json j = nlohmann::ordered_json::parse(PublicKeyFileJson(k.pub));
  j["secret_key"] = k.secret_key;
  return j.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";  // not UTF-8: U+FFFD
}

std::optional<PublicKey> ReadPublicKeyFile(const FileSystem& fs, const std::string& path, std::string* error) {
  std::string why;
  auto text = fs.Read(path, &why);
  if (!text) {
    *error = path + ": " + why;
    return std::nullopt;
  }
  const nlohmann::json j = nlohmann::json::parse(*text, nullptr, false);
  if (!j.is_object() || j.value("format", "") != kKeyFormat) {
    *error = path + ": not a key file (expected JSON with \"format\": \"" + kKeyFormat + "\")";
    return std::nullopt;
  }
  PublicKey k;
  k.public_key = j.value("public_key", "");
  k.holder = j.value("holder", "");
  k.role = j.value("role", "");
  if (!FromHex(k.public_key, crypto_sign_PUBLICKEYBYTES)) {
    *error = path + ": public_key: must be " + std::to_string(2 * crypto_sign_PUBLICKEYBYTES) + " hex digits";
    return std::nullopt;
  }
  k.key_id = KeyId(k.public_key);
  if (j.value("key_id", "") != k.key_id) {
    *error = path + ": key_id: is '" + j.value("key_id", "") + "', but the public key's id is '" + k.key_id + "'";
    return std::nullopt;
  }
  if (k.holder.empty()) {
    *error = path + ": holder: is missing, but a key must say who holds it";
    return std::nullopt;
  }
  return k;
}

std::optional<KeyPair> ReadKeyFile(const FileSystem& fs, const std::string& path, std::string* error) {
  auto pub = ReadPublicKeyFile(fs, path, error);
  if (!pub) return std::nullopt;
  std::string why;
  const nlohmann::json j = nlohmann::json::parse(fs.Read(path, &why).value_or(""), nullptr, false);
  KeyPair k{*pub, j.value("secret_key", "")};
  auto sk = FromHex(k.secret_key, crypto_sign_SECRETKEYBYTES);
  if (!sk) {
    *error = path + ": secret_key: is missing or not " + std::to_string(2 * crypto_sign_SECRETKEYBYTES) +
             " hex digits (a public key file cannot sign)";
    return std::nullopt;
  }
  unsigned char pk[crypto_sign_PUBLICKEYBYTES];
  crypto_sign_ed25519_sk_to_pk(pk, reinterpret_cast<const unsigned char*>(sk->data()));
  if (Hex(pk, sizeof pk) != k.pub.public_key) {
    *error = path + ": the secret key does not belong to the public key";
    return std::nullopt;
  }
  return k;
}

Signature Sign(const KeyPair& k, const std::string& entry_hash) {
  const std::string msg = std::string(kSignaturePrefix) + entry_hash;
  const auto sk = FromHex(k.secret_key, crypto_sign_SECRETKEYBYTES);
  unsigned char sig[crypto_sign_BYTES] = {};
  if (sk) {
    crypto_sign_detached(sig, nullptr, reinterpret_cast<const unsigned char*>(msg.data()), msg.size(),
                         reinterpret_cast<const unsigned char*>(sk->data()));
  }
  return {entry_hash, k.pub.key_id, Hex(sig, sizeof sig)};
}

bool SignatureValid(const Signature& s, const PublicKey& key) {
  if (sodium_init() < 0) return false;
  const auto sig = FromHex(s.signature, crypto_sign_BYTES);
  const auto pk = FromHex(key.public_key, crypto_sign_PUBLICKEYBYTES);
  if (!sig || !pk) return false;
  const std::string msg = std::string(kSignaturePrefix) + s.entry_hash;
  return crypto_sign_verify_detached(reinterpret_cast<const unsigned char*>(sig->data()),
                                     reinterpret_cast<const unsigned char*>(msg.data()), msg.size(),
                                     reinterpret_cast<const unsigned char*>(pk->data())) == 0;
}

}  // namespace vaglio::engine::registry
