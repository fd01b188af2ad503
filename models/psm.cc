#include "models/psm.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>
#include <set>
#include <tuple>

#include "models/accrual.h"
#include "models/markov.h"
#include "models/number.h"
#include "models/survival.h"
#include "models/text.h"
#include "models/tolerances.h"

namespace vaglio::models {
namespace {

// A curve of one strategy: where each of its numbers comes from.
struct CurvePlan {
  std::string name;
  SurvivalFamily family = SurvivalFamily::kExponential;
  std::vector<int> param_slots;   // in SurvivalParameterNames order
  std::vector<double> times;      // piecewise: piece starts; KM: from the table
  std::vector<int> rate_slots;    // piecewise rates
  std::vector<double> km_values;  // KM survival values
  int hr_slot = -1, af_slot = -1;
  double unit_years = 1;
  std::string path;
};

struct StrategyData {
  std::shared_ptr<StrategyPlan> plan;
  std::vector<CurvePlan> curves;                  // partition order
  std::vector<std::vector<int>> value_slots;      // [state][value]
  std::vector<std::vector<const std::string*>> value_paths;
  std::vector<int> start_slots;
  std::vector<const std::string*> start_paths;
  int background_slot = -1;
};

class PsmModel : public Model {
 public:
  ModelInfo info_;
  ModelSpec spec_;
  std::shared_ptr<const ParameterSet> params_;
  std::vector<std::string> states_;
  std::vector<StrategyData> strategies_;
  std::optional<Accrual> accrual_;
  std::vector<bool> cost_checked_;

  const ModelInfo& info() const override { return info_; }
  Result<std::unique_ptr<Evaluator>> NewEvaluator(std::vector<int> varying) const override;
};

class PsmEvaluator : public Evaluator {
 public:
  explicit PsmEvaluator(const PsmModel& m) : m_(m) {}
  Status Evaluate(std::span<const double> x, Outcome* out, Details* details) override;
  std::vector<std::unique_ptr<PlanRunner>> runners_;

 private:
  const PsmModel& m_;
};

std::optional<SurvivalFamily> ParseFamily(const std::string& name) {
  for (SurvivalFamily f : {SurvivalFamily::kExponential, SurvivalFamily::kWeibullAft, SurvivalFamily::kWeibullPh,
                           SurvivalFamily::kGompertz, SurvivalFamily::kLogLogistic, SurvivalFamily::kLogNormal,
                           SurvivalFamily::kGamma, SurvivalFamily::kGenGamma, SurvivalFamily::kPiecewiseExponential,
                           SurvivalFamily::kKaplanMeier}) {
    if (ToString(f) == name) return f;
  }
  return std::nullopt;
}

class Compiler {
 public:
  explicit Compiler(const ModelSpec& spec) : spec_(spec) {}

