#ifndef VAGLIO_MODELS_DSA_H_
#define VAGLIO_MODELS_DSA_H_

#include <optional>
#include <string>
#include <vector>

#include "models/model.h"

/// Deterministic sensitivity analysis and threshold search on any model kind
/// (docs/methods.md §DSA, §Threshold).
namespace vaglio::models {

/// The one-way range of an input: its declared low/high, else the 2.5% and 97.5%
/// quantiles of its distribution.
struct DsaRange {
  int input = 0;
  double low = 0, high = 0;
  bool declared = false;  // false: from the distribution's quantiles
};

/// Ranges of every input that has a declared range or a distribution, in file order.
std::vector<DsaRange> OneWayRanges(const ModelInfo& info);

/// The model evaluated with one input at its low and at its high value, all others at base.
struct OneWayPoint {
  DsaRange range;
  Outcome at_low, at_high;
};

Result<std::vector<OneWayPoint>> RunOneWay(const Model& model, const std::vector<DsaRange>& ranges);

/// The model on the grid a_values x b_values of two inputs (others at base), row-major:
/// outcome [i * b_values.size() + j] has input a = a_values[i], b = b_values[j].
Result<std::vector<Outcome>> RunTwoWay(const Model& model, int input_a, int input_b,
                                       const std::vector<double>& a_values,
                                       const std::vector<double>& b_values);

/// A value of an input at which the strategy with the highest net benefit changes.
struct Threshold {
  double wtp = 0;
  double value = 0;
  int from = 0, to = 0;  // best strategy just below and just above the value
  double bracket = 0;    // width of the final bracket (the achieved tolerance)
  int iterations = 0;
};

/// Relative tolerance of the threshold root finding (TOMS 748, Boost.Math): the bracket
/// is narrowed until its width is below this fraction of the larger end (or 1e-300).
inline constexpr double kThresholdRelTol = 1e-12;
/// Grid points scanned across [lo, hi] for changes of the best strategy before each
/// change is refined by root finding.
inline constexpr int kThresholdScan = 65;

/// Every value in [lo, hi] of input `input` at which the best strategy at `wtp` (strict
/// maximum of wtp * effect - cost, ties to the first strategy) changes.
Result<std::vector<Threshold>> FindThresholds(const Model& model, int input, double lo, double hi,
                                              double wtp, int effect_value);

}  // namespace vaglio::models

#endif  // VAGLIO_MODELS_DSA_H_
