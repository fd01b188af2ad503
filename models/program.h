#ifndef VAGLIO_MODELS_PROGRAM_H_
#define VAGLIO_MODELS_PROGRAM_H_

#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "models/distribution.h"
#include "models/expression.h"
#include "models/model_spec.h"
#include "models/result.h"

/// Formulas of a model organised for fast repeated evaluation. Every model kind turns its
/// parameters and its own items (transition cells, state values, branch probabilities)
/// into slots of one array per strategy:
///   slots [0, kNumBuiltinSlots)        built-in variables (cycle, time, ...)
///   then one slot per named parameter   (same index in every strategy)
///   then the strategy's anonymous nodes (cells, values ...)
/// A slot is filled by an input (a number or a sampled parameter), a constant or a formula.
/// Formulas form a DAG; each is classed by what it depends on, so that a runner evaluates
/// it only as often as needed: once per evaluation, once per cycle, or once per tunnel
/// sub-state; and formulas that do not depend on the varying inputs are evaluated once
/// when the runner is prepared.
namespace vaglio::models {

inline constexpr int kSlotCycle = 0;
inline constexpr int kSlotTime = 1;
inline constexpr int kSlotCycleLength = 2;
inline constexpr int kSlotStrategy = 3;
inline constexpr int kSlotStateTime = 4;
inline constexpr int kNumBuiltinSlots = 5;

/// "cycle", "time", "cycle_length", "strategy", "state_time", in slot order.
std::span<const std::string> BuiltinVariableNames();

/// A parameter that analyses can vary: a number, or a parameter with a distribution.
struct InputInfo {
  std::string name;
  int slot = 0;
  double base = 0;
  std::optional<Distribution> dist;  // absent: fixed (not sampled)
  std::optional<double> low, high;   // declared one-way range
  std::string label, source, unit, path;
};

/// Tables, symbols, inputs and the per-strategy definition of every named parameter.
/// Immutable after Build; thread-safe.
class ParameterSet {
 public:
  /// Checks and resolves the parameters, tables and strategy parameter overrides of `spec`.
  static Result<std::shared_ptr<const ParameterSet>> Build(const ModelSpec& spec);

  const SymbolTable& symbols() const { return symbols_; }
  const std::vector<InputInfo>& inputs() const { return inputs_; }
  int num_strategies() const { return static_cast<int>(strategy_names_.size()); }
  const std::vector<std::string>& strategy_names() const { return strategy_names_; }
  /// The input whose name is `name`, or -1.
  int FindInput(std::string_view name) const;
  int num_parameters() const { return static_cast<int>(param_names_.size()); }
  const std::vector<std::string>& parameter_names() const { return param_names_; }

  /// How named parameter p (0-based, slot kNumBuiltinSlots + p) is defined in strategy s.
  struct Definition {
    int input = -1;               // >= 0: this input
    const Expr* expr = nullptr;   // else: this formula (base or strategy override)
  };
  const Definition& definition(int s, int p) const {
    return defs_[static_cast<size_t>(s)][static_cast<size_t>(p)];
  }
  /// True when strategy s overrides parameter p.
  bool overridden(int s, int p) const {
    return overridden_[static_cast<size_t>(s)][static_cast<size_t>(p)];
  }

 private:
  ParameterSet() = default;
  SymbolTable symbols_;
  std::vector<std::unique_ptr<LookupTable>> tables_;
  std::vector<InputInfo> inputs_;
  std::vector<std::string> strategy_names_;
  std::vector<std::string> param_names_;
  std::vector<std::vector<Definition>> defs_;
  std::vector<std::vector<bool>> overridden_;
  std::vector<Expr> literal_exprs_;  // storage for override copies
};

/// When a sink (an item the model kind reads) is needed.
enum class Phase {
  kStart,   // at time 0 only (initial occupancy, start values)
  kCycles,  // in cycles 1..T
  kAll,     // at time 0 and in cycles 1..T
};

/// The formula DAG of one strategy. Built once, shared by the runners of every thread.
class StrategyPlan {
 public:
  StrategyPlan(std::shared_ptr<const ParameterSet> params, int strategy);

  /// Registers an item the model kind reads, and returns the slot holding its value: the
  /// slot of a parameter or built-in when the text is just that name, else a new node.
  /// Issues (unknown names, syntax) are collected and returned by Finalize.
  int AddSink(const Expr& e, Phase phase);

