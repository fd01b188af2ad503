// `vaglio compare` on the three hospitals of examples/compare: the NP1 dossier evaluated by
// an IRCCS (A), an ASST with a smaller budget authority (B) and a university hospital with
// other weights and approval threshold (C), each into its own registry through the binary.
// The comparison is checked against `vaglio evaluate` run separately: each hospital's
// outcome, and each hospital's scores evaluated under another hospital's criteria set.
#include <stdlib.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>

#include "tests/test_util.h"

using nlohmann::json;
using vaglio::testing::Near;
using vaglio::testing::RunVaglio;
using vaglio::testing::SourcePath;
using vaglio::testing::TempDir;

namespace {

const char kDossier[] = "examples/np1/np1.dossier.yaml";

struct HospitalFiles {
  std::string criteria, scores;
};

const std::vector<HospitalFiles> kHospitals = {
    {"examples/np1/irccs.criteria.yaml", "examples/np1/np1.scores.yaml"},
    {"examples/compare/asst.criteria.yaml", "examples/compare/asst.scores.yaml"},
    {"examples/compare/aou.criteria.yaml", "examples/compare/aou.scores.yaml"},
};


json Evaluate(const std::vector<std::string>& extra, const std::string& criteria,
              const std::string& scores) {
  std::vector<std::string> args = {"evaluate", kDossier, "--criteria", criteria,
                                   "--scores", scores,   "--threads",  "1"};
  args.insert(args.end(), extra.begin(), extra.end());
  auto r = RunVaglio(args);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  return json::parse(r.out);
}

// The three registries, built once: each hospital's evaluation stored in its own file.
struct Registries {
  TempDir dir{"compare"};
  std::vector<std::string> files;
  std::vector<json> records;  // what `vaglio evaluate` printed while storing
  json comparison;            // `vaglio compare` of the three, as JSON
};

json CompareJson(const std::vector<std::string>& registries);

const Registries& Built() {
  static std::unique_ptr<Registries> reg;  // removed with its directory at exit
  if (!reg) {
    auto r = std::make_unique<Registries>();
    REQUIRE(!r->dir.path().empty());
    for (size_t i = 0; i < kHospitals.size(); ++i) {
      const std::string file = r->dir.path() + "/hospital" + std::to_string(i) + ".db";
      r->records.push_back(
          Evaluate({"--registry", file}, kHospitals[i].criteria, kHospitals[i].scores));
      r->files.push_back(file);
    }
    r->comparison = CompareJson(r->files);
    reg = std::move(r);
  }
  return *reg;
}

json CompareJson(const std::vector<std::string>& registries) {
  std::vector<std::string> args = {"compare"};
  args.insert(args.end(), registries.begin(), registries.end());
  args.insert(args.end(), {"--format", "json", "--threads", "1"});
  auto r = RunVaglio(args);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  return json::parse(r.out);
}

// The outcome of hospital i's dossier and scores under hospital j's criteria set, by
// `vaglio evaluate` on a copy of i's scores without its config_id (which names i's set).
json CrossEvaluate(const std::string& dir, size_t i, size_t j) {
  std::ifstream in(SourcePath(kHospitals[i].scores));
  std::ostringstream kept;
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("config_id:", 0) != 0) kept << line << "\n";
  }
  const std::string copy = dir + "/scores" + std::to_string(i) + ".yaml";
  std::ofstream(copy) << kept.str();
  const json r = Evaluate({}, kHospitals[j].criteria, copy);
  return r["proposed_outcome"];
}

// The combined score of each criterion in a record (not the members').
std::map<std::string, double> CombinedScores(const json& record) {
  std::map<std::string, double> out;
  for (const auto& s : record["scores"]) {
    if (s["member"].get<std::string>().empty() && s["source"] != "missing")
      out[s["criterion_id"]] = s["value"];
  }
  return out;
}

const json& Pair(const json& c, const std::string& a, const std::string& b) {
  for (const auto& d : c["differences"]) {
    if (d["a"] == a && d["b"] == b) return d;
  }
  FAIL("no difference between " << a << " and " << b);
  static const json none;
  return none;
}

const json& Item(const json& pair, const std::string& item) {
  for (const auto& d : pair["criteria_differences"]) {
    if (d["item"] == item) return d;
  }
  FAIL("no criteria difference " << item);
  static const json none;
  return none;
}

}  // namespace

