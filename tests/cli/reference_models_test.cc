// End to end: published Markov cohort models in examples/, run by the vaglio binary and
// checked twice: against the published figures to the digits they were printed with, and
// against exact re-computations to 1e-9. The exact values come from
// tests/data/reference/markov_models/reproduce.py, which follows each publisher's own
// algorithm (not Vaglio's formulas) in exact or 50-digit arithmetic, and agrees with an
// earlier, separate double-precision reproduction of each model to every digit it gave.
#include <catch2/catch.hpp>
#include <charconv>
#include <cmath>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "models/markov.h"
#include "tests/test_util.h"

namespace {

using nlohmann::json;
using vaglio::testing::Near;
using vaglio::testing::RunVaglio;

// Vaglio against an exact re-computation of the same model.
constexpr double kExactRel = 1e-9;

// The shortest text that reads back as x.
std::string Full(double x) {
  char buf[32];
  const auto r = std::to_chars(buf, buf + sizeof buf, x);
  return std::string(buf, r.ptr);
}

// A published figure whose last printed digit has the place value `unit` (0.001 for three
// decimals): the value must lie within half a unit of it, i.e. round to what was printed.
class PrintedAs : public Catch::MatcherBase<double> {
 public:
  PrintedAs(double printed, double unit) : printed_(printed), unit_(unit) {}
  bool match(const double& value) const override {
    return std::fabs(value - printed_) <= 0.5 * unit_;
  }
  std::string describe() const override {
    return "rounds to the published " + Full(printed_) + " (within " + Full(0.5 * unit_) + ")";
  }

 private:
  double printed_, unit_;
};

// Relative agreement (tests/test_util.h Near), printing both numbers in full.
class IsNear : public Catch::MatcherBase<double> {
 public:
  IsNear(double expected, double rel) : expected_(expected), rel_(rel) {}
  bool match(const double& value) const override { return Near(value, expected_, rel_); }
  std::string describe() const override {
    return "is within " + Full(rel_) + " relative of " + Full(expected_);
  }

 private:
  double expected_, rel_;
};

json RunModel(const std::string& path, const std::vector<std::string>& extra = {}) {
  std::vector<std::string> args = {"run", path, "--format", "json"};
  args.insert(args.end(), extra.begin(), extra.end());
  const auto r = RunVaglio(args);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  return json::parse(r.out);
}

// A strategy's discounted value, by position in the file and value name.
double Value(const json& j, int strategy, const std::string& value) {
  return j.at("strategies").at(static_cast<size_t>(strategy)).at("values").at(value).get<double>();
}

const json& IncrementalOf(const json& j, const std::string& strategy) {
  for (const json& row : j.at("incremental")) {
    if (row.at("strategy") == strategy) return row;
  }
  FAIL("no incremental row for strategy " << strategy);
  return j;  // not reached
}

double NmbOf(const json& j, double wtp, const std::string& strategy) {
  for (const json& row : j.at("nmb")) {
    if (Near(row.at("wtp").get<double>(), wtp, 1e-12)) {
      return row.at("values").at(strategy).get<double>();
    }
  }
  FAIL("no net monetary benefit at WTP " << wtp);
  return 0;  // not reached
}

constexpr char kHeemodVignette[] = "examples/hiv/hiv_heemod.model.yaml";
constexpr char kBriggsHiv[] = "examples/hiv/hiv_briggs.model.yaml";
constexpr char kSickSicker[] = "examples/sick_sicker/sick_sicker.model.yaml";

}  // namespace