  Result<std::shared_ptr<const Model>> Run() {
    auto model = std::make_shared<PsmModel>();
    model->spec_ = spec_;
    const ModelSpec& spec = model->spec_;
    if (spec.horizon < 1 || spec.horizon > kMaxHorizon) {
      Add("horizon", "horizon is " + std::to_string(spec.horizon) + ", but must be from 1 to " +
                         std::to_string(kMaxHorizon) + " cycles");
    }
    auto ps = ParameterSet::Build(spec);
    if (!ps.ok()) return Status::FromIssues(ps.TakeIssues());
    model->params_ = ps.value();
    if (Status st = FillModelInfo(spec, *model->params_, &model->info_); !st.ok()) {
      for (const Issue& i : st.issues()) issues_.push_back(i);
    }
    for (const ValueSpec& v : spec.values) value_names_.push_back(v.name);
    for (const StateSpec& st : spec.states) {
      model->states_.push_back(st.name);
      if (st.tunnel != 0) Add(st.path + ".tunnel", "tunnel states are not used by a partitioned survival model");
      for (const NamedExpr& v : st.values) KnownValue(v.name, v.expr.path);
    }
    if (!spec.initial.empty()) Add("initial", "is not used by a partitioned survival model: everyone starts in the first state");
    std::vector<std::string> curve_names;
    for (const CurveSpec& c : spec.curves) curve_names.push_back(c.name);
    partition_ = spec.partition.empty() ? curve_names : spec.partition;
    for (size_t i = 0; i < partition_.size(); ++i) {
      const std::string& name = partition_[i];
      if (std::find(partition_.begin(), partition_.begin() + static_cast<std::ptrdiff_t>(i), name) !=
          partition_.begin() + static_cast<std::ptrdiff_t>(i)) {
        Add("partition", "'" + name + "' is listed twice, but each curve divides two states once");
      }
      if (std::find(curve_names.begin(), curve_names.end(), name) == curve_names.end()) {
        Add("partition", "'" + name + "' is not a curve under survival:" + DidYouMeanSuffix(name, curve_names));
      }
    }
    for (const std::string& name : curve_names) {
      if (std::find(partition_.begin(), partition_.end(), name) == partition_.end()) {
        Add("survival." + name, "curve '" + name + "' is not in partition:, so it would divide no states");
      }
    }
    if (spec.states.size() != partition_.size() + 1) {
      Add("states", std::to_string(partition_.size()) + " curves partition " + std::to_string(partition_.size() + 1) +
                        " states, but the model has " + std::to_string(spec.states.size()));
    }
    for (const StrategySpec& st : spec.strategies) {
      for (const CurveSpec& c : st.curves) {
        if (std::find(curve_names.begin(), curve_names.end(), c.name) == curve_names.end()) {
          Add(c.path, "strategy '" + st.name + "' changes curve '" + c.name + "', which is not a curve of the model" +
                          DidYouMeanSuffix(c.name, curve_names));
        }
      }
      for (const StateSpec& ss : st.states) {
        if (std::find(model->states_.begin(), model->states_.end(), ss.name) == model->states_.end()) {
          Add(ss.path, "strategy '" + st.name + "' changes state '" + ss.name + "', which is not a state of the model" +
                           DidYouMeanSuffix(ss.name, model->states_));
        }
        for (const NamedExpr& v : ss.values) KnownValue(v.name, v.expr.path);
      }
      if (!st.transitions.empty() || !st.flows.empty() || !st.initial.empty()) {
        Add(st.path, "a partitioned survival model's strategies can change parameters, states, start and survival");
      }
      for (const NamedExpr& v : st.start) KnownValue(v.name, v.expr.path);
    }
    for (const NamedExpr& v : spec.start) KnownValue(v.name, v.expr.path);
    if (!issues_.empty()) return Finish();
    for (int s = 0; s < static_cast<int>(spec.strategies.size()); ++s) model->strategies_.push_back(BuildStrategy(*model, s));
    if (!issues_.empty()) return Finish();
    model->info_.parameter_used.assign(model->info_.parameter_names.size(), false);
    for (const StrategyData& sd : model->strategies_) {
      for (size_t p = 0; p < model->info_.parameter_used.size(); ++p) {
        if (sd.plan->IsUsed(kNumBuiltinSlots + static_cast<int>(p))) model->info_.parameter_used[p] = true;
      }
    }
    model->accrual_.emplace(spec, spec.horizon, spec.cycle_length_years());
    for (const ValueSpec& v : spec.values) model->cost_checked_.push_back(v.role == ValueRole::kCost && !v.allow_negative);
    if (auto ev = model->NewEvaluator({}); !ev.ok()) {
      for (Issue& i : ev.TakeIssues()) issues_.push_back(std::move(i));
      return Finish();
    }
    return std::shared_ptr<const Model>(std::move(model));
  }

 private:
  void Add(const std::string& path, std::string msg) { issues_.push_back({path, std::move(msg)}); }

  Result<std::shared_ptr<const Model>> Finish() {
    Issues unique;
    std::set<std::tuple<std::string, std::string, int>> seen;
    for (Issue& i : issues_) {
      if (seen.insert({i.path, i.message, i.offset}).second) unique.push_back(std::move(i));
    }
    return Status::FromIssues(std::move(unique));
  }

  void KnownValue(const std::string& name, const std::string& path) {
    if (std::find(value_names_.begin(), value_names_.end(), name) == value_names_.end()) {
      Add(path, "'" + name + "' is not a declared value" + DidYouMeanSuffix(name, value_names_) +
                    "; declare it under values:");
    }
  }

