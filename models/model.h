#ifndef VAGLIO_MODELS_MODEL_H_
#define VAGLIO_MODELS_MODEL_H_

#include <memory>
#include <span>
#include <string>
#include <vector>

#include "models/conventions.h"
#include "models/model_spec.h"
#include "models/program.h"
#include "models/result.h"

/// What every model kind (Markov cohort, decision tree, partitioned survival) offers the
/// analyses: a description (strategies, values, inputs) and evaluators that map values of
/// chosen inputs to each strategy's accrued values. PSA, DSA, threshold and VOI are
/// written against this interface only.
namespace vaglio::models {

struct ResolvedCorrelation {
  std::vector<int> inputs;                  // indices into ModelInfo::inputs
  std::vector<std::vector<double>> matrix;  // in that order
  bool covariance = false;                  // matrix is a covariance matrix
  std::string path;
};

struct ResolvedDirichlet {
  std::vector<int> inputs;
  std::vector<double> counts;
  std::string path;
};

struct ModelInfo {
  std::string id, title, currency;
  Method method = Method::kMarkovCohort;
  Counting counting = Counting::kEnd;
  DiscountTiming discount_timing = DiscountTiming::kEnd;
  DiscountStep discount_step = DiscountStep::kCycle;
  int horizon = 0;
  double cycle_length_years = 1;
  std::vector<std::string> strategies;
  std::vector<ValueSpec> values;
  int cost_value = -1;               // index into values
  std::vector<int> effect_values;    // indices into values, file order
  std::vector<InputInfo> inputs;
  std::vector<ResolvedCorrelation> correlations;
  std::vector<ResolvedDirichlet> dirichlet;
  std::vector<std::string> parameter_names;  // every named parameter, file order
  std::vector<bool> parameter_used;          // read by some strategy's items
};

/// Accrued values of one evaluation, per strategy and value, per member of the cohort.
struct Outcome {
  int num_strategies = 0;
  int num_values = 0;
  std::vector<double> discounted;    // [s * num_values + v]
  std::vector<double> undiscounted;

  void Reset(int strategies, int values) {
    num_strategies = strategies;
    num_values = values;
    discounted.assign(static_cast<size_t>(strategies * values), 0.0);
    undiscounted.assign(static_cast<size_t>(strategies * values), 0.0);
  }
  double value(int s, int v) const { return discounted[static_cast<size_t>(s * num_values + v)]; }
  double undiscounted_value(int s, int v) const {
    return undiscounted[static_cast<size_t>(s * num_values + v)];
  }
  /// The effect value v of strategy s; 0 when the model has no effect (v < 0).
  double effect(int s, int v) const { return v < 0 ? 0.0 : value(s, v); }
};

/// Per-state facts of a cohort run, for `vaglio check` and `--trace`.
struct StrategyTrace {
  std::vector<std::string> states;
  std::vector<std::vector<double>> occupancy;  // [cycle 0..T][state], as in the cohort
  std::vector<bool> ever_left;                 // [state]: some mass left it in some cycle
  std::vector<bool> ever_entered;              // [state]: occupied at some time point
  std::vector<std::vector<bool>> accrues;      // [state][value]: nonzero amount somewhere
};

/// One node of a decision tree after roll-back.
struct TreeNodeResult {
  std::string path;              // strategy/branch/branch...
  std::string type;              // "decision", "chance", "terminal"
  double probability = 1;        // of reaching the node from its strategy's root
  std::vector<double> own;       // values on the branch into this node, per value
  std::vector<double> path_total;  // values summed from the strategy's root to here
  std::vector<double> expected;  // expected values of the subtree from this node (incl. own)
  std::string chosen;            // decision nodes inside the tree: the branch taken
};

/// Optional extras an evaluation can fill.
struct Details {
  bool want_trace = false;
  std::vector<StrategyTrace> traces;  // cohort models: one per strategy
  std::vector<std::vector<TreeNodeResult>> tree;  // decision trees: nodes per strategy
  std::vector<int> clamped_cycles;    // partitioned survival: time points clamped, per strategy
};

/// Evaluates a model repeatedly on one thread. Not thread-safe: one per thread.
class Evaluator {
 public:
  virtual ~Evaluator() = default;
  /// Evaluates every strategy with the varying inputs set to `x` (in the order given to
  /// Model::NewEvaluator) and the other inputs at their base values. Input errors found
  /// on the way (a row that does not sum to 1 at some cycle) are returned as issues.
  virtual Status Evaluate(std::span<const double> x, Outcome* out, Details* details) = 0;
  Status Evaluate(std::span<const double> x, Outcome* out) { return Evaluate(x, out, nullptr); }
};

/// A compiled, validated model. Immutable and thread-safe.
class Model {
 public:
  virtual ~Model() = default;
  virtual const ModelInfo& info() const = 0;
  /// A new evaluator for which the inputs `varying` (indices into info().inputs) change
  /// between evaluations; everything that does not depend on them is precomputed.
  virtual Result<std::unique_ptr<Evaluator>> NewEvaluator(std::vector<int> varying) const = 0;
};

/// Compiles a model of any kind: resolves names, checks every formula and structure.
Result<std::shared_ptr<const Model>> CompileModel(const ModelSpec& spec);

/// Shared by the model kinds: fills the ModelInfo fields that come from the spec and the
/// parameter set, and checks values (exactly one cost; effects optional) and names.
Status FillModelInfo(const ModelSpec& spec, const ParameterSet& params, ModelInfo* info);

}  // namespace vaglio::models

#endif  // VAGLIO_MODELS_MODEL_H_
