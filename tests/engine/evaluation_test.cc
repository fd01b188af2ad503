// The evaluation of a dossier against a committee's criteria set (engine/evaluation,
// models/bia): gates, the decision rules of the example criteria set, weights, scoring
// modes, missing data, value functions and computed criteria, robustness, budget impact,
// economics, completeness, determinism and the self-assessment.
//
// Every expected value is worked out by hand in a comment next to it, taken from a
// published source (the THR model of Briggs et al. 2006), or computed by a naive oracle
// inside the test. Constructed cases run in memory: the small dossier of
// tests/data/evaluation/ or the NP1 example, edited, with criteria sets of two to four
// criteria written here.
#include <catch2/catch.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <initializer_list>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "engine/diagnostics.h"
#include "engine/evaluation/assess.h"
#include "engine/evaluation/evaluate.h"
#include "engine/evaluation/mcda.h"
#include "engine/io.h"
#include "engine/load/dossier_loader.h"
#include "engine/load/model_loader.h"
#include "engine/run.h"
#include "models/bia.h"
#include "models/distribution.h"
#include "models/rng.h"
#include "models/text.h"
#include "tests/test_util.h"

namespace {

namespace en = vaglio::engine;
namespace sc = vaglio::schemas;
using vaglio::testing::Near;
using Json = nlohmann::ordered_json;
using Edits = std::vector<std::pair<std::string, std::string>>;

constexpr double kRel = 1e-12;      // for values the engine computes by the same few operations
constexpr double kPublished = 1e-6; // the THR results are published to 10 significant digits

const char kNp1Dossier[] = "examples/np1/np1.dossier.yaml";
const char kNp1Criteria[] = "examples/np1/irccs.criteria.yaml";
const char kNp1Scores[] = "examples/np1/np1.scores.yaml";
const char kThrModel[] = "examples/thr/thr.model.yaml";
const char kThrTable[] = "examples/thr/life_table.csv";
const char kSmallDossier[] = "tests/data/evaluation/small.dossier.yaml";
const char kSmallCriteria[] = "tests/data/evaluation/small.criteria.yaml";  // in memory only
const char kSmallScores[] = "tests/data/evaluation/small.scores.yaml";      // in memory only

std::string ReadSource(const std::string& relative) {
  std::ifstream in(vaglio::testing::SourcePath(relative), std::ios::binary);
  INFO("reading " << relative);
  REQUIRE(in.good());
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// `text` with each `from` replaced by its `to`; each `from` must occur exactly once.
std::string Edit(std::string text, Edits edits) {
  for (const auto& [from, to] : edits) {
    INFO("edit of '" << from << "'");
    const size_t at = text.find(from);
    REQUIRE(at != std::string::npos);
    REQUIRE(text.find(from, at + 1) == std::string::npos);
    text.replace(at, from.size(), to);
  }
  return text;
}

std::string Num(double v) { return vaglio::models::FormatNumber(v); }

// The inputs of one evaluation, held in memory at the paths the binary would read.
struct Case {
  en::MemoryFileSystem fs;
  en::EvaluateOptions opts;
  std::string errors;  // the diagnostics of the last evaluation, formatted

  void Add(const std::string& path) { fs.Add(path, ReadSource(path)); }
  void Set(const std::string& path, std::string text) { fs.Add(path, std::move(text)); }
  void EditFile(const std::string& path, Edits edits) { fs.Add(path, Edit(fs.files().at(path), edits)); }

  std::optional<en::EvaluationResult> Evaluate() {
    en::Diagnostics diag;
    auto r = en::Evaluate(fs, opts, &diag);
    errors = diag.Format();
    return r;
  }
  std::optional<en::AssessResult> Assess() {
    en::Diagnostics diag;
    auto r = en::Assess(fs, opts, &diag);
    errors = diag.Format();
    return r;
  }
};

// The NP1 example as shipped: dossier, the example criteria set, the committee's scores,
// the THR model and its life table.
Case Np1() {
  Case c;
  for (const char* p : {kNp1Dossier, kNp1Criteria, kNp1Scores, kThrModel, kThrTable}) c.Add(p);
  c.opts.dossier = kNp1Dossier;
  c.opts.criteria = kNp1Criteria;
  c.opts.scores = kNp1Scores;
  c.opts.threads = 1;
  return c;
}

// The small dossier with a small criteria set (kHead + `sections`), and consensus or
// members' scores when `scores` is not empty; without scores the date is 2026-06-01.
Case Small(const std::string& criteria, const std::string& scores = "") {
  Case c;
  for (const char* p : {kSmallDossier, kThrModel, kThrTable}) c.Add(p);
  c.Set(kSmallCriteria, criteria);
  c.opts.dossier = kSmallDossier;
  c.opts.criteria = kSmallCriteria;
  c.opts.threads = 1;
  if (!scores.empty()) {
    c.Set(kSmallScores, scores);
    c.opts.scores = kSmallScores;
  } else {
    c.opts.date = "2026-06-01";
  }
  return c;
}

// The head of every small criteria set: the THR model's own discount rates (so that its
// published results apply), two thresholds, a 3-year budget impact, no PSA.
const char kHead[] = R"yaml(format: vaglio.criteria/1
config_id: TEST
version: "1"
parameters:
  currency: EUR
  discount_rate_costs: 0.06
  discount_rate_outcomes: 0.015
  wtp_thresholds: {lower: 20000, upper: 30000}
  bia_horizon_years: 3
  budget_authority_eur: 50000
  budget_envelope_eur: 100000
)yaml";

// One criterion on a continuous scale from 0 to 4.
std::string Crit(const std::string& id, const std::string& domain, double weight,
                 const std::string& missing = "score_zero_no_credible_evidence", const std::string& extra = "") {
  std::string s = "    ";
  s += id;
  s += ": {name: ";
  s += id;
  s += ", domain: ";
  s += domain;
  s += ", kind: absolute, scale: {type: continuous, min: 0, max: 4}, weight: ";
  s += Num(weight);
  s += ", missing: ";
  s += missing;
  s += extra;
  s += "}\n";
  return s;
}

// The same on an ordinal scale with levels 0, 1, 2, 3, 4.
std::string OrdinalCrit(const std::string& id, const std::string& domain, double weight) {
  std::string s = "    ";
  s += id;
  s += ": {name: ";
  s += id;
  s += ", domain: ";
  s += domain;
  s += ", kind: absolute, weight: ";
  s += Num(weight);
  s += ", missing: score_zero_no_credible_evidence, scale: {type: ordinal, min: 0, max: 4, levels: "
       "[{value: 0}, {value: 1}, {value: 2}, {value: 3}, {value: 4}]}}\n";
  return s;
}

// An mcda section.
std::string Mcda(const std::string& method, const std::string& mode, const std::string& criteria,
                 const std::string& elicitation_extra = "") {
  std::string s = "mcda:\n  method: weighted_sum\n  scoring_mode: ";
  s += mode;
  s += "\n  weight_elicitation: {method: ";
  s += method;
  s += elicitation_extra;
  s += "}\n  criteria:\n";
  s += criteria;
  return s;
}

// A scores file for the small dossier with a consensus score for each criterion.
std::string Consensus(const std::vector<std::pair<std::string, double>>& scores) {
  std::string s = "format: vaglio.scores/1\ndossier_id: T-1\nmeeting_date: 2026-06-01\nscores:\n";
  for (const auto& [id, v] : scores) {
    s += "  ";
    s += id;
    s += ": {consensus: ";
    s += Num(v);
    s += "}\n";
  }
  return s;
}

// A scores file with members m1..mN (voting, no conflict), member k scoring scores[k-1].
std::string Members(const std::string& dossier_id, const std::string& date, int n,
                    const std::vector<std::pair<std::string, std::vector<double>>>& scores) {
  std::string s = "format: vaglio.scores/1\ndossier_id: ";
  s += dossier_id;
  s += "\nmeeting_date: ";
  s += date;
  s += "\nmembers:\n";
  for (int k = 1; k <= n; ++k) {
    s += "  m";
    s += std::to_string(k);
    s += ": {name: Member ";
    s += std::to_string(k);
    s += ", interest_outcome: no_conflict}\n";
  }
  s += "scores:\n";
  for (const auto& [id, values] : scores) {
    if (values.empty()) continue;
    s += "  ";
    s += id;
    s += ":";
    for (size_t k = 0; k < values.size(); ++k) {
      s += k == 0 ? " {" : ", ";
      s += "m";
      s += std::to_string(k + 1);
      s += ": ";
      s += Num(values[k]);
    }
    s += "}\n";
  }
  return s;
}

// Four members' scores of the NP1 dossier whose medians are those of the example's
// np1.scores.yaml (C01 3, C02 3, C03 2, C04 3, C05 2, C06 3, C08 3, C11 3, C12 2,
// C13 3.5), with some criteria replaced (an empty list leaves the criterion unscored).
std::string Np1Scores(const std::map<std::string, std::vector<double>>& changes) {
  std::vector<std::pair<std::string, std::vector<double>>> s = {
      {"C01", {3, 3, 3, 3}}, {"C02", {3, 3, 3, 3}}, {"C03", {2, 2, 2, 2}}, {"C04", {3, 3, 3, 3}},
      {"C05", {2, 2, 2, 2}}, {"C06", {3, 3, 3, 3}}, {"C08", {3, 3, 3, 3}}, {"C11", {3, 3, 3, 3}},
      {"C12", {2, 2, 2, 2}}, {"C13", {3, 3, 4, 4}}};
  for (auto& [id, values] : s) {
    auto it = changes.find(id);
    if (it != changes.end()) values = it->second;
  }
  return Members("IOE-2026-0147", "2026-11-18", 4, s);
}

const sc::GateResult& Gate(const sc::Evaluation& rec, const std::string& id) {
  for (const auto& g : rec.gate_results()) {
    if (g.gate_id() == id) return g;
  }
  FAIL("no gate " << id);
  return rec.gate_results(0);
}

const sc::Contribution& Contribution(const sc::Evaluation& rec, const std::string& id) {
  for (const auto& c : rec.aggregate().contributions()) {
    if (c.criterion_id() == id) return c;
  }
  FAIL("no contribution of " << id);
  return rec.aggregate().contributions(0);
}

// "path=value; ..." of a gate's or reason's operands.
std::string Operands(const google::protobuf::RepeatedPtrField<sc::Operand>& ops) {
  std::string s;
  for (const auto& o : ops) {
    if (!s.empty()) s += "; ";
    s += o.path();
    s += "=";
    s += o.value();
  }
  return s;
}

// The texts of the reasons produced by `by` (gate, rule, criterion, economics, robustness).
std::vector<std::string> Reasons(const sc::Evaluation& rec, const std::string& by) {
  std::vector<std::string> out;
  for (const auto& r : rec.reasons()) {
    if (r.produced_by() == by) out.push_back(r.text());
  }
  return out;
}

bool HasFlag(const sc::Evaluation& rec, const std::string& flag) {
  for (const auto& f : rec.flags()) {
    if (f == flag) return true;
  }
  return false;
}

// ---------------------------------------------------------------------------------------
// 1. Gates

// Five gates, one of each on_fail kind, each failed by one edit of the small dossier; the
// rules read gates.failed and gates.failed_on.<kind>.
const char kGates[] = R"yaml(gates:
  GI: {check: "request_type != 'research_use'", on_fail: inadmissible, message: research use is not for this committee}
  GC: {check: "present(device.rdm_number)", on_fail: incomplete, message: no RDM number}
  GR: {check: "pico.on_label", on_fail: route_research, message: use outside the intended purpose}
  GF: {check: "device.regulatory.risk_class != 'III'", on_fail: refer, message: class III devices go to the region}
  GL: {check: "facts.open_safety_actions == 0", on_fail: flag, message: an open safety action}
decision_rules:
  D1: {condition: "count(gates.failed_on.inadmissible) > 0", outcome: INADMISSIBLE}
  D2: {condition: "count(gates.failed_on.incomplete) > 0", outcome: DEFER}
  D3: {condition: "count(gates.failed_on.route_research) > 0", outcome: RESEARCH_ONLY}
  D4: {condition: "count(gates.failed_on.refer) > 0", outcome: REFER}
  D5: {condition: "'GL' in gates.failed", outcome: APPROVE_WITH_CONDITIONS}
  D6: {condition: "true", outcome: APPROVE}
)yaml";

