// Acceptance tests of the registry on SQLite (issue 6) through the vaglio binary: keygen,
// evaluate --registry/--sign/--supersedes, record, verify (with replay, --trust, --format
// json), history, export and import; registries changed with the sqlite3 command-line tool;
// a schema version this build does not read; nothing written on bad input; writers killed
// with SIGKILL at random moments; concurrent writers on a new registry. The engine-level
// checks of every column and byte are in tests/engine/registry_test.cc.
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "engine/registry/audit.h"
#include "engine/registry/store.h"
#include "tests/test_util.h"

extern char** environ;

namespace {

using vaglio::testing::DateAfter;
using vaglio::testing::TempDir;

namespace reg = vaglio::engine::registry;
using vaglio::testing::CliResult;
using vaglio::testing::RunVaglio;
using Json = nlohmann::json;

const char kNp1Dossier[] = "examples/np1/np1.dossier.yaml";
const char kNp1Criteria[] = "examples/np1/irccs.criteria.yaml";
const char kNp1Scores[] = "examples/np1/np1.scores.yaml";
const char kNp1SelfScores[] = "examples/np1/np1.self_scores.yaml";
const char kHolder[] = "Dr. Paolo Conti";

constexpr uint64_t kSeed = 20261122;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void WriteFile(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  REQUIRE(out.good());
}

bool Exists(const std::string& path) { return std::filesystem::exists(path); }

// `text` with its one occurrence of `from` replaced by `to`.
std::string Edit(std::string text, const std::string& from, const std::string& to) {
  const size_t at = text.find(from);
  INFO("edit of '" << from << "'");
  REQUIRE(at != std::string::npos);
  REQUIRE(text.find(from, at + 1) == std::string::npos);
  return text.replace(at, from.size(), to);
}



// Runs `sql` on the registry with the sqlite3 command-line tool, as someone editing the
// file behind vaglio's back: the append-only triggers are dropped first.
void Sqlite(const std::string& registry, const std::string& sql) {
  std::string drop;
  for (const char* t : {"entries", "blobs", "keys", "signatures"}) {
    for (const char* op : {"u", "d"}) drop += std::string("DROP TRIGGER IF EXISTS ") + t + "_append_only_" + op + "; ";
  }
  const std::string script = registry + ".sql";
  WriteFile(script, drop + sql + ";\n");
  const std::string cmd = "sqlite3 -bail '" + registry + "' < '" + script + "' 2>&1";
  INFO(cmd << "\n" << sql);
  REQUIRE(std::system(cmd.c_str()) == 0);
  std::filesystem::remove(script);
}

// What an SQL expression changing the byte at `at` (1-based) of text column `column` to
// another one looks like.
std::string ChangeByte(const std::string& column, int at) {
  const std::string a = std::to_string(at);
  return "substr(" + column + ", 1, " + std::to_string(at - 1) + ") || CASE substr(" + column + ", " + a +
         ", 1) WHEN 'a' THEN 'b' ELSE 'a' END || substr(" + column + ", " + std::to_string(at + 1) + ")";
}

// The registry's records as the engine reads them.
std::vector<reg::Entry> Entries(const std::string& registry) {
  std::string error;
  auto s = reg::OpenSqlite(registry, false, &error);
  INFO(error);
  REQUIRE(s != nullptr);
  return s->Entries();
}

std::string Short(const std::string& chain) { return chain.substr(0, 8); }

// The `vaglio evaluate` arguments for NP1 with `criteria` and `scores`, stored in `registry`.
std::vector<std::string> EvaluateArgs(const std::string& registry, const std::string& criteria = kNp1Criteria,
                                      const std::string& scores = kNp1Scores) {
  return {"evaluate", kNp1Dossier,  "--criteria", criteria,    "--scores",
          scores,     "--registry", registry,     "--threads", "1"};
}

std::vector<std::string> With(std::vector<std::string> args, const std::vector<std::string>& more) {
  args.insert(args.end(), more.begin(), more.end());
  return args;
}

// The shipped criteria set with a PSA of 50 draws, written in `dir` (fast evaluations for
// records whose numbers do not matter here).
std::string SmallCriteria(const TempDir& dir) {
  const std::string path = dir / "criteria-psa50.yaml";
  WriteFile(path, Edit(ReadFile(vaglio::testing::SourcePath(kNp1Criteria)), "psa_draws: 1000", "psa_draws: 50"));
  return path;
}

// Runs `args`, requires success, and returns the evaluation record it printed.
Json Evaluated(const std::vector<std::string>& args) {
  const CliResult r = RunVaglio(args);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  return Json::parse(r.out);
}

std::string KeyId(const std::string& pub_file) { return Json::parse(ReadFile(pub_file)).value("key_id", ""); }

// A file's bytes and whether its WAL companions exist: what "nothing changed" compares.
std::string Snapshot(const std::string& registry) {
  return ReadFile(registry) + (Exists(registry + "-wal") ? "+wal" : "") + (Exists(registry + "-shm") ? "+shm" : "");
}

TEST_CASE("Registry CLI: keygen, evaluate --registry --sign and verify replay both NP1 examples to their stored hashes",
          "[registry]") {
  TempDir dir{"registry-cli"};
  const std::string key = dir / "chair.key", stranger = dir / "stranger.key", registry = dir / "registry.db";
  CliResult r = RunVaglio({"keygen", "--out", key, "--holder", kHolder, "--role", "chair"});
  REQUIRE(r.exit_code == 0);
  const std::string key_id = KeyId(key + ".pub");
  CHECK(key_id.size() == 16);
  CHECK(r.out == "key " + key_id + " for Dr. Paolo Conti (chair): secret key in " + key +
                     " (keep it private), public key in " + key + ".pub\n");
  CHECK((std::filesystem::status(key).permissions() & std::filesystem::perms::others_read) ==
        std::filesystem::perms::none);
  r = RunVaglio({"keygen", "--out", key, "--holder", "Someone", "--role", "chair"});
  CHECK(r.exit_code == 2);
  CHECK(r.err == "vaglio: error: " + key + ": already exists (a key is never overwritten)\n");
  REQUIRE(RunVaglio({"keygen", "--out", stranger, "--holder", "Someone else", "--role", "chair"}).exit_code == 0);

  // The two example evaluations, as shipped (1000 PSA draws), each signed.
  std::vector<Json> printed;
  std::vector<std::string> errs;
  for (const char* scores : {kNp1Scores, kNp1SelfScores}) {
    r = RunVaglio(With(EvaluateArgs(registry, kNp1Criteria, scores), {"--sign", key}));
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    printed.push_back(Json::parse(r.out));
    errs.push_back(r.err);
  }
  const std::vector<reg::Entry> entries = Entries(registry);
  REQUIRE(entries.size() == 2);
  const std::string c8 = Short(entries[0].chain_id);
  for (size_t i = 0; i < 2; ++i) {
    const std::string rid = printed[i].value("record_id", "");
    CHECK(entries[i].record_id == rid);
    CHECK(errs[i] == "vaglio: stored evaluation " + rid + " in " + registry + " (record " + std::to_string(i + 1) +
                         ", hash " + entries[i].hash.substr(0, 16) + ", signed by Dr. Paolo Conti)\n");
    // The stored result hash is that of the record printed.
    CHECK(entries[i].result_hash == reg::EvaluationResultHash(reg::Canonical(printed[i].dump())));
    CHECK(entries[i].inputs.size() == 5);
  }

  r = RunVaglio({"verify", "--registry", registry});
  CHECK(r.exit_code == 0);
  CHECK(r.out == "OK    " + c8 + ":1 evaluation " + entries[0].record_id +
                     " (IOE-2026-0147); signed by Dr. Paolo Conti (chair); replayed\n"
                     "OK    " +
                     c8 + ":2 evaluation " + entries[1].record_id +
                     " (IOE-2026-0147); signed by Dr. Paolo Conti (chair); replayed\n"
                     "vaglio verify: " +
                     registry + ": 2 records, all verified\n");

  r = RunVaglio({"verify", "--registry", registry, "--format", "json", "--trust", key + ".pub"});
  CHECK(r.exit_code == 0);
  const Json j = Json::parse(r.out);
  CHECK(j["ok"] == true);
  REQUIRE(j["records"].size() == 2);
  CHECK(j["records"][1]["notes"] == Json::array({"signed by Dr. Paolo Conti (chair)", "replayed"}));

  // A key nobody here signed with: every record fails, exit 3.
  r = RunVaglio({"verify", "--registry", registry, "--no-replay", "--trust", stranger + ".pub"});
  CHECK(r.exit_code == 3);
  CHECK(r.out == "FAIL  " + c8 + ":1 evaluation " + entries[0].record_id +
                     " (IOE-2026-0147); signed by Dr. Paolo Conti (chair)\n      not signed by a trusted key\n"
                     "FAIL  " +
                     c8 + ":2 evaluation " + entries[1].record_id +
                     " (IOE-2026-0147); signed by Dr. Paolo Conti (chair)\n      not signed by a trusted key\n"
                     "vaglio verify: " +
                     registry + ": 2 records, verification FAILED\n");
}

// A registry of three NP1 evaluations (dated 2026-11-18 to 20, PSA of 50 draws), signed.
struct ThreeRecords {
  TempDir dir{"registry-cli"};
  std::string registry = dir / "registry.db";
  std::string key = dir / "chair.key";
  std::string criteria = SmallCriteria(dir);
  std::vector<reg::Entry> entries;
  std::string c8;

