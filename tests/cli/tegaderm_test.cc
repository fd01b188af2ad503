// The Tegaderm CHG reference (shared/reference/tegaderm, copied to tests/data/reference):
// Jenks et al. 2016 / NICE MTG25 as re-specified in rdecision DT02. Tolerances are the
// README's: 1e-9 relative against the recomputed values, 0.005 against the published ones.
#include <catch2/catch.hpp>

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "engine/load/csv.h"
#include "tests/test_util.h"

using vaglio::testing::Near;
using vaglio::testing::RunVaglio;

namespace {

const char kModel[] = "examples/tegaderm/tegaderm.model.yaml";

nlohmann::json Run(std::vector<std::string> extra) {
  std::vector<std::string> args = {"run", kModel, "--format", "json", "--quiet"};
  args.insert(args.end(), extra.begin(), extra.end());
  auto r = RunVaglio(args);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  return nlohmann::json::parse(r.out);
}

double Cost(const nlohmann::json& j, int s) { return j["strategies"][s]["cost"].get<double>(); }

}  // namespace

TEST_CASE("Tegaderm base case and scenario reproduce the published and recomputed costs", "[cli][reference][tegaderm]") {
  auto base = Run({});
  CHECK(Near(Cost(base, 0), 151.2926050420, 1e-9));
  CHECK(Near(Cost(base, 1), 77.7499250420, 1e-9));
  CHECK(std::fabs(Cost(base, 0) - 151.29) < 0.005);
  CHECK(std::fabs(Cost(base, 1) - 77.75) < 0.005);
  CHECK(Near(Cost(base, 0) - Cost(base, 1), 73.54268, 1e-9));
  auto low = Run({"--scenario", "low_crbsi"});
  CHECK(low["model"]["scenario"] == "low_crbsi");
  CHECK(Near(Cost(low, 0), 34.4726050420, 1e-9));
  CHECK(Near(Cost(low, 1), 30.7882850420, 1e-9));
  CHECK(Near(Cost(low, 0) - Cost(low, 1), 3.68432, 1e-9));
}

TEST_CASE("Tegaderm path probabilities and path costs match the reference table", "[cli][reference][tegaderm]") {
  auto j = Run({});
  struct Leaf {
    const char* path;
    double p, cost;
  };
  // README "Path-level base case": t01..t14 (standard), t41..t34 (Tegaderm).
  const Leaf leaves[] = {
      {"standard/crbsi/lsi/dermatitis", 4.352941176e-08, 10010.62},
      {"standard/crbsi/lsi/no_dermatitis", 2.067647059e-05, 10004.62},
      {"standard/crbsi/no_lsi/dermatitis", 3.104890756e-05, 9910.62},
      {"standard/crbsi/no_lsi/no_dermatitis", 1.474823109e-02, 9904.62},
      {"standard/no_crbsi/lsi/dermatitis", 2.897647059e-06, 110.62},
      {"standard/no_crbsi/lsi/no_dermatitis", 1.376382353e-03, 104.62},
      {"standard/no_crbsi/no_lsi/dermatitis", 2.066850252e-03, 10.62},
      {"standard/no_crbsi/no_lsi/no_dermatitis", 9.817538697e-01, 4.62},
      {"tegaderm/crbsi/lsi/dermatitis", 7.034527059e-09, 10024.78},
      {"tegaderm/crbsi/lsi/no_dermatitis", 3.341400353e-06, 10018.78},
      {"tegaderm/crbsi/no_lsi/dermatitis", 1.249212514e-05, 9924.78},
      {"tegaderm/crbsi/no_lsi/no_dermatitis", 5.933759440e-03, 9918.78},
      {"tegaderm/no_crbsi/lsi/dermatitis", 1.175318414e-06, 124.78},
      {"tegaderm/no_crbsi/lsi/no_dermatitis", 5.582762467e-04, 118.78},
      {"tegaderm/no_crbsi/no_lsi/dermatitis", 2.087165858e-03, 24.78},
      {"tegaderm/no_crbsi/no_lsi/no_dermatitis", 9.914037826e-01, 18.78},
  };
  int found = 0;
  for (const auto& strategy : j["tree"]) {
    for (const auto& node : strategy["nodes"]) {
      if (node["type"] != "terminal") continue;
      for (const Leaf& l : leaves) {
        if (node["path"] != l.path) continue;
        ++found;
        INFO(l.path);
        // Printed to 10 significant digits: half a unit of the last one.
        CHECK(Near(node["probability"].get<double>(), l.p, 5e-10));
        CHECK(Near(node["path_values"]["cost"].get<double>(), l.cost, 1e-12));
      }
    }
  }
  CHECK(found == 16);
}