std::string GateCriteria() {
  return std::string(kHead) + kGates + Mcda("direct_rating", "consensus", Crit("A", "EFF", 1));
}

TEST_CASE("Every gate passes on the complete small dossier, with its rendering and operands", "[evaluate][gates]") {
  Case c = Small(GateCriteria());
  auto r = c.Evaluate();
  INFO(c.errors);
  REQUIRE(r);
  const sc::Evaluation& rec = r->record;
  REQUIRE(rec.gate_results_size() == 5);
  // Each check with the dossier's values put in (docs/expressions.md: strings in single
  // quotes, numbers as written, present(x) showing x's value).
  const std::vector<std::tuple<std::string, std::string, std::string>> expected = {
      {"GI", "'new_device' != 'research_use'", "request_type='new_device'"},
      {"GC", "present(1234)", "device.rdm_number=1234"},
      {"GR", "true", "pico.on_label=true"},
      {"GF", "'IIa' != 'III'", "device.regulatory.risk_class='IIa'"},
      {"GL", "0 == 0", "facts.open_safety_actions=0"}};
  for (const auto& [id, rendered, operands] : expected) {
    INFO(id);
    const sc::GateResult& g = Gate(rec, id);
    CHECK(g.passed());
    CHECK(g.message().empty());
    CHECK(g.rendered() == rendered);
    CHECK(Operands(g.inputs()) == operands);
  }
  CHECK(r->context["gates"]["failed"].dump() == "[]");
  CHECK(r->context["gates"]["failed_on"].dump() ==
        R"({"inadmissible":[],"incomplete":[],"route_research":[],"refer":[],"flag":[]})");
  CHECK(rec.proposed_outcome().outcome() == "APPROVE");
  CHECK(rec.proposed_outcome().rule_id() == "D6");
  CHECK(Reasons(rec, "gate").empty());
}

TEST_CASE("A failed gate of each on_fail kind is listed under gates.failed_on and reaches its rule", "[evaluate][gates]") {
  struct GateCase {
    std::string gate, kind, from, to, rendered, operands, message, rule, outcome, condition, rule_rendered;
  };
  const std::vector<GateCase> cases = {
      {"GI", "inadmissible", "request_type: new_device", "request_type: research_use",
       "'research_use' != 'research_use'", "request_type='research_use'", "research use is not for this committee",
       "D1", "INADMISSIBLE", "count(gates.failed_on.inadmissible) > 0", "count(['GI']) > 0"},
      {"GC", "incomplete", "  rdm_number: 1234\n", "", "present(missing)", "device.rdm_number=missing", "no RDM number",
       "D2", "DEFER", "count(gates.failed_on.incomplete) > 0", "count(['GC']) > 0"},
      {"GR", "route_research", "on_label: true", "on_label: false", "false", "pico.on_label=false",
       "use outside the intended purpose", "D3", "RESEARCH_ONLY", "count(gates.failed_on.route_research) > 0",
       "count(['GR']) > 0"},
      {"GF", "refer", "risk_class: IIa", "risk_class: III", "'III' != 'III'", "device.regulatory.risk_class='III'",
       "class III devices go to the region", "D4", "REFER", "count(gates.failed_on.refer) > 0", "count(['GF']) > 0"},
      {"GL", "flag", "open_safety_actions: []", "open_safety_actions: [{type: FSCA, date: 2026-02-01, ref: FSN-1}]",
       "1 == 0", "facts.open_safety_actions=1", "an open safety action", "D5", "APPROVE_WITH_CONDITIONS",
       "'GL' in gates.failed", "'GL' in ['GL']"},
  };
  for (const GateCase& gc : cases) {
    DYNAMIC_SECTION("on_fail " << gc.kind) {
      Case c = Small(GateCriteria());
      c.EditFile(kSmallDossier, {{gc.from, gc.to}});
      auto r = c.Evaluate();
      INFO(c.errors);
      REQUIRE(r);
      const sc::Evaluation& rec = r->record;
      for (const auto& g : rec.gate_results()) CHECK(g.passed() == (g.gate_id() != gc.gate));
      const sc::GateResult& g = Gate(rec, gc.gate);
      CHECK(g.on_fail() == gc.kind);
      CHECK(g.message() == gc.message);
      CHECK(g.rendered() == gc.rendered);
      CHECK(Operands(g.inputs()) == gc.operands);
      // What the rules read: the one failed gate, under its kind only.
      const Json& gates = r->context["gates"];
      CHECK(gates["failed"].dump() == "[\"" + gc.gate + "\"]");
      for (const char* kind : {"inadmissible", "incomplete", "route_research", "refer", "flag"}) {
        INFO(kind);
        CHECK(gates["failed_on"][kind].dump() == (gc.kind == kind ? "[\"" + gc.gate + "\"]" : std::string("[]")));
      }
      CHECK(gates[gc.gate]["passed"] == false);
      CHECK(gates[gc.gate]["on_fail"] == gc.kind);
      CHECK(rec.proposed_outcome().outcome() == gc.outcome);
      CHECK(rec.proposed_outcome().rule_id() == gc.rule);
      const auto rule_reasons = Reasons(rec, "rule");
      REQUIRE(!rule_reasons.empty());
      // Without a rationale the reason quotes the rule's condition, then its rendering.
      CHECK(rule_reasons[0] == gc.rule + " (" + gc.outcome + "): " + gc.condition + " [" + gc.rule_rendered + "]");
      // The gate's reason comes first; an edit that removes a required field (RDM number,
      // SSCP for class III) adds the completeness reason after it.
      const auto gate_reasons = Reasons(rec, "gate");
      REQUIRE(!gate_reasons.empty());
      CHECK(gate_reasons[0] == "gate " + gc.gate + " failed (" + gc.kind + "): " + gc.message + " [" + gc.rendered + "]");
      for (size_t i = 1; i < gate_reasons.size(); ++i) {
        CHECK_THAT(gate_reasons[i], Catch::Matchers::StartsWith("the dossier is missing required fields: "));
      }
    }
  }
}

TEST_CASE("Two failed gates are listed in the criteria set's order and the first matching rule wins",
          "[evaluate][gates]") {
  Case c = Small(GateCriteria());
  c.EditFile(kSmallDossier, {{"request_type: new_device", "request_type: research_use"},
                             {"open_safety_actions: []", "open_safety_actions: [{type: recall, date: 2026-02-01}]"}});
  auto r = c.Evaluate();
  INFO(c.errors);
  REQUIRE(r);
  CHECK(r->context["gates"]["failed"].dump() == R"(["GI","GL"])");
  CHECK(r->context["gates"]["failed_on"]["inadmissible"].dump() == R"(["GI"])");
  CHECK(r->context["gates"]["failed_on"]["flag"].dump() == R"(["GL"])");
  // D1 and D5 are both true; D1 comes first.
  CHECK(r->record.proposed_outcome().rule_id() == "D1");
  CHECK(r->record.proposed_outcome().outcome() == "INADMISSIBLE");
}

// ---------------------------------------------------------------------------------------
// 2. The decision rules of the example criteria set (examples/np1/irccs.criteria.yaml)
//
// The NP1 example as shipped gives, by the committee's medians (C13: median of 4, 4, 3, 4,
// 3, 3 = 3.5), the computed C07 = 3 (both critical outcomes moderate), C09 = 3 (the ICER,
// about 2,600 EUR/QALY, is below 25,000) and C10 = 1 (below), with point-allocation
// weights w = points / 100, value v = score / 4:
//   C01 8 x .75 = 6     C02 4 x .75 = 3     C03 10 x .5 = 5     C04 16 x .75 = 12
//   C05 12 x .5 = 6     C06 6 x .75 = 4.5   C07 10 x .75 = 7.5  C08 4 x .75 = 3
//   C09 10 x .75 = 7.5  C10 8 x .25 = 2     C11 6 x .75 = 4.5   C12 3 x .5 = 1.5
//   C13 3 x .875 = 2.625                    total 65.125
// Budget impact for the hospital (unit costs 677.43 NP1, 460.98 standard, 6000 a year for
// the instruments, 4500 once for training; volumes 180/220/240 displacing 60/70/75%):
//   year 1: 677.43 x 180 + 6000 + 4500 - .60 x 460.98 x 180 = 82651.56
//   year 2: 677.43 x 220 + 6000        - .70 x 460.98 x 220 = 84043.68
//   year 3: 677.43 x 240 + 6000        - .75 x 460.98 x 240 = 85606.8
// so the peak share of the 2.4M envelope is 85606.8 / 2.4e6 = 0.0356695 > 2%: C10 = 1.

TEST_CASE("The NP1 example is approved with conditions by D07, with the conditions instantiated", "[evaluate][rules]") {
  Case c = Np1();
  auto r = c.Evaluate();
  INFO(c.errors);
  REQUIRE(r);
  const sc::Evaluation& rec = r->record;
  CHECK(rec.evaluation_date() == "2026-11-18");  // the scores' meeting date
  CHECK(Near(rec.aggregate().total(), 65.125, kRel));
  CHECK(r->context["criteria"]["C07"] == 3);
  CHECK(r->context["criteria"]["C09"] == 3);
  CHECK(r->context["criteria"]["C10"] == 1);
  CHECK(r->context["criteria"]["C13"] == 3.5);
  CHECK(Near(r->context["bia"]["hospital"]["year1"].get<double>(), 82651.56, kRel));
  CHECK(Near(r->context["bia"]["peak_share_of_envelope"].get<double>(), 85606.8 / 2.4e6, kRel));
  CHECK(Near(r->context["bia"]["share_of_envelope"].get<double>(), 82651.56 / 2.4e6, kRel));
  CHECK(rec.proposed_outcome().outcome() == "APPROVE_WITH_CONDITIONS");
  CHECK(rec.proposed_outcome().rule_id() == "D07");
  CHECK(rec.final_outcome() == "APPROVE_WITH_CONDITIONS");
  CHECK_FALSE(rec.override().is_override());
  // Due dates: 2026-11-18 + 12 months = 2027-11-18, + 18 months = 2028-05-18, + 6 months =
  // 2027-05-18; the registry enrolment has no due_months. price_agreement applies because
  // C10 = 1 <= 2 (its `when`: C09 <= 2 || C10 <= 2).
  REQUIRE(rec.conditions_size() == 4);
  const std::vector<std::tuple<std::string, std::string, std::string>> expected = {
      {"registry_enrolment", "", "Chirurgia protesica dell'anca"},
      {"outcome_audit", "2027-11-18", "Direzione Sanitaria"},
      {"re_evaluation", "2028-05-18", "Comitato valutazione dispositivi medici"},
      {"price_agreement", "2027-05-18", "Provveditorato"}};
  for (int i = 0; i < 4; ++i) {
    const sc::Condition& cond = rec.conditions(i);
    CHECK(cond.type() == std::get<0>(expected[i]));
    CHECK(cond.due_date() == std::get<1>(expected[i]));
    CHECK(cond.owner() == std::get<2>(expected[i]));
    CHECK(cond.status() == "open");
    CHECK(cond.rule_id() == "D07");
  }
  CHECK(rec.conditions(0).parameters(0).name() == "registry");
  CHECK(rec.conditions(0).parameters(0).value() == "RIAP (Registro Italiano ArtroProtesi)");
  CHECK(rec.conditions(0).indicator() == "share of NP1 implants registered");
  // The target price is the device price at which the INMB at the lower threshold is zero.
  // The INMB is linear in the NP1 price with slope -1.17 EUR per GBP (an undiscounted start
  // cost), so in EUR: price = 1.17 x 579 + INMB(lower) = 677.43 + (25000 dE - dC).
  REQUIRE(rec.conditions(3).parameters_size() == 1);
  CHECK(rec.conditions(3).parameters(0).name() == "target_price_eur");
  const double de = rec.economics().delta_effect(), dc = rec.economics().delta_cost();
  CHECK(Near(std::stod(rec.conditions(3).parameters(0).value()), 677.43 + (25000 * de - dc), 1e-9));
  CHECK(Reasons(rec, "rule").back() == "condition price_agreement applies [3 <= 2 || 1 <= 2]");
}

