#include "models/survival.h"

#include <algorithm>
#include <boost/math/distributions/normal.hpp>
#include <boost/math/quadrature/gauss.hpp>
#include <boost/math/quadrature/gauss_kronrod.hpp>
#include <boost/math/special_functions/factorials.hpp>
#include <boost/math/special_functions/gamma.hpp>
#include <boost/math/tools/rational.hpp>
#include <cmath>
#include <cstddef>
#include <limits>
#include <optional>
#include <stdexcept>

#include "models/boost_policy.h"
#include "models/text.h"
#include "models/tolerances.h"

namespace vaglio::models {
namespace {

namespace bm = boost::math;

constexpr double kInf = std::numeric_limits<double>::infinity();

// Quadrature: target relative error (the contract promises 1e-12; the Gauss-Kronrod error
// estimate |K31 - G15| is itself pessimistic), the ratio between the ends of the graded
// panels, and caps that bound the work whatever the curve.
constexpr double kQuadratureRelTol = 1e-13;
constexpr double kPanelRatio = 4;
constexpr int kMaxGradedPanels = 600;  // 4^-600 is below the smallest double
constexpr int kMaxPanels = 2000;

// Gamma shapes above this are evaluated as the generalized gamma with Q = sigma = shape^-1/2
// (see kGenGammaSmallQ).
constexpr double kLargeGammaShape = 1 / (kGenGammaSmallQ * kGenGammaSmallQ);

// exp of anything below this rounds to 0 (the smallest double is 4.9e-324 = e^-744.4).
constexpr double kLogUnderflow = -746;

// Beyond this |w| the standard normal density is 0 in double precision.
constexpr double kNormalDensityZero = 40;

// ---- special functions, guarded at the ends of their ranges --------------------------------

// 1 - Phi(z).
double NormalUpper(double z) {
  if (std::isinf(z)) return z > 0 ? 0.0 : 1.0;
  return bm::cdf(bm::complement(bm::normal_distribution<double, BoostPolicy>(), z));
}

double NormalDensity(double z) {
  return bm::pdf(bm::normal_distribution<double, BoostPolicy>(), z);
}

// P(a, x) for 0 < x < a. Where P is below the smallest double it is 0 without asking
// Boost, whose series for tiny x divides by Gamma(a + 1): that overflows for a > 171, an
// error under BoostPolicy, although P itself underflows. The bound is the series
// P = x^a e^-x / Gamma(a + 1) * sum_n x^n / ((a + 1)...(a + n)) <= ... / (1 - x / (a + 1)).
double LowerGammaBelowA(double a, double x) {
  const double log_bound =
      a * std::log(x) - x - bm::lgamma(a + 1, BoostPolicy()) + std::log1p(x / (a + 1 - x));
  if (log_bound < kLogUnderflow) return 0;
  return bm::gamma_p(a, x, BoostPolicy());
}

// Q(a, x) and P(a, x) = 1 - Q(a, x), the regularized incomplete gamma functions, for x in
// [0, inf]. The one that is below about 1/2 (P for x < a, as the median of a gamma(a) is
// near a - 1/3) is computed and the other taken as its complement: Boost's gamma_q alone
// returns 1 - 1e-16 with noise for tiny x, which makes S rise by an ulp here and there.
double GammaQ(double a, double x) {
  if (x <= 0) return 1;
  if (std::isinf(x)) return 0;
  return x < a ? 1 - LowerGammaBelowA(a, x) : bm::gamma_q(a, x, BoostPolicy());
}

double GammaP(double a, double x) {
  if (x <= 0) return 0;
  if (std::isinf(x)) return 1;
  return x < a ? LowerGammaBelowA(a, x) : 1 - bm::gamma_q(a, x, BoostPolicy());
}

// (e^x - 1) / x, for x in [-inf, inf].
double Exprel(double x) {
  if (x == 0) return 1;
  if (x == kInf) return kInf;
  return std::expm1(x) / x;
}

// (1 - e^-x) / x for x in [0, inf]: the mean of e^-s over s in [0, x].
double MeanExpDecay(double x) {
  if (x == 0) return 1;
  if (x == kInf) return 0;
  return -std::expm1(-x) / x;
}

// ---- base survival functions S0, for t in (0, inf] ---------------------------------------

// The Gompertz cumulative hazard (rate/shape)(e^(shape t) - 1), free of cancellation for
// small |shape t| and bounded by rate/|shape| for shape < 0.
double GompertzCumHazard(double shape, double rate, double t) {
  if (shape == 0) return rate * t;
  const double x = shape * t;
  if (x > -1) return rate * t * Exprel(x);
  return rate / -shape * -std::expm1(x);
}

// Taylor coefficients in eta of Temme's c0(eta) = 1/(lambda - 1) - 1/eta and
// c1(eta) = 1/eta^3 - 1/(lambda - 1)^3 - 1/(lambda - 1)^2 - 1/(12 (lambda - 1)) (DLMF 8.12),
// computed with mpmath from those closed forms; they equal Boost.Math's 53-bit tables in
// igamma_large.hpp. With |eta| <= 0.2 (below), these terms leave less than 1e-17.
constexpr double kTemmeC0[] = {
    -0.33333333333333333,  0.083333333333333333,    -0.014814814814814815,  0.0011574074074074074,
    0.0003527336860670194, -0.00017875514403292181, 3.9192631785224378e-5,  -2.1854485106799922e-6,
    -1.85406221071516e-6,  8.296711340953086e-7,    -1.7665952736826079e-7, 6.7078535434014986e-9,
    1.0261809784240308e-8, -4.3820360184533532e-9,  9.1476995822367902e-10};
constexpr double kTemmeC1[] = {
    -0.0018518518518518519, -0.0034722222222222222, 0.0026455026455026455,  -0.00099022633744855967,
    0.00020576131687242798, -4.0187757201646091e-7, -1.8098550334489978e-5, 7.6491609160811101e-6};

// The generalized gamma for |q| < kGenGammaSmallQ, at w = (log t - mu) / sigma, by the first
// two terms of Temme's uniform expansion (DLMF 8.12) of Q(a, a lambda), a = q^-2,
// lambda = e^y, y = q w:
//   S = Phi(-zeta) + q phi(zeta) (c0(eta) + q^2 c1(eta)),
//   eta = sign(y) sqrt(2 (e^y - 1 - y)),  zeta = eta / q = w sqrt(g(y)),
//   g(y) = 2 (e^y - 1 - y) / y^2 = sum_k 2 y^k / (k + 2)!.
// The same formula gives P(a, a lambda) for q < 0, and the lognormal at q = 0 (zeta = w).
// eta comes from y, not from the rounded u = a lambda: that is what keeps the digits.
double GenGammaSmallQ(double q, double w) {
  if (std::isinf(w)) return w > 0 ? 0.0 : 1.0;
  const double y = q * w;
  // |y| >= 1 needs |w| >= 1/|q| > 200, where |zeta| = sqrt(2 (e^y - 1 - y)) / |q| > 170:
  // S is 0 or 1 in double.
  if (!(std::fabs(y) < 1)) return w > 0 ? 0.0 : 1.0;
  double g = 0, term = 1;
  for (int k = 0; term != 0 && std::fabs(term) > 1e-17 * g; ++k) {
    g += term;
    term *= y / (k + 3);
  }
  const double zeta = w * std::sqrt(g);
  const double upper = NormalUpper(zeta);
  if (std::fabs(zeta) > kNormalDensityZero) return upper;
  const double eta = q * zeta;
  const double c0 = bm::tools::evaluate_polynomial(kTemmeC0, eta);
  const double c1 = bm::tools::evaluate_polynomial(kTemmeC1, eta);
  return upper + q * NormalDensity(zeta) * (c0 + q * q * c1);
}

// Prentice's generalized gamma as flexsurv computes it (src/gengamma.cpp): with
// w = (log t - mu) / sigma and u = q^-2 exp(q w), S = Q(q^-2, u) for q > 0 and P(q^-2, u) for
// q < 0; near q = 0 see GenGammaSmallQ.
double GenGammaSurvival(double mu, double sigma, double q, double t) {
  const double w = (std::log(t) - mu) / sigma;
  if (std::fabs(q) < kGenGammaSmallQ) return GenGammaSmallQ(q, w);
  const double shape = 1 / (q * q);
  const double u = shape * std::exp(q * w);
  return q > 0 ? GammaQ(shape, u) : GammaP(shape, u);
}

double GammaSurvival(double shape, double rate, double t) {
  if (shape > kLargeGammaShape) {
    // flexsurv: gengamma(mu, sigma, Q = sigma) is gamma(1/sigma^2, exp(-mu)/sigma^2).
    const double sigma = 1 / std::sqrt(shape);
    return GenGammaSurvival(std::log(shape) - std::log(rate), sigma, sigma, t);
  }
  return GammaQ(shape, rate * t);
}

double PiecewiseCumHazard(const SurvivalCurve& c, double t) {
  double h = 0;
  for (std::size_t i = 0; i < c.times.size() && c.times[i] < t; ++i) {
    const double end = i + 1 < c.times.size() ? std::min(t, c.times[i + 1]) : t;
    if (c.values[i] > 0) h += c.values[i] * (end - c.times[i]);
  }
  return h;
}

double KaplanMeier(const SurvivalCurve& c, double t) {
  const auto after = std::upper_bound(c.times.begin(), c.times.end(), t);
  if (after == c.times.begin()) return 1;
  return c.values[static_cast<std::size_t>(after - c.times.begin()) - 1];
}

double Power(double s, double hr) { return hr == 1 ? s : std::pow(s, hr); }

// S0(t)^hr for t in (0, inf]. Families with a closed-form cumulative hazard H apply hr to it.
double AdjustedBase(const SurvivalCurve& c, double t) {
  const std::vector<double>& p = c.params;
  switch (c.family) {
    case SurvivalFamily::kExponential:
      return std::exp(-c.hr * p[0] * t);
    case SurvivalFamily::kWeibullAft:
      return std::exp(-c.hr * std::pow(t / p[1], p[0]));
    case SurvivalFamily::kWeibullPh:
      return std::exp(-c.hr * p[1] * std::pow(t, p[0]));
    case SurvivalFamily::kGompertz:
      return std::exp(-c.hr * GompertzCumHazard(p[0], p[1], t));
    case SurvivalFamily::kLogLogistic: {
      const double odds = std::pow(t / p[1], p[0]);
      return c.hr == 1 ? 1 / (1 + odds) : std::exp(-c.hr * std::log1p(odds));
    }
    case SurvivalFamily::kLogNormal:
      return Power(NormalUpper((std::log(t) - p[0]) / p[1]), c.hr);
    case SurvivalFamily::kGamma:
      return Power(GammaSurvival(p[0], p[1], t), c.hr);
    case SurvivalFamily::kGenGamma:
      return Power(GenGammaSurvival(p[0], p[1], p[2], t), c.hr);
    case SurvivalFamily::kPiecewiseExponential:
      return std::exp(-c.hr * PiecewiseCumHazard(c, t));
    case SurvivalFamily::kKaplanMeier:
      return Power(KaplanMeier(c, t), c.hr);
  }
  throw std::logic_error("Survival: unknown family");
}

// ---- restricted means in closed form -----------------------------------------------------

// The integral of exp(-(t/scale)^shape) over [0, T], scale * Gamma(1 + 1/shape) *
// P(1/shape, x) with x = (T/scale)^shape computed by the caller in the form that keeps its
// digits. Empty when Gamma(1 + 1/shape) overflows.
std::optional<double> WeibullMean(double shape, double scale, double x) {
  const double a = 1 / shape;
  if (!(a < bm::max_factorial<double>::value)) return std::nullopt;
  return scale * bm::tgamma(1 + a, BoostPolicy()) * GammaP(a, x);
}

std::optional<double> PiecewiseMean(const SurvivalCurve& c, double horizon) {
  const double end_time = horizon / c.af;
  double h = 0, sum = 0;
  for (std::size_t i = 0; i < c.times.size() && c.times[i] < end_time; ++i) {
    const double end = i + 1 < c.times.size() ? std::min(end_time, c.times[i + 1]) : end_time;
    const double length = end - c.times[i];
    const double rate = c.hr * c.values[i];
    sum += std::exp(-h) * length * MeanExpDecay(rate * length);
    if (rate > 0) h += rate * length;
  }
  return c.af * sum;
}

std::optional<double> KaplanMeierMean(const SurvivalCurve& c, double horizon) {
  const double end_time = horizon / c.af;
  double sum = 0, from = 0, s = 1;
  for (std::size_t i = 0; i < c.times.size() && c.times[i] < end_time; ++i) {
    sum += s * (c.times[i] - from);
    from = c.times[i];
    s = Power(c.values[i], c.hr);
  }
  return c.af * (sum + s * (end_time - from));
}

// T Q(a, bT) + (a/b) P(a + 1, bT): T S(T) plus the partial mean E[X; X <= T].
std::optional<double> GammaMean(double shape, double rate, double horizon) {
  if (shape > kLargeGammaShape) return std::nullopt;
  const double x = rate * horizon;
  return horizon * GammaQ(shape, x) + shape / rate * GammaP(shape + 1, x);
}

// T Phi(-z) + exp(mu + sigma^2/2) Phi(z - sigma), z = (log T - mu)/sigma; the second term in
// logs. Empty when Phi(z - sigma) is below the normal doubles (its log would be inexact).
std::optional<double> LogNormalMean(double mu, double sigma, double horizon) {
  const double z = (std::log(horizon) - mu) / sigma;
  const double lower = NormalUpper(sigma - z);
  if (!(lower >= std::numeric_limits<double>::min())) return std::nullopt;
  return horizon * NormalUpper(z) + std::exp(mu + sigma * sigma / 2 + std::log(lower));
}

// The closed form for the curve, or empty where there is none (or it would overflow).
std::optional<double> ClosedFormMean(const SurvivalCurve& c, double horizon) {
  const std::vector<double>& p = c.params;
  switch (c.family) {
    case SurvivalFamily::kExponential:
      return horizon * MeanExpDecay(c.hr * p[0] * (horizon / c.af));
    case SurvivalFamily::kWeibullAft:
      // exp(-hr (t / (af scale))^k) is Weibull(k, af scale hr^(-1/k)).
      return WeibullMean(p[0], c.af * p[1] * std::pow(c.hr, -1 / p[0]),
                         c.hr * std::pow(horizon / (c.af * p[1]), p[0]));
    case SurvivalFamily::kWeibullPh:
      // exp(-hr rate (t / af)^k) is Weibull(k, af (hr rate)^(-1/k)).
      return WeibullMean(p[0], c.af * std::pow(c.hr * p[1], -1 / p[0]),
                         c.hr * p[1] * std::pow(horizon / c.af, p[0]));
    case SurvivalFamily::kGamma:
      if (c.hr != 1) return std::nullopt;
      return GammaMean(p[0], p[1] / c.af, horizon);
    case SurvivalFamily::kLogNormal:
      if (c.hr != 1) return std::nullopt;
      return LogNormalMean(p[0] + std::log(c.af), p[1], horizon);
    case SurvivalFamily::kPiecewiseExponential:
      return PiecewiseMean(c, horizon);
    case SurvivalFamily::kKaplanMeier:
      return KaplanMeierMean(c, horizon);
    case SurvivalFamily::kGompertz:
    case SurvivalFamily::kLogLogistic:
    case SurvivalFamily::kGenGamma:
      return std::nullopt;
  }
  return std::nullopt;
}

// ---- quadrature --------------------------------------------------------------------------

struct Panel {
  double a = 0, b = 0;
  double value = 0;  // the 31-point Kronrod estimate of the integral over [a, b]
  double error = 0;  // |Kronrod - Gauss|
};

bool LessError(const Panel& x, const Panel& y) { return x.error < y.error; }

// The 15-point Gauss and 31-point Kronrod rules on [a, b], with Boost.Math's nodes and
// weights; the Gauss nodes are the Kronrod nodes of even index (0 included).
template <typename F>
Panel Kronrod(const F& f, double a, double b) {
  using GaussKronrod = bm::quadrature::gauss_kronrod<double, 31, BoostPolicy>;
  using Gauss = bm::quadrature::gauss<double, 15, BoostPolicy>;
  const auto& x = GaussKronrod::abscissa();
  const auto& wk = GaussKronrod::weights();
  const auto& wg = Gauss::weights();
  const double mid = a + (b - a) / 2, half = (b - a) / 2;
  const double f0 = f(mid);
  double kronrod = wk[0] * f0, gauss = wg[0] * f0;
  for (std::size_t i = 1; i < x.size(); ++i) {
    const double pair = f(mid - half * x[i]) + f(mid + half * x[i]);
    kronrod += wk[i] * pair;
    if (i % 2 == 0) gauss += wg[i / 2] * pair;
  }
  return {a, b, half * kronrod, half * std::fabs(kronrod - gauss)};
}

// The cheap part of CheckSurvivalCurve, so that a curve that skipped it throws rather than
// reads out of bounds.
void CheckSizes(const SurvivalCurve& c, const char* function) {
  if (c.params.size() != SurvivalParameterNames(c.family).size() ||
      c.values.size() != c.times.size()) {
    throw std::invalid_argument(
        std::string(function) + ": a " + std::string(ToString(c.family)) + " curve with " +
        std::to_string(c.params.size()) + " parameters, " + std::to_string(c.times.size()) +
        " times and " + std::to_string(c.values.size()) + " values; call CheckSurvivalCurve first");
  }
}

void CheckHorizon(double horizon, const char* function) {
  if (!(horizon >= 0 && std::isfinite(horizon))) {
    throw std::invalid_argument(std::string(function) + ": horizon is " + FormatNumber(horizon) +
                                ", but must be finite and >= 0");
  }
}

// ---- checks -------------------------------------------------------------------------------

enum class Domain { kPositive, kFinite };

struct ParamSpec {
  const char* name;
  Domain domain;
};

std::vector<ParamSpec> ParamSpecs(SurvivalFamily f) {
  constexpr Domain kPos = Domain::kPositive, kAny = Domain::kFinite;
  switch (f) {
    case SurvivalFamily::kExponential:
      return {{"rate", kPos}};
    case SurvivalFamily::kWeibullAft:
      return {{"shape", kPos}, {"scale", kPos}};
    case SurvivalFamily::kWeibullPh:
      return {{"shape", kPos}, {"rate", kPos}};
    case SurvivalFamily::kGompertz:
      return {{"shape", kAny}, {"rate", kPos}};
    case SurvivalFamily::kLogLogistic:
      return {{"shape", kPos}, {"scale", kPos}};
    case SurvivalFamily::kLogNormal:
      return {{"meanlog", kAny}, {"sdlog", kPos}};
    case SurvivalFamily::kGamma:
      return {{"shape", kPos}, {"rate", kPos}};
    case SurvivalFamily::kGenGamma:
      return {{"mu", kAny}, {"sigma", kPos}, {"Q", kAny}};
    case SurvivalFamily::kPiecewiseExponential:
    case SurvivalFamily::kKaplanMeier:
      return {};
  }
  return {};
}

std::string CountOf(std::size_t n) {
  if (n == 0) return "no values";
  return std::to_string(n) + (n == 1 ? " value" : " values");
}

std::string Indexed(const char* name, std::size_t i) {
  return std::string(name) + "[" + std::to_string(i) + "]";
}

class Checker {
 public:
  Checker(const SurvivalCurve& c, const std::string& path) : c_(c), path_(path) {}

