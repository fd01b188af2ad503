#include "models/markov.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>
#include <set>

#include "models/accrual.h"
#include "models/number.h"
#include "models/text.h"
#include "models/tolerances.h"

namespace vaglio::models {

double TimePointWeight(Counting counting, int horizon, int k) {
  const int T = horizon;
  if (counting == Counting::kHalfCycle || T == 1) return (k == 0 || k == T) ? 0.5 : 1.0;
  // Simpson: 1/3 rule over [0, m] with m even; for odd T the 3/8 rule over [T-3, T].
  const int m = T % 2 == 0 ? T : T - 3;
  double w = 0;
  if (k <= m && m > 0) {
    if (k == 0 || k == m) {
      w += 1.0 / 3.0;
    } else {
      w += (k % 2 == 1) ? 4.0 / 3.0 : 2.0 / 3.0;
    }
  }
  if (T % 2 == 1 && k >= m) w += (k == m || k == T) ? 3.0 / 8.0 : 9.0 / 8.0;
  return w;
}

double DiscountFactor(double rate, double tau_years, DiscountStep step) {
  if (rate == 0) return 1.0;
  // A small allowance so that 12 * (1/12) years counts as one whole year.
  const double tau = step == DiscountStep::kYear ? std::floor(tau_years + kWholeNumberTol) : tau_years;
  return std::pow(1.0 + rate, -tau);
}

namespace {

bool IsTimePoint(Counting c) { return IsTimePointCounting(c); }

struct Cell {
  int target = 0;  // expanded state
  int slot = 0;
  const std::string* path = nullptr;
};

struct Row {
  bool rates = false;
  std::vector<Cell> cells;
  int rest_target = -1;
  std::string path;
};

struct Flow {
  int from = -1;  // base state; -1: any other state (on_enter)
  int to = 0;     // base state
  std::vector<int> value_slots;  // per value, -1: none
  std::vector<const std::string*> value_paths;
};

struct StrategyData {
  std::shared_ptr<StrategyPlan> plan;
  std::vector<Row> rows;                          // per expanded state
  std::vector<std::vector<int>> value_slots;      // [base state][value], -1: zero
  std::vector<std::vector<const std::string*>> value_paths;
  std::vector<bool> uses_state_time;              // per base state
  std::vector<Flow> flows;
  std::vector<std::pair<int, int>> initial;       // (base state, slot)
  std::vector<const std::string*> initial_paths;
  std::vector<int> start_slots;                   // per value, -1: none
  std::vector<const std::string*> start_paths;
};

struct Layout {
  std::vector<std::string> names;  // base states
  std::vector<int> first, count;   // expanded range of each base state
  std::vector<int> base_of, sub_of;
  int size = 0;
};

class MarkovModel : public Model {
 public:
  ModelInfo info_;
  ModelSpec spec_;  // owns every Expr the plans point into
  std::shared_ptr<const ParameterSet> params_;
  Layout layout_;
  std::vector<StrategyData> strategies_;
  std::optional<Accrual> accrual_;               // discount tables; copied by each evaluator
  std::vector<bool> cost_checked_;               // [value]: must be >= 0

  const ModelInfo& info() const override { return info_; }
  Result<std::unique_ptr<Evaluator>> NewEvaluator(std::vector<int> varying) const override;
};

class MarkovEvaluator : public Evaluator {
 public:
  explicit MarkovEvaluator(const MarkovModel& m) : m_(m) {}
  Status Evaluate(std::span<const double> x, Outcome* out, Details* details) override;

  std::vector<std::unique_ptr<PlanRunner>> runners_;

 private:
  Status BuildRow(const StrategyData& sd, const PlanRunner& r, int i, int k);
  Status ReadValues(const StrategyData& sd, const PlanRunner& r, int b, int i, int k);
  // "<found> at cycle k, in strategy 's', but <constraint>"
  Status Where(const std::string& path, const std::string& found, const std::string& constraint, int s,
               int k, int i) const;

  const MarkovModel& m_;
  int s_ = 0;
  std::vector<double> P_, prev_, next_, vals_;
};

// ---------------------------------------------------------------------------------------
// Compilation

class Compiler {
 public:
  explicit Compiler(const ModelSpec& spec) : spec_(spec) {}