  /// Resolves dependencies, finds circular definitions, classes every node.
  Status Finalize();

  int num_slots() const { return static_cast<int>(nodes_.size()); }
  int strategy() const { return strategy_; }
  const ParameterSet& params() const { return *params_; }

  /// True when the value in `slot` depends on state_time / on cycle or time.
  bool DependsOnStateTime(int slot) const { return nodes_[static_cast<size_t>(slot)].on_state_time; }
  bool DependsOnCycle(int slot) const { return nodes_[static_cast<size_t>(slot)].on_cycle; }
  /// The named parameter through which `slot` depends on state_time: `slot` itself when
  /// it is a parameter, else the first parameter it reads that depends on it; empty when
  /// the formula reads state_time directly.
  std::string StateTimeVia(int slot) const;
  /// True when `slot` is read (directly or through a formula) by some sink.
  bool IsUsed(int slot) const { return nodes_[static_cast<size_t>(slot)].needed_cycles || nodes_[static_cast<size_t>(slot)].needed_start; }

 private:
  friend class PlanRunner;
  enum class Kind { kBuiltin, kInput, kConstant, kFormula };
  struct Node {
    Kind kind = Kind::kBuiltin;
    int input = -1;
    double constant = 0;
    const Expr* expr = nullptr;
    std::vector<int> deps;
    bool on_cycle = false, on_state_time = false;
    bool needed_start = false, needed_cycles = false;
  };
  void Need(int slot, Phase phase);

  std::shared_ptr<const ParameterSet> params_;
  int strategy_;
  std::vector<Node> nodes_;
  std::vector<std::unique_ptr<Expr>> owned_exprs_;
  std::vector<std::pair<int, Phase>> sinks_;
  std::vector<int> topo_;  // formula nodes in dependency order
  Issues issues_;
};

/// Evaluates one StrategyPlan on one thread: owns the slot array and the compiled
/// formulas. Not thread-safe; make one per thread.
class PlanRunner {
 public:
  /// Compiles the plan's formulas. `varying` lists the inputs that Evaluate will change
  /// (their slots take `x[i]` in order); everything that does not depend on them is
  /// computed here once, for cycles 0..horizon.
  static Result<std::unique_ptr<PlanRunner>> Create(std::shared_ptr<const StrategyPlan> plan,
                                                    std::span<const int> varying, int horizon,
                                                    double cycle_length_years);

  /// Sets the varying inputs and evaluates the formulas that depend only on them.
  Status Begin(std::span<const double> x);
  /// Sets cycle k (0..horizon) and evaluates everything that depends on it.
  Status EnterCycle(int k);
  /// Sets state_time (1-based time in a tunnel state) and evaluates what depends on it.
  Status EnterStateTime(int j);

  double value(int slot) const { return slots_[static_cast<size_t>(slot)]; }
  const double* slots() const { return slots_.data(); }
  const StrategyPlan& plan() const { return *plan_; }

 private:
  PlanRunner() = default;
  Status EvalList(const std::vector<int>& nodes, int k);
  // "<found> at cycle k, in strategy 's', but <constraint>"; without a constraint the
  // place goes in brackets after `found`.
  Status Fail(int node, const std::string& found, const std::string& constraint, int k);

  std::shared_ptr<const StrategyPlan> plan_;
  std::vector<double> slots_;
  std::vector<std::optional<Formula>> formulas_;  // by slot
  std::vector<int> varying_slots_;
  int horizon_ = 0;
  double cycle_length_years_ = 1;
  int cycle_ = 0;
  // Dynamic formulas (depend on varying inputs), in dependency order:
  std::vector<int> dyn_once_, dyn_cycle_start_, dyn_cycle_;
  std::vector<int> state_time_start_, state_time_;  // formulas on state_time, by phase
  // Static cycle-dependent formulas and their precomputed values per cycle.
  std::vector<int> static_cycle_start_, static_cycle_;
  std::vector<std::vector<double>> static_values_;  // [k][i]
  std::vector<double> image_;  // slot values after static once-evaluation
};

}  // namespace vaglio::models

#endif  // VAGLIO_MODELS_PROGRAM_H_