  Status Run() {
    const std::string family(ToString(c_.family));
    const std::vector<ParamSpec> specs = ParamSpecs(c_.family);
    const bool stepwise = c_.family == SurvivalFamily::kPiecewiseExponential ||
                          c_.family == SurvivalFamily::kKaplanMeier;
    if (stepwise) {
      if (!c_.params.empty()) {
        Add("params has " + CountOf(c_.params.size()) + ", but must be empty for " + family);
      }
      CheckSteps(family);
    } else {
      if (c_.params.size() != specs.size()) {
        std::string names;
        for (const ParamSpec& s : specs) names += std::string(names.empty() ? "" : ", ") + s.name;
        Add("params has " + CountOf(c_.params.size()) + ", but must have " +
            std::to_string(specs.size()) + " for " + family + " (" + names + ")");
      } else {
        for (std::size_t i = 0; i < specs.size(); ++i)
          Check(specs[i].name, c_.params[i], specs[i].domain);
      }
      if (!c_.times.empty())
        Add("times has " + CountOf(c_.times.size()) + ", but must be empty for " + family);
      if (!c_.values.empty())
        Add("values has " + CountOf(c_.values.size()) + ", but must be empty for " + family);
    }
    Check("hr", c_.hr, Domain::kPositive);
    Check("af", c_.af, Domain::kPositive);
    return Status::FromIssues(std::move(issues_));
  }

