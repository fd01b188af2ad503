#ifndef VAGLIO_ENGINE_REGISTRY_STORE_H_
#define VAGLIO_ENGINE_REGISTRY_STORE_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

/// The registry's storage (docs/audit-format.md): append-only tables of entries, input
/// bytes, public keys and signatures, in SQLite or PostgreSQL. The stores only keep rows;
/// hashing, signing and verification are done above them (engine/registry/audit.h), so
/// both backends hold byte-identical data.
namespace vaglio::engine::registry {

/// A file an entry was computed from; its bytes are kept once, by sha256.
struct InputRef {
  std::string role;    // dossier, criteria, scores, model
  std::string path;    // as read at evaluation time (replay reads it back under this name)
  std::string sha256;
};

/// One record of a chain.
struct Entry {
  std::string chain_id;     // the registry that wrote it
  int64_t seq = 0;          // 1, 2, ... within the chain
  std::string kind;         // evaluation, decision
  std::string record_id;
  std::string refers_to;    // a decision: the evaluation it completes
  std::string supersedes;   // a record this one corrects (empty: none)
  std::string dossier_id;
  std::string device_cnd;
  std::string device_rdm;
  std::string organisation; // the criteria set's owner
  std::string recorded_at;  // UTC, YYYY-MM-DDTHH:MM:SSZ
  std::string prev_hash;    // the hash of the previous entry of the chain (64 zeros for the first)
  std::string result_hash;  // what a replay must reproduce
  std::vector<InputRef> inputs;
  std::string options;      // canonical JSON: how to replay
  std::string body;         // canonical JSON: the record
  std::string hash;         // sha256 over the canonical form of all the above
};

struct PublicKey {
  std::string key_id;       // 16 hex digits of the key's sha256
  std::string public_key;   // 64 hex digits (Ed25519)
  std::string holder;
  std::string role;
};

struct Signature {
  std::string entry_hash;
  std::string key_id;
  std::string signature;    // 128 hex digits (Ed25519, detached)
};

/// What one append writes, in one transaction.
struct AppendBatch {
  Entry entry;
  std::vector<std::pair<std::string, std::string>> blobs;  // sha256, bytes
  std::vector<PublicKey> keys;
  std::vector<Signature> signatures;
};

/// Everything a registry holds, as exported and imported.
struct Contents {
  std::vector<Entry> entries;   // by chain, then seq
  std::vector<std::pair<std::string, std::string>> blobs;
  std::vector<PublicKey> keys;
  std::vector<Signature> signatures;
};

class Store {
 public:
  virtual ~Store() = default;

  /// This registry's own chain (made when the registry was created).
  virtual const std::string& chain_id() const = 0;

  /// In one transaction that excludes other writers: reads the head of this registry's
  /// chain, asks `make` for the batch given the next seq and the head's hash, and writes it.
  /// Returns the entry written, or nothing with `*error` set (nothing written).
  virtual std::optional<Entry> Append(const std::function<AppendBatch(int64_t seq, const std::string& prev_hash)>& make,
                                      std::string* error) = 0;

  /// Adds rows of other registries (or of this one) as they are, in one transaction: rows
  /// already present and identical are skipped; a row that differs from one present (same
  /// chain and seq, another hash) fails the whole import.
  virtual bool Import(const Contents& c, std::string* error) = 0;

  virtual std::vector<Entry> Entries() const = 0;
  virtual std::optional<std::string> Blob(const std::string& sha256) const = 0;
  virtual std::vector<PublicKey> Keys() const = 0;
  virtual std::vector<Signature> Signatures() const = 0;
  /// Every blob's key; with Blob, the whole content.
  virtual std::vector<std::string> BlobKeys() const = 0;
};

/// The schema versions this build reads: the oldest supported and the current one.
inline constexpr int kOldestSchemaVersion = 1;
inline constexpr int kSchemaVersion = 1;

/// Opens (creating it if `create` and missing) the registry at `url`: a file path for
/// SQLite, or postgresql://... for PostgreSQL. Nothing with `*error` set when it cannot.
std::unique_ptr<Store> OpenStore(const std::string& url, bool create, std::string* error);

std::unique_ptr<Store> OpenSqlite(const std::string& path, bool create, std::string* error);
std::unique_ptr<Store> OpenPostgres(const std::string& url, bool create, std::string* error);

/// The current time, UTC, as YYYY-MM-DDTHH:MM:SSZ.
std::string UtcNow();
/// 32 random hex digits (libsodium), for a new chain's id.
std::string RandomId();

}  // namespace vaglio::engine::registry

#endif  // VAGLIO_ENGINE_REGISTRY_STORE_H_