  ThreeRecords() {
    REQUIRE(RunVaglio({"keygen", "--out", key, "--holder", kHolder, "--role", "chair"}).exit_code == 0);
    for (const char* date : {"2026-11-18", "2026-11-19", "2026-11-20"}) {
      Evaluated(With(EvaluateArgs(registry, criteria), {"--sign", key, "--date", date}));
    }
    entries = Entries(registry);
    REQUIRE(entries.size() == 3);
    c8 = Short(entries[0].chain_id);
  }
  // The verify line of record `seq` and its problems.
  std::string Fail(int seq, const std::string& problems, bool signed_ok = true) const {
    return "FAIL  " + c8 + ":" + std::to_string(seq) + " evaluation " +
           entries[static_cast<size_t>(seq - 1)].record_id + " (IOE-2026-0147)" +
           (signed_ok ? "; signed by Dr. Paolo Conti (chair)" : "") + "\n" + problems;
  }
  std::string Ok(int seq) const {
    return "OK    " + c8 + ":" + std::to_string(seq) + " evaluation " +
           entries[static_cast<size_t>(seq - 1)].record_id + " (IOE-2026-0147); signed by Dr. Paolo Conti (chair)\n";
  }
  std::string Hash(int seq) const { return entries[static_cast<size_t>(seq - 1)].hash; }
};

TEST_CASE("Registry CLI: verify fails with exit 3 on a registry changed with the sqlite3 tool, naming the record",
          "[registry]") {
  ThreeRecords g;
  const std::string failed = "vaglio verify: " + g.registry + ": 3 records, verification FAILED\n";
  const std::string changed = "      its content does not match its hash (the record was changed)\n";
  std::string expected;

  SECTION("a byte of a record's body") {
    Sqlite(g.registry,
           "UPDATE entries SET body = replace(body, '\"evaluation_date\":\"2026-11-19\"', "
           "'\"evaluation_date\":\"2026-11-10\"') WHERE seq = 2");
    expected = g.Ok(1) + g.Fail(2, changed + "      its record does not match its result hash\n") + g.Ok(3) + failed;
  }
  SECTION("a byte of a record's body that breaks its JSON") {
    Sqlite(g.registry,
           "UPDATE entries SET body = replace(body, '\"evaluation_date\":', '\"evaluation_date\";') "
           "WHERE seq = 2");
    expected = g.Ok(1) +
               g.Fail(2, changed +
                             "      its body is not canonical JSON (the record was changed)\n"
                             "      its record does not match its result hash\n"
                             "      its record_id does not match the record's\n") +
               g.Ok(3) + failed;
  }
  SECTION("a byte of a record's options, which say how to replay it") {
    Sqlite(g.registry,
           "UPDATE entries SET options = replace(options, '\"date\":\"2026-11-20\"', "
           "'\"date\":\"2026-11-21\"') WHERE seq = 3");
    expected = g.Ok(1) + g.Ok(2) + g.Fail(3, changed) + failed;
  }
  SECTION("a byte of a record's dossier id") {
    Sqlite(g.registry, "UPDATE entries SET dossier_id = 'IOE-2026-0148' WHERE seq = 1");
    expected = "FAIL  " + g.c8 + ":1 evaluation " + g.entries[0].record_id +
               " (IOE-2026-0148); signed by Dr. Paolo Conti (chair)\n" + changed + g.Ok(2) + g.Ok(3) + failed;
  }
  SECTION("a byte of an input") {
    const std::string sha = g.entries[0].inputs[2].sha256;  // the scores, read by all three
    Sqlite(g.registry,
           "UPDATE blobs SET bytes = CAST(" + ChangeByte("bytes", 100) + " AS BLOB) WHERE sha256 = '" + sha + "'");
    const std::string input =
        "      input scores examples/np1/np1.scores.yaml was changed (its bytes do not match its sha256)\n";
    expected = g.Fail(1, input) + g.Fail(2, input) + g.Fail(3, input) + failed;
  }
  SECTION("a byte of a signature") {
    Sqlite(g.registry, "UPDATE signatures SET signature = " + ChangeByte("signature", 64) + " WHERE entry_hash = '" +
                           g.Hash(3) + "'");
    expected = g.Ok(1) + g.Ok(2) +
               g.Fail(3,
                      "      the signature of Dr. Paolo Conti (chair, key " + KeyId(g.key + ".pub") +
                          ") is not valid for this record (forged, or the record was changed)\n",
                      false) +
               failed;
  }
  SECTION("a byte of the signer's public key") {
    Sqlite(g.registry, "UPDATE keys SET public_key = " + ChangeByte("public_key", 7));
    const std::string key = "      key " + KeyId(g.key + ".pub") + " (Dr. Paolo Conti) does not match its public key\n";
    expected = g.Fail(1, key, false) + g.Fail(2, key, false) + g.Fail(3, key, false) + failed;
  }
  SECTION("a deleted record") {
    Sqlite(g.registry, "DELETE FROM entries WHERE seq = 2");
    expected = g.Ok(1) + g.Fail(3, "      chain break: the record before it is missing\n") + "FAIL  a signature (key " +
               KeyId(g.key + ".pub") + ") signs no record of the registry (it signs hash " + g.Hash(2).substr(0, 16) +
               "; was its record deleted, or its hash changed?)\n" + "FAIL  chain " + g.c8 +
               ": record 2 is missing (deleted?) before record " + g.c8 + ":3\n" + "vaglio verify: " + g.registry +
               ": 2 records, verification FAILED\n";
  }
  const CliResult r = RunVaglio({"verify", "--no-replay", "--registry", g.registry});
  CHECK(r.exit_code == 3);
  CHECK(r.out == expected);
  CHECK(r.err.empty());
}

TEST_CASE("Registry CLI: verify --format json marks the changed record and lists its problems", "[registry]") {
  ThreeRecords g;
  Sqlite(g.registry, "UPDATE entries SET recorded_at = '2020-01-01T00:00:00Z' WHERE seq = 1");
  const CliResult r = RunVaglio({"verify", "--no-replay", "--registry", g.registry, "--format", "json"});
  CHECK(r.exit_code == 3);
  const Json j = Json::parse(r.out);
  CHECK(j["ok"] == false);
  REQUIRE(j["records"].size() == 3);
  CHECK(j["records"][0]["record_id"] == g.entries[0].record_id);
  CHECK(j["records"][0]["ok"] == false);
  CHECK(j["records"][0]["problems"] == Json::array({"its content does not match its hash (the record was changed)"}));
  CHECK(j["records"][1]["ok"] == true);
  CHECK(j["records"][2]["ok"] == true);
}

TEST_CASE(
    "Registry CLI: decisions are checked against their evaluation, stored, listed by history, exported and imported",
    "[registry]") {
  TempDir dir{"registry-cli"};
  const std::string registry = dir / "registry.db", criteria = SmallCriteria(dir);
  const Json evaluation = Evaluated(EvaluateArgs(registry, criteria));
  const std::string ev = evaluation.value("record_id", "");
  const std::string proposed = evaluation["proposed_outcome"].value("outcome", "");
  const std::string other = proposed == "REJECT" ? "DEFER" : "REJECT";
  const std::string head = "format: vaglio.decision/1\nevaluation: " + ev + "\nfinal_outcome: " + other + "\n";
  std::string before = Snapshot(registry);

  // An override without a justification.
  const std::string bare = dir / "bare.yaml";
  WriteFile(bare, head + "decided_on: 2026-11-20\n");
  CliResult r = RunVaglio({"record", bare, "--registry", registry});
  CHECK(r.exit_code == 2);
  CHECK(r.err == bare + ":3:16: final_outcome: is " + other + ", but the proposed outcome was " + proposed +
                     ": an override needs a justification (add justification: ...)\nvaglio: error: 1 problem in " +
                     bare + "; nothing was run\n");
  CHECK(Snapshot(registry) == before);

  // With one.
  const std::string justified = dir / "justified.yaml";
  WriteFile(justified,
            head + "justification: the unit's implant budget for 2027 is committed\ndecided_on: 2026-11-20\n");
  r = RunVaglio({"record", justified, "--registry", registry});
  REQUIRE(r.exit_code == 0);
  std::vector<reg::Entry> entries = Entries(registry);
  REQUIRE(entries.size() == 2);
  const reg::Entry d1 = entries[1];
  CHECK(r.out == "recorded decision " + d1.record_id + " on evaluation " + ev + " in " + registry +
                     " (record 2, hash " + d1.hash.substr(0, 16) + ")\n");
  const Json body = Json::parse(d1.body);
  CHECK(body["final_outcome"] == other);
  CHECK(body["override"] ==
        Json({{"is_override", true}, {"justification", "the unit's implant budget for 2027 is committed"}}));
  CHECK(body["proposed_outcome"]["outcome"] == proposed);

  // Superseding a record that is not there, and then the first decision.
  before = Snapshot(registry);
  const std::string unknown = dir / "unknown.yaml";
  WriteFile(unknown, "format: vaglio.decision/1\nevaluation: " + ev + "\nfinal_outcome: " + proposed +
                         "\nsupersedes: 0123456789abcdef0123456789abcdef\n");
  r = RunVaglio({"record", unknown, "--registry", registry});
  CHECK(r.exit_code == 2);
  CHECK(r.err == unknown +
                     ":4:13: supersedes: '0123456789abcdef0123456789abcdef' is not a decision record of the "
                     "registry\nvaglio: error: 1 problem in " +
                     unknown + "; nothing was run\n");
  CHECK(Snapshot(registry) == before);
  r = RunVaglio(With(EvaluateArgs(registry, criteria), {"--date", "2026-11-21", "--supersedes", "nope"}));
  CHECK(r.exit_code == 2);
  CHECK(r.err == "vaglio: error: --supersedes: no evaluation record 'nope' in the registry\n");
  CHECK(r.out.empty());
  CHECK(Snapshot(registry) == before);

  const std::string second = dir / "second.yaml";
  WriteFile(second, "format: vaglio.decision/1\nevaluation: " + ev + "\nfinal_outcome: " + proposed +
                        "\nsupersedes: " + d1.record_id + "\ndecided_on: 2027-01-15\n");
  REQUIRE(RunVaglio({"record", second, "--registry", registry}).exit_code == 0);
  const Json corrected =
      Evaluated(With(EvaluateArgs(registry, criteria), {"--date", "2026-11-21", "--supersedes", ev}));
  entries = Entries(registry);
  REQUIRE(entries.size() == 4);
  const reg::Entry& d2 = entries[2];
  CHECK(d2.supersedes == d1.record_id);
  CHECK(entries[3].supersedes == ev);
  CHECK(entries[3].record_id == corrected.value("record_id", ""));

  // history: every record, with what decides and corrects what.
  const std::string c8 = Short(entries[0].chain_id);
  r = RunVaglio({"history", "--registry", registry, "--dossier", "IOE-2026-0147"});
  CHECK(r.exit_code == 0);
  auto line = [&](size_t i, const std::string& outcome, const std::string& rest) {
    return entries[i].recorded_at + "  " + c8 + ":" + std::to_string(i + 1) + "  " + entries[i].kind + "  " +
           entries[i].record_id + "  IOE-2026-0147  " + outcome + rest + "\n";
  };
  CHECK(r.out == line(0, proposed, "  superseded by " + entries[3].record_id + "  decided by " + d2.record_id) +
                     line(1, other, "  on " + ev + "  superseded by " + d2.record_id) +
                     line(2, proposed, "  on " + ev) + line(3, corrected["proposed_outcome"].value("outcome", ""), ""));
  r = RunVaglio({"history", "--registry", registry, "--device", "P09080301", "--format", "json"});
  CHECK(r.exit_code == 0);
  const Json rows = Json::parse(r.out);
  REQUIRE(rows.size() == 4);
  CHECK(rows[1]["kind"] == "decision");
  CHECK(rows[1]["refers_to"] == ev);
  CHECK(rows[1]["superseded_by"] == d2.record_id);
  r = RunVaglio({"history", "--registry", registry, "--dossier", "IOE-2026-9999"});
  CHECK(r.out == "no records match\n");

  // export, import into a new registry, verify with replay there.
  const std::string exported = dir / "export.json", copy = dir / "copy.db";
  r = RunVaglio({"export", "--registry", registry, "--out", exported});
  REQUIRE(r.exit_code == 0);
  CHECK(r.out == "exported 4 records of " + registry + " to " + exported + "\n");
  r = RunVaglio({"import", exported, "--registry", copy});
  REQUIRE(r.exit_code == 0);
  CHECK(r.out == "imported " + exported + " (4 records) into " + copy + "\n");
  r = RunVaglio({"verify", "--registry", copy});
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("vaglio verify: " + copy + ": 4 records, all verified\n") != std::string::npos);
  CHECK(std::count(r.out.begin(), r.out.end(), '\n') == 5);

