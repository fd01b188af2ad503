// Acceptance tests of the registry on SQLite (engine/registry: issue 6), at the engine
// level: a registry file written by AppendEvaluation / AppendDecision is changed behind the
// append-only triggers' back with the sqlite3 C API (every column of the entries table, at
// bytes drawn from a seeded generator; input bytes; keys; signatures; deleted rows; forged
// signatures) and Verify must name the changed record; replay catches a record its inputs
// do not produce; a tampered export is refused; the schema version is checked; two
// processes append 200 records each. The commands end to end: tests/cli/registry_cli_test.cc.
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>
#include <set>
#include <sstream>
#include <string>
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

using vaglio::testing::DateAfter;
using vaglio::testing::TempDir;

namespace en = vaglio::engine;
namespace reg = vaglio::engine::registry;

const char kNp1Dossier[] = "examples/np1/np1.dossier.yaml";
const char kNp1Criteria[] = "examples/np1/irccs.criteria.yaml";
const char kNp1Scores[] = "examples/np1/np1.scores.yaml";
const char kNp1SelfScores[] = "examples/np1/np1.self_scores.yaml";
const char kDecision[] = "decisions/override.yaml";

// The seed of every random choice of byte and position below.
constexpr uint64_t kSeed = 20261122;

std::string ReadSource(const std::string& relative) {
  std::ifstream in(vaglio::testing::SourcePath(relative), std::ios::binary);
  INFO("reading " << relative);
  REQUIRE(in.good());
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// `text` with its one occurrence of `from` replaced by `to`.
std::string Edit(std::string text, const std::string& from, const std::string& to) {
  const size_t at = text.find(from);
  INFO("edit of '" << from << "'");
  REQUIRE(at != std::string::npos);
  REQUIRE(text.find(from, at + 1) == std::string::npos);
  return text.replace(at, from.size(), to);
}



// The NP1 example in memory, its criteria set with a PSA of 50 draws (the registry does not
// need more; the shipped 1000 are replayed in tests/cli/registry_cli_test.cc).
struct Np1 {
  en::MemoryFileSystem fs;
  en::EvaluateOptions opts;

  Np1() {
    for (const char* p :
         {kNp1Dossier, kNp1Scores, kNp1SelfScores, "examples/thr/thr.model.yaml", "examples/thr/life_table.csv"}) {
      fs.Add(p, ReadSource(p));
    }
    fs.Add(kNp1Criteria, Edit(ReadSource(kNp1Criteria), "psa_draws: 1000", "psa_draws: 50"));
    opts.dossier = kNp1Dossier;
    opts.criteria = kNp1Criteria;
    opts.scores = kNp1Scores;
    opts.threads = 1;
  }

  // The evaluation with `scores`, on `date` ("": the scores' meeting date).
  en::EvaluationResult Evaluate(const std::string& date = "", const std::string& scores = kNp1Scores) {
    opts.date = date;
    opts.scores = scores;
    en::Diagnostics diag;
    auto r = en::Evaluate(fs, opts, &diag);
    INFO(diag.Format());
    REQUIRE(r.has_value());
    return std::move(*r);
  }
};

reg::Entry Append(reg::Store& s, const en::EvaluationResult& r, const en::EvaluateOptions& opts,
                  const reg::AppendOptions& ao = {}) {
  std::string error;
  auto e = reg::AppendEvaluation(s, r, opts, ao, &error);
  INFO(error);
  REQUIRE(e.has_value());
  return *e;
}

// A verification report with the entries its records point to.
struct Verified : reg::VerifyReport {
  std::vector<reg::Entry> entries;
};

Verified VerifyAll(const reg::Store& s, bool replay = false, const std::vector<reg::PublicKey>& trusted = {}) {
  reg::VerifyOptions vo;
  vo.replay = replay;
  vo.trusted = trusted;
  Verified v;
  v.entries = s.Entries();
  static_cast<reg::VerifyReport&>(v) = reg::Verify(s, v.entries, vo);
  return v;  // moving a vector keeps its elements where they are
}

std::unique_ptr<reg::Store> OpenRegistry(const std::string& path, bool create = false) {
  std::string error;
  auto s = reg::OpenSqlite(path, create, &error);
  INFO(error);
  REQUIRE(s != nullptr);
  return s;
}

// Every problem of a report, each prefixed with the record it belongs to ("LABEL: problem",
// LABEL chain:seq record_id), or "registry: problem" when it belongs to none.
std::vector<std::string> Problems(const reg::VerifyReport& rep) {
  std::vector<std::string> out;
  for (const std::string& p : rep.problems) out.push_back("registry: " + p);
  for (const reg::RecordCheck& r : rep.records) {
    for (const std::string& p : r.problems) {
      out.push_back(r.entry->chain_id.substr(0, 8) + ":" + std::to_string(r.entry->seq) + " " + r.entry->record_id +
                    ": " + p);
    }
  }
  return out;
}

// The problems of the record `chain`:`seq` with `record_id`; nothing when the report does not
// list that record.
std::optional<std::vector<std::string>> ProblemsOf(const reg::VerifyReport& rep, const std::string& chain, int64_t seq,
                                                   const std::string& record_id) {
  for (const reg::RecordCheck& r : rep.records) {
    if (r.entry->chain_id == chain && r.entry->seq == seq && r.entry->record_id == record_id) return r.problems;
  }
  return std::nullopt;
}

// A connection to a registry file as someone editing it behind vaglio's back, who first
// drops the append-only triggers.
class Editor {
 public:
  explicit Editor(const std::string& path) {
    REQUIRE(sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE, nullptr) == SQLITE_OK);
    sqlite3_busy_timeout(db_, 10000);
    REQUIRE(Exec("PRAGMA synchronous=OFF") == "");  // thousands of small changes; no crash to survive
    for (const char* t : {"entries", "blobs", "keys", "signatures"}) {
      for (const char* op : {"u", "d"}) {
        REQUIRE(Exec(std::string("DROP TRIGGER IF EXISTS ") + t + "_append_only_" + op) == "");
      }
    }
  }
  ~Editor() { sqlite3_close(db_); }
  Editor(const Editor&) = delete;
  Editor& operator=(const Editor&) = delete;

  // Runs `sql`; "" or SQLite's message.
  std::string Exec(const std::string& sql) {
    char* msg = nullptr;
    const int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &msg);
    std::string out = rc == SQLITE_OK ? "" : (msg != nullptr ? msg : "error");
    sqlite3_free(msg);
    return out;
  }

  // Runs `sql` with ?1 bound to `value` (text, or a blob when `blob`) and ?2 to `key`.
  void Set(const std::string& sql, const std::string& value, const std::string& key, bool blob = false) {
    sqlite3_stmt* s = nullptr;
    REQUIRE(sqlite3_prepare_v2(db_, sql.c_str(), -1, &s, nullptr) == SQLITE_OK);
    const int n = static_cast<int>(value.size());
    if (blob) {
      sqlite3_bind_blob(s, 1, value.data(), n, SQLITE_TRANSIENT);
    } else {
      sqlite3_bind_text(s, 1, value.data(), n, SQLITE_TRANSIENT);
    }
    sqlite3_bind_text(s, 2, key.data(), static_cast<int>(key.size()), SQLITE_TRANSIENT);
    const int rc = sqlite3_step(s);
    sqlite3_finalize(s);
    INFO(sql << ": " << sqlite3_errmsg(db_));
    REQUIRE(rc == SQLITE_DONE);
    REQUIRE(sqlite3_changes(db_) == 1);
  }

  // The bytes of the first column of the first row of `sql` (?1 bound to `key`).
  std::string Get(const std::string& sql, const std::string& key) {
    sqlite3_stmt* s = nullptr;
    REQUIRE(sqlite3_prepare_v2(db_, sql.c_str(), -1, &s, nullptr) == SQLITE_OK);
    sqlite3_bind_text(s, 1, key.data(), static_cast<int>(key.size()), SQLITE_TRANSIENT);
    std::string out;
    const bool row = sqlite3_step(s) == SQLITE_ROW;
    if (row) {
      const void* b = sqlite3_column_blob(s, 0);
      out.assign(static_cast<const char*>(b), static_cast<size_t>(sqlite3_column_bytes(s, 0)));
    }
    sqlite3_finalize(s);
    REQUIRE(row);
    return out;
  }

 private:
  sqlite3* db_ = nullptr;
};

