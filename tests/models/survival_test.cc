// Survival curves: each family against an independent source (Boost.Math's distributions,
// hand formulas, flexsurv's documented special cases and the values printed in flexsurv's own
// tests, a numerical integral of the published generalized gamma density), the hr and af
// adjustments, invariants, restricted means against closed forms written here and a naive
// trapezoid, and input errors word for word.
//
// flexsurv sources used (chjackson/flexsurv): the GenGamma help page (R/GenGamma.R: the
// density of the Prentice parameterisation, Q = 0 lognormal, Q = 1 Weibull(1/sigma, exp(mu)),
// Q = sigma gamma(1/sigma^2, rate exp(-mu)/sigma^2), and the mapping from Stacy's original
// parameters), src/gengamma.cpp and src/gompertz.cpp (how S is computed), and the printed
// values of tests/testthat/test_gompertz.R and test_utils.R.
#include "models/survival.h"

#include <boost/math/distributions/exponential.hpp>
#include <boost/math/distributions/gamma.hpp>
#include <boost/math/distributions/lognormal.hpp>
#include <boost/math/distributions/normal.hpp>
#include <boost/math/distributions/weibull.hpp>
#include <boost/math/special_functions/gamma.hpp>
#include <catch2/catch.hpp>
#include <cmath>
#include <functional>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

#include "models/tolerances.h"
#include "tests/test_util.h"

using vaglio::testing::Near;
namespace models = vaglio::models;
namespace bm = boost::math;
using F = models::SurvivalFamily;

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

models::SurvivalCurve Curve(F family, std::vector<double> params, double hr = 1, double af = 1) {
  models::SurvivalCurve c;
  c.family = family;
  c.params = std::move(params);
  c.hr = hr;
  c.af = af;
  return c;
}

models::SurvivalCurve Steps(F family, std::vector<double> times, std::vector<double> values,
                            double hr = 1, double af = 1) {
  models::SurvivalCurve c;
  c.family = family;
  c.times = std::move(times);
  c.values = std::move(values);
  c.hr = hr;
  c.af = af;
  return c;
}

// One or more curves of every family, including the awkward corners (Gompertz with a cure
// fraction and with shape 0, gen_gamma with Q < 0 and Q below kGenGammaSmallQ, a piecewise
// rate of 0).
std::vector<models::SurvivalCurve> Samples() {
  return {
      Curve(F::kExponential, {0.3}),
      Curve(F::kWeibullAft, {1.7, 8}),
      Curve(F::kWeibullAft, {0.6, 3}),
      Curve(F::kWeibullPh, {1.4, 0.05}),
      Curve(F::kGompertz, {0.1, 0.2}),
      Curve(F::kGompertz, {-0.6, 1.8}),
      Curve(F::kGompertz, {0, 0.25}),
      Curve(F::kLogLogistic, {2.2, 5}),
      Curve(F::kLogNormal, {1.2, 0.8}),
      Curve(F::kGamma, {2.5, 0.4}),
      Curve(F::kGamma, {0.45, 1.3}),
      Curve(F::kGenGamma, {0.3, 0.9, 0.6}),
      Curve(F::kGenGamma, {1.5, 1.1, -0.8}),
      Curve(F::kGenGamma, {0.3, 0.9, 2e-6}),
      Curve(F::kGenGamma, {0.3, 0.9, -1e-3}),
      Steps(F::kPiecewiseExponential, {0, 1, 3, 7.5}, {0.1, 0.3, 0, 0.2}),
      Steps(F::kKaplanMeier, {0.5, 1.2, 2, 4.5, 9}, {0.95, 0.8, 0.8, 0.5, 0.2}),
  };
}

std::string Describe(const models::SurvivalCurve& c) {
  std::ostringstream out;
  out << models::ToString(c.family);
  for (double p : c.params) out << ' ' << p;
  out << " hr=" << c.hr << " af=" << c.af;
  return out.str();
}

models::SurvivalCurve WithHrAf(models::SurvivalCurve c, double hr, double af) {
  c.hr = hr;
  c.af = af;
  return c;
}

const std::vector<double> kTimes = {1e-6, 0.01, 0.3, 1, 2.5, 7, 10, 30};

}  // namespace

// ---- each family against an independent source ---------------------------------------------

TEST_CASE("exponential, Weibull AFT, lognormal and gamma equal Boost.Math's cdf complements",
          "[models][survival]") {
  auto compare = [](const models::SurvivalCurve& c, const auto& dist) {
    for (double t : kTimes) {
      INFO(Describe(c) << " t=" << t);
      CHECK(Near(models::Survival(c, t), bm::cdf(bm::complement(dist, t)), 1e-13));
    }
  };
  compare(Curve(F::kExponential, {0.3}), bm::exponential_distribution<double>(0.3));
  compare(Curve(F::kWeibullAft, {1.7, 8}), bm::weibull_distribution<double>(1.7, 8));
  compare(Curve(F::kWeibullAft, {0.6, 3}), bm::weibull_distribution<double>(0.6, 3));
  compare(Curve(F::kLogNormal, {1.2, 0.8}), bm::lognormal_distribution<double>(1.2, 0.8));
  compare(Curve(F::kLogNormal, {-0.5, 2.5}), bm::lognormal_distribution<double>(-0.5, 2.5));
  // R's dgamma(shape, rate) is Boost's gamma_distribution(shape, scale = 1/rate).
  compare(Curve(F::kGamma, {2.5, 0.4}), bm::gamma_distribution<double>(2.5, 1 / 0.4));
  compare(Curve(F::kGamma, {0.45, 1.3}), bm::gamma_distribution<double>(0.45, 1 / 1.3));
}

