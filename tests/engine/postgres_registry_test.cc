// The registry on a real PostgreSQL server (engine/registry/postgres_store.cc): creation
// (also by concurrent creators), records read back exactly as the in-memory and SQLite
// stores keep them, the append-only triggers, the schema version check, verification of a
// chain and of rows changed behind the triggers' back, concurrent writers in two processes,
// the least privileges a writer needs, and `vaglio evaluate` / `vaglio verify` end to end.
//
// The tests are hidden ([.postgres]): CTest runs them after the fixture pg_server_start
// (scripts/pg-test-server) has started a throwaway server and written its URL to the file
// named by VAGLIO_TEST_PG_URL_FILE (tests/CMakeLists.txt); VAGLIO_TEST_PG_URL names another
// server, whose user must be allowed to create databases and roles. Each test case works in
// a database of its own, made here and dropped at its end, so the cases run in parallel.
#include <catch2/catch.hpp>
#include <libpq-fe.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <latch>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "engine/diagnostics.h"
#include "engine/evaluation/evaluate.h"
#include "engine/hash.h"
#include "engine/io.h"
#include "engine/registry/audit.h"
#include "engine/registry/keys.h"
#include "engine/registry/store.h"
#include "engine/registry/store_common.h"
#include "tests/test_util.h"

namespace {

namespace en = vaglio::engine;
namespace reg = vaglio::engine::registry;
using vaglio::testing::RunVaglio;

const char kNp1Dossier[] = "examples/np1/np1.dossier.yaml";
const char kNp1Criteria[] = "examples/np1/irccs.criteria.yaml";
const char kNp1Scores[] = "examples/np1/np1.scores.yaml";

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The test server's URL (its database vaglio_test, as its superuser).
std::string ServerUrl() {
  if (const char* url = std::getenv("VAGLIO_TEST_PG_URL"); url != nullptr && *url != '\0') return url;
  const char* file = std::getenv("VAGLIO_TEST_PG_URL_FILE");
  std::string url = file != nullptr ? ReadFile(file) : "";
  while (!url.empty() && (url.back() == '\n' || url.back() == ' ')) url.pop_back();
  if (url.empty()) {
    FAIL("no PostgreSQL server for the [.postgres] tests: run them with ctest (the fixture pg_server_start starts "
         "one), or set VAGLIO_TEST_PG_URL");
  }
  return url;
}

// `url` with database `db`, and `extra` parameters appended (later parameters win).
std::string WithDatabase(const std::string& url, const std::string& db, const std::string& extra = "") {
  const size_t authority = url.find("://") + 3;
  const size_t query = url.find('?', authority);
  const size_t path = std::min(url.find('/', authority), query);
  std::string out = url.substr(0, path) + "/" + db;
  std::string params = query == std::string::npos ? "" : url.substr(query + 1);
  if (!extra.empty()) params += (params.empty() ? "" : "&") + extra;
  return params.empty() ? out : out + "?" + params;
}

// Runs `sql` (one or more statements) on `url`; returns "" or the server's message.
std::string RunSql(const std::string& url, const std::string& sql) {
  PGconn* c = PQconnectdb(url.c_str());
  std::string error;
  if (PQstatus(c) != CONNECTION_OK) {
    error = PQerrorMessage(c);
  } else {
    PQsetNoticeProcessor(c, [](void*, const char*) {}, nullptr);
    PGresult* r = PQexec(c, sql.c_str());
    const ExecStatusType s = PQresultStatus(r);
    if (s != PGRES_COMMAND_OK && s != PGRES_TUPLES_OK) {
      const char* primary = PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY);
      error = primary != nullptr ? primary : PQresultErrorMessage(r);
    }
    PQclear(r);
  }
  PQfinish(c);
  return error;
}

// The first value `sql` returns on `url` ("" when none).
std::string SqlValue(const std::string& url, const std::string& sql) {
  PGconn* c = PQconnectdb(url.c_str());
  std::string value;
  if (PQstatus(c) == CONNECTION_OK) {
    PGresult* r = PQexec(c, sql.c_str());
    if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) > 0) value = PQgetvalue(r, 0, 0);
    PQclear(r);
  }
  PQfinish(c);
  return value;
}

