#ifndef VAGLIO_MODELS_SURVIVAL_H_
#define VAGLIO_MODELS_SURVIVAL_H_

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "models/issue.h"

/// Survival curves for partitioned survival models: the parametric families of flexsurv,
/// piecewise exponential and Kaplan-Meier step functions, with a proportional-hazards and an
/// accelerated-failure-time adjustment. Times are in the curve's own unit (whatever the fit
/// used, usually years); rates are per that unit.
namespace vaglio::models {

enum class SurvivalFamily {
  kExponential,
  kWeibullAft,
  kWeibullPh,
  kGompertz,
  kLogLogistic,
  kLogNormal,
  kGamma,
  kGenGamma,
  kPiecewiseExponential,
  kKaplanMeier
};

/// "exponential", "weibull_aft", "weibull_ph", "gompertz", "loglogistic", "lognormal", "gamma",
/// "gen_gamma", "piecewise_exponential", "kaplan_meier".
std::string_view ToString(SurvivalFamily f);

/// The names of the parameters of a family, in the order SurvivalCurve::params holds them,
/// and the survival function S0(t) they define (parameterisations of R and flexsurv):
///   exponential {rate}:            S0 = exp(-rate t)
///   weibull_aft {shape, scale}:    S0 = exp(-(t/scale)^shape)              (R dweibull)
///   weibull_ph {shape, rate}:      S0 = exp(-rate t^shape)                 (flexsurv weibullPH)
///   gompertz {shape, rate}:        S0 = exp(-(rate/shape)(exp(shape t) - 1)) (flexsurv);
///                                  shape may be <= 0: shape == 0 is exponential(rate), and
///                                  shape < 0 leaves a cure fraction S0(inf) = exp(rate/shape)
///   loglogistic {shape, scale}:    S0 = 1 / (1 + (t/scale)^shape)          (flexsurv llogis)
///   lognormal {meanlog, sdlog}:    S0 = 1 - Phi((log t - meanlog) / sdlog) (R dlnorm)
///   gamma {shape, rate}:           S0 = Q(shape, rate t), Q the upper regularized incomplete
///                                  gamma function                           (R dgamma)
///   gen_gamma {mu, sigma, Q}:      flexsurv gengamma (Prentice 1974): with
///                                  w = (log t - mu)/sigma and u = Q^-2 exp(Q w),
///                                  S0 = Q(Q^-2, u) if Q > 0, P(Q^-2, u) if Q < 0 (P = 1 - Q),
///                                  and lognormal(mu, sigma) at Q = 0 (see kGenGammaSmallQ)
/// piecewise_exponential and kaplan_meier take no named parameters (see SurvivalCurve).
std::span<const std::string> SurvivalParameterNames(SurvivalFamily f);

/// A survival curve: S(t) = S0(t / af)^hr, S0 the family's survival function.
struct SurvivalCurve {
  SurvivalFamily family = SurvivalFamily::kExponential;
  std::vector<double> params;  // in SurvivalParameterNames order
  // piecewise_exponential: `times` are the piece start times (first 0, strictly increasing)
  //   and `values` the constant hazard rate of each piece (>= 0: a piece without events has
  //   rate 0); the last piece runs for ever.
  // kaplan_meier: `times` are the event times (strictly increasing, first > 0) and `values`
  //   the survival just after each time (non-increasing, in [0, 1]); S0 = 1 before the first
  //   time and S0 is right-continuous; after the last time it stays at the last value.
  std::vector<double> times, values;
  double hr = 1;  // proportional hazards: S0^hr (applied after af)
  double af = 1;  // accelerated failure time: S0(t / af); af > 1 stretches time
};

/// Checks a curve: the number of parameters of the family, each parameter in its domain
/// (rates, scales, shapes, sdlog, sigma > 0; meanlog, mu, Q and the Gompertz shape any
/// finite number), times and values as described in SurvivalCurve, hr > 0 and af > 0, all
/// finite. Every problem is reported, each as an Issue at `path` with a message in the house
/// form "<name> is <value>, but must be <constraint>"; elements of `times` and `values` are
/// named with 0-based indices ("values[2]").
Status CheckSurvivalCurve(const SurvivalCurve& c, const std::string& path);

/// S(t) = S0(t / af)^hr. REQUIRES: CheckSurvivalCurve(c) ok (a curve with the wrong number
/// of parameters or values throws std::invalid_argument). t <= 0 gives 1, t = +inf the
/// limit (0, or the cure fraction of a Gompertz with negative shape); a NaN t throws
/// std::invalid_argument. The result is in [0, 1], never NaN, and is 0 where S underflows
/// (S0^hr is computed as a power, so where S0 itself underflows the result is 0 even when
/// hr < 1 would lift it above the smallest double). Thread-safe.
double Survival(const SurvivalCurve& c, double t);

/// The restricted mean survival time: the integral of S from 0 to `horizon` (in the curve's
/// time unit), in [0, horizon]. Closed forms: exponential, Weibull AFT and PH (lower
/// incomplete gamma function), piecewise exponential and Kaplan-Meier (sums over pieces), and
/// for hr == 1 gamma (T Q(a, bT) + (a/b) P(a+1, bT)) and lognormal
/// (T Phi(-z) + exp(mu + sigma^2/2) Phi(z - sigma)); everything else, and any closed form
/// that would overflow, by RestrictedMeanByQuadrature. REQUIRES: CheckSurvivalCurve(c) ok;
/// horizon finite and >= 0, else std::invalid_argument. Thread-safe.
double RestrictedMean(const SurvivalCurve& c, double horizon);

/// The integral of S over [0, horizon] by adaptive Gauss-Kronrod quadrature (Boost.Math's
/// 31-point rule on panels graded geometrically towards 0, so that a drop of S at any time
/// scale is seen, and cut at the times of piecewise and Kaplan-Meier curves; then global
/// bisection of the panel with the largest error estimate) to an estimated relative error of
/// 1e-13. Any family; RestrictedMean uses it where there is no closed form, and tests use it
/// to check the closed forms. Same REQUIRES as RestrictedMean.
double RestrictedMeanByQuadrature(const SurvivalCurve& c, double horizon);

}  // namespace vaglio::models

#endif  // VAGLIO_MODELS_SURVIVAL_H_
