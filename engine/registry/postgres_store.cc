// The registry on a PostgreSQL server (libpq): the same tables as the SQLite store, every
// write one transaction holding an exclusive lock on the entries table so chain heads are
// read and extended by one writer at a time; triggers refuse UPDATE and DELETE.
#include <libpq-fe.h>

#include <memory>

#include "engine/registry/store.h"
#include "engine/registry/store_common.h"

namespace vaglio::engine::registry {
namespace {

const char* const kSchema = R"sql(
CREATE TABLE IF NOT EXISTS vaglio_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS vaglio_entries (
  chain_id TEXT NOT NULL, seq BIGINT NOT NULL, kind TEXT NOT NULL, record_id TEXT NOT NULL,
  refers_to TEXT NOT NULL, supersedes TEXT NOT NULL, dossier_id TEXT NOT NULL,
  device_cnd TEXT NOT NULL, device_rdm TEXT NOT NULL, organisation TEXT NOT NULL,
  recorded_at TEXT NOT NULL, prev_hash TEXT NOT NULL, result_hash TEXT NOT NULL,
  inputs TEXT NOT NULL, options TEXT NOT NULL, body TEXT NOT NULL, hash TEXT NOT NULL,
  PRIMARY KEY (chain_id, seq));
CREATE TABLE IF NOT EXISTS vaglio_blobs (sha256 TEXT PRIMARY KEY, bytes BYTEA NOT NULL);
CREATE TABLE IF NOT EXISTS vaglio_keys (key_id TEXT PRIMARY KEY, public_key TEXT NOT NULL,
  holder TEXT NOT NULL, role TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS vaglio_signatures (entry_hash TEXT NOT NULL, key_id TEXT NOT NULL,
  signature TEXT NOT NULL, PRIMARY KEY (entry_hash, key_id));
CREATE INDEX IF NOT EXISTS vaglio_entries_dossier ON vaglio_entries (dossier_id);
CREATE INDEX IF NOT EXISTS vaglio_entries_device ON vaglio_entries (device_cnd, device_rdm);
CREATE OR REPLACE FUNCTION vaglio_append_only() RETURNS trigger LANGUAGE plpgsql AS
  $$ BEGIN RAISE EXCEPTION 'the registry is append-only'; END $$;
CREATE OR REPLACE TRIGGER vaglio_entries_append_only BEFORE UPDATE OR DELETE ON vaglio_entries
  FOR EACH ROW EXECUTE FUNCTION vaglio_append_only();
CREATE OR REPLACE TRIGGER vaglio_blobs_append_only BEFORE UPDATE OR DELETE ON vaglio_blobs
  FOR EACH ROW EXECUTE FUNCTION vaglio_append_only();
CREATE OR REPLACE TRIGGER vaglio_keys_append_only BEFORE UPDATE OR DELETE ON vaglio_keys
  FOR EACH ROW EXECUTE FUNCTION vaglio_append_only();
CREATE OR REPLACE TRIGGER vaglio_signatures_append_only BEFORE UPDATE OR DELETE ON vaglio_signatures
  FOR EACH ROW EXECUTE FUNCTION vaglio_append_only();
)sql";

// A query result, cleared on scope exit.
class Res {
 public:
  explicit Res(PGresult* r) : r_(r) {}
  ~Res() { PQclear(r_); }
  Res(const Res&) = delete;
  Res& operator=(const Res&) = delete;
  bool ok() const {
    const ExecStatusType s = PQresultStatus(r_);
    return s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK;
  }
  int rows() const { return PQntuples(r_); }
  std::string Text(int row, int col) const {
    return std::string(PQgetvalue(r_, row, col), static_cast<size_t>(PQgetlength(r_, row, col)));
  }
  std::string Error() const { return PQresultErrorMessage(r_); }

 private:
  PGresult* r_;
};

class PostgresStore : public Store {
 public:
  ~PostgresStore() override { PQfinish(conn_); }

  bool Open(const std::string& url, bool create, std::string* error) {
    url_ = Redacted(url);
    conn_ = PQconnectdb(url.c_str());
    if (PQstatus(conn_) != CONNECTION_OK) {
      *error = url_ + ": cannot connect: " + Trimmed(PQerrorMessage(conn_));
      return false;
    }
    Exec("SET client_min_messages TO warning", error);
    if (!Exec("BEGIN", error)) return false;
    // One creator at a time (a transaction-scoped advisory lock), so a new registry gets
    // one schema and one chain id.
    bool ok = Exec("SELECT pg_advisory_xact_lock(7405381)", error);
    Res has(Query("SELECT to_regclass('vaglio_meta') IS NOT NULL"));
    const bool exists = has.ok() && has.rows() == 1 && has.Text(0, 0) == "t";
    if (ok && !exists && !create) {
      *error = url_ + ": no Vaglio registry in this database";
      ok = false;
    }
    if (ok && !exists) {
      ok = Exec(kSchema, error);
      for (const auto& [k, v] : {std::pair<std::string, std::string>{"schema_version", std::to_string(kSchemaVersion)},
                                 {"chain_id", RandomId()},
                                 {"created_at", UtcNow()}}) {
        ok = ok && Params("INSERT INTO vaglio_meta (key, value) VALUES ($1, $2) ON CONFLICT DO NOTHING", {k, v}, error);
      }
    }
    if (ok) {
      Res v(Query("SELECT value FROM vaglio_meta WHERE key = 'schema_version'"));
      const int version = v.ok() && v.rows() == 1 ? std::stoi(v.Text(0, 0)) : -1;
      if (version < kOldestSchemaVersion || version > kSchemaVersion) {
        *error = SchemaVersionError(url_, version);
        ok = false;
      }
      Res c(Query("SELECT value FROM vaglio_meta WHERE key = 'chain_id'"));
      if (ok && c.ok() && c.rows() == 1) chain_id_ = c.Text(0, 0);
    }
    std::string ignored;
    if (!ok) {
      Exec("ROLLBACK", &ignored);
      return false;
    }
    return Exec("COMMIT", error);
  }

