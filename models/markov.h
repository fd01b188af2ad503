#ifndef VAGLIO_MODELS_MARKOV_H_
#define VAGLIO_MODELS_MARKOV_H_

#include <memory>

#include "models/model.h"

namespace vaglio::models {

/// Compiles a Markov cohort model (method: markov_cohort) with the semantics of
/// docs/methods.md: trace x_k = x_{k-1} P(k), k = 1..horizon, values accrued by the
/// model's counting method and discounted at its timing; tunnel states expanded into
/// time-in-state sub-states; `rates:` rows converted as competing risks.
/// Every name is resolved and every formula parsed here; values that can only be checked
/// while running (a row that does not sum to 1 in cycle 7 of one strategy) are checked by
/// each evaluation.
Result<std::shared_ptr<const Model>> CompileMarkov(const ModelSpec& spec);

/// The weight of time point k (0..horizon) under a time-point counting method
/// (kHalfCycle or kSimpson). REQUIRES: counting is one of those two, horizon >= 1.
double TimePointWeight(Counting counting, int horizon, int k);

/// The discount factor (1 + rate)^-tau for tau in years; with kYear steps tau is first
/// floored to whole years.
double DiscountFactor(double rate, double tau_years, DiscountStep step);

}  // namespace vaglio::models

#endif  // VAGLIO_MODELS_MARKOV_H_
