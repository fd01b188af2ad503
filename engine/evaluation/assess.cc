#include "engine/evaluation/assess.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <sstream>

#include "engine/evaluation/rules.h"
#include "engine/expr/json_context.h"
#include "engine/text_table.h"
#include "models/text.h"

namespace vaglio::engine {
namespace {

namespace sc = vaglio::schemas;
using Json = nlohmann::ordered_json;

// Number of steps a continuous scale is searched in.
constexpr int kContinuousSteps = 20;

std::string Fmt(double v, int digits = 6) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*g", digits, v);
  return buf;
}

bool Reads(const sc::GateResult& g, const std::string& path) {
  for (const auto& o : g.inputs()) {
    if (o.path() == path || o.path().rfind(path + ".", 0) == 0 || o.path().rfind("completeness", 0) == 0) return true;
  }
  return false;
}

std::vector<Gap> RankGaps(const EvaluationResult& r) {
  const sc::Criteria& cs = r.criteria.proto;
  std::map<std::string, double> domain_weight;
  for (int i = 0; i < cs.mcda().criteria_size(); ++i) {
    domain_weight[cs.mcda().criteria(i).domain()] += r.weights[static_cast<size_t>(i)];
  }
  std::vector<Gap> gaps;
  for (const FieldStatus& f : r.completeness.fields) {
    if (f.answered) continue;
    Gap g{f.path, f.domain, f.required, domain_weight[f.domain], ""};
    std::string gates;
    if (f.required) {
      for (const auto& gr : r.record.gate_results()) {
        if (!gr.passed() && Reads(gr, f.path)) gates += (gates.empty() ? "" : ", ") + gr.gate_id() + " (" + gr.on_fail() + ")";
      }
    }
    g.consequence = f.required ? (gates.empty() ? "required" : "required; failing gate " + gates)
                               : "optional; counts towards " + f.domain + " completeness";
    gaps.push_back(std::move(g));
  }
  std::stable_sort(gaps.begin(), gaps.end(), [](const Gap& a, const Gap& b) {
    if (a.required != b.required) return a.required;
    return a.domain_weight > b.domain_weight;
  });
  return gaps;
}

std::vector<double> Candidates(const sc::Scale& s) {
  std::vector<double> out;
  if (s.levels_size() > 0) {
    for (const auto& l : s.levels()) out.push_back(l.value());
  } else {
    for (int k = 0; k <= kContinuousSteps; ++k) out.push_back(s.min() + (s.max() - s.min()) * k / kContinuousSteps);
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

}  // namespace

std::optional<AssessResult> Assess(const FileSystem& fs, const EvaluateOptions& opts, Diagnostics* diag) {
  auto ev = Evaluate(fs, opts, diag);
  if (!ev) return std::nullopt;
  AssessResult a{std::move(*ev), {}, {}, {}, {}};
  const EvaluationResult& r = a.evaluation;
  const sc::Criteria& cs = r.criteria.proto;
  const auto& crits = cs.mcda().criteria();
  a.gaps = RankGaps(r);

  for (size_t i = 0; i < r.criterion_scores.size(); ++i) {
    const auto& c = crits[static_cast<int>(i)];
    if (!r.criterion_scores[i].score) a.unscored.push_back(c.id());
    a.weakest.push_back({c.id(), c.name(), c.domain(), r.criterion_scores[i].score, r.weights[i],
                         100.0 * r.weights[i] * (1.0 - r.aggregation.values[i])});
  }
  std::stable_sort(a.weakest.begin(), a.weakest.end(),
                   [](const WeakCriterion& x, const WeakCriterion& y) { return x.points_lost > y.points_lost; });

  // The nearest score of each criterion, down then up, that changes the outcome.
  expr::JsonContext base = MakeContext(r.context);
  RuleSet rules(cs);
  const std::string outcome = r.record.proposed_outcome().outcome();
  for (size_t i = 0; i < r.criterion_scores.size(); ++i) {
    const auto& c = crits[static_cast<int>(i)];
    const std::optional<double> from = r.criterion_scores[i].score;
    std::vector<double> cand = Candidates(c.scale());
    auto outcome_with = [&](double score) {
      std::vector<CriterionScore> scores = r.criterion_scores;
      scores[i].score = score;
      const Aggregation agg = Aggregate(cs, scores, r.weights);
      OverlayContext o(base);
      o.Set("criteria." + c.id(), expr::Value::Number(score));
      o.Set("mcda.total", agg.blocked.empty() ? expr::Value::Number(agg.total) : expr::Value::Null());
      o.Set("mcda.blocked", expr::Value::Bool(!agg.blocked.empty()));
      return rules.Outcome(o);
    };
    // Down: the highest candidate below the current score that changes the outcome; up:
    // the lowest above it. A missing score is searched upwards from the bottom.
    std::vector<double> down, up;
    for (double v : cand) {
      if (from && v < *from) down.push_back(v);
      if (!from || v > *from) up.push_back(v);
    }
    std::reverse(down.begin(), down.end());
    for (const auto* list : {&down, &up}) {
      for (double v : *list) {
        auto o = outcome_with(v);
        if (o && *o != outcome) {
          a.changes.push_back({c.id(), from, v, *o});
          break;
        }
      }
    }
  }
  return a;
}

std::string AssessJson(const AssessResult& a) {
  const EvaluationResult& r = a.evaluation;
  const sc::Evaluation& rec = r.record;
  Json j;
  j["assessment_of"] = rec.dossier().id();
  j["dossier"] = {{"id", rec.dossier().id()}, {"content_hash", rec.dossier().content_hash()}};
  j["criteria_set"] = {{"id", rec.config().id()}, {"version", rec.config().version()}, {"content_hash", rec.config().content_hash()}};
  j["evaluation_date"] = rec.evaluation_date();
  Json likely;
  likely["outcome"] = rec.proposed_outcome().outcome();
  likely["rule_id"] = rec.proposed_outcome().rule_id();
  Json reasons = Json::array();
  for (const auto& x : rec.reasons()) {
    reasons.push_back({{"produced_by", x.produced_by()}, {"source_id", x.source_id()}, {"text", x.text()}});
  }
  likely["reasons"] = reasons;
  likely["unscored_criteria"] = a.unscored;
  j["likely_outcome"] = likely;
  Json gates = Json::array();
  for (const auto& g : rec.gate_results()) {
    gates.push_back({{"gate_id", g.gate_id()}, {"passed", g.passed()}, {"on_fail", g.on_fail()}, {"message", g.message()},
                     {"rendered", g.rendered()}});
  }
  j["gates"] = gates;
  Json comp;
  comp["score"] = rec.completeness().score();
  Json domains = Json::array();
  for (const auto& d : rec.completeness().domains()) {
    domains.push_back({{"domain", d.domain()}, {"answered", d.answered()}, {"total", d.total()}, {"score", d.score()}});
  }
  comp["domains"] = domains;
  Json gaps = Json::array();
  for (const Gap& g : a.gaps) {
    gaps.push_back({{"path", g.path}, {"domain", g.domain}, {"required", g.required}, {"domain_weight", g.domain_weight},
                    {"consequence", g.consequence}});
  }
  comp["gaps"] = gaps;
  j["completeness"] = comp;
  Json weak = Json::array();
  for (const WeakCriterion& w : a.weakest) {
    weak.push_back({{"criterion_id", w.id}, {"name", w.name}, {"domain", w.domain},
                    {"score", w.score ? Json(*w.score) : Json(nullptr)}, {"weight", w.weight}, {"points_lost", w.points_lost}});
  }
  j["weakest_criteria"] = weak;
  Json prices = Json::array();
  if (rec.has_economics()) {
    const auto& e = rec.economics();
    for (const auto& t : e.thresholds()) {
      prices.push_back({{"label", t.label()},
                        {"wtp", t.wtp()},
                        {"price_parameter", e.price_parameter()},
                        {"device_price", e.price_parameter().empty() ? Json(nullptr) : Json(e.device_price())},
                        {"price_threshold", t.price_threshold_found() ? Json(t.price_threshold()) : Json(nullptr)},
                        {"incremental_nmb", t.nmb()},
                        {"prob_cost_effective", t.has_probability() ? Json(t.prob_cost_effective()) : Json(nullptr)}});
    }
  }
  j["price_thresholds"] = prices;
  Json changes = Json::array();
  for (const ScoreChange& c : a.changes) {
    changes.push_back({{"criterion_id", c.criterion_id}, {"from", c.from ? Json(*c.from) : Json(nullptr)}, {"to", c.to},
                       {"outcome", c.outcome}});
  }
  j["score_changes"] = changes;
  return j.dump(2) + "\n";
}

std::string AssessText(const AssessResult& a, bool md) {
  const sc::Evaluation& rec = a.evaluation.record;
  std::ostringstream out;
  auto heading = [&](const std::string& h) { out << (md ? "\n## " + h + "\n\n" : "\n" + h + ":\n"); };
  auto item = [&]() { return md ? "- " : "  - "; };
  out << (md ? "# " : "") << "Self-assessment of " << rec.scope().trade_name() << " against " << rec.config().id() << " "
      << rec.config().version() << " (" << rec.evaluation_date() << ")\n";
  heading("Likely outcome");
  out << (md ? "**" : "  ") << rec.proposed_outcome().outcome() << (md ? "**" : "") << " (rule "
      << rec.proposed_outcome().rule_id() << ")\n";
  for (const auto& x : rec.reasons()) out << item() << "[" << x.produced_by() << " " << x.source_id() << "] " << x.text() << "\n";
  if (!a.unscored.empty()) {
    out << (md ? "\n" : "  ") << "Unscored criteria (their missing-data policy applies):";
    for (const auto& id : a.unscored) out << " " << id;
    out << "\n" << (md ? "\n" : "  ") << "Give your expected scores with --scores FILE (format vaglio.scores/1) to see the outcome they lead to.\n";
  }
  heading("Completeness gaps, most important first (" + Fmt(100 * rec.completeness().score(), 3) + "% answered)");
  if (a.gaps.empty()) out << (md ? "" : "  ") << "none\n";
  for (const Gap& g : a.gaps) {
    out << item() << g.path << " [" << g.domain << ", weight " << Fmt(100 * g.domain_weight, 3) << "%]: " << g.consequence
        << "\n";
  }
  heading("Weakest criteria (points of 100 not earned)");
  for (const WeakCriterion& w : a.weakest) {
    if (w.points_lost <= 0) continue;
    out << item() << w.id << " " << w.name << ": score " << (w.score ? Fmt(*w.score) : std::string("missing")) << ", weight "
        << Fmt(100 * w.weight, 3) << "%, " << Fmt(w.points_lost, 4) << " points\n";
  }
  if (rec.has_economics() && !rec.economics().price_parameter().empty()) {
    const auto& e = rec.economics();
    heading("Device price at which it is cost-effective (" + e.price_parameter() + ", now " + Fmt(e.device_price(), 8) +
            " " + e.currency() + ")");
    for (const auto& t : e.thresholds()) {
      out << item() << t.label() << " (" << Fmt(t.wtp(), 8) << " " << e.currency() << " per " << e.effect() << "): "
          << (t.price_threshold_found() ? Fmt(t.price_threshold(), 8) + " " + e.currency()
                                        : std::string("no price between 0 and 10 times the current one"))
          << "\n";
    }
  }
  heading("Score changes that would change the outcome");
  if (a.changes.empty()) out << (md ? "" : "  ") << "none: no single criterion's score changes the outcome\n";
  for (const ScoreChange& c : a.changes) {
    out << item() << c.criterion_id << " from " << (c.from ? Fmt(*c.from) : std::string("missing")) << " to " << Fmt(c.to)
        << ": " << c.outcome << "\n";
  }
  return out.str();
}

}  // namespace vaglio::engine