TEST_CASE("Tegaderm threshold analyses find the published break-even values", "[cli][reference][tegaderm]") {
  auto t = Run({"--threshold", "r_crbsi", "--range", "0.01:1.48"})["threshold"]["changes"];
  REQUIRE(t.size() == 1);
  CHECK(Near(t[0]["value"].get<double>(), 0.2377669673, 1e-9));
  CHECK(std::fabs(t[0]["value"].get<double>() - 0.24) < 0.005);  // NICE MTG25
  auto hr = Run({"--scenario", "low_crbsi", "--threshold", "hr_crbsi", "--range", "0.1:0.9"})["threshold"]["changes"];
  REQUIRE(hr.size() == 1);
  CHECK(Near(hr[0]["value"].get<double>(), 0.5260511785, 1e-9));
  CHECK(std::fabs(hr[0]["value"].get<double>() - 0.53) < 0.005);
  auto c = Run({"--scenario", "low_crbsi", "--threshold", "c_crbsi", "--range", "0:9900"})["threshold"]["changes"];
  REQUIRE(c.size() == 1);
  CHECK(Near(c[0]["value"].get<double>(), 7846.3099219621, 1e-9));
  CHECK(std::fabs(c[0]["value"].get<double>() - 8000) < 300);
}

TEST_CASE("Tegaderm one-way sensitivity reproduces the tornado table", "[cli][reference][tegaderm]") {
  auto j = Run({"--dsa", "--comparator", "standard"});
  const auto& t = j["tornado"];
  CHECK(t["output"] == "inmb");
  CHECK(t["strategy"] == "tegaderm");
  CHECK(t["wtp"] == 0.0);
  struct Row {
    const char* name;
    double low, high, at_low, at_high;
  };
  // README "One-way sensitivity": saving at the 2.5% and 97.5% quantiles (6 significant
  // digits for the quantiles, 6 decimals for the savings).
  const Row rows[] = {{"n_cdays", 2.72466, 21.9182, 9.736029, 178.068336},
                      {"c_crbsi", 4921.75, 16588.6, 29.483165, 132.739461},
                      {"hr_crbsi", 0.163777, 0.831073, 108.447185, 10.674967},
                      {"n_dress", 0.432923, 7.99903, 85.659283, 49.947276},
                      {"r_crbsi", 1.25415, 1.72427, 60.171966, 88.004034},
                      {"r_lsi", 0, 1.46635, 73.458960, 74.335836},
                      {"c_lsi", 50.1241, 166.811, 73.500924, 73.598614},
                      {"hr_lsi", 0.163777, 0.831073, 73.576031, 73.482610},
                      {"rr_derm", 0.354367, 2.25754, 73.550818, 73.526829}};
  REQUIRE(t["bars"].size() == 11);
  for (size_t i = 0; i < std::size(rows); ++i) {
    const auto& b = t["bars"][i];
    INFO(rows[i].name);
    CHECK(b["parameter"] == rows[i].name);  // sorted by swing, as in the README
    CHECK(std::fabs(b["low"].get<double>() - rows[i].low) <= 6e-6 * std::max(1.0, rows[i].low));
    CHECK(std::fabs(b["high"].get<double>() - rows[i].high) <= 6e-6 * rows[i].high);
    CHECK(std::fabs(b["at_low"].get<double>() - rows[i].at_low) < 5e-7);
    CHECK(std::fabs(b["at_high"].get<double>() - rows[i].at_high) < 5e-7);
  }
  // c_derm and r_derm change both arms alike (rr_derm = 1): the saving does not move.
  for (size_t i = 9; i < 11; ++i) CHECK(std::fabs(t["bars"][i]["swing"].get<double>()) < 1e-9);
}

