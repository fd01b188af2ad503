#ifndef VAGLIO_ENGINE_REGISTRY_KEYS_H_
#define VAGLIO_ENGINE_REGISTRY_KEYS_H_

#include <optional>
#include <string>

#include "engine/io.h"
#include "engine/registry/store.h"

/// Ed25519 keys and signatures (libsodium) for registry records (docs/audit-format.md
/// §Signatures). A key file (format vaglio.key/1, JSON) holds the secret key and who holds
/// it; its public half is stored in each registry it signs for.
namespace vaglio::engine::registry {

struct KeyPair {
  PublicKey pub;
  std::string secret_key;  // 128 hex digits (libsodium's 64-byte secret key)
};

/// A new key pair for `holder` in `role`.
KeyPair GenerateKey(const std::string& holder, const std::string& role);

/// The key file's text, and the public key file's (without the secret).
std::string KeyFileJson(const KeyPair& k);
std::string PublicKeyFileJson(const PublicKey& k);

/// Reads a key file; nothing with `*error` set (naming the file) when it is not a valid
/// vaglio.key/1 file whose secret and public keys match.
std::optional<KeyPair> ReadKeyFile(const FileSystem& fs, const std::string& path, std::string* error);
/// Reads a public key file (vaglio.key/1 without the secret, or a full key file).
std::optional<PublicKey> ReadPublicKeyFile(const FileSystem& fs, const std::string& path, std::string* error);

/// The signature of an entry hash: Ed25519 over "vaglio.signature/1\n" + hash.
Signature Sign(const KeyPair& k, const std::string& entry_hash);
/// True when `s` is a valid signature of `s.entry_hash` by `key`.
bool SignatureValid(const Signature& s, const PublicKey& key);

}  // namespace vaglio::engine::registry

#endif  // VAGLIO_ENGINE_REGISTRY_KEYS_H_