TEST_CASE("compare shows each hospital's outcome as vaglio evaluate gives it, and no agreement",
          "[cli][compare]") {
  const Registries& reg = Built();
  const json& c = reg.comparison;
  REQUIRE(c["hospitals"].size() == 3);
  CHECK(c["device"] == "CND P09080301, RDM 2345678");
  const std::vector<std::string> organisations = {"IRCCS Istituto Ortopedico Esempio",
                                                  "ASST Valle Esempio",
                                                  "Azienda Ospedaliera Universitaria Esempio"};
  for (size_t i = 0; i < 3; ++i) {
    const json& h = c["hospitals"][i];
    const json& rec = reg.records[i];
    INFO("hospital " << i);
    CHECK(h["label"] == std::string(1, static_cast<char>('A' + i)));
    CHECK(h["organisation"] == organisations[i]);
    CHECK(h["registry"] == reg.files[i]);
    CHECK(h["record_id"] == rec["record_id"]);
    CHECK(h["proposed_outcome"] == rec["proposed_outcome"]["outcome"]);
    CHECK(h["rule_id"] == rec["proposed_outcome"]["rule_id"]);
    CHECK(h["final_outcome"] == rec["proposed_outcome"]["outcome"]);  // no decision recorded
    CHECK(h["override"] == false);
    CHECK(Near(h["mcda_total"].get<double>(), rec["aggregate"]["total"].get<double>(), 1e-12));
  }
  // The scenario of examples/compare/README.md.
  CHECK(c["hospitals"][0]["final_outcome"] == "APPROVE_WITH_CONDITIONS");
  CHECK(c["hospitals"][0]["rule_id"] == "D07");
  CHECK(c["hospitals"][1]["final_outcome"] == "REFER");
  CHECK(c["hospitals"][1]["rule_id"] == "D03");
  CHECK(c["hospitals"][1]["gates_failed"] == json::array({"G08"}));
  CHECK(c["hospitals"][2]["final_outcome"] == "APPROVE");
  CHECK(c["hospitals"][2]["rule_id"] == "D06");

  CHECK(c["agreement"]["all_agree"] == false);
  CHECK(c["agreement"]["pairs"] == 3);
  CHECK(c["agreement"]["pairs_agreeing"] == 0);
  CHECK(c["agreement"]["outcomes"] ==
        json({{"APPROVE", 1}, {"APPROVE_WITH_CONDITIONS", 1}, {"REFER", 1}}));
}

TEST_CASE("compare's per-criterion spread is the range of the hospitals' combined scores",
          "[cli][compare]") {
  const Registries& reg = Built();
  const json& c = reg.comparison;
  std::vector<std::map<std::string, double>> scores;
  for (const json& r : reg.records) scores.push_back(CombinedScores(r));
  REQUIRE(c["criteria"].size() == 13);
  int spread = 0;
  for (const auto& row : c["criteria"]) {
    const std::string id = row["criterion_id"];
    INFO(id);
    double lo = 1e300, hi = -1e300;
    for (size_t i = 0; i < 3; ++i) {
      REQUIRE(scores[i].count(id) == 1);
      const std::string label(1, static_cast<char>('A' + i));
      CHECK(row["scores"][label].get<double>() == scores[i][id]);
      lo = std::min(lo, scores[i][id]);
      hi = std::max(hi, scores[i][id]);
    }
    CHECK(Near(row["score_range"].get<double>(), hi - lo, 1e-12, 1e-12));
    spread += hi > lo;
  }
  CHECK(spread > 0);  // the committees did not score alike
  // Weights: C04 is 16% at A and B, 20% at C.
  const auto c04 = std::find_if(c["criteria"].begin(), c["criteria"].end(),
                                [](const json& r) { return r["criterion_id"] == "C04"; });
  REQUIRE(c04 != c["criteria"].end());
  CHECK(Near((*c04)["weight_min"].get<double>(), 0.16, 1e-12));
  CHECK(Near((*c04)["weight_max"].get<double>(), 0.20, 1e-12));
}

