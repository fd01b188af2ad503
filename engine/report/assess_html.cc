// The manufacturer's self-assessment (vaglio assess --html), in the style of the
// committee's report: gaps, weakest criteria, price headroom, what would change the outcome.
#include "engine/report/charts.h"
#include "engine/report/html.h"
#include "engine/report/report.h"
#include "engine/report/sections.h"

namespace vaglio::engine::report {
namespace {

std::string Cell(const std::string& html, bool number = false) {
  return std::string(number ? "<td class=\"n\">" : "<td>") + html + "</td>";
}

std::string PriceSection(const schemas::Evaluation& r) {
  if (!r.has_economics() || r.economics().price_parameter().empty()) return "";
  const schemas::Economics& e = r.economics();
  const std::string cur = Escape(e.currency());
  std::string out = "<section id=\"price\">\n<h2>Price headroom</h2>\n<p>The device price (model parameter <code>" +
                    Escape(e.price_parameter()) + "</code>, now " + Num(e.device_price(), "/economics/device_price", 2) + " " + cur +
                    ") at which the device's incremental net benefit is zero, at each threshold.</p>\n<table>\n"
                    "<tr><th>threshold</th><th class=\"n\">WTP</th><th class=\"n\">price threshold</th><th class=\"n\">headroom</th>"
                    "<th class=\"n\">P(cost-effective) now</th></tr>\n";
  for (int i = 0; i < e.thresholds_size(); ++i) {
    const auto& t = e.thresholds(i);
    const std::string p = "/economics/thresholds/" + std::to_string(i);
    std::string headroom = "-";
    if (t.price_threshold_found()) {
      const double h = t.price_threshold() - e.device_price();
      headroom = FormatNumber(h, 2) + " " + cur +
                 (e.device_price() > 0 ? " (" + FormatNumber(100 * h / e.device_price(), 0) + "%)" : std::string());
    }
    out += "<tr>" + Cell(Escape(t.label())) + Cell(Num(t.wtp(), p + "/wtp", 0), true) +
           Cell(t.price_threshold_found() ? Num(t.price_threshold(), p + "/price_threshold", 2) + " " + cur
                                          : "none between 0 and 10 × the current price",
                true) +
           Cell(headroom, true) + Cell(t.has_probability() ? Num(t.prob_cost_effective(), p + "/prob_cost_effective", 3) : "-", true) +
           "</tr>\n";
  }
  return out + "</table>\n</section>\n";
}

}  // namespace

std::string AssessHtml(const AssessResult& a) {
  const schemas::Evaluation& r = a.evaluation.record;
  Page page("Self-assessment of " + r.scope().trade_name() + " against " + r.config().id() + " " + r.config().version());
  page.Add("<header>\n<h1>Self-assessment of " + Escape(r.scope().trade_name()) + "</h1>\n<p class=\"sub\">Against criteria set " +
           Escape(r.config().id()) + " " + Escape(r.config().version()) + " · dossier " + Escape(r.dossier().id()) + " · " +
           Escape(r.evaluation_date()) + "</p>\n<p class=\"note\">A manufacturer's self-assessment: the same evaluation the "
           "committee's engine runs on the same files, with the applicant's expected scores. It is not a committee's "
           "recommendation.</p>\n"
           "<nav><a href=\"#recommendation\">Likely outcome</a><a href=\"#gaps\">Gaps</a><a href=\"#weakest\">Weakest criteria</a>"
           "<a href=\"#price\">Price</a><a href=\"#changes\">What would change it</a><a href=\"#gates\">Gates</a><a href=\"#mcda\">MCDA</a>"
           "<a href=\"#economics\">Economics</a><a href=\"#completeness\">Completeness</a><a href=\"#cheers\">CHEERS 2022</a></nav>\n</header>\n");
  std::string rec = "<section id=\"recommendation\">\n<h2>Likely outcome</h2>\n<div class=\"outcome\"><div id=\"" +
                    AnchorId("rule", r.proposed_outcome().rule_id()) + "\"><div class=\"label\">likely outcome</div><div class=\"value\">" +
                    Escape(r.proposed_outcome().outcome()) + "</div>rule " + Escape(r.proposed_outcome().rule_id()) + "</div></div>\n";
  std::vector<std::string> failed;
  for (const auto& g : r.gate_results()) {
    if (!g.passed()) failed.push_back("<a href=\"#" + AnchorId("gate", g.gate_id()) + "\">" + Escape(g.gate_id()) + "</a> (" + Escape(g.on_fail()) + ")");
  }
  if (!failed.empty()) {
    rec += "<div class=\"alerts\"><h3>Failed gates</h3><p>";
    for (size_t i = 0; i < failed.size(); ++i) rec += (i ? ", " : "") + failed[i];
    rec += "</p></div>\n";
  }
  if (!a.unscored.empty()) {
    rec += "<p class=\"note\">Unscored criteria (their missing-data policy decided):";
    for (const auto& id : a.unscored) rec.append(" ").append(Escape(id));
    rec += ". Give expected scores with <code>--scores FILE</code>.</p>\n";
  }
  page.Add(rec + "<h3>Reasons</h3>\n" + ReasonsList(r) + ConditionsTable(r) + "</section>\n");

  std::string gaps = "<section id=\"gaps\">\n<h2>Completeness gaps, most important first</h2>\n";
  if (a.gaps.empty()) gaps += "<p>None: every catalogue field is answered.</p>\n";
  else {
    gaps += "<table>\n<tr><th>field</th><th>domain</th><th class=\"n\">domain weight</th><th>consequence</th></tr>\n";
    for (const Gap& g : a.gaps) {
      gaps += std::string(g.required ? "<tr class=\"failed\">" : "<tr>") + Cell("<code>" + Escape(g.path) + "</code>") +
              Cell(Escape(DomainName(g.domain))) + Cell(Pct(g.domain_weight, "", 0), true) + Cell(Escape(g.consequence)) + "</tr>\n";
    }
    gaps += "</table>\n";
  }
  page.Add(gaps + "</section>\n");

  page.Add("<section id=\"weakest\">\n<h2>Weakest criteria</h2>\n");
  page.AddChart("weakest", WeakestChart(a.weakest), "Points of the total (out of 100) each criterion does not earn: 100 × weight × (1 − normalised score).");
  std::string weak = "<table>\n<tr><th>criterion</th><th>name</th><th class=\"n\">score</th><th class=\"n\">weight</th><th class=\"n\">points lost</th></tr>\n";
  for (const WeakCriterion& w : a.weakest) {
    weak += "<tr>" + Cell("<a href=\"#" + AnchorId("criterion", w.id) + "\">" + Escape(w.id) + "</a>") + Cell(Escape(w.name)) +
            Cell(w.score ? Num(*w.score, "", 2) : "missing", true) + Cell(Pct(w.weight, "", 1), true) + Cell(Num(w.points_lost, "", 2), true) + "</tr>\n";
  }
  page.Add(weak + "</table>\n</section>\n");
  page.Add(PriceSection(r));

  std::string ch = "<section id=\"changes\">\n<h2>What would change the outcome</h2>\n<p class=\"sub\">The nearest score of one "
                   "criterion, down or up, that changes the likely outcome, every other input unchanged.</p>\n";
  if (a.changes.empty()) ch += "<p>No single criterion's score changes the outcome.</p>\n";
  else {
    ch += "<table>\n<tr><th>criterion</th><th class=\"n\">from</th><th class=\"n\">to</th><th>outcome</th></tr>\n";
    for (const ScoreChange& c : a.changes) {
      ch += "<tr>" + Cell(Escape(c.criterion_id)) + Cell(c.from ? Num(*c.from, "", 2) : "missing", true) + Cell(Num(c.to, "", 2), true) +
            Cell("<b>" + Escape(c.outcome) + "</b>") + "</tr>\n";
    }
    ch += "</table>\n";
  }
  page.Add(ch + "</section>\n");
  page.Add(GatesSection(r));
  McdaSection(page, r);
  RobustnessSection(page, r);
  EconomicsSection(page, r);
  CompletenessSection(page, r);
  page.Add(CheersSection(r));
  page.Add("<section id=\"provenance\">\n<h2>Provenance</h2>\n<table>\n" + ProvenanceRows(r) + "</table>\n</section>\n<footer>" +
           Escape(LibrariesNote()) + "</footer>\n");
  return page.Render();
}

}  // namespace vaglio::engine::report
