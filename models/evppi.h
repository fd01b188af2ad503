#ifndef VAGLIO_MODELS_EVPPI_H_
#define VAGLIO_MODELS_EVPPI_H_

#include <span>
#include <string>
#include <vector>

#include "models/psa.h"

/// Expected value of partial perfect information by non-parametric regression
/// (Strong, Oakley & Brennan 2014; docs/methods.md §EVPPI).
///
/// For every strategy d after the first, the incremental cost C_d - C_1 and incremental
/// effect E_d - E_1 of each kept PSA draw are regressed on the parameters of interest; the
/// fitted values estimate their conditional expectations given those parameters, and
///   EVPPI(w) = mean_i max_d g_d(x_i) - max_d mean_i g_d(x_i),  g_d = w * E^_d - C^_d, g_1 = 0.
/// Fitting cost and effect separately makes every WTP value cost one pass over the draws.
/// The regression is a penalized cubic B-spline in each parameter (knots at quantiles,
/// second-difference penalty, one smoothing parameter chosen by generalized
/// cross-validation), additive over the parameters of a group with every pairwise product
/// of the standardised parameters added as unpenalized terms. When the group holds every
/// varying input, the conditional expectation is the draw's own result and EVPPI = EVPI.
namespace vaglio::models {

struct EvppiEstimate {
  std::vector<double> evppi;  // per WTP, per member of the cohort
  std::vector<double> se;     // standard error from the regression coefficients (delta method)
  double r2_min = 1;          // smallest R^2 over the fitted regressions (fit diagnostic)
  double edf_max = 0;         // largest effective degrees of freedom used
  std::string method;         // "spline", "additive spline with interactions", "exact"
};

/// `columns` are positions among the kept inputs of `psa` (0 <= c < k, k inputs per draw).
/// REQUIRES: psa was run with keep_draws and at least 2 strategies.
Result<EvppiEstimate> EstimateEvppi(const PsaResult& psa, int k, std::span<const int> columns);

}  // namespace vaglio::models

#endif  // VAGLIO_MODELS_EVPPI_H_