TEST_CASE(
    "compare explains the outcomes by re-running each hospital's inputs under the other's criteria",
    "[cli][compare]") {
  const Registries& reg = Built();
  const json& c = reg.comparison;
  REQUIRE(c["differences"].size() == 3);
  const char* labels[] = {"A", "B", "C"};
  for (size_t i = 0; i < 3; ++i) {
    for (size_t j = i + 1; j < 3; ++j) {
      INFO("pair " << labels[i] << " " << labels[j]);
      const json& d = Pair(c, labels[i], labels[j]);
      const json ij = CrossEvaluate(reg.dir.path(), i, j), ji = CrossEvaluate(reg.dir.path(), j, i);
      CHECK(d["a_under_b_criteria"]["outcome"] == ij["outcome"]);
      CHECK(d["a_under_b_criteria"]["rule_id"] == ij["rule_id"]);
      CHECK(d["b_under_a_criteria"]["outcome"] == ji["outcome"]);
      CHECK(d["b_under_a_criteria"]["rule_id"] == ji["rule_id"]);
      CHECK(d["same_dossier"] == true);
      // The classification follows from the cross re-runs.
      const json pa = reg.records[i]["proposed_outcome"]["outcome"],
                 pb = reg.records[j]["proposed_outcome"]["outcome"];
      const std::string expected = ij["outcome"] == pb && ji["outcome"] == pa ? "criteria_sets"
                                   : ij["outcome"] == pa && ji["outcome"] == pb
                                       ? "scores_and_dossier"
                                       : "both";
      CHECK(d["explained_by"] == expected);
    }
  }

  // A (APPROVE_WITH_CONDITIONS) vs B (REFER): B's budget authority alone refers A's request.
  const json& ab = Pair(c, "A", "B");
  CHECK(ab["explained_by"] == "criteria_sets");
  CHECK(ab["a_under_b_criteria"]["outcome"] == "REFER");
  CHECK(ab["a_under_b_criteria"]["gates_failed"] == json::array({"G08"}));
  const json& authority = Item(ab, "parameters.budget_authority_eur");
  CHECK(authority["a"] == 250000);
  CHECK(authority["b"] == 50000);
  CHECK(authority["changes_outcome"] == true);
  CHECK(authority["gives_outcome_b"] == true);
  CHECK(authority["a_with_this_item"]["rule_id"] == "D03");
  const json& envelope = Item(ab, "parameters.budget_envelope_eur");
  CHECK(envelope["changes_outcome"] == false);
  CHECK(Item(ab, "mcda.criteria.C13")["changes_outcome"] == false);  // renamed only
  CHECK(ab["criteria_differences"].size() == 3);

  // A (APPROVE_WITH_CONDITIONS) vs C (APPROVE): C's weights and its approval threshold.
  const json& ac = Pair(c, "A", "C");
  CHECK(ac["explained_by"] == "criteria_sets");
  CHECK(ac["a_under_b_criteria"]["outcome"] == "APPROVE");
  const json& weights = Item(ac, "mcda.weights");
  CHECK(weights["a"]["C04"] == 16);
  CHECK(weights["b"]["C04"] == 20);
  CHECK(weights["a"]["C10"] == 8);
  CHECK(weights["b"]["C10"] == 4);
  CHECK(!weights["a"].contains("C01"));  // the same weight at both
  const json& d06 = Item(ac, "decision_rules.D06");
  CHECK(d06["a"]["condition"] == "mcda.total >= 70 && criteria.C07 >= 3 && robustness.stable");
  CHECK(d06["b"]["condition"] == "mcda.total >= 65 && criteria.C07 >= 3 && robustness.stable");
  // D06 alone: A's total 65.125 passes 65, but the outcome is not stable under +/-20% weights.
  CHECK(d06["a_with_this_item"]["outcome"] == "APPROVE_WITH_CONDITIONS");
  CHECK(d06["a_with_this_item"]["stable"] == false);
  CHECK(Near(d06["a_with_this_item"]["mcda_total"].get<double>(), 65.125, 1e-12));
  // Each item re-run alone is an evaluation of A's inputs under A's set with that item changed.
  CHECK(Near(weights["a_with_this_item"]["mcda_total"].get<double>(), 66.75, 1e-12));
  CHECK(weights["a_with_this_item"]["outcome"] == "APPROVE_WITH_CONDITIONS");

  // B (REFER) vs C (APPROVE): C's set refers C's request too, but B's scores under C's set
  // stay below C's approval: both the criteria sets and the scores matter.
  const json& bc = Pair(c, "B", "C");
  CHECK(bc["explained_by"] == "both");
  CHECK(bc["b_under_a_criteria"]["outcome"] == "REFER");
  CHECK(bc["a_under_b_criteria"]["outcome"] == "APPROVE_WITH_CONDITIONS");
  const json& bc_authority = Item(bc, "parameters.budget_authority_eur");
  CHECK(bc_authority["changes_outcome"] == true);
  CHECK(bc_authority["gives_outcome_b"] == false);
}