TEST_CASE("D07 leaves out the price agreement when its `when` is false", "[evaluate][rules]") {
  // One patient a year: year 1 = 677.43 + 6000 + 4500 - .6 x 460.98 = 10900.842, year 2 =
  // 677.43 + 6000 - .7 x 460.98 = 6354.744, year 3 = 6677.43 - .75 x 460.98 = 6331.695;
  // peak share 10900.842 / 2.4e6 = 0.0045420 < 0.5%: C10 = 3, and C09 = 3, so
  // `C09 <= 2 || C10 <= 2` is false. Total 65.125 + 8 x (.75 - .25) = 69.125 < 70: D07.
  Case c = Np1();
  c.EditFile(kNp1Dossier, {{"{year: 1, patients: 180, procedures: 180,", "{year: 1, patients: 1, procedures: 1,"},
                           {"{year: 2, patients: 220, procedures: 220,", "{year: 2, patients: 1, procedures: 1,"},
                           {"{year: 3, patients: 240, procedures: 240,", "{year: 3, patients: 1, procedures: 1,"}});
  auto r = c.Evaluate();
  INFO(c.errors);
  REQUIRE(r);
  const sc::Evaluation& rec = r->record;
  CHECK(Near(r->context["bia"]["peak_share_of_envelope"].get<double>(), 10900.842 / 2.4e6, kRel));
  CHECK(r->context["criteria"]["C10"] == 3);
  CHECK(Near(rec.aggregate().total(), 69.125, kRel));
  CHECK(rec.proposed_outcome().rule_id() == "D07");
  REQUIRE(rec.conditions_size() == 3);
  CHECK(rec.conditions(0).type() == "registry_enrolment");
  CHECK(rec.conditions(1).type() == "outcome_audit");
  CHECK(rec.conditions(2).type() == "re_evaluation");
}

TEST_CASE("Due dates at the end of a month stay in the month they fall in", "[evaluate][rules]") {
  // Evaluated on 2027-08-31: + 12 months = 2028-08-31; + 18 months = 2029-02-31, which does
  // not exist: 2029-02-28; + 6 months = 2028-02-31: 2028-02-29 (a leap year).
  Case c = Np1();
  c.opts.date = "2027-08-31";
  auto r = c.Evaluate();
  INFO(c.errors);
  REQUIRE(r);
  const sc::Evaluation& rec = r->record;
  REQUIRE(rec.proposed_outcome().rule_id() == "D07");
  REQUIRE(rec.conditions_size() == 4);
  CHECK(rec.evaluation_date() == "2027-08-31");
  CHECK(rec.conditions(1).due_date() == "2028-08-31");
  CHECK(rec.conditions(2).due_date() == "2029-02-28");
  CHECK(rec.conditions(3).due_date() == "2028-02-29");
}

TEST_CASE("D06 approves a high, certain and stable total", "[evaluate][rules]") {
  // C04 = 4 and C05 = 3: 65.125 + 16 x .25 + 12 x .25 = 72.125 >= 70, C07 = 3.
  Case c = Np1();
  c.Set(kNp1Scores, Np1Scores({{"C04", {4, 4, 4, 4}}, {"C05", {3, 3, 3, 3}}}));
  auto r = c.Evaluate();
  INFO(c.errors);
  REQUIRE(r);
  const sc::Evaluation& rec = r->record;
  CHECK(Near(rec.aggregate().total(), 72.125, kRel));
  // Oracle for "stable": every +/-20% change of one weight, renormalised, keeps the total
  // >= 70 (nothing else D06 reads depends on the weights, and below 70 D07 would match).
  bool stable = true;
  const int n = rec.aggregate().contributions_size();
  for (int i = 0; i < n; ++i) {
    for (double f : {1.2, 0.8}) {
      double sum = 0, total = 0;
      for (int k = 0; k < n; ++k) {
        const double w = rec.aggregate().contributions(k).weight_normalised() * (k == i ? f : 1.0);
        sum += w;
        total += 100 * w * rec.aggregate().contributions(k).normalised_value();
      }
      stable = stable && total / sum >= 70;
    }
  }
  CHECK(stable);
  CHECK(rec.robustness().decision_stable_under_perturbation() == stable);
  CHECK(rec.proposed_outcome().outcome() == "APPROVE");
  CHECK(rec.proposed_outcome().rule_id() == "D06");
  CHECK(rec.conditions_size() == 0);
}

TEST_CASE("D02 sends a use outside the intended purpose to research", "[evaluate][rules]") {
  Case c = Np1();
  c.EditFile(kNp1Dossier, {{"  on_label: true", "  on_label: false"}});
  auto r = c.Evaluate();
  INFO(c.errors);
  REQUIRE(r);
  const sc::Evaluation& rec = r->record;
  const sc::GateResult& g = Gate(rec, "G01");
  CHECK_FALSE(g.passed());
  CHECK(g.on_fail() == "route_research");
  CHECK(g.rendered() ==
        "present(2029-03-31) && 2029-03-31 >= 2026-11-18 && 'MDR' in ['MDR', 'MDD_legacy', 'AIMDD_legacy'] && "
        "present(false) && false");
  CHECK(r->context["gates"]["failed_on"]["route_research"].dump() == R"(["G01"])");
  CHECK(rec.proposed_outcome().outcome() == "RESEARCH_ONLY");
  CHECK(rec.proposed_outcome().rule_id() == "D02");
}

TEST_CASE("D05 sends a class III device with very low certainty to research", "[evaluate][rules]") {
  // revision_10y very low: the lowest certainty of the critical outcomes is 1, so C07 = 1.
  Case c = Np1();
  c.EditFile(kNp1Dossier, {{"{outcome: revision_10y, grade: moderate,", "{outcome: revision_10y, grade: very_low,"}});
  auto r = c.Evaluate();
  INFO(c.errors);
  REQUIRE(r);
  CHECK(r->context["facts"]["lowest_certainty"] == 1);
  CHECK(r->context["facts"]["class_iii_or_implantable"] == true);
  CHECK(r->context["criteria"]["C07"] == 1);
  CHECK(r->record.proposed_outcome().outcome() == "RESEARCH_ONLY");
  CHECK(r->record.proposed_outcome().rule_id() == "D05");
}

TEST_CASE("D08 defers a middling total, with an evidence request due in six months", "[evaluate][rules]") {
  // C01, C02 and C03 unscored count as 0 (score_zero_no_credible_evidence): 65.125 - 6 - 3
  // - 5 = 51.125, in [40, 55).
  Case c = Np1();
  c.Set(kNp1Scores, Np1Scores({{"C01", {}}, {"C02", {}}, {"C03", {}}}));
  auto r = c.Evaluate();
  INFO(c.errors);
  REQUIRE(r);
  const sc::Evaluation& rec = r->record;
  CHECK(Near(rec.aggregate().total(), 51.125, kRel));
  CHECK(Contribution(rec, "C01").normalised_value() == 0);
  CHECK_FALSE(Contribution(rec, "C01").excluded());
  CHECK(rec.proposed_outcome().outcome() == "DEFER");
  CHECK(rec.proposed_outcome().rule_id() == "D08");
  REQUIRE(rec.conditions_size() == 1);
  CHECK(rec.conditions(0).type() == "evidence_request");
  CHECK(rec.conditions(0).due_date() == "2027-05-18");
  CHECK(rec.conditions(0).owner() == "requester");
  CHECK(rec.conditions(0).indicator() == "comparative data on the critical outcomes");
}

TEST_CASE("D05B defers when a criterion whose missing policy is block has no score", "[evaluate][rules][missing]") {
  Case c = Np1();
  c.EditFile(kNp1Criteria, {{"      weight: 3\n      missing: exclude_and_renormalise\n    C13:",
                             "      weight: 3\n      missing: block\n    C13:"}});
  c.Set(kNp1Scores, Np1Scores({{"C12", {}}}));
  auto r = c.Evaluate();
  INFO(c.errors);
  REQUIRE(r);
  CHECK(r->context["mcda"]["total"].is_null());
  CHECK(r->context["mcda"]["blocked"] == true);
  CHECK(r->context["mcda"]["blocked_by"] == "C12");
  CHECK(r->record.proposed_outcome().outcome() == "DEFER");
  CHECK(r->record.proposed_outcome().rule_id() == "D05B");
}

TEST_CASE("D04 rejects a device less safe than its comparator", "[evaluate][rules]") {
  Case c = Np1();
  c.Set(kNp1Scores, Np1Scores({{"C05", {1, 1, 1, 1}}}));
  auto r = c.Evaluate();
  INFO(c.errors);
  REQUIRE(r);
  CHECK(r->record.proposed_outcome().outcome() == "REJECT");
  CHECK(r->record.proposed_outcome().rule_id() == "D04");
  CHECK(Reasons(r->record, "rule")[0] == "D04 (REJECT): less safe or less effective than the comparator [1 == 1 || criteria.C04 == 1]");
}

TEST_CASE("D09 rejects a low total", "[evaluate][rules]") {
  // Everything the members score is 0 except C04 = C05 = 2 (so D04 does not match):
  // C04 16 x .5 + C05 12 x .5 + C07 10 x .75 + C09 10 x .75 + C10 8 x .25 = 31 < 40.
  Case c = Np1();
  c.Set(kNp1Scores, Np1Scores({{"C01", {0, 0, 0, 0}}, {"C02", {0, 0, 0, 0}}, {"C03", {0, 0, 0, 0}},
                               {"C04", {2, 2, 2, 2}}, {"C05", {2, 2, 2, 2}}, {"C06", {0, 0, 0, 0}},
                               {"C08", {0, 0, 0, 0}}, {"C11", {0, 0, 0, 0}}, {"C12", {0, 0, 0, 0}},
                               {"C13", {0, 0, 0, 0}}}));
  auto r = c.Evaluate();
  INFO(c.errors);
  REQUIRE(r);
  CHECK(Near(r->record.aggregate().total(), 31, kRel));
  CHECK(r->record.proposed_outcome().outcome() == "REJECT");
  CHECK(r->record.proposed_outcome().rule_id() == "D09");
}

TEST_CASE("G08 refers a first-year cost above the committee's authority (D03)", "[evaluate][rules]") {
  // 600 procedures in year 1: 677.43 x 600 + 6000 + 4500 - .6 x 460.98 x 600 = 251005.2 >
  // 250000.
  Case c = Np1();
  c.EditFile(kNp1Dossier, {{"{year: 1, patients: 180, procedures: 180,", "{year: 1, patients: 600, procedures: 600,"}});
  auto r = c.Evaluate();
  INFO(c.errors);
  REQUIRE(r);
  const sc::GateResult& g = Gate(r->record, "G08");
  CHECK_FALSE(g.passed());
  CHECK(g.on_fail() == "refer");
  CHECK(g.message() == "the first-year budget impact exceeds the committee's authority");
  // Operands and rendering show the computed double exactly (shortest round trip), so the
  // hand value is compared numerically.
  CHECK_THAT(g.rendered(), Catch::Matchers::EndsWith(" <= 250000"));
  REQUIRE(g.inputs_size() == 3);
  CHECK(g.inputs(1).path() == "bia.hospital.year1");
  CHECK(Near(std::stod(g.inputs(1).value()), 251005.2, 1e-12));
  CHECK(g.inputs(2).path() == "parameters.budget_authority_eur");
  CHECK(g.inputs(2).value() == "250000");
  CHECK(g.rendered().find("|| " + g.inputs(1).value() + " <= 250000") != std::string::npos);
  CHECK(r->context["gates"]["failed_on"]["refer"].dump() == R"(["G08"])");
  CHECK(r->record.proposed_outcome().outcome() == "REFER");
  CHECK(r->record.proposed_outcome().rule_id() == "D03");
}

TEST_CASE("D01 returns a dossier without an RDM number as inadmissible", "[evaluate][rules]") {
  // G02 (incomplete) fails, and so does G03: device.rdm_number is required at hospital level.
  Case c = Np1();
  c.EditFile(kNp1Dossier, {{"  rdm_number: 2345678\n", ""}});
  auto r = c.Evaluate();
  INFO(c.errors);
  REQUIRE(r);
  CHECK(r->context["gates"]["failed_on"]["incomplete"].dump() == R"(["G02","G03"])");
  CHECK(r->record.completeness().missing_required_size() == 1);
  CHECK(r->record.completeness().missing_required(0) == "device.rdm_number");
  CHECK(r->record.proposed_outcome().outcome() == "INADMISSIBLE");
  CHECK(r->record.proposed_outcome().rule_id() == "D01");
}