TEST_CASE("Weibull PH, Gompertz and log-logistic equal their formulas written by hand",
          "[models][survival]") {
  for (double t : kTimes) {
    INFO("t=" << t);
    CHECK(Near(models::Survival(Curve(F::kWeibullPh, {1.4, 0.05}), t),
               std::exp(-0.05 * std::pow(t, 1.4)), 1e-14));
    // flexsurv: S = exp(-(rate/shape)(exp(shape t) - 1)), for shape of either sign.
    CHECK(Near(models::Survival(Curve(F::kGompertz, {0.1, 0.2}), t),
               std::exp(-(0.2 / 0.1) * (std::exp(0.1 * t) - 1)), 1e-13));
    CHECK(Near(models::Survival(Curve(F::kGompertz, {-0.6, 1.8}), t),
               std::exp(-(1.8 / -0.6) * (std::exp(-0.6 * t) - 1)), 1e-13));
    // shape 0 is exponential(rate); a tiny shape is continuous with it.
    CHECK(Near(models::Survival(Curve(F::kGompertz, {0, 0.25}), t), std::exp(-0.25 * t), 1e-15));
    // A tiny shape needs expm1 in the hand formula (exp(shape t) - 1 would lose every digit).
    CHECK(Near(models::Survival(Curve(F::kGompertz, {1e-12, 0.25}), t),
               std::exp(-(0.25 / 1e-12) * std::expm1(1e-12 * t)), 1e-14));
    CHECK(Near(models::Survival(Curve(F::kGompertz, {-1e-12, 0.25}), t),
               std::exp(-(0.25 / -1e-12) * std::expm1(-1e-12 * t)), 1e-14));
    CHECK(Near(models::Survival(Curve(F::kLogLogistic, {2.2, 5}), t),
               1 / (1 + std::pow(t / 5, 2.2)), 1e-14));
  }
}

TEST_CASE("values printed in flexsurv's tests are reproduced", "[models][survival]") {
  // test_gompertz.R: dgompertz(1:4, shape = 0.1, rate = 0.2); the density is h(t) S(t) with
  // the hazard h(t) = rate exp(shape t).
  const double gompertz_density[] = {0.179105591827508, 0.156884811322895, 0.134101872197705,
                                     0.111571759992743};
  for (int i = 0; i < 4; ++i) {
    const double t = i + 1;
    CHECK(Near(0.2 * std::exp(0.1 * t) * models::Survival(Curve(F::kGompertz, {0.1, 0.2}), t),
               gompertz_density[i], 1e-13));
  }
  // test_gompertz.R, "Gompertz with chance of living forever": with shape -0.6 and rate 1.8
  // the 0.8 and 0.9 quantiles are 1.28150707286845 and 2.4316450975351, and the 0.97 quantile
  // is infinite (the cure fraction exp(-3) = 0.0498 is above 0.03).
  const models::SurvivalCurve cure = Curve(F::kGompertz, {-0.6, 1.8});
  CHECK(Near(models::Survival(cure, 1.28150707286845), 0.2, 1e-13));
  CHECK(Near(models::Survival(cure, 2.4316450975351), 0.1, 1e-13));
  CHECK(models::Survival(cure, kInf) > 0.03);

  // test_utils.R: pgenf(1:4, mu = 0, sigma = 1, Q = 0, P = 1), which the same file equates
  // with the log-logistic of shape sqrt(2)/sigma and scale exp(mu).
  const double genf_cdf[] = {0.5, 0.727159434644773, 0.825443507527843, 0.876588815661789};
  for (int i = 0; i < 4; ++i) {
    CHECK(Near(models::Survival(Curve(F::kLogLogistic, {std::sqrt(2.0), 1}), i + 1),
               1 - genf_cdf[i], 1e-14, 1e-15));
  }

  // test_utils.R: pgengamma(1:4, mu = 0, sigma = 1, Q = 1).
  const double gengamma_cdf[] = {0.632120558828558, 0.864664716763387, 0.950212931632136,
                                 0.981684361111266};
  for (int i = 0; i < 4; ++i) {
    CHECK(Near(models::Survival(Curve(F::kGenGamma, {0, 1, 1}), i + 1), 1 - gengamma_cdf[i], 1e-14,
               1e-15));
  }

  // test_utils.R: dgengamma.orig(1:4, shape = 1.2, scale = 1.3, k = 1.4), which the help page
  // equates with dgengamma(mu = log(scale) + log(k)/shape, sigma = 1/(shape sqrt(k)),
  // Q = 1/sqrt(k)). The density is -dS/dt, here by a five-point central difference.
  const double orig_density[] = {0.419477559803262, 0.260699967439176, 0.120081193404263,
                                 0.0474236822588797};
  const double b = 1.2, a = 1.3, k = 1.4;
  const models::SurvivalCurve gg = Curve(
      F::kGenGamma, {std::log(a) + std::log(k) / b, 1 / (b * std::sqrt(k)), 1 / std::sqrt(k)});
  for (int i = 0; i < 4; ++i) {
    const double t = i + 1, h = 1e-3 * t;
    auto s = [&](double x) { return models::Survival(gg, x); };
    const double density = (-s(t - 2 * h) + 8 * s(t - h) - 8 * s(t + h) + s(t + 2 * h)) / (12 * h);
    CHECK(Near(density, orig_density[i], 1e-9));
  }
}