 private:
  void Add(std::string message) { issues_.push_back({path_, std::move(message)}); }

  // Returns whether the value is acceptable.
  bool Check(const std::string& name, double v, Domain domain) {
    if (!std::isfinite(v)) {
      Add(name + " is " + FormatNumber(v) + ", but must be a finite number");
      return false;
    }
    if (domain == Domain::kPositive && !(v > 0)) {
      Add(name + " is " + FormatNumber(v) + ", but must be > 0");
      return false;
    }
    return true;
  }

  void CheckSteps(const std::string& family) {
    const bool km = c_.family == SurvivalFamily::kKaplanMeier;
    if (c_.times.empty()) {
      Add("times has no values, but must have at least one for " + family);
    }
    if (c_.values.size() != c_.times.size()) {
      Add("values has " + CountOf(c_.values.size()) + ", but must have one per time (" +
          std::to_string(c_.times.size()) + ")");
    }
    for (std::size_t i = 0; i < c_.times.size(); ++i) {
      const std::string name = Indexed("times", i);
      const double t = c_.times[i];
      if (!Check(name, t, Domain::kFinite)) continue;
      if (i == 0) {
        if (km && !(t > 0))
          Add(name + " is " + FormatNumber(t) + ", but must be > 0 for " + family);
        if (!km && t != 0) Add(name + " is " + FormatNumber(t) + ", but must be 0 for " + family);
      } else if (std::isfinite(c_.times[i - 1]) && !(t > c_.times[i - 1])) {
        Add(name + " is " + FormatNumber(t) + ", but must be greater than " +
            Indexed("times", i - 1) + " (" + FormatNumber(c_.times[i - 1]) + ")");
      }
    }
    for (std::size_t i = 0; i < c_.values.size(); ++i) {
      const std::string name = Indexed("values", i);
      const double v = c_.values[i];
      if (!Check(name, v, Domain::kFinite)) continue;
      if (!km) {
        if (!(v >= 0)) Add(name + " is " + FormatNumber(v) + ", but must be a rate >= 0");
      } else if (!(v >= 0 && v <= 1)) {
        Add(name + " is " + FormatNumber(v) + ", but must be a survival probability in [0, 1]");
      } else if (i > 0 && c_.values[i - 1] >= 0 && c_.values[i - 1] <= 1 && v > c_.values[i - 1]) {
        Add(name + " is " + FormatNumber(v) + ", but must be <= " + Indexed("values", i - 1) +
            " (" + FormatNumber(c_.values[i - 1]) + "): survival cannot increase");
      }
    }
  }

