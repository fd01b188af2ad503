// The committee's report of an evaluation record (docs/cli.md §HTML reports).
#include "engine/report/html.h"
#include "engine/report/report.h"
#include "engine/report/sections.h"

namespace vaglio::engine::report {
namespace {

std::string Row(const std::string& k, const std::string& v) { return "<tr><th>" + k + "</th><td>" + v + "</td></tr>\n"; }

const schemas::VoteRecord* VoteOf(const ReportData& d) {
  if (d.decision && d.decision->has_vote) return &d.decision->vote;
  return d.record.has_vote() ? &d.record.vote() : nullptr;
}

// What a reader must not miss: failed gates, an override, dissent, a fragile outcome,
// flags, and any doubt about the stored record.
std::string Alerts(const ReportData& d) {
  const schemas::Evaluation& r = d.record;
  std::vector<std::string> items;
  for (const auto& g : r.gate_results()) {
    if (g.passed()) continue;
    items.push_back("<b>Gate <a href=\"#" + AnchorId("gate", g.gate_id()) + "\">" + Escape(g.gate_id()) + "</a> failed</b> (" +
                    Escape(g.on_fail()) + "): " + Escape(g.message()));
  }
  if (d.decision && d.decision->is_override) {
    items.push_back("<b>Override:</b> the committee decided <b>" + Escape(d.decision->final_outcome) + "</b>; the engine proposed " +
                    Escape(d.decision->proposed_outcome) + " (rule " + Escape(d.decision->proposed_rule) +
                    "). <a href=\"#decision\">Justification</a>: “" + Escape(d.decision->justification) + "”");
  }
  if (const schemas::VoteRecord* v = VoteOf(d)) {
    for (const auto& x : v->dissents()) {
      items.push_back("<b>Dissent</b>" + (x.member().empty() ? std::string() : " of " + Escape(x.member())) + ": “" +
                      Escape(x.text()) + "” (<a href=\"#decision\">vote</a>)");
    }
  }
  if (!r.robustness().robust()) {
    items.push_back("<b>Not robust:</b> the outcome depends on the weights or on dispersed scores; the committee must record "
                    "an explicit deliberation reason (<a href=\"#robustness\">robustness</a>).");
  }
  for (const auto& f : r.flags()) {
    if (f != "not robust") items.push_back("Flag: " + Escape(f));
  }
  for (const auto& n : d.notes) items.push_back(Escape(n));
  for (const EntryView* e : {d.entry ? &*d.entry : nullptr, d.decision ? &d.decision->entry : nullptr}) {
    if (e == nullptr) continue;
    if (!e->hash_matches) items.push_back("<b>Registry record " + Escape(e->record_id) + " does not match its hash</b>: it was changed after it was stored.");
    for (const SignatureView& s : e->signatures) {
      if (!s.valid) items.push_back("<b>Invalid signature</b> on record " + Escape(e->record_id) + " (key " + Escape(s.key_id) + ").");
    }
  }
  if (items.empty()) return "";
  std::string out = "<div class=\"alerts\" id=\"attention\"><h3>Attention</h3><ul>\n";
  for (const auto& i : items) out += "<li>" + i + "</li>\n";
  return out + "</ul></div>\n";
}

std::string ConditionRows(const std::vector<schemas::Condition>& cs) {
  std::string out = "<table>\n<tr><th>condition</th><th>parameters</th><th>owner</th><th>due</th><th>status</th></tr>\n";
  for (const auto& c : cs) {
    std::string params;
    for (const auto& p : c.parameters()) params += (params.empty() ? "" : "; ") + Escape(p.name()) + " " + Escape(p.value());
    out += "<tr><td><b>" + Escape(c.type()) + "</b></td><td>" + params + "</td><td>" + Escape(c.owner()) + "</td><td>" +
           Escape(c.due_date()) + "</td><td>" + Escape(c.status()) + "</td></tr>\n";
  }
  return out + "</table>\n";
}

std::string VoteHtml(const schemas::VoteRecord& v, bool from_decision) {
  const std::string p = from_decision ? "" : "/vote";
  auto n = [&](int x, const char* key) { return from_decision ? std::to_string(x) : Num(x, p + "/" + key, 0); };
  std::string out = "<p><b>Vote:</b> " + n(v.for_(), "for") + " for, " + n(v.against(), "against") + " against, " +
                    n(v.abstain(), "abstain") + " abstaining.</p>\n";
  if (!v.dissents().empty()) {
    out += "<h3>Dissent</h3>\n<ul>\n";
    for (const auto& x : v.dissents()) {
      out += "<li class=\"fail\"><b>" + Escape(x.member().empty() ? "(anonymous)" : x.member()) + "</b>: " + Escape(x.text()) + "</li>\n";
    }
    out += "</ul>\n";
  }
  return out;
}

std::string DecisionSection(const ReportData& d) {
  const schemas::Evaluation& r = d.record;
  std::string out = "<section id=\"decision\">\n<h2>Committee decision</h2>\n";
  if (d.decision) {
    const DecisionView& x = *d.decision;
    out += "<table>\n" + Row("final outcome", "<b>" + Escape(x.final_outcome) + "</b>") +
           Row("proposed by the engine", Escape(x.proposed_outcome) + " (rule " + Escape(x.proposed_rule) + ")") +
           Row("override", x.is_override ? "<span class=\"badge fail\">yes</span> " + Escape(x.justification)
                                         : "<span class=\"badge pass\">no</span>");
    if (!x.decided_on.empty()) out += Row("decided on", Escape(x.decided_on));
    if (!x.minutes_ref.empty()) out += Row("minutes", Escape(x.minutes_ref));
    if (!x.review_by.empty()) out += Row("review by", Escape(x.review_by));
    if (!x.supersedes.empty()) out += Row("supersedes decision", "<code>" + Escape(x.supersedes) + "</code>");
    out += "</table>\n";
    if (x.has_vote) out += VoteHtml(x.vote, true);
    if (!x.conditions.empty()) out += "<h3>Conditions decided</h3>\n" + ConditionRows(x.conditions);
  } else {
    out += "<p class=\"note\">No decision recorded: the final outcome is the proposed one until the committee records its "
           "decision (<code>vaglio record</code>).</p>\n";
  }
  if (!(d.decision && d.decision->has_vote) && r.has_vote()) out += VoteHtml(r.vote(), false);
  if (r.has_committee()) {
    const schemas::Committee& c = r.committee();
    out += "<h3>Committee</h3>\n<p>" + Escape(c.body()) + ", meeting of " + Escape(c.meeting_date()) + "; quorum " +
           (c.quorum_met() ? "met" : "<b class=\"fail\">not met</b>") + ".</p>\n<table>\n<tr><th>member</th><th>role</th>"
           "<th>voting</th><th>interests</th></tr>\n";
    for (const auto& m : c.members()) {
      out += "<tr><td>" + Escape(m.name().empty() ? m.person() : m.name()) + "</td><td>" + Escape(m.role()) + "</td><td>" +
             (m.voting() ? "yes" : "no") + "</td><td>" + Escape(m.interest_outcome()) + "</td></tr>\n";
    }
    out += "</table>\n";
  }
  return out + "</section>\n";
}

std::string EntryRows(const std::string& what, const EntryView& e) {
  std::string sigs;
  for (const SignatureView& s : e.signatures) {
    sigs += std::string(sigs.empty() ? "" : "<br>") + (s.valid ? "<span class=\"badge pass\">valid</span> " : "<span class=\"badge fail\">INVALID</span> ") +
            Escape(s.holder) + (s.role.empty() ? "" : " (" + Escape(s.role) + ")") + ", key <code>" + Escape(s.key_id) + "</code>";
  }
  std::string inputs;
  for (const auto& in : e.inputs) {
    inputs += std::string(inputs.empty() ? "" : "<br>") + Escape(in.role) + " <code>" + Escape(in.path) + "</code> sha256 <code>" +
              Escape(in.sha256) + "</code>";
  }
  return Row(what + " in registry", "<code>" + Escape(e.registry) + "</code>, chain <code>" + Escape(e.chain_id) + "</code> record " +
                                        std::to_string(e.seq) + ", stored " + Escape(e.recorded_at)) +
         Row(what + " entry hash", "<code>" + Escape(e.hash) + "</code> " +
                                       (e.hash_matches ? "<span class=\"badge pass\">matches its content</span>"
                                                       : "<span class=\"badge fail\">does NOT match its content</span>") +
                                       "<br>previous <code>" + Escape(e.prev_hash) + "</code>") +
         Row(what + " signatures", sigs.empty() ? "none" : sigs) + Row(what + " stored inputs", inputs);
}

}  // namespace

std::string EvaluationHtml(const ReportData& d) {
  const schemas::Evaluation& r = d.record;
  const std::string device = r.scope().trade_name() + (r.scope().manufacturer().empty() ? "" : " (" + r.scope().manufacturer() + ")");
  Page page("Evaluation of " + device + ", " + r.evaluation_date());
  page.Add("<header>\n<h1>Evaluation of " + Escape(device) + "</h1>\n<p class=\"sub\">Dossier " + Escape(r.dossier().id()) +
           " version " + Escape(r.dossier().version()) + " · criteria set " + Escape(r.config().id()) + " " +
           Escape(r.config().version()) + " · evaluated " + Escape(r.evaluation_date()) + " · record <code>" +
           Escape(r.record_id()) + "</code></p>\n<p class=\"sub\">" + Escape(r.scope().indication()) + "</p>\n");
  page.Add("<nav><a href=\"#recommendation\">Recommendation</a><a href=\"#decision\">Decision</a><a href=\"#gates\">Gates</a>"
           "<a href=\"#mcda\">MCDA</a><a href=\"#robustness\">Robustness</a><a href=\"#economics\">Economics</a>"
           "<a href=\"#completeness\">Completeness</a><a href=\"#cheers\">CHEERS 2022</a><a href=\"#provenance\">Provenance</a></nav>\n</header>\n");

  const std::string final_outcome = d.decision ? d.decision->final_outcome : r.final_outcome();
  std::string rec = "<section id=\"recommendation\">\n<h2>Recommendation</h2>\n<div class=\"outcome\">\n<div id=\"" +
                    AnchorId("rule", r.proposed_outcome().rule_id()) + "\"><div class=\"label\">proposed by the engine</div><div class=\"value\">" +
                    Escape(r.proposed_outcome().outcome()) + "</div>rule " + Escape(r.proposed_outcome().rule_id()) + "</div>\n";
  rec += "<div><div class=\"label\">final outcome</div><div class=\"value" + std::string(d.decision && d.decision->is_override ? " fail" : "") +
         "\">" + Escape(final_outcome) + "</div>" +
         (d.decision ? (d.decision->is_override ? "<span class=\"badge fail\">override</span> " : "") + std::string("decided ") + Escape(d.decision->decided_on)
                     : std::string("pending the committee's decision")) +
         "</div>\n</div>\n";
  rec += Alerts(d);
  rec += "<h3>Reasons</h3>\n" + ReasonsList(r);
  if (d.decision && !d.decision->conditions.empty()) {
    rec += "<h3>Conditions</h3>\n" + ConditionRows(d.decision->conditions);
  } else if (!r.conditions().empty()) {
    rec += "<h3>Conditions</h3>\n" + ConditionsTable(r);
  }
  page.Add(rec + "</section>\n");
  page.Add(DecisionSection(d));
  page.Add(GatesSection(r));
  McdaSection(page, r);
  RobustnessSection(page, r);
  EconomicsSection(page, r);
  CompletenessSection(page, r);
  page.Add(CheersSection(r));
  std::string prov = "<section id=\"provenance\">\n<h2>Provenance</h2>\n<table>\n" + ProvenanceRows(r);
  if (d.entry) prov += EntryRows("evaluation", *d.entry);
  if (d.decision) prov += EntryRows("decision", d.decision->entry);
  prov += "</table>\n";
  if (!d.entry) {
    prov += "<p class=\"note\">Read from a record file: not checked against a registry. <code>vaglio verify</code> checks a "
            "registry's chain and signatures and replays its evaluations.</p>\n";
  }
  page.Add(prov + "</section>\n<footer>" + Escape(LibrariesNote()) + " Generated by " + Escape(r.engine().name()) + " from record " +
           Escape(r.record_id()) + ".</footer>\n");
  return page.Render();
}

}  // namespace vaglio::engine::report