  // An export with one byte changed: refused, naming the record; nothing created or changed.
  const std::string text = ReadFile(exported);
  const std::string tampered = dir / "tampered.json", fresh = dir / "fresh.db";
  // The fourth digit of the year of record 3's time (its recorded_at follows its record_id).
  std::string time_changed = text;
  const size_t time_at = text.find("\"recorded_at\": \"", text.find("\"record_id\": \"" + d2.record_id)) + 16;
  REQUIRE(text.substr(time_at, d2.recorded_at.size()) == d2.recorded_at);
  time_changed[time_at + 3] = time_changed[time_at + 3] == '9' ? '8' : '9';
  WriteFile(tampered, time_changed);
  const std::string refused = "vaglio: error: " + tampered +
                              ": the export does not verify; nothing was imported:\n  record " + c8 + ":3 " +
                              d2.record_id + ": its content does not match its hash (the record was changed)\n";
  r = RunVaglio({"import", tampered, "--registry", fresh});
  CHECK(r.exit_code == 2);
  CHECK(r.err == refused);
  CHECK_FALSE(Exists(fresh));
  before = Snapshot(copy);
  r = RunVaglio({"import", exported, tampered, "--registry", copy});
  CHECK(r.exit_code == 2);
  CHECK(r.err == refused);
  CHECK(r.out.empty());
  CHECK(Snapshot(copy) == before);
  // A byte of an input, inside its base64.
  const std::string sha = entries[0].inputs[0].sha256;
  const size_t at = text.find("\"" + sha + "\": \"") + sha.size() + 20;
  std::string blob_changed = text;
  blob_changed[at] = blob_changed[at] == 'A' ? 'B' : 'A';
  WriteFile(tampered, blob_changed);
  r = RunVaglio({"import", tampered, "--registry", fresh});
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("  record " + c8 + ":1 " + ev +
                   ": input dossier examples/np1/np1.dossier.yaml was changed (its bytes do "
                   "not match its sha256)\n") != std::string::npos);
  CHECK_FALSE(Exists(fresh));
}

