#ifndef VAGLIO_ENGINE_CHECK_H_
#define VAGLIO_ENGINE_CHECK_H_

#include <optional>
#include <vector>

#include "engine/diagnostics.h"
#include "engine/load/model_loader.h"

namespace vaglio::engine {

/// Model diagnostics beyond validation, in the spirit of TreeAge's "verify model": they
/// look at the structure and at a base-case run. Each is a Diagnostic located in the
/// model file; `warning` false marks an error finding (vaglio check exits 3).
///   errors:   no strategy accrues any effect; a parameter's base value outside its
///             distribution's support; a one-way range that does not contain the base value
///   warnings: parameters never used; states never occupied; a state that accrues an
///             effect but can never be left; cohort not absorbed by the horizon; strategies
///             with identical results; a base value in the far tail of its distribution
/// Input errors met while running the base case (a row that stops summing to 1) are not
/// findings: they go to `diag` and CheckModel returns nothing, as `vaglio run` would fail.
std::optional<std::vector<Diagnostic>> CheckModel(const LoadedModel& m, Diagnostics* diag);

}  // namespace vaglio::engine

#endif  // VAGLIO_ENGINE_CHECK_H_