// Source: heemod vignette "Simple Markov models (homogeneous)", pierucci/heemod,
// docs/articles/c_homogeneous.html at commit 90561f25c2fba86c3471c453c60925e7570c7b4a
// (pkgdown build of vignettes/c_homogeneous.Rmd, 2017-05-12); model of Chancellor et al.,
// PharmacoEconomics 1997;12(1):54-66. heemod prints totals for its cohort of 1000; Vaglio
// reports per member, so each printed total is divided by 1000 (one more decimal place
// for every factor of ten).
TEST_CASE(
    "The heemod HIV vignette model rounds to heemod's printed results per member of the cohort",
    "[cli][reference][hiv]") {
  const json j = RunModel(kHeemodVignette, {"--wtp", "1000,5000,6000,10000"});
  REQUIRE(j["strategies"][0]["name"] == "mono");
  REQUIRE(j["strategies"][1]["name"] == "comb");
  CHECK(j["settings"]["counting"] == "life_table");
  CHECK(j["settings"]["discounting"]["timing"] == "start");
  CHECK(j["settings"]["cost"] == "cost_total");
  CHECK(j["settings"]["effect"] == "life_year");

  // "Values:" block: mono 33891136 14870957 48762093 8585.843,
  //                  comb 48739757 44245091 92984848 17256.937.
  CHECK_THAT(Value(j, 0, "cost_health"), PrintedAs(33891.136, 1e-3));
  CHECK_THAT(Value(j, 0, "cost_drugs"), PrintedAs(14870.957, 1e-3));
  CHECK_THAT(Value(j, 0, "cost_total"), PrintedAs(48762.093, 1e-3));
  CHECK_THAT(Value(j, 0, "life_year"), PrintedAs(8.585843, 1e-6));
  CHECK_THAT(Value(j, 1, "cost_health"), PrintedAs(48739.757, 1e-3));
  CHECK_THAT(Value(j, 1, "cost_drugs"), PrintedAs(44245.091, 1e-3));
  CHECK_THAT(Value(j, 1, "cost_total"), PrintedAs(92984.848, 1e-3));
  CHECK_THAT(Value(j, 1, "life_year"), PrintedAs(17.256937, 1e-6));

  // "Differences:" block, already per person: comb vs mono 44222.75, 8.671094, ICER 5100.02.
  CHECK(IncrementalOf(j, "mono")["status"] == "reference");
  const json& comb = IncrementalOf(j, "comb");
  CHECK(comb["comparator"] == "mono");
  CHECK(comb["status"] == "frontier");
  CHECK_THAT(comb["delta_cost"].get<double>(), PrintedAs(44222.75, 1e-2));
  CHECK_THAT(comb["delta_effect"].get<double>(), PrintedAs(8.671094, 1e-6));
  CHECK_THAT(comb["icer"].get<double>(), PrintedAs(5100.02, 1e-2));

  // "Net monetary benefit difference:" block, each strategy's NMB minus the lowest, per
  // person: mono ahead by 35551.66 at 1000 and 867.2847 at 5000; comb ahead by 7803.809 at
  // 6000 and 42488.19 at 10000.
  CHECK_THAT(NmbOf(j, 1000, "mono") - NmbOf(j, 1000, "comb"), PrintedAs(35551.66, 1e-2));
  CHECK_THAT(NmbOf(j, 5000, "mono") - NmbOf(j, 5000, "comb"), PrintedAs(867.2847, 1e-4));
  CHECK_THAT(NmbOf(j, 6000, "comb") - NmbOf(j, 6000, "mono"), PrintedAs(7803.809, 1e-3));
  CHECK_THAT(NmbOf(j, 10000, "comb") - NmbOf(j, 10000, "mono"), PrintedAs(42488.19, 1e-2));
}

// Source: as above; exact values from reproduce.py (heemod_vignette).
TEST_CASE("The heemod HIV vignette model agrees with an exact re-computation to 1e-9",
          "[cli][reference][hiv]") {
  const json j = RunModel(kHeemodVignette);
  CHECK_THAT(Value(j, 0, "cost_health"), IsNear(33891.136017308859675, kExactRel));
  CHECK_THAT(Value(j, 0, "cost_drugs"), IsNear(14870.957029052832443, kExactRel));
  CHECK_THAT(Value(j, 0, "cost_total"), IsNear(48762.093046361692118, kExactRel));
  CHECK_THAT(Value(j, 0, "life_year"), IsNear(8.5858431456407788955, kExactRel));
  CHECK_THAT(Value(j, 1, "cost_health"), IsNear(48739.756897249724086, kExactRel));
  CHECK_THAT(Value(j, 1, "cost_drugs"), IsNear(44245.090910338426211, kExactRel));
  CHECK_THAT(Value(j, 1, "cost_total"), IsNear(92984.847807588150297, kExactRel));
  CHECK_THAT(Value(j, 1, "life_year"), IsNear(17.25693716702476638, kExactRel));
  const json& comb = IncrementalOf(j, "comb");
  CHECK_THAT(comb["delta_cost"].get<double>(), IsNear(44222.754761226458179, kExactRel));
  CHECK_THAT(comb["delta_effect"].get<double>(), IsNear(8.671094021383987484, kExactRel));
  CHECK_THAT(comb["icer"].get<double>(), IsNear(5100.0202110792121291, kExactRel));
}