// A registry file of four records written by the engine:
//   1 the NP1 evaluation on 2026-11-18, signed by the chair;
//   2 the same on 2026-11-19, superseding record 1, signed by the chair;
//   3 the committee's decision on record 2, overriding its proposed outcome, signed;
//   4 the evaluation with the manufacturer's self-scores (an input of its own), unsigned.
struct Registry {
  TempDir dir{"registry-test"};
  std::string path = dir / "registry.db";
  reg::KeyPair chair = reg::GenerateKey("Dr. Paolo Conti", "chair");
  std::vector<reg::Entry> written;
  std::string chain;

  Registry() {
    Np1 np1;
    auto s = OpenRegistry(path, true);
    chain = s->chain_id();
    reg::AppendOptions signed_by_chair;
    signed_by_chair.key = chair;
    const en::EvaluationResult r1 = np1.Evaluate("2026-11-18");
    written.push_back(Append(*s, r1, np1.opts, signed_by_chair));
    const en::EvaluationResult r2 = np1.Evaluate("2026-11-19");
    reg::AppendOptions superseding = signed_by_chair;
    superseding.supersedes = written[0].record_id;
    written.push_back(Append(*s, r2, np1.opts, superseding));
    const std::string proposed = r2.record.proposed_outcome().outcome();
    np1.fs.Add(kDecision, "format: vaglio.decision/1\nevaluation: " + written[1].record_id +
                              "\nfinal_outcome: " + (proposed == "REJECT" ? "DEFER" : "REJECT") +
                              "\njustification: the budget of the unit is committed to the robotic theatre"
                              "\ndecided_on: 2026-11-20\nminutes_ref: CDM-2026-11\n");
    en::Diagnostics diag;
    std::string error;
    auto d = reg::AppendDecision(*s, np1.fs, kDecision, signed_by_chair, &diag, &error);
    INFO(diag.Format() << error);
    REQUIRE(d.has_value());
    written.push_back(*d);
    const en::EvaluationResult r4 = np1.Evaluate("", kNp1SelfScores);
    written.push_back(Append(*s, r4, np1.opts));
    const Verified rep = VerifyAll(*s, true);
    INFO(Catch::Detail::stringify(Problems(rep)));
    REQUIRE(rep.ok());
  }