TEST_CASE(
    "Registry CLI: a registry of schema version 99 is refused by every command, naming the versions, and nothing changes",
    "[registry]") {
  TempDir dir{"registry-cli"};
  const std::string registry = dir / "registry.db", criteria = SmallCriteria(dir), exported = dir / "export.json";
  const Json evaluation = Evaluated(EvaluateArgs(registry, criteria));
  REQUIRE(RunVaglio({"export", "--registry", registry, "--out", exported}).exit_code == 0);
  const std::string decision = dir / "decision.yaml";
  WriteFile(decision, "format: vaglio.decision/1\nevaluation: " + evaluation.value("record_id", "") +
                          "\nfinal_outcome: " + evaluation["proposed_outcome"].value("outcome", "") + "\n");
  Sqlite(registry, "UPDATE meta SET value = '99' WHERE key = 'schema_version'");
  const std::string before = Snapshot(registry);
  const std::string message = "vaglio: error: " + registry +
                              ": the registry's schema version is 99, but this vaglio reads "
                              "versions " +
                              std::to_string(reg::kOldestSchemaVersion) + " to " + std::to_string(reg::kSchemaVersion) +
                              " (upgrade vaglio)\n";
  const std::string out = dir / "out.json";
  for (const std::vector<std::string>& args :
       std::vector<std::vector<std::string>>{{"verify", "--registry", registry},
                                             {"verify", "--registry", registry, "--no-replay", "--format", "json"},
                                             {"history", "--registry", registry},
                                             {"export", "--registry", registry, "--out", out},
                                             {"import", exported, "--registry", registry},
                                             {"record", decision, "--registry", registry},
                                             With(EvaluateArgs(registry, criteria), {"--date", "2026-12-01"})}) {
    const CliResult r = RunVaglio(args);
    INFO(args[0] << " " << args.back());
    CHECK(r.exit_code == 2);
    CHECK(r.err == message);
    CHECK(r.out.empty());
    CHECK(Snapshot(registry) == before);
  }
  CHECK_FALSE(Exists(out));
}