  // The model's curve with the strategy's changes applied, field by field.
  CurveSpec Merge(const CurveSpec& base, const StrategySpec& st) {
    CurveSpec c = base;
    for (const CurveSpec& o : st.curves) {
      if (o.name != base.name) continue;
      if (!o.family.empty()) {
        c.family = o.family;
        c.params.clear();  // a new family takes its own parameters
        c.times.clear();
        c.rates.clear();
        c.table.clear();
      }
      for (const NamedExpr& p : o.params) {
        auto it = std::find_if(c.params.begin(), c.params.end(), [&](const NamedExpr& q) { return q.name == p.name; });
        if (it != c.params.end()) {
          *it = p;
        } else {
          c.params.push_back(p);
        }
      }
      if (!o.times.empty()) c.times = o.times;
      if (!o.rates.empty()) c.rates = o.rates;
      if (!o.table.empty()) c.table = o.table;
      if (o.hr) c.hr = o.hr;
      if (o.af) c.af = o.af;
      if (o.time_unit) c.time_unit = o.time_unit;
      if (!o.label.empty()) c.label = o.label;
    }
    return c;
  }

  CurvePlan PlanCurve(const CurveSpec& c, StrategyPlan& plan) {
    CurvePlan cp;
    cp.name = c.name;
    cp.path = c.path;
    cp.unit_years = YearsPerUnit(c.time_unit.value_or(TimeUnit::kYear));
    if (c.family.empty()) {
      Add(c.path, "curve '" + c.name + "' has no family, but must have one");
      return cp;
    }
    auto family = ParseFamily(c.family);
    if (!family) {
      Add(c.path + ".family", "'" + c.family + "' is not a survival family");
      return cp;
    }
    cp.family = *family;
    const auto names = SurvivalParameterNames(cp.family);
    for (const NamedExpr& p : c.params) {
      if (std::find(names.begin(), names.end(), p.name) == names.end()) {
        std::vector<std::string> list(names.begin(), names.end());
        Add(p.expr.path, "'" + p.name + "' is not a parameter of a " + c.family + " curve" +
                             (list.empty() ? std::string() : ", which takes " + QuotedList(list)));
      }
    }
    for (const std::string& n : names) {
      auto it = std::find_if(c.params.begin(), c.params.end(), [&](const NamedExpr& q) { return q.name == n; });
      if (it == c.params.end()) {
        Add(c.path, "a " + c.family + " curve needs '" + n + "', but '" + c.name + "' does not give it");
        continue;
      }
      cp.param_slots.push_back(plan.AddSink(it->expr, Phase::kStart));
    }
    if (cp.family == SurvivalFamily::kPiecewiseExponential) {
      if (c.times.empty() || c.times.size() != c.rates.size()) {
        Add(c.path, "a piecewise_exponential curve needs times: and rates: of the same length (one rate per piece)");
      }
      cp.times = c.times;
      for (const Expr& r : c.rates) cp.rate_slots.push_back(plan.AddSink(r, Phase::kStart));
    } else if (!c.times.empty() || !c.rates.empty()) {
      Add(c.path, "times: and rates: are only used by a piecewise_exponential curve");
    }
    if (cp.family == SurvivalFamily::kKaplanMeier) {
      const LookupTable::Spec* table = nullptr;
      for (const LookupTable::Spec& t : spec_.tables) {
        if (t.name == c.table) table = &t;
      }
      if (table == nullptr) {
        std::vector<std::string> tables;
        for (const auto& t : spec_.tables) tables.push_back(t.name);
        Add(c.path + (c.table.empty() ? "" : ".table"),
            c.table.empty() ? "a kaplan_meier curve needs table: (times as its key, survival in its first column)"
                            : "'" + c.table + "' is not a table" + DidYouMeanSuffix(c.table, tables));
      } else {
        cp.times = table->keys;
        cp.km_values = table->columns.empty() ? std::vector<double>{} : table->columns[0];
        // A Kaplan-Meier table usually starts with (0, 1): the curve starts at 1 anyway.
        if (!cp.times.empty() && cp.times.front() == 0 && !cp.km_values.empty()) {
          if (cp.km_values.front() != 1) {
            Add(c.path + ".table", "survival at time 0 is " + FormatNumber(cp.km_values.front()) + ", but must be 1");
          }
          cp.times.erase(cp.times.begin());
          cp.km_values.erase(cp.km_values.begin());
        }
      }
    } else if (!c.table.empty()) {
      Add(c.path + ".table", "is only used by a kaplan_meier curve");
    }
    if (c.hr) cp.hr_slot = plan.AddSink(*c.hr, Phase::kStart);
    if (c.af) cp.af_slot = plan.AddSink(*c.af, Phase::kStart);
    return cp;
  }

