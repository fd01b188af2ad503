#include "engine/registry/store_common.h"

#include <sodium.h>

#include <algorithm>
#include <charconv>
#include <ctime>
#include <nlohmann/json.hpp>

namespace vaglio::engine::registry {

std::string InputsToJson(const std::vector<InputRef>& inputs) {
  nlohmann::json a = nlohmann::json::array();
  for (const InputRef& i : inputs) a.push_back({{"path", i.path}, {"role", i.role}, {"sha256", i.sha256}});
  return a.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);  // not UTF-8: U+FFFD
}

std::vector<InputRef> InputsFromJson(const std::string& json) {
  std::vector<InputRef> out;
  const nlohmann::json a = nlohmann::json::parse(json, nullptr, false);
  if (!a.is_array()) return out;
  for (const auto& i : a) {
    if (!i.is_object()) continue;
    out.push_back({i.value("role", ""), i.value("path", ""), i.value("sha256", "")});
  }
  return out;
}

MemoryStore::MemoryStore(const Contents& c) : c_(c) {}

std::optional<Entry> MemoryStore::Append(const std::function<AppendBatch(int64_t, const std::string&)>& make,
                                         std::string* /*error*/) {
  int64_t seq = 1;
  std::string prev(64, '0');
  for (const Entry& e : c_.entries) {
    if (e.chain_id == chain_id_ && e.seq >= seq) {
      seq = e.seq + 1;
      prev = e.hash;
    }
  }
  AppendBatch b = make(seq, prev);
  c_.entries.push_back(b.entry);
  c_.blobs.insert(c_.blobs.end(), b.blobs.begin(), b.blobs.end());
  c_.keys.insert(c_.keys.end(), b.keys.begin(), b.keys.end());
  c_.signatures.insert(c_.signatures.end(), b.signatures.begin(), b.signatures.end());
  return b.entry;
}

bool MemoryStore::Import(const Contents& c, std::string* error) {
  for (const Entry& e : c.entries) {
    for (const Entry& have : c_.entries) {
      if (have.chain_id == e.chain_id && have.seq == e.seq && have.hash != e.hash) {
        *error = "record " + e.chain_id + ":" + std::to_string(e.seq) + " is already in the registry with another hash";
        return false;
      }
    }
  }
  Contents merged = c_;
  for (const Entry& e : c.entries) {
    bool present = false;
    for (const Entry& have : c_.entries) present = present || (have.chain_id == e.chain_id && have.seq == e.seq);
    if (!present) merged.entries.push_back(e);
  }
  merged.blobs.insert(merged.blobs.end(), c.blobs.begin(), c.blobs.end());
  merged.keys.insert(merged.keys.end(), c.keys.begin(), c.keys.end());
  merged.signatures.insert(merged.signatures.end(), c.signatures.begin(), c.signatures.end());
  c_ = std::move(merged);
  return true;
}

std::vector<Entry> MemoryStore::Entries() const {
  std::vector<Entry> out = c_.entries;
  std::stable_sort(out.begin(), out.end(), [](const Entry& a, const Entry& b) {
    return a.chain_id != b.chain_id ? a.chain_id < b.chain_id : a.seq < b.seq;
  });
  return out;
}

std::optional<std::string> MemoryStore::Blob(const std::string& sha256) const {
  for (const auto& [k, v] : c_.blobs) {
    if (k == sha256) return v;
  }
  return std::nullopt;
}

std::vector<PublicKey> MemoryStore::Keys() const { return c_.keys; }
std::vector<Signature> MemoryStore::Signatures() const { return c_.signatures; }

std::vector<std::string> MemoryStore::BlobKeys() const {
  std::vector<std::string> out;
  for (const auto& [k, v] : c_.blobs) out.push_back(k);
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::string SchemaVersionError(const std::string& where, int version) {
  return where + ": the registry's schema version is " + std::to_string(version) + ", but this vaglio reads versions " +
         std::to_string(kOldestSchemaVersion) + " to " + std::to_string(kSchemaVersion) +
         (version > kSchemaVersion ? " (upgrade vaglio)" : " (export it with the older vaglio and import it)");
}

std::string CheckSchemaVersion(const std::string& where, const std::optional<std::string>& text,
                               const std::string& meta) {
  if (!text) return where + ": the registry has no schema version (" + meta + " damaged)";
  int v = 0;
  const char* end = text->data() + text->size();
  const auto [stop, ec] = std::from_chars(text->data(), end, v);
  if (text->empty() || ec != std::errc() || stop != end) {
    return where + ": the registry's schema version is '" + *text + "', but must be a whole number (" + meta + " damaged)";
  }
  if (v < kOldestSchemaVersion || v > kSchemaVersion) return SchemaVersionError(where, v);
  return "";
}

std::string UtcNow() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string RandomId() {
  if (sodium_init() < 0) return "";
  unsigned char bytes[16];
  randombytes_buf(bytes, sizeof bytes);
  char hex[2 * sizeof bytes + 1];
  sodium_bin2hex(hex, sizeof hex, bytes, sizeof bytes);
  return hex;
}

std::unique_ptr<Store> OpenStore(const std::string& url, bool create, std::string* error) {
  if (url.rfind("postgresql://", 0) == 0 || url.rfind("postgres://", 0) == 0) return OpenPostgres(url, create, error);
  return OpenSqlite(url, create, error);
}

}  // namespace vaglio::engine::registry
