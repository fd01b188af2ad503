#include "engine/report/sections.h"

#include "engine/report/assets.h"
#include "engine/report/charts.h"

namespace vaglio::engine::report {
namespace {

std::string I(int i) { return std::to_string(i); }

std::string Td(const std::string& html, bool number = false) {
  return std::string(number ? "<td class=\"n\">" : "<td>") + html + "</td>";
}

std::string Th(const std::vector<std::string>& heads, const std::vector<bool>& numeric = {}) {
  std::string out = "<tr>";
  for (size_t i = 0; i < heads.size(); ++i) {
    out += (i < numeric.size() && numeric[i] ? "<th class=\"n\">" : "<th>") + heads[i] + "</th>";
  }
  return out + "</tr>\n";
}

std::string Operands(const google::protobuf::RepeatedPtrField<schemas::Operand>& ops) {
  if (ops.empty()) return "";
  std::string out = "<div class=\"operands\">read: ";
  for (int i = 0; i < ops.size(); ++i) {
    out += (i ? "; " : "") + std::string("<code>") + Escape(ops[i].path()) + " = " + Escape(ops[i].value()) + "</code>";
  }
  return out + "</div>";
}

const char* StatusClass(const std::string& cheers_status) {
  if (cheers_status == "answered") return "pass";
  if (cheers_status == "partly") return "warn";
  if (cheers_status == "not_answered") return "fail";
  return "muted";
}

std::string CheersLabel(const std::string& s) {
  if (s == "not_assessed") return "not assessed by Vaglio";
  if (s == "not_answered") return "not answered";
  if (s == "not_applicable") return "not applicable";
  return s;
}

}  // namespace

std::string ReasonTarget(const schemas::Reason& r) {
  const std::string& by = r.produced_by();
  const std::string& id = r.source_id();
  if (by == "gate") return id == "completeness" ? "#completeness" : "#" + AnchorId("gate", id);
  if (by == "rule") return "#" + AnchorId("rule", id);
  if (by == "criterion") return id == "mcda" ? "#mcda" : "#" + AnchorId("criterion", id);
  if (by == "economics") return "#economics";
  if (by == "robustness") return "#robustness";
  return "#decision";
}

std::string ReasonsList(const schemas::Evaluation& r) {
  std::string out = "<ol class=\"reasons\">\n";
  for (const auto& x : r.reasons()) {
    out += "<li><a class=\"badge\" href=\"" + ReasonTarget(x) + "\">" + Escape(x.produced_by()) +
           (x.source_id().empty() ? "" : " " + Escape(x.source_id())) + "</a> " + Escape(x.text());
    if (x.evidence_refs_size() > 0) {
      out += " <span class=\"muted\">(evidence:";
      for (const auto& e : x.evidence_refs()) out.append(" ").append(Escape(e));
      out += ")</span>";
    }
    out += Operands(x.operands()) + "</li>\n";
  }
  return out + "</ol>\n";
}

std::string ConditionsTable(const schemas::Evaluation& r) {
  if (r.conditions().empty()) return "";
  std::string out = "<table>\n" + Th({"condition", "parameters", "owner", "due", "status"});
  for (const auto& c : r.conditions()) {
    std::string params;
    for (const auto& p : c.parameters()) params += (params.empty() ? "" : "; ") + Escape(p.name()) + " " + Escape(p.value());
    out += "<tr>" + Td("<b>" + Escape(c.type()) + "</b>") + Td(params) + Td(Escape(c.owner())) + Td(Escape(c.due_date())) +
           Td(Escape(c.status())) + "</tr>\n";
  }
  return out + "</table>\n";
}

std::string GatesSection(const schemas::Evaluation& r) {
  std::string out = "<section id=\"gates\">\n<h2>Gates</h2>\n<table>\n" + Th({"gate", "result", "on fail", "check, with the values read"});
  for (const auto& g : r.gate_results()) {
    out += std::string("<tr id=\"") + AnchorId("gate", g.gate_id()) + "\"" + (g.passed() ? "" : " class=\"failed\"") + ">" +
           Td("<b>" + Escape(g.gate_id()) + "</b>") +
           Td(g.passed() ? "<span class=\"badge pass\">passed</span>"
                         : "<span class=\"badge fail\">FAILED</span><br>" + Escape(g.message())) +
           Td(Escape(g.on_fail())) + Td("<code>" + Escape(g.rendered()) + "</code>" + Operands(g.inputs())) + "</tr>\n";
  }
  return out + "</table>\n</section>\n";
}

void McdaSection(Page& page, const schemas::Evaluation& r) {
  const schemas::Aggregate& a = r.aggregate();
  page.Add("<section id=\"mcda\">\n<h2>Multi-criteria appraisal: total " + Num(a.total(), "/aggregate/total", 2) +
           " of 100</h2>\n<p class=\"sub\">" + Escape(a.weight_method()) + " weights, " +
           Escape(a.scoring_mode().empty() ? "consensus" : a.scoring_mode()) + " scores.</p>\n");
  page.AddChart("mcda", McdaChart(a), "Each criterion's contribution to the total (weight × normalised score), by HTA Core Model domain.");
  // The criterion's own score (the combined one) carries its rationale.
  std::string out = "<table>\n" + Th({"criterion", "domain", "weight", "score", "contribution", "rationale"},
                                     {false, false, true, true, true, false});
  for (int i = 0; i < a.contributions_size(); ++i) {
    const auto& c = a.contributions(i);
    const std::string p = "/aggregate/contributions/" + I(i);
    std::string rationale, refs;
    for (const auto& s : r.scores()) {
      if (s.criterion_id() != c.criterion_id() || !s.member().empty()) continue;
      rationale = s.rationale().empty() ? s.source() : s.rationale();
      for (const auto& e : s.evidence_refs()) refs.append(" ").append(e);
    }
    out += "<tr id=\"" + AnchorId("criterion", c.criterion_id()) + "\">" + Td("<b>" + Escape(c.criterion_id()) + "</b>") +
           Td(Escape(c.domain())) + Td(Pct(c.weight_normalised(), p + "/weight_normalised", 1), true) +
           Td(c.excluded() ? "excluded" : Num(c.score(), p + "/score", 2), true) +
           Td(Num(c.weighted_value(), p + "/weighted_value", 2), true) +
           Td(Escape(rationale) + (refs.empty() ? "" : " <span class=\"muted\">(evidence:" + Escape(refs) + ")</span>")) +
           "</tr>\n";
  }
  page.Add(out + "</table>\n</section>\n");
}

void RobustnessSection(Page& page, const schemas::Evaluation& r) {
  const schemas::Robustness& b = r.robustness();
  std::string out = "<section id=\"robustness\">\n<h2>Robustness</h2>\n<p><span class=\"badge " +
                    std::string(b.robust() ? "pass\">robust" : "fail\">NOT robust") + "</span> Stable under ±" +
                    Num(b.perturbation_pct(), "/robustness/perturbation_pct", 0) + "% of each weight: <b>" +
                    (b.decision_stable_under_perturbation() ? "yes" : "no") + "</b>.";
  if (b.min_weight_change_found()) {
    out += " The smallest single change of a weight that changes the outcome: " + Escape(b.min_weight_change_criterion()) +
           (b.min_weight_change_to_flip_pct() > 0 ? " +" : " ") + Num(b.min_weight_change_to_flip_pct(), "/robustness/min_weight_change_to_flip_pct", 1) + "%.";
  }
  page.Add(out + "</p>\n");
  if (b.random_weight_draws() > 0) {
    page.AddChart("random-weights", RandomWeightsChart(b),
                  "Outcomes under " + std::to_string(b.random_weight_draws()) + " random weight draws.");
  }
  if (!b.perturbation_flips().empty()) {
    std::string t = "<table>\n" + Th({"weight changed", "change", "outcome"}, {false, true, false});
    for (int i = 0; i < b.perturbation_flips_size(); ++i) {
      const auto& f = b.perturbation_flips(i);
      t += "<tr>" + Td(Escape(f.criterion_id())) + Td(Num(f.change_pct(), "/robustness/perturbation_flips/" + I(i) + "/change_pct", 1) + "%", true) +
           Td(Escape(f.outcome())) + "</tr>\n";
    }
    page.Add(t + "</table>\n");
  }
  if (!b.score_dispersion().empty()) {
    std::string t = "<h3>Spread of members' scores</h3>\n<table>\n" + Th({"criterion", "range", "IQR"}, {false, true, true});
    for (int i = 0; i < b.score_dispersion_size(); ++i) {
      const auto& d = b.score_dispersion(i);
      const std::string p = "/robustness/score_dispersion/" + I(i);
      t += "<tr>" + Td(Escape(d.criterion_id())) + Td(Num(d.range(), p + "/range", 2), true) + Td(Num(d.iqr(), p + "/iqr", 2), true) + "</tr>\n";
    }
    page.Add(t + "</table>\n");
  }
  page.Add("</section>\n");
}

void EconomicsSection(Page& page, const schemas::Evaluation& r) {
  page.Add("<section id=\"economics\">\n<h2>Economics</h2>\n");
  if (!r.has_economics()) {
    page.Add("<p>No economic model and no budget impact: the dossier has neither a model nor costs with volumes.</p>\n</section>\n");
    return;
  }
  const schemas::Economics& e = r.economics();
  const std::string cur = Escape(e.currency());
  if (!e.model_id().empty()) {
    std::string t = "<p>" + Escape(e.device_strategy()) + " vs " + Escape(e.comparator_strategy()) + ", model <code>" +
                    Escape(e.model_id()) + "</code>, discounted at " + Pct(e.discount_rate_costs(), "/economics/discount_rate_costs", 1) +
                    " (costs) and " + Pct(e.discount_rate_outcomes(), "/economics/discount_rate_outcomes", 1) +
                    " (outcomes); costs in " + cur + " (exchange rate " + Num(e.exchange_rate(), "/economics/exchange_rate", 4) + ").</p>\n";
    t += "<table>\n" + Th({"incremental cost", "incremental " + Escape(e.effect()), "ICER", "status"}, {true, true, true, false});
    t += "<tr>" + Td(Num(e.delta_cost(), "/economics/delta_cost", 0) + " " + cur, true) +
         Td(Num(e.delta_effect(), "/economics/delta_effect", 4), true) +
         Td(e.icer_defined() ? Num(e.icer(), "/economics/icer", 0) + " " + cur + " per " + Escape(e.effect()) : "undefined", true) +
         Td(Escape(e.status())) + "</tr>\n</table>\n";
    t += "<table>\n" + Th({"threshold", "WTP", "incremental NMB", "P(cost-effective)", "price threshold"}, {false, true, true, true, true});
    for (int i = 0; i < e.thresholds_size(); ++i) {
      const auto& x = e.thresholds(i);
      const std::string p = "/economics/thresholds/" + I(i);
      t += "<tr>" + Td(Escape(x.label())) + Td(Num(x.wtp(), p + "/wtp", 0), true) + Td(Num(x.nmb(), p + "/nmb", 0), true) +
           Td(x.has_probability() ? Num(x.prob_cost_effective(), p + "/prob_cost_effective", 3) : "-", true) +
           Td(x.price_threshold_found() ? Num(x.price_threshold(), p + "/price_threshold", 2) : "-", true) + "</tr>\n";
    }
    page.Add(t + "</table>\n");
    if (e.has_psa()) {
      const schemas::PsaSummary& s = e.psa();
      page.Add("<p>PSA: " + Num(s.draws(), "/economics/psa/draws", 0) + " draws (seed in the provenance below); mean incremental cost " +
               Num(s.mean_delta_cost(), "/economics/psa/mean_delta_cost", 0) + " " + cur + ", mean incremental " + Escape(e.effect()) +
               " " + Num(s.mean_delta_effect(), "/economics/psa/mean_delta_effect", 4) + ".</p>\n");
      page.AddChart("ce-plane", CePlaneChart(e),
                    "Cost-effectiveness plane: the first " + std::to_string(s.sample_size()) + " PSA draws, the base case (diamond) and each WTP threshold.");
      page.AddChart("ceac", CeacChart(e),
                    "Cost-effectiveness acceptability curves; the wide grey line is the frontier (CEAF): the probability of the strategy with the higher expected net benefit.");
    } else {
      page.Add("<p class=\"note\">No PSA in this record (no psa_draws in the criteria set, or no parameter with a distribution): no CE plane or acceptability curves.</p>\n");
    }
    if (e.has_tornado()) {
      page.AddChart("tornado", TornadoChart(e),
                    "One-way sensitivity of the incremental NMB at " + e.tornado().threshold_label() +
                        " (each parameter at its low and high value, the others at base); the widest " +
                        std::to_string(kTornadoBars) + " at most.");
    }
  }
  if (!e.bia().empty()) {
    page.Add("<h3>Budget impact</h3>\n");
    page.AddChart("bia", BiaChart(e), "Net budget impact per year (a positive amount is a cost), " + e.currency() + ".");
    std::string t = "<table>\n" + Th({"perspective", "year", "device", "displaced", "tariff income", "net"}, {false, true, true, true, true, true});
    for (int b = 0; b < e.bia_size(); ++b) {
      for (int y = 0; y < e.bia(b).years_size(); ++y) {
        const auto& x = e.bia(b).years(y);
        const std::string p = "/economics/bia/" + I(b) + "/years/" + I(y);
        t += "<tr>" + Td(Escape(e.bia(b).perspective())) + Td(I(x.year()), true) + Td(Num(x.intervention(), p + "/intervention", 0), true) +
             Td(Num(x.displaced(), p + "/displaced", 0), true) + Td(Num(x.tariff_income(), p + "/tariff_income", 0), true) +
             Td("<b>" + Num(x.net(), p + "/net", 0) + "</b>", true) + "</tr>\n";
      }
      t += "<tr>" + Td(Escape(e.bia(b).perspective())) + Td("total", true) + Td("") + Td("") + Td("") +
           Td("<b>" + Num(e.bia(b).total(), "/economics/bia/" + I(b) + "/total", 0) + "</b>", true) + "</tr>\n";
    }
    page.Add(t + "</table>\n");
  }
  page.Add("</section>\n");
}

void CompletenessSection(Page& page, const schemas::Evaluation& r) {
  const schemas::Completeness& c = r.completeness();
  page.Add("<section id=\"completeness\">\n<h2>Dossier completeness: " + Pct(c.score(), "/completeness/score", 1) +
           "</h2>\n<p class=\"sub\">Catalogue fields answered, by domain of the EUnetHTA HTA Core Model.</p>\n");
  page.AddChart("completeness", CompletenessChart(c), "Share of the dossier's catalogue fields answered per domain.");
  std::string t;
  if (!c.missing_required().empty()) {
    t += "<p class=\"fail\"><b>Missing required fields:</b>";
    for (const auto& m : c.missing_required()) t += " <code>" + Escape(m) + "</code>";
    t += "</p>\n";
  }
  if (!c.missing_optional().empty()) {
    t += "<p class=\"muted\">Missing optional fields:";
    for (const auto& m : c.missing_optional()) t += " <code>" + Escape(m) + "</code>";
    t += "</p>\n";
  }
  page.Add(t + "</section>\n");
}

std::string CheersSection(const schemas::Evaluation& r) {
  std::string out =
      "<section id=\"cheers\">\n<h2>CHEERS 2022 checklist</h2>\n<p class=\"sub\">Which of the 28 reporting items the "
      "dossier, its model and this evaluation answer. Vaglio reads the dossier, the model and the criteria set, not the "
      "written report of the economic analysis: items about that report are marked “not assessed by Vaglio”.</p>\n";
  if (r.cheers().empty()) return out + "<p class=\"note\">This record has no CHEERS assessment (an older record).</p>\n</section>\n";
  int answered = 0, partly = 0;
  for (const auto& c : r.cheers()) {
    answered += c.status() == "answered";
    partly += c.status() == "partly";
  }
  out += "<p>" + std::to_string(answered) + " answered, " + std::to_string(partly) + " partly, of " +
         std::to_string(r.cheers_size()) + " items.</p>\n<table>\n" + Th({"#", "item", "status", "answered by", "what answers it"});
  for (const auto& c : r.cheers()) {
    out += "<tr id=\"cheers-" + I(c.item()) + "\">" + Td(I(c.item()), true) + Td(Escape(c.topic())) +
           Td(std::string("<span class=\"badge ") + StatusClass(c.status()) + "\">" + CheersLabel(c.status()) + "</span>") +
           Td(Escape(c.answered_by())) + Td(Escape(c.note())) + "</tr>\n";
  }
  return out + "</table>\n</section>\n";
}

std::string ProvenanceRows(const schemas::Evaluation& r) {
  auto row = [](const std::string& k, const std::string& v) { return "<tr><th>" + k + "</th><td>" + v + "</td></tr>\n"; };
  auto artefact = [&](const char* what, const schemas::ArtefactRef& a) {
    return row(what, Escape(a.id()) + (a.version().empty() ? "" : " version " + Escape(a.version())) + ", file <code>" +
                         Escape(a.file()) + "</code><br>sha256 <code>" + Escape(a.content_hash()) + "</code>");
  };
  std::string out = row("record", "<code>" + Escape(r.record_id()) + "</code>, evaluated " + Escape(r.evaluation_date()));
  out += row("engine", Escape(r.engine().name()) + " " + Escape(r.engine().version()) + " (build " + Escape(r.engine().build_id()) + ")");
  out += artefact("dossier", r.dossier());
  out += artefact("criteria set", r.config());
  if (r.has_scores_file()) out += artefact("scores", r.scores_file());
  for (const auto& m : r.models()) {
    std::string v = "<code>" + Escape(m.model_id()) + "</code>, seed <code>" + std::to_string(m.seed()) + "</code>, " +
                    std::to_string(m.psa_draws()) + " PSA draws<br>parameters sha256 <code>" + Escape(m.parameters_hash()) + "</code>";
    for (const auto& in : m.inputs()) v += "<br><code>" + Escape(in.file()) + "</code> sha256 <code>" + Escape(in.sha256()) + "</code>";
    out += row("model", v);
  }
  out += row("evidence", std::to_string(r.evidence_snapshot().study_ids_size()) + " studies, search date " +
                             Escape(r.evidence_snapshot().search_date()) + ", snapshot sha256 <code>" +
                             Escape(r.evidence_snapshot().snapshot_hash()) + "</code>");
  return out;
}

std::string LibrariesNote() {
  std::string out = "Charts drawn in the page by";
  bool first = true;
  for (const ChartLibrary& lib : ChartLibraries()) {
    out += std::string(first ? " " : ", ") + std::string(lib.name) + " " + std::string(lib.version) + " (" + std::string(lib.license) + ")";
    first = false;
  }
  return out + ", inlined: the page needs no network.";
}

}  // namespace vaglio::engine::report