  StrategyData BuildStrategy(const PsmModel& m, int s) {
    const ModelSpec& spec = m.spec_;
    const StrategySpec& st = spec.strategies[static_cast<size_t>(s)];
    StrategyData sd;
    sd.plan = std::make_shared<StrategyPlan>(m.params_, s);
    StrategyPlan& plan = *sd.plan;
    for (const std::string& name : partition_) {
      for (const CurveSpec& c : spec.curves) {
        if (c.name == name) sd.curves.push_back(PlanCurve(Merge(c, st), plan));
      }
    }
    const size_t ns = spec.states.size(), nv = spec.values.size();
    const Phase value_phase = IsTimePointCounting(spec.counting) ? Phase::kAll : Phase::kCycles;
    sd.value_slots.assign(ns, std::vector<int>(nv, -1));
    sd.value_paths.assign(ns, std::vector<const std::string*>(nv, nullptr));
    auto set_values = [&](const StateSpec& ss) {
      auto it = std::find(m.states_.begin(), m.states_.end(), ss.name);
      if (it == m.states_.end()) return;
      const size_t b = static_cast<size_t>(it - m.states_.begin());
      for (const NamedExpr& v : ss.values) {
        const size_t vi = static_cast<size_t>(std::find(value_names_.begin(), value_names_.end(), v.name) - value_names_.begin());
        if (vi >= nv) continue;
        sd.value_slots[b][vi] = plan.AddSink(v.expr, value_phase);
        sd.value_paths[b][vi] = &v.expr.path;
      }
    };
    for (const StateSpec& ss : spec.states) set_values(ss);
    for (const StateSpec& ss : st.states) set_values(ss);
    sd.start_slots.assign(nv, -1);
    sd.start_paths.assign(nv, nullptr);
    auto set_start = [&](const NamedExpr& v) {
      const size_t vi = static_cast<size_t>(std::find(value_names_.begin(), value_names_.end(), v.name) - value_names_.begin());
      if (vi >= nv) return;
      sd.start_slots[vi] = plan.AddSink(v.expr, Phase::kStart);
      sd.start_paths[vi] = &v.expr.path;
    };
    for (const NamedExpr& v : spec.start) set_start(v);
    for (const NamedExpr& v : st.start) set_start(v);
    if (spec.background) sd.background_slot = plan.AddSink(*spec.background, Phase::kCycles);
    if (Status f = plan.Finalize(); !f.ok()) {
      for (const Issue& i : f.issues()) issues_.push_back(i);
      return sd;
    }
    for (int slot = 0; slot < plan.num_slots(); ++slot) {
      if (plan.IsUsed(slot) && slot != kSlotStateTime && plan.DependsOnStateTime(slot)) {
        Add("states", "a formula uses state_time, which only has a meaning in a tunnel state of a Markov model");
        break;
      }
    }
    // Curve parameters are read once per evaluation; they cannot follow the cycle.
    for (const CurvePlan& c : sd.curves) {
      std::vector<int> slots = c.param_slots;
      slots.insert(slots.end(), c.rate_slots.begin(), c.rate_slots.end());
      if (c.hr_slot >= 0) slots.push_back(c.hr_slot);
      if (c.af_slot >= 0) slots.push_back(c.af_slot);
      for (int slot : slots) {
        if (plan.DependsOnCycle(slot) || plan.DependsOnStateTime(slot)) {
          Add(c.path, "a parameter of curve '" + c.name + "' depends on the cycle, but a curve's parameters are fixed "
                                                          "over time (the curve gives the time dependence)");
          break;
        }
      }
    }
    return sd;
  }