  std::string Label(int seq) const { return chain.substr(0, 8) + ":" + std::to_string(seq); }
  const reg::Entry& Record(int seq) const { return written[static_cast<size_t>(seq - 1)]; }
};

const std::vector<std::string> kEntryColumns = {
    "chain_id",     "kind",        "record_id", "refers_to",   "supersedes", "dossier_id", "device_cnd", "device_rdm",
    "organisation", "recorded_at", "prev_hash", "result_hash", "inputs",     "options",    "body",       "hash"};

TEST_CASE("Registry: a byte changed anywhere in any column of a stored record fails verification, naming the record",
          "[registry]") {
  Registry g;
  Editor ed(g.path);
  std::mt19937_64 rng(kSeed);
  int changes = 0;
  for (int seq = 1; seq <= 4; ++seq) {
    const std::string where = " FROM entries WHERE seq = " + std::to_string(seq) + " AND ?1 = ?1";
    // The text columns: each byte of the short ones, 8 of the others (the first and the
    // last among them, the others drawn at random); an empty column gets a byte.
    for (const std::string& column : kEntryColumns) {
      const std::string original = ed.Get("SELECT " + column + where, "");
      std::vector<size_t> positions;
      if (original.size() <= 8) {
        for (size_t i = 0; i < original.size(); ++i) positions.push_back(i);
      } else {
        positions = {0, original.size() - 1};
        while (positions.size() < 8) positions.push_back(static_cast<size_t>(rng() % original.size()));
      }
      if (original.empty()) positions.push_back(0);
      for (size_t at : positions) {
        std::string changed = original;
        if (original.empty()) {
          changed = std::string(1, static_cast<char>('!' + rng() % 90));
        } else {
          // Any other byte value: the byte plus 1 to 255, modulo 256.
          changed[at] = static_cast<char>((static_cast<unsigned char>(original[at]) + 1 + rng() % 255) % 256);
        }
        ed.Set("UPDATE entries SET " + column + " = ?1 WHERE seq = " + std::to_string(seq) + " AND ?2 = ?2", changed,
               "");
        auto s = OpenRegistry(g.path);
        const Verified rep = VerifyAll(*s);
        // The record as it now reads: its chain id and record id may be the changed ones.
        const std::string chain = column == "chain_id" ? changed : g.chain;
        const std::string record_id = column == "record_id" ? changed : g.Record(seq).record_id;
        const auto named = ProblemsOf(rep, chain, seq, record_id);
        INFO("record " << seq << ", column " << column << ", byte " << at << ": " << original.substr(0, 80) << " -> "
                       << changed.substr(0, 80) << "\nproblems: " << Catch::Detail::stringify(Problems(rep)));
        CHECK_FALSE(rep.ok());
        REQUIRE(named.has_value());
        CHECK_FALSE(named->empty());
        ed.Set("UPDATE entries SET " + column + " = ?1 WHERE seq = " + std::to_string(seq) + " AND ?2 = ?2", original,
               "");
        ++changes;
      }
    }
    // seq, the one integer column: other values, including ones below 1.
    for (int64_t other : {int64_t{0}, int64_t{-1}, int64_t{seq + 10}, int64_t{1} << 40}) {
      REQUIRE(ed.Exec("UPDATE entries SET seq = " + std::to_string(other) + " WHERE seq = " + std::to_string(seq)) ==
              "");
      auto s = OpenRegistry(g.path);
      const Verified rep = VerifyAll(*s);
      const auto named = ProblemsOf(rep, g.chain, other, g.Record(seq).record_id);
      INFO("record " << seq << ", seq " << other << "\nproblems: " << Catch::Detail::stringify(Problems(rep)));
      CHECK_FALSE(rep.ok());
      REQUIRE(named.has_value());
      CHECK_FALSE(named->empty());
      REQUIRE(ed.Exec("UPDATE entries SET seq = " + std::to_string(seq) + " WHERE seq = " + std::to_string(other)) ==
              "");
      ++changes;
    }
  }
  CHECK(changes >= 4 * 16 * 6);
  // Every change was undone: the registry verifies again, replay included.
  auto s = OpenRegistry(g.path);
  CHECK(Problems(VerifyAll(*s, true)).empty());
}

