// Partitioned survival: the area under a curve against closed-form restricted means,
// crossing curves under both policies, background mortality against a hand computation.
#include <catch2/catch.hpp>

#include <boost/math/special_functions/gamma.hpp>
#include <array>
#include <cmath>

#include "models/psa.h"
#include "models/sampler.h"
#include "models/survival.h"
#include "tests/test_util.h"

using vaglio::testing::LoadErrors;
using vaglio::testing::Near;
using vaglio::testing::RunErrors;
namespace models = vaglio::models;

namespace {

// One curve, two states; `ly` accrues 1 per year alive, undiscounted.
std::string OneCurve(const std::string& curve, const std::string& cycle, int horizon, const std::string& counting) {
  return R"(format: vaglio.model/1
id: auc
method: partitioned_survival
cycle: )" + cycle + R"(
horizon: )" + std::to_string(horizon) + R"(
counting: )" + counting + R"(
crossing: error
values:
  cost: {role: cost, discount: 0}
  ly: {role: effect, discount: 0, per: year}
survival:
  os: )" + curve + R"(
states:
  alive: {cost: 0, ly: 1}
  dead: {cost: 0, ly: 0}
strategies:
  only: {}
)";
}

double LifeYears(const std::string& text) {
  vaglio::engine::Diagnostics diag;
  auto m = vaglio::testing::LoadModelText(text, &diag);
  INFO(diag.Format());
  REQUIRE(m);
  auto ev = m->model->NewEvaluator({});
  REQUIRE(ev.ok());
  models::Outcome o;
  REQUIRE(ev.value()->Evaluate({}, &o).ok());
  return o.value(0, 1);
}

}  // namespace

TEST_CASE("the area under an exponential curve is its restricted mean", "[models][psm]") {
  // Daily cycles over 3653 days (10.0014 years of 365.25 days).
  const double T = 3653 / 365.25;
  const double exact = (1 - std::exp(-0.2 * T)) / 0.2;
  const double simpson = LifeYears(OneCurve("{family: exponential, rate: 0.2}", "{length: 1, unit: day}", 3653, "simpson"));
  CHECK(Near(simpson, exact, 1e-12));
  // Annual cycles: the documented discretisation errors (docs/methods.md).
  const double exact10 = (1 - std::exp(-2.0)) / 0.2;
  const double half = LifeYears(OneCurve("{family: exponential, rate: 0.2}", "{length: 1, unit: year}", 10, "half_cycle"));
  const double end = LifeYears(OneCurve("{family: exponential, rate: 0.2}", "{length: 1, unit: year}", 10, "end"));
  const double simp10 = LifeYears(OneCurve("{family: exponential, rate: 0.2}", "{length: 1, unit: year}", 10, "simpson"));
  // Trapezoid: sum of (S_{k-1} + S_k)/2 = (1 + e^-0.2)/(2(1 - e^-0.2)) (1 - e^-2), by hand.
  const double q = std::exp(-0.2);
  CHECK(Near(half, (1 + q) / (2 * (1 - q)) * (1 - std::exp(-2.0)), 1e-14));
  CHECK(std::fabs(half - exact10) / exact10 < 0.004);   // trapezoid: 0.33 % too high
  CHECK(std::fabs(end - exact10) / exact10 > 0.09);      // counting at the end: 9.7 % too low
  CHECK(std::fabs(simp10 - exact10) / exact10 < 2e-5);   // Simpson: 1.1e-5
}

TEST_CASE("the area under a Weibull curve is its restricted mean", "[models][psm]") {
  // R's pweibull(shape 1.84, scale 12): integral of exp(-(t/b)^a) over [0, T] is
  // (b/a) * lower_gamma(1/a, (T/b)^a).
  const double a = 1.84, b = 12, T = 3653 / 365.25;
  const double exact = b / a * boost::math::tgamma_lower(1 / a, std::pow(T / b, a));
  const double simpson = LifeYears(OneCurve("{family: weibull_aft, shape: 1.84, scale: 12}", "{length: 1, unit: day}", 3653, "simpson"));
  CHECK(Near(simpson, exact, 1e-9));
  // Parameters on a monthly time scale give the same curve.
  const double monthly = LifeYears(OneCurve("{family: weibull_aft, shape: 1.84, scale: 144, time_unit: month}",
                                            "{length: 1, unit: day}", 3653, "simpson"));
  CHECK(Near(monthly, simpson, 1e-12));
}