  const std::string& chain_id() const override { return chain_id_; }

  std::optional<Entry> Append(const std::function<AppendBatch(int64_t, const std::string&)>& make,
                              std::string* error) override {
    if (!Exec("BEGIN", error)) return std::nullopt;
    std::string ignored;
    if (!Exec("LOCK TABLE vaglio_entries IN SHARE ROW EXCLUSIVE MODE", error)) {
      Exec("ROLLBACK", &ignored);
      return std::nullopt;
    }
    int64_t seq = 1;
    std::string prev(64, '0');
    {
      Res head(QueryParams("SELECT seq, hash FROM vaglio_entries WHERE chain_id = $1 ORDER BY seq DESC LIMIT 1", {chain_id_}));
      if (head.ok() && head.rows() == 1) {
        seq = std::stoll(head.Text(0, 0)) + 1;
        prev = head.Text(0, 1);
      }
    }
    AppendBatch b = make(seq, prev);
    if (!InsertBatch(b, error) || !Exec("COMMIT", error)) {
      Exec("ROLLBACK", &ignored);
      return std::nullopt;
    }
    return b.entry;
  }

  bool Import(const Contents& c, std::string* error) override {
    if (!Exec("BEGIN", error)) return false;
    std::string ignored;
    bool ok = Exec("LOCK TABLE vaglio_entries IN SHARE ROW EXCLUSIVE MODE", error);
    for (size_t i = 0; ok && i < c.entries.size(); ++i) {
      const Entry& e = c.entries[i];
      Res q(QueryParams("SELECT hash FROM vaglio_entries WHERE chain_id = $1 AND seq = $2", {e.chain_id, std::to_string(e.seq)}));
      if (q.ok() && q.rows() == 1) {
        if (q.Text(0, 0) != e.hash) {
          *error = "record " + e.chain_id + ":" + std::to_string(e.seq) + " is already in the registry with another hash";
          ok = false;
        }
        continue;
      }
      AppendBatch b;
      b.entry = e;
      ok = InsertBatch(b, error);
    }
    AppendBatch rest;
    rest.blobs = c.blobs;
    rest.keys = c.keys;
    rest.signatures = c.signatures;
    ok = ok && InsertRows(rest, error);
    if (!ok || !Exec("COMMIT", error)) {
      Exec("ROLLBACK", &ignored);
      return false;
    }
    return true;
  }

  std::vector<Entry> Entries() const override {
    std::vector<Entry> out;
    Res r(Query(
        "SELECT chain_id, seq, kind, record_id, refers_to, supersedes, dossier_id, device_cnd, device_rdm, "
        "organisation, recorded_at, prev_hash, result_hash, inputs, options, body, hash FROM vaglio_entries "
        "ORDER BY chain_id COLLATE \"C\", seq"));
    for (int i = 0; r.ok() && i < r.rows(); ++i) {
      Entry e;
      e.chain_id = r.Text(i, 0);
      e.seq = std::stoll(r.Text(i, 1));
      e.kind = r.Text(i, 2);
      e.record_id = r.Text(i, 3);
      e.refers_to = r.Text(i, 4);
      e.supersedes = r.Text(i, 5);
      e.dossier_id = r.Text(i, 6);
      e.device_cnd = r.Text(i, 7);
      e.device_rdm = r.Text(i, 8);
      e.organisation = r.Text(i, 9);
      e.recorded_at = r.Text(i, 10);
      e.prev_hash = r.Text(i, 11);
      e.result_hash = r.Text(i, 12);
      e.inputs = InputsFromJson(r.Text(i, 13));
      e.options = r.Text(i, 14);
      e.body = r.Text(i, 15);
      e.hash = r.Text(i, 16);
      out.push_back(std::move(e));
    }
    return out;
  }

  std::optional<std::string> Blob(const std::string& sha256) const override {
    // Binary results, so the bytes come back exactly.
    const char* values[] = {sha256.c_str()};
    Res r(PQexecParams(conn_, "SELECT bytes FROM vaglio_blobs WHERE sha256 = $1", 1, nullptr, values, nullptr, nullptr, 1));
    if (!r.ok() || r.rows() != 1) return std::nullopt;
    return r.Text(0, 0);
  }