TEST_CASE("Registry CLI: bad input writes nothing to the registry, and makes no registry file", "[registry]") {
  TempDir dir{"registry-cli"};
  const std::string registry = dir / "registry.db", criteria = SmallCriteria(dir), fresh = dir / "fresh.db";
  const Json evaluation = Evaluated(EvaluateArgs(registry, criteria));
  const std::vector<reg::Entry> entries = Entries(registry);
  const std::string before = Snapshot(registry);
  const std::string broken = dir / "broken.dossier.yaml";
  WriteFile(broken, Edit(ReadFile(vaglio::testing::SourcePath(kNp1Dossier)), "format: vaglio.dossier/1",
                         "format: vaglio.dossier/1\nno_such_field: 1"));
  auto evaluate_broken = [&](const std::string& where) {
    return std::vector<std::string>{"evaluate", broken,     "--criteria", criteria,
                                    "--scores", kNp1Scores, "--registry", where};
  };
  CliResult r = RunVaglio(evaluate_broken(registry));
  CHECK(r.exit_code == 2);
  CHECK(r.err.find(broken + ":6:1: no_such_field:") != std::string::npos);
  CHECK(Snapshot(registry) == before);
  r = RunVaglio(evaluate_broken(fresh));
  CHECK(r.exit_code == 2);
  CHECK_FALSE(Exists(fresh));

  // A key file that is not one.
  WriteFile(dir / "bad.key", "{\"format\": \"vaglio.key/1\"}\n");
  r = RunVaglio(With(EvaluateArgs(registry, criteria), {"--date", "2026-12-01", "--sign", dir / "bad.key"}));
  CHECK(r.exit_code == 2);
  CHECK(r.err.find(dir / "bad.key" + ": public_key: must be 64 hex digits") != std::string::npos);
  CHECK(Snapshot(registry) == before);

  // The same evaluation again (same inputs, same date).
  r = RunVaglio(EvaluateArgs(registry, criteria));
  CHECK(r.exit_code == 2);
  CHECK(r.err == "vaglio: error: evaluation " + entries[0].record_id + " is already in the registry (record " +
                     Short(entries[0].chain_id) + ":1): the same inputs and date give the same record\n");
  CHECK(Snapshot(registry) == before);

  // A decision on an evaluation the registry does not hold; an import of something else.
  WriteFile(dir / "d.yaml", "format: vaglio.decision/1\nevaluation: 0123\nfinal_outcome: APPROVE\n");
  r = RunVaglio({"record", dir / "d.yaml", "--registry", registry});
  CHECK(r.exit_code == 2);
  CHECK(r.err.find(dir / "d.yaml:2:13: evaluation: '0123' is not an evaluation record of the registry") !=
        std::string::npos);
  r = RunVaglio({"import", broken, "--registry", registry});
  CHECK(r.exit_code == 2);
  CHECK(r.err == "vaglio: error: " + broken +
                     ": not a registry export (expected JSON with \"format\": "
                     "\"vaglio.registry-export/1\")\n");
  CHECK(Snapshot(registry) == before);
  (void)evaluation;
}