  const SurvivalCurve& c_;
  const std::string& path_;
  Issues issues_;
};

}  // namespace

std::string_view ToString(SurvivalFamily f) {
  switch (f) {
    case SurvivalFamily::kExponential:
      return "exponential";
    case SurvivalFamily::kWeibullAft:
      return "weibull_aft";
    case SurvivalFamily::kWeibullPh:
      return "weibull_ph";
    case SurvivalFamily::kGompertz:
      return "gompertz";
    case SurvivalFamily::kLogLogistic:
      return "loglogistic";
    case SurvivalFamily::kLogNormal:
      return "lognormal";
    case SurvivalFamily::kGamma:
      return "gamma";
    case SurvivalFamily::kGenGamma:
      return "gen_gamma";
    case SurvivalFamily::kPiecewiseExponential:
      return "piecewise_exponential";
    case SurvivalFamily::kKaplanMeier:
      return "kaplan_meier";
  }
  return "?";
}

std::span<const std::string> SurvivalParameterNames(SurvivalFamily f) {
  static const std::vector<std::string> kRate = {"rate"};
  static const std::vector<std::string> kShapeScale = {"shape", "scale"};
  static const std::vector<std::string> kShapeRate = {"shape", "rate"};
  static const std::vector<std::string> kLogNormal = {"meanlog", "sdlog"};
  static const std::vector<std::string> kGenGamma = {"mu", "sigma", "Q"};
  static const std::vector<std::string> kNone;
  switch (f) {
    case SurvivalFamily::kExponential:
      return kRate;
    case SurvivalFamily::kWeibullAft:
    case SurvivalFamily::kLogLogistic:
      return kShapeScale;
    case SurvivalFamily::kWeibullPh:
    case SurvivalFamily::kGompertz:
    case SurvivalFamily::kGamma:
      return kShapeRate;
    case SurvivalFamily::kLogNormal:
      return kLogNormal;
    case SurvivalFamily::kGenGamma:
      return kGenGamma;
    case SurvivalFamily::kPiecewiseExponential:
    case SurvivalFamily::kKaplanMeier:
      return kNone;
  }
  return kNone;
}

Status CheckSurvivalCurve(const SurvivalCurve& c, const std::string& path) {
  return Checker(c, path).Run();
}

double Survival(const SurvivalCurve& c, double t) {
  CheckSizes(c, "Survival");
  if (std::isnan(t)) throw std::invalid_argument("Survival: t is nan, but must be a number");
  if (t <= 0) return 1;
  const double scaled = t / c.af;
  if (scaled == 0) return 1;
  const double s = AdjustedBase(c, scaled);
  if (std::isnan(s)) {
    throw std::logic_error("Survival: " + std::string(ToString(c.family)) +
                           " gave nan at t = " + FormatNumber(t));
  }
  return std::clamp(s, 0.0, 1.0);
}

double RestrictedMean(const SurvivalCurve& c, double horizon) {
  CheckSizes(c, "RestrictedMean");
  CheckHorizon(horizon, "RestrictedMean");
  if (horizon == 0) return 0;
  const std::optional<double> closed = ClosedFormMean(c, horizon);
  if (closed && std::isfinite(*closed)) return std::clamp(*closed, 0.0, horizon);
  return RestrictedMeanByQuadrature(c, horizon);
}

double RestrictedMeanByQuadrature(const SurvivalCurve& c, double horizon) {
  CheckHorizon(horizon, "RestrictedMeanByQuadrature");
  if (horizon == 0) return 0;
  const auto s = [&c](double t) { return Survival(c, t); };

  // Where S has a kink (piecewise exponential) or a jump (Kaplan-Meier): panel ends, so
  // that every panel sees a smooth S.
  std::vector<double> breaks;
  if (c.family == SurvivalFamily::kPiecewiseExponential ||
      c.family == SurvivalFamily::kKaplanMeier) {
    for (double t : c.times) {
      if (t * c.af > 0 && t * c.af < horizon) breaks.push_back(t * c.af);
    }
  }
  std::vector<Panel> panels;
  // Adds the panels of [a, b], cut at the breaks inside it; returns their estimate.
  auto add = [&](double a, double b) {
    double sum = 0;
    for (double cut : breaks) {
      if (cut > a && cut < b) {
        panels.push_back(Kronrod(s, a, cut));
        sum += panels.back().value;
        a = cut;
      }
    }
    panels.push_back(Kronrod(s, a, b));
    return sum + panels.back().value;
  };

  // Panels [T/4, T], [T/16, T/4], ... until what lies below (at most its length, as S <= 1)
  // is negligible, then the rest down to 0.
  double total = 0, upper = horizon;
  for (int k = 0; k < kMaxGradedPanels && upper > kQuadratureRelTol * total; ++k) {
    const double lower = upper / kPanelRatio;
    total += add(lower, upper);
    upper = lower;
  }
  add(0, upper);

  // Global adaptive bisection: split the panel with the largest error estimate.
  std::make_heap(panels.begin(), panels.end(), LessError);
  while (static_cast<int>(panels.size()) < kMaxPanels) {
    double value = 0, error = 0;
    for (const Panel& p : panels) {
      value += p.value;
      error += p.error;
    }
    if (error <= kQuadratureRelTol * value) break;
    std::pop_heap(panels.begin(), panels.end(), LessError);
    const Panel worst = panels.back();
    panels.pop_back();
    const double mid = worst.a + (worst.b - worst.a) / 2;
    panels.push_back(Kronrod(s, worst.a, mid));
    std::push_heap(panels.begin(), panels.end(), LessError);
    panels.push_back(Kronrod(s, mid, worst.b));
    std::push_heap(panels.begin(), panels.end(), LessError);
  }
  double value = 0;
  for (const Panel& p : panels) value += p.value;
  return std::clamp(value, 0.0, horizon);
}

}  // namespace vaglio::models