// A database of this test case's own, dropped at its end (with any connection left to it).
class TestDatabase {
 public:
  TestDatabase() : server_(ServerUrl()), name_("vaglio_t_" + reg::RandomId().substr(0, 16)) {
    const std::string error = RunSql(server_, "CREATE DATABASE " + name_);
    if (!error.empty()) FAIL("cannot create database " << name_ << ": " << error);
  }
  ~TestDatabase() { (void)RunSql(server_, "DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)"); }
  TestDatabase(const TestDatabase&) = delete;
  TestDatabase& operator=(const TestDatabase&) = delete;

  /// The registry's URL (as the server's superuser, or as `user`).
  std::string url(const std::string& user = "") const {
    return WithDatabase(server_, name_, user.empty() ? "" : "user=" + user);
  }
  const std::string& name() const { return name_; }
  /// Runs SQL in this database as the superuser; "" or the server's message.
  std::string Sql(const std::string& sql) const { return RunSql(url(), sql); }
  std::string Value(const std::string& sql) const { return SqlValue(url(), sql); }

 private:
  std::string server_;
  std::string name_;
};

std::unique_ptr<reg::Store> Open(const std::string& url, bool create) {
  std::string error;
  auto s = reg::OpenPostgres(url, create, &error);
  INFO(error);
  REQUIRE(s != nullptr);
  return s;
}

// An evaluation entry made here rather than by an evaluation (so it cannot be replayed):
// its body names its record id, its input is `blob`, it links to the chain's head.
reg::AppendBatch Synthetic(const std::string& chain, int64_t seq, const std::string& prev,
                           const std::string& record_id, const std::string& blob) {
  reg::Entry e;
  e.chain_id = chain;
  e.seq = seq;
  e.kind = "evaluation";
  e.record_id = record_id;
  e.dossier_id = "D-" + record_id;
  e.device_cnd = "P0908";
  e.organisation = "IRCCS";
  e.recorded_at = reg::UtcNow();
  e.prev_hash = prev;
  e.body = reg::Canonical(R"({"record_id":")" + record_id + R"(","note":"synthetic"})");
  e.result_hash = reg::EvaluationResultHash(e.body);
  const std::string sha = en::Sha256Hex(blob);
  e.inputs.push_back({"dossier", "d-" + record_id + ".yaml", sha});
  e.options = "{}";
  e.hash = reg::EntryHash(e);
  reg::AppendBatch b;
  b.entry = e;
  b.blobs.emplace_back(sha, blob);
  return b;
}

// Appends a synthetic entry, signed with `key` when given.
std::optional<reg::Entry> AppendSynthetic(reg::Store& s, const std::string& record_id, const std::string& blob,
                                          std::string* error, const reg::KeyPair* key = nullptr) {
  return s.Append(
      [&](int64_t seq, const std::string& prev) {
        reg::AppendBatch b = Synthetic(s.chain_id(), seq, prev, record_id, blob);
        if (key != nullptr) {
          b.keys.push_back(key->pub);
          b.signatures.push_back(reg::Sign(*key, b.entry.hash));
        }
        return b;
      },
      error);
}

// A verification's problems, one a line: the registry's own, then each record's as
// "SEQ RECORD_ID: problem" ("" when everything verifies). `rep` must be fresh: its
// records point into the entries it verified.
std::string ProblemsOf(const reg::VerifyReport& rep) {
  std::string out;
  for (const std::string& p : rep.problems) out += p + "\n";
  for (const reg::RecordCheck& r : rep.records) {
    for (const std::string& p : r.problems) out += std::to_string(r.entry->seq) + " " + r.entry->record_id + ": " + p + "\n";
  }
  if (out.empty() != rep.ok()) out += "(VerifyReport::ok() disagrees)\n";
  return out;
}

// What Verify finds in the store, without replaying the evaluations.
std::string VerifyProblems(const reg::Store& s) {
  reg::VerifyOptions vo;
  vo.replay = false;
  const std::vector<reg::Entry> entries = s.Entries();
  return ProblemsOf(reg::Verify(s, entries, vo));
}