  Result<std::shared_ptr<const Model>> Run() {
    auto model = std::make_shared<MarkovModel>();
    model->spec_ = spec_;
    const ModelSpec& spec = model->spec_;  // the plans point into this copy
    if (spec.horizon < 1 || spec.horizon > kMaxHorizon) {
      Add("horizon", "horizon is " + std::to_string(spec.horizon) + ", but must be from 1 to " +
                         std::to_string(kMaxHorizon) + " cycles");
    }
    if (!(spec.cycle_length > 0)) {
      Add("cycle.length", "cycle length is " + FormatNumber(spec.cycle_length) + ", but must be > 0");
    }
    BuildLayout(spec, &model->layout_);
    auto ps = ParameterSet::Build(spec);
    if (!ps.ok()) {
      for (Issue& i : ps.TakeIssues()) issues_.push_back(std::move(i));
    } else {
      model->params_ = ps.value();
      if (Status st = FillModelInfo(spec, *model->params_, &model->info_); !st.ok()) {
        for (const Issue& i : st.issues()) issues_.push_back(i);
      }
    }
    for (size_t v = 0; v < spec.values.size(); ++v) value_names_.push_back(spec.values[v].name);
    CheckStructure(spec, model->layout_);
    if (!issues_.empty() || !model->params_) return Finish();

    for (int s = 0; s < static_cast<int>(spec.strategies.size()); ++s) {
      model->strategies_.push_back(BuildStrategy(spec, *model, s));
    }
    if (!issues_.empty()) return Finish();
    model->info_.parameter_used.assign(model->info_.parameter_names.size(), false);
    for (const StrategyData& sd : model->strategies_) {
      for (size_t p = 0; p < model->info_.parameter_used.size(); ++p) {
        if (sd.plan->IsUsed(kNumBuiltinSlots + static_cast<int>(p))) model->info_.parameter_used[p] = true;
      }
    }

    model->accrual_.emplace(spec, spec.horizon, spec.cycle_length_years());
    for (const ValueSpec& v : spec.values) {
      model->cost_checked_.push_back(v.role == ValueRole::kCost && !v.allow_negative);
    }
    // Every formula must compile; a base-case evaluator proves it.
    if (auto ev = model->NewEvaluator({}); !ev.ok()) {
      for (Issue& i : ev.TakeIssues()) issues_.push_back(std::move(i));
      return Finish();
    }
    return std::shared_ptr<const Model>(std::move(model));
  }

 private:
  void Add(std::string path, std::string msg, int offset = -1) {
    issues_.push_back({std::move(path), std::move(msg), offset});
  }

  Result<std::shared_ptr<const Model>> Finish() {
    // The same base formula is seen by every strategy: report each problem once.
    Issues unique;
    std::set<std::tuple<std::string, std::string, int>> seen;
    for (Issue& i : issues_) {
      if (seen.insert({i.path, i.message, i.offset}).second) unique.push_back(std::move(i));
    }
    return Status::FromIssues(std::move(unique));
  }

  int StateIndex(const std::string& name) const {
    auto it = state_index_.find(name);
    return it == state_index_.end() ? -1 : it->second;
  }

  bool KnownState(const std::string& name, const std::string& path, const std::string& what) {
    if (StateIndex(name) >= 0) return true;
    Add(path, what + " '" + name + "' is not a state" + DidYouMeanSuffix(name, state_names_));
    return false;
  }

  bool KnownValue(const std::string& name, const std::string& path) {
    if (std::find(value_names_.begin(), value_names_.end(), name) != value_names_.end()) return true;
    Add(path, "'" + name + "' is not a declared value" +
                  DidYouMeanSuffix(name, value_names_) + "; declare it under values:");
    return false;
  }

