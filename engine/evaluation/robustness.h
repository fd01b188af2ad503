#ifndef VAGLIO_ENGINE_EVALUATION_ROBUSTNESS_H_
#define VAGLIO_ENGINE_EVALUATION_ROBUSTNESS_H_

#include <optional>
#include <string>
#include <vector>

#include "engine/diagnostics.h"
#include "evaluation.pb.h"

namespace vaglio::engine {

struct EvaluationResult;

struct RobustnessResult {
  bool stable = true;    // the outcome is the same under every +/-X% change of one weight
  bool robust = true;    // stable, and no widely dispersed scores on a heavy criterion
  struct Flip {
    std::string criterion_id;
    double change_pct = 0;  // the relative change of that weight (+ or -)
    std::string outcome;
  };
  std::optional<Flip> min_flip;  // the smallest change of one weight that changes the outcome
  std::vector<schemas::Dispersed> dispersed;
  std::string summary;
  schemas::Robustness record;
};

/// The robustness of the outcome to the MCDA weights and scores (docs/mcda.md §Robustness).
/// The outcome compared is that of the decision rules with the robustness flags taken as
/// met (a first pass; the real flags come from this analysis). With weights w:
///  - perturbation: each weight in turn times (1 +/- X/100), all renormalised to sum to 1;
///  - smallest flip: for each weight and direction, the smallest relative change (grid of
///    1% then bisection to 0.01%) that changes the outcome; up and down to -100%, +1000%;
///  - random weights: `random_weight_draws` draws of Dirichlet(kappa * w) (kappa the
///    concentration, default 100), seeded; the share of draws giving each outcome;
///  - dispersion: members' scores spanning min_range points (default 2) on a criterion of
///    weight >= min_weight_pct% (default 10).
std::optional<RobustnessResult> AnalyseRobustness(const EvaluationResult& r, Diagnostics* diag);

}  // namespace vaglio::engine

#endif  // VAGLIO_ENGINE_EVALUATION_ROBUSTNESS_H_