TEST_CASE("Tegaderm reference draws give the reference per-draw costs and summaries", "[cli][reference][tegaderm][psa]") {
  const vaglio::testing::TempDir dir("tegaderm");
  Run({"--draws", "tests/data/reference/tegaderm/psa_draws_N1000.csv", "--export-draws", dir.path()});
  auto read = [](const std::string& path) {
    std::ifstream in(path);
    std::stringstream ss;
    ss << in.rdbuf();
    vaglio::engine::Diagnostics diag;
    return vaglio::engine::ParseCsv(ss.str(), path, &diag);
  };
  auto ref = read(vaglio::testing::SourcePath("tests/data/reference/tegaderm/psa_draws_N1000.csv"));
  auto costs = read(dir / "costs.csv");
  REQUIRE(costs.rows.size() == 1000);
  const size_t cs = 12, ct = 13;  // cost_standard, cost_tegaderm columns of the reference
  REQUIRE(ref.header[cs] == "cost_standard");
  double sum = 0, sum2 = 0;
  int positive = 0;
  for (size_t i = 0; i < 1000; ++i) {
    CHECK(Near(std::stod(costs.rows[i][0]), std::stod(ref.rows[i][cs]), 1e-10));
    CHECK(Near(std::stod(costs.rows[i][1]), std::stod(ref.rows[i][ct]), 1e-10));
    const double saving = std::stod(costs.rows[i][0]) - std::stod(costs.rows[i][1]);
    sum += saving;
    sum2 += saving * saving;
    positive += saving > 0;
  }
  const double mean = sum / 1000, sd = std::sqrt((sum2 - 1000 * mean * mean) / 999);
  CHECK(Near(mean, 74.5261872069, 1e-9));
  CHECK(Near(sd, 65.7032177493, 1e-8));
  CHECK(positive == 964);
}

TEST_CASE("Tegaderm PSA with own draws is within Monte Carlo error of the exact values", "[cli][reference][tegaderm][psa]") {
  for (const bool scenario : {false, true}) {
    const vaglio::testing::TempDir dir("tegaderm-own");
    std::vector<std::string> extra = {"--psa", "10000", "--seed", "17", "--export-draws", dir.path()};
    if (scenario) extra.insert(extra.end(), {"--scenario", "low_crbsi"});
    Run(extra);
    std::ifstream in(dir / "costs.csv");
    std::stringstream ss;
    ss << in.rdbuf();
    vaglio::engine::Diagnostics diag;
    auto costs = vaglio::engine::ParseCsv(ss.str(), "costs.csv", &diag);
    REQUIRE(costs.rows.size() == 10000);
    double sum = 0;
    int positive = 0;
    for (const auto& row : costs.rows) {
      const double saving = std::stod(row[0]) - std::stod(row[1]);
      sum += saving;
      positive += saving > 0;
    }
    const double n = 10000, mean = sum / n, share = positive / n;
    // README "How to test": mean within 4 SD / sqrt(N) of the exact mean; P(saving > 0)
    // within 4 sqrt(p(1 - p)/N) of the 2,000,000-draw value.
    const double exact = scenario ? 3.68432 : 73.54268, sd = scenario ? 17.1894813 : 62.0883660;
    const double p = scenario ? 0.5657 : 0.9553;
    INFO("scenario " << scenario << " mean " << mean << " share " << share);
    CHECK(std::fabs(mean - exact) < 4 * sd / std::sqrt(n));
    CHECK(std::fabs(share - p) < 4 * std::sqrt(p * (1 - p) / n));
  }
}