TEST_CASE("When two rules are true the first in the list decides", "[evaluate][rules]") {
  // Off-label (D02 true) and less safe (D04 true): D02 comes first.
  Case c = Np1();
  c.EditFile(kNp1Dossier, {{"  on_label: true", "  on_label: false"}});
  c.Set(kNp1Scores, Np1Scores({{"C05", {1, 1, 1, 1}}}));
  auto r = c.Evaluate();
  INFO(c.errors);
  REQUIRE(r);
  CHECK(r->context["gates"]["G01"]["passed"] == false);  // D02's condition holds
  CHECK(r->context["criteria"]["C05"] == 1);              // and so does D04's
  CHECK(r->record.proposed_outcome().rule_id() == "D02");
  CHECK(r->record.proposed_outcome().outcome() == "RESEARCH_ONLY");
}

// ---------------------------------------------------------------------------------------
// 3. Weighting methods

const char kApproveAll[] = "decision_rules:\n  D1: {condition: \"true\", outcome: APPROVE}\n";

// The criteria set `text` as loaded (it must load).
std::optional<en::LoadedCriteria> LoadCriteriaText(const std::string& text, std::string* errors) {
  en::MemoryFileSystem fs;
  fs.Add("c.yaml", text);
  en::Diagnostics diag;
  auto cs = en::LoadCriteria(fs, "c.yaml", &diag);
  *errors = diag.Format();
  return cs;
}

TEST_CASE("Direct rating weights are the ratings over their sum", "[evaluate][weights]") {
  // 80, 40, 20: w = 80/140, 40/140, 20/140 = 4/7, 2/7, 1/7.
  std::string errors;
  auto cs = LoadCriteriaText(std::string(kHead) + kApproveAll +
                                 Mcda("direct_rating", "consensus", Crit("A", "EFF", 80) + Crit("B", "SAF", 40) + Crit("C", "ECO", 20)),
                             &errors);
  INFO(errors);
  REQUIRE(cs);
  const std::vector<double> w = en::NormaliseWeights(cs->proto);
  REQUIRE(w.size() == 3);
  CHECK(Near(w[0], 4.0 / 7, kRel));
  CHECK(Near(w[1], 2.0 / 7, kRel));
  CHECK(Near(w[2], 1.0 / 7, kRel));
}

TEST_CASE("Point allocation weights are the points over the total, which they must match", "[evaluate][weights]") {
  std::string errors;
  auto cs = LoadCriteriaText(std::string(kHead) + kApproveAll +
                                 Mcda("point_allocation", "consensus", Crit("A", "EFF", 60) + Crit("B", "SAF", 30) + Crit("C", "ECO", 10)),
                             &errors);
  INFO(errors);
  REQUIRE(cs);
  std::vector<double> w = en::NormaliseWeights(cs->proto);
  CHECK(Near(w[0], 0.6, kRel));
  CHECK(Near(w[1], 0.3, kRel));
  CHECK(Near(w[2], 0.1, kRel));
  // Ten points shared 6, 3, 1: the same weights.
  cs = LoadCriteriaText(std::string(kHead) + kApproveAll +
                            Mcda("point_allocation", "consensus", Crit("A", "EFF", 6) + Crit("B", "SAF", 3) + Crit("C", "ECO", 1),
                                 ", total_points: 10"),
                        &errors);
  INFO(errors);
  REQUIRE(cs);
  w = en::NormaliseWeights(cs->proto);
  CHECK(Near(w[0], 0.6, kRel));
  CHECK(Near(w[1], 0.3, kRel));
  CHECK(Near(w[2], 0.1, kRel));
  // 60 + 30 + 20 = 110 points of 100: the criteria set does not load. The error is placed at
  // the value of mcda.criteria, its first entry on line 19 (kHead has 11 lines, the rule 2,
  // then mcda, method, scoring_mode, weight_elicitation, criteria), column 5.
  cs = LoadCriteriaText(std::string(kHead) + kApproveAll +
                            Mcda("point_allocation", "consensus", Crit("A", "EFF", 60) + Crit("B", "SAF", 30) + Crit("C", "ECO", 20)),
                        &errors);
  CHECK_FALSE(cs);
  CHECK(errors == "c.yaml:19:5: mcda.criteria: the weights sum to 110, but point allocation shares 100 points\n");
}

TEST_CASE("Hierarchical point allocation shares each domain's points among its criteria", "[evaluate][weights]") {
  // Domains EFF 60, ECO 40; criteria C1 EFF 30, C2 EFF 10, C3 ECO 5:
  //   w1 = .6 x 30/40 = .45, w2 = .6 x 10/40 = .15, w3 = .4 x 5/5 = .40.
  // Scores 4, 0, 2 of 4: total = 100 (.45 x 1 + .15 x 0 + .40 x .5) = 65.
  const std::string criteria = std::string(kHead) + kApproveAll +
                               Mcda("hierarchical_point_allocation", "consensus",
                                    Crit("C1", "EFF", 30) + Crit("C2", "EFF", 10) + Crit("C3", "ECO", 5),
                                    ", domains: {EFF: 60, ECO: 40}");
  Case c = Small(criteria, Consensus({{"C1", 4}, {"C2", 0}, {"C3", 2}}));
  auto r = c.Evaluate();
  INFO(c.errors);
  REQUIRE(r);
  REQUIRE(r->weights.size() == 3);
  CHECK(Near(r->weights[0], 0.45, kRel));
  CHECK(Near(r->weights[1], 0.15, kRel));
  CHECK(Near(r->weights[2], 0.40, kRel));
  const sc::Evaluation& rec = r->record;
  CHECK(rec.aggregate().weight_method() == "hierarchical_point_allocation");
  CHECK(Contribution(rec, "C1").weight_raw() == 30);
  CHECK(Near(Contribution(rec, "C3").weight_normalised(), 0.40, kRel));
  CHECK(Near(Contribution(rec, "C1").weighted_value(), 45, kRel));
  CHECK(Near(Contribution(rec, "C3").weighted_value(), 20, kRel));
  CHECK(Near(rec.aggregate().total(), 65, kRel));
}

// ---------------------------------------------------------------------------------------
// 4. Scoring modes

// X is scored by four voting members (8, 1, 4, 10), a non-voting member (0) and a recused
// one (9), with a consensus of 6; Y by three voting members (2, 9, 5), without consensus.
const char kModeScores[] = R"yaml(format: vaglio.scores/1
dossier_id: T-1
meeting_date: 2026-06-01
members:
  m1: {name: One, interest_outcome: no_conflict}
  m2: {name: Two, interest_outcome: no_conflict}
  m3: {name: Three, interest_outcome: conflict_manageable}
  m4: {name: Four, voting: true, interest_outcome: no_conflict}
  m5: {name: Five, voting: false, interest_outcome: no_conflict}
  m6: {name: Six, interest_outcome: recused}
scores:
  X:
    consensus: {score: 6, rationale: agreed after discussion}
    m1: {score: 8, rationale: good}
    m2: 1
    m3: 4
    m4: 10
    m5: 0
    m6: 9
  Y: {m1: 2, m2: 9, m3: 5}
)yaml";

std::string ModeCriterion(const std::string& id) {
  return "    " + id + ": {name: " + id +
         ", domain: EFF, kind: absolute, scale: {type: continuous, min: 0, max: 10}, weight: 1, "
         "missing: score_zero_no_credible_evidence}\n";
}

std::string ModeCriteria(const std::string& mode) {
  return std::string(kHead) + kApproveAll + Mcda("direct_rating", mode, ModeCriterion("X") + ModeCriterion("Y"));
}

TEST_CASE("Scores combine by median, mean or consensus, without non-voting or recused members", "[evaluate][scores]") {
  // Voting, not recused: X 8, 1, 4, 10 (sorted 1, 4, 8, 10); Y 2, 9, 5 (sorted 2, 5, 9).
  // Median X = (4 + 8) / 2 = 6, Y = 5; mean X = 23/4 = 5.75, Y = 16/3.
  // Type 7 quantiles, h = (n - 1) p: X Q1 at h = .75: 1 + .75 x 3 = 3.25, Q3 at h = 2.25:
  // 8 + .25 x 2 = 8.5, IQR 5.25, range 9. Y Q1 at h = .5: 2 + .5 x 3 = 3.5, Q3 at 1.5:
  // 5 + .5 x 4 = 7, IQR 3.5, range 7.
  struct ModeCase {
    std::string mode;
    std::optional<double> x, y;
    std::string x_source, y_source;
  };
  for (const ModeCase& mc : {ModeCase{"median", 6.0, 5.0, "median", "median"},
                             ModeCase{"mean", 5.75, 16.0 / 3, "mean", "mean"},
                             ModeCase{"consensus", 6.0, std::nullopt, "consensus", "missing"}}) {
    DYNAMIC_SECTION(mc.mode) {
      Case c = Small(ModeCriteria(mc.mode), kModeScores);
      auto r = c.Evaluate();
      INFO(c.errors);
      REQUIRE(r);
      REQUIRE(r->criterion_scores.size() == 2);
      const en::CriterionScore& x = r->criterion_scores[0];
      const en::CriterionScore& y = r->criterion_scores[1];
      CHECK(x.score.has_value() == mc.x.has_value());
      if (x.score && mc.x) CHECK(Near(*x.score, *mc.x, kRel));
      CHECK(y.score.has_value() == mc.y.has_value());
      if (y.score && mc.y) CHECK(Near(*y.score, *mc.y, kRel));
      CHECK(x.source == mc.x_source);
      CHECK(y.source == mc.y_source);
      // Spread, whatever the mode: the voting members' scores only.
      std::vector<std::string> who;
      for (const auto& m : x.members) who.push_back(m.member);
      CHECK(who == std::vector<std::string>{"m1", "m2", "m3", "m4"});
      CHECK(Near(x.range, 9, kRel));
      CHECK(Near(x.iqr, 5.25, kRel));
      CHECK(Near(y.range, 7, kRel));
      CHECK(Near(y.iqr, 3.5, kRel));
      // The record: each member's score, then the combined one.
      const sc::Evaluation& rec = r->record;
      REQUIRE(rec.scores_size() == 4 + 1 + 3 + 1);
      CHECK(rec.scores(0).member() == "m1");
      CHECK(rec.scores(0).rationale() == "good");
      CHECK(rec.scores(0).source() == "member");
      CHECK(rec.scores(4).member().empty());
      CHECK(rec.scores(4).source() == mc.x_source);
      CHECK(rec.scores(8).source() == mc.y_source);
      if (mc.mode == "consensus") CHECK(rec.scores(4).rationale() == "agreed after discussion");
      CHECK(rec.aggregate().scoring_mode() == mc.mode);
      // Robustness lists the spread of every criterion scored by two members or more.
      REQUIRE(rec.robustness().score_dispersion_size() == 2);
      CHECK(rec.robustness().score_dispersion(0).criterion_id() == "X");
      CHECK(Near(rec.robustness().score_dispersion(0).iqr(), 5.25, kRel));
    }
  }
}

// ---------------------------------------------------------------------------------------
// 5. Missing-data policies

// P (50 points), Q (30), R (20) scored 3, -, 2 of 4; Q's policy varies.
std::string MissingCriteria(const std::string& q_policy, const std::string& rules) {
  return std::string(kHead) + rules +
         Mcda("point_allocation", "consensus", Crit("P", "EFF", 50) + Crit("Q", "SAF", 30, q_policy) + Crit("R", "ECO", 20));
}

const char kMissingRules[] = R"yaml(decision_rules:
  D1: {condition: "mcda.blocked", outcome: DEFER}
  D2: {condition: "mcda.total >= 50", outcome: APPROVE}
  D3: {condition: "true", outcome: REJECT}
)yaml";

TEST_CASE("A missing score with score_zero_no_credible_evidence counts as the bottom of the scale", "[evaluate][missing]") {
  // 100 (.5 x .75 + .3 x 0 + .2 x .5) = 37.5 + 0 + 10 = 47.5 < 50: D3.
  Case c = Small(MissingCriteria("score_zero_no_credible_evidence", kMissingRules), Consensus({{"P", 3}, {"R", 2}}));
  auto r = c.Evaluate();
  INFO(c.errors);
  REQUIRE(r);
  const sc::Evaluation& rec = r->record;
  CHECK(Near(rec.aggregate().total(), 47.5, kRel));
  CHECK(Near(Contribution(rec, "Q").weight_normalised(), 0.3, kRel));
  CHECK(Contribution(rec, "Q").weighted_value() == 0);
  CHECK_FALSE(Contribution(rec, "Q").excluded());
  CHECK(r->context["criteria"]["Q"].is_null());
  CHECK(rec.scores(1).source() == "missing");
  CHECK(rec.proposed_outcome().rule_id() == "D3");
}

