#ifndef VAGLIO_MODELS_INCREMENTAL_H_
#define VAGLIO_MODELS_INCREMENTAL_H_

#include <optional>
#include <span>
#include <string_view>
#include <vector>

namespace vaglio::models {

enum class FrontierStatus { kReference, kFrontier, kDominated, kExtendedDominated };

std::string_view ToString(FrontierStatus s);

/// One strategy's place in the incremental analysis. Increments are strategy - comparator.
struct IncrementalRow {
  int strategy = 0;
  int comparator = -1;  // -1 for the reference strategy
  double delta_cost = 0, delta_effect = 0;
  std::optional<double> icer;  // only for frontier strategies
  FrontierStatus status = FrontierStatus::kReference;
};

/// The cost-effectiveness frontier (docs/methods.md §Incremental analysis):
///  1. a strategy is strongly dominated when another costs no more and is at least as
///     effective, one of the two strictly; of strategies equal in both, all but the first
///     in file order are dominated;
///  2. among the rest, sorted by effect, a strategy whose ICER against the previous one
///     exceeds the next strategy's ICER against it is extendedly dominated; repeated until
///     the ICERs increase (equal ICERs are kept);
///  3. the least effective remaining strategy is the reference; each other frontier
///     strategy is compared with the frontier strategy before it.
/// A dominated strategy's comparator is its cheapest dominator; an extendedly dominated
/// one's is the frontier strategy just below it in effect; neither has an ICER.
/// Rows come back in the input (file) order. REQUIRES: cost.size() == effect.size() > 0.
std::vector<IncrementalRow> IncrementalAnalysis(std::span<const double> cost,
                                                std::span<const double> effect);

/// Net monetary benefit wtp * effect - cost.
inline double NetBenefit(double wtp, double cost, double effect) { return wtp * effect - cost; }

/// The strategy with the strictly largest net benefit at `wtp`; ties go to the strategy
/// first in file order (no random tie-breaking).
int BestStrategy(double wtp, std::span<const double> cost, std::span<const double> effect);

}  // namespace vaglio::models

#endif  // VAGLIO_MODELS_INCREMENTAL_H_