  void BuildLayout(const ModelSpec& spec, Layout* lay) {
    if (spec.states.empty()) Add("states", "the model has no states, but needs at least one");
    for (const StateSpec& st : spec.states) {
      if (!IsIdentifier(st.name)) {
        Add(st.path, "state name '" + st.name +
                         "' is not valid, but must be letters, digits and _, starting with a letter or _");
      }
      if (st.tunnel < 0) {
        Add(st.path + ".tunnel", "tunnel is " + std::to_string(st.tunnel) + ", but must be >= 1");
      }
      state_index_[st.name] = static_cast<int>(lay->names.size());
      state_names_.push_back(st.name);
      lay->names.push_back(st.name);
      const int n = std::max(1, st.tunnel);
      lay->first.push_back(lay->size);
      lay->count.push_back(n);
      for (int j = 1; j <= n; ++j) {
        lay->base_of.push_back(static_cast<int>(lay->names.size()) - 1);
        lay->sub_of.push_back(j);
      }
      lay->size += n;
    }
  }

  void CheckRow(const TransitionRowSpec& row) {
    if (!KnownState(row.from, row.path, "row")) return;
    int rests = 0;
    std::set<std::string> targets;
    for (const NamedExpr& c : row.cells) {
      KnownState(c.name, c.expr.path, "target");
      if (!targets.insert(c.name).second) Add(c.expr.path, "target '" + c.name + "' appears twice in the row");
      const bool rest = Trim(c.expr.text) == "rest";
      if (row.rates) {
        if (rest) Add(c.expr.path, "'rest' is not allowed in rates:, where the rate of staying is implied");
        if (c.name == row.from) {
          Add(c.expr.path, "a rate from '" + row.from + "' to itself has no meaning; list only the exits");
        }
      } else if (rest && ++rests == 2) {
        Add(c.expr.path, "a second 'rest' in the row, but only one entry may be 'rest'");
      }
    }
  }

  void CheckStructure(const ModelSpec& spec, const Layout&) {
    for (const StateSpec& st : spec.states) {
      for (const NamedExpr& v : st.values) KnownValue(v.name, v.expr.path);
    }
    std::set<std::string> has_row;
    for (const TransitionRowSpec& r : spec.transitions) {
      CheckRow(r);
      has_row.insert(r.from);
    }
    for (const FlowValueSpec& f : spec.flows) CheckFlow(f);
    if (spec.initial.empty() &&
        std::any_of(spec.strategies.begin(), spec.strategies.end(), [](const StrategySpec& st) { return st.initial.empty(); })) {
      Add("initial", "initial is missing, but must give the occupancy at cycle 0");
    }
    for (const NamedExpr& i : spec.initial) KnownState(i.name, i.expr.path, "initial state");
    for (const NamedExpr& s : spec.start) KnownValue(s.name, s.expr.path);
    std::vector<std::set<std::string>> strategy_rows(spec.strategies.size());
    for (size_t s = 0; s < spec.strategies.size(); ++s) {
      const StrategySpec& st = spec.strategies[s];
      for (const StateSpec& ss : st.states) {
        if (ss.tunnel != 0) Add(ss.path + ".tunnel", "tunnel can only be set on the model's states");
        if (StateIndex(ss.name) < 0) {
          Add(ss.path, "strategy '" + st.name + "' changes state '" + ss.name +
                           "', which is not a state of the model" + DidYouMeanSuffix(ss.name, state_names_));
          continue;
        }
        for (const NamedExpr& v : ss.values) KnownValue(v.name, v.expr.path);
      }
      for (const TransitionRowSpec& r : st.transitions) {
        CheckRow(r);
        strategy_rows[s].insert(r.from);
      }
      for (const FlowValueSpec& f : st.flows) CheckFlow(f);
      for (const NamedExpr& i : st.initial) KnownState(i.name, i.expr.path, "initial state");
      for (const NamedExpr& v : st.start) KnownValue(v.name, v.expr.path);
    }
    for (const StateSpec& st : spec.states) {
      if (has_row.count(st.name)) continue;
      std::vector<std::string> missing;
      for (size_t s = 0; s < spec.strategies.size(); ++s) {
        if (!strategy_rows[s].count(st.name)) missing.push_back(spec.strategies[s].name);
      }
      if (missing.empty()) continue;
      std::string where = missing.size() == spec.strategies.size()
                              ? ""
                              : " in strategy " + QuotedList(missing);
      Add("transitions", "state '" + st.name + "' has no transition row" + where +
                             ", but every state needs one (an absorbing state: " + st.name + ": {" +
                             st.name + ": 1})");
    }
  }