TEST_CASE("gen_gamma reduces to lognormal, Weibull and gamma as flexsurv documents",
          "[models][survival]") {
  for (double t : kTimes) {
    INFO("t=" << t);
    // Q = 0: lognormal(mu, sigma).
    CHECK(Near(models::Survival(Curve(F::kGenGamma, {0.4, 1.2, 0}), t),
               bm::cdf(bm::complement(bm::lognormal_distribution<double>(0.4, 1.2), t)), 1e-14));
    // Q = 1: Weibull(shape 1/sigma, scale exp(mu)) (mu 0.1, sigma 1.2 as in flexsurv's tests).
    CHECK(Near(models::Survival(Curve(F::kGenGamma, {0.1, 1.2, 1}), t),
               bm::cdf(bm::complement(bm::weibull_distribution<double>(1 / 1.2, std::exp(0.1)), t)),
               1e-13));
    // Q = sigma: gamma(shape 1/sigma^2, rate exp(-mu)/sigma^2) (mu 0.4, sigma 1.2).
    const double shape = 1 / (1.2 * 1.2), rate = std::exp(-0.4) / (1.2 * 1.2);
    CHECK(Near(models::Survival(Curve(F::kGenGamma, {0.4, 1.2, 1.2}), t),
               bm::cdf(bm::complement(bm::gamma_distribution<double>(shape, 1 / rate), t)), 1e-13));
    // Stacy's original parameters (shape b, scale a, k): S = Q(k, (t/a)^b) (pgengamma.orig).
    const double b = 2.2, a = 1.6, k = 1.9;
    CHECK(Near(models::Survival(Curve(F::kGenGamma, {std::log(a) + std::log(k) / b,
                                                     1 / (b * std::sqrt(k)), 1 / std::sqrt(k)}),
                                t),
               bm::gamma_q(k, std::pow(t / a, b)), 1e-13));
  }
}

namespace {

// The density of w = (log T - mu)/sigma under gen_gamma, from the flexsurv help page:
// f(w) = |Q| (Q^-2)^(Q^-2) / Gamma(Q^-2) exp(Q^-2 (Q w - exp(Q w))). For small |Q| the same
// expression reorganised so that its huge terms cancel by hand: Stirling's series gives
// log|Q| + a log a - a - lgamma(a) = -log(2 pi)/2 - Q^2/12 + Q^6/360 - Q^10/1260 (a = Q^-2),
// and a (Q w - exp(Q w)) + a = -sum_{k >= 2} Q^(k-2) w^k / k!.
double GenGammaLogDensity(double q, double w) {
  if (std::fabs(q) >= 0.1) {
    const double a = 1 / (q * q);
    return std::log(std::fabs(q)) + a * std::log(a) - std::lgamma(a) +
           a * (q * w - std::exp(q * w));
  }
  double sum = 0, term = w * w / 2;
  for (int k = 2; k < 60; ++k) {
    sum += term;
    term *= q * w / (k + 1);
  }
  const double q2 = q * q;
  return -0.5 * std::log(2 * M_PI) - q2 / 12 + q2 * q2 * q2 / 360 - q2 * q2 * q2 * q2 * q2 / 1260 -
         sum;
}

// A sum with Kahan's compensation: the oracles below add 1e5 terms, whose rounding would
// otherwise show at 1e-13.
class Sum {
 public:
  void Add(double x) {
    const double y = x - compensation_;
    const double t = sum_ + y;
    compensation_ = (t - sum_) - y;
    sum_ = t;
  }
  double value() const { return sum_; }

 private:
  double sum_ = 0, compensation_ = 0;
};

// P(W > w) by composite Simpson's rule over [w, w + 80] (the density is below 1e-22 beyond).
double GenGammaUpperTail(double q, double w) {
  const int n = 100000;
  const double h = 80.0 / n;
  Sum sum;
  for (int i = 0; i <= n; ++i) {
    const double weight = (i == 0 || i == n) ? 1 : (i % 2 == 1 ? 4 : 2);
    sum.Add(weight * std::exp(GenGammaLogDensity(q, w + i * h)));
  }
  return sum.value() * h / 3;
}

}  // namespace