// Starts `vaglio ARGS...` in the source directory, its output discarded.
pid_t Spawn(const std::vector<std::string>& args) {
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addchdir_np(&fa, VAGLIO_SOURCE_DIR);
  std::vector<std::string> argv_s = {VAGLIO_BIN};
  argv_s.insert(argv_s.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& a : argv_s) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = 0;
  const int rc = posix_spawn(&pid, VAGLIO_BIN, &fa, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  REQUIRE(rc == 0);
  return pid;
}

// Records of the registry as `vaglio verify --no-replay` counts them, requiring that they
// verify; 0 for a registry not made yet (its first writer was killed before its commit).
int64_t VerifiedRecords(const std::string& registry) {
  const CliResult r = RunVaglio({"verify", "--no-replay", "--registry", registry, "--format", "json"});
  if (r.exit_code == 2 &&
      (r.err.find("no such registry") != std::string::npos ||
       r.err.find("not a Vaglio registry (the file has no registry tables)") != std::string::npos)) {
    return 0;
  }
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  return static_cast<int64_t>(Json::parse(r.out)["records"].size());
}

TEST_CASE(
    "Registry CLI: writers killed with SIGKILL at random moments leave a registry that verifies, without partial "
    "records",
    "[registry]") {
  TempDir dir{"registry-cli"};
  const std::string registry = dir / "registry.db", criteria = SmallCriteria(dir);
  auto args = [&](const std::string& where, int day) {
    return With(EvaluateArgs(where, criteria), {"--date", DateAfter("2026-01-01", day), "--format", "text"});
  };
  // How long one evaluate --registry takes here and now (the median of three).
  std::vector<double> seconds;
  for (int day = 0; day < 3; ++day) {
    const auto start = std::chrono::steady_clock::now();
    REQUIRE(RunVaglio(args(dir / "scratch.db", day)).exit_code == 0);
    seconds.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  std::sort(seconds.begin(), seconds.end());
  const auto span_us = static_cast<uint64_t>(seconds[1] * 1e6);
  REQUIRE(span_us > 0);

  // When to kill: the first 20 writers at a moment drawn over the whole run (and a little
  // beyond, so that some finish); the others around the moment the record is committed, as
  // learnt so far: between the longest delay that left no record and the shortest that left
  // one (in either order, the machine's load varies), widened by a fifth of the run before
  // and a twentieth after (after the commit, a writer soon exits on its own).
  std::mt19937_64 rng(kSeed);
  uint64_t no_record = 0, record = 2 * span_us;
  auto delay = [&](int run) {
    if (run < 20) return rng() % (span_us + span_us / 4);
    const uint64_t lo = std::min(no_record, record), hi = std::max(no_record, record);
    const uint64_t from = lo > span_us / 5 ? lo - span_us / 5 : 0;
    return from + rng() % (hi + span_us / 20 - from);
  };
  int kills = 0, completed = 0, landed = 0;
  int64_t records = 0;
  for (int day = 0; kills < 50 && day < 400; ++day) {
    const pid_t pid = Spawn(args(registry, day));
    const uint64_t us = delay(day);
    std::this_thread::sleep_for(std::chrono::microseconds(us));
    kill(pid, SIGKILL);  // the child is not waited for yet, so the pid is still its own
    int status = 0;
    REQUIRE(waitpid(pid, &status, 0) == pid);
    const bool killed = WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;
    INFO("day " << day << ", status " << status);
    if (!killed) REQUIRE((WIFEXITED(status) && WEXITSTATUS(status) == 0));
    // After a kill, the registry must verify; after a writer that finished, counting is enough.
    const int64_t now = killed ? VerifiedRecords(registry) : static_cast<int64_t>(Entries(registry).size());
    if (killed) {
      ++kills;
      CHECK((now == records || now == records + 1));
      landed += static_cast<int>(now - records);
    } else {
      ++completed;
      CHECK(now == records + 1);
    }
    if (now == records) no_record = std::max(no_record, us);
    if (now > records) record = std::min(record, us);
    records = now;
  }
  REQUIRE(kills >= 50);
  // Some writers were killed after their commit, before they could report it.
  UNSCOPED_INFO(kills << " kills (" << landed << " after the commit), " << completed << " completed");
  CHECK(records == completed + landed);
  // Every record has every input, and the whole registry replays.
  if (records > 0) {
    for (const reg::Entry& e : Entries(registry)) CHECK(e.inputs.size() == 5);
    const CliResult r = RunVaglio({"verify", "--registry", registry});
    INFO(r.out << r.err);
    CHECK(r.exit_code == 0);
    CHECK(static_cast<int64_t>(std::count(r.out.begin(), r.out.end(), '\n')) == records + 1);
  }
  // And a writer after all of them still writes.
  CHECK(RunVaglio(args(registry, 1000)).exit_code == 0);
  CHECK(VerifiedRecords(registry) == records + 1);
}

TEST_CASE("Registry CLI: two evaluate processes at a time on a new registry make one chain", "[registry]") {
  TempDir dir{"registry-cli"};
  const std::string registry = dir / "registry.db", criteria = SmallCriteria(dir);
  constexpr int kRounds = 8;
  for (int round = 0; round < kRounds; ++round) {
    std::vector<pid_t> pids;
    for (int writer = 0; writer < 2; ++writer) {
      pids.push_back(Spawn(With(EvaluateArgs(registry, criteria), {"--date", DateAfter("2026-01-01", 2 * round + writer)})));
    }
    for (pid_t pid : pids) {
      int status = 0;
      REQUIRE(waitpid(pid, &status, 0) == pid);
      CHECK(WIFEXITED(status));
      CHECK(WEXITSTATUS(status) == 0);
    }
  }
  const CliResult r = RunVaglio({"verify", "--registry", registry, "--no-replay"});
  CHECK(r.exit_code == 0);
  CHECK(r.out.find(": " + std::to_string(2 * kRounds) + " records, all verified\n") != std::string::npos);
  const std::vector<reg::Entry> entries = Entries(registry);
  REQUIRE(entries.size() == 2 * kRounds);
  for (size_t i = 0; i < entries.size(); ++i) CHECK(entries[i].seq == static_cast<int64_t>(i + 1));
}

}  // namespace