// Source: pierucci/heemod, tests/testthat/test_dmhee.R, test "exactly match HIV model" (at
// commit 152918ed6b98a45be2be1ec5ee366a8a2f0d5713), which reproduces Briggs, Claxton &
// Sculpher, Decision Modelling for Health Economic Evaluation (OUP 2006), example 2.5 and
// its Excel workbook. heemod's method = "beginning" with discount(first = TRUE) is Vaglio's
// counting end with timing end (see the model file's description).
TEST_CASE(
    "The Briggs HIV model reproduces heemod's DMHEE test values with counting end and timing end",
    "[cli][reference][hiv]") {
  const json j = RunModel(kBriggsHiv);
  REQUIRE(j["strategies"][0]["name"] == "mono");
  REQUIRE(j["strategies"][1]["name"] == "comb");
  CHECK(j["settings"]["counting"] == "end");
  CHECK(j["settings"]["discounting"]["timing"] == "end");

  // briggs_hiv and briggs_hiv_icer in the test file, to the digits written there.
  CHECK_THAT(Value(j, 0, "cost_total"), PrintedAs(44663.4535637, 1e-7));
  CHECK_THAT(Value(j, 1, "cost_total"), PrintedAs(50601.6513312, 1e-7));
  CHECK_THAT(Value(j, 0, "life_year"), PrintedAs(7.9912066, 1e-7));
  CHECK_THAT(Value(j, 1, "life_year"), PrintedAs(8.9373889, 1e-7));
  const json& comb = IncrementalOf(j, "comb");
  CHECK(comb["comparator"] == "mono");
  CHECK(comb["status"] == "frontier");
  CHECK_THAT(comb["icer"].get<double>(), PrintedAs(6275.95560, 1e-5));

  // Exact values: reproduce.py (briggs_hiv).
  CHECK_THAT(Value(j, 0, "cost_total"), IsNear(44663.45356369668492, kExactRel));
  CHECK_THAT(Value(j, 1, "cost_total"), IsNear(50601.651331203744554, kExactRel));
  CHECK_THAT(Value(j, 0, "life_year"), IsNear(7.9912066458408831436, kExactRel));
  CHECK_THAT(Value(j, 1, "life_year"), IsNear(8.9373888916434711011, kExactRel));
  CHECK_THAT(comb["delta_cost"].get<double>(), IsNear(5938.1977675070596336, kExactRel));
  CHECK_THAT(comb["delta_effect"].get<double>(), IsNear(0.94618224580258795753, kExactRel));
  CHECK_THAT(comb["icer"].get<double>(), IsNear(6275.9556035318050639, kExactRel));
}

// Source: Alarid-Escudero et al., Med Decis Making 2023;43(1):3-20,
// doi:10.1177/0272989X221103163; model code DARTH-git/cohort-modeling-tutorial-intro,
// analysis/cSTM_time_indep.R. The corrected results (Simpson weights fixed) are printed in
// the release notes of that repository's v0.3.0
// (https://github.com/DARTH-git/cohort-modeling-tutorial-intro/releases/tag/v0.3.0):
// costs to $1, QALYs to 0.01, ICERs to $1. The journal article prints the older numbers.
TEST_CASE("The Sick-Sicker model reproduces the corrected DARTH v0.3.0 results",
          "[cli][reference][sick_sicker]") {
  const json j = RunModel(kSickSicker);
  const std::vector<std::string> names = {"soc", "A", "B", "AB"};
  for (size_t s = 0; s < names.size(); ++s) REQUIRE(j["strategies"][s]["name"] == names[s]);
  CHECK(j["settings"]["counting"] == "simpson");
  CHECK(j["settings"]["horizon"] == 75);

  CHECK_THAT(Value(j, 0, "cost"), PrintedAs(152282, 1));
  CHECK_THAT(Value(j, 0, "qaly"), PrintedAs(21.03, 1e-2));
  CHECK_THAT(Value(j, 1, "cost"), PrintedAs(285889, 1));
  CHECK_THAT(Value(j, 1, "qaly"), PrintedAs(21.83, 1e-2));
  CHECK_THAT(Value(j, 2, "cost"), PrintedAs(260222, 1));
  CHECK_THAT(Value(j, 2, "qaly"), PrintedAs(22.50, 1e-2));
  CHECK_THAT(Value(j, 3, "cost"), PrintedAs(380378, 1));
  CHECK_THAT(Value(j, 3, "qaly"), PrintedAs(23.46, 1e-2));

  // Frontier SoC -> B -> AB; A is dominated (by B: cheaper and more effective).
  CHECK(IncrementalOf(j, "soc")["status"] == "reference");
  CHECK(IncrementalOf(j, "A")["status"] == "dominated");
  const json& b = IncrementalOf(j, "B");
  const json& ab = IncrementalOf(j, "AB");
  CHECK(b["status"] == "frontier");
  CHECK(b["comparator"] == "soc");
  CHECK_THAT(b["icer"].get<double>(), PrintedAs(73279, 1));
  CHECK(ab["status"] == "frontier");
  CHECK(ab["comparator"] == "B");
  CHECK_THAT(ab["icer"].get<double>(), PrintedAs(125302, 1));
}