  const ModelSpec& spec_;
  Issues issues_;
  std::vector<std::string> value_names_;
  std::vector<std::string> partition_;
};

Result<std::unique_ptr<Evaluator>> PsmModel::NewEvaluator(std::vector<int> varying) const {
  auto ev = std::make_unique<PsmEvaluator>(*this);
  for (const StrategyData& sd : strategies_) {
    auto r = PlanRunner::Create(sd.plan, varying, spec_.horizon, spec_.cycle_length_years());
    if (!r.ok()) return Status::FromIssues(r.TakeIssues());
    ev->runners_.push_back(std::move(r).value());
  }
  return std::unique_ptr<Evaluator>(std::move(ev));
}

Status PsmEvaluator::Evaluate(std::span<const double> x, Outcome* out, Details* details) {
  const ModelInfo& info = m_.info_;
  const int S = static_cast<int>(m_.strategies_.size());
  const size_t ns = m_.states_.size(), nv = info.values.size();
  const int T = info.horizon;
  const double L = info.cycle_length_years;
  out->Reset(S, static_cast<int>(nv));
  if (details != nullptr) {
    details->traces.assign(static_cast<size_t>(S), StrategyTrace{});
    details->clamped_cycles.assign(static_cast<size_t>(S), 0);
  }
  Accrual acc = *m_.accrual_;
  std::vector<double> prev(ns), next(ns), vals(ns * nv), start(nv);
  for (int s = 0; s < S; ++s) {
    const StrategyData& sd = m_.strategies_[static_cast<size_t>(s)];
    PlanRunner& r = *runners_[static_cast<size_t>(s)];
    const std::string where = S > 1 ? " in strategy '" + info.strategies[static_cast<size_t>(s)] + "'" : "";
    if (Status st = r.Begin(x); !st.ok()) return st;
    if (Status st = r.EnterCycle(0); !st.ok()) return st;
    // The curves of this evaluation.
    std::vector<SurvivalCurve> curves;
    for (const CurvePlan& cp : sd.curves) {
      SurvivalCurve c;
      c.family = cp.family;
      for (int slot : cp.param_slots) c.params.push_back(r.value(slot));
      c.times = cp.times;
      if (cp.family == SurvivalFamily::kPiecewiseExponential) {
        for (int slot : cp.rate_slots) c.values.push_back(r.value(slot));
      } else {
        c.values = cp.km_values;
      }
      if (cp.hr_slot >= 0) c.hr = r.value(cp.hr_slot);
      if (cp.af_slot >= 0) c.af = r.value(cp.af_slot);
      if (Status st = CheckSurvivalCurve(c, cp.path); !st.ok()) {
        Issues issues = st.TakeIssues();
        for (Issue& i : issues) {
          // A piecewise curve's `values` are the rates of the file.
          if (cp.family == SurvivalFamily::kPiecewiseExponential && i.message.rfind("values[", 0) == 0) {
            i.message.replace(0, 6, "rates");
          }
          i.message += where;
        }
        return Status::FromIssues(std::move(issues));
      }
      curves.push_back(std::move(c));
    }
    for (size_t v = 0; v < nv; ++v) {
      const int slot = sd.start_slots[v];
      start[v] = slot >= 0 ? r.value(slot) : 0.0;
      if (m_.cost_checked_[v] && start[v] < 0) {
        return Status::Error(*sd.start_paths[v], "is " + FormatComputed(start[v]) + where +
                                                     ", but must be >= 0 for a cost (set allow_negative: true on the value to allow it)");
      }
    }
    StrategyTrace* tr = details != nullptr ? &details->traces[static_cast<size_t>(s)] : nullptr;
    if (tr != nullptr) {
      tr->states = m_.states_;
      tr->ever_left.assign(ns, true);
      tr->ever_left[ns - 1] = false;  // the last state (death) is absorbing
      tr->ever_entered.assign(ns, false);
      tr->accrues.assign(ns, std::vector<bool>(nv, false));
    }
    acc.Reset();
    const size_t nc = curves.size();
    std::vector<double> surv(nc, 1.0);
    double outer_prev = 1.0, outer_raw_prev = 1.0;
    for (int k = 0; k <= T; ++k) {
      if (k > 0) {
        if (Status st = r.EnterCycle(k); !st.ok()) return st;
      }
      for (size_t j = 0; j < nc; ++j) {
        surv[j] = Survival(curves[j], k * L / sd.curves[j].unit_years);
      }
      // Background mortality: the outermost curve's survival over the cycle is at most the
      // general population's.
      if (sd.background_slot >= 0 && k > 0 && nc > 0) {
        const double q = r.value(sd.background_slot);
        if (!(q >= 0 && q <= 1)) {
          return Status::Error(m_.spec_.background->path,
                               "is " + FormatComputed(q) + " at cycle " + std::to_string(k) + where +
                                   ", but must be an annual probability of death in [0, 1]");
        }
        const double raw = surv[nc - 1];
        const double cond_raw = outer_raw_prev > 0 ? raw / outer_raw_prev : 0.0;
        const double cond_bg = std::pow(1 - q, L);
        outer_raw_prev = raw;
        surv[nc - 1] = outer_prev * std::min(cond_raw, cond_bg);
      }
      if (nc > 0) outer_prev = surv[nc - 1];
      // Inner curves above outer ones.
      bool clamped = false;
      for (size_t j = nc - 1; j-- > 0;) {
        if (surv[j] > surv[j + 1] + kCurveCrossingTol) {
          if (m_.spec_.crossing == CrossingPolicy::kError) {
            return Status::Error("survival." + sd.curves[j].name,
                                 "curve '" + sd.curves[j].name + "' (" + FormatComputed(surv[j]) + ") is above curve '" +
                                     sd.curves[j + 1].name + "' (" + FormatComputed(surv[j + 1]) + ") at cycle " +
                                     std::to_string(k) + where + ", but nested curves must not cross (crossing: error)");
          }
          clamped = true;
        }
        surv[j] = std::min(surv[j], surv[j + 1]);
      }
      if (clamped && details != nullptr) details->clamped_cycles[static_cast<size_t>(s)] += 1;
      next[0] = nc > 0 ? surv[0] : 1.0;
      for (size_t j = 1; j < nc; ++j) next[j] = surv[j] - surv[j - 1];
      next[ns - 1] = 1.0 - (nc > 0 ? surv[nc - 1] : 1.0);
      if (tr != nullptr) {
        for (size_t b = 0; b < ns; ++b) tr->ever_entered[b] = tr->ever_entered[b] || next[b] > 0;
        if (details->want_trace) tr->occupancy.push_back(next);
      }
      const bool needs_values = k > 0 || acc.time_points();
      if (needs_values) {
        for (size_t b = 0; b < ns; ++b) {
          for (size_t v = 0; v < nv; ++v) {
            const int slot = sd.value_slots[b][v];
            double amount = slot >= 0 ? r.value(slot) : 0.0;
            if (m_.cost_checked_[v] && amount < 0) {
              return Status::Error(*sd.value_paths[b][v], "is " + FormatComputed(amount) + " at cycle " + std::to_string(k) +
                                                              where + ", but must be >= 0 for a cost (set allow_negative: "
                                                                      "true on the value to allow it)");
            }
            if (info.values[v].per == ValuePer::kYear) amount *= L;
            vals[b * nv + v] = amount;
            if (tr != nullptr && amount != 0) tr->accrues[b][v] = true;
          }
        }
      }
      if (acc.time_points()) {
        acc.Point(k, next, vals);
      } else if (k > 0) {
        acc.Cycle(k, prev, next, vals);
      }
      std::swap(prev, next);
    }
    for (size_t v = 0; v < nv; ++v) {
      out->discounted[static_cast<size_t>(s) * nv + v] = acc.discounted()[v] + start[v];
      out->undiscounted[static_cast<size_t>(s) * nv + v] = acc.undiscounted()[v] + start[v];
    }
  }
  return Status();
}

}  // namespace

Result<std::shared_ptr<const Model>> CompilePartitionedSurvival(const ModelSpec& spec) { return Compiler(spec).Run(); }

}  // namespace vaglio::models