// Every field of an entry, raw, one per line; `chain` false leaves out what depends on
// the chain and the clock (chain id, time, links and hash).
std::string Fields(const reg::Entry& e, bool chain = true) {
  std::string out;
  if (chain) {
    out += e.chain_id + "\n" + std::to_string(e.seq) + "\n" + e.recorded_at + "\n" + e.prev_hash + "\n" + e.hash + "\n";
  }
  out += e.kind + "\n" + e.record_id + "\n" + e.refers_to + "\n" + e.supersedes + "\n" + e.dossier_id + "\n" +
         e.device_cnd + "\n" + e.device_rdm + "\n" + e.organisation + "\n" + e.result_hash + "\n" + e.options + "\n" +
         e.body + "\n";
  for (const reg::InputRef& i : e.inputs) out += i.role + " " + i.path + " " + i.sha256 + "\n";
  return out;
}

// The name of an SQLite registry in /tmp, removed (with its WAL files) at scope exit.
struct TempSqlite {
  std::string path;
  TempSqlite() {
    char name[] = "/tmp/vaglio-pg-test-XXXXXX";
    const int fd = mkstemp(name);
    if (fd >= 0) close(fd);
    path = name;
    std::remove(name);  // SQLite makes the file
  }
  ~TempSqlite() {
    for (const char* suffix : {"", "-wal", "-shm"}) std::remove((path + suffix).c_str());
  }
  TempSqlite(const TempSqlite&) = delete;
  TempSqlite& operator=(const TempSqlite&) = delete;
};

// The NP1 example as shipped, in memory, with a committee decision on its evaluation
// (decision.yaml) once `record_id` is known.
struct Np1 {
  en::MemoryFileSystem fs;
  en::EvaluateOptions opts;
  Np1() {
    for (const char* p : {kNp1Dossier, kNp1Criteria, kNp1Scores, "examples/thr/thr.model.yaml",
                          "examples/thr/life_table.csv"}) {
      fs.Add(p, ReadFile(vaglio::testing::SourcePath(p)));
    }
    opts.dossier = kNp1Dossier;
    opts.criteria = kNp1Criteria;
    opts.scores = kNp1Scores;
    opts.threads = 1;
  }
  void AddDecision(const std::string& record_id) {
    fs.Add("decision.yaml", "format: vaglio.decision/1\nevaluation: " + record_id +
                                "\nfinal_outcome: DEFER\njustification: the committee waits for the 2-year registry data"
                                "\ndecided_on: 2026-03-12\nminutes_ref: CTA-2026-07\n");
  }
};

TEST_CASE("PostgreSQL registry: a database without a registry is refused unless asked to create it, "
          "and reopening keeps the chain id",
          "[.postgres]") {
  TestDatabase db;
  std::string error;
  CHECK(reg::OpenPostgres(db.url(), false, &error) == nullptr);
  CHECK(error == db.url() + ": no Vaglio registry in this database (no table vaglio_meta in the search_path)");

  auto created = Open(db.url(), true);
  CHECK(created->chain_id().size() == 32);
  CHECK(db.Value("SELECT string_agg(tablename, ',' ORDER BY tablename) FROM pg_tables WHERE schemaname = 'public'") ==
        "vaglio_blobs,vaglio_entries,vaglio_keys,vaglio_meta,vaglio_signatures");
  CHECK(db.Value("SELECT value FROM vaglio_meta WHERE key = 'schema_version'") == std::to_string(reg::kSchemaVersion));
  CHECK(Open(db.url(), false)->chain_id() == created->chain_id());
  CHECK(Open(db.url(), true)->chain_id() == created->chain_id());
  CHECK(db.Value("SELECT count(*) FROM vaglio_meta") == "3");

  // Another schema of the same database (chosen by the search_path) holds another registry.
  REQUIRE(db.Sql("CREATE SCHEMA hospital_b") == "");
  auto other = Open(WithDatabase(db.url(), db.name(), "options=-csearch_path%3Dhospital_b"), true);
  CHECK(other->chain_id() != created->chain_id());
  CHECK(db.Value("SELECT count(*) FROM pg_tables WHERE schemaname = 'hospital_b'") == "5");
}

