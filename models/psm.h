#ifndef VAGLIO_MODELS_PSM_H_
#define VAGLIO_MODELS_PSM_H_

#include <memory>

#include "models/model.h"

namespace vaglio::models {

/// Compiles a partitioned survival model (method: partitioned_survival; docs/methods.md
/// §Partitioned survival).
///
/// The N states are partitioned by N - 1 nested survival curves S_1 <= ... <= S_{N-1}
/// (innermost first, e.g. PFS then OS): at time t_k = k * cycle length the occupancy is
/// x_1 = S_1, x_j = S_j - S_{j-1}, x_N = 1 - S_{N-1}. An optional background mortality
/// (annual probability of death, a formula of cycle/time) floors the hazard of the outermost
/// curve cycle by cycle. Where an inner curve rises above the next one the declared policy
/// applies: `clamp` sets it to the outer curve (the cycles affected are counted and
/// reported), `error` rejects the model. Values accrue over the occupancy by the counting
/// and discounting of a Markov model (Accrual).
Result<std::shared_ptr<const Model>> CompilePartitionedSurvival(const ModelSpec& spec);

}  // namespace vaglio::models

#endif  // VAGLIO_MODELS_PSM_H_
