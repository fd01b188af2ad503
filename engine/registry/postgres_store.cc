// The registry on a PostgreSQL server (libpq): the same tables as the SQLite store (named
// vaglio_*, in the first schema of the search_path). Every write is one transaction holding
// the registry's writer lock (a transaction-scoped advisory lock, which needs no privilege
// beyond SELECT and INSERT), so chain heads are read and extended by one writer at a time;
// the reads that follow Entries() share one snapshot; triggers refuse UPDATE, DELETE and
// TRUNCATE. A store is one connection: not for several threads at once. docs/cli.md
// "Registry on PostgreSQL" has the URL and the privileges.
#include <libpq-fe.h>

#include <algorithm>
#include <charconv>
#include <memory>

#include "engine/registry/store.h"
#include "engine/registry/store_common.h"

namespace vaglio::engine::registry {
namespace {

// The registry's advisory locks, held to the end of a transaction. Creation's is keyed by
// the schema the tables go into, so registries in different schemas of one database do
// not wait for each other; the writers' by the entries table itself, whichever search_path
// found it.
const char* const kCreateLock =
    "SELECT pg_advisory_xact_lock((7405381::bigint << 32) | "
    "(SELECT oid::bigint FROM pg_catalog.pg_namespace WHERE nspname = current_schema()))";
const char* const kWriteLock =
    "SELECT pg_advisory_xact_lock((7405382::bigint << 32) | 'vaglio_entries'::regclass::oid::bigint)";

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
CREATE OR REPLACE TRIGGER vaglio_entries_no_truncate BEFORE TRUNCATE ON vaglio_entries
  FOR EACH STATEMENT EXECUTE FUNCTION vaglio_append_only();
CREATE OR REPLACE TRIGGER vaglio_blobs_no_truncate BEFORE TRUNCATE ON vaglio_blobs
  FOR EACH STATEMENT EXECUTE FUNCTION vaglio_append_only();
CREATE OR REPLACE TRIGGER vaglio_keys_no_truncate BEFORE TRUNCATE ON vaglio_keys
  FOR EACH STATEMENT EXECUTE FUNCTION vaglio_append_only();
CREATE OR REPLACE TRIGGER vaglio_signatures_no_truncate BEFORE TRUNCATE ON vaglio_signatures
  FOR EACH STATEMENT EXECUTE FUNCTION vaglio_append_only();
)sql";

// libpq's message without its final newline.
std::string Trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

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
  /// The server's message ("permission denied for table vaglio_entries"), with its detail;
  /// libpq's own when the server sent none (a lost connection).
  std::string Error() const {
    const char* primary = PQresultErrorField(r_, PG_DIAG_MESSAGE_PRIMARY);
    if (primary == nullptr) return Trimmed(PQresultErrorMessage(r_));
    std::string out = primary;
    if (const char* detail = PQresultErrorField(r_, PG_DIAG_MESSAGE_DETAIL); detail != nullptr) {
      out += std::string(" (") + detail + ")";
    }
    return out;
  }

 private:
  PGresult* r_;
};

class PostgresStore : public Store {
 public:
  ~PostgresStore() override { PQfinish(conn_); }

  bool Open(const std::string& url, bool create, std::string* error) {
    url_ = Redacted(url);
    // The URL's own parameters override these defaults (later keys win).
    const char* const keys[] = {"connect_timeout", "fallback_application_name", "dbname", nullptr};
    const char* const values[] = {"30", "vaglio", url.c_str(), nullptr};
    conn_ = PQconnectdbParams(keys, values, 1);
    if (PQstatus(conn_) != CONNECTION_OK) {
      *error = url_ + ": cannot connect: " + Trimmed(PQerrorMessage(conn_));
      return false;
    }
    // Text goes in and out as UTF-8, whatever the database's default.
    if (PQsetClientEncoding(conn_, "UTF8") != 0) {
      *error = url_ + ": cannot use UTF-8: " + Trimmed(PQerrorMessage(conn_));
      return false;
    }
    // Notices ("relation already exists, skipping") are not the user's business.
    if (!Exec("SET client_min_messages TO warning", error) || !Exec("BEGIN", error)) return false;
    bool exists = false;
    bool ok = TablesExist(&exists, error);
    if (ok && !exists && create) {
      // One creator at a time, so a new registry gets one schema and one chain id; a
      // creator that waited finds the registry made.
      ok = Exec(kCreateLock, error) && TablesExist(&exists, error);
      if (ok && !exists) {
        ok = Exec(kSchema, error);
        for (const auto& [k, v] : {std::pair<std::string, std::string>{"schema_version", std::to_string(kSchemaVersion)},
                                   {"chain_id", RandomId()},
                                   {"created_at", UtcNow()}}) {
          ok = ok && Params("INSERT INTO vaglio_meta (key, value) VALUES ($1, $2)", {k, v},
                            "cannot create the registry", error);
        }
      }
    } else if (ok && !exists) {
      *error = url_ + ": no Vaglio registry in this database (no table vaglio_meta in the search_path)";
      ok = false;
    }
    ok = ok && ReadMeta(error);
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
    EndReads();
    if (!Exec("BEGIN", error)) return std::nullopt;
    std::string ignored;
    int64_t seq = 1;
    std::string prev(64, '0');
    bool ok = Exec(kWriteLock, error);
    if (ok) {
      // Read after the lock is held: each statement sees what was committed before it.
      Res head(QueryParams("SELECT seq, hash FROM vaglio_entries WHERE chain_id = $1 ORDER BY seq DESC LIMIT 1",
                           {chain_id_}));
      ok = head.ok();
      if (!ok) *error = url_ + ": cannot read the chain's head: " + head.Error();
      if (ok && head.rows() == 1) {
        seq = Int(head.Text(0, 0)).value_or(0) + 1;
        prev = head.Text(0, 1);
      }
    }
    if (!ok) {
      Exec("ROLLBACK", &ignored);
      return std::nullopt;
    }
    AppendBatch b = make(seq, prev);
    if (!InsertBatch(b, error) || !Exec("COMMIT", error)) {
      Exec("ROLLBACK", &ignored);
      return std::nullopt;
    }
    return b.entry;
  }