TEST_CASE("PostgreSQL registry: a server that cannot be reached is reported with the URL, without its password",
          "[registry][postgres]") {
  std::string error;
  CHECK(reg::OpenPostgres("postgresql://clerk:s3cret@/registry?host=/nonexistent-vaglio-dir&password=s3cret", false,
                          &error) == nullptr);
  CHECK(error.rfind("postgresql://clerk:***@/registry?host=/nonexistent-vaglio-dir&password=***: cannot connect: ", 0) ==
        0);
  CHECK(error.find("s3cret") == std::string::npos);
}

TEST_CASE("PostgreSQL registry: concurrent creators of a new registry all open the same one", "[.postgres]") {
  TestDatabase db;
  constexpr int kCreators = 8;
  std::vector<std::string> chains(kCreators), errors(kCreators);
  std::latch start(kCreators);
  std::vector<std::thread> threads;
  for (int i = 0; i < kCreators; ++i) {
    threads.emplace_back([&, i] {
      start.arrive_and_wait();
      auto s = reg::OpenPostgres(db.url(), true, &errors[i]);
      if (s) chains[i] = s->chain_id();
    });
  }
  for (std::thread& t : threads) t.join();
  for (int i = 0; i < kCreators; ++i) {
    INFO("creator " << i << ": " << errors[i]);
    CHECK(chains[i].size() == 32);
    CHECK(chains[i] == chains[0]);
  }
  CHECK(db.Value("SELECT count(*) FROM vaglio_meta") == "3");
}

TEST_CASE("PostgreSQL registry: evaluation and decision records read back exactly as the memory and SQLite stores "
          "keep them, and export and import round-trip",
          "[.postgres]") {
  TestDatabase db, db2;
  Np1 np1;
  en::Diagnostics diag;
  const auto r = en::Evaluate(np1.fs, np1.opts, &diag);
  INFO(diag.Format());
  REQUIRE(r);
  np1.AddDecision(r->record.record_id());
  reg::AppendOptions ao;
  ao.key = reg::GenerateKey("Dr. Anna Conti", "chair");

  const TempSqlite sqlite_file, sqlite_file2;
  std::string error;
  auto pg = Open(db.url(), true);
  auto sqlite = reg::OpenSqlite(sqlite_file.path, true, &error);
  REQUIRE(sqlite != nullptr);
  reg::MemoryStore memory(pg->chain_id());

  std::vector<reg::Entry> written;  // by the PostgreSQL store
  for (reg::Store* s : {static_cast<reg::Store*>(pg.get()), static_cast<reg::Store*>(sqlite.get()),
                        static_cast<reg::Store*>(&memory)}) {
    auto ev = reg::AppendEvaluation(*s, *r, np1.opts, ao, &error);
    INFO(error);
    REQUIRE(ev);
    auto dec = reg::AppendDecision(*s, np1.fs, "decision.yaml", ao, &diag, &error);
    INFO(diag.Format() << error);
    REQUIRE(dec);
    if (s == pg.get()) written = {*ev, *dec};
  }

  // What was written comes back field for field; what the backends keep is the same.
  const std::vector<reg::Entry> entries = pg->Entries();
  REQUIRE(entries.size() == 2);
  for (size_t i = 0; i < entries.size(); ++i) {
    CHECK(Fields(entries[i]) == Fields(written[i]));
    CHECK(Fields(entries[i], false) == Fields(sqlite->Entries()[i], false));
    CHECK(Fields(entries[i], false) == Fields(memory.Entries()[i], false));
  }
  CHECK(entries[1].kind == "decision");
  CHECK(entries[1].refers_to == entries[0].record_id);
  CHECK(entries[1].prev_hash == entries[0].hash);
  const std::vector<std::string> keys = pg->BlobKeys();
  CHECK(keys.size() == 6);  // dossier, criteria, scores, model, life table, decision
  CHECK(keys == sqlite->BlobKeys());
  CHECK(keys == memory.BlobKeys());
  for (const std::string& k : keys) {
    CHECK(pg->Blob(k) == sqlite->Blob(k));
    CHECK(pg->Blob(k) == memory.Blob(k));
  }
  REQUIRE(pg->Keys().size() == 1);
  CHECK(pg->Keys()[0].public_key == ao.key->pub.public_key);
  CHECK(pg->Keys()[0].holder == "Dr. Anna Conti");
  CHECK(pg->Signatures().size() == 2);

  // The chain verifies, signatures included, and the evaluation replays.
  reg::VerifyOptions vo;
  vo.threads = 1;
  const reg::VerifyReport rep = reg::Verify(*pg, entries, vo);
  CHECK(ProblemsOf(rep) == "");
  REQUIRE(rep.records.size() == 2);
  CHECK(rep.records[0].notes == std::vector<std::string>{"signed by Dr. Anna Conti (chair)", "replayed"});

  // An export imported into another PostgreSQL registry, and that one's export into
  // SQLite, give the same export; importing the same rows again changes nothing.
  const std::string exported = reg::ExportJson(*pg);
  auto c = reg::ParseExport(exported, &error);
  INFO(error);
  REQUIRE(c);
  auto pg2 = Open(db2.url(), true);
  INFO(error);
  REQUIRE(reg::ImportContents(*pg2, *c, &error));
  CHECK(reg::ExportJson(*pg2) == exported);
  CHECK(reg::ImportContents(*pg2, *c, &error));
  CHECK(reg::ImportContents(*pg, *c, &error));
  CHECK(reg::ExportJson(*pg) == exported);
  auto sqlite2 = reg::OpenSqlite(sqlite_file2.path, true, &error);
  REQUIRE(sqlite2 != nullptr);
  auto c2 = reg::ParseExport(reg::ExportJson(*pg2), &error);
  REQUIRE(c2);
  REQUIRE(reg::ImportContents(*sqlite2, *c2, &error));
  CHECK(reg::ExportJson(*sqlite2) == exported);
}

