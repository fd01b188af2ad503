#ifndef VAGLIO_ENGINE_REGISTRY_STORE_COMMON_H_
#define VAGLIO_ENGINE_REGISTRY_STORE_COMMON_H_

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "engine/registry/store.h"

/// What the SQLite and PostgreSQL stores share.
namespace vaglio::engine::registry {

/// An entry's inputs as the canonical JSON kept in its row, and back.
std::string InputsToJson(const std::vector<InputRef>& inputs);
std::vector<InputRef> InputsFromJson(const std::string& json);

/// A registry held in memory: an export being checked before import, and tests.
class MemoryStore : public Store {
 public:
  explicit MemoryStore(std::string chain_id) : chain_id_(std::move(chain_id)) {}
  explicit MemoryStore(const Contents& c);
  const std::string& chain_id() const override { return chain_id_; }
  std::optional<Entry> Append(const std::function<AppendBatch(int64_t, const std::string&)>& make,
                              std::string* error) override;
  bool Import(const Contents& c, std::string* error) override;
  std::vector<Entry> Entries() const override;
  std::optional<std::string> Blob(const std::string& sha256) const override;
  std::vector<PublicKey> Keys() const override;
  std::vector<Signature> Signatures() const override;
  std::vector<std::string> BlobKeys() const override;

 private:
  std::string chain_id_;
  Contents c_;
};

/// The message for a registry whose schema version this build cannot read.
std::string SchemaVersionError(const std::string& where, int version);

/// Checks the schema version text read from the registry's meta table (`meta`: how messages
/// name that table); "" when this build reads it, else the message.
std::string CheckSchemaVersion(const std::string& where, const std::optional<std::string>& text,
                               const std::string& meta);

}  // namespace vaglio::engine::registry

#endif  // VAGLIO_ENGINE_REGISTRY_STORE_COMMON_H_