TEST_CASE("Registry: a changed record is reported with a message saying what no longer matches", "[registry]") {
  Registry g;
  Editor ed(g.path);
  const std::string key = g.chair.pub.key_id;

  SECTION("its content") {
    ed.Set("UPDATE entries SET organisation = ?1 WHERE seq = 2 AND ?2 = ?2", "IRCCS Istituto Ortopedico Esempia", "");
    auto s = OpenRegistry(g.path);
    CHECK(Problems(VerifyAll(*s)) ==
          std::vector<std::string>{g.Label(2) + " " + g.Record(2).record_id +
                                   ": its content does not match its hash (the record was changed)"});
  }
  SECTION("its body, rewritten with the same meaning") {
    // Same JSON, other bytes: the hash is over the canonical form, which is what is stored.
    const std::string body = g.Record(1).body;
    ed.Set("UPDATE entries SET body = ?1 WHERE seq = 1 AND ?2 = ?2", " " + body, "");
    auto s = OpenRegistry(g.path);
    CHECK(Problems(VerifyAll(*s)) ==
          std::vector<std::string>{g.Label(1) + " " + g.Record(1).record_id +
                                   ": its body is not canonical JSON (the record was changed)"});
  }
  SECTION("its hash, and so the next record's link") {
    ed.Set("UPDATE entries SET hash = ?1 WHERE seq = 2 AND ?2 = ?2", std::string(64, 'a'), "");
    auto s = OpenRegistry(g.path);
    CHECK(
        Problems(VerifyAll(*s)) ==
        std::vector<std::string>{
            "registry: a signature (key " + key + ") signs no record of the registry (it signs hash " +
                g.Record(2).hash.substr(0, 16) + "; was its record deleted, or its hash changed?)",
            g.Label(2) + " " + g.Record(2).record_id + ": its content does not match its hash (the record was changed)",
            g.Label(3) + " " + g.Record(3).record_id +
                ": chain break: its prev_hash does not match the hash of record " + g.Label(2)});
  }
  SECTION("an input's bytes: every record that read it, and only those") {
    const reg::InputRef& self_scores = g.Record(4).inputs[2];
    REQUIRE(self_scores.path == kNp1SelfScores);
    std::string bytes = ed.Get("SELECT bytes FROM blobs WHERE sha256 = ?1", self_scores.sha256);
    bytes[bytes.size() / 2] ^= 0x01;
    ed.Set("UPDATE blobs SET bytes = ?1 WHERE sha256 = ?2", bytes, self_scores.sha256, true);
    auto s = OpenRegistry(g.path);
    CHECK(Problems(VerifyAll(*s)) ==
          std::vector<std::string>{g.Label(4) + " " + g.Record(4).record_id + ": input scores " + kNp1SelfScores +
                                   " was changed (its bytes do not match its sha256)"});
  }
  SECTION("an input shared by three records") {
    const std::string sha = g.Record(1).inputs[0].sha256;
    REQUIRE(g.Record(1).inputs[0].role == "dossier");
    ed.Set("UPDATE blobs SET sha256 = ?1 WHERE sha256 = ?2", std::string(64, '0'), sha);
    auto s = OpenRegistry(g.path);
    std::vector<std::string> expected;
    for (int seq : {1, 2, 4}) {
      expected.push_back(g.Label(seq) + " " + g.Record(seq).record_id + ": input dossier " + kNp1Dossier +
                         " is missing from the registry");
    }
    CHECK(Problems(VerifyAll(*s)) == expected);
  }
  SECTION("the public key of a known signer") {
    std::string pub = g.chair.pub.public_key;
    pub[10] = pub[10] == '0' ? '1' : '0';
    ed.Set("UPDATE keys SET public_key = ?1 WHERE key_id = ?2", pub, key);
    auto s = OpenRegistry(g.path);
    std::vector<std::string> expected;
    for (int seq : {1, 2, 3}) {
      expected.push_back(g.Label(seq) + " " + g.Record(seq).record_id + ": key " + key +
                         " (Dr. Paolo Conti) does not match its public key");
    }
    CHECK(Problems(VerifyAll(*s)) == expected);
  }
  SECTION("the id of a known signer's key") {
    ed.Set("UPDATE keys SET key_id = ?1 WHERE key_id = ?2", std::string(16, 'f'), key);
    auto s = OpenRegistry(g.path);
    std::vector<std::string> expected;
    for (int seq : {1, 2, 3}) {
      expected.push_back(g.Label(seq) + " " + g.Record(seq).record_id + ": signed by key " + key +
                         ", which the registry does not know");
    }
    CHECK(Problems(VerifyAll(*s)) == expected);
  }
}