TEST_CASE("PostgreSQL registry: input bytes come back exactly, whatever they are", "[.postgres]") {
  TestDatabase db;
  auto s = Open(db.url(), true);
  std::string every_byte;
  for (int i = 0; i < 4 * 256; ++i) every_byte.push_back(static_cast<char>(i % 256));
  const std::string large(3 << 20, '\xff');
  std::string error;
  REQUIRE(AppendSynthetic(*s, "bytes", every_byte, &error));
  REQUIRE(AppendSynthetic(*s, "large", large, &error));
  CHECK(s->Blob(en::Sha256Hex(every_byte)) == every_byte);
  CHECK(s->Blob(en::Sha256Hex(large)) == large);
  CHECK(s->Blob(std::string(64, '0')) == std::nullopt);
  CHECK(VerifyProblems(*s) == "");
}

TEST_CASE("PostgreSQL registry: the tables refuse UPDATE, DELETE and TRUNCATE, even from the superuser",
          "[.postgres]") {
  TestDatabase db;
  auto s = Open(db.url(), true);
  std::string error;
  const reg::KeyPair key = reg::GenerateKey("Committee", "secretary");
  REQUIRE(AppendSynthetic(*s, "r1", "dossier bytes", &error, &key));
  for (const char* sql : {"UPDATE vaglio_entries SET body = '{}'", "DELETE FROM vaglio_entries",
                          "TRUNCATE vaglio_entries", "UPDATE vaglio_blobs SET bytes = 'x'", "DELETE FROM vaglio_blobs",
                          "TRUNCATE vaglio_blobs", "UPDATE vaglio_keys SET holder = 'Mallory'", "DELETE FROM vaglio_keys",
                          "TRUNCATE vaglio_keys", "UPDATE vaglio_signatures SET signature = ''",
                          "DELETE FROM vaglio_signatures", "TRUNCATE vaglio_signatures"}) {
    INFO(sql);
    CHECK(db.Sql(sql) == "the registry is append-only");
  }
  CHECK(db.Value("SELECT count(*) FROM vaglio_entries") == "1");
  CHECK(VerifyProblems(*s) == "");
}