TEST_CASE("gen_gamma equals the integral of its published density for Q of either sign",
          "[models][survival]") {
  const double mu = 0.3, sigma = 0.9;
  // Both sides of kGenGammaSmallQ (5e-3), far from it, 0, and either sign.
  for (double q : {2.0, 1.0, 0.3, 0.02, 6e-3, 4e-3, 1e-5, 1e-9, 0.0, -1e-9, -1e-5, -4e-3, -6e-3,
                   -0.05, -0.7, -1.5}) {
    for (double w : {-2.0, -0.5, 0.0, 1.0, 2.5}) {
      INFO("Q=" << q << " w=" << w);
      const double t = std::exp(mu + sigma * w);
      CHECK(Near(models::Survival(Curve(F::kGenGamma, {mu, sigma, q}), t), GenGammaUpperTail(q, w),
                 0, 1e-13));
    }
  }
}

TEST_CASE("gen_gamma has no visible step where small Q switches to Temme's expansion",
          "[models][survival]") {
  for (double sign : {1.0, -1.0}) {
    const double above = sign * models::kGenGammaSmallQ * (1 + 1e-12);
    const double below = sign * models::kGenGammaSmallQ * (1 - 1e-12);
    for (double t : kTimes) {
      INFO("Q=" << above << " t=" << t);
      CHECK(Near(models::Survival(Curve(F::kGenGamma, {0.3, 0.9, above}), t),
                 models::Survival(Curve(F::kGenGamma, {0.3, 0.9, below}), t), 0, 1e-13));
    }
  }
}

TEST_CASE("a gamma with a huge shape takes the same route and stays accurate",
          "[models][survival]") {
  // Shape 1e5 is past kGenGammaSmallQ^-2 = 4e4 but still within Boost's reach.
  const double shape = 1e5, rate = 2;
  for (double z : {-6.0, -2.0, 0.0, 1.5, 5.0}) {
    const double t = (shape + z * std::sqrt(shape)) / rate;
    INFO("z=" << z);
    CHECK(Near(models::Survival(Curve(F::kGamma, {shape, rate}), t),
               bm::cdf(bm::complement(bm::gamma_distribution<double>(shape, 1 / rate), t)), 1e-12,
               1e-14));
  }
  // Shape 1e12 is beyond Boost's incomplete gamma (it does not converge); the skewness
  // 2/sqrt(shape) = 2e-6 keeps the gamma within 1e-6 of its normal approximation.
  for (double z : {-2.0, 0.0, 1.5}) {
    const double t = 1e12 + z * 1e6;
    CHECK(Near(models::Survival(Curve(F::kGamma, {1e12, 1}), t),
               bm::cdf(bm::complement(bm::normal_distribution<double>(), z)), 0, 1e-6));
  }
}

// ---- hr and af -----------------------------------------------------------------------------

TEST_CASE("hr raises S to a power and af divides time, for every family", "[models][survival]") {
  for (const models::SurvivalCurve& base : Samples()) {
    for (double t : kTimes) {
      INFO(Describe(base) << " t=" << t);
      const double s = models::Survival(base, t);
      CHECK(Near(models::Survival(WithHrAf(base, 1.7, 1), t), std::pow(s, 1.7), 1e-12));
      CHECK(Near(models::Survival(WithHrAf(base, 0.4, 1), t), std::pow(s, 0.4), 1e-12));
      CHECK(Near(models::Survival(WithHrAf(base, 1, 2.5), t), models::Survival(base, t / 2.5),
                 1e-15));
      CHECK(Near(models::Survival(WithHrAf(base, 1.7, 2.5), t),
                 std::pow(models::Survival(base, t / 2.5), 1.7), 1e-12));
    }
  }
}

