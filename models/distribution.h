#ifndef VAGLIO_MODELS_DISTRIBUTION_H_
#define VAGLIO_MODELS_DISTRIBUTION_H_

#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "models/result.h"

namespace vaglio::models {

/// The distribution families of a parameter (DESIGN §3.1). Dirichlet is declared on a group
/// of parameters, not here; multivariate normal comes from `correlations`.
enum class DistFamily { kFixed, kBeta, kGamma, kLogNormal, kNormal, kUniform, kTriangular, kPert };

std::string_view ToString(DistFamily f);

/// A distribution as written: the family and whichever named arguments the file gave.
/// MakeDistribution checks that they form exactly one accepted parameterisation.
struct DistributionInput {
  DistFamily family = DistFamily::kFixed;
  std::optional<double> alpha, beta;           // beta
  std::optional<double> shape, scale, rate;    // gamma
  std::optional<double> mean, se, sd;          // beta, gamma, lognormal, normal (se == sd)
  std::optional<double> meanlog, sdlog;        // lognormal
  std::optional<double> median;                // lognormal with ci95
  std::optional<std::pair<double, double>> ci95;
  std::optional<double> min, mode, max;        // uniform, triangular, pert
  std::string path;                            // key path of the `dist` entry
};

/// A validated distribution in its canonical parameters:
///   beta(a = alpha, b = beta); gamma(a = shape, b = scale) as in R's dgamma(shape, scale);
///   lognormal(a = meanlog, b = sdlog) as in R's dlnorm; normal(a = mean, b = sd);
///   uniform(a = min, b = max); triangular and pert(a = min, b = mode, c = max).
/// Pert is the Beta-PERT with shape 4: alpha = 1 + 4(mode-min)/(max-min),
/// beta = 1 + 4(max-mode)/(max-min) on [min, max].
struct Distribution {
  DistFamily family = DistFamily::kFixed;
  double a = 0, b = 0, c = 0;

  /// The expectation. REQUIRES family != kFixed.
  double Mean() const;
  /// The p-quantile, p in (0, 1). REQUIRES family != kFixed. Thread-safe.
  double Quantile(double p) const;
  /// The cumulative distribution function at x. REQUIRES family != kFixed.
  double Cdf(double x) const;
  /// The quantile at upper-tail probability q, i.e. Quantile(1 - q) computed without
  /// losing the digits of a small q.
  double QuantileComplement(double q) const;
  /// A short description with the canonical parameters, e.g. "beta(alpha=2, beta=98)".
  std::string Describe() const;
};

/// Converts the arguments as written into the canonical parameters, by the exact
/// method-of-moments formulas of docs/methods.md. Impossible combinations (a beta whose
/// se^2 >= mean(1-mean), a gamma with mean <= 0, arguments of two parameterisations at
/// once, a missing argument) are issues at `input.path`.
Result<Distribution> MakeDistribution(const DistributionInput& input);

}  // namespace vaglio::models

#endif  // VAGLIO_MODELS_DISTRIBUTION_H_