TEST_CASE("PostgreSQL registry: a schema version outside the supported range is refused with a clear message",
          "[.postgres]") {
  TestDatabase db;
  Open(db.url(), true);
  const std::string newer = std::to_string(reg::kSchemaVersion + 1);
  const std::string older = std::to_string(reg::kOldestSchemaVersion - 1);
  const std::string range = std::to_string(reg::kOldestSchemaVersion) + " to " + std::to_string(reg::kSchemaVersion);
  std::string error;

  REQUIRE(db.Sql("UPDATE vaglio_meta SET value = '" + newer + "' WHERE key = 'schema_version'") == "");
  for (bool create : {false, true}) {
    CHECK(reg::OpenPostgres(db.url(), create, &error) == nullptr);
    CHECK(error == db.url() + ": the registry's schema version is " + newer + ", but this vaglio reads versions " + range +
                       " (upgrade vaglio)");
  }
  const vaglio::testing::CliResult cli = RunVaglio({"verify", "--registry", db.url()});
  CHECK(cli.exit_code == 2);
  CHECK(cli.err == "vaglio: error: " + db.url() + ": the registry's schema version is " + newer +
                       ", but this vaglio reads versions " + range + " (upgrade vaglio)\n");

  REQUIRE(db.Sql("UPDATE vaglio_meta SET value = '" + older + "' WHERE key = 'schema_version'") == "");
  CHECK(reg::OpenPostgres(db.url(), false, &error) == nullptr);
  CHECK(error == db.url() + ": the registry's schema version is " + older + ", but this vaglio reads versions " + range +
                     " (export it with the older vaglio and import it)");

  REQUIRE(db.Sql("UPDATE vaglio_meta SET value = 'one' WHERE key = 'schema_version'") == "");
  CHECK(reg::OpenPostgres(db.url(), false, &error) == nullptr);
  CHECK(error == db.url() +
                     ": the registry's schema version is 'one', but must be a whole number (table vaglio_meta damaged)");
}

TEST_CASE("PostgreSQL registry: rows changed or deleted behind the triggers' back fail verification, naming the record",
          "[.postgres]") {
  TestDatabase db;
  auto s = Open(db.url(), true);
  std::string error;
  for (const char* id : {"r1", "r2", "r3"}) REQUIRE(AppendSynthetic(*s, id, std::string("bytes of ") + id, &error));
  REQUIRE(VerifyProblems(*s) == "");
  const std::string label = s->chain_id().substr(0, 8);

  SECTION("a record's content") {
    REQUIRE(db.Sql("ALTER TABLE vaglio_entries DISABLE TRIGGER vaglio_entries_append_only; "
                   "UPDATE vaglio_entries SET organisation = 'Another hospital' WHERE seq = 2; "
                   "ALTER TABLE vaglio_entries ENABLE TRIGGER vaglio_entries_append_only") == "");
    CHECK(VerifyProblems(*s) == "2 r2: its content does not match its hash (the record was changed)\n");
  }
  SECTION("an input's bytes") {
    REQUIRE(db.Sql("ALTER TABLE vaglio_blobs DISABLE TRIGGER vaglio_blobs_append_only; "
                   "UPDATE vaglio_blobs SET bytes = 'other bytes'::bytea WHERE sha256 = '" +
                   en::Sha256Hex("bytes of r3") +
                   "'; ALTER TABLE vaglio_blobs ENABLE TRIGGER vaglio_blobs_append_only") == "");
    CHECK(VerifyProblems(*s) == "3 r3: input dossier d-r3.yaml was changed (its bytes do not match its sha256)\n");
  }
  SECTION("a deleted record") {
    REQUIRE(db.Sql("ALTER TABLE vaglio_entries DISABLE TRIGGER vaglio_entries_append_only; "
                   "DELETE FROM vaglio_entries WHERE seq = 2; "
                   "ALTER TABLE vaglio_entries ENABLE TRIGGER vaglio_entries_append_only") == "");
    CHECK(VerifyProblems(*s) == "chain " + label + ": record 2 is missing (deleted?) before record " + label +
                                           ":3\n3 r3: chain break: the record before it is missing\n");
    const vaglio::testing::CliResult cli = RunVaglio({"verify", "--no-replay", "--registry", db.url()});
    CHECK(cli.exit_code == 3);
    CHECK(cli.out.find("FAIL  " + label + ":3 evaluation r3 (D-r3)\n      chain break: the record before it is missing\n") !=
          std::string::npos);
  }
  // The triggers are back on.
  CHECK(db.Sql("DELETE FROM vaglio_entries") == "the registry is append-only");
}

