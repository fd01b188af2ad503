#include "engine/check.h"

#include <algorithm>
#include <cmath>
#include <cstdio>


#include "models/text.h"

namespace vaglio::engine {
namespace {

using models::FormatNumber;

// Share of the cohort still outside absorbing states at the horizon above which we warn.
constexpr double kUnabsorbedShare = 0.01;
// Tail probability beyond which a base value is reported as unusual for its distribution.
constexpr double kTail = 0.001;

struct Checker {
  const LoadedModel& m;
  std::vector<Diagnostic> out;

  void Add(bool error, const std::string& path, std::string msg) {
    out.push_back({m.file, m.map.Find(path), path, std::move(msg), !error, error ? "error" : "warning"});
  }

  void Parameters() {
    const models::ModelInfo& info = m.model->info();
    for (size_t p = 0; p < info.parameter_names.size(); ++p) {
      if (!info.parameter_used[p]) {
        Add(false, "parameters." + info.parameter_names[p],
            "is never used by any strategy");
      }
    }
    for (const models::InputInfo& in : info.inputs) {
      if (in.low && in.high && !(*in.low <= in.base && in.base <= *in.high)) {
        Add(true, in.path, "base value " + FormatNumber(in.base) + " is outside its one-way range [" +
                               FormatNumber(*in.low) + ", " + FormatNumber(*in.high) + "]");
      }
      if (!in.dist) continue;
      const models::Distribution& d = *in.dist;
      double lo = -INFINITY, hi = INFINITY;
      switch (d.family) {
        case models::DistFamily::kBeta:
          lo = 0, hi = 1;
          break;
        case models::DistFamily::kGamma:
        case models::DistFamily::kLogNormal:
          lo = 0;
          break;
        case models::DistFamily::kUniform:
          lo = d.a, hi = d.b;
          break;
        case models::DistFamily::kTriangular:
        case models::DistFamily::kPert:
          lo = d.a, hi = d.c;
          break;
        default:
          break;
      }
      if (in.base < lo || in.base > hi) {
        Add(true, in.path, "base value " + FormatNumber(in.base) + " is outside the support of " + d.Describe());
        continue;
      }
      const double q_lo = d.Quantile(kTail), q_hi = d.Quantile(1 - kTail);
      if (in.base < q_lo || in.base > q_hi) {
        char lo_text[32], hi_text[32];
        std::snprintf(lo_text, sizeof lo_text, "%.4g", q_lo);
        std::snprintf(hi_text, sizeof hi_text, "%.4g", q_hi);
        Add(false, in.path, "base value " + FormatNumber(in.base) + " is in the far tail of " + d.Describe() +
                                " (outside its 0.1%-99.9% range [" + lo_text + ", " + hi_text +
                                "]); is the distribution meant for this parameter?");
      }
    }
  }

  bool Run(Diagnostics* diag) {
    const models::ModelInfo& info = m.model->info();
    auto ev = m.model->NewEvaluator({});
    if (!ev.ok()) {
      ReportModelIssues(m, ev.status().issues(), diag);
      return false;
    }
    models::Outcome o;
    models::Details det;
    det.want_trace = true;
    if (models::Status s = ev.value()->Evaluate({}, &o, &det); !s.ok()) {
      ReportModelIssues(m, s.issues(), diag);
      return false;
    }
    const size_t S = info.strategies.size();
    bool any_effect = false;
    for (size_t s = 0; s < S; ++s) {
      for (int v : info.effect_values) any_effect |= o.value(static_cast<int>(s), v) != 0;
    }
    if (!any_effect && !info.effect_values.empty()) {
      Add(true, "values", "no strategy accrues any effect: every effect value is 0");
    }
    for (size_t a = 0; a < S; ++a) {
      for (size_t b = a + 1; b < S; ++b) {
        bool same = true;
        for (int v = 0; v < o.num_values; ++v) same &= o.value(static_cast<int>(a), v) == o.value(static_cast<int>(b), v);
        if (same) {
          Add(false, "strategies." + info.strategies[b],
              "gives the same values as strategy '" + info.strategies[a] + "'; does it miss an override?");
        }
      }
    }
    if (det.traces.empty()) return true;
    const size_t nb = det.traces[0].states.size();
    for (size_t b = 0; b < nb; ++b) {
      bool entered = false;
      for (const auto& t : det.traces) entered |= t.ever_entered[b];
      const std::string& name = det.traces[0].states[b];
      if (!entered) Add(false, "states." + name, "state '" + name + "' is never occupied in any strategy");
    }
    for (size_t s = 0; s < S; ++s) {
      const models::StrategyTrace& t = det.traces[s];
      double unabsorbed = 0;
      for (size_t b = 0; b < nb; ++b) {
        bool alive = false;
        for (int v : info.effect_values) alive |= t.accrues[b][static_cast<size_t>(v)];
        if (t.ever_left[b]) unabsorbed += t.occupancy.back()[b];
        if (alive && t.ever_entered[b] && !t.ever_left[b]) {
          Add(false, "states." + t.states[b],
              "state '" + t.states[b] + "' accrues an effect but the cohort can never leave it" +
                  (S > 1 ? " in strategy '" + info.strategies[s] + "'" : std::string()) +
                  "; is an exit (death) missing?");
        }
      }
      double total = 0;
      bool fractional = false;
      for (double x : t.occupancy.front()) {
        total += x;
        fractional |= x != std::floor(x);
      }
      if (s == 0 && fractional && std::fabs(total - 1) > 1e-9) {
        Add(false, "initial", "initial occupancy sums to " + FormatNumber(total) +
                                  ", so results are per member of a cohort of that size; proportions must sum to 1");
      }
      if (total > 0 && unabsorbed / total > kUnabsorbedShare) {
        Add(false, "horizon", FormatNumber(std::round(1000 * unabsorbed / total) / 10) +
                                  "% of the cohort is not in an absorbing state at the horizon" +
                                  (S > 1 ? " in strategy '" + info.strategies[s] + "'" : std::string()) +
                                  "; a lifetime model may need a longer horizon");
      }
    }
    return true;
  }
};

}  // namespace

std::optional<std::vector<Diagnostic>> CheckModel(const LoadedModel& m, Diagnostics* diag) {
  Checker c{m, {}};
  c.Parameters();
  // A tree's PSA varies the tree's parameters; those of a terminal's Markov model vary only
  // through `bind`.
  for (const models::SubmodelRef& ref : m.spec.submodels) {
    std::vector<std::string> bound;
    auto collect = [&](const auto& self, const models::TreeNodeSpec& n) -> void {
      if (n.markov == ref.reference) {
        for (const models::NamedExpr& b : n.bind) bound.push_back(b.name);
      }
      for (const models::TreeNodeSpec& child : n.branches) self(self, child);
    };
    for (const models::TreeNodeSpec& n : m.spec.tree) collect(collect, n);
    for (const models::TreeNodeSpec& n : m.spec.subtrees) collect(collect, n);
    std::vector<std::string> unbound;
    for (const models::InputInfo& in : ref.model->info().inputs) {
      if (in.dist && std::find(bound.begin(), bound.end(), in.name) == bound.end()) unbound.push_back(in.name);
    }
    if (!unbound.empty()) {
      c.Add(false, "tree", "the Markov model '" + ref.reference + "' has parameters with distributions (" +
                               models::QuotedList(unbound) +
                               ") that the tree's PSA does not sample; bind them to tree parameters to include "
                               "their uncertainty");
    }
  }
  if (!c.Run(diag)) return std::nullopt;
  return c.out;
}

}  // namespace vaglio::engine