// Source: as above; exact values from reproduce.py (sick_sicker). The life-years are not
// published: they check the undiscounted Simpson sum of the survival curve.
TEST_CASE("The Sick-Sicker model agrees with a 50-digit re-computation to 1e-9",
          "[cli][reference][sick_sicker]") {
  const json j = RunModel(kSickSicker);
  CHECK_THAT(Value(j, 0, "cost"), IsNear(152281.75473837658033, kExactRel));
  CHECK_THAT(Value(j, 0, "qaly"), IsNear(21.031890368109860488, kExactRel));
  CHECK_THAT(Value(j, 0, "ly"), IsNear(56.461035535943455943, kExactRel));
  CHECK_THAT(Value(j, 1, "cost"), IsNear(285889.45291217495317, kExactRel));
  CHECK_THAT(Value(j, 1, "qaly"), IsNear(21.825936870149418325, kExactRel));
  CHECK_THAT(Value(j, 1, "ly"), IsNear(56.461035535943455943, kExactRel));
  CHECK_THAT(Value(j, 2, "cost"), IsNear(260222.07937424702568, kExactRel));
  CHECK_THAT(Value(j, 2, "qaly"), IsNear(22.504903829135877217, kExactRel));
  CHECK_THAT(Value(j, 2, "ly"), IsNear(59.397708666956452122, kExactRel));
  CHECK_THAT(Value(j, 3, "cost"), IsNear(380377.89355161418871, kExactRel));
  CHECK_THAT(Value(j, 3, "qaly"), IsNear(23.463830962755022358, kExactRel));
  CHECK_THAT(Value(j, 3, "ly"), IsNear(59.397708666956452122, kExactRel));
  const json& b = IncrementalOf(j, "B");
  const json& ab = IncrementalOf(j, "AB");
  CHECK_THAT(b["delta_cost"].get<double>(), IsNear(107940.32463587044534, kExactRel));
  CHECK_THAT(b["delta_effect"].get<double>(), IsNear(1.4730134610260167296, kExactRel));
  CHECK_THAT(b["icer"].get<double>(), IsNear(73278.573137196861313, kExactRel));
  CHECK_THAT(ab["delta_cost"].get<double>(), IsNear(120155.81417736716304, kExactRel));
  CHECK_THAT(ab["delta_effect"].get<double>(), IsNear(0.95892713361914514069, kExactRel));
  CHECK_THAT(ab["icer"].get<double>(), IsNear(125302.34046447283896, kExactRel));
}

// Source: the darthtools v0.4.1 release notes (DARTH-git/darthtools, the same fix as
// cohort-modeling-tutorial-intro v0.3.0): for an odd number of cycles, gen_wcc("Simpson1/3")
// uses the composite 1/3 rule over the first n - 3 cycles and the 3/8 rule over the last
// three. For n = 75 the two overlap at t = 72, whose weight is 1/3 + 3/8 = 17/24.
TEST_CASE(
    "Simpson weights for 75 cycles are DARTH v0.3.0's: the 1/3 rule to t = 72, then the 3/8 rule",
    "[reference][sick_sicker][counting]") {
  const int n = 75;
  std::vector<double> darth(n + 1);
  for (int t = 0; t <= 72; ++t) darth[t] = (t == 0) ? 1.0 / 3 : (t % 2 == 1 ? 4.0 / 3 : 2.0 / 3);
  darth[72] = 17.0 / 24;
  darth[73] = 9.0 / 8;
  darth[74] = 9.0 / 8;
  darth[75] = 3.0 / 8;
  for (int t = 0; t <= n; ++t) {
    INFO("t = " << t);
    CHECK_THAT(vaglio::models::TimePointWeight(vaglio::models::Counting::kSimpson, n, t),
               IsNear(darth[t], 1e-15));
  }
}