TEST_CASE("PostgreSQL registry: two processes appending 200 records each make one chain of 400 that verifies",
          "[.postgres]") {
  TestDatabase db;
  Open(db.url(), true);  // made, then closed: the children open their own connections
  constexpr int kPerProcess = 200;
  int go[2];
  REQUIRE(pipe(go) == 0);
  std::vector<pid_t> children;
  for (const char* writer : {"a", "b"}) {
    const pid_t pid = fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
      // The child: no Catch2 here, only an exit status.
      close(go[1]);
      char c;
      if (read(go[0], &c, 1) < 0) _exit(12);  // returns when the parent closes its end: both start together
      std::string error;
      auto s = reg::OpenPostgres(db.url(), false, &error);
      if (!s) _exit(10);
      for (int i = 0; i < kPerProcess; ++i) {
        if (!AppendSynthetic(*s, std::string(writer) + std::to_string(i), writer, &error)) {
          std::fprintf(stderr, "writer %s, record %d: %s\n", writer, i, error.c_str());
          _exit(11);
        }
      }
      _exit(0);
    }
    children.push_back(pid);
  }
  close(go[0]);
  close(go[1]);
  for (pid_t pid : children) {
    int status = 0;
    REQUIRE(waitpid(pid, &status, 0) == pid);
    CHECK(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
  }
  auto s = Open(db.url(), false);
  const std::vector<reg::Entry> entries = s->Entries();
  REQUIRE(entries.size() == 2 * kPerProcess);
  int from_a = 0;
  for (size_t i = 0; i < entries.size(); ++i) {
    CHECK(entries[i].seq == static_cast<int64_t>(i + 1));
    from_a += entries[i].record_id[0] == 'a' ? 1 : 0;
  }
  CHECK(from_a == kPerProcess);
  CHECK(VerifyProblems(*s) == "");
}

TEST_CASE("PostgreSQL registry: what a store reads after Entries() is the registry as it was then, "
          "so a verification is not misled by a concurrent append",
          "[.postgres]") {
  TestDatabase db;
  auto reader = Open(db.url(), true);
  auto writer = Open(db.url(), false);
  const reg::KeyPair key = reg::GenerateKey("Committee", "secretary");
  std::string error;
  REQUIRE(AppendSynthetic(*writer, "r1", "first bytes", &error, &key));
  const std::vector<reg::Entry> seen = reader->Entries();
  REQUIRE(seen.size() == 1);
  REQUIRE(AppendSynthetic(*writer, "r2", "second bytes", &error, &key));

  // Without one snapshot, the new signature would sign "no record of the registry".
  reg::VerifyOptions vo;
  vo.replay = false;
  CHECK(ProblemsOf(reg::Verify(*reader, seen, vo)) == "");
  CHECK(reader->Signatures().size() == 1);
  CHECK(reader->BlobKeys().size() == 1);
  CHECK(reader->Blob(en::Sha256Hex("second bytes")) == std::nullopt);

  // The next Entries() (or a write) moves on.
  CHECK(reader->Entries().size() == 2);
  CHECK(reader->Signatures().size() == 2);
  CHECK(reader->Blob(en::Sha256Hex("second bytes")) == "second bytes");
  CHECK(VerifyProblems(*reader) == "");
}