TEST_CASE("hr and af equal the parameter changes they stand for", "[models][survival]") {
  const double hr = 1.7, af = 2.5;
  auto same = [](const models::SurvivalCurve& x, const models::SurvivalCurve& y) {
    for (double t : kTimes) {
      INFO(Describe(x) << " vs " << Describe(y) << " t=" << t);
      CHECK(Near(models::Survival(x, t), models::Survival(y, t), 1e-12));
    }
  };
  // Weibull PH: S = exp(-rate t^k), so hr multiplies the rate and af divides it by af^k.
  same(Curve(F::kWeibullPh, {1.4, 0.05}, hr), Curve(F::kWeibullPh, {1.4, 0.05 * hr}));
  same(Curve(F::kWeibullPh, {1.4, 0.05}, 1, af),
       Curve(F::kWeibullPh, {1.4, 0.05 * std::pow(af, -1.4)}));
  // Weibull AFT: hr is the scale change scale * hr^(-1/k); af multiplies the scale.
  same(Curve(F::kWeibullAft, {1.7, 8}, hr),
       Curve(F::kWeibullAft, {1.7, 8 * std::pow(hr, -1 / 1.7)}));
  same(Curve(F::kWeibullAft, {1.7, 8}, 1, af), Curve(F::kWeibullAft, {1.7, 8 * af}));
  // Exponential.
  same(Curve(F::kExponential, {0.3}, hr, af), Curve(F::kExponential, {0.3 * hr / af}));
  // Gompertz is PH (hr multiplies the rate); af divides shape and rate.
  same(Curve(F::kGompertz, {0.1, 0.2}, hr), Curve(F::kGompertz, {0.1, 0.2 * hr}));
  same(Curve(F::kGompertz, {-0.6, 1.8}, 1, af), Curve(F::kGompertz, {-0.6 / af, 1.8 / af}));
  // AFT families: af is a scale change.
  same(Curve(F::kLogLogistic, {2.2, 5}, 1, af), Curve(F::kLogLogistic, {2.2, 5 * af}));
  same(Curve(F::kLogNormal, {1.2, 0.8}, 1, af), Curve(F::kLogNormal, {1.2 + std::log(af), 0.8}));
  same(Curve(F::kGamma, {2.5, 0.4}, 1, af), Curve(F::kGamma, {2.5, 0.4 / af}));
  same(Curve(F::kGenGamma, {0.3, 0.9, -0.8}, 1, af),
       Curve(F::kGenGamma, {0.3 + std::log(af), 0.9, -0.8}));
  // Piecewise exponential: hr multiplies the rates; af stretches the times and divides the rates.
  same(Steps(F::kPiecewiseExponential, {0, 1, 3}, {0.1, 0.3, 0.2}, hr),
       Steps(F::kPiecewiseExponential, {0, 1, 3}, {0.1 * hr, 0.3 * hr, 0.2 * hr}));
  same(Steps(F::kPiecewiseExponential, {0, 1, 3}, {0.1, 0.3, 0.2}, 1, af),
       Steps(F::kPiecewiseExponential, {0, af, 3 * af}, {0.1 / af, 0.3 / af, 0.2 / af}));
  // Kaplan-Meier: hr powers the values; af stretches the times.
  same(Steps(F::kKaplanMeier, {0.5, 2}, {0.9, 0.4}, hr),
       Steps(F::kKaplanMeier, {0.5, 2}, {std::pow(0.9, hr), std::pow(0.4, hr)}));
  same(Steps(F::kKaplanMeier, {0.5, 2}, {0.9, 0.4}, 1, af),
       Steps(F::kKaplanMeier, {0.5 * af, 2 * af}, {0.9, 0.4}));
}

// ---- invariants and edges --------------------------------------------------------------------

TEST_CASE("S(0) = 1 and S is non-increasing, in [0, 1] and never NaN", "[models][survival]") {
  std::vector<double> grid;
  for (int k = -300; k <= 300; ++k) grid.push_back(std::pow(10.0, k / 20.0));
  for (const models::SurvivalCurve& base : Samples()) {
    for (double hr : {1.0, 0.3, 4.0}) {
      for (double af : {1.0, 0.2, 6.0}) {
        const models::SurvivalCurve c = WithHrAf(base, hr, af);
        INFO(Describe(c));
        REQUIRE(models::CheckSurvivalCurve(c, "c").ok());
        CHECK(models::Survival(c, 0) == 1);
        for (double t : {0.0, 1e-12, 1.0, 1e3, 1e9, kInf}) {
          const double s = models::Survival(c, t);
          INFO("t=" << t);
          CHECK(s >= 0);
          CHECK(s <= 1);
        }
        double previous = 1;
        for (double t : grid) {
          const double s = models::Survival(c, t);
          INFO("t=" << t);
          CHECK(s <= previous);
          previous = s;
        }
      }
    }
  }
}

TEST_CASE("S underflows to 0, not NaN, at extreme times and parameters", "[models][survival]") {
  CHECK(models::Survival(Curve(F::kExponential, {1}), 1e9) == 0);
  CHECK(models::Survival(Curve(F::kWeibullAft, {3, 1}), 1e200) == 0);
  CHECK(models::Survival(Curve(F::kWeibullPh, {3, 1}), 1e200) == 0);
  CHECK(models::Survival(Curve(F::kGompertz, {0.5, 0.01}), 1e4) == 0);
  CHECK(models::Survival(Curve(F::kGompertz, {0.5, 0.01}), 1e300) == 0);
  CHECK(models::Survival(Curve(F::kLogLogistic, {50, 1}), 1e100) == 0);
  CHECK(models::Survival(Curve(F::kLogLogistic, {50, 1}, 2), 1e100) == 0);
  CHECK(models::Survival(Curve(F::kLogNormal, {0, 1}), 1e300) == 0);
  CHECK(models::Survival(Curve(F::kGamma, {2, 1}), 1e300) == 0);
  CHECK(models::Survival(Curve(F::kGenGamma, {0, 1, 2}), 1e300) == 0);
  CHECK(models::Survival(Curve(F::kGenGamma, {0, 1, -2}), 1e300) == 0);
  CHECK(models::Survival(Curve(F::kGenGamma, {0, 1, 1e-7}), 1e300) == 0);
  // At the other end S is 1 (to double precision), whatever the family.
  for (const models::SurvivalCurve& c : Samples()) {
    INFO(Describe(c));
    CHECK(Near(models::Survival(c, 1e-300), 1, 1e-15));
  }
  // A huge hr sends S to 0 at once; a tiny af sends t / af to infinity.
  CHECK(models::Survival(Curve(F::kLogNormal, {0, 1}, 1e300), 1) == 0);
  CHECK(models::Survival(Curve(F::kExponential, {0.5}, 1e300), 1e-9) == 0);
  CHECK(models::Survival(Curve(F::kGompertz, {-0.6, 1.8}, 1, 1e-300), 1e10) ==
        models::Survival(Curve(F::kGompertz, {-0.6, 1.8}), kInf));
  CHECK(models::Survival(Curve(F::kGamma, {2.5, 0.4}, 1, 1e300), 1e10) == 1);
  CHECK_THROWS_AS(models::Survival(Curve(F::kExponential, {1}), std::nan("")),
                  std::invalid_argument);
  // A curve that skipped CheckSurvivalCurve and lacks a parameter throws instead of reading
  // past the end.
  CHECK_THROWS_AS(models::Survival(Curve(F::kWeibullAft, {1.5}), 1), std::invalid_argument);
  CHECK_THROWS_AS(models::RestrictedMean(Curve(F::kWeibullAft, {1.5}), 1), std::invalid_argument);
}