TEST_CASE("crossing curves are clamped and counted, or rejected, as declared", "[models][psm]") {
  // PFS exponential(0.05) crosses OS Weibull(shape 2, scale 10) early: the hazard of OS
  // starts at 0.
  const std::string text = R"(format: vaglio.model/1
id: cross
method: partitioned_survival
cycle: {length: 1, unit: year}
horizon: 20
counting: life_table
discounting: {timing: start}
crossing: clamp
values:
  cost: {role: cost, discount: 0.03}
  ly: {role: effect, discount: 0}
survival:
  pfs: {family: exponential, rate: 0.05}
  os: {family: weibull_aft, shape: 2, scale: 10}
states:
  pf: {cost: 10, ly: 1}
  pd: {cost: 20, ly: 1}
  dead: {cost: 0, ly: 0}
strategies:
  only: {}
)";
  vaglio::engine::Diagnostics diag;
  auto m = vaglio::testing::LoadModelText(text, &diag);
  REQUIRE(m);
  auto ev = m->model->NewEvaluator({});
  models::Outcome o;
  models::Details d;
  d.want_trace = true;
  REQUIRE(ev.value()->Evaluate({}, &o, &d).ok());
  // By hand: exp(-0.05 t) > exp(-(t/10)^2) from t = 5 on (0.05 t < t^2/100 for t > 5);
  // at t = 5 they are equal (within rounding), so cycles 6..20 are clamped: 15.
  CHECK(d.clamped_cycles[0] == 15);
  for (const auto& row : d.traces[0].occupancy) {
    CHECK(row[1] >= 0);  // progressed is never negative
    CHECK(Near(row[0] + row[1] + row[2], 1.0, 1e-15));
  }
  std::string strict = text;
  strict.replace(strict.find("crossing: clamp"), 15, "crossing: error");
  CHECK(RunErrors(strict) ==
        "m.yaml:13:8: survival.pfs: curve 'pfs' (0.740818220681718) is above curve 'os' (0.697676326071031) at cycle 6, "
        "but nested curves must not cross (crossing: error)\n");
}

TEST_CASE("background mortality floors the hazard of overall survival", "[models][psm]") {
  // OS exponential with rate 0.01; background: 5% a year from year 3 (cycle 4) on.
  // By hand: S(k) = prod over cycles of min(exp(-0.01), 1 - q_k).
  const std::string text = R"(format: vaglio.model/1
id: bg
method: partitioned_survival
cycle: {length: 1, unit: year}
horizon: 6
counting: end
crossing: clamp
values:
  cost: {role: cost, discount: 0}
  ly: {role: effect, discount: 0}
survival:
  os: {family: exponential, rate: 0.01}
background:
  mortality: "cycle >= 4 ? 0.05 : 0.001"
states:
  alive: {cost: 0, ly: 1}
  dead: {cost: 0, ly: 0}
strategies:
  only: {}
)";
  double s = 1, ly = 0;
  for (int k = 1; k <= 6; ++k) {
    s *= std::min(std::exp(-0.01), k >= 4 ? 0.95 : 0.999);
    ly += s;
  }
  vaglio::engine::Diagnostics diag;
  auto m = vaglio::testing::LoadModelText(text, &diag);
  INFO(diag.Format());
  REQUIRE(m);
  auto ev = m->model->NewEvaluator({});
  models::Outcome o;
  REQUIRE(ev.value()->Evaluate({}, &o).ok());
  CHECK(Near(o.value(0, 1), ly, 1e-14));
}

TEST_CASE("bad partitioned survival models get the standard error format", "[models][psm][errors]") {
  const std::string base = OneCurve("{family: weibull_aft, shape: 2, scale: 10}", "{length: 1, unit: year}", 10, "end");
  auto edit = [&](const std::string& from, const std::string& to) {
    std::string t = base;
    t.replace(t.find(from), from.size(), to);
    return t;
  };
  CHECK(LoadErrors(edit("shape: 2, scale: 10", "shape: 2, rate: 10")) ==
        "m.yaml:12:7: survival.os: a weibull_aft curve needs 'scale', but 'os' does not give it\n"
        "m.yaml:12:45: survival.os.rate: 'rate' is not a parameter of a weibull_aft curve, which takes 'shape', "
        "'scale'\n");
  CHECK(LoadErrors(edit("crossing: error\n", "")) ==
        "m.yaml:1:1: crossing: is missing, but a partitioned survival model must declare what happens when its "
        "curves cross (clamp or error)\n");
  CHECK(RunErrors(edit("scale: 10", "scale: -10")) ==
        "m.yaml:12:7: survival.os: scale is -10, but must be > 0\n");
}