TEST_CASE("Registry: a signature with any byte changed is named as not valid for its record", "[registry]") {
  Registry g;
  Editor ed(g.path);
  const std::string key = g.chair.pub.key_id;
  std::mt19937_64 rng(kSeed + 1);
  for (int seq = 1; seq <= 3; ++seq) {
    const std::string& hash = g.Record(seq).hash;
    const std::string original = ed.Get("SELECT signature FROM signatures WHERE entry_hash = ?1", hash);
    REQUIRE(original.size() == 128);
    for (size_t at = 0; at < original.size(); at += 1 + rng() % 7) {
      std::string changed = original;
      changed[at] = static_cast<char>((static_cast<unsigned char>(original[at]) + 1 + rng() % 255) % 256);
      ed.Set("UPDATE signatures SET signature = ?1 WHERE entry_hash = ?2", changed, hash);
      auto s = OpenRegistry(g.path);
      INFO("record " << seq << ", byte " << at);
      CHECK(Problems(VerifyAll(*s)) ==
            std::vector<std::string>{g.Label(seq) + " " + g.Record(seq).record_id +
                                     ": the signature of Dr. Paolo Conti " + "(chair, key " + key +
                                     ") is not valid for this record (forged, or the record was " + "changed)"});
      ed.Set("UPDATE signatures SET signature = ?1 WHERE entry_hash = ?2", original, hash);
    }
  }
  auto s = OpenRegistry(g.path);
  CHECK(VerifyAll(*s).ok());
}

TEST_CASE("Registry: forged signatures are named, and --trust tells a signer from an impostor using the signer's name",
          "[registry]") {
  Registry g;
  Editor ed(g.path);
  const std::string key = g.chair.pub.key_id;
  const std::string not_valid = ": the signature of Dr. Paolo Conti (chair, key " + key +
                                ") is not valid for this record (forged, or the record was changed)";

  SECTION("signed by another key, claiming the signer's key id") {
    const reg::KeyPair other = reg::GenerateKey("Mallory", "chair");
    const reg::Signature forged = reg::Sign(other, g.Record(2).hash);
    ed.Set("UPDATE signatures SET signature = ?1 WHERE entry_hash = ?2", forged.signature, g.Record(2).hash);
    auto s = OpenRegistry(g.path);
    CHECK(Problems(VerifyAll(*s)) == std::vector<std::string>{g.Label(2) + " " + g.Record(2).record_id + not_valid});
  }
  SECTION("the signer's own signature of other content") {
    for (const std::string& other :
         {g.Record(1).hash, std::string("vaglio.signature/1\n") + g.Record(2).hash, en::Sha256Hex("another record")}) {
      const reg::Signature genuine = reg::Sign(g.chair, other);
      REQUIRE(reg::SignatureValid(genuine, g.chair.pub));
      ed.Set("UPDATE signatures SET signature = ?1 WHERE entry_hash = ?2", genuine.signature, g.Record(2).hash);
      auto s = OpenRegistry(g.path);
      CHECK(Problems(VerifyAll(*s)) == std::vector<std::string>{g.Label(2) + " " + g.Record(2).record_id + not_valid});
    }
  }
  SECTION("an impostor's key under the signer's name") {
    // Record 4 was not signed; the impostor adds a key of their own with the chair's name
    // and role, and signs it. The signature is valid: only the trusted keys tell.
    const reg::KeyPair impostor = reg::GenerateKey("Dr. Paolo Conti", "chair");
    const reg::Signature sig = reg::Sign(impostor, g.Record(4).hash);
    REQUIRE(ed.Exec("INSERT INTO keys VALUES ('" + impostor.pub.key_id + "', '" + impostor.pub.public_key +
                    "', 'Dr. Paolo Conti', 'chair')") == "");
    REQUIRE(ed.Exec("INSERT INTO signatures VALUES ('" + sig.entry_hash + "', '" + sig.key_id + "', '" + sig.signature +
                    "')") == "");
    auto s = OpenRegistry(g.path);
    CHECK(VerifyAll(*s).ok());
    CHECK(Problems(VerifyAll(*s, false, {g.chair.pub})) ==
          std::vector<std::string>{g.Label(4) + " " + g.Record(4).record_id + ": not signed by a trusted key"});
    CHECK(Problems(VerifyAll(*s, false, {impostor.pub})).size() == 3);
  }
  SECTION("a key nobody trusts") {
    const reg::KeyPair stranger = reg::GenerateKey("Someone else", "chair");
    auto s = OpenRegistry(g.path);
    std::vector<std::string> expected;
    for (int seq = 1; seq <= 4; ++seq) {
      expected.push_back(g.Label(seq) + " " + g.Record(seq).record_id + ": not signed by a trusted key");
    }
    CHECK(Problems(VerifyAll(*s, false, {stranger.pub})) == expected);
    CHECK(Problems(VerifyAll(*s, false, {g.chair.pub})) == std::vector<std::string>{expected[3]});
  }
}