TEST_CASE("A missing score with exclude_and_renormalise drops the criterion and rescales the others", "[evaluate][missing]") {
  // Weights .5/.7 and .2/.7: contributions 100 x .5/.7 x .75 = 53.571428..., 100 x .2/.7 x
  // .5 = 14.285714...; total 67.857142... >= 50: D2.
  Case c = Small(MissingCriteria("exclude_and_renormalise", kMissingRules), Consensus({{"P", 3}, {"R", 2}}));
  auto r = c.Evaluate();
  INFO(c.errors);
  REQUIRE(r);
  const sc::Evaluation& rec = r->record;
  CHECK(Near(Contribution(rec, "P").weight_normalised(), 0.5 / 0.7, kRel));
  CHECK(Near(Contribution(rec, "R").weight_normalised(), 0.2 / 0.7, kRel));
  CHECK(Contribution(rec, "Q").weight_normalised() == 0);
  CHECK(Contribution(rec, "Q").excluded());
  CHECK(Near(Contribution(rec, "P").weighted_value(), 100 * 0.5 / 0.7 * 0.75, kRel));
  CHECK(Near(Contribution(rec, "R").weighted_value(), 100 * 0.2 / 0.7 * 0.5, kRel));
  CHECK(Near(rec.aggregate().total(), 67.857142857142857, kRel));
  CHECK(rec.proposed_outcome().rule_id() == "D2");
}

TEST_CASE("A missing score with block leaves no total, and a rule reading mcda.blocked fires", "[evaluate][missing]") {
  Case c = Small(MissingCriteria("block", kMissingRules), Consensus({{"P", 3}, {"R", 2}}));
  auto r = c.Evaluate();
  INFO(c.errors);
  REQUIRE(r);
  CHECK(r->context["mcda"]["total"].is_null());
  CHECK(r->context["mcda"]["blocked"] == true);
  CHECK(r->context["mcda"]["blocked_by"] == "Q");
  CHECK(r->aggregation.blocked == "Q");
  CHECK(r->record.proposed_outcome().outcome() == "DEFER");
  CHECK(r->record.proposed_outcome().rule_id() == "D1");
  // No weights to perturb without a total.
  CHECK(r->record.robustness().perturbation_flips_size() == 0);
  CHECK_FALSE(r->record.robustness().min_weight_change_found());
}

TEST_CASE("A rule comparing a blocked total is an error that names the criterion", "[evaluate][missing]") {
  Case c = Small(MissingCriteria("block", "decision_rules:\n  D1: {condition: \"mcda.total >= 50\", outcome: APPROVE}\n"
                                           "  D2: {condition: \"true\", outcome: REJECT}\n"),
                 Consensus({{"P", 3}, {"R", 2}}));
  CHECK_FALSE(c.Evaluate());
  CHECK_THAT(c.errors, Catch::Matchers::Contains(
                           "decision_rules.D1.condition: mcda.total is null (no total: Q has no score and its missing "
                           "policy is block), but '>=' needs a number"));
}

// ---------------------------------------------------------------------------------------
// 6. Value functions and computed criteria

sc::ValueFunction Vf(const std::string& type, const std::vector<std::pair<double, double>>& points) {
  sc::ValueFunction vf;
  vf.set_type(type);
  for (const auto& [x, v] : points) {
    sc::Row* row = vf.add_points();
    row->add_values(x);
    row->add_values(v);
  }
  return vf;
}

TEST_CASE("Value functions interpolate between their points and are flat beyond the ends", "[evaluate][value_function]") {
  // Piecewise (0, 0) (2, 1) (5, 3) (10, 4): at 1, 0 + 1/2 x 1 = .5; at 3.5, 1 + 1.5/3 x 2 =
  // 2; at 7, 3 + 2/5 x 1 = 3.4; below 0 the first value, above 10 the last.
  const sc::ValueFunction pw = Vf("piecewise", {{0, 0}, {2, 1}, {5, 3}, {10, 4}});
  const std::vector<std::pair<double, double>> pw_expected = {{-1, 0}, {0, 0}, {1, 0.5}, {2, 1},
                                                              {3.5, 2}, {7, 3.4}, {10, 4}, {15, 4}};
  for (const auto& [x, v] : pw_expected) {
    INFO("piecewise at " << x);
    CHECK(Near(en::ValueFunctionAt(pw, x), v, kRel, 1e-15));
  }
  // Linear (0, 0) (10, 4): the line v = .4 x, held at 0 below and 4 above.
  const sc::ValueFunction lin = Vf("linear", {{0, 0}, {10, 4}});
  for (const auto& [x, v] : std::vector<std::pair<double, double>>{{-3, 0}, {2.5, 1}, {7.5, 3}, {12, 4}}) {
    INFO("linear at " << x);
    CHECK(Near(en::ValueFunctionAt(lin, x), v, kRel, 1e-15));
  }
  // A decreasing function (more cost, less value): (0, 4) (5000, 3) (20000, 0).
  const sc::ValueFunction dec = Vf("piecewise", {{0, 4}, {5000, 3}, {20000, 0}});
  CHECK(Near(en::ValueFunctionAt(dec, 8000), 2.4, kRel));
  CHECK(Near(en::ValueFunctionAt(dec, 25000), 0, kRel, 1e-15));
}

TEST_CASE("A criterion with a value function is scored from the quantity its input reads", "[evaluate][value_function]") {
  // The small dossier's year-1 budget impact for the hospital: 100 procedures x 100 - .5 x
  // 100 x 40 = 8000; value (0, 4) (5000, 3) (20000, 0) at 8000: 3 - 3000/15000 x 3 = 2.4,
  // normalised 2.4/4 = .6; with B scored 4 and equal weights the total is 100 (.5 x .6 +
  // .5 x 1) = 80.
  const std::string v =
      "    V: {name: V, domain: ECO, kind: absolute, scale: {type: continuous, min: 0, max: 4}, weight: 1, "
      "missing: score_zero_no_credible_evidence, value_function: {type: piecewise, input: bia.hospital.year1, "
      "points: [[0, 4], [5000, 3], [20000, 0]]}}\n";
  Case c = Small(std::string(kHead) + kApproveAll + Mcda("direct_rating", "consensus", v + Crit("B", "EFF", 1)),
                 Consensus({{"B", 4}}));
  auto r = c.Evaluate();
  INFO(c.errors);
  REQUIRE(r);
  CHECK(Near(r->context["bia"]["hospital"]["year1"].get<double>(), 8000, kRel));
  REQUIRE(r->criterion_scores[0].score);
  CHECK(Near(*r->criterion_scores[0].score, 2.4, kRel));
  CHECK(r->criterion_scores[0].source == "computed");
  CHECK(r->criterion_scores[0].rationale == "computed: 8000");
  CHECK(Near(Contribution(r->record, "V").normalised_value(), 0.6, kRel));
  CHECK(Near(r->record.aggregate().total(), 80, kRel));
}

TEST_CASE("A computed C07 is the lowest GRADE certainty of the critical outcomes", "[evaluate][computed]") {
  const std::string criteria =
      std::string(kHead) + kApproveAll +
      Mcda("direct_rating", "consensus", Crit("C07", "EFF", 1, "score_zero_no_credible_evidence", ", computed: facts.lowest_certainty"));
  struct CertaintyCase {
    std::string name;
    Edits edits;
    double c07;
  };
  // The small dossier: healing (critical) high = 4, pain (important) very low, not counted.
  const std::vector<CertaintyCase> cases = {
      {"only critical outcomes count", {}, 4},
      {"the lowest critical grade", {{"{outcome: healing, grade: high}", "{outcome: healing, grade: low}"}}, 2},
      {"a critical outcome without a grade gives 0",
       {{"    - {name: pain, importance: important}", "    - {name: pain, importance: important}\n    - {name: death, importance: critical}"}},
       0},
      {"an important outcome made critical counts",
       {{"{name: pain, importance: important}", "{name: pain, importance: critical}"}},
       1},
  };
  for (const CertaintyCase& cc : cases) {
    DYNAMIC_SECTION(cc.name) {
      Case c = Small(criteria);
      c.EditFile(kSmallDossier, cc.edits);
      auto r = c.Evaluate();
      INFO(c.errors);
      REQUIRE(r);
      CHECK(r->context["facts"]["lowest_certainty"] == cc.c07);
      REQUIRE(r->criterion_scores[0].score);
      CHECK(*r->criterion_scores[0].score == cc.c07);
      CHECK(r->criterion_scores[0].source == "computed");
    }
  }
}

// The small dossier with the THR model of Briggs et al. (2006) as its economic analysis;
// `rate` is the exchange rate to write ("" for none).
void AddThr(Case* c, const std::string& rate, const std::string& model = "../../../examples/thr/thr.model.yaml") {
  std::string a = "economic_analyses:\n  - {type: cua, perspective: ssn, model: ";
  a += model;
  a += ", device_strategy: np1, comparator_strategy: standard, price_parameter: c_np1";
  if (!rate.empty()) {
    a += ", exchange_rate: ";
    a += rate;
  }
  a += "}\n";
  c->Set(kSmallDossier, c->fs.files().at(kSmallDossier) + a);
}

// The example's C09, verbatim from examples/np1/irccs.criteria.yaml.
const char kC09[] = R"yaml(    C09:
      name: Cost-effectiveness
      domain: ECO
      kind: comparative
      scale: {type: ordinal, min: 0, max: 4, levels: [{value: 0}, {value: 1}, {value: 2}, {value: 3}, {value: 4}]}
      computed: >-
        !economics.available ? null
        : economics.dominant ? 4
        : economics.dominated ? 1
        : economics.status != 'more_costly_more_effective' ? 2
        : economics.icer <= wtp.lower ? 3
        : economics.icer <= wtp.upper ? 2 : 1
      weight: 10
      missing: score_zero_no_credible_evidence
)yaml";

TEST_CASE("A computed C09 follows the ICER bands of the thresholds", "[evaluate][computed][economics]") {
  // The THR model at 6% / 1.5% and an exchange rate of 1: ICER 2198.486665 (published).
  struct BandCase {
    std::string name, lower, upper;
    double c09;
  };
  for (const BandCase& bc : {BandCase{"below the lower threshold", "2500", "3000", 3},
                             BandCase{"between the thresholds", "2000", "2500", 2},
                             BandCase{"above the upper threshold", "1000", "2000", 1}}) {
    DYNAMIC_SECTION(bc.name) {
      Case c = Small(Edit(std::string(kHead), {{"{lower: 20000, upper: 30000}", "{lower: " + bc.lower + ", upper: " + bc.upper + "}"}}) +
                     kApproveAll + Mcda("direct_rating", "consensus", kC09));
      AddThr(&c, "1");
      auto r = c.Evaluate();
      INFO(c.errors);
      REQUIRE(r);
      CHECK(Near(r->context["economics"]["icer"].get<double>(), 2198.486665, kPublished));
      CHECK(r->context["criteria"]["C09"] == bc.c09);
    }
  }
  SECTION("dominant") {
    // NP1 at 300 GBP: its cost is 610.3118178 - 579 + 300 = 331.3118178 (the price is an
    // undiscounted start cost), less than the standard's 512.4346583, with more QALYs:
    // dC = -181.1228405, dominant, C09 = 4, no ICER.
    Case c = Small(std::string(kHead) + kApproveAll + Mcda("direct_rating", "consensus", kC09));
    c.EditFile(kThrModel, {{"c_np1: {value: 579,", "c_np1: {value: 300,"}});
    AddThr(&c, "1");
    auto r = c.Evaluate();
    INFO(c.errors);
    REQUIRE(r);
    CHECK(Near(r->record.economics().delta_cost(), 331.3118178 - 512.4346583, kPublished));
    CHECK(r->context["economics"]["status"] == "dominant");
    CHECK(r->context["economics"]["icer"].is_null());
    CHECK(r->context["criteria"]["C09"] == 4);
  }
  SECTION("no model: missing, counted as 0") {
    Case c = Small(std::string(kHead) + kApproveAll + Mcda("direct_rating", "consensus", kC09));
    auto r = c.Evaluate();
    INFO(c.errors);
    REQUIRE(r);
    CHECK(r->context["economics"]["available"] == false);
    CHECK(r->context["criteria"]["C09"].is_null());
    CHECK(r->criterion_scores[0].source == "missing");
    CHECK(r->record.aggregate().total() == 0);
  }
}

