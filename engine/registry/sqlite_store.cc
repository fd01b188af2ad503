// The registry in one SQLite file: WAL journal, every write one IMMEDIATE transaction
// (one writer at a time; others wait up to the busy timeout), triggers refusing UPDATE and
// DELETE so the tables are append-only through SQLite itself.
#include <sqlite3.h>

#include <nlohmann/json.hpp>
#include <optional>

#include "engine/registry/store.h"
#include "engine/registry/store_common.h"

namespace vaglio::engine::registry {
namespace {

constexpr int kBusyTimeoutMs = 60000;

const char* const kSchema = R"sql(
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS entries (
  chain_id TEXT NOT NULL, seq INTEGER NOT NULL, kind TEXT NOT NULL, record_id TEXT NOT NULL,
  refers_to TEXT NOT NULL, supersedes TEXT NOT NULL, dossier_id TEXT NOT NULL,
  device_cnd TEXT NOT NULL, device_rdm TEXT NOT NULL, organisation TEXT NOT NULL,
  recorded_at TEXT NOT NULL, prev_hash TEXT NOT NULL, result_hash TEXT NOT NULL,
  inputs TEXT NOT NULL, options TEXT NOT NULL, body TEXT NOT NULL, hash TEXT NOT NULL,
  PRIMARY KEY (chain_id, seq));
CREATE TABLE IF NOT EXISTS blobs (sha256 TEXT PRIMARY KEY, bytes BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS keys (key_id TEXT PRIMARY KEY, public_key TEXT NOT NULL,
  holder TEXT NOT NULL, role TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS signatures (entry_hash TEXT NOT NULL, key_id TEXT NOT NULL,
  signature TEXT NOT NULL, PRIMARY KEY (entry_hash, key_id));
CREATE INDEX IF NOT EXISTS entries_dossier ON entries (dossier_id);
CREATE INDEX IF NOT EXISTS entries_device ON entries (device_cnd, device_rdm);
CREATE TRIGGER IF NOT EXISTS entries_append_only_u BEFORE UPDATE ON entries BEGIN SELECT RAISE(ABORT, 'the registry is append-only'); END;
CREATE TRIGGER IF NOT EXISTS entries_append_only_d BEFORE DELETE ON entries BEGIN SELECT RAISE(ABORT, 'the registry is append-only'); END;
CREATE TRIGGER IF NOT EXISTS blobs_append_only_u BEFORE UPDATE ON blobs BEGIN SELECT RAISE(ABORT, 'the registry is append-only'); END;
CREATE TRIGGER IF NOT EXISTS blobs_append_only_d BEFORE DELETE ON blobs BEGIN SELECT RAISE(ABORT, 'the registry is append-only'); END;
CREATE TRIGGER IF NOT EXISTS keys_append_only_u BEFORE UPDATE ON keys BEGIN SELECT RAISE(ABORT, 'the registry is append-only'); END;
CREATE TRIGGER IF NOT EXISTS keys_append_only_d BEFORE DELETE ON keys BEGIN SELECT RAISE(ABORT, 'the registry is append-only'); END;
CREATE TRIGGER IF NOT EXISTS signatures_append_only_u BEFORE UPDATE ON signatures BEGIN SELECT RAISE(ABORT, 'the registry is append-only'); END;
CREATE TRIGGER IF NOT EXISTS signatures_append_only_d BEFORE DELETE ON signatures BEGIN SELECT RAISE(ABORT, 'the registry is append-only'); END;
)sql";

// A prepared statement, finalized on scope exit.
class Stmt {
 public:
  Stmt(sqlite3* db, const char* sql) : db_(db) { ok_ = sqlite3_prepare_v2(db, sql, -1, &s_, nullptr) == SQLITE_OK; }
  ~Stmt() { sqlite3_finalize(s_); }
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;
  bool ok() const { return ok_; }
  Stmt& Bind(int i, const std::string& v) {
    sqlite3_bind_text(s_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
    return *this;
  }
  Stmt& BindBlob(int i, const std::string& v) {
    sqlite3_bind_blob(s_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
    return *this;
  }
  Stmt& Bind(int i, int64_t v) {
    sqlite3_bind_int64(s_, i, v);
    return *this;
  }
  int Step() { return sqlite3_step(s_); }
  std::string Text(int col) const {
    const unsigned char* t = sqlite3_column_text(s_, col);
    return t == nullptr ? std::string() : std::string(reinterpret_cast<const char*>(t), static_cast<size_t>(sqlite3_column_bytes(s_, col)));
  }
  std::string BlobAt(int col) const {
    const void* b = sqlite3_column_blob(s_, col);
    return b == nullptr ? std::string() : std::string(static_cast<const char*>(b), static_cast<size_t>(sqlite3_column_bytes(s_, col)));
  }
  int64_t Int(int col) const { return sqlite3_column_int64(s_, col); }
  std::string Error() const { return sqlite3_errmsg(db_); }

 private:
  sqlite3* db_;
  sqlite3_stmt* s_ = nullptr;
  bool ok_ = false;
};

class SqliteStore : public Store {
 public:
  ~SqliteStore() override { sqlite3_close(db_); }

  bool Open(const std::string& path, bool create, std::string* error) {
    path_ = path;
    const int flags = SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0) | SQLITE_OPEN_FULLMUTEX;
    if (sqlite3_open_v2(path.c_str(), &db_, flags, nullptr) != SQLITE_OK) {
      *error = path + ": cannot open the registry: " + (db_ != nullptr ? sqlite3_errmsg(db_) : "out of memory");
      return false;
    }
    sqlite3_busy_timeout(db_, kBusyTimeoutMs);
    // The schema is checked before anything is written, the journal mode included: a
    // registry this build does not read, or a file that holds none, is left as it is.
    bool exists = false;
    if (!CheckSchema(create, &exists, error)) return false;
    if (!Exec("PRAGMA journal_mode=WAL", error) || !Exec("PRAGMA synchronous=FULL", error)) return false;
    // A registry that does not exist yet is created in one transaction, so a concurrent
    // creator sees either nothing or the whole schema; the check is made again under its lock.
    if (!Exec("BEGIN IMMEDIATE", error)) return false;
    bool ok = CheckSchema(create, &exists, error);
    if (ok && !exists) {
      ok = Exec(kSchema, error);
      for (const auto& [k, v] : {std::pair<std::string, std::string>{"schema_version", std::to_string(kSchemaVersion)},
                                 {"chain_id", RandomId()},
                                 {"created_at", UtcNow()}}) {
        Stmt s(db_, "INSERT INTO meta (key, value) VALUES (?1, ?2)");
        s.Bind(1, k).Bind(2, v);
        if (ok && s.Step() != SQLITE_DONE) {
          *error = path + ": cannot create the registry: " + s.Error();
          ok = false;
        }
      }
    }
    if (ok) {
      Stmt chain(db_, "SELECT value FROM meta WHERE key = 'chain_id'");
      ok = chain.ok() && chain.Step() == SQLITE_ROW;
      if (ok) chain_id_ = chain.Text(0);
      if (!ok) *error = path + ": the registry has no chain id (meta table damaged)";
    }
    std::string ignored;
    if (ok) return Exec("COMMIT", error);
    Exec("ROLLBACK", &ignored);
    return false;
  }

  const std::string& chain_id() const override { return chain_id_; }

  std::optional<Entry> Append(const std::function<AppendBatch(int64_t, const std::string&)>& make,
                              std::string* error) override {
    if (!Exec("BEGIN IMMEDIATE", error)) return std::nullopt;
    int64_t seq = 1;
    std::string prev(64, '0');
    {
      Stmt head(db_, "SELECT seq, hash FROM entries WHERE chain_id = ?1 ORDER BY seq DESC LIMIT 1");
      head.Bind(1, chain_id_);
      if (head.Step() == SQLITE_ROW) {
        seq = head.Int(0) + 1;
        prev = head.Text(1);
      }
    }
    AppendBatch b = make(seq, prev);
    const bool ok = InsertBatch(b, error);
    std::string ignored;
    if (!ok || !Exec("COMMIT", error)) {
      Exec("ROLLBACK", &ignored);
      return std::nullopt;
    }
    return b.entry;
  }

  bool Import(const Contents& c, std::string* error) override {
    if (!Exec("BEGIN IMMEDIATE", error)) return false;
    bool ok = true;
    for (const Entry& e : c.entries) {
      Stmt q(db_, "SELECT hash FROM entries WHERE chain_id = ?1 AND seq = ?2");
      q.Bind(1, e.chain_id).Bind(2, e.seq);
      if (q.Step() == SQLITE_ROW) {
        if (q.Text(0) != e.hash) {
          *error = "record " + e.chain_id + ":" + std::to_string(e.seq) + " is already in the registry with another hash";
          ok = false;
          break;
        }
        continue;
      }
      AppendBatch b;
      b.entry = e;
      if (!InsertBatch(b, error)) {
        ok = false;
        break;
      }
    }
    AppendBatch rest;
    rest.blobs = c.blobs;
    rest.keys = c.keys;
    rest.signatures = c.signatures;
    ok = ok && InsertRows(rest, error);
    std::string ignored;
    if (!ok || !Exec("COMMIT", error)) {
      Exec("ROLLBACK", &ignored);
      return false;
    }
    return true;
  }

  std::vector<Entry> Entries() const override {
    std::vector<Entry> out;
    Stmt s(db_,
           "SELECT chain_id, seq, kind, record_id, refers_to, supersedes, dossier_id, device_cnd, device_rdm, "
           "organisation, recorded_at, prev_hash, result_hash, inputs, options, body, hash FROM entries "
           "ORDER BY chain_id, seq");
    while (s.Step() == SQLITE_ROW) {
      Entry e;
      e.chain_id = s.Text(0);
      e.seq = s.Int(1);
      e.kind = s.Text(2);
      e.record_id = s.Text(3);
      e.refers_to = s.Text(4);
      e.supersedes = s.Text(5);
      e.dossier_id = s.Text(6);
      e.device_cnd = s.Text(7);
      e.device_rdm = s.Text(8);
      e.organisation = s.Text(9);
      e.recorded_at = s.Text(10);
      e.prev_hash = s.Text(11);
      e.result_hash = s.Text(12);
      e.inputs = InputsFromJson(s.Text(13));
      e.options = s.Text(14);
      e.body = s.Text(15);
      e.hash = s.Text(16);
      out.push_back(std::move(e));
    }
    return out;
  }

  std::optional<std::string> Blob(const std::string& sha256) const override {
    Stmt s(db_, "SELECT bytes FROM blobs WHERE sha256 = ?1");
    s.Bind(1, sha256);
    if (s.Step() != SQLITE_ROW) return std::nullopt;
    return s.BlobAt(0);
  }

  std::vector<std::string> BlobKeys() const override {
    std::vector<std::string> out;
    Stmt s(db_, "SELECT sha256 FROM blobs ORDER BY sha256");
    while (s.Step() == SQLITE_ROW) out.push_back(s.Text(0));
    return out;
  }

  std::vector<PublicKey> Keys() const override {
    std::vector<PublicKey> out;
    Stmt s(db_, "SELECT key_id, public_key, holder, role FROM keys ORDER BY key_id");
    while (s.Step() == SQLITE_ROW) out.push_back({s.Text(0), s.Text(1), s.Text(2), s.Text(3)});
    return out;
  }

  std::vector<Signature> Signatures() const override {
    std::vector<Signature> out;
    Stmt s(db_, "SELECT entry_hash, key_id, signature FROM signatures ORDER BY entry_hash, key_id");
    while (s.Step() == SQLITE_ROW) out.push_back({s.Text(0), s.Text(1), s.Text(2)});
    return out;
  }

 private:
  bool Exec(const char* sql, std::string* error) {
    char* msg = nullptr;
    if (sqlite3_exec(db_, sql, nullptr, nullptr, &msg) != SQLITE_OK) {
      *error = path_ + ": " + (msg != nullptr ? msg : "SQLite error");
      sqlite3_free(msg);
      return false;
    }
    return true;
  }

  // Whether the file holds a registry (`*exists`) this build reads. False with `*error` when
  // it holds one of another schema version, is an SQLite file with other tables, is no
  // database, or (unless `create`) holds nothing yet. Writes nothing.
  bool CheckSchema(bool create, bool* exists, std::string* error) {
    Stmt version(db_, "SELECT value FROM meta WHERE key = 'schema_version'");
    if (!version.ok()) {
      *exists = false;
      Stmt any(db_, "SELECT count(*) FROM sqlite_master");
      if (!any.ok() || any.Step() != SQLITE_ROW) {
        *error = path_ + ": cannot open the registry: " + any.Error();
        return false;
      }
      if (any.Int(0) != 0) {
        *error = path_ + ": not a Vaglio registry (an SQLite file with other tables)";
        return false;
      }
      if (!create) {
        *error = path_ + ": not a Vaglio registry (the file has no registry tables)";
        return false;
      }
      return true;
    }
    *exists = true;
    std::optional<std::string> text;
    if (version.Step() == SQLITE_ROW) text = version.Text(0);
    *error = CheckSchemaVersion(path_, text, "meta table");
    return error->empty();
  }

  bool InsertBatch(const AppendBatch& b, std::string* error) {
    const Entry& e = b.entry;
    Stmt s(db_,
           "INSERT INTO entries (chain_id, seq, kind, record_id, refers_to, supersedes, dossier_id, device_cnd, "
           "device_rdm, organisation, recorded_at, prev_hash, result_hash, inputs, options, body, hash) "
           "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)");
    s.Bind(1, e.chain_id).Bind(2, e.seq).Bind(3, e.kind).Bind(4, e.record_id).Bind(5, e.refers_to);
    s.Bind(6, e.supersedes).Bind(7, e.dossier_id).Bind(8, e.device_cnd).Bind(9, e.device_rdm);
    s.Bind(10, e.organisation).Bind(11, e.recorded_at).Bind(12, e.prev_hash).Bind(13, e.result_hash);
    s.Bind(14, InputsToJson(e.inputs)).Bind(15, e.options).Bind(16, e.body).Bind(17, e.hash);
    if (s.Step() != SQLITE_DONE) {
      *error = path_ + ": cannot store the record: " + s.Error();
      return false;
    }
    return InsertRows(b, error);
  }

  bool InsertRows(const AppendBatch& b, std::string* error) {
    for (const auto& [sha, bytes] : b.blobs) {
      Stmt s(db_, "INSERT OR IGNORE INTO blobs (sha256, bytes) VALUES (?1, ?2)");
      s.Bind(1, sha).BindBlob(2, bytes);
      if (s.Step() != SQLITE_DONE) {
        *error = path_ + ": cannot store an input: " + s.Error();
        return false;
      }
    }
    for (const PublicKey& k : b.keys) {
      Stmt s(db_, "INSERT OR IGNORE INTO keys (key_id, public_key, holder, role) VALUES (?1, ?2, ?3, ?4)");
      s.Bind(1, k.key_id).Bind(2, k.public_key).Bind(3, k.holder).Bind(4, k.role);
      if (s.Step() != SQLITE_DONE) {
        *error = path_ + ": cannot store a key: " + s.Error();
        return false;
      }
    }
    for (const Signature& g : b.signatures) {
      Stmt s(db_, "INSERT OR IGNORE INTO signatures (entry_hash, key_id, signature) VALUES (?1, ?2, ?3)");
      s.Bind(1, g.entry_hash).Bind(2, g.key_id).Bind(3, g.signature);
      if (s.Step() != SQLITE_DONE) {
        *error = path_ + ": cannot store a signature: " + s.Error();
        return false;
      }
    }
    return true;
  }

  std::string path_;
  sqlite3* db_ = nullptr;
  std::string chain_id_;
};

}  // namespace

std::unique_ptr<Store> OpenSqlite(const std::string& path, bool create, std::string* error) {
  auto s = std::make_unique<SqliteStore>();
  if (!s->Open(path, create, error)) return nullptr;
  return s;
}

}  // namespace vaglio::engine::registry