  std::vector<std::string> BlobKeys() const override {
    std::vector<std::string> out;
    Res r(Query("SELECT sha256 FROM vaglio_blobs ORDER BY sha256 COLLATE \"C\""));
    for (int i = 0; r.ok() && i < r.rows(); ++i) out.push_back(r.Text(i, 0));
    return out;
  }

  std::vector<PublicKey> Keys() const override {
    std::vector<PublicKey> out;
    Res r(Query("SELECT key_id, public_key, holder, role FROM vaglio_keys ORDER BY key_id COLLATE \"C\""));
    for (int i = 0; r.ok() && i < r.rows(); ++i) out.push_back({r.Text(i, 0), r.Text(i, 1), r.Text(i, 2), r.Text(i, 3)});
    return out;
  }

  std::vector<Signature> Signatures() const override {
    std::vector<Signature> out;
    Res r(Query("SELECT entry_hash, key_id, signature FROM vaglio_signatures ORDER BY entry_hash COLLATE \"C\", key_id COLLATE \"C\""));
    for (int i = 0; r.ok() && i < r.rows(); ++i) out.push_back({r.Text(i, 0), r.Text(i, 1), r.Text(i, 2)});
    return out;
  }

 private:
  static std::string Trimmed(std::string s) {
    while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
    return s;
  }

  // The URL without a password, for messages.
  static std::string Redacted(const std::string& url) {
    const size_t at = url.find('@');
    const size_t scheme = url.find("://");
    if (at == std::string::npos || scheme == std::string::npos) return url;
    const size_t colon = url.find(':', scheme + 3);
    if (colon == std::string::npos || colon > at) return url;
    return url.substr(0, colon) + ":***" + url.substr(at);
  }

  PGresult* Query(const char* sql) const { return PQexec(conn_, sql); }

  PGresult* QueryParams(const char* sql, const std::vector<std::string>& params) const {
    std::vector<const char*> values;
    for (const std::string& p : params) values.push_back(p.c_str());
    return PQexecParams(conn_, sql, static_cast<int>(values.size()), nullptr, values.data(), nullptr, nullptr, 0);
  }

  bool Exec(const char* sql, std::string* error) {
    Res r(Query(sql));
    if (!r.ok()) *error = url_ + ": " + Trimmed(r.Error());
    return r.ok();
  }

  bool Params(const char* sql, const std::vector<std::string>& params, std::string* error) {
    Res r(QueryParams(sql, params));
    if (!r.ok()) *error = url_ + ": " + Trimmed(r.Error());
    return r.ok();
  }

  bool InsertBatch(const AppendBatch& b, std::string* error) {
    const Entry& e = b.entry;
    if (!Params("INSERT INTO vaglio_entries (chain_id, seq, kind, record_id, refers_to, supersedes, dossier_id, "
                "device_cnd, device_rdm, organisation, recorded_at, prev_hash, result_hash, inputs, options, body, hash) "
                "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)",
                {e.chain_id, std::to_string(e.seq), e.kind, e.record_id, e.refers_to, e.supersedes, e.dossier_id,
                 e.device_cnd, e.device_rdm, e.organisation, e.recorded_at, e.prev_hash, e.result_hash,
                 InputsToJson(e.inputs), e.options, e.body, e.hash},
                error)) {
      return false;
    }
    return InsertRows(b, error);
  }

  bool InsertRows(const AppendBatch& b, std::string* error) {
    for (const auto& [sha, bytes] : b.blobs) {
      // The bytes go as a binary parameter.
      const char* values[] = {sha.c_str(), bytes.data()};
      const int lengths[] = {0, static_cast<int>(bytes.size())};
      const int formats[] = {0, 1};
      Res r(PQexecParams(conn_, "INSERT INTO vaglio_blobs (sha256, bytes) VALUES ($1, $2) ON CONFLICT DO NOTHING", 2,
                         nullptr, values, lengths, formats, 0));
      if (!r.ok()) {
        *error = url_ + ": cannot store an input: " + Trimmed(r.Error());
        return false;
      }
    }
    for (const PublicKey& k : b.keys) {
      if (!Params("INSERT INTO vaglio_keys (key_id, public_key, holder, role) VALUES ($1, $2, $3, $4) "
                  "ON CONFLICT DO NOTHING",
                  {k.key_id, k.public_key, k.holder, k.role}, error)) {
        return false;
      }
    }
    for (const Signature& g : b.signatures) {
      if (!Params("INSERT INTO vaglio_signatures (entry_hash, key_id, signature) VALUES ($1, $2, $3) "
                  "ON CONFLICT DO NOTHING",
                  {g.entry_hash, g.key_id, g.signature}, error)) {
        return false;
      }
    }
    return true;
  }

  std::string url_;
  PGconn* conn_ = nullptr;
  std::string chain_id_;
};

}  // namespace

std::unique_ptr<Store> OpenPostgres(const std::string& url, bool create, std::string* error) {
  auto s = std::make_unique<PostgresStore>();
  if (!s->Open(url, create, error)) return nullptr;
  return s;
}

}  // namespace vaglio::engine::registry