// ---------------------------------------------------------------------------------------
// 7. Robustness

// A (50 points) scored 4 and B (50) scored 0: total = 100 wA = 50. APPROVE needs the total
// >= T and a stable decision; otherwise >= T gives APPROVE_WITH_CONDITIONS.
std::string RobustCriteria(double threshold, const std::string& sensitivity = "") {
  std::string rules = "decision_rules:\n  D1: {condition: \"mcda.total >= ";
  rules += Num(threshold);
  rules += " && robustness.stable\", outcome: APPROVE}\n  D2: {condition: \"mcda.total >= ";
  rules += Num(threshold);
  rules += "\", outcome: APPROVE_WITH_CONDITIONS}\n  D3: {condition: \"true\", outcome: REJECT}\n";
  return std::string(kHead) + rules + sensitivity +
         Mcda("point_allocation", "consensus", Crit("A", "EFF", 50) + Crit("B", "SAF", 50));
}

TEST_CASE("A 20% cut of one weight that flips the outcome makes the decision not robust", "[evaluate][robustness]") {
  // T = 45. A -20%: wA = .4 / (.4 + .5) = .4444, total 44.44 < 45: REJECT instead of
  // APPROVE. A +20%: .6/1.1 = .545; B +20%: wA = .5/1.1 = .4545 (45.45); B -20%: .5/.9:
  // no flip. Smallest flip: A cut by c with (1 - c)/(2 - c) < .45, i.e. c > 2/11 =
  // 18.1818%; B raised by c with 1/(2 + c) < .45 needs c > 22.2%; so A, -18.18%.
  Case c = Small(RobustCriteria(45), Consensus({{"A", 4}, {"B", 0}}));
  auto r = c.Evaluate();
  INFO(c.errors);
  REQUIRE(r);
  const sc::Evaluation& rec = r->record;
  const sc::Robustness& rb = rec.robustness();
  CHECK(Near(rec.aggregate().total(), 50, kRel));
  CHECK_FALSE(rb.decision_stable_under_perturbation());
  CHECK_FALSE(rb.robust());
  CHECK(rb.perturbation_pct() == 20);
  REQUIRE(rb.perturbation_flips_size() == 1);
  CHECK(rb.perturbation_flips(0).criterion_id() == "A");
  CHECK(rb.perturbation_flips(0).change_pct() == -20);
  CHECK(rb.perturbation_flips(0).outcome() == "REJECT");
  REQUIRE(rb.min_weight_change_found());
  CHECK(rb.min_weight_change_criterion() == "A");
  const double exact = -100.0 * 2 / 11;
  CHECK(rb.min_weight_change_to_flip_pct() < exact);             // a change that flips...
  CHECK(rb.min_weight_change_to_flip_pct() >= exact - 0.01);     // ...within the bisection's 0.01
  CHECK(r->context["robustness"]["min_weight_change_pct"] == rb.min_weight_change_to_flip_pct());
  // Not stable: D1 fails on robustness.stable and D2 decides.
  CHECK(r->context["robustness"]["stable"] == false);
  CHECK(rec.proposed_outcome().rule_id() == "D2");
  CHECK(HasFlag(rec, "not robust"));
  CHECK(Reasons(rec, "robustness") ==
        std::vector<std::string>{"not robust: the outcome changes when one weight changes by 20% (A -20% gives REJECT); "
                                 "the committee must record an explicit deliberation reason"});
}

TEST_CASE("A decision that no 20% change of one weight flips is stable, with its smallest flip", "[evaluate][robustness]") {
  // T = 30: +/-20% keeps wA in [.444, .556], total >= 44 >= 30. Smallest flip: A cut by c
  // with (1 - c)/(2 - c) < .3: c > 4/7 = 57.142857%; B raised by c: 1/(2 + c) < .3: c >
  // 133.3%.
  Case c = Small(RobustCriteria(30), Consensus({{"A", 4}, {"B", 0}}));
  auto r = c.Evaluate();
  INFO(c.errors);
  REQUIRE(r);
  const sc::Robustness& rb = r->record.robustness();
  CHECK(rb.decision_stable_under_perturbation());
  CHECK(rb.robust());
  CHECK(rb.perturbation_flips_size() == 0);
  REQUIRE(rb.min_weight_change_found());
  CHECK(rb.min_weight_change_criterion() == "A");
  const double exact = -100.0 * 4 / 7;
  CHECK(rb.min_weight_change_to_flip_pct() < exact);
  CHECK(rb.min_weight_change_to_flip_pct() >= exact - 0.01);
  CHECK(r->record.proposed_outcome().rule_id() == "D1");
  CHECK_FALSE(HasFlag(r->record, "not robust"));
  CHECK(Reasons(r->record, "robustness").empty());
}

TEST_CASE("Random weights give outcome shares that sum to 1 and repeat with the seed", "[evaluate][robustness]") {
  const std::string sens = "sensitivity: {random_weight_draws: 2000, random_weight_concentration: 100, seed: 11}\n";
  Case c = Small(RobustCriteria(45, sens), Consensus({{"A", 4}, {"B", 0}}));
  auto r = c.Evaluate();
  INFO(c.errors);
  REQUIRE(r);
  const sc::Robustness& rb = r->record.robustness();
  CHECK(rb.random_weight_draws() == 2000);
  // Oracle: draw i takes gA, gB ~ Gamma(100 x .5) from the uniforms of Rng::ForDraw(11, i);
  // with robustness taken as met, the outcome is APPROVE when 100 gA/(gA + gB) >= 45, else
  // REJECT.
  const vaglio::models::Distribution gamma50{vaglio::models::DistFamily::kGamma, 50, 1, 0};
  int approve = 0;
  for (int i = 0; i < 2000; ++i) {
    vaglio::models::Rng rng = vaglio::models::Rng::ForDraw(11, static_cast<uint64_t>(i));
    const double ga = gamma50.Quantile(rng.Uniform());
    const double gb = gamma50.Quantile(rng.Uniform());
    approve += 100 * ga / (ga + gb) >= 45;
  }
  REQUIRE(rb.random_weights_size() == 2);
  CHECK(rb.random_weights(0).outcome() == "APPROVE");
  CHECK(rb.random_weights(1).outcome() == "REJECT");
  CHECK(rb.random_weights(0).probability() == approve / 2000.0);
  CHECK(rb.random_weights(1).probability() == (2000 - approve) / 2000.0);
  CHECK(Near(rb.random_weights(0).probability() + rb.random_weights(1).probability(), 1, 1e-15));
  // wA ~ Beta(50, 50): P(wA < .45) = I_.45(50, 50), about .16; the share is within 5
  // standard errors of it.
  const double p_reject = vaglio::models::Distribution{vaglio::models::DistFamily::kBeta, 50, 50, 0}.Cdf(0.45);
  CHECK(std::fabs(rb.random_weights(1).probability() - p_reject) < 5 * std::sqrt(p_reject * (1 - p_reject) / 2000));
  // The same seed again: the same record.
  auto again = c.Evaluate();
  REQUIRE(again);
  CHECK(en::RecordJson(again->record) == en::RecordJson(r->record));
}

TEST_CASE("Members' scores spanning 2 points on a criterion of weight 10% or more are not robust", "[evaluate][robustness]") {
  // H (10 points, the boundary) scored 1 and 3: range 2, flagged. M (85) 2 and 3: range 1.
  // L (5) 0 and 4: range 4 but weight 5% < 10%. Type 7 IQR of two scores a < b: (b - a)/2.
  const std::string criteria = std::string(kHead) + kApproveAll +
                               Mcda("point_allocation", "median", Crit("H", "EFF", 10) + Crit("M", "SAF", 85) + Crit("L", "ECO", 5));
  Case c = Small(criteria, Members("T-1", "2026-06-01", 2, {{"H", {1, 3}}, {"M", {2, 3}}, {"L", {0, 4}}}));
  auto r = c.Evaluate();
  INFO(c.errors);
  REQUIRE(r);
  const sc::Robustness& rb = r->record.robustness();
  CHECK(rb.decision_stable_under_perturbation());
  CHECK_FALSE(rb.robust());
  REQUIRE(rb.score_dispersion_size() == 3);
  const std::vector<std::tuple<std::string, double, double>> expected = {{"H", 2, 1}, {"M", 1, 0.5}, {"L", 4, 2}};
  for (int i = 0; i < 3; ++i) {
    CHECK(rb.score_dispersion(i).criterion_id() == std::get<0>(expected[i]));
    CHECK(Near(rb.score_dispersion(i).range(), std::get<1>(expected[i]), kRel));
    CHECK(Near(rb.score_dispersion(i).iqr(), std::get<2>(expected[i]), kRel));
  }
  CHECK(r->context["robustness"]["dispersed"].dump() == R"(["H"])");
  CHECK(HasFlag(r->record, "not robust"));
  CHECK(Reasons(r->record, "robustness") ==
        std::vector<std::string>{"not robust: members' scores of H span 2 points; the committee must record an explicit "
                                 "deliberation reason"});
}

// ---------------------------------------------------------------------------------------
// 8. Budget impact

TEST_CASE("BudgetImpact adds each cost basis by year, carries volumes forward and nets the tariff", "[evaluate][bia]") {
  namespace m = vaglio::models;
  m::BiaInputs in;
  in.horizon_years = 4;
  in.extra_tariff_per_procedure = 30;
  in.items = {
      {"device", true, 100, 2, m::CostBasis::kPerProcedure, {}},
      {"kit", true, 50, 1, m::CostBasis::kPerPatient, {}},
      {"service", true, 1000, 1, m::CostBasis::kPerYear, {}},
      {"install", true, 5000, 1, m::CostBasis::kOneOff, {}},
      {"upgrade", true, 300, 1, m::CostBasis::kPerYear, {2, 3}},
      {"sutures", false, 80, 1, m::CostBasis::kPerProcedure, {}},
  };
  in.volumes = {{3, 20, 25, 1.0}, {1, 10, 12, 0.5}};  // out of order; years 2 and 4 missing
  // Year 1 (10 patients, 12 procedures, 50% displaced):
  //   intervention 100 x 2 x 12 + 50 x 10 + 1000 + 5000 = 8900; displaced .5 x 80 x 12 =
  //   480; tariff 30 x 12 = 360; hospital 8900 - 480 - 360 = 8060; SSN 8900 - 480 = 8420.
  // Year 2 (year 1's volumes): 2400 + 500 + 1000 + 300 = 4200; 480; 360: 3360; SSN 3720.
  // Year 3 (20, 25, 100%): 100 x 2 x 25 + 50 x 20 + 1000 + 300 = 7300; 80 x 25 = 2000;
  //   30 x 25 = 750: 4550; SSN 5300.
  // Year 4 (year 3's volumes, no upgrade): 7000; 2000; 750: 4250; SSN 5000.
  // Totals: hospital 8060 + 3360 + 4550 + 4250 = 20220; SSN 22440.
  auto res = m::BudgetImpact(in);
  REQUIRE(res.ok());
  const m::BiaResult& b = res.value();
  const std::vector<std::array<double, 4>> hospital = {
      {8900, 480, 360, 8060}, {4200, 480, 360, 3360}, {7300, 2000, 750, 4550}, {7000, 2000, 750, 4250}};
  const std::vector<double> ssn = {8420, 3720, 5300, 5000};
  REQUIRE(b.hospital.size() == 4);
  REQUIRE(b.ssn.size() == 4);
  for (size_t y = 0; y < 4; ++y) {
    INFO("year " << y + 1);
    CHECK(b.hospital[y].year == static_cast<int>(y) + 1);
    CHECK(Near(b.hospital[y].intervention, hospital[y][0], kRel));
    CHECK(Near(b.hospital[y].displaced, hospital[y][1], kRel));
    CHECK(Near(b.hospital[y].tariff_income, hospital[y][2], kRel));
    CHECK(Near(b.hospital[y].net, hospital[y][3], kRel));
    CHECK(b.ssn[y].tariff_income == 0);
    CHECK(Near(b.ssn[y].net, ssn[y], kRel));
  }
  CHECK(Near(b.total_hospital, 20220, kRel));
  CHECK(Near(b.total_ssn, 22440, kRel));
  CHECK(b.carried_years == std::vector<int>{2, 4});
}

