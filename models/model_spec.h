#ifndef VAGLIO_MODELS_MODEL_SPEC_H_
#define VAGLIO_MODELS_MODEL_SPEC_H_

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "models/conventions.h"
#include "models/distribution.h"
#include "models/table.h"

/// The model as the file describes it, after the engine has checked its shape (types,
/// known keys, enums) but before any semantic check. Names are unresolved strings;
/// CompileModel resolves them and reports what does not fit, by key path. Every item
/// carries the key path it came from, so issues can point at the file.
namespace vaglio::models {

/// The longest horizon accepted, in cycles: a century of weekly cycles is 5,218; daily
/// cycles over a lifetime about 40,000. Beyond this a horizon is a typo, not a model.
inline constexpr int kMaxHorizon = 100000;

/// A formula or a number as written ("0.02", "exp(cons + ageC * age0)", "rest").
struct Expr {
  std::string text;
  std::string path;
};

/// `name: expr` pairs in file order (state values, start values, initial occupancy...).
struct NamedExpr {
  std::string name;
  Expr expr;
};

struct ValueSpec {
  std::string name;
  ValueRole role = ValueRole::kNone;
  double discount_rate = 0;  // per year
  ValuePer per = ValuePer::kCycle;
  bool allow_negative = false;  // costs must be >= 0 unless this is set
  std::string label, unit;
  std::string path;
};

struct ParameterSpec {
  std::string name;
  std::optional<Expr> value;               // base case; absent: the distribution's mean
  std::optional<DistributionInput> dist;   // absent or fixed: not sampled
  std::optional<double> low, high;         // one-way sensitivity range
  std::string label, source, unit;
  std::string path;
};

/// Correlated parameters by a Gaussian copula over their marginal distributions
/// (`matrix:` a correlation matrix), or jointly normal (`covariance:` a covariance
/// matrix; members are normal with mean = base value and sd = sqrt of the diagonal).
struct CorrelationSpec {
  std::vector<std::string> params;
  std::vector<std::vector<double>> matrix;  // row-major
  bool covariance = false;
  std::string path;
};

/// Parameters whose joint distribution is Dirichlet(counts) (a transition row).
struct DirichletSpec {
  std::vector<std::string> params;
  std::vector<double> counts;
  std::string path;
};

struct StateSpec {
  std::string name;
  std::string label;
  int tunnel = 0;                // > 0: expands into this many time-in-state sub-states
  std::vector<NamedExpr> values;  // value name -> amount per cycle (or per year)
  std::string path;
};

/// One `from:` row of `transitions:` (probabilities, one cell may be `rest`) or of
/// `rates:` (rates per year, converted as competing risks).
struct TransitionRowSpec {
  std::string from;
  bool rates = false;
  std::vector<NamedExpr> cells;  // target state -> expression
  std::string path;
};

/// One-off values on a flow: into `to` from any other state (on_enter, from empty), or
/// along the single transition from -> to (on_transition).
struct FlowValueSpec {
  std::string from;
  std::string to;
  std::vector<NamedExpr> values;
  std::string path;
};

/// A survival curve of a partitioned survival model as written: the family, its named
/// parameters as formulas, and the modifiers.
struct CurveSpec {
  std::string name, label;
  std::string family;                      // "weibull_aft" ...; empty when not given
  std::vector<NamedExpr> params;           // rate, shape, scale ... as given
  std::vector<double> times;               // piecewise_exponential: piece starts
  std::vector<Expr> rates;                 // piecewise_exponential: piece rates
  std::string table;                       // kaplan_meier
  std::optional<Expr> hr, af;
  std::optional<TimeUnit> time_unit;       // of the curve's parameters
  std::string path;
};

enum class CrossingPolicy { kClamp, kError };

struct StrategySpec {
  std::string name;
  std::string label;
  std::vector<NamedExpr> start;        // one-off values at time 0, undiscounted
  std::vector<NamedExpr> parameters;   // parameter -> expression in this strategy
  std::vector<StateSpec> states;       // state values replaced in this strategy
  std::vector<TransitionRowSpec> transitions;  // rows replaced in this strategy
  std::vector<FlowValueSpec> flows;    // flow values replaced in this strategy
  std::vector<NamedExpr> initial;      // replaces the model's initial occupancy
  std::vector<CurveSpec> curves;       // partitioned survival: fields replace the model's
  std::string path;
};

enum class NodeType { kDecision, kChance, kTerminal };

/// A branch of a decision tree and the node it leads to. The node is a chance node when it
/// has branches (unless `type` says decision), a terminal when it has none; `next` names a
/// subtree that is the node instead; `markov` makes the terminal a Markov model.
struct TreeNodeSpec {
  std::string name, label;
  std::optional<Expr> p;                 // under a chance node: a probability or `rest`
  std::optional<NodeType> type;
  std::vector<NamedExpr> values;         // accrued by every path through this branch
  std::vector<TreeNodeSpec> branches;
  std::string next;
  std::string markov;                    // "FILE#strategy"
  std::vector<NamedExpr> bind;           // Markov model parameter -> expression
  std::string path;
};

/// A Markov model a tree's terminal points to, loaded by the engine.
struct SubmodelRef {
  std::string reference;                 // "FILE#strategy" as written
  std::shared_ptr<const class Model> model;
  std::string strategy;
};

struct ModelSpec {
  std::string id;
  std::string title;
  Method method = Method::kMarkovCohort;
  std::string currency;
  double cycle_length = 1;  // in `cycle_unit`
  TimeUnit cycle_unit = TimeUnit::kYear;
  int horizon = 0;          // cycles
  Counting counting = Counting::kEnd;
  DiscountTiming discount_timing = DiscountTiming::kEnd;
  DiscountStep discount_step = DiscountStep::kCycle;

  std::vector<ValueSpec> values;
  std::vector<ParameterSpec> parameters;
  std::vector<CorrelationSpec> correlations;
  std::vector<DirichletSpec> dirichlet;
  std::vector<LookupTable::Spec> tables;

  std::vector<StateSpec> states;
  std::vector<TransitionRowSpec> transitions;
  std::vector<FlowValueSpec> flows;
  std::vector<NamedExpr> initial;
  std::vector<NamedExpr> start;  // one-off values at time 0 for every strategy
  std::vector<StrategySpec> strategies;

  // Decision trees: the root decision's branches (one per strategy), named subtrees, the
  // WTP at which decision nodes inside the tree choose, and the Markov models of terminals.
  std::vector<TreeNodeSpec> tree;
  std::vector<TreeNodeSpec> subtrees;
  std::optional<double> decision_wtp;
  std::vector<SubmodelRef> submodels;

  // Partitioned survival: curves, their nesting order (innermost first), the crossing
  // policy and an optional background mortality (annual probability, a formula).
  std::vector<CurveSpec> curves;
  std::vector<std::string> partition;
  CrossingPolicy crossing = CrossingPolicy::kClamp;
  std::optional<Expr> background;

  double cycle_length_years() const { return cycle_length * YearsPerUnit(cycle_unit); }
};

}  // namespace vaglio::models

#endif  // VAGLIO_MODELS_MODEL_SPEC_H_