TEST_CASE("survival coefficients with a covariance matrix are sampled as multivariate normal", "[models][psm][psa]") {
  // A Weibull PH fit reported on the log scale with its variance-covariance matrix.
  const std::string text = R"Y(format: vaglio.model/1
id: cov
method: partitioned_survival
cycle: {length: 1, unit: month}
horizon: 120
counting: half_cycle
discounting: {timing: end}
crossing: clamp
values:
  cost: {role: cost, discount: 0.03}
  ly: {role: effect, discount: 0.03, per: year}
parameters:
  log_shape: 0.3
  log_rate: -2.5
correlations:
  - {params: [log_shape, log_rate], covariance: [[0.01, -0.012], [-0.012, 0.04]]}
survival:
  os: {family: weibull_ph, shape: "exp(log_shape)", rate: "exp(log_rate)"}
states:
  alive: {cost: 100, ly: 1}
  dead: {cost: 0, ly: 0}
strategies:
  a: {}
)Y";
  vaglio::engine::Diagnostics diag;
  auto m = vaglio::testing::LoadModelText(text, &diag);
  INFO(diag.Format());
  REQUIRE(m);
  auto s = models::Sampler::Make(m->model->info());
  REQUIRE(s.ok());
  REQUIRE(s.value().sampled().size() == 2);
  const int n = 20000;
  double m0 = 0, m1 = 0, c00 = 0, c01 = 0, c11 = 0;
  std::vector<double> x(2);
  std::vector<std::array<double, 2>> draws;
  for (int i = 0; i < n; ++i) {
    s.value().Draw(99, static_cast<uint64_t>(i), x);
    draws.push_back({x[0], x[1]});
    m0 += x[0] / n;
    m1 += x[1] / n;
  }
  for (const auto& d : draws) {
    c00 += (d[0] - m0) * (d[0] - m0) / (n - 1);
    c01 += (d[0] - m0) * (d[1] - m1) / (n - 1);
    c11 += (d[1] - m1) * (d[1] - m1) / (n - 1);
  }
  // Standard errors: sd/sqrt(n) for means, about var*sqrt(2/n) for variances.
  CHECK(std::fabs(m0 - 0.3) < 4 * 0.1 / std::sqrt(n));
  CHECK(std::fabs(m1 + 2.5) < 4 * 0.2 / std::sqrt(n));
  CHECK(std::fabs(c00 - 0.01) < 4 * 0.01 * std::sqrt(2.0 / n));
  CHECK(std::fabs(c11 - 0.04) < 4 * 0.04 * std::sqrt(2.0 / n));
  CHECK(std::fabs(c01 + 0.012) < 4 * std::sqrt((0.01 * 0.04 + 0.012 * 0.012) / n));
  // And the model runs on every draw.
  auto r = models::RunPsa(*m->model,
                          models::DrawSource{s.value().sampled(), 500,
                                             [&](int64_t i, std::span<double> y) { s.value().Draw(99, static_cast<uint64_t>(i), y); }},
                          models::PsaOptions{});
  CHECK(r.ok());
}

TEST_CASE("a Kaplan-Meier table may start with time 0 and survival 1", "[models][psm]") {
  const std::string text = OneCurve("{family: kaplan_meier, table: km}", "{length: 1, unit: year}", 4, "end") +
                           "tables:\n  km: {columns: [t, s], rows: [[0, 1], [1, 0.9], [2.5, 0.7], [3, 0.5]]}\n";
  // end counting at t = 1..4: S = 0.9, 0.9, 0.5, 0.5 (right-continuous steps).
  CHECK(Near(LifeYears(text), 2.8, 1e-15));
}

TEST_CASE("a generalized gamma curve takes mu, sigma and q", "[models][psm]") {
  // Q = 1 is a Weibull with shape 1/sigma and scale exp(mu) (flexsurv's GenGamma help).
  const double gg = LifeYears(OneCurve("{family: gen_gamma, mu: 2.3, sigma: 0.6, q: 1}", "{length: 1, unit: year}", 10, "end"));
  const double wb = LifeYears(OneCurve("{family: weibull_aft, shape: \"1/0.6\", scale: \"exp(2.3)\"}",
                                       "{length: 1, unit: year}", 10, "end"));
  CHECK(Near(gg, wb, 1e-10));
}