TEST_CASE("Registry: a deleted record is named as a chain break before the record that follows it", "[registry]") {
  Registry g;
  Editor ed(g.path);
  const std::string key = g.chair.pub.key_id;
  const std::string orphan = "registry: a signature (key " + key + ") signs no record of the registry (it signs hash ";

  SECTION("in the middle") {
    REQUIRE(ed.Exec("DELETE FROM entries WHERE seq = 3") == "");
    auto s = OpenRegistry(g.path);
    CHECK(
        Problems(VerifyAll(*s)) ==
        std::vector<std::string>{
            orphan + g.Record(3).hash.substr(0, 16) + "; was its record deleted, or its hash changed?)",
            "registry: chain " + g.chain.substr(0, 8) + ": record 3 is missing (deleted?) before record " + g.Label(4),
            g.Label(4) + " " + g.Record(4).record_id + ": chain break: the record before it is missing"});
  }
  SECTION("the first, and the evaluation a decision and a correction refer to") {
    REQUIRE(ed.Exec("DELETE FROM entries WHERE seq IN (1, 2)") == "");
    auto s = OpenRegistry(g.path);
    // The orphaned signatures come first, by hash.
    std::vector<std::string> orphans;
    for (int seq : {1, 2})
      orphans.push_back(orphan + g.Record(seq).hash.substr(0, 16) + "; was its record deleted, or its hash changed?)");
    std::sort(orphans.begin(), orphans.end());
    CHECK(Problems(VerifyAll(*s)) ==
          std::vector<std::string>{
              orphans[0], orphans[1],
              "registry: chain " + g.chain.substr(0, 8) + ": records 1 to 2 are missing (deleted?) before record " +
                  g.Label(3),
              g.Label(3) + " " + g.Record(3).record_id + ": chain break: the record before it is missing",
              g.Label(3) + " " + g.Record(3).record_id + ": it decides evaluation " + g.Record(2).record_id +
                  ", which is not in the registry"});
  }
  SECTION("the first only: the correction now supersedes a record that is not there") {
    REQUIRE(ed.Exec("DELETE FROM entries WHERE seq = 1") == "");
    auto s = OpenRegistry(g.path);
    const std::vector<std::string> problems = Problems(VerifyAll(*s));
    REQUIRE(problems.size() == 4);
    CHECK(problems[0] == orphan + g.Record(1).hash.substr(0, 16) + "; was its record deleted, or its hash changed?)");
    CHECK(problems[1] ==
          "registry: chain " + g.chain.substr(0, 8) + ": record 1 is missing (deleted?) before record " + g.Label(2));
    CHECK(problems[2] == g.Label(2) + " " + g.Record(2).record_id + ": chain break: the record before it is missing");
    CHECK(problems[3] == g.Label(2) + " " + g.Record(2).record_id + ": it supersedes " + g.Record(1).record_id +
                             ", which is not in the registry");
  }
}

TEST_CASE("Registry: replay names an evaluation its stored inputs do not reproduce, and accepts another engine version",
          "[registry]") {
  Np1 np1;
  reg::MemoryStore s("c0ffee00c0ffee00c0ffee00c0ffee00");
  en::EvaluationResult r = np1.Evaluate("2026-11-18");
  const std::string proposed = r.record.proposed_outcome().outcome();
  r.record.mutable_engine()->set_version("0.0.1-old");  // outside the result hash
  const reg::Entry old_engine = Append(s, r, np1.opts);
  r = np1.Evaluate("2026-11-19");
  r.record.mutable_proposed_outcome()->set_outcome(proposed == "REJECT" ? "DEFER" : "REJECT");
  const reg::Entry changed = Append(s, r, np1.opts);

  // Without replay both records are consistent: their hashes are those of what was stored.
  CHECK(VerifyAll(s).ok());
  const Verified rep = VerifyAll(s, true);
  REQUIRE(rep.records.size() == 2);
  CHECK(rep.records[0].problems.empty());
  CHECK(rep.records[0].notes == std::vector<std::string>{"replayed (recorded with engine 0.0.1-old)"});
  CHECK(Problems(rep) == std::vector<std::string>{"c0ffee00:2 " + changed.record_id +
                                                  ": replay gives another result (differs in: proposed_outcome)"});
  (void)old_engine;
}