TEST_CASE("BudgetImpact reports inputs it cannot use", "[evaluate][bia]") {
  namespace m = vaglio::models;
  m::BiaInputs in;
  in.horizon_years = 2;
  in.items = {{"costs[0]", true, -1, 1, m::CostBasis::kPerYear, {}}};
  in.volumes = {{2, 1, 1, 1.5}};
  auto res = m::BudgetImpact(in);
  REQUIRE_FALSE(res.ok());
  std::vector<std::string> messages;
  for (const auto& i : res.status().issues()) messages.push_back(i.path + ": " + i.message);
  CHECK(messages == std::vector<std::string>{
                        "costs[0]: unit cost -1 and quantity 1 must both be >= 0",
                        "volumes: the share of the comparator displaced in year 2 is 1.5, but must be in [0, 1]",
                        "volumes: no volumes for budget year 1, but the budget impact starts there"});
}

// The small dossier's costs and volumes replaced: every basis, a purchase, an extra tariff,
// year 2 missing.
const char kBiaCosts[] = R"yaml(costs:
  - {id: device, category: consumable_per_use, applies_to: intervention, unit_cost: 100, basis: per_procedure, quantity: 2, source: quote}
  - {id: kit, category: consumable_per_use, applies_to: intervention, unit_cost: 50, basis: per_patient, source: quote}
  - {id: service, category: maintenance, applies_to: intervention, unit_cost: 1000, basis: per_year, source: quote}
  - {id: install, category: installation_works, applies_to: intervention, unit_cost: 5000, basis: one_off, source: quote}
  - {id: console, category: purchase, applies_to: intervention, unit_cost: 20000, basis: one_off, source: quote}
  - {id: sutures, category: consumable_per_use, applies_to: comparator, unit_cost: 80, basis: per_procedure, source: tender}
acquisition_mode: MODE
reimbursement: {tariff: {amount: 30, currency: EUR}, extra_tariff_cost: true}
volumes:
  - {year: 1, patients: 10, procedures: 12, comparator_displaced_pct: 50}
  - {year: 3, patients: 50, procedures: 60, comparator_displaced_pct: 100}
)yaml";

Case BiaCase(const std::string& mode) {
  Case c = Small(std::string(kHead) + kApproveAll + Mcda("direct_rating", "consensus", Crit("A", "EFF", 1)));
  const std::string& d = c.fs.files().at(kSmallDossier);
  const size_t from = d.find("costs:\n"), to = d.find("interest_declarations:");
  REQUIRE(from != std::string::npos);
  REQUIRE(to != std::string::npos);
  std::string text = d.substr(0, from) + Edit(kBiaCosts, {{"MODE", mode}}) + d.substr(to);
  c.Set(kSmallDossier, text);
  return c;
}

TEST_CASE("The evaluation's budget impact follows the dossier's costs and volumes", "[evaluate][bia]") {
  // Year 1: 100 x 2 x 12 + 50 x 10 + 1000 + 5000 (+ 20000 purchase) = 8900 (28900);
  //   displaced .5 x 80 x 12 = 480; extra tariff 30 x 12 = 360 (hospital only).
  // Year 2 (year 1's volumes): 2400 + 500 + 1000 = 3900; 480; 360.
  // Year 3 (50 patients, 60 procedures, 100%): 12000 + 2500 + 1000 = 15500; 4800; 1800.
  // Hospital: 8060 (28060), 3060, 8900; SSN: 8420 (28420), 3420, 10700.
  struct ModeCase {
    std::string mode;
    double y1_hospital, y1_ssn;
    bool purchase_dropped;
  };
  for (const ModeCase& mc : {ModeCase{"purchase", 28060, 28420, false},
                             ModeCase{"free_loan_with_consumables", 8060, 8420, true}}) {
    DYNAMIC_SECTION(mc.mode) {
      Case c = BiaCase(mc.mode);
      auto r = c.Evaluate();
      INFO(c.errors);
      REQUIRE(r);
      const sc::Economics& e = r->record.economics();
      REQUIRE(e.bia_size() == 2);
      CHECK(e.bia(0).perspective() == "hospital");
      CHECK(e.bia(1).perspective() == "ssn");
      const std::vector<double> hospital = {mc.y1_hospital, 3060, 8900}, ssn = {mc.y1_ssn, 3420, 10700};
      REQUIRE(e.bia(0).years_size() == 3);
      for (int y = 0; y < 3; ++y) {
        INFO("year " << y + 1);
        CHECK(Near(e.bia(0).years(y).net(), hospital[y], kRel));
        CHECK(Near(e.bia(1).years(y).net(), ssn[y], kRel));
      }
      CHECK(Near(e.bia(0).years(2).tariff_income(), 1800, kRel));
      CHECK(Near(e.bia(0).years(2).displaced(), 4800, kRel));
      CHECK(Near(e.bia(0).total(), hospital[0] + 3060 + 8900, kRel));
      CHECK(Near(e.bia(1).total(), ssn[0] + 3420 + 10700, kRel));
      // The context: year 1 and the peak against the 100000 envelope.
      const Json& bia = r->context["bia"];
      CHECK(Near(bia["hospital"]["year1"].get<double>(), hospital[0], kRel));
      CHECK(Near(bia["ssn"]["total"].get<double>(), ssn[0] + 3420 + 10700, kRel));
      CHECK(Near(bia["share_of_envelope"].get<double>(), hospital[0] / 100000, kRel));
      CHECK(Near(bia["peak_share_of_envelope"].get<double>(), std::max(hospital[0], 8900.0) / 100000, kRel));
      CHECK(HasFlag(r->record, "no volumes for budget year 2: the previous year's were used"));
      CHECK(HasFlag(r->record,
                    "cost item console (purchase) is not a cost to the hospital under acquisition mode "
                    "free_loan_with_consumables") == mc.purchase_dropped);
    }
  }
}

TEST_CASE("Without a budget envelope the shares are null and say why", "[evaluate][bia]") {
  Case c = BiaCase("purchase");
  c.EditFile(kSmallCriteria, {{"  budget_envelope_eur: 100000\n", ""}});
  c.EditFile(kSmallCriteria, {{"D1: {condition: \"true\"", "D1: {condition: \"bia.share_of_envelope < 1\""}});
  CHECK_FALSE(c.Evaluate());
  CHECK_THAT(c.errors, Catch::Matchers::Contains(
                           "decision_rules.D1.condition: bia.share_of_envelope is null (no budget_envelope_eur in the "
                           "criteria set's parameters), but '<' needs a number"));
}

// ---------------------------------------------------------------------------------------
// 9. Economics

// Published THR results (Briggs et al. 2006; docs/methods.md), at 6% costs and 1.5% QALYs.
constexpr double kCostStandard = 512.4346583, kQalyStandard = 14.65318961;
constexpr double kCostNp1 = 610.3118178, kQalyNp1 = 14.69770986;
constexpr double kIcer = 2198.486665;

// The THR model run on its own at a given NP1 price (GBP): (dC, dE) of NP1 vs standard.
std::pair<double, double> ThrDeltas(double price) {
  en::MemoryFileSystem fs;
  char value[64];
  std::snprintf(value, sizeof value, "c_np1: {value: %.17g,", price);
  fs.Add(kThrModel, Edit(ReadSource(kThrModel), {{"c_np1: {value: 579,", value}}));
  fs.Add(kThrTable, ReadSource(kThrTable));
  en::Diagnostics diag;
  auto m = en::LoadModel(fs, kThrModel, &diag);
  INFO(diag.Format());
  REQUIRE(m);
  auto bc = en::RunBaseCase(*m, {}, &diag);
  REQUIRE(bc);
  const auto& info = m->model->info();
  const int s = static_cast<int>(std::find(info.strategies.begin(), info.strategies.end(), "standard") - info.strategies.begin());
  const int n = static_cast<int>(std::find(info.strategies.begin(), info.strategies.end(), "np1") - info.strategies.begin());
  return {bc->outcome.value(n, info.cost_value) - bc->outcome.value(s, info.cost_value),
          bc->outcome.effect(n, bc->effect_value) - bc->outcome.effect(s, bc->effect_value)};
}

TEST_CASE("The economics reproduce the published THR results under the committee's discount rates", "[evaluate][economics]") {
  Case c = Small(std::string(kHead) + kApproveAll + Mcda("direct_rating", "consensus", Crit("A", "EFF", 1)));
  AddThr(&c, "1");
  // The model's own rates differ from the committee's: the committee's must be used.
  c.EditFile(kThrModel, {{"cost: {role: cost, discount: 0.06,", "cost: {role: cost, discount: 0.035,"},
                         {"qaly: {role: effect, discount: 0.015,", "qaly: {role: effect, discount: 0.035,"}});
  auto r = c.Evaluate();
  INFO(c.errors);
  REQUIRE(r);
  const sc::Economics& e = r->record.economics();
  const double dc = kCostNp1 - kCostStandard, de = kQalyNp1 - kQalyStandard;  // 97.8771595, .04452025
  CHECK(Near(e.delta_cost(), dc, kPublished));
  CHECK(Near(e.delta_effect(), de, kPublished));
  CHECK(e.icer_defined());
  CHECK(Near(e.icer(), kIcer, kPublished));
  CHECK(e.status() == "more_costly_more_effective");
  CHECK(e.discount_rate_costs() == 0.06);
  CHECK(e.discount_rate_outcomes() == 0.015);
  CHECK(e.exchange_rate() == 1);
  CHECK(e.device_strategy() == "np1");
  CHECK(e.comparator_strategy() == "standard");
  CHECK(e.effect() == "qaly");
  CHECK(e.device_price() == 579);
  REQUIRE(e.thresholds_size() == 2);
  for (int i = 0; i < 2; ++i) {
    const sc::NmbAtThreshold& t = e.thresholds(i);
    INFO(t.label());
    const double wtp = i == 0 ? 20000 : 30000;  // 20000 x .04452025 - 97.8771595 = 792.5278405
    CHECK(t.wtp() == wtp);
    CHECK(Near(t.nmb(), wtp * de - dc, kPublished));
    CHECK(Near(t.nmb(), wtp * e.delta_effect() - e.delta_cost(), kRel));
    CHECK_FALSE(t.has_probability());
    // INMB is linear in the NP1 price with slope -1 (an undiscounted start cost at an
    // exchange rate of 1): the price that zeroes it is 579 + INMB.
    REQUIRE(t.price_threshold_found());
    CHECK(Near(t.price_threshold(), 579 + t.nmb(), 1e-9));
    // And the model run at that price has an INMB of zero.
    const auto [dc_at, de_at] = ThrDeltas(t.price_threshold());
    CHECK(std::fabs(wtp * de_at - dc_at) < 1e-9 * t.price_threshold());
    CHECK(Near(r->context["economics"]["price_threshold"][t.label()].get<double>(), t.price_threshold(), kRel));
    CHECK(Near(r->context["economics"]["inmb"][t.label()].get<double>(), t.nmb(), kRel));
  }
  const auto [dc0, de0] = ThrDeltas(579);  // the helper agrees with the published values
  CHECK(Near(dc0, dc, kPublished));
  CHECK(Near(de0, de, kPublished));
}

TEST_CASE("An exchange rate scales the model's costs into the committee's currency", "[evaluate][economics]") {
  // 1.17 EUR per GBP: dC = 1.17 x 97.8771595 = 114.5162766, dE unchanged, ICER 1.17 x
  // 2198.486665 = 2572.229398; the device price 1.17 x 579 = 677.43 EUR; the threshold
  // price in EUR = 677.43 + (wtp dE - 1.17 dC).
  Case c = Small(std::string(kHead) + kApproveAll + Mcda("direct_rating", "consensus", Crit("A", "EFF", 1)));
  AddThr(&c, "1.17");
  auto r = c.Evaluate();
  INFO(c.errors);
  REQUIRE(r);
  const sc::Economics& e = r->record.economics();
  const double dc = kCostNp1 - kCostStandard, de = kQalyNp1 - kQalyStandard;
  CHECK(e.exchange_rate() == 1.17);
  CHECK(Near(e.delta_cost(), 1.17 * dc, kPublished));
  CHECK(Near(e.delta_effect(), de, kPublished));
  CHECK(Near(e.icer(), 1.17 * kIcer, kPublished));
  CHECK(Near(e.device_price(), 677.43, kRel));
  for (const sc::NmbAtThreshold& t : e.thresholds()) {
    INFO(t.label());
    CHECK(Near(t.nmb(), t.wtp() * de - 1.17 * dc, kPublished));
    CHECK(Near(t.price_threshold(), 677.43 + t.nmb(), 1e-9));
  }
}