  bool Import(const Contents& c, std::string* error) override {
    EndReads();
    if (!Exec("BEGIN", error)) return false;
    std::string ignored;
    bool ok = Exec(kWriteLock, error);
    for (size_t i = 0; ok && i < c.entries.size(); ++i) {
      const Entry& e = c.entries[i];
      Res q(QueryParams("SELECT hash FROM vaglio_entries WHERE chain_id = $1 AND seq = $2",
                        {e.chain_id, std::to_string(e.seq)}));
      if (!q.ok()) {
        *error = url_ + ": cannot read the registry: " + q.Error();
        ok = false;
        continue;
      }
      if (q.rows() == 1) {
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
    EndReads();  // a new command's reads begin here
    Res r(Read(
        "SELECT chain_id, seq, kind, record_id, refers_to, supersedes, dossier_id, device_cnd, device_rdm, "
        "organisation, recorded_at, prev_hash, result_hash, inputs, options, body, hash FROM vaglio_entries "
        "ORDER BY chain_id COLLATE \"C\", seq"));
    for (int i = 0; r.ok() && i < r.rows(); ++i) {
      Entry e;
      e.chain_id = r.Text(i, 0);
      e.seq = Int(r.Text(i, 1)).value_or(0);
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
    BeginReads();
    const char* values[] = {sha256.c_str()};
    Res r(PQexecParams(conn_, "SELECT bytes FROM vaglio_blobs WHERE sha256 = $1", 1, nullptr, values, nullptr, nullptr, 1));
    if (!r.ok()) EndReads();
    if (!r.ok() || r.rows() != 1) return std::nullopt;
    return r.Text(0, 0);
  }

  std::vector<std::string> BlobKeys() const override {
    std::vector<std::string> out;
    Res r(Read("SELECT sha256 FROM vaglio_blobs ORDER BY sha256 COLLATE \"C\""));
    for (int i = 0; r.ok() && i < r.rows(); ++i) out.push_back(r.Text(i, 0));
    return out;
  }

  std::vector<PublicKey> Keys() const override {
    std::vector<PublicKey> out;
    Res r(Read("SELECT key_id, public_key, holder, role FROM vaglio_keys ORDER BY key_id COLLATE \"C\""));
    for (int i = 0; r.ok() && i < r.rows(); ++i) out.push_back({r.Text(i, 0), r.Text(i, 1), r.Text(i, 2), r.Text(i, 3)});
    return out;
  }

  std::vector<Signature> Signatures() const override {
    std::vector<Signature> out;
    Res r(Read("SELECT entry_hash, key_id, signature FROM vaglio_signatures "
               "ORDER BY entry_hash COLLATE \"C\", key_id COLLATE \"C\""));
    for (int i = 0; r.ok() && i < r.rows(); ++i) out.push_back({r.Text(i, 0), r.Text(i, 1), r.Text(i, 2)});
    return out;
  }

 private:
  // `s` as a whole number, or nothing.
  static std::optional<int64_t> Int(const std::string& s) {
    int64_t v = 0;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
    return v;
  }

  // The URL without its password (in the user part or a password= parameter), for messages.
  static std::string Redacted(std::string url) {
    const size_t scheme = url.find("://");
    if (scheme == std::string::npos) return url;
    const size_t authority_end = std::min(url.find('/', scheme + 3), url.find('?', scheme + 3));
    const size_t at = url.rfind('@', authority_end);
    if (at != std::string::npos && at > scheme) {
      const size_t colon = url.find(':', scheme + 3);
      if (colon < at) url = url.substr(0, colon) + ":***" + url.substr(at);
    }
    for (size_t p = url.find("password=", scheme); p != std::string::npos; p = url.find("password=", p + 1)) {
      if (url[p - 1] != '?' && url[p - 1] != '&') continue;
      const size_t value = p + 9;
      const size_t end = std::min(url.find('&', value), url.size());
      url = url.substr(0, value) + "***" + url.substr(end);
    }
    return url;
  }

  // Whether the registry's tables are there (in a schema of the search_path). Read from
  // pg_class with this statement's snapshot, not with to_regclass, whose cache can still
  // say "missing" after the lock was taken and a concurrent creator committed.
  bool TablesExist(bool* exists, std::string* error) {
    Res r(Query("SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n "
                "ON n.oid = c.relnamespace WHERE c.relname = 'vaglio_meta' AND n.nspname = ANY (current_schemas(false)))"));
    if (!r.ok() || r.rows() != 1) {
      *error = url_ + ": " + r.Error();
      return false;
    }
    *exists = r.Text(0, 0) == "t";
    return true;
  }

  // Reads and checks the schema version and the chain id.
  bool ReadMeta(std::string* error) {
    Res r(Query("SELECT key, value FROM vaglio_meta WHERE key IN ('schema_version', 'chain_id')"));
    if (!r.ok()) {
      *error = url_ + ": " + r.Error();
      return false;
    }
    std::optional<std::string> version_text;
    for (int i = 0; i < r.rows(); ++i) {
      if (r.Text(i, 0) == "schema_version") version_text = r.Text(i, 1);
      if (r.Text(i, 0) == "chain_id") chain_id_ = r.Text(i, 1);
    }
    *error = CheckSchemaVersion(url_, version_text, "table vaglio_meta");
    if (!error->empty()) return false;
    if (chain_id_.empty()) {
      *error = url_ + ": the registry has no chain id (table vaglio_meta damaged)";
      return false;
    }
    return true;
  }

  PGresult* Query(const char* sql) const { return PQexec(conn_, sql); }

  // Reads run in one REPEATABLE READ, READ ONLY transaction from a call of Entries() to the
  // next (or to a write), so the reads of one command (a verification or an export reads
  // the entries, then the keys, the signatures and the inputs) see the registry as it was
  // when the entries were read, while others append. A failed read ends it, so the next
  // read starts afresh.
  void BeginReads() const {
    if (reading_) return;
    Res r(Query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"));
    reading_ = r.ok();
  }
  void EndReads() const {
    if (!reading_) return;
    Res r(Query("COMMIT"));
    reading_ = false;
  }
  PGresult* Read(const char* sql) const {
    BeginReads();
    PGresult* r = Query(sql);
    const ExecStatusType s = PQresultStatus(r);
    if (s != PGRES_TUPLES_OK && s != PGRES_COMMAND_OK) EndReads();
    return r;
  }

  PGresult* QueryParams(const char* sql, const std::vector<std::string>& params) const {
    std::vector<const char*> values;
    for (const std::string& p : params) values.push_back(p.c_str());
    return PQexecParams(conn_, sql, static_cast<int>(values.size()), nullptr, values.data(), nullptr, nullptr, 0);
  }

  bool Exec(const char* sql, std::string* error) {
    Res r(Query(sql));
    if (!r.ok()) *error = url_ + ": " + r.Error();
    return r.ok();
  }

  // Runs `sql` with text parameters; `*error` is "URL: WHAT: the server's message".
  bool Params(const char* sql, const std::vector<std::string>& params, const char* what, std::string* error) {
    Res r(QueryParams(sql, params));
    if (!r.ok()) *error = url_ + ": " + what + ": " + r.Error();
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
                "cannot store the record", error)) {
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
        *error = url_ + ": cannot store an input: " + r.Error();
        return false;
      }
    }
    for (const PublicKey& k : b.keys) {
      if (!Params("INSERT INTO vaglio_keys (key_id, public_key, holder, role) VALUES ($1, $2, $3, $4) "
                  "ON CONFLICT DO NOTHING",
                  {k.key_id, k.public_key, k.holder, k.role}, "cannot store a key", error)) {
        return false;
      }
    }
    for (const Signature& g : b.signatures) {
      if (!Params("INSERT INTO vaglio_signatures (entry_hash, key_id, signature) VALUES ($1, $2, $3) "
                  "ON CONFLICT DO NOTHING",
                  {g.entry_hash, g.key_id, g.signature}, "cannot store a signature", error)) {
        return false;
      }
    }
    return true;
  }

  std::string url_;
  PGconn* conn_ = nullptr;
  std::string chain_id_;
  mutable bool reading_ = false;  // a read transaction is open (BeginReads)
};

}  // namespace

std::unique_ptr<Store> OpenPostgres(const std::string& url, bool create, std::string* error) {
  auto s = std::make_unique<PostgresStore>();
  if (!s->Open(url, create, error)) return nullptr;
  return s;
}

}  // namespace vaglio::engine::registry