TEST_CASE("Registry: export and import keep every row, and an export with any field changed is refused, nothing imported",
          "[registry]") {
  Registry g;
  auto source = OpenRegistry(g.path);
  const std::string text = reg::ExportJson(*source);
  std::string error;
  const auto contents = reg::ParseExport(text, &error);
  INFO(error);
  REQUIRE(contents.has_value());

  // Into a fresh registry: the same rows, and they verify with replay.
  const std::string copy_path = g.dir / "copy.db";
  auto copy = OpenRegistry(copy_path, true);
  REQUIRE(reg::ImportContents(*copy, *contents, &error));
  CHECK(reg::ExportJson(*copy) == text);
  CHECK(Problems(VerifyAll(*copy, true)).empty());
  // Importing again is a no-op.
  REQUIRE(reg::ImportContents(*copy, *contents, &error));
  CHECK(copy->Entries().size() == 4);

  // Each field of each record changed by one character: refused, naming the record.
  std::mt19937_64 rng(kSeed + 2);
  auto target = OpenRegistry(g.dir / "target.db", true);
  int refused = 0;
  for (size_t i = 0; i < contents->entries.size(); ++i) {
    const reg::Entry& e = contents->entries[i];
    std::vector<std::pair<std::string, std::string reg::Entry::*>> fields = {
        {"chain_id", &reg::Entry::chain_id},
        {"kind", &reg::Entry::kind},
        {"record_id", &reg::Entry::record_id},
        {"refers_to", &reg::Entry::refers_to},
        {"supersedes", &reg::Entry::supersedes},
        {"dossier_id", &reg::Entry::dossier_id},
        {"device_cnd", &reg::Entry::device_cnd},
        {"device_rdm", &reg::Entry::device_rdm},
        {"organisation", &reg::Entry::organisation},
        {"recorded_at", &reg::Entry::recorded_at},
        {"prev_hash", &reg::Entry::prev_hash},
        {"result_hash", &reg::Entry::result_hash},
        {"options", &reg::Entry::options},
        {"body", &reg::Entry::body},
        {"hash", &reg::Entry::hash}};
    for (const auto& [name, member] : fields) {
      reg::Contents c = *contents;
      std::string& v = c.entries[i].*member;
      if (v.empty()) {
        v = "x";
      } else {
        const size_t at = static_cast<size_t>(rng() % v.size());
        v[at] = v[at] == 'a' ? 'b' : 'a';
      }
      const reg::Entry& now = c.entries[i];
      INFO("record " << e.seq << ", " << name);
      CHECK_FALSE(reg::ImportContents(*target, c, &error));
      CHECK(error.rfind("the export does not verify; nothing was imported:\n", 0) == 0);
      CHECK(error.find("\n  record " + now.chain_id.substr(0, 8) + ":" + std::to_string(now.seq) + " " + now.record_id +
                       ": ") != std::string::npos);
      ++refused;
    }
    reg::Contents c = *contents;
    c.entries[i].inputs[0].sha256[5] = c.entries[i].inputs[0].sha256[5] == 'a' ? 'b' : 'a';
    CHECK_FALSE(reg::ImportContents(*target, c, &error));
    CHECK(error.find("\n  record " + g.Label(static_cast<int>(e.seq)) + " " + e.record_id + ": ") != std::string::npos);
  }
  CHECK(refused == 4 * 15);
  // A blob's bytes, a signature.
  reg::Contents c = *contents;
  c.blobs[0].second[0] ^= 0x20;
  CHECK_FALSE(reg::ImportContents(*target, c, &error));
  c = *contents;
  c.signatures[0].signature[0] = c.signatures[0].signature[0] == 'a' ? 'b' : 'a';
  CHECK_FALSE(reg::ImportContents(*target, c, &error));
  CHECK(error.find("is not valid for this record") != std::string::npos);
  CHECK(target->Entries().empty());
  CHECK(target->BlobKeys().empty());
  CHECK(target->Keys().empty());
  CHECK(target->Signatures().empty());
}

