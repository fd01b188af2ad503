// Incremental analysis against hand-worked cases and the published DARTH Sick-Sicker
// CEA table (Alarid-Escudero et al., MDM 2023; values from research notes, corrected v0.3.0
// not needed here: the frontier logic is checked on the published journal numbers).
#include <catch2/catch.hpp>

#include "models/incremental.h"
#include "tests/test_util.h"

using vaglio::testing::Near;
namespace models = vaglio::models;

TEST_CASE("the DARTH Sick-Sicker strategies: A dominated, B and AB on the frontier", "[models][incremental]") {
  // Costs and QALYs of SoC, A, B, AB as published (journal version, full precision
  // reproduced independently); published ICERs $72,988 and $125,764, A dominated.
  const std::vector<double> cost = {151579.8659573899, 284804.5133705725, 259100.4106170044, 378875.1983944920};
  const std::vector<double> qaly = {20.711331464322, 21.498662808438, 22.184465140845, 23.136844135003};
  auto rows = models::IncrementalAnalysis(cost, qaly);
  CHECK(rows[0].status == models::FrontierStatus::kReference);
  CHECK(rows[1].status == models::FrontierStatus::kDominated);
  CHECK(rows[1].comparator == 2);  // dominated by B: cheaper and more effective
  CHECK(!rows[1].icer);
  CHECK(rows[2].status == models::FrontierStatus::kFrontier);
  CHECK(rows[2].comparator == 0);
  CHECK(std::round(*rows[2].icer) == 72988);
  CHECK(rows[3].comparator == 2);
  CHECK(std::round(*rows[3].icer) == 125764);
}

TEST_CASE("extended dominance removes a strategy whose ICER exceeds the next one's", "[models][incremental]") {
  // A (0, 0); B (100, 0.5): ICER 200 vs A; C (150, 1.2): ICER 71.4 vs B, so B is
  // extendedly dominated and C's ICER is 150/1.2 = 125 vs A. D (200, 1.0) costs more than
  // C and is less effective: dominated.
  const std::vector<double> cost = {0, 100, 150, 200}, eff = {0, 0.5, 1.2, 1.0};
  auto rows = models::IncrementalAnalysis(cost, eff);
  CHECK(rows[0].status == models::FrontierStatus::kReference);
  CHECK(rows[1].status == models::FrontierStatus::kExtendedDominated);
  CHECK(rows[1].comparator == 0);
  CHECK(rows[2].status == models::FrontierStatus::kFrontier);
  CHECK(Near(*rows[2].icer, 125.0, 1e-15));
  CHECK(rows[3].status == models::FrontierStatus::kDominated);
  CHECK(rows[3].comparator == 2);
  CHECK(rows[3].delta_cost == 50.0);
}

TEST_CASE("identical strategies: the first in file order stays, the others are dominated", "[models][incremental]") {
  auto rows = models::IncrementalAnalysis(std::vector<double>{10, 10}, std::vector<double>{1, 1});
  CHECK(rows[0].status == models::FrontierStatus::kReference);
  CHECK(rows[1].status == models::FrontierStatus::kDominated);
  CHECK(rows[1].comparator == 0);
}

TEST_CASE("the best strategy is the strict maximum of net benefit, ties to the first", "[models][incremental]") {
  const std::vector<double> cost = {0, 1000}, eff = {0, 0.1};
  CHECK(models::BestStrategy(5000, cost, eff) == 0);
  CHECK(models::BestStrategy(10000, cost, eff) == 0);  // a tie: no random tie-breaking
  CHECK(models::BestStrategy(10001, cost, eff) == 1);
}
