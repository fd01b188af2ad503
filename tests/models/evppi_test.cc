// EVPI and EVPPI on a model whose answer is known in closed form: two strategies whose
// incremental net benefit is theta + eps (+ phi), independent normals, at wtp 1.
// For X ~ N(mu, s^2): E[max(0, X)] = mu Phi(mu/s) + s phi(mu/s), so
//   EVPI          = E max(0, theta + eps + phi) - max(0, mu)   with s = sqrt(3)
//   EVPPI(theta)  = E max(0, theta) - max(0, mu)               with s = 1
//   EVPPI({theta, phi}) with s = sqrt(2).
#include <catch2/catch.hpp>

#include <cmath>

#include "models/evppi.h"
#include "models/psa.h"
#include "models/sampler.h"
#include "tests/test_util.h"

using vaglio::testing::LoadModelText;
namespace models = vaglio::models;

namespace {

constexpr double kMu = 0.3;

double ExpectedPositivePart(double mu, double s) {
  const double z = mu / s;
  const double Phi = 0.5 * std::erfc(-z / std::sqrt(2.0));
  const double phi = std::exp(-z * z / 2) / std::sqrt(2 * M_PI);
  return mu * Phi + s * phi;
}

const char kNormalModel[] = R"(format: vaglio.model/1
id: normal-inb
method: markov_cohort
cycle: {length: 1, unit: year}
horizon: 1
counting: end
values:
  cost: {role: cost, discount: 0}
  nb: {role: effect, discount: 0}
parameters:
  theta: {value: 0.3, dist: {normal: {mean: 0.3, sd: 1}}}
  eps: {value: 0, dist: {normal: {mean: 0, sd: 1}}}
  phi: {value: 0, dist: {normal: {mean: 0, sd: 1}}}
states:
  s: {cost: 0, nb: 0}
transitions:
  s: {s: 1}
initial: {s: 1}
strategies:
  a: {}
  b: {states: {s: {nb: "theta + eps + phi"}}}
)";

struct Run {
  std::optional<vaglio::engine::LoadedModel> m;
  models::PsaResult psa;
};

Run Psa(int64_t n) {
  Run r;
  vaglio::engine::Diagnostics diag;
  r.m = LoadModelText(kNormalModel, &diag);
  REQUIRE(r.m);
  auto s = models::Sampler::Make(r.m->model->info());
  REQUIRE(s.ok());
  const models::Sampler smp = s.value();
  models::DrawSource src;
  src.inputs = smp.sampled();
  src.count = n;
  src.fill = [&smp](int64_t i, std::span<double> x) { smp.Draw(2024, static_cast<uint64_t>(i), x); };
  models::PsaOptions po;
  po.threads = 2;
  po.wtp = {1.0};
  po.effect_value = 1;
  po.keep_draws = true;
  auto res = models::RunPsa(*r.m->model, src, po);
  REQUIRE(res.ok());
  r.psa = std::move(res).value();
  return r;
}

}  // namespace

TEST_CASE("EVPI and EVPPI match the closed form for normal net benefits", "[models][evppi]") {
  Run r = Psa(20000);
  // Monte Carlo standard error of a mean of max(0, X) over 20,000 draws is below 0.01.
  const double mc = 0.01;
  const double evpi = ExpectedPositivePart(kMu, std::sqrt(3.0)) - kMu;
  CHECK(std::fabs(r.psa.Evpi(0) - evpi) < 4 * mc);

  const std::vector<int> theta = {0};
  auto one = models::EstimateEvppi(r.psa, 3, theta);
  REQUIRE(one.ok());
  const double evppi_theta = ExpectedPositivePart(kMu, 1.0) - kMu;
  INFO("EVPPI(theta) " << one.value().evppi[0] << " se " << one.value().se[0] << " exact " << evppi_theta);
  CHECK(std::fabs(one.value().evppi[0] - evppi_theta) < 4 * (mc + one.value().se[0]));
  CHECK(one.value().se[0] > 0);
  CHECK(one.value().method == "spline");

  const std::vector<int> pair = {0, 2};
  auto two = models::EstimateEvppi(r.psa, 3, pair);
  REQUIRE(two.ok());
  const double evppi_pair = ExpectedPositivePart(kMu, std::sqrt(2.0)) - kMu;
  INFO("EVPPI(theta, phi) " << two.value().evppi[0] << " exact " << evppi_pair);
  CHECK(std::fabs(two.value().evppi[0] - evppi_pair) < 4 * (mc + two.value().se[0]));
  CHECK(two.value().method == "additive spline with interactions");
}

TEST_CASE("EVPPI never exceeds EVPI, and for all parameters together equals it", "[models][evppi]") {
  Run r = Psa(5000);
  for (std::vector<int> g : {std::vector<int>{0}, {1}, {2}, {0, 1}, {1, 2}}) {
    auto e = models::EstimateEvppi(r.psa, 3, g);
    REQUIRE(e.ok());
    CHECK(e.value().evppi[0] <= r.psa.Evpi(0));
  }
  const std::vector<int> all = {0, 1, 2};
  auto e = models::EstimateEvppi(r.psa, 3, all);
  REQUIRE(e.ok());
  CHECK(e.value().evppi[0] == r.psa.Evpi(0));
  CHECK(e.value().method == "exact");
}
