#include "models/program.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "models/number.h"
#include "models/text.h"

namespace vaglio::models {

std::span<const std::string> BuiltinVariableNames() {
  static const std::vector<std::string> names = {"cycle", "time", "cycle_length", "strategy",
                                                 "state_time"};
  return names;
}

// ---------------------------------------------------------------------------------------
// ParameterSet

int ParameterSet::FindInput(std::string_view name) const {
  for (size_t i = 0; i < inputs_.size(); ++i) {
    if (inputs_[i].name == name) return static_cast<int>(i);
  }
  return -1;
}

Result<std::shared_ptr<const ParameterSet>> ParameterSet::Build(const ModelSpec& spec) {
  std::shared_ptr<ParameterSet> ps(new ParameterSet());
  Issues issues;
  for (const std::string& b : BuiltinVariableNames()) ps->symbols_.AddVariable(b);

  auto reserved = [&](const std::string& name) -> std::string {
    for (const std::string& b : BuiltinVariableNames()) {
      if (b == name) return "'" + name + "' is a built-in variable";
    }
    for (const std::string& f : BuiltinFunctionNames()) {
      if (f == name) return "'" + name + "' is a built-in function";
    }
    return "";
  };
  auto check_name = [&](const std::string& name, const std::string& path) {
    if (!IsIdentifier(name)) {
      issues.push_back({path, "name '" + name +
                                  "' is not valid, but must be letters, digits and _, "
                                  "starting with a letter or _"});
      return false;
    }
    if (std::string r = reserved(name); !r.empty()) {
      issues.push_back({path, r + ", so it cannot be redefined"});
      return false;
    }
    return true;
  };

  for (const LookupTable::Spec& t : spec.tables) {
    if (!check_name(t.name, t.path)) continue;
    auto table = LookupTable::Make(t);
    if (!table.ok()) {
      for (Issue& i : table.TakeIssues()) issues.push_back(std::move(i));
      continue;
    }
    ps->tables_.push_back(std::make_unique<LookupTable>(std::move(table).value()));
    ps->symbols_.AddTable(ps->tables_.back().get());
  }

  // Members of a Dirichlet group may omit their value: the base case is count / sum.
  std::map<std::string, double> dirichlet_base;
  for (const DirichletSpec& d : spec.dirichlet) {
    double total = 0;
    for (double c : d.counts) total += c;
    for (size_t i = 0; i < d.params.size() && i < d.counts.size(); ++i) {
      if (total > 0) dirichlet_base[d.params[i]] = d.counts[i] / total;
    }
  }

  std::vector<ParameterSet::Definition> base_defs;
  for (const ParameterSpec& p : spec.parameters) {
    if (!check_name(p.name, p.path)) continue;
    if (ps->symbols_.FindTable(p.name) != nullptr) {
      issues.push_back({p.path, "'" + p.name + "' is already the name of a table"});
      continue;
    }
    const int slot = ps->symbols_.AddVariable(p.name);
    ps->param_names_.push_back(p.name);

    std::optional<Distribution> dist;
    if (p.dist && p.dist->family != DistFamily::kFixed) {
      auto d = MakeDistribution(*p.dist);
      if (d.ok()) {
        dist = d.value();
      } else {
        for (Issue& i : d.TakeIssues()) issues.push_back(std::move(i));
      }
    } else if (p.dist) {
      auto d = MakeDistribution(*p.dist);  // checks that `fixed` has no arguments
      if (!d.ok()) for (Issue& i : d.TakeIssues()) issues.push_back(std::move(i));
    }
    const std::optional<double> number = p.value ? ParseNumber(p.value->text) : std::nullopt;
    const bool has_dist = p.dist && p.dist->family != DistFamily::kFixed;
    ParameterSet::Definition def;
    if (p.value && !number) {
      if (has_dist) {
        issues.push_back({p.value->path, "value is the formula '" + p.value->text +
                                             "', but a parameter with a distribution must "
                                             "have a number as its base case"});
      }
      if (p.low || p.high) {
        issues.push_back({p.path, "low/high are given, but only a parameter whose value is a "
                                  "number can have a one-way range"});
      }
      ps->literal_exprs_.push_back(*p.value);
      def.expr = nullptr;  // patched below, once literal_exprs_ stops growing
      def.input = -2 - static_cast<int>(ps->literal_exprs_.size() - 1);
    } else if (!p.value && !has_dist && !dirichlet_base.count(p.name)) {
      issues.push_back({p.path, "parameter '" + p.name +
                                    "' has no value, but must have a value or a distribution"});
      def.input = -1;
    } else {
      InputInfo in;
      in.name = p.name;
      in.slot = slot;
      in.dist = dist;
      in.low = p.low;
      in.high = p.high;
      in.label = p.label;
      in.source = p.source;
      in.unit = p.unit;
      in.path = p.path;
      if (number) {
        in.base = *number;
      } else if (dist) {
        in.base = dist->Mean();
      } else if (auto it = dirichlet_base.find(p.name); it != dirichlet_base.end()) {
        in.base = it->second;
      }
      if (p.low && p.high && !(*p.low <= *p.high)) {
        issues.push_back({p.path, "low is " + FormatNumber(*p.low) +
                                      ", but must not exceed high (" + FormatNumber(*p.high) + ")"});
      }
      def.input = static_cast<int>(ps->inputs_.size());
      ps->inputs_.push_back(std::move(in));
    }
    base_defs.push_back(def);
  }

  if (spec.strategies.empty()) {
    issues.push_back({"strategies", "the model has no strategies, but must have at least one"});
  }
  // Strategy overrides: copies of the expressions, stored so that pointers stay valid.
  std::vector<std::vector<std::pair<int, size_t>>> overrides(spec.strategies.size());
  for (size_t s = 0; s < spec.strategies.size(); ++s) {
    const StrategySpec& st = spec.strategies[s];
    ps->strategy_names_.push_back(st.name);
    for (const NamedExpr& o : st.parameters) {
      auto it = std::find(ps->param_names_.begin(), ps->param_names_.end(), o.name);
      if (it == ps->param_names_.end()) {
        issues.push_back({o.expr.path, "strategy '" + st.name + "' overrides '" + o.name +
                                           "', which is not a parameter of the model" +
                                           DidYouMeanSuffix(o.name, ps->param_names_)});
        continue;
      }
      ps->literal_exprs_.push_back(o.expr);
      overrides[s].push_back({static_cast<int>(it - ps->param_names_.begin()),
                              ps->literal_exprs_.size() - 1});
    }
  }
  auto resolve = [&](Definition d) {
    if (d.input <= -2) {
      d.expr = &ps->literal_exprs_[static_cast<size_t>(-2 - d.input)];
      d.input = -1;
    }
    return d;
  };
  for (size_t s = 0; s < spec.strategies.size(); ++s) {
    std::vector<Definition> defs;
    for (const Definition& d : base_defs) defs.push_back(resolve(d));
    std::vector<bool> over(defs.size(), false);
    for (auto [p, e] : overrides[s]) {
      defs[static_cast<size_t>(p)] = Definition{-1, &ps->literal_exprs_[e]};
      over[static_cast<size_t>(p)] = true;
    }
    ps->defs_.push_back(std::move(defs));
    ps->overridden_.push_back(std::move(over));
  }
  if (!issues.empty()) return Status::FromIssues(std::move(issues));
  return std::shared_ptr<const ParameterSet>(std::move(ps));
}

// ---------------------------------------------------------------------------------------
// StrategyPlan

StrategyPlan::StrategyPlan(std::shared_ptr<const ParameterSet> params, int strategy)
    : params_(std::move(params)), strategy_(strategy) {
  nodes_.resize(kNumBuiltinSlots);
  nodes_[kSlotCycle].on_cycle = true;
  nodes_[kSlotTime].on_cycle = true;
  nodes_[kSlotStateTime].on_state_time = true;
  for (int p = 0; p < params_->num_parameters(); ++p) {
    const ParameterSet::Definition& d = params_->definition(strategy, p);
    Node n;
    if (d.input >= 0) {
      n.kind = Kind::kInput;
      n.input = d.input;
    } else if (d.expr != nullptr) {
      if (auto v = ParseNumber(d.expr->text)) {
        n.kind = Kind::kConstant;
        n.constant = *v;
      } else {
        n.kind = Kind::kFormula;
      }
      n.expr = d.expr;
    } else {
      n.kind = Kind::kConstant;  // a parameter with no value; Build reported it
    }
    nodes_.push_back(n);
  }
}

int StrategyPlan::AddSink(const Expr& e, Phase phase) {
  const std::string_view text = Trim(e.text);
  int slot = -1;
  if (IsIdentifier(text)) slot = params_->symbols().Find(text);
  if (slot < 0) {
    owned_exprs_.push_back(std::make_unique<Expr>(e));
    Node n;
    n.expr = owned_exprs_.back().get();
    if (auto v = ParseNumber(text)) {
      n.kind = Kind::kConstant;
      n.constant = *v;
    } else {
      n.kind = Kind::kFormula;
    }
    slot = static_cast<int>(nodes_.size());
    nodes_.push_back(n);
  }
  sinks_.push_back({slot, phase});
  return slot;
}

std::string StrategyPlan::StateTimeVia(int slot) const {
  const auto& names = params_->symbols().variables();
  auto is_param = [&](int v) { return v >= kNumBuiltinSlots && v < kNumBuiltinSlots + params_->num_parameters(); };
  if (is_param(slot)) return names[static_cast<size_t>(slot)];
  const Node& n = nodes_[static_cast<size_t>(slot)];
  for (int d : n.deps) {
    if (d == kSlotStateTime) return "";
  }
  for (int d : n.deps) {
    if (is_param(d) && nodes_[static_cast<size_t>(d)].on_state_time) return names[static_cast<size_t>(d)];
  }
  return "";
}

void StrategyPlan::Need(int slot, Phase phase) {
  Node& n = nodes_[static_cast<size_t>(slot)];
  const bool start = phase != Phase::kCycles, cycles = phase != Phase::kStart;
  if ((!start || n.needed_start) && (!cycles || n.needed_cycles)) return;
  n.needed_start |= start;
  n.needed_cycles |= cycles;
  for (int d : n.deps) Need(d, phase);
}

Status StrategyPlan::Finalize() {
  Issues issues = std::move(issues_);
  const std::string& sname = params_->strategy_names()[static_cast<size_t>(strategy_)];
  // Dependencies.
  std::vector<double> scratch(params_->symbols().size(), 0.0);
  for (Node& n : nodes_) {
    if (n.kind != Kind::kFormula) continue;
    FormulaNames names = ScanFormula(n.expr->text, params_->symbols(), n.expr->path);
    n.deps = std::move(names.slots);
    for (Issue& i : names.issues) issues.push_back(std::move(i));
  }
  if (!issues.empty()) {
    // Report the syntax errors of the other formulas with the unknown names, all at once.
    for (Node& n : nodes_) {
      if (n.kind != Kind::kFormula) continue;
      const bool reported = std::any_of(issues.begin(), issues.end(), [&](const Issue& i) { return i.path == n.expr->path; });
      if (reported) continue;
      auto f = Formula::Compile(n.expr->text, params_->symbols(), scratch.data(), n.expr->path);
      if (!f.ok()) for (Issue& i : f.TakeIssues()) issues.push_back(std::move(i));
    }
    return Status::FromIssues(std::move(issues));
  }

  // Topological order by depth-first search; a back edge is a circular definition.
  std::vector<int> color(nodes_.size(), 0);  // 0 new, 1 on stack, 2 done
  std::vector<int> stack;
  const auto& names = params_->symbols().variables();
  auto visit = [&](auto&& self, int v) -> void {
    color[static_cast<size_t>(v)] = 1;
    stack.push_back(v);
    for (int d : nodes_[static_cast<size_t>(v)].deps) {
      if (nodes_[static_cast<size_t>(d)].kind != Kind::kFormula) continue;
      if (color[static_cast<size_t>(d)] == 1) {
        auto from = std::find(stack.begin(), stack.end(), d);
        std::string cycle;
        for (auto it = from; it != stack.end(); ++it) cycle += names[static_cast<size_t>(*it)] + " -> ";
        cycle += names[static_cast<size_t>(d)];
        const Node& head = nodes_[static_cast<size_t>(d)];
        std::string msg = "circular definition: " + cycle;
        // Name the strategy only when its overrides make the cycle.
        bool by_override = false;
        for (auto it = from; it != stack.end(); ++it) {
          const int p = *it - kNumBuiltinSlots;
          if (p >= 0 && p < params_->num_parameters()) by_override |= params_->overridden(strategy_, p);
        }
        if (by_override) msg += " (in strategy '" + sname + "')";
        issues.push_back({head.expr->path, msg});
      } else if (color[static_cast<size_t>(d)] == 0) {
        self(self, d);
      }
    }
    stack.pop_back();
    color[static_cast<size_t>(v)] = 2;
    topo_.push_back(v);
  };
  for (int v = 0; v < static_cast<int>(nodes_.size()); ++v) {
    if (nodes_[static_cast<size_t>(v)].kind == Kind::kFormula && color[static_cast<size_t>(v)] == 0) {
      visit(visit, v);
    }
  }
  if (!issues.empty()) return Status::FromIssues(std::move(issues));

  for (int v : topo_) {
    Node& n = nodes_[static_cast<size_t>(v)];
    for (int d : n.deps) {
      n.on_cycle |= nodes_[static_cast<size_t>(d)].on_cycle;
      n.on_state_time |= nodes_[static_cast<size_t>(d)].on_state_time;
    }
  }
  for (auto [slot, phase] : sinks_) Need(slot, phase);
  // Needed formulas are compiled by every runner; check the others' syntax here.
  for (const Node& n : nodes_) {
    if (n.kind != Kind::kFormula || n.needed_start || n.needed_cycles) continue;
    auto f = Formula::Compile(n.expr->text, params_->symbols(), scratch.data(), n.expr->path);
    if (!f.ok()) for (Issue& i : f.TakeIssues()) issues.push_back(std::move(i));
  }
  if (!issues.empty()) return Status::FromIssues(std::move(issues));
  return Status();
}

// ---------------------------------------------------------------------------------------
// PlanRunner

Result<std::unique_ptr<PlanRunner>> PlanRunner::Create(std::shared_ptr<const StrategyPlan> plan,
                                                       std::span<const int> varying, int horizon,
                                                       double cycle_length_years) {
  std::unique_ptr<PlanRunner> r(new PlanRunner());
  const StrategyPlan& pl = *plan;
  r->plan_ = std::move(plan);
  r->horizon_ = horizon;
  r->cycle_length_years_ = cycle_length_years;
  const size_t n = pl.nodes_.size();
  r->slots_.assign(n, 0.0);
  r->formulas_.resize(n);
  r->slots_[kSlotCycleLength] = cycle_length_years;
  r->slots_[kSlotStrategy] = pl.strategy_ + 1;
  r->slots_[kSlotStateTime] = 1;

  std::vector<bool> varies(n, false);
  const auto& inputs = pl.params_->inputs();
  for (int in : varying) {
    // A strategy that overrides the parameter keeps its own definition: the varying value
    // does not reach it (-1), so every formula of the strategy sees the same value.
    const int slot = inputs[static_cast<size_t>(in)].slot;
    const StrategyPlan::Node& node = pl.nodes_[static_cast<size_t>(slot)];
    r->varying_slots_.push_back(node.kind == StrategyPlan::Kind::kInput && node.input == in ? slot : -1);
  }
  Issues issues;
  for (size_t v = 0; v < n; ++v) {
    const StrategyPlan::Node& node = pl.nodes_[v];
    if (node.kind == StrategyPlan::Kind::kInput) {
      r->slots_[v] = inputs[static_cast<size_t>(node.input)].base;
      varies[v] = std::find(varying.begin(), varying.end(), node.input) != varying.end();
    } else if (node.kind == StrategyPlan::Kind::kConstant) {
      r->slots_[v] = node.constant;
    } else if (node.kind == StrategyPlan::Kind::kFormula && (node.needed_start || node.needed_cycles)) {
      auto f = Formula::Compile(node.expr->text, pl.params_->symbols(), r->slots_.data(), node.expr->path);
      if (!f.ok()) {
        for (Issue& i : f.TakeIssues()) issues.push_back(std::move(i));
        continue;
      }
      r->formulas_[v] = std::move(f).value();
    }
  }
  if (!issues.empty()) return Status::FromIssues(std::move(issues));

  std::vector<int> static_once;
  for (int v : pl.topo_) {
    const StrategyPlan::Node& node = pl.nodes_[static_cast<size_t>(v)];
    if (!node.needed_start && !node.needed_cycles) continue;
    bool var = false;
    for (int d : node.deps) var = var || varies[static_cast<size_t>(d)];
    varies[static_cast<size_t>(v)] = var;
    if (node.on_state_time) {
      if (node.needed_start) r->state_time_start_.push_back(v);
      if (node.needed_cycles) r->state_time_.push_back(v);
    } else if (!node.on_cycle) {
      (var ? r->dyn_once_ : static_once).push_back(v);
    } else {
      if (node.needed_start) (var ? r->dyn_cycle_start_ : r->static_cycle_start_).push_back(v);
      if (node.needed_cycles) (var ? r->dyn_cycle_ : r->static_cycle_).push_back(v);
    }
  }
  if (Status s = r->EvalList(static_once, 0); !s.ok()) return s;
  r->image_ = r->slots_;
  // Static cycle-dependent values, cycles 0..horizon.
  r->static_values_.resize(static_cast<size_t>(horizon) + 1);
  for (int k = 0; k <= horizon; ++k) {
    r->slots_[kSlotCycle] = k;
    r->slots_[kSlotTime] = k == 0 ? 0.0 : (k - 1) * cycle_length_years;
    const std::vector<int>& list = k == 0 ? r->static_cycle_start_ : r->static_cycle_;
    if (Status s = r->EvalList(list, k); !s.ok()) return s;
    auto& vals = r->static_values_[static_cast<size_t>(k)];
    for (int v : list) vals.push_back(r->slots_[static_cast<size_t>(v)]);
  }
  r->slots_ = r->image_;
  return r;
}

Status PlanRunner::Fail(int node, const std::string& found, const std::string& constraint, int k) {
  const StrategyPlan::Node& n = plan_->nodes_[static_cast<size_t>(node)];
  std::string where;
  const bool timed = n.on_cycle || n.on_state_time;
  if (timed) where += " at cycle " + std::to_string(k);
  if (n.on_state_time) where += ", state_time " + FormatNumber(slots_[kSlotStateTime]);
  if (plan_->params_->num_strategies() > 1) {
    where += std::string(timed ? "," : "") + " in strategy '" +
             plan_->params_->strategy_names()[static_cast<size_t>(plan_->strategy_)] + "'";
  }
  if (constraint.empty()) {
    return Status::Error(n.expr->path, where.empty() ? found : found + " (" + where.substr(1) + ")");
  }
  return Status::Error(n.expr->path, found + where + ", but " + constraint);
}

Status PlanRunner::EvalList(const std::vector<int>& nodes, int k) {
  for (int v : nodes) {
    double value = 0;
    try {
      value = formulas_[static_cast<size_t>(v)]->Eval();
    } catch (const EvalError& e) {
      return Fail(v, e.what(), "", k);
    }
    if (!std::isfinite(value)) {
      return Fail(v, "evaluates to " + FormatComputed(value), "must be a finite number", k);
    }
    slots_[static_cast<size_t>(v)] = value;
  }
  return Status();
}

Status PlanRunner::Begin(std::span<const double> x) {
  std::copy(image_.begin(), image_.end(), slots_.begin());
  for (size_t i = 0; i < varying_slots_.size(); ++i) {
    if (varying_slots_[i] >= 0) slots_[static_cast<size_t>(varying_slots_[i])] = x[i];
  }
  return EvalList(dyn_once_, 0);
}

Status PlanRunner::EnterCycle(int k) {
  cycle_ = k;
  slots_[kSlotCycle] = k;
  slots_[kSlotTime] = k == 0 ? 0.0 : (k - 1) * cycle_length_years_;
  const std::vector<int>& list = k == 0 ? static_cycle_start_ : static_cycle_;
  const std::vector<double>& vals = static_values_[static_cast<size_t>(k)];
  for (size_t i = 0; i < list.size(); ++i) slots_[static_cast<size_t>(list[i])] = vals[i];
  return EvalList(k == 0 ? dyn_cycle_start_ : dyn_cycle_, k);
}

Status PlanRunner::EnterStateTime(int j) {
  slots_[kSlotStateTime] = j;
  return EvalList(cycle_ == 0 ? state_time_start_ : state_time_, cycle_);
}

}  // namespace vaglio::models