  void CheckFlow(const FlowValueSpec& f) {
    if (!f.from.empty()) KnownState(f.from, f.path, "from state");
    KnownState(f.to, f.path, f.from.empty() ? "state" : "to state");
    for (const NamedExpr& v : f.values) KnownValue(v.name, v.expr.path);
  }

  int ValueIndex(const std::string& name) const {
    return static_cast<int>(std::find(value_names_.begin(), value_names_.end(), name) - value_names_.begin());
  }

  StrategyData BuildStrategy(const ModelSpec& spec, const MarkovModel& m, int s) {
    const StrategySpec& st = spec.strategies[static_cast<size_t>(s)];
    const Layout& lay = m.layout_;
    const size_t nb = lay.names.size(), nv = spec.values.size();
    StrategyData sd;
    sd.plan = std::make_shared<StrategyPlan>(m.params_, s);
    StrategyPlan& plan = *sd.plan;
    const Phase value_phase = IsTimePoint(spec.counting) ? Phase::kAll : Phase::kCycles;

    // Rows: the strategy's replace the model's.
    std::vector<const TransitionRowSpec*> rows(nb, nullptr);
    for (const TransitionRowSpec& r : spec.transitions) rows[static_cast<size_t>(StateIndex(r.from))] = &r;
    for (const TransitionRowSpec& r : st.transitions) rows[static_cast<size_t>(StateIndex(r.from))] = &r;
    sd.rows.resize(static_cast<size_t>(lay.size));
    for (size_t b = 0; b < nb; ++b) {
      const TransitionRowSpec& spec_row = *rows[b];
      std::vector<std::pair<int, int>> cells;  // (target base, slot)
      int rest_base = -1;
      for (const NamedExpr& c : spec_row.cells) {
        const int tb = StateIndex(c.name);
        if (!spec_row.rates && Trim(c.expr.text) == "rest") {
          rest_base = tb;
          continue;
        }
        cells.push_back({tb, plan.AddSink(c.expr, Phase::kCycles)});
      }
      for (int j = 1; j <= lay.count[b]; ++j) {
        const int i = lay.first[b] + j - 1;
        // Staying in a tunnel state moves on to its next sub-state; the last one keeps.
        auto expand = [&](int tb) {
          if (tb == static_cast<int>(b)) return lay.first[b] + std::min(j, lay.count[b] - 1);
          return lay.first[static_cast<size_t>(tb)];
        };
        Row& row = sd.rows[static_cast<size_t>(i)];
        row.rates = spec_row.rates;
        row.path = spec_row.path;
        for (size_t c = 0, ci = 0; c < spec_row.cells.size(); ++c) {
          if (!spec_row.rates && Trim(spec_row.cells[c].expr.text) == "rest") continue;
          row.cells.push_back({expand(cells[ci].first), cells[ci].second, &spec_row.cells[c].expr.path});
          ++ci;
        }
        if (rest_base >= 0) row.rest_target = expand(rest_base);
      }
    }

    // State values: the strategy's replace the model's, value by value.
    sd.value_slots.assign(nb, std::vector<int>(nv, -1));
    sd.value_paths.assign(nb, std::vector<const std::string*>(nv, nullptr));
    auto set_values = [&](const StateSpec& ss) {
      const size_t b = static_cast<size_t>(StateIndex(ss.name));
      for (const NamedExpr& v : ss.values) {
        const size_t vi = static_cast<size_t>(ValueIndex(v.name));
        sd.value_slots[b][vi] = plan.AddSink(v.expr, value_phase);
        sd.value_paths[b][vi] = &v.expr.path;
      }
    };
    for (const StateSpec& ss : spec.states) set_values(ss);
    for (const StateSpec& ss : st.states) set_values(ss);

    // Flows: keyed by (from, to); the strategy's replace the model's, value by value.
    std::map<std::pair<int, int>, size_t> flow_index;
    auto add_flow = [&](const FlowValueSpec& f) {
      const int from = f.from.empty() ? -1 : StateIndex(f.from);
      const int to = StateIndex(f.to);
      auto [it, fresh] = flow_index.insert({{from, to}, sd.flows.size()});
      if (fresh) {
        Flow fl;
        fl.from = from;
        fl.to = to;
        fl.value_slots.assign(nv, -1);
        fl.value_paths.assign(nv, nullptr);
        sd.flows.push_back(std::move(fl));
      }
      Flow& fl = sd.flows[it->second];
      for (const NamedExpr& v : f.values) {
        const size_t vi = static_cast<size_t>(ValueIndex(v.name));
        fl.value_slots[vi] = plan.AddSink(v.expr, Phase::kCycles);
        fl.value_paths[vi] = &v.expr.path;
      }
    };
    for (const FlowValueSpec& f : spec.flows) add_flow(f);
    for (const FlowValueSpec& f : st.flows) add_flow(f);

    for (const NamedExpr& i : (st.initial.empty() ? spec.initial : st.initial)) {
      sd.initial.push_back({StateIndex(i.name), plan.AddSink(i.expr, Phase::kStart)});
      sd.initial_paths.push_back(&i.expr.path);
    }
    sd.start_slots.assign(nv, -1);
    sd.start_paths.assign(nv, nullptr);
    auto set_start = [&](const NamedExpr& v) {
      const size_t vi = static_cast<size_t>(ValueIndex(v.name));
      sd.start_slots[vi] = plan.AddSink(v.expr, Phase::kStart);
      sd.start_paths[vi] = &v.expr.path;
    };
    for (const NamedExpr& v : spec.start) set_start(v);
    for (const NamedExpr& v : st.start) set_start(v);

    if (Status f = plan.Finalize(); !f.ok()) {
      for (const Issue& i : f.issues()) issues_.push_back(i);
      return sd;
    }
    // state_time only has a meaning inside a tunnel state.
    sd.uses_state_time.assign(nb, false);
    for (size_t b = 0; b < nb; ++b) {
      bool uses = false;
      std::vector<std::pair<int, const std::string*>> items;
      for (const Cell& c : sd.rows[static_cast<size_t>(lay.first[b])].cells) items.push_back({c.slot, c.path});
      for (size_t v = 0; v < nv; ++v) {
        if (sd.value_slots[b][v] >= 0) items.push_back({sd.value_slots[b][v], sd.value_paths[b][v]});
      }
      for (auto [slot, path] : items) {
        if (!plan.DependsOnStateTime(slot)) continue;
        uses = true;
        if (lay.count[b] == 1 && spec.states[b].tunnel == 0) {
          const std::string via = plan.StateTimeVia(slot);
          Add(*path, "uses state_time" + (via.empty() ? std::string() : " through '" + via + "'") + ", but '" +
                         lay.names[b] + "' is not a tunnel state (set tunnel: N on it)");
        }
      }
      sd.uses_state_time[b] = uses;
    }
    auto no_state_time = [&](int slot, const std::string* path, const char* what) {
      if (slot >= 0 && plan.DependsOnStateTime(slot)) {
        Add(*path, std::string("uses state_time, but ") + what + " cannot depend on time in a state");
      }
    };
    for (const Flow& f : sd.flows) {
      for (size_t v = 0; v < nv; ++v) no_state_time(f.value_slots[v], f.value_paths[v], "a transition value");
    }
    for (size_t i = 0; i < sd.initial.size(); ++i) no_state_time(sd.initial[i].second, sd.initial_paths[i], "initial occupancy");
    for (size_t v = 0; v < nv; ++v) no_state_time(sd.start_slots[v], sd.start_paths[v], "a start value");
    return sd;
  }