TEST_CASE("a Gompertz with negative shape levels off at its cure fraction exp(rate/shape)",
          "[models][survival]") {
  const models::SurvivalCurve cure = Curve(F::kGompertz, {-0.6, 1.8});
  CHECK(Near(models::Survival(cure, 1e9), std::exp(1.8 / -0.6), 1e-15));
  CHECK(Near(models::Survival(cure, kInf), std::exp(-3.0), 1e-15));
  // hr applies to the cure fraction too (exp(hr rate/shape)); af does not change it.
  CHECK(Near(models::Survival(Curve(F::kGompertz, {-0.6, 1.8}, 2), kInf), std::exp(-6.0), 1e-15));
  CHECK(
      Near(models::Survival(Curve(F::kGompertz, {-0.6, 1.8}, 1, 7), 1e12), std::exp(-3.0), 1e-15));
  // Beyond t = 100 the cured fraction is all that is left: the mean grows by it per unit time.
  CHECK(Near(models::RestrictedMean(cure, 300) - models::RestrictedMean(cure, 200),
             100 * std::exp(-3.0), 1e-12));
  // Kaplan-Meier and piecewise exponential curves stay at their last level / keep their last rate.
  CHECK(models::Survival(Steps(F::kKaplanMeier, {1, 2}, {0.7, 0.4}), kInf) == 0.4);
  CHECK(Near(models::Survival(Steps(F::kPiecewiseExponential, {0, 2}, {0.5, 0}), kInf),
             std::exp(-1.0), 1e-15));
}

TEST_CASE("Kaplan-Meier is a right-continuous step function", "[models][survival]") {
  const models::SurvivalCurve km = Steps(F::kKaplanMeier, {0.5, 1.2, 2}, {0.95, 0.8, 0.6});
  CHECK(models::Survival(km, 0.4999) == 1);
  CHECK(models::Survival(km, 0.5) == 0.95);
  CHECK(models::Survival(km, 1.1999) == 0.95);
  CHECK(models::Survival(km, 1.2) == 0.8);
  CHECK(models::Survival(km, 2) == 0.6);
  CHECK(models::Survival(km, 50) == 0.6);
}

// ---- restricted means ----------------------------------------------------------------------

TEST_CASE("restricted means equal the closed forms written by hand", "[models][survival]") {
  for (double horizon : {0.5, 10.0, 200.0}) {
    INFO("T=" << horizon);
    // Exponential: (1 - exp(-rate T)) / rate, with rate * hr / af under hr and af.
    CHECK(Near(models::RestrictedMean(Curve(F::kExponential, {0.3}), horizon),
               (1 - std::exp(-0.3 * horizon)) / 0.3, 1e-14));
    const double r = 0.3 * 1.7 / 2.5;
    CHECK(Near(models::RestrictedMean(Curve(F::kExponential, {0.3}, 1.7, 2.5), horizon),
               (1 - std::exp(-r * horizon)) / r, 1e-14));
    // Weibull: (scale/shape) * lower_gamma(1/shape, (T/scale)^shape).
    for (double shape : {0.6, 1.7, 4.0}) {
      const double scale = 8;
      CHECK(Near(models::RestrictedMean(Curve(F::kWeibullAft, {shape, scale}), horizon),
                 scale / shape * bm::tgamma_lower(1 / shape, std::pow(horizon / scale, shape)),
                 1e-13));
      // Weibull PH with rate: scale = rate^(-1/shape).
      const double ph_scale = std::pow(0.05, -1 / shape);
      CHECK(
          Near(models::RestrictedMean(Curve(F::kWeibullPh, {shape, 0.05}), horizon),
               ph_scale / shape * bm::tgamma_lower(1 / shape, std::pow(horizon / ph_scale, shape)),
               1e-13));
    }
  }
  // Piecewise exponential, pieces [0, 1) rate 0.1, [1, 3) rate 0.3, [3, inf) rate 0, to T = 5:
  // (1 - e^-0.1)/0.1 + e^-0.1 (1 - e^-0.6)/0.3 + 2 e^-0.7.
  CHECK(Near(
      models::RestrictedMean(Steps(F::kPiecewiseExponential, {0, 1, 3}, {0.1, 0.3, 0}), 5),
      (1 - std::exp(-0.1)) / 0.1 + std::exp(-0.1) * (1 - std::exp(-0.6)) / 0.3 + 2 * std::exp(-0.7),
      1e-14));
  // Kaplan-Meier: rectangles 0.5*1 + 0.7*0.95 + 0.8*0.8 + 1*0.6 to T = 3; with af = 2 the
  // times double: 1*1 + 1.4*0.95 + 1.6*0.8 + 2*0.6 to T = 6.
  const models::SurvivalCurve km = Steps(F::kKaplanMeier, {0.5, 1.2, 2}, {0.95, 0.8, 0.6});
  CHECK(Near(models::RestrictedMean(km, 3), 0.5 + 0.7 * 0.95 + 0.8 * 0.8 + 0.6, 1e-15));
  CHECK(
      Near(models::RestrictedMean(WithHrAf(km, 1, 2), 6), 1 + 1.4 * 0.95 + 1.6 * 0.8 + 1.2, 1e-15));
  CHECK(models::RestrictedMean(km, 0) == 0);
}

