// The evaluation record as a summary a committee reads: plain text or Markdown.
#include <cmath>
#include <cstdio>
#include <sstream>

#include "engine/evaluation/evaluate.h"
#include "engine/text_table.h"
#include "models/text.h"

namespace vaglio::engine {
namespace {

std::string Fmt(double v, int digits = 6) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*g", digits, v);
  return buf;
}

std::string Money(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.0f", v);
  return buf;
}

// Markdown tables or aligned text from the same rows.
struct Table {
  bool markdown;
  std::vector<std::string> head;
  std::vector<std::vector<std::string>> rows;
  std::string Render() const {
    if (!markdown) {
      TextTable t;
      t.Header(head);
      for (const auto& r : rows) t.Row(r);
      return t.Render();
    }
    std::string out = "|";
    for (const auto& h : head) out += " " + h + " |";
    out += "\n|";
    for (size_t i = 0; i < head.size(); ++i) out += i == 0 ? "---|" : "---:|";
    out += "\n";
    for (const auto& r : rows) {
      out += "|";
      for (const auto& c : r) out += " " + c + " |";
      out += "\n";
    }
    return out;
  }
};

}  // namespace

std::string RecordText(const EvaluationResult& r, bool md) {
  const schemas::Evaluation& rec = r.record;
  std::ostringstream out;
  auto heading = [&](const std::string& h) { out << (md ? "\n## " + h + "\n\n" : "\n" + h + ":\n"); };
  const std::string title = rec.scope().trade_name() + " (" + rec.scope().manufacturer() + ")";
  out << (md ? "# " : "") << "Evaluation of " << title << "\n";
  out << (md ? "\n" : "") << "Dossier " << rec.dossier().id() << ", criteria set " << rec.config().id() << " "
      << rec.config().version() << ", evaluated " << rec.evaluation_date() << ", record " << rec.record_id() << "\n";
  heading("Proposed outcome");
  out << (md ? "**" : "  ") << rec.proposed_outcome().outcome() << (md ? "**" : "") << " (rule "
      << rec.proposed_outcome().rule_id() << ")\n";
  for (const auto& c : rec.conditions()) {
    out << (md ? "- " : "  - ") << "condition " << c.type();
    for (const auto& p : c.parameters()) out << ", " << p.name() << " " << p.value();
    if (!c.owner().empty()) out << ", owner " << c.owner();
    if (!c.due_date().empty()) out << ", due " << c.due_date();
    out << "\n";
  }
  heading("Reasons");
  for (const auto& reason : rec.reasons()) {
    out << (md ? "- " : "  - ") << "[" << reason.produced_by() << (reason.source_id().empty() ? "" : " " + reason.source_id())
        << "] " << reason.text() << "\n";
  }
  heading("Gates");
  for (const auto& g : rec.gate_results()) {
    out << (md ? "- " : "  - ") << g.gate_id() << " " << (g.passed() ? "passed" : "FAILED (" + g.on_fail() + ")")
        << (g.passed() ? "" : ": " + g.message()) << (md ? ": `" : ": ") << g.rendered() << (md ? "`" : "") << "\n";
  }
  heading("Multi-criteria appraisal (total " + Fmt(rec.aggregate().total(), 4) + " of 100)");
  Table mcda{md, {"criterion", "domain", "weight", "score", "contribution"}, {}};
  for (const auto& c : rec.aggregate().contributions()) {
    mcda.rows.push_back({c.criterion_id(), c.domain(), Fmt(100 * c.weight_normalised(), 3) + "%",
                         c.excluded() ? "excluded" : Fmt(c.score(), 3), Fmt(c.weighted_value(), 3)});
  }
  out << mcda.Render();
  const schemas::Robustness& rb = rec.robustness();
  out << (md ? "\n" : "  ") << "Robustness: " << (rb.robust() ? "robust" : "NOT robust") << "; stable under +/-"
      << Fmt(rb.perturbation_pct()) << "% weights: " << (rb.decision_stable_under_perturbation() ? "yes" : "no");
  if (rb.min_weight_change_found()) {
    out << "; smallest change that flips the outcome: " << rb.min_weight_change_criterion() << " "
        << (rb.min_weight_change_to_flip_pct() > 0 ? "+" : "") << Fmt(rb.min_weight_change_to_flip_pct(), 4) << "%";
  }
  out << "\n";
  if (rb.random_weight_draws() > 0) {
    out << (md ? "\n" : "  ") << "Random weights (" << rb.random_weight_draws() << " draws):";
    for (const auto& p : rb.random_weights()) out << " " << p.outcome() << " " << Fmt(p.probability(), 3);
    out << "\n";
  }
  if (rec.has_economics()) {
    const schemas::Economics& e = rec.economics();
    heading("Economics");
    if (!e.model_id().empty()) {
      out << (md ? "" : "  ") << e.device_strategy() << " vs " << e.comparator_strategy() << " (model " << e.model_id()
          << ", discounting " << Fmt(100 * e.discount_rate_costs()) << "% costs, " << Fmt(100 * e.discount_rate_outcomes())
          << "% outcomes): incremental cost " << Money(e.delta_cost()) << " " << e.currency() << ", incremental " << e.effect()
          << " " << Fmt(e.delta_effect(), 4) << ", "
          << (e.icer_defined() ? "ICER " + Money(e.icer()) + " " + e.currency() + " per " + e.effect() : e.status()) << "\n\n";
      Table th{md, {"threshold", "WTP", "incremental NMB", "P(cost-effective)", "price threshold"}, {}};
      for (const auto& t : e.thresholds()) {
        th.rows.push_back({t.label(), Money(t.wtp()), Money(t.nmb()), t.has_probability() ? Fmt(t.prob_cost_effective(), 3) : "-",
                           t.price_threshold_found() ? Fmt(t.price_threshold(), 6) : "-"});
      }
      out << th.Render();
    }
    for (const auto& b : e.bia()) {
      out << (md ? "\n" : "  ") << "Budget impact, " << b.perspective() << " (" << e.currency() << "):";
      for (const auto& y : b.years()) out << " year " << y.year() << " " << Money(y.net());
      out << "; total " << Money(b.total()) << "\n";
    }
  }
  heading("Dossier completeness (" + Fmt(100 * rec.completeness().score(), 3) + "%)");
  Table comp{md, {"domain", "answered", "of"}, {}};
  for (const auto& d : rec.completeness().domains()) {
    comp.rows.push_back({d.domain(), std::to_string(d.answered()), std::to_string(d.total())});
  }
  out << comp.Render();
  if (rec.completeness().missing_required_size() > 0) {
    out << (md ? "\n" : "  ") << "Missing required:";
    for (const auto& p : rec.completeness().missing_required()) out << " " << p;
    out << "\n";
  }
  if (rec.flags_size() > 0) {
    heading("Flags");
    for (const auto& f : rec.flags()) out << (md ? "- " : "  - ") << f << "\n";
  }
  return out.str();
}

}  // namespace vaglio::engine
