#include "engine/load/dossier_loader.h"

#include <google/protobuf/util/json_util.h>

#include <algorithm>
#include <regex>

#include "engine/expr/expression.h"
#include "engine/load/closed_sets.h"
#include "engine/load/yaml_proto.h"
#include "models/text.h"

namespace vaglio::engine {
namespace {

namespace sc = vaglio::schemas;

template <typename Message>
std::optional<LoadedFile<Message>> ReadInto(const FileSystem& fs, const std::string& path, const char* what,
                                            Diagnostics* diag) {
  LoadedFile<Message> out;
  out.file = path;
  std::string err;
  auto bytes = fs.Read(path, &err);
  if (!bytes) {
    diag->Error(path, {}, "", std::string("cannot read the ") + what + ": " + err);
    return std::nullopt;
  }
  out.bytes = *bytes;
  auto node = ParseYaml(out.bytes, path, diag);
  if (!node) return std::nullopt;
  YamlToProto(*node, out.bytes, path, &out.proto, &out.map, diag);
  if (!node->IsMap()) return std::nullopt;
  return out;
}

std::string Key(const std::string& parent, const std::string& key) { return JoinPath(parent, key); }
std::string Item(const std::string& parent, int i) { return IndexPath(parent, static_cast<size_t>(i)); }

const std::vector<std::string> kRiskClasses = {"I", "Is", "Im", "Ir", "IIa", "IIb", "III", "A", "B", "C", "D"};

void CheckDossier(const sc::Dossier& d, FieldChecker& c) {
  c.Format(d.format(), "vaglio.dossier/1", "a dossier");
  c.OneOf("status", d.status(), {"draft", "submitted", "inadmissible", "incomplete", "admitted", "under_assessment",
                                 "under_appraisal", "decided", "withdrawn", "superseded"});
  c.OneOf("decision_level", d.decision_level(), {"hospital", "regional", "national"});
  c.OneOf("request_type", d.request_type(), {"new_device", "new_indication", "replacement_upgrade",
                                             "trial_or_free_loan", "research_use", "disinvestment"});
  for (const char* f : {"received", "completed", "assessed", "appraised", "decided"}) {
    const auto* field = d.dates().GetDescriptor()->FindFieldByName(f);
    c.Date(Key("dates", f), d.dates().GetReflection()->GetString(d.dates(), field));
  }
  const sc::Device& dev = d.device();
  if (!dev.cnd_code().empty() && !std::regex_match(dev.cnd_code(), std::regex("[A-Z]([0-9]{2})*"))) {
    c.Error("device.cnd_code", "found '" + dev.cnd_code() +
                                   "', but a CND code is a capital letter followed by pairs of digits (e.g. P0908)");
  }
  if (dev.has_rdm_number() && dev.rdm_number() <= 0) {
    c.Error("device.rdm_number", "found '" + std::to_string(dev.rdm_number()) + "', but must be a positive number");
  }
  const sc::Regulatory& reg = dev.regulatory();
  c.OneOf("device.regulatory.framework", reg.framework(),
          {"MDR", "IVDR", "MDD_legacy", "AIMDD_legacy", "IVDD_legacy", "none_investigational"});
  c.OneOf("device.regulatory.risk_class", reg.risk_class(), kRiskClasses);
  c.Date("device.regulatory.certificate_expiry", reg.certificate_expiry());
  for (int i = 0; i < reg.open_safety_actions_size(); ++i) {
    const std::string p = Item("device.regulatory.open_safety_actions", i);
    c.OneOf(Key(p, "type"), reg.open_safety_actions(i).type(), {"FSCA", "recall", "alert"});
    c.Date(Key(p, "date"), reg.open_safety_actions(i).date());
  }
  c.OneOf("device.device_kind", dev.device_kind(),
          {"consumable", "implant", "capital_equipment", "software", "ivd", "combination"});
  c.OneOf("pico.intervention.setting", d.pico().intervention().setting(),
          {"inpatient", "day_surgery", "outpatient", "home", "lab"});
  for (int i = 0; i < d.pico().outcomes_size(); ++i) {
    c.OneOf(Key(Item("pico.outcomes", i), "importance"), d.pico().outcomes(i).importance(),
            {"critical", "important", "limited"});
  }
  c.Date("evidence.search.date", d.evidence().search().date());
  for (int i = 0; i < d.evidence().studies_size(); ++i) {
    const sc::Study& s = d.evidence().studies(i);
    const std::string p = Item("evidence.studies", i);
    c.OneOf(Key(p, "design"), s.design(), {"systematic_review", "rct", "nonrandomised_comparative", "cohort", "registry",
                                           "case_series", "case_report", "bench_or_animal", "other"});
    c.OneOf(Key(p, "sponsor"), s.sponsor(), {"industry", "academic", "mixed", "unknown"});
    c.OneOf(Key(p, "risk_of_bias.judgement"), s.risk_of_bias().judgement(), {"low", "some_concerns", "high"});
  }
  for (int i = 0; i < d.evidence().certainty_by_outcome_size(); ++i) {
    c.OneOf(Key(Item("evidence.certainty_by_outcome", i), "grade"), d.evidence().certainty_by_outcome(i).grade(),
            {"high", "moderate", "low", "very_low"});
  }
  for (int i = 0; i < d.costs_size(); ++i) {
    const sc::CostItem& item = d.costs(i);
    const std::string p = Item("costs", i);
    c.OneOf(Key(p, "category"), item.category(), {"purchase", "lease_rent", "consumable_per_use", "maintenance", "training",
                                                  "installation_works", "it_integration", "staff_time", "disposal", "other"});
    c.OneOf(Key(p, "applies_to"), item.applies_to(), {"intervention", "comparator"});
    c.OneOf(Key(p, "basis"), item.basis(), {"per_procedure", "per_patient", "per_year", "one_off"});
    c.OneOf(Key(p, "source"), item.source(), {"quote", "tender", "nsis_flow", "tariff", "literature", "estimate"});
    if (item.unit_cost().has_amount() && item.unit_cost().amount() < 0) {
      c.Error(Key(p, "unit_cost"), "found '" + models::FormatNumber(item.unit_cost().amount()) + "', but must be >= 0");
    }
  }
  c.OneOf("acquisition_mode", d.acquisition_mode(), {"purchase", "lease", "rent", "pay_per_use",
                                                     "free_loan_with_consumables", "donation", "trial"});
  for (int i = 0; i < d.volumes_size(); ++i) {
    const sc::Volume& v = d.volumes(i);
    const std::string p = Item("volumes", i);
    if (v.has_comparator_displaced_pct() && !(v.comparator_displaced_pct() >= 0 && v.comparator_displaced_pct() <= 100)) {
      c.Error(Key(p, "comparator_displaced_pct"), "found '" + models::FormatNumber(v.comparator_displaced_pct()) +
                                                       "', but must be a percentage in [0, 100]");
    }
    if (v.has_year() && v.year() < 1) c.Error(Key(p, "year"), "found '" + std::to_string(v.year()) + "', but budget years start at 1");
  }
  for (int i = 0; i < d.economic_analyses_size(); ++i) {
    const sc::EconomicAnalysis& a = d.economic_analyses(i);
    const std::string p = Item("economic_analyses", i);
    c.OneOf(Key(p, "type"), a.type(), {"cost_consequence", "cea", "cua", "cma", "bia"});
    c.OneOf(Key(p, "perspective"), a.perspective(), {"hospital", "regional", "ssn", "societal"});
    if (a.has_exchange_rate() && !(a.exchange_rate() > 0)) {
      c.Error(Key(p, "exchange_rate"), "found '" + models::FormatNumber(a.exchange_rate()) + "', but must be > 0");
    }
  }
  for (int i = 0; i < d.interest_declarations_size(); ++i) {
    const sc::InterestDeclaration& decl = d.interest_declarations(i);
    const std::string p = Item("interest_declarations", i);
    c.Date(Key(p, "declared_at"), decl.declared_at());
    c.OneOf(Key(p, "outcome"), decl.outcome(), {"no_conflict", "conflict_manageable", "must_recuse"});
    for (int k = 0; k < decl.interests_size(); ++k) {
      c.OneOf(Key(Item(Key(p, "interests"), k), "kind"), decl.interests(k).kind(),
              {"financial", "consultancy", "research_funding", "ownership", "personal", "institutional", "none"});
    }
  }
  for (int i = 0; i < d.attachments_size(); ++i) {
    const sc::Attachment& a = d.attachments(i);
    const std::string p = Item("attachments", i);
    c.OneOf(Key(p, "kind"), a.kind(), {"ifu", "technical_sheet", "ce_certificate", "sscp", "study_pdf", "quote", "other"});
    c.Date(Key(p, "received"), a.received());
    if (!a.sha256().empty() && !std::regex_match(a.sha256(), std::regex("[0-9a-f]{64}"))) {
      c.Error(Key(p, "sha256"), "found '" + a.sha256() + "', but must be 64 lowercase hexadecimal digits");
    }
  }
  for (int i = 0; i < d.related().external_appraisals_size(); ++i) {
    const sc::ExternalAppraisal& e = d.related().external_appraisals(i);
    const std::string p = Item("related.external_appraisals", i);
    c.OneOf(Key(p, "issuer"), e.issuer(), {"national_pnhta", "agenas", "region", "eu_jca", "foreign_hta", "other_hospital"});
    c.OneOf(Key(p, "device_match"), e.device_match(), {"same_model", "same_cnd_type", "similar"});
    c.OneOf(Key(p, "indication_match"), e.indication_match(), {"same", "broader", "narrower", "different"});
    c.Date(Key(p, "date"), e.date());
  }
}

// Checks an expression of a criteria set: it parses, and names only what an evaluation
// provides. `path` locates it; `offset` errors point inside it.
void CheckExpression(const std::string& text, const std::string& path, const std::string& file, const SourceMap& map,
                     Diagnostics* diag) {
  auto parsed = expr::Expression::Parse(text);
  if (std::holds_alternative<expr::Error>(parsed)) {
    const expr::Error& e = std::get<expr::Error>(parsed);
    diag->AddIssues(file, map, {models::Issue{path, e.message, e.offset}});
    return;
  }
  const auto& roots = ContextRoots();
  for (const std::string& p : std::get<expr::Expression>(parsed).Paths()) {
    const std::string root = p.substr(0, p.find('.'));
    if (std::find(roots.begin(), roots.end(), root) != roots.end()) continue;
    const size_t at = text.find(p);
    diag->AddIssues(file, map,
                    {models::Issue{path, "'" + root + "' is not something an evaluation provides" +
                                             models::DidYouMeanSuffix(root, roots) + "; expressions can read " +
                                             models::QuotedList(roots),
                                   at == std::string::npos ? -1 : static_cast<int>(at)}});
  }
}

void CheckCriteria(const sc::Criteria& cs, const std::string& file, const SourceMap& map, FieldChecker& c,
                   Diagnostics* diag) {
  c.Format(cs.format(), "vaglio.criteria/1", "a criteria set");
  c.OneOf("status", cs.status(), {"draft", "approved", "retired"});
  c.OneOf("owner.level", cs.owner().level(), {"hospital", "region", "national"});
  c.Date("valid_from", cs.valid_from());
  c.Date("valid_to", cs.valid_to());
  c.Date("approval.date", cs.approval().date());
  const sc::CriteriaParameters& p = cs.parameters();
  for (int i = 0; i < p.perspectives_size(); ++i) {
    c.OneOf(Item("parameters.perspectives", i), p.perspectives(i), {"hospital", "regional", "ssn", "societal"});
  }
  if (p.wtp_thresholds_size() == 0) c.Error("parameters.wtp_thresholds", "is missing, but at least one threshold is needed");
  for (const sc::Threshold& t : p.wtp_thresholds()) {
    if (!t.has_value() || !(t.value() >= 0)) {
      c.Error(Key("parameters.wtp_thresholds", t.label()), "must be a willingness to pay >= 0 per unit of effect");
    }
  }
  for (const auto& [name, has, value] : {std::tuple{"discount_rate_costs", p.has_discount_rate_costs(), p.discount_rate_costs()},
                                         std::tuple{"discount_rate_outcomes", p.has_discount_rate_outcomes(), p.discount_rate_outcomes()}}) {
    if (!has) {
      c.Error(Key("parameters", name), "is missing, but is required (the committee's discount rate)");
    } else if (!(value >= 0 && value <= 1)) {
      c.Error(Key("parameters", name), "is " + models::FormatNumber(value) + ", but must be an annual rate in [0, 1]");
    }
  }
  if (!p.has_bia_horizon_years() || p.bia_horizon_years() < 1 || p.bia_horizon_years() > 50) {
    c.Error("parameters.bia_horizon_years", "must be given, from 1 to 50 years");
  }
  if (p.has_psa_draws() && (p.psa_draws() < 0 || p.psa_draws() == 1)) {
    c.Error("parameters.psa_draws", "is " + std::to_string(p.psa_draws()) + ", but must be 0 (no PSA) or at least 2");
  }
  for (const sc::Gate& g : cs.gates()) {
    const std::string gp = Key("gates", g.id());
    if (g.check().empty()) {
      c.Error(gp, "has no check, but a gate needs an expression that is true when it passes");
    } else {
      CheckExpression(g.check(), Key(gp, "check"), file, map, diag);
    }
    if (g.on_fail().empty()) c.Error(gp, "has no on_fail, but must say what a failure does");
    c.OneOf(Key(gp, "on_fail"), g.on_fail(), {"inadmissible", "incomplete", "route_research", "refer", "flag"});
  }
  const sc::Mcda& m = cs.mcda();
  c.OneOf("mcda.method", m.method(), {"weighted_sum"});
  c.OneOf("mcda.scoring_mode", m.scoring_mode(), {"consensus", "median", "mean"});
  const std::string wm = m.weight_elicitation().method();
  c.OneOf("mcda.weight_elicitation.method", wm, {"direct_rating", "point_allocation", "hierarchical_point_allocation"});
  if (m.criteria_size() == 0) c.Error("mcda.criteria", "is missing, but a criteria set needs criteria");
  const std::vector<std::string> domains = {"CUR", "TEC", "SAF", "EFF", "ECO", "ETH", "ORG", "SOC", "LEG"};
  double total = 0;
  for (const sc::Criterion& cr : m.criteria()) {
    const std::string cp = Key("mcda.criteria", cr.id());
    c.OneOf(Key(cp, "domain"), cr.domain(), domains);
    if (cr.domain().empty()) c.Error(cp, "has no domain, but must name its HTA Core Model domain");
    c.OneOf(Key(cp, "kind"), cr.kind(), {"absolute", "comparative"});
    c.OneOf(Key(cp, "missing"), cr.missing(), {"score_zero_no_credible_evidence", "exclude_and_renormalise", "block"});
    c.OneOf(Key(cp, "scale.type"), cr.scale().type(), {"ordinal", "continuous"});
    if (!cr.scale().has_min() || !cr.scale().has_max() || !(cr.scale().min() < cr.scale().max())) {
      c.Error(Key(cp, "scale"), "needs min < max (the range a score maps onto 0..1)");
    }
    for (int i = 0; i < cr.scale().levels_size(); ++i) {
      const sc::Level& l = cr.scale().levels(i);
      if (!l.has_value() || !(l.value() >= cr.scale().min() && l.value() <= cr.scale().max())) {
        c.Error(Item(Key(cp, "scale.levels"), i),
                (l.has_value() ? "has value " + models::FormatNumber(l.value()) : std::string("has no value")) +
                    ", but a level must lie in the scale's range");
      }
    }
    if (!cr.has_weight() || !(cr.weight() >= 0)) c.Error(Key(cp, "weight"), "must be given, >= 0");
    total += cr.weight();
    if (!cr.computed().empty()) CheckExpression(cr.computed(), Key(cp, "computed"), file, map, diag);
    if (!cr.value_function().input().empty()) {
      const sc::ValueFunction& vf = cr.value_function();
      CheckExpression(vf.input(), Key(cp, "value_function.input"), file, map, diag);
      c.OneOf(Key(cp, "value_function.type"), vf.type(), {"linear", "piecewise"});
      if (vf.points_size() < 2) c.Error(Key(cp, "value_function.points"), "needs at least two [x, v] points");
      for (int i = 0; i < vf.points_size(); ++i) {
        if (vf.points(i).values_size() != 2) {
          c.Error(Item(Key(cp, "value_function.points"), i), "must be a pair [x, v]");
        } else if (i > 0 && vf.points(i - 1).values_size() == 2 && !(vf.points(i).values(0) > vf.points(i - 1).values(0))) {
          c.Error(Item(Key(cp, "value_function.points"), i), "x must increase from point to point");
        }
      }
    }
    if (!cr.computed().empty() && !cr.value_function().input().empty()) {
      c.Error(cp, "gives both computed and value_function, but a score has one source");
    }
    if (wm == "hierarchical_point_allocation") {
      bool found = false;
      for (const sc::DomainWeight& dw : m.weight_elicitation().domains()) found |= dw.domain() == cr.domain();
      if (!found) c.Error(Key(cp, "domain"), "'" + cr.domain() + "' has no points under mcda.weight_elicitation.domains");
    }
  }
  if (wm == "point_allocation") {
    const double points = m.weight_elicitation().has_total_points() ? m.weight_elicitation().total_points() : 100.0;
    if (std::fabs(total - points) > 1e-9 * points) {
      c.Error("mcda.criteria", "the weights sum to " + models::FormatComputed(total) + ", but point allocation shares " +
                                   models::FormatNumber(points) + " points");
    }
  }
  if (wm == "hierarchical_point_allocation") {
    for (const sc::DomainWeight& dw : m.weight_elicitation().domains()) {
      c.OneOf(Key("mcda.weight_elicitation.domains", dw.domain()), dw.domain(), domains);
      if (!dw.has_weight() || !(dw.weight() >= 0)) {
        c.Error(Key("mcda.weight_elicitation.domains", dw.domain()), "must be given points >= 0");
      }
    }
  }
  if (cs.decision_rules_size() == 0) c.Error("decision_rules", "is missing, but a criteria set needs decision rules");
  const std::vector<std::string> outcomes = {"APPROVE", "APPROVE_WITH_CONDITIONS", "RESEARCH_ONLY", "DEFER",
                                             "REJECT", "REFER", "INADMISSIBLE"};
  for (const sc::DecisionRule& r : cs.decision_rules()) {
    const std::string rp = Key("decision_rules", r.id());
    if (r.condition().empty()) {
      c.Error(rp, "has no condition (write condition: 'true' for the last rule)");
    } else {
      CheckExpression(r.condition(), Key(rp, "condition"), file, map, diag);
    }
    if (r.outcome().empty()) c.Error(rp, "has no outcome");
    c.OneOf(Key(rp, "outcome"), r.outcome(), outcomes);
    for (int i = 0; i < r.conditions_size(); ++i) {
      const sc::ConditionTemplate& t = r.conditions(i);
      const std::string tp = Item(Key(rp, "conditions"), i);
      c.OneOf(Key(tp, "type"), t.type(),
              {"restricted_indication", "restricted_operators_or_centre", "volume_cap", "trial_period", "registry_enrolment",
               "outcome_audit", "price_agreement", "re_evaluation", "evidence_request", "training_requirement",
               "comparator_disinvestment"});
      if (!t.when().empty()) CheckExpression(t.when(), Key(tp, "when"), file, map, diag);
      for (const auto& param : t.parameters()) {
        CheckExpression(param.expr(), Key(Key(tp, "parameters"), param.name()), file, map, diag);
      }
    }
  }
  const sc::Sensitivity& s = cs.sensitivity();
  if (s.has_weight_perturbation_pct() && !(s.weight_perturbation_pct() >= 0 && s.weight_perturbation_pct() < 100)) {
    c.Error("sensitivity.weight_perturbation_pct", "must be a percentage in [0, 100)");
  }
  if (s.has_random_weight_draws() && s.random_weight_draws() < 0) c.Error("sensitivity.random_weight_draws", "must be >= 0");
  c.OneOf("voting.majority", cs.voting().majority(), {"simple", "two_thirds", "consensus"});
  c.OneOf("voting.dissent_recorded", cs.voting().dissent_recorded(), {"named", "anonymous"});
}

}  // namespace

const std::vector<std::string>& ContextRoots() {
  static const std::vector<std::string> roots = {
      // the dossier
      "dossier_id", "title", "status", "decision_level", "request_type", "dates", "receiving_body", "requesting_unit",
      "requesters", "related", "device", "pico", "evidence", "safety", "costs", "acquisition_mode", "reimbursement",
      "volumes", "economic_analyses", "organisation", "elsi_patient", "interest_declarations", "attachments", "people",
      // what the evaluation adds
      "today", "parameters", "wtp", "facts", "completeness", "gates", "criteria", "mcda", "economics", "bia",
      "robustness", "committee"};
  return roots;
}

nlohmann::ordered_json DossierJson(const schemas::Dossier& d) {
  std::string json;
  google::protobuf::util::JsonPrintOptions opts;
  opts.preserve_proto_field_names = true;
  (void)google::protobuf::util::MessageToJsonString(d, &json, opts);
  return nlohmann::ordered_json::parse(json);
}

std::optional<LoadedDossier> LoadDossier(const FileSystem& fs, const std::string& path, Diagnostics* diag) {
  const size_t before = diag->size();
  auto out = ReadInto<sc::Dossier>(fs, path, "dossier", diag);
  if (!out) return std::nullopt;
  FieldChecker c(out->file, out->map, diag);
  CheckDossier(out->proto, c);
  if (diag->size() != before) return std::nullopt;
  return out;
}

std::optional<LoadedCriteria> LoadCriteria(const FileSystem& fs, const std::string& path, Diagnostics* diag) {
  const size_t before = diag->size();
  auto out = ReadInto<sc::Criteria>(fs, path, "criteria set", diag);
  if (!out) return std::nullopt;
  FieldChecker c(out->file, out->map, diag);
  CheckCriteria(out->proto, out->file, out->map, c, diag);
  if (diag->size() != before) return std::nullopt;
  return out;
}

std::optional<LoadedScores> LoadScores(const FileSystem& fs, const std::string& path, Diagnostics* diag) {
  const size_t before = diag->size();
  auto out = ReadInto<sc::Scores>(fs, path, "scores file", diag);
  if (!out) return std::nullopt;
  FieldChecker c(out->file, out->map, diag);
  c.Format(out->proto.format(), "vaglio.scores/1", "a scores file");
  c.Date("meeting_date", out->proto.meeting_date());
  for (const sc::Member& m : out->proto.members()) {
    c.OneOf(Key(Key("members", m.id()), "interest_outcome"), m.interest_outcome(), {"no_conflict", "conflict_manageable", "recused"});
  }
  std::vector<std::string> ids;
  for (const sc::Member& m : out->proto.members()) ids.push_back(m.id());
  for (const sc::CriterionScores& cs : out->proto.scores()) {
    for (const sc::MemberScore& ms : cs.members()) {
      if (std::find(ids.begin(), ids.end(), ms.member()) == ids.end()) {
        c.Error(Key(Key("scores", cs.criterion()), ms.member()),
                "'" + ms.member() + "' is not a member listed under members:" + models::DidYouMeanSuffix(ms.member(), ids));
      }
    }
  }
  if (diag->size() != before) return std::nullopt;
  return out;
}

}  // namespace vaglio::engine