namespace {

// The trapezoid rule on n equal steps of u for the integral of f over [0, T] written as
// the integral over u in [0, 1] of f(T u^m) m T u^(m-1): the naive oracle. m = 4 smooths the
// infinite slope at 0 of a Weibull or gamma with shape < 1 (S = 1 - c t^k); m = 1 is the
// plain rule, best for jumps.
double Trapezoid(const std::function<double(double)>& f, double horizon, int n, int m) {
  auto g = [&](double u) { return f(horizon * std::pow(u, m)) * m * horizon * std::pow(u, m - 1); };
  const double h = 1.0 / n;
  Sum sum;
  sum.Add((g(0) + g(1)) / 2);
  for (int i = 1; i < n; ++i) sum.Add(g(i * h));
  return sum.value() * h;
}

}  // namespace

TEST_CASE("restricted means equal a naive trapezoid of S for every family", "[models][survival]") {
  for (const models::SurvivalCurve& base : Samples()) {
    for (const auto& [hr, af] : {std::pair{1.0, 1.0}, std::pair{1.7, 0.6}}) {
      const models::SurvivalCurve c = WithHrAf(base, hr, af);
      for (double horizon : {0.7, 20.0}) {
        INFO(Describe(c) << " T=" << horizon);
        // Kaplan-Meier's jumps cost the trapezoid up to h/2 times each jump (in all
        // h/2 * (1 - S(T)) < 1e-4 here, under 2.5e-5 of the mean); smooth curves and kinks
        // leave O(h^2).
        const bool km = c.family == F::kKaplanMeier;
        const double oracle = Trapezoid([&c](double t) { return models::Survival(c, t); }, horizon,
                                        100000, km ? 1 : 4);
        CHECK(Near(models::RestrictedMean(c, horizon), oracle, km ? 5e-5 : 1e-8));
      }
    }
  }
}

TEST_CASE("closed-form restricted means agree with adaptive quadrature to 1e-12",
          "[models][survival]") {
  for (const models::SurvivalCurve& base : Samples()) {
    for (const auto& [hr, af] : {std::pair{1.0, 1.0}, std::pair{1.7, 0.6}, std::pair{0.5, 3.0}}) {
      const models::SurvivalCurve c = WithHrAf(base, hr, af);
      for (double horizon : {1e-3, 0.7, 20.0, 1000.0}) {
        INFO(Describe(c) << " T=" << horizon);
        CHECK(Near(models::RestrictedMean(c, horizon),
                   models::RestrictedMeanByQuadrature(c, horizon), 1e-12));
      }
    }
  }
  // A drop far below the horizon (mean 1e-6 of a horizon of 10) and a near-step at t = e^2.
  CHECK(Near(models::RestrictedMeanByQuadrature(Curve(F::kExponential, {1e6}), 10), 1e-6, 1e-12));
  CHECK(Near(models::RestrictedMeanByQuadrature(Curve(F::kLogNormal, {2, 1e-3}), 100),
             models::RestrictedMean(Curve(F::kLogNormal, {2, 1e-3}), 100), 1e-12));
  CHECK(Near(models::RestrictedMeanByQuadrature(Curve(F::kWeibullAft, {30, 5}), 1000),
             models::RestrictedMean(Curve(F::kWeibullAft, {30, 5}), 1000), 1e-12));
}

TEST_CASE("a restricted mean needs a finite horizon >= 0", "[models][survival]") {
  const models::SurvivalCurve c = Curve(F::kExponential, {0.3});
  CHECK(models::RestrictedMean(c, 0) == 0);
  CHECK_THROWS_AS(models::RestrictedMean(c, -1), std::invalid_argument);
  CHECK_THROWS_AS(models::RestrictedMean(c, kInf), std::invalid_argument);
  CHECK_THROWS_AS(models::RestrictedMeanByQuadrature(c, std::nan("")), std::invalid_argument);
}