TEST_CASE("PostgreSQL registry: a writer needs only SELECT and INSERT, a reader only SELECT (docs/cli.md)",
          "[.postgres]") {
  TestDatabase db;
  const std::string suffix = reg::RandomId().substr(0, 12);
  const std::string writer = "vaglio_w_" + suffix, reader = "vaglio_r_" + suffix;
  auto owner = Open(db.url(), true);
  REQUIRE(db.Sql("CREATE ROLE " + writer + " LOGIN; CREATE ROLE " + reader + " LOGIN; GRANT SELECT ON vaglio_meta TO " +
                 writer + "; GRANT SELECT, INSERT ON vaglio_entries, vaglio_blobs, vaglio_keys, vaglio_signatures TO " +
                 writer + "; GRANT SELECT ON vaglio_meta, vaglio_entries, vaglio_blobs, vaglio_keys, vaglio_signatures TO " +
                 reader) == "");
  const reg::KeyPair key = reg::GenerateKey("Committee", "secretary");
  std::string error;
  {
    auto w = Open(db.url(writer), false);
    for (const char* id : {"w1", "w2"}) {
      INFO(error);
      CHECK(AppendSynthetic(*w, id, "bytes", &error, &key));
    }
    CHECK(VerifyProblems(*w) == "");
    CHECK(RunSql(db.url(writer), "DELETE FROM vaglio_entries") == "permission denied for table vaglio_entries");
    CHECK(RunSql(db.url(writer), "TRUNCATE vaglio_blobs") == "permission denied for table vaglio_blobs");
  }
  {
    auto r = Open(db.url(reader), false);
    CHECK(r->Entries().size() == 2);
    CHECK(VerifyProblems(*r) == "");
    CHECK(reg::ExportJson(*r) == reg::ExportJson(*owner));
    CHECK_FALSE(AppendSynthetic(*r, "r1", "bytes", &error));
    CHECK(error == db.url(reader) + ": cannot store the record: permission denied for table vaglio_entries");
  }
  const vaglio::testing::CliResult cli = RunVaglio({"verify", "--no-replay", "--registry", db.url(reader)});
  CHECK(cli.exit_code == 0);
  CHECK(owner->Entries().size() == 2);
  owner.reset();
  CHECK(db.Sql("DROP OWNED BY " + writer + ", " + reader + "; DROP ROLE " + writer + ", " + reader) == "");
}

TEST_CASE("PostgreSQL registry: vaglio evaluate, record and verify work on a postgresql:// URL",
          "[.postgres]") {
  TestDatabase db;
  const vaglio::testing::CliResult ev = RunVaglio(
      {"evaluate", kNp1Dossier, "--criteria", kNp1Criteria, "--scores", kNp1Scores, "--registry", db.url(), "--threads",
       "1"});
  INFO(ev.err);
  REQUIRE(ev.exit_code == 0);
  CHECK(ev.err.find("vaglio: stored evaluation ") != std::string::npos);

  auto s = Open(db.url(), false);
  REQUIRE(s->Entries().size() == 1);
  const std::string record_id = s->Entries()[0].record_id;
  const std::string label = s->chain_id().substr(0, 8);
  char decision[] = "/tmp/vaglio-pg-decision-XXXXXX";
  const int fd = mkstemp(decision);
  REQUIRE(fd >= 0);
  const std::string text = "format: vaglio.decision/1\nevaluation: " + record_id +
                           "\nfinal_outcome: REFER\njustification: the regional board decides\n";
  REQUIRE(write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()));
  close(fd);
  const vaglio::testing::CliResult rec = RunVaglio({"record", decision, "--registry", db.url()});
  std::remove(decision);
  INFO(rec.err);
  CHECK(rec.exit_code == 0);

  const vaglio::testing::CliResult ok = RunVaglio({"verify", "--registry", db.url(), "--threads", "1"});
  INFO(ok.out << ok.err);
  CHECK(ok.exit_code == 0);
  CHECK(ok.out.find("OK    " + label + ":1 evaluation " + record_id) == 0);
  CHECK(ok.out.find("vaglio verify: " + db.url() + ": 2 records, all verified\n") != std::string::npos);

  REQUIRE(db.Sql("ALTER TABLE vaglio_entries DISABLE TRIGGER vaglio_entries_append_only; "
                 "UPDATE vaglio_entries SET body = replace(body, '\"REFER\"', '\"APPROVE\"') WHERE seq = 2; "
                 "ALTER TABLE vaglio_entries ENABLE TRIGGER vaglio_entries_append_only") == "");
  const vaglio::testing::CliResult bad = RunVaglio({"verify", "--registry", db.url(), "--threads", "1"});
  INFO(bad.out << bad.err);
  CHECK(bad.exit_code == 3);
  CHECK(bad.out.find("FAIL  " + label + ":2 decision ") != std::string::npos);
  CHECK(bad.out.find("      its content does not match its hash (the record was changed)\n") != std::string::npos);
  CHECK(bad.out.find("vaglio verify: " + db.url() + ": 2 records, verification FAILED\n") != std::string::npos);
}

}  // namespace