  const ModelSpec& spec_;
  Issues issues_;
  std::map<std::string, int> state_index_;
  std::vector<std::string> state_names_;
  std::vector<std::string> value_names_;
};

// ---------------------------------------------------------------------------------------
// Evaluation

Result<std::unique_ptr<Evaluator>> MarkovModel::NewEvaluator(std::vector<int> varying) const {
  auto ev = std::make_unique<MarkovEvaluator>(*this);
  for (const StrategyData& sd : strategies_) {
    auto r = PlanRunner::Create(sd.plan, varying, spec_.horizon, spec_.cycle_length_years());
    if (!r.ok()) return Status::FromIssues(r.TakeIssues());
    ev->runners_.push_back(std::move(r).value());
  }
  return std::unique_ptr<Evaluator>(std::move(ev));
}

Status MarkovEvaluator::Where(const std::string& path, const std::string& found,
                             const std::string& constraint, int s, int k, int i) const {
  std::string where;
  if (k >= 0) where += " at cycle " + std::to_string(k);
  if (i >= 0 && m_.layout_.count[static_cast<size_t>(m_.layout_.base_of[static_cast<size_t>(i)])] > 1) {
    where += ", state_time " + std::to_string(m_.layout_.sub_of[static_cast<size_t>(i)]);
  }
  if (m_.info_.strategies.size() > 1) {
    where += std::string(k >= 0 ? "," : "") + " in strategy '" + m_.info_.strategies[static_cast<size_t>(s)] + "'";
  }
  return Status::Error(path, found + where + ", but " + constraint);
}

Status MarkovEvaluator::BuildRow(const StrategyData& sd, const PlanRunner& r, int i, int k) {
  const int n = m_.layout_.size;
  const Row& row = sd.rows[static_cast<size_t>(i)];
  double* p = &P_[static_cast<size_t>(i * n)];
  std::fill(p, p + n, 0.0);
  if (row.rates) {
    double total = 0;
    for (const Cell& c : row.cells) {
      const double rate = r.value(c.slot);
      if (!(rate >= 0)) {
        return Where(*c.path, "is " + FormatComputed(rate), "must be a rate >= 0", s_, k, i);
      }
      total += rate;
    }
    const double L = m_.info_.cycle_length_years;
    const double leave = -std::expm1(-total * L);
    for (const Cell& c : row.cells) {
      if (total > 0) p[c.target] += r.value(c.slot) / total * leave;
    }
    // Staying: the next sub-state of a tunnel state, else the state itself.
    const Layout& lay = m_.layout_;
    const size_t b = static_cast<size_t>(lay.base_of[static_cast<size_t>(i)]);
    p[lay.first[b] + std::min(lay.sub_of[static_cast<size_t>(i)], lay.count[b] - 1)] += 1.0 - leave;
    return Status();
  }
  double sum = 0;
  for (const Cell& c : row.cells) {
    double v = r.value(c.slot);
    if (!(v >= -kStochasticRowTol && v <= 1 + kStochasticRowTol)) {
      return Where(*c.path, "is " + FormatComputed(v), "must be a probability in [0, 1]", s_, k, i);
    }
    v = std::clamp(v, 0.0, 1.0);
    p[c.target] += v;
    sum += v;
  }
  if (row.rest_target >= 0) {
    const double rest = 1.0 - sum;
    if (rest < -kStochasticRowTol) {
      return Where(row.path, "the probabilities other than 'rest' sum to " + FormatComputed(sum),
                   "must not exceed 1", s_, k, i);
    }
    p[row.rest_target] += std::max(rest, 0.0);
  } else if (std::fabs(sum - 1.0) > kStochasticRowTol) {
    return Where(row.path, "row sums to " + FormatComputed(sum), "must sum to 1 (or use 'rest')", s_, k, i);
  }
  return Status();
}

Status MarkovEvaluator::ReadValues(const StrategyData& sd, const PlanRunner& r, int b, int i, int k) {
  const size_t nv = static_cast<size_t>(m_.info_.values.size());
  const double L = m_.info_.cycle_length_years;
  for (size_t v = 0; v < nv; ++v) {
    const int slot = sd.value_slots[static_cast<size_t>(b)][v];
    double amount = slot >= 0 ? r.value(slot) : 0.0;
    if (m_.cost_checked_[v] && amount < 0) {
      return Where(*sd.value_paths[static_cast<size_t>(b)][v], "is " + FormatComputed(amount),
                   "must be >= 0 for a cost (set allow_negative: true on the value to allow it)", s_, k, i);
    }
    if (m_.info_.values[v].per == ValuePer::kYear) amount *= L;
    vals_[static_cast<size_t>(i) * nv + v] = amount;
  }
  return Status();
}

#define VAGLIO_TRY(expr)              \
  do {                                \
    Status _s = (expr);               \
    if (!_s.ok()) return _s;          \
  } while (0)

Status MarkovEvaluator::Evaluate(std::span<const double> x, Outcome* out, Details* details) {
  const Layout& lay = m_.layout_;
  const int n = lay.size, T = m_.info_.horizon;
  const size_t nb = lay.names.size();
  const int S = static_cast<int>(m_.strategies_.size());
  const int V = static_cast<int>(m_.info_.values.size());
  const size_t nv = static_cast<size_t>(V);
  const Counting counting = m_.info_.counting;
  P_.assign(static_cast<size_t>(n * n), 0.0);
  prev_.assign(static_cast<size_t>(n), 0.0);
  next_.assign(static_cast<size_t>(n), 0.0);
  vals_.assign(static_cast<size_t>(n) * nv, 0.0);
  out->Reset(S, V);
  if (details != nullptr) details->traces.assign(static_cast<size_t>(S), StrategyTrace{});
  std::vector<double> start(nv);
  Accrual acc = *m_.accrual_;

  for (int s = 0; s < S; ++s) {
    s_ = s;
    const StrategyData& sd = m_.strategies_[static_cast<size_t>(s)];
    PlanRunner& r = *runners_[static_cast<size_t>(s)];
    StrategyTrace* tr = details != nullptr ? &details->traces[static_cast<size_t>(s)] : nullptr;
    if (tr != nullptr) {
      tr->states = lay.names;
      tr->ever_left.assign(nb, false);
      tr->ever_entered.assign(nb, false);
      tr->accrues.assign(nb, std::vector<bool>(nv, false));
    }
    auto record = [&](const std::vector<double>& occ) {
      if (tr == nullptr) return;
      std::vector<double> row(nb, 0.0);
      for (int i = 0; i < n; ++i) row[static_cast<size_t>(lay.base_of[static_cast<size_t>(i)])] += occ[static_cast<size_t>(i)];
      for (size_t b = 0; b < nb; ++b) if (row[b] > 0) tr->ever_entered[b] = true;
      if (details->want_trace) tr->occupancy.push_back(std::move(row));
    };
    auto note_values = [&]() {
      if (tr == nullptr) return;
      for (int i = 0; i < n; ++i) {
        for (size_t v = 0; v < nv; ++v) {
          if (vals_[static_cast<size_t>(i) * nv + v] != 0) tr->accrues[static_cast<size_t>(lay.base_of[static_cast<size_t>(i)])][v] = true;
        }
      }
    };
    // Reads every state's values at the current cycle (tunnel sub-states one by one).
    auto read_all_values = [&](int k) -> Status {
      for (size_t b = 0; b < nb; ++b) {
        for (int j = 1; j <= lay.count[b]; ++j) {
          if (sd.uses_state_time[b]) VAGLIO_TRY(r.EnterStateTime(j));
          VAGLIO_TRY(ReadValues(sd, r, static_cast<int>(b), lay.first[b] + j - 1, k));
        }
      }
      return Status();
    };

    VAGLIO_TRY(r.Begin(x));
    VAGLIO_TRY(r.EnterCycle(0));
    std::fill(prev_.begin(), prev_.end(), 0.0);
    double total = 0;
    for (size_t q = 0; q < sd.initial.size(); ++q) {
      const double v = r.value(sd.initial[q].second);
      if (!(v >= 0)) {
        return Where(*sd.initial_paths[q], "is " + FormatNumber(v), "must be >= 0", s, -1, -1);
      }
      prev_[static_cast<size_t>(lay.first[static_cast<size_t>(sd.initial[q].first)])] += v;
      total += v;
    }
    if (!(total > 0)) {
      return Where("initial", "initial occupancy sums to " + FormatNumber(total), "must be > 0", s, -1, -1);
    }
    // Results are per member of the initial cohort.
    const double per_member = std::fabs(total - 1.0) <= kInitialSumTol ? 1.0 : 1.0 / total;
    for (size_t v = 0; v < nv; ++v) {
      const int slot = sd.start_slots[v];
      start[v] = slot >= 0 ? r.value(slot) : 0.0;
      if (m_.cost_checked_[v] && start[v] < 0) {
        return Where(*sd.start_paths[v], "is " + FormatNumber(start[v]), "must be >= 0 for a cost (set allow_negative: true on the value to allow it)", s, -1, -1);
      }
    }
    acc.Reset();
    record(prev_);
    if (IsTimePoint(counting)) {
      VAGLIO_TRY(read_all_values(0));
      note_values();
      acc.Point(0, prev_, vals_);
    }

    for (int k = 1; k <= T; ++k) {
      VAGLIO_TRY(r.EnterCycle(k));
      for (size_t b = 0; b < nb; ++b) {
        for (int j = 1; j <= lay.count[b]; ++j) {
          const int i = lay.first[b] + j - 1;
          if (sd.uses_state_time[b]) VAGLIO_TRY(r.EnterStateTime(j));
          VAGLIO_TRY(BuildRow(sd, r, i, k));
          VAGLIO_TRY(ReadValues(sd, r, static_cast<int>(b), i, k));
        }
      }
      note_values();
      std::fill(next_.begin(), next_.end(), 0.0);
      for (int i = 0; i < n; ++i) {
        const double xi = prev_[static_cast<size_t>(i)];
        if (xi == 0) continue;
        const double* p = &P_[static_cast<size_t>(i * n)];
        for (int j = 0; j < n; ++j) next_[static_cast<size_t>(j)] += xi * p[j];
      }
      if (tr != nullptr) {
        for (int i = 0; i < n; ++i) {
          const int b = lay.base_of[static_cast<size_t>(i)];
          for (int j = 0; j < n; ++j) {
            if (P_[static_cast<size_t>(i * n + j)] > 0 && lay.base_of[static_cast<size_t>(j)] != b) tr->ever_left[static_cast<size_t>(b)] = true;
          }
        }
      }
      // One-off values on flows, at the cycle's discounting time.
      for (const Flow& f : sd.flows) {
        // on_enter: from any other state into the first sub-state of `to`;
        // on_transition: from any sub-state of `from` to any sub-state of `to`.
        const size_t to0 = static_cast<size_t>(lay.first[static_cast<size_t>(f.to)]);
        const size_t to1 = to0 + static_cast<size_t>(lay.count[static_cast<size_t>(f.to)]);
        double mass = 0;
        for (int i = 0; i < n; ++i) {
          const int bi = lay.base_of[static_cast<size_t>(i)];
          const double xi = prev_[static_cast<size_t>(i)];
          const double* p = &P_[static_cast<size_t>(i * n)];
          if (f.from < 0) {
            if (bi != f.to) mass += xi * p[to0];
          } else if (bi == f.from) {
            for (size_t j = to0; j < to1; ++j) mass += xi * p[j];
          }
        }
        for (size_t v = 0; v < nv; ++v) {
          if (f.value_slots[v] < 0) continue;
          const double amount = r.value(f.value_slots[v]);
          if (m_.cost_checked_[v] && amount < 0) {
            return Where(*f.value_paths[v], "is " + FormatComputed(amount), "must be >= 0 for a cost (set allow_negative: true on the value to allow it)", s, k, -1);
          }
          acc.Flow(k, v, mass * amount);
        }
      }
      // State values.
      if (IsTimePoint(counting)) {
        acc.Point(k, next_, vals_);
      } else {
        acc.Cycle(k, prev_, next_, vals_);
      }
      std::swap(prev_, next_);
      record(prev_);
    }
    for (size_t v = 0; v < nv; ++v) {
      out->discounted[static_cast<size_t>(s) * nv + v] = acc.discounted()[v] * per_member + start[v];
      out->undiscounted[static_cast<size_t>(s) * nv + v] = acc.undiscounted()[v] * per_member + start[v];
    }
  }
  return Status();
}

}  // namespace

Result<std::shared_ptr<const Model>> CompileMarkov(const ModelSpec& spec) {
  return Compiler(spec).Run();
}

}  // namespace vaglio::models
