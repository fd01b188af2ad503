#include "engine/evaluation/robustness.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "engine/evaluation/evaluate.h"
#include "engine/evaluation/rules.h"
#include "engine/expr/json_context.h"
#include "models/distribution.h"
#include "models/rng.h"
#include "models/text.h"

namespace vaglio::engine {
namespace {

constexpr double kDefaultConcentration = 100;

}  // namespace

std::optional<RobustnessResult> AnalyseRobustness(const EvaluationResult& r, Diagnostics* /*diag*/) {
  RobustnessResult out;
  const schemas::Criteria& cs = r.criteria.proto;
  const schemas::Sensitivity& sens = cs.sensitivity();
  const double pct = sens.has_weight_perturbation_pct() ? sens.weight_perturbation_pct() : 20.0;
  out.record.set_perturbation_pct(pct);

  expr::JsonContext base = MakeContext(r.context);
  OverlayContext ctx(base);
  ctx.Set("robustness.stable", expr::Value::Bool(true));
  ctx.Set("robustness.robust", expr::Value::Bool(true));
  ctx.Set("robustness.min_weight_change_pct", expr::Value::Null());
  ctx.Set("robustness.dispersed", expr::Value::List({}));
  RuleSet rules(cs);
  auto outcome_for = [&](const std::vector<double>& w) -> std::optional<std::string> {
    const Aggregation a = Aggregate(cs, r.criterion_scores, w);
    ctx.Set("mcda.total", a.blocked.empty() ? expr::Value::Number(a.total) : expr::Value::Null());
    return rules.Outcome(ctx);
  };
  auto renormalised = [](std::vector<double> w) {
    double sum = 0;
    for (double x : w) sum += x;
    if (sum > 0) {
      for (double& x : w) x /= sum;
    }
    return w;
  };
  const std::vector<double>& w0 = r.weights;
  const auto base_outcome = outcome_for(w0);
  const auto& crits = cs.mcda().criteria();
  if (base_outcome && r.aggregation.blocked.empty()) {
    // One weight at a time by +/- pct.
    for (size_t i = 0; i < w0.size(); ++i) {
      if (w0[i] <= 0) continue;
      for (const double sign : {1.0, -1.0}) {
        std::vector<double> w = w0;
        w[i] *= 1 + sign * pct / 100;
        const auto o = outcome_for(renormalised(w));
        if (o && *o != *base_outcome) {
          out.stable = false;
          schemas::Flip* f = out.record.add_perturbation_flips();
          f->set_criterion_id(crits[static_cast<int>(i)].id());
          f->set_change_pct(sign * pct);
          f->set_outcome(*o);
        }
      }
    }
    // The smallest change of one weight that changes the outcome.
    for (size_t i = 0; i < w0.size(); ++i) {
      if (w0[i] <= 0) continue;
      for (const double sign : {1.0, -1.0}) {
        const double limit = sign > 0 ? 1000.0 : 100.0;
        auto flips = [&](double change) {
          std::vector<double> w = w0;
          w[i] *= 1 + sign * change / 100;
          const auto o = outcome_for(renormalised(w));
          return o && *o != *base_outcome ? o : std::nullopt;
        };
        double lo = 0, hi = -1;
        for (double c = 1; c <= limit; c += c < 100 ? 1 : 10) {
          if (flips(c)) {
            hi = c;
            break;
          }
          lo = c;
        }
        if (hi < 0) continue;
        while (hi - lo > 0.01) {
          const double mid = (lo + hi) / 2;
          (flips(mid) ? hi : lo) = mid;
        }
        if (!out.min_flip || hi < std::fabs(out.min_flip->change_pct)) {
          out.min_flip = RobustnessResult::Flip{crits[static_cast<int>(i)].id(), sign * hi, *flips(hi)};
        }
      }
    }
    // Random weights around the elicited ones.
    const int draws = sens.has_random_weight_draws() ? sens.random_weight_draws() : 0;
    if (draws > 0) {
      const double kappa = sens.has_random_weight_concentration() ? sens.random_weight_concentration() : kDefaultConcentration;
      const uint64_t seed = sens.has_seed() ? sens.seed() : 1;
      std::map<std::string, int> counts;
      std::vector<double> w(w0.size());
      for (int d = 0; d < draws; ++d) {
        models::Rng rng = models::Rng::ForDraw(seed, static_cast<uint64_t>(d));
        for (size_t i = 0; i < w0.size(); ++i) {
          const double u = rng.Uniform();
          w[i] = w0[i] > 0 ? models::Distribution{models::DistFamily::kGamma, kappa * w0[i], 1.0, 0}.Quantile(u) : 0.0;
        }
        const auto o = outcome_for(renormalised(w));
        counts[o ? *o : "error"] += 1;
      }
      for (const char* name : {"APPROVE", "APPROVE_WITH_CONDITIONS", "RESEARCH_ONLY", "DEFER", "REJECT", "REFER", "INADMISSIBLE"}) {
        auto it = counts.find(name);
        if (it == counts.end()) continue;
        schemas::OutcomeProbability* p = out.record.add_random_weights();
        p->set_outcome(name);
        p->set_probability(static_cast<double>(it->second) / draws);
      }
      out.record.set_random_weight_draws(draws);
    }
  }
  // Dispersion of members' scores.
  const double min_range = sens.dispersion().has_min_range() ? sens.dispersion().min_range() : 2.0;
  const double min_weight = sens.dispersion().has_min_weight_pct() ? sens.dispersion().min_weight_pct() : 10.0;
  for (size_t i = 0; i < r.criterion_scores.size(); ++i) {
    const CriterionScore& s = r.criterion_scores[i];
    if (s.members.size() < 2) continue;
    schemas::Dispersed* d = out.record.add_score_dispersion();
    d->set_criterion_id(crits[static_cast<int>(i)].id());
    d->set_range(s.range);
    d->set_iqr(s.iqr);
    if (s.range >= min_range && 100 * w0[i] >= min_weight) out.dispersed.push_back(*d);
  }
  out.robust = out.stable && out.dispersed.empty();
  out.record.set_decision_stable_under_perturbation(out.stable);
  out.record.set_robust(out.robust);
  if (out.min_flip) {
    out.record.set_min_weight_change_found(true);
    out.record.set_min_weight_change_to_flip_pct(out.min_flip->change_pct);
    out.record.set_min_weight_change_criterion(out.min_flip->criterion_id);
  }
  std::string summary;
  if (!out.stable) {
    summary = "the outcome changes when one weight changes by " + models::FormatNumber(pct) + "% (";
    for (int i = 0; i < out.record.perturbation_flips_size(); ++i) {
      const auto& f = out.record.perturbation_flips(i);
      summary += (i ? ", " : "") + f.criterion_id() + " " + (f.change_pct() > 0 ? "+" : "") +
                 models::FormatNumber(f.change_pct()) + "% gives " + f.outcome();
    }
    summary += ")";
  }
  for (const auto& d : out.dispersed) {
    summary += std::string(summary.empty() ? "" : "; ") + "members' scores of " + d.criterion_id() + " span " +
               models::FormatNumber(d.range()) + " points";
  }
  out.summary = summary.empty() ? "robust" : "not robust: " + summary;
  return out;
}

}  // namespace vaglio::engine