TEST_CASE("compare's text names the outcomes, the explanation and the decisive criteria items",
          "[cli][compare]") {
  const Registries& reg = Built();
  std::vector<std::string> args = {"compare"};
  args.insert(args.end(), reg.files.begin(), reg.files.end());
  args.insert(args.end(), {"--threads", "1"});
  auto r = RunVaglio(args);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK_THAT(r.out, Catch::Contains("Device NP1 (CND P09080301, RDM 2345678): 3 evaluations"));
  CHECK_THAT(r.out, Catch::Contains("  A  IRCCS Istituto Ortopedico Esempio: "
                                    "APPROVE_WITH_CONDITIONS, rule D07, MCDA total 65.12"));
  CHECK_THAT(r.out,
             Catch::Contains(
                 "  B  ASST Valle Esempio: REFER, rule D03, MCDA total 62.5, gates failed: G08"));
  CHECK_THAT(r.out, Catch::Contains("Agreement: outcomes differ (APPROVE 1, "
                                    "APPROVE_WITH_CONDITIONS 1, REFER 1); 0 of 3 pairs agree"));
  CHECK_THAT(r.out, Catch::Contains("A (APPROVE_WITH_CONDITIONS) vs B (REFER):"));
  CHECK_THAT(
      r.out,
      Catch::Contains(
          "  A's inputs under B's criteria set: REFER (rule D03, total 65.12, gates failed: G08)"));
  CHECK_THAT(r.out, Catch::Contains("The criteria sets explain the difference"));
  CHECK_THAT(r.out, Catch::Contains("    parameters.budget_authority_eur: 250000 -> 50000; gives "
                                    "B's outcome: REFER (rule D03"));
  CHECK_THAT(
      r.out,
      Catch::Contains("    parameters.budget_envelope_eur: 2400000 -> 1500000; alone, no change"));
  CHECK_THAT(r.out, Catch::Contains("    mcda.weights: C03 10 -> 12, C04 16 -> 20, C06 6 -> 8"));
  CHECK_THAT(r.out,
             Catch::Contains("  No item alone gives C's outcome: only their combination does.\n"));
  CHECK_THAT(r.out,
             Catch::Contains("\n  C13        3.5  2  4      2        3%        3%        2%\n"));
}

TEST_CASE(
    "compare shows a committee's override as the final outcome and explains the proposed ones",
    "[cli][compare]") {
  const Registries& reg = Built();
  TempDir dir{"compare"};
  REQUIRE(!dir.path().empty());
  // Copies of A's and C's registries, so the shared ones stay without decisions.
  const std::string a = dir.path() + "/a.db", cdb = dir.path() + "/c.db";
  std::filesystem::copy_file(reg.files[0], a);
  std::filesystem::copy_file(reg.files[2], cdb);
  const std::string decision = dir.path() + "/decision.yaml";
  std::ofstream(decision) << "format: vaglio.decision/1\n"
                          << "evaluation: " << reg.records[2]["record_id"].get<std::string>()
                          << "\n"
                          << "final_outcome: APPROVE_WITH_CONDITIONS\n"
                          << "justification: A price agreement is needed before adoption.\n"
                          << "decided_on: 2026-12-10\n";
  auto rec = RunVaglio({"record", decision, "--registry", cdb});
  INFO(rec.err);
  REQUIRE(rec.exit_code == 0);
  const json c = CompareJson({a, cdb});
  REQUIRE(c["hospitals"].size() == 2);
  CHECK(c["hospitals"][1]["proposed_outcome"] == "APPROVE");
  CHECK(c["hospitals"][1]["final_outcome"] == "APPROVE_WITH_CONDITIONS");
  CHECK(c["hospitals"][1]["override"] == true);
  CHECK(c["agreement"]["all_agree"] == true);
  REQUIRE(c["differences"].size() == 1);  // the proposed outcomes still differ
  const json& d = c["differences"][0];
  CHECK(d["overrides"] == json::array({"B"}));
  CHECK(d["explained_by"] == "criteria_sets");
  CHECK_THAT(d["explanation"].get<std::string>(),
             Catch::Contains("the final outcome of B overrides the proposed one"));
}

TEST_CASE("compare refuses a missing registry and a device no registry evaluated",
          "[cli][compare]") {
  const Registries& reg = Built();
  auto missing = RunVaglio({"compare", reg.dir.path() + "/none.db"});
  CHECK(missing.exit_code == 2);
  CHECK(missing.err == "vaglio: error: " + reg.dir.path() + "/none.db: no such registry\n");
  auto device = RunVaglio({"compare", reg.files[0], "--device", "9999999"});
  CHECK(device.exit_code == 2);
  CHECK(device.err == "vaglio: error: no evaluation of device 9999999 in the registries\n");
}