TEST_CASE("Registry: a schema version this build does not read is refused, naming the versions, and nothing changes",
          "[registry]") {
  TempDir dir{"registry-test"};
  const std::string path = dir / "registry.db";
  OpenRegistry(path, true);
  const std::string range = std::to_string(reg::kOldestSchemaVersion) + " to " + std::to_string(reg::kSchemaVersion);
  struct Case {
    std::string version, message;
  };
  for (const Case& c : std::vector<Case>{
           {"99", path + ": the registry's schema version is 99, but this vaglio reads versions " + range +
                      " (upgrade vaglio)"},
           {"0", path + ": the registry's schema version is 0, but this vaglio reads versions " + range +
                     " (export it with the older vaglio and import it)"},
           {"one", path + ": the registry's schema version is 'one', but must be a whole number (meta table damaged)"},
           {"1x", path + ": the registry's schema version is '1x', but must be a whole number (meta table damaged)"}}) {
    {
      Editor ed(path);
      ed.Set("UPDATE meta SET value = ?1 WHERE key = 'schema_version' AND ?2 = ?2", c.version, "");
    }
    const std::string before = ReadFile(path);
    for (bool create : {false, true}) {
      std::string error;
      INFO("version " << c.version << ", create " << create);
      CHECK(reg::OpenSqlite(path, create, &error) == nullptr);
      CHECK(error == c.message);
      CHECK(ReadFile(path) == before);
    }
  }
}

TEST_CASE("Registry: a file without registry tables is not made into a registry by a command that only reads",
          "[registry]") {
  TempDir dir{"registry-test"};
  const std::string path = dir / "empty.db";
  std::ofstream(path).flush();
  std::string error;
  CHECK(reg::OpenSqlite(path, false, &error) == nullptr);
  CHECK(error == path + ": not a Vaglio registry (the file has no registry tables)");
  CHECK(std::filesystem::file_size(path) == 0);
  CHECK(reg::OpenSqlite(path, true, &error) != nullptr);
}

// The child of a fork: appends `n` records made from the evaluation `r`, dated from
// `first_day` on, and exits with 0, or with 1 after printing why. An evaluation takes longer
// than an append, so each record is `r` with another date and record id: the records are
// consistent (they verify) but are not what their inputs give on that date (they do not
// replay). The parent evaluates, so that a child never fails a Catch2 assertion.
[[noreturn]] void WriteRecords(en::EvaluationResult r, const en::EvaluateOptions& opts, const std::string& path,
                               int first_day, int n, int go_fd) {
  char c;
  if (read(go_fd, &c, 1) < 0) _exit(1);  // returns when the parent closes its end: both start together
  std::string error;
  auto s = reg::OpenSqlite(path, true, &error);
  if (!s) {
    std::fprintf(stderr, "writer %d: %s\n", first_day, error.c_str());
    _exit(1);
  }
  for (int i = 0; i < n; ++i) {
    const std::string date = DateAfter("2026-01-01", first_day + i);
    r.record.set_evaluation_date(date);
    r.record.set_record_id(en::Sha256Hex("concurrent writer test " + date).substr(0, 32));
    if (!reg::AppendEvaluation(*s, r, opts, {}, &error)) {
      std::fprintf(stderr, "writer %d, record %d: %s\n", first_day, i, error.c_str());
      _exit(1);
    }
  }
  _exit(0);
}

TEST_CASE("Registry: two processes appending 200 evaluation records each to a new registry leave 400 in one chain",
          "[registry]") {
  TempDir dir{"registry-test"};
  const std::string path = dir / "registry.db";  // made by the writers, concurrently
  constexpr int kPerProcess = 200;
  Np1 np1;
  const en::EvaluationResult r = np1.Evaluate();
  int go[2];
  REQUIRE(pipe(go) == 0);
  std::vector<pid_t> children;
  for (int first_day : {0, kPerProcess}) {
    std::fflush(nullptr);
    const pid_t pid = fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
      close(go[1]);
      WriteRecords(r, np1.opts, path, first_day, kPerProcess, go[0]);
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
  auto s = OpenRegistry(path);
  const std::vector<reg::Entry> entries = s->Entries();
  REQUIRE(entries.size() == 2 * kPerProcess);
  std::set<std::string> dates;
  for (size_t i = 0; i < entries.size(); ++i) {
    CHECK(entries[i].chain_id == s->chain_id());
    CHECK(entries[i].seq == static_cast<int64_t>(i + 1));
    CHECK(entries[i].inputs.size() == 5);
    dates.insert(nlohmann::json::parse(entries[i].options).value("date", ""));
  }
  CHECK(dates.size() == 2 * kPerProcess);
  CHECK(dates.count(DateAfter("2026-01-01", 0)) == 1);
  CHECK(dates.count(DateAfter("2026-01-01", 2 * kPerProcess - 1)) == 1);
  CHECK(Problems(VerifyAll(*s)).empty());
}

}  // namespace
