#ifndef VAGLIO_MODELS_PSA_H_
#define VAGLIO_MODELS_PSA_H_

#include <cstdint>
#include <functional>
#include <span>
#include <vector>

#include "models/model.h"

/// Probabilistic sensitivity analysis on any model kind (docs/methods.md §PSA).
///
/// Draws are evaluated in fixed blocks of kPsaBlock draws; threads take blocks in order
/// and the per-block summaries are merged strictly in block order, so every result is
/// bit-identical whatever the number of threads. Memory is flat in N unless the draws
/// themselves are kept (export, EVPPI, CE plane).
namespace vaglio::models {

inline constexpr int64_t kPsaBlock = 64;

/// Where the values of the varying inputs of draw i come from.
struct DrawSource {
  std::vector<int> inputs;  // indices into ModelInfo::inputs, in the order Fill writes them
  int64_t count = 0;        // number of draws
  /// Writes draw i (0-based) into x (size inputs.size()). Must be thread-safe.
  std::function<void(int64_t i, std::span<double> x)> fill;
};

struct PsaOptions {
  int threads = 1;
  std::vector<double> wtp;     // willingness-to-pay grid for CEAC, CEAF, EVPI
  int effect_value = 0;        // which value is the effect (ModelInfo::values); -1: none (0)
  bool keep_draws = false;     // keep inputs, costs and effects of every draw
  /// Called now and then with the number of draws done (from one thread at a time).
  std::function<void(int64_t done)> progress;
};

struct PsaResult {
  int64_t n = 0;
  int num_strategies = 0, num_values = 0;
  std::vector<double> mean, sd;  // [s * num_values + v], sd with the n-1 denominator
  std::vector<double> wtp;
  std::vector<std::vector<double>> prob_best;  // [w][s]: share of draws where s is best
  std::vector<double> mean_max_nb;             // [w]: mean over draws of max_s NB_s
  std::vector<std::vector<double>> mean_nb;    // [w][s] = wtp * mean effect - mean cost
  // Kept draws (keep_draws): inputs [i * k + j], costs and effects [i * S + s].
  std::vector<double> inputs, costs, effects;

  double Evpi(size_t w) const;                // per member of the cohort
  int BestExpected(size_t w) const;           // the strategy with the highest mean NB
  double ExpectedLoss(size_t w, int s) const; // mean_max_nb - mean NB of s
};

/// Runs the model on every draw of `source`. An input error found in a draw (a row that
/// stops summing to 1) stops the run; the issue reported is that of the first such draw,
/// whatever the number of threads, with "in PSA draw N" (1-based) added.
Result<PsaResult> RunPsa(const Model& model, const DrawSource& source, const PsaOptions& opts);

}  // namespace vaglio::models

#endif  // VAGLIO_MODELS_PSA_H_