TEST_CASE("A model in another currency without an exchange rate is an input error", "[evaluate][economics]") {
  Case c = Small(std::string(kHead) + kApproveAll + Mcda("direct_rating", "consensus", Crit("A", "EFF", 1)));
  AddThr(&c, "");
  CHECK_FALSE(c.Evaluate());
  CHECK_THAT(c.errors, Catch::Matchers::Contains(
                           "economic_analyses[0].model: the model's costs are in GBP and the committee's thresholds in "
                           "EUR, but no exchange_rate converts them"));
  // The committee working in GBP needs none.
  c.EditFile(kSmallCriteria, {{"currency: EUR", "currency: GBP"}});
  auto r = c.Evaluate();
  INFO(c.errors);
  REQUIRE(r);
  CHECK(r->record.economics().exchange_rate() == 1);
  CHECK(Near(r->record.economics().icer(), kIcer, kPublished));
}

// ---------------------------------------------------------------------------------------
// 10. Completeness

TEST_CASE("A dossier missing required fields is inadmissible and lists exactly those fields", "[evaluate][completeness]") {
  // Removed from the NP1 dossier: dates.received (CUR), device.cnd_code (TEC), pico.on_label
  // (LEG), and two fields required under a condition: the SSCP (class III, implantable) and
  // the RDM number (hospital level). The list follows the catalogue of completeness.cc:
  // the fixed entries in order, then the conditional ones (certificate, SSCP, service
  // life, RDM).
  Case c = Np1();
  c.EditFile(kNp1Dossier, {{"  received: 2026-09-15\n", ""},
                           {"  cnd_code: P09080301\n  emdn_code", "  emdn_code"},
                           {"  on_label: true\n", ""},
                           {"    sscp_url: https://ec.europa.eu/tools/eudamed/sscp/np1\n", ""},
                           {"  rdm_number: 2345678\n", ""}});
  auto r = c.Evaluate();
  INFO(c.errors);
  REQUIRE(r);
  const sc::Evaluation& rec = r->record;
  const std::vector<std::string> expected = {"dates.received", "device.cnd_code", "pico.on_label",
                                             "device.regulatory.sscp_url", "device.rdm_number"};
  CHECK(std::vector<std::string>(rec.completeness().missing_required().begin(), rec.completeness().missing_required().end()) ==
        expected);
  CHECK(r->context["completeness"]["required_missing"] == 5);
  CHECK_FALSE(Gate(rec, "G03").passed());
  CHECK(Gate(rec, "G03").rendered() == "5 == 0 && facts.critical_outcomes >= 1");
  // G01 fails too (no on_label), but D01 comes first.
  CHECK_FALSE(Gate(rec, "G01").passed());
  CHECK(rec.proposed_outcome().outcome() == "INADMISSIBLE");
  CHECK(rec.proposed_outcome().rule_id() == "D01");
  CHECK(HasFlag(rec, "not robust") == false);
  const auto gate_reasons = Reasons(rec, "gate");
  CHECK(gate_reasons.back() ==
        "the dossier is missing required fields: dates.received, device.cnd_code, pico.on_label, "
        "device.regulatory.sscp_url, device.rdm_number");
}

TEST_CASE("An empty dossier misses every required field of the catalogue", "[evaluate][completeness]") {
  // The 28 fields completeness.cc marks required, in its order, then the RDM number
  // (required unless the decision is national). The certificate is not required without a
  // risk class, nor the SSCP without class III or implantable, nor a service life without
  // capital equipment.
  Case c = Np1();
  c.Set(kNp1Dossier, "format: vaglio.dossier/1\ndossier_id: IOE-2026-0147\n");
  auto r = c.Evaluate();
  INFO(c.errors);
  REQUIRE(r);
  const std::vector<std::string> expected = {
      "request_type", "dates.received", "receiving_body.name", "requesting_unit.name", "requesting_unit.head",
      "requesters", "pico.population.description", "pico.comparators", "volumes", "device.trade_name",
      "device.models", "device.manufacturer.name", "device.cnd_code", "device.regulatory.framework",
      "device.regulatory.risk_class", "device.regulatory.implantable", "device.regulatory.active",
      "device.regulatory.software_or_ai", "device.device_kind", "pico.intervention.description",
      "pico.intervention.setting", "pico.outcomes", "evidence.studies", "costs", "acquisition_mode",
      "device.regulatory.intended_purpose", "pico.on_label", "interest_declarations", "device.rdm_number"};
  const auto& missing = r->record.completeness().missing_required();
  CHECK(std::vector<std::string>(missing.begin(), missing.end()) == expected);
  CHECK(r->record.completeness().score() == 0);
  CHECK(r->record.proposed_outcome().outcome() == "INADMISSIBLE");
  CHECK(r->context["gates"]["failed_on"]["incomplete"].dump() == R"(["G02","G03","G04"])");
}

TEST_CASE("The complete dossiers miss no required field", "[evaluate][completeness]") {
  Case np1 = Np1();
  auto r = np1.Evaluate();
  INFO(np1.errors);
  REQUIRE(r);
  CHECK(r->record.completeness().missing_required_size() == 0);
  Case small = Small(std::string(kHead) + kApproveAll + Mcda("direct_rating", "consensus", Crit("A", "EFF", 1)));
  r = small.Evaluate();
  INFO(small.errors);
  REQUIRE(r);
  CHECK(r->record.completeness().missing_required_size() == 0);
}

// ---------------------------------------------------------------------------------------
// 11. Determinism

TEST_CASE("The same inputs give a byte-identical record on 1 or 2 threads, in process and from the binary",
          "[evaluate][determinism]") {
  Case c = Np1();
  auto one = c.Evaluate();
  INFO(c.errors);
  REQUIRE(one);
  REQUIRE(one->record.models(0).psa_draws() == 1000);  // the PSA and random weights ran
  REQUIRE(one->record.robustness().random_weight_draws() == 2000);
  c.opts.threads = 2;
  auto two = c.Evaluate();
  REQUIRE(two);
  const std::string json = en::RecordJson(one->record);
  CHECK(en::RecordJson(two->record) == json);
  // The binary reads the same files from the source tree under the same names.
  const std::vector<std::string> args = {"evaluate", kNp1Dossier, "--criteria", kNp1Criteria, "--scores", kNp1Scores,
                                         "--threads"};
  auto with = [&](const std::string& threads) {
    std::vector<std::string> a = args;
    a.push_back(threads);
    return vaglio::testing::RunVaglio(a);
  };
  const auto run1 = with("1"), run2 = with("2");
  INFO(run1.err);
  CHECK(run1.exit_code == 0);
  CHECK(run2.exit_code == 0);
  CHECK(run1.out == run2.out);
  CHECK(run1.out == json);
}

// ---------------------------------------------------------------------------------------
// 12. Self-assessment

// A (EFF, 50 points) 2 of 4, B (ECO, 30) 4 of 4, C (ORG, 20) 1 of 4: total 100 (.5 x .5 +
// .3 x 1 + .2 x .25) = 60 < 62: REJECT. A gate reads the completeness.
std::string AssessCriteria() {
  return std::string(kHead) +
         "gates:\n  GC: {check: \"completeness.required_missing == 0\", on_fail: incomplete, message: fields missing}\n"
         "decision_rules:\n  D1: {condition: \"mcda.total >= 62\", outcome: APPROVE}\n"
         "  D2: {condition: \"true\", outcome: REJECT}\n" +
         Mcda("point_allocation", "consensus", OrdinalCrit("A", "EFF", 50) + OrdinalCrit("B", "ECO", 30) + OrdinalCrit("C", "ORG", 20));
}

TEST_CASE("assess ranks the gaps, the weakest criteria and the score changes that cross a threshold", "[evaluate][assess]") {
  Case c = Small(AssessCriteria(), Consensus({{"A", 2}, {"B", 4}, {"C", 1}}));
  c.EditFile(kSmallDossier, {{"  on_label: true\n", ""}});
  c.opts.committee = false;
  auto a = c.Assess();
  INFO(c.errors);
  REQUIRE(a);
  CHECK(a->evaluation.record.proposed_outcome().outcome() == "REJECT");
  CHECK(Near(a->evaluation.record.aggregate().total(), 60, kRel));
  CHECK(a->unscored.empty());

  // Gaps: the one required field first; then the optional ones by the weight of their
  // domain (EFF .5, ECO .3, ORG .2, every other 0), each domain in catalogue order.
  const std::vector<std::pair<std::string, double>> expected = {
      {"pico.on_label", 0},
      {"evidence.search", 0.5}, {"evidence.hta_reports", 0.5}, {"evidence.guidelines", 0.5},
      {"evidence.ongoing_studies", 0.5},
      {"reimbursement", 0.3}, {"economic_analyses", 0.3},
      {"organisation.training", 0.2}, {"organisation.credentialing", 0.2}, {"organisation.space", 0.2},
      {"organisation.other_units_impact", 0.2}, {"organisation.it_security_privacy", 0.2},
      {"organisation.implementation_months", 0.2},
      {"pico.population.icd_codes", 0}, {"pico.pathway_position", 0}, {"related.external_appraisals", 0},
      {"device.emdn_code", 0}, {"device.udi.basic_udi_di", 0}, {"safety.adverse_events", 0},
      {"safety.learning_curve", 0}, {"safety.operator_requirements", 0}, {"elsi_patient.ethical", 0},
      {"elsi_patient.equity_access", 0}, {"elsi_patient.patient_perspective", 0}, {"elsi_patient.social", 0},
      {"elsi_patient.legal", 0}, {"attachments", 0}, {"device.regulatory.sscp_url", 0},
      {"device.expected_service_life_y", 0}};
  std::vector<std::pair<std::string, double>> got;
  for (const en::Gap& g : a->gaps) got.emplace_back(g.path, g.domain_weight);
  CHECK(got == expected);
  REQUIRE(!a->gaps.empty());
  CHECK(a->gaps[0].required);
  CHECK(a->gaps[0].domain == "LEG");
  CHECK(a->gaps[0].consequence == "required; failing gate GC (incomplete)");
  CHECK(a->gaps[1].consequence == "optional; counts towards EFF completeness");

  // Points lost, 100 w (1 - v): A 100 x .5 x .5 = 25, C 100 x .2 x .75 = 15, B 0.
  REQUIRE(a->weakest.size() == 3);
  const std::vector<std::pair<std::string, double>> weakest = {{"A", 25}, {"C", 15}, {"B", 0}};
  for (size_t i = 0; i < 3; ++i) {
    CHECK(a->weakest[i].id == weakest[i].first);
    CHECK(Near(a->weakest[i].points_lost, weakest[i].second, kRel, 1e-12));
  }

  // One level up on A: + 100 x .5 x .25 = 12.5, 72.5 >= 62; on C: + 5, 65 >= 62. B cannot
  // go up; no change down leaves REJECT.
  REQUIRE(a->changes.size() == 2);
  CHECK(a->changes[0].criterion_id == "A");
  CHECK(a->changes[0].from == 2.0);
  CHECK(a->changes[0].to == 3);
  CHECK(a->changes[0].outcome == "APPROVE");
  CHECK(a->changes[1].criterion_id == "C");
  CHECK(a->changes[1].from == 1.0);
  CHECK(a->changes[1].to == 2);
  CHECK(a->changes[1].outcome == "APPROVE");
}

TEST_CASE("assess searches a score change downwards when the outcome is above a threshold", "[evaluate][assess]") {
  // A 3, B 4, C 1: 37.5 + 30 + 5 = 72.5 >= 62: APPROVE. A down to 2: 60 < 62 (REJECT); B down
  // to 3: 65, to 2: 57.5 (REJECT); C down to 0: 67.5, no change; up nothing changes.
  Case c = Small(AssessCriteria(), Consensus({{"A", 3}, {"B", 4}, {"C", 1}}));
  c.opts.committee = false;
  auto a = c.Assess();
  INFO(c.errors);
  REQUIRE(a);
  CHECK(a->evaluation.record.proposed_outcome().outcome() == "APPROVE");
  REQUIRE(a->changes.size() == 2);
  CHECK(a->changes[0].criterion_id == "A");
  CHECK(a->changes[0].to == 2);
  CHECK(a->changes[0].outcome == "REJECT");
  CHECK(a->changes[1].criterion_id == "B");
  CHECK(a->changes[1].to == 2);
  CHECK(a->changes[1].outcome == "REJECT");
}

}  // namespace