// ---- names and input errors ----------------------------------------------------------------

TEST_CASE("family names and parameter names", "[models][survival]") {
  struct Case {
    F family;
    const char* name;
    std::vector<std::string> params;
  };
  const Case cases[] = {
      {F::kExponential, "exponential", {"rate"}},
      {F::kWeibullAft, "weibull_aft", {"shape", "scale"}},
      {F::kWeibullPh, "weibull_ph", {"shape", "rate"}},
      {F::kGompertz, "gompertz", {"shape", "rate"}},
      {F::kLogLogistic, "loglogistic", {"shape", "scale"}},
      {F::kLogNormal, "lognormal", {"meanlog", "sdlog"}},
      {F::kGamma, "gamma", {"shape", "rate"}},
      {F::kGenGamma, "gen_gamma", {"mu", "sigma", "Q"}},
      {F::kPiecewiseExponential, "piecewise_exponential", {}},
      {F::kKaplanMeier, "kaplan_meier", {}},
  };
  for (const Case& c : cases) {
    CHECK(models::ToString(c.family) == c.name);
    const auto names = models::SurvivalParameterNames(c.family);
    CHECK(std::vector<std::string>(names.begin(), names.end()) == c.params);
  }
}

namespace {

// The issues of a curve as "path: message" lines.
std::vector<std::string> Errors(const models::SurvivalCurve& c) {
  models::Status status = models::CheckSurvivalCurve(c, "arms.control.os");
  std::vector<std::string> out;
  for (const models::Issue& issue : status.issues())
    out.push_back(issue.path + ": " + issue.message);
  return out;
}

using Lines = std::vector<std::string>;

}  // namespace

TEST_CASE("every sample curve passes the check", "[models][survival][errors]") {
  for (const models::SurvivalCurve& c : Samples()) {
    INFO(Describe(c));
    CHECK(Errors(c).empty());
  }
}

TEST_CASE("bad parameters are reported word for word, all of them", "[models][survival][errors]") {
  CHECK(Errors(Curve(F::kExponential, {-0.1})) ==
        Lines{"arms.control.os: rate is -0.1, but must be > 0"});
  CHECK(
      Errors(Curve(F::kWeibullAft, {1.5})) ==
      Lines{"arms.control.os: params has 1 value, but must have 2 for weibull_aft (shape, scale)"});
  CHECK(Errors(Curve(F::kLogNormal, {std::nan(""), 0})) ==
        Lines{"arms.control.os: meanlog is nan, but must be a finite number",
              "arms.control.os: sdlog is 0, but must be > 0"});
  CHECK(Errors(Curve(F::kGenGamma, {0, 1, kInf}, 0, -2)) ==
        Lines{"arms.control.os: Q is inf, but must be a finite number",
              "arms.control.os: hr is 0, but must be > 0",
              "arms.control.os: af is -2, but must be > 0"});
  CHECK(Errors(Curve(F::kGompertz, {-3, 0})) ==
        Lines{"arms.control.os: rate is 0, but must be > 0"});
  models::SurvivalCurve with_times = Curve(F::kWeibullAft, {1.5, 2});
  with_times.times = {1, 2};
  CHECK(Errors(with_times) ==
        Lines{"arms.control.os: times has 2 values, but must be empty for weibull_aft"});
}

TEST_CASE("bad piecewise and Kaplan-Meier curves are reported word for word",
          "[models][survival][errors]") {
  CHECK(Errors(Steps(F::kPiecewiseExponential, {0.5, 0.5, 2}, {0.1, -0.2})) ==
        Lines{"arms.control.os: values has 2 values, but must have one per time (3)",
              "arms.control.os: times[0] is 0.5, but must be 0 for piecewise_exponential",
              "arms.control.os: times[1] is 0.5, but must be greater than times[0] (0.5)",
              "arms.control.os: values[1] is -0.2, but must be a rate >= 0"});
  CHECK(Errors(Steps(F::kKaplanMeier, {0, 1, 2}, {0.9, 0.95, 1.2})) ==
        Lines{"arms.control.os: times[0] is 0, but must be > 0 for kaplan_meier",
              "arms.control.os: values[1] is 0.95, but must be <= values[0] (0.9): survival "
              "cannot increase",
              "arms.control.os: values[2] is 1.2, but must be a survival probability in [0, 1]"});
  CHECK(Errors(Steps(F::kKaplanMeier, {}, {})) ==
        Lines{"arms.control.os: times has no values, but must have at least one for kaplan_meier"});
  models::SurvivalCurve with_params = Steps(F::kPiecewiseExponential, {0}, {0.1});
  with_params.params = {0.1};
  CHECK(Errors(with_params) ==
        Lines{"arms.control.os: params has 1 value, but must be empty for piecewise_exponential"});
  CHECK(Errors(Steps(F::kKaplanMeier, {1, kInf}, {0.5, 0.4}, kInf)) ==
        Lines{"arms.control.os: times[1] is inf, but must be a finite number",
              "arms.control.os: hr is inf, but must be a finite number"});
}
