#include "engine/evaluation/evaluate.h"

#include <google/protobuf/util/json_util.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "engine/evaluation/cheers.h"
#include "engine/evaluation/robustness.h"
#include "engine/evaluation/rules.h"
#include "engine/expr/json_context.h"
#include "engine/hash.h"
#include "engine/load/closed_sets.h"
#include "models/text.h"
#include "vaglio/version.h"

namespace vaglio::engine {
namespace {

namespace sc = vaglio::schemas;
using Json = nlohmann::ordered_json;

Json NumberOrNull(std::optional<double> v) { return v && std::isfinite(*v) ? Json(*v) : Json(nullptr); }

int GradeLevel(const std::string& g) {
  if (g == "high") return 4;
  if (g == "moderate") return 3;
  if (g == "low") return 2;
  if (g == "very_low") return 1;
  return 0;
}

// Facts derived from the dossier, so criteria sets need not repeat the arithmetic.
Json Facts(const sc::Dossier& d) {
  Json f;
  int critical = 0;
  std::set<std::string> critical_names;
  for (const auto& o : d.pico().outcomes()) {
    if (o.importance() == "critical") {
      ++critical;
      critical_names.insert(o.name());
    }
  }
  f["critical_outcomes"] = critical;
  // The lowest GRADE certainty over the critical outcomes (4 high .. 1 very low), 0 when
  // a critical outcome has no grade.
  int lowest = critical > 0 ? 4 : 0;
  for (const std::string& name : critical_names) {
    int grade = 0;
    for (const auto& c : d.evidence().certainty_by_outcome()) {
      if (c.outcome() == name) grade = GradeLevel(c.grade());
    }
    lowest = std::min(lowest, grade);
  }
  f["lowest_certainty"] = lowest;
  int rcts = 0, comparative = 0;
  for (const auto& s : d.evidence().studies()) {
    rcts += s.design() == "rct";
    comparative += s.design() == "rct" || s.design() == "nonrandomised_comparative" || s.design() == "systematic_review";
  }
  f["studies"] = d.evidence().studies_size();
  f["rcts"] = rcts;
  f["comparative_studies"] = comparative;
  const auto& reg = d.device().regulatory();
  f["class_iii_or_implantable"] = reg.risk_class() == "III" || (reg.has_implantable() && reg.implantable());
  f["open_safety_actions"] = reg.open_safety_actions_size();
  f["external_appraisals"] = d.related().external_appraisals_size();
  f["interest_declarations"] = d.interest_declarations_size();
  // Every requester has an interest declaration (and there is at least one requester).
  bool declared = d.requesters_size() > 0;
  for (const auto& rq : d.requesters()) {
    declared = declared && std::any_of(d.interest_declarations().begin(), d.interest_declarations().end(),
                                       [&](const sc::InterestDeclaration& x) { return x.person() == rq.person(); });
  }
  f["requesters_declared"] = declared;
  int must_recuse = 0;
  for (const auto& x : d.interest_declarations()) must_recuse += x.outcome() == "must_recuse";
  f["requesters_must_recuse"] = must_recuse;
  return f;
}

Json EconomicsJson(const EconomicsResult& e, const std::string& currency) {
  Json j;
  j["available"] = e.has_model;
  j["currency"] = currency;
  j["device"] = e.device;
  j["comparator"] = e.comparator;
  j["delta_cost"] = e.has_model ? Json(e.delta_cost) : Json(nullptr);
  j["delta_effect"] = e.has_model ? Json(e.delta_effect) : Json(nullptr);
  j["icer"] = NumberOrNull(e.icer);
  j["status"] = e.has_model ? Json(e.status) : Json(nullptr);
  j["dominant"] = e.status == "dominant";
  j["dominated"] = e.status == "dominated";
  Json inmb = Json::object(), pce = Json::object(), price = Json::object();
  for (const ThresholdResult& t : e.thresholds) {
    inmb[t.label] = t.inmb;
    pce[t.label] = NumberOrNull(t.p_ce);
    price[t.label] = t.price_threshold ? Json(*t.price_threshold * e.exchange_rate) : Json(nullptr);
  }
  j["inmb"] = inmb;
  j["p_ce"] = pce;
  j["price_threshold"] = price;
  return j;
}

Json BiaJson(const EconomicsResult& e, const sc::CriteriaParameters& p) {
  Json j;
  j["available"] = e.has_bia;
  auto side = [](const std::vector<models::BiaYear>& years, double total) {
    Json s;
    s["year1"] = years.empty() ? Json(nullptr) : Json(years.front().net);
    s["total"] = total;
    Json ys = Json::array();
    for (const auto& y : years) ys.push_back(y.net);
    s["years"] = ys;
    return s;
  };
  j["hospital"] = e.has_bia ? side(e.bia.hospital, e.bia.total_hospital) : Json(nullptr);
  j["ssn"] = e.has_bia ? side(e.bia.ssn, e.bia.total_ssn) : Json(nullptr);
  // The year-1 net impact on the hospital as a share of the committee's budget envelope.
  const bool envelope = e.has_bia && p.has_budget_envelope_eur() && p.budget_envelope_eur() > 0 && !e.bia.hospital.empty();
  j["share_of_envelope"] = envelope ? Json(e.bia.hospital.front().net / p.budget_envelope_eur()) : Json(nullptr);
  // The largest yearly net impact on the hospital over the horizon, as a share.
  double peak = 0;
  for (size_t y = 0; envelope && y < e.bia.hospital.size(); ++y) peak = y == 0 ? e.bia.hospital[y].net : std::max(peak, e.bia.hospital[y].net);
  j["peak_share_of_envelope"] = envelope ? Json(peak / p.budget_envelope_eur()) : Json(nullptr);
  return j;
}

Json CommitteeJson(const sc::Scores& s, const sc::Criteria& cs) {
  Json j;
  int voting = 0, recused = 0;
  bool declared = true;
  for (const auto& m : s.members()) {
    const bool rec = m.interest_outcome() == "recused";
    recused += rec;
    voting += (!m.has_voting() || m.voting()) && !rec;
    declared = declared && !m.interest_outcome().empty();
  }
  j["all_declared"] = declared;
  j["members"] = s.members_size();
  j["voting"] = voting;
  j["recused"] = recused;
  j["quorum"] = cs.voting().quorum();
  j["quorum_met"] = voting >= cs.voting().quorum();
  return j;
}

void AddOperands(const expr::Evaluation& ev, google::protobuf::RepeatedPtrField<sc::Operand>* out) {
  for (const expr::Operand& o : ev.operands) {
    sc::Operand* x = out->Add();
    x->set_path(o.path);
    x->set_value(o.missing ? "missing" : o.value.ToString());
  }
}

std::string Fmt(double v, int digits = 6) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*g", digits, v);
  return buf;
}

// Checks the scores against the criteria set and the dossier: known criteria, values on
// each scale, evidence references naming the dossier's studies.
void CheckScores(const LoadedScores& s, const sc::Criteria& cs, const sc::Dossier& dossier, bool foreign_scores,
                 Diagnostics* diag) {
  const std::string& dossier_id = dossier.dossier_id();
  std::vector<std::string> studies;
  for (const auto& st : dossier.evidence().studies()) {
    if (!st.id().empty()) studies.push_back(st.id());
  }
  // (An id missing from the dossier or the criteria set has been reported with them.)
  if (!s.proto.dossier_id().empty() && !dossier_id.empty() && s.proto.dossier_id() != dossier_id) {
    diag->Error(s.file, s.map.Find("dossier_id"), "dossier_id",
                "is '" + s.proto.dossier_id() + "', but the dossier evaluated is '" + dossier_id + "'");
  }
  if (!foreign_scores && !s.proto.config_id().empty() && !cs.config_id().empty() &&
      s.proto.config_id() != cs.config_id()) {
    diag->Error(s.file, s.map.Find("config_id"), "config_id",
                "is '" + s.proto.config_id() + "', but the criteria set applied is '" + cs.config_id() + "'");
  }
  std::vector<std::string> ids;
  for (const auto& c : cs.mcda().criteria()) ids.push_back(c.id());
  for (const auto& cscore : s.proto.scores()) {
    const std::string path = JoinPath("scores", cscore.criterion());
    const sc::Criterion* crit = nullptr;
    for (const auto& c : cs.mcda().criteria()) {
      if (c.id() == cscore.criterion()) crit = &c;
    }
    if (crit == nullptr) {
      if (foreign_scores) continue;
      diag->Error(s.file, s.map.Find(path), path, "'" + cscore.criterion() + "' is not a criterion of the criteria set" +
                                                      models::DidYouMeanSuffix(cscore.criterion(), ids));
      continue;
    }
    // A scale the criteria set's own checks rejected is no measure of the scores.
    const std::string scale = JoinPath(JoinPath("mcda.criteria", crit->id()), "scale");
    const bool scale_rejected = std::any_of(diag->items().begin(), diag->items().end(), [&](const Diagnostic& d) {
      return d.path.rfind(scale, 0) == 0 || d.path == JoinPath("mcda.criteria", crit->id());
    });
    auto check = [&](const sc::MemberScore& ms, const std::string& p) {
      if (!ms.has_score() || scale_rejected) return;
      const double v = ms.score();
      bool ok = v >= crit->scale().min() && v <= crit->scale().max();
      if (ok && crit->scale().type() == "ordinal" && crit->scale().levels_size() > 0) {
        ok = std::any_of(crit->scale().levels().begin(), crit->scale().levels().end(),
                         [&](const sc::Level& l) { return l.value() == v; });
      }
      if (!ok) {
        diag->Error(s.file, s.map.Find(p), p,
                    "is " + models::FormatNumber(v) + ", but " + crit->id() + " is scored " +
                        (crit->scale().levels_size() > 0 ? "on the levels of its scale" : "in its scale's range") + " from " +
                        models::FormatNumber(crit->scale().min()) + " to " + models::FormatNumber(crit->scale().max()));
      }
    };
    if (cscore.has_consensus()) check(cscore.consensus(), JoinPath(path, "consensus"));
    for (const auto& ms : cscore.members()) check(ms, JoinPath(path, ms.member()));
  }
  // Evidence is referred to by study id (docs/formats.md §Studies); a dossier without
  // studies is incomplete, which its evaluation says, rather than a reason to stop.
  for (const auto& cscore : s.proto.scores()) {
    if (studies.empty()) break;
    const std::string path = JoinPath("scores", cscore.criterion());
    auto refs = [&](const sc::MemberScore& ms, const std::string& p) {
      for (int i = 0; i < ms.evidence_refs_size(); ++i) {
        const std::string& ref = ms.evidence_refs(i);
        if (std::find(studies.begin(), studies.end(), ref) != studies.end()) continue;
        std::string hint = models::DidYouMeanSuffix(ref, studies);
        if (hint.empty()) hint = ", whose studies are " + models::QuotedList(studies);
        const std::string rp = IndexPath(JoinPath(p, "evidence_refs"), static_cast<size_t>(i));
        diag->Error(s.file, s.map.Find(rp), rp, "'" + ref + "' is not the id of a study of the dossier" + hint);
      }
    };
    if (cscore.has_consensus()) refs(cscore.consensus(), JoinPath(path, "consensus"));
    for (const auto& ms : cscore.members()) refs(ms, JoinPath(path, ms.member()));
  }
}

}  // namespace

expr::JsonContext MakeContext(const Json& context) {
  expr::JsonContext jc(&context);
  auto at = [&](const char* a, const char* b) -> const Json* {
    auto i = context.find(a);
    if (i == context.end() || !i->is_object()) return nullptr;
    auto k = i->find(b);
    return k == i->end() ? nullptr : &*k;
  };
  const Json* available = at("economics", "available");
  if (available != nullptr && available->is_boolean()) {
    if (!available->get<bool>()) {
      for (const char* k : {"icer", "delta_cost", "delta_effect", "status"}) {
        jc.SetNullReason(std::string("economics.") + k, "the dossier has no economic model");
      }
    } else if (const Json* icer = at("economics", "icer"); icer != nullptr && icer->is_null()) {
      const Json* status = at("economics", "status");
      jc.SetNullReason("economics.icer", "undefined ICER: the device is " +
                                             (status != nullptr && status->is_string() ? status->get<std::string>() : "") +
                                             " against its comparator");
    }
  }
  const Json* bia = at("bia", "available");
  if (bia != nullptr && bia->is_boolean() && !bia->get<bool>()) {
    for (const char* k : {"hospital", "ssn", "share_of_envelope", "peak_share_of_envelope"}) {
      jc.SetNullReason(std::string("bia.") + k, "no budget impact: the dossier has no costs or no volumes");
    }
  } else if (const Json* share = at("bia", "share_of_envelope"); share != nullptr && share->is_null()) {
    jc.SetNullReason("bia.share_of_envelope", "no budget_envelope_eur in the criteria set's parameters");
    jc.SetNullReason("bia.peak_share_of_envelope", "no budget_envelope_eur in the criteria set's parameters");
  }
  if (const Json* blocked = at("mcda", "blocked_by"); blocked != nullptr && blocked->is_string() && !blocked->get<std::string>().empty()) {
    jc.SetNullReason("mcda.total", "no total: " + blocked->get<std::string>() + " has no score and its missing policy is block");
  }
  if (auto c = context.find("criteria"); c != context.end() && c->is_object()) {
    for (const auto& [id, v] : c->items()) {
      if (v.is_null()) jc.SetNullReason("criteria." + id, "no score for " + id);
    }
  }
  return jc;
}

std::string RecordJson(const schemas::Evaluation& record) {
  std::string json;
  google::protobuf::util::JsonPrintOptions opts;
  opts.preserve_proto_field_names = true;
  opts.always_print_primitive_fields = true;
  opts.add_whitespace = true;
  (void)google::protobuf::util::MessageToJsonString(record, &json, opts);
  return json;
}

std::optional<std::pair<std::string, std::string>> DecideOutcome(const schemas::Criteria& cs, const Json& context,
                                                                   const std::string& file, const SourceMap& map,
                                                                   Diagnostics* diag) {
  expr::JsonContext ctx = MakeContext(context);
  RuleSet rules(cs);
  models::Issues issues;
  auto m = rules.First(ctx, &issues);
  if (!m) {
    diag->AddIssues(file, map, issues);
    return std::nullopt;
  }
  const auto& r = cs.decision_rules(m->rule);
  return std::make_pair(r.outcome(), r.id());
}

std::optional<EvaluationResult> Evaluate(const FileSystem& fs, const EvaluateOptions& opts, Diagnostics* diag) {
  // Every file is read and checked, and so is the date, before anything stops: each
  // problem is reported at once.
  const size_t before = diag->size();
  auto dossier = LoadDossier(fs, opts.dossier, diag, /*keep_with_problems=*/true);
  auto criteria = LoadCriteria(fs, opts.criteria, diag, /*keep_with_problems=*/true);
  std::optional<LoadedScores> scores;
  if (!opts.scores.empty()) scores = LoadScores(fs, opts.scores, diag, /*keep_with_problems=*/true);
  if (dossier && criteria && scores) CheckScores(*scores, criteria->proto, dossier->proto, opts.foreign_scores, diag);
  std::optional<int> date;
  if (!opts.date.empty()) {
    date = ParseIsoDate(opts.date);
    if (!date) diag->Error("--date", {}, "", "found '" + opts.date + "', but must be a calendar date written YYYY-MM-DD");
  } else if (scores && !scores->proto.meeting_date().empty()) {
    date = ParseIsoDate(scores->proto.meeting_date());  // when malformed, the scores' loader has said so
  } else if (scores || opts.scores.empty()) {
    diag->Error("--date", {}, "", "the evaluation date is missing: give --date YYYY-MM-DD (or a meeting_date in the scores)");
  }
  const bool problems = std::any_of(diag->items().begin() + static_cast<std::ptrdiff_t>(before), diag->items().end(),
                                    [](const Diagnostic& d) { return !d.warning; });
  if (problems || !dossier || !criteria || (!opts.scores.empty() && !scores) || !date) return std::nullopt;
  EvaluationResult r{std::move(*dossier), std::move(*criteria), std::move(scores), *date, {}, {}, {}, {}, {}, {}, {}};
  const sc::Criteria& cs = r.criteria.proto;
  const sc::Dossier& ds = r.dossier.proto;

  // Completeness and economics.
  const Json dossier_json = DossierJson(ds);
  r.completeness = CheckCompleteness(dossier_json);
  auto econ = RunEconomics(fs, r.dossier, r.criteria, opts.threads, diag);
  if (!econ) return std::nullopt;
  r.economics = std::move(*econ);

  // The context the expressions read.
  const std::string currency = cs.parameters().currency().empty() ? "EUR" : cs.parameters().currency();
  Json& ctx = r.context;
  ctx = dossier_json;
  ctx["today"] = FormatIsoDate(r.date);
  Json params;
  params["discount_rate_costs"] = cs.parameters().discount_rate_costs();
  params["discount_rate_outcomes"] = cs.parameters().discount_rate_outcomes();
  params["bia_horizon_years"] = cs.parameters().bia_horizon_years();
  params["budget_authority_eur"] = cs.parameters().has_budget_authority_eur() ? Json(cs.parameters().budget_authority_eur()) : Json(nullptr);
  params["budget_envelope_eur"] = cs.parameters().has_budget_envelope_eur() ? Json(cs.parameters().budget_envelope_eur()) : Json(nullptr);
  params["currency"] = currency;
  ctx["parameters"] = params;
  Json wtp = Json::object();
  for (const auto& t : cs.parameters().wtp_thresholds()) wtp[t.label()] = t.value();
  ctx["wtp"] = wtp;
  ctx["facts"] = Facts(ds);
  Json comp;
  comp["score"] = r.completeness.score;
  comp["required_missing"] = static_cast<int>(r.completeness.missing_required.size());
  comp["missing"] = r.completeness.missing_required;
  Json domains = Json::object();
  for (const auto& d : r.completeness.domains) domains[d.domain] = d.total > 0 ? static_cast<double>(d.answered) / d.total : 1.0;
  comp["domains"] = domains;
  ctx["completeness"] = comp;
  ctx["economics"] = EconomicsJson(r.economics, currency);
  ctx["bia"] = BiaJson(r.economics, cs.parameters());
  if (r.scores && opts.committee) ctx["committee"] = CommitteeJson(r.scores->proto, cs);

  sc::Evaluation& rec = r.record;
  models::Issues issues;
  // Gates.
  Json gates = Json::object();
  Json failed = Json::array();
  Json failed_on;
  for (const char* k : {"inadmissible", "incomplete", "route_research", "refer", "flag"}) failed_on[k] = Json::array();
  {
    expr::JsonContext jc = MakeContext(ctx);
    for (const auto& g : cs.gates()) {
      auto ev = EvaluateText(g.check(), jc, "gates." + g.id() + ".check", &issues);
      if (!ev) continue;
      if (ev->value.type() != expr::Value::Type::kBool) {
        issues.push_back({"gates." + g.id() + ".check", "gives " + std::string(expr::Value::TypeName(ev->value.type())) + " " + ev->value.ToString() +
                                                          ", but a gate's check must be true or false"});
        continue;
      }
      const bool passed = ev->value.AsBool();
      sc::GateResult* gr = rec.add_gate_results();
      gr->set_gate_id(g.id());
      gr->set_passed(passed);
      gr->set_on_fail(g.on_fail());
      gr->set_message(passed ? "" : (g.message().empty() ? g.description() : g.message()));
      gr->set_rendered(ev->rendered);
      AddOperands(*ev, gr->mutable_inputs());
      Json gj;
      gj["passed"] = passed;
      gj["on_fail"] = g.on_fail();
      gates[g.id()] = gj;
      if (!passed) {
        failed.push_back(g.id());
        failed_on[g.on_fail()].push_back(g.id());
      }
    }
  }
  gates["failed"] = failed;
  gates["failed_on"] = failed_on;
  ctx["gates"] = gates;
  if (!issues.empty()) {
    AddExpressionIssues(r.criteria, issues, diag);
    return std::nullopt;
  }

  // Scores: computed from the context, or the members'.
  const auto& crits = cs.mcda().criteria();
  {
    expr::JsonContext jc = MakeContext(ctx);
    for (const auto& c : crits) {
      CriterionScore score;
      const std::string path = "mcda.criteria." + c.id();
      if (!c.computed().empty() || !c.value_function().input().empty()) {
        const bool vf = c.computed().empty();
        const std::string epath = path + (vf ? ".value_function.input" : ".computed");
        auto ev = EvaluateText(vf ? c.value_function().input() : c.computed(), jc, epath, &issues);
        score.source = "missing";
        if (ev && ev->value.type() == expr::Value::Type::kNumber) {
          score.score = vf ? ValueFunctionAt(c.value_function(), ev->value.AsNumber()) : ev->value.AsNumber();
          score.source = "computed";
          score.rationale = "computed: " + ev->rendered;
        } else if (ev && ev->value.type() != expr::Value::Type::kNull) {
          issues.push_back({epath, "gives " + std::string(expr::Value::TypeName(ev->value.type())) + " " +
                                       ev->value.ToString() + ", but a computed score must be a number (or null when missing)"});
        }
        if (score.score && !(*score.score >= c.scale().min() && *score.score <= c.scale().max())) {
          issues.push_back({epath, "computes " + models::FormatNumber(*score.score) + ", but must lie in the scale from " +
                                       models::FormatNumber(c.scale().min()) + " to " + models::FormatNumber(c.scale().max())});
        }
        CriterionScore members = ScoreFromMembers(cs, c, r.scores ? &r.scores->proto : nullptr);
        score.members = members.members;  // kept in the record, not used for the score
      } else {
        score = ScoreFromMembers(cs, c, r.scores ? &r.scores->proto : nullptr);
      }
      r.criterion_scores.push_back(std::move(score));
    }
  }
  if (!issues.empty()) {
    AddExpressionIssues(r.criteria, issues, diag);
    return std::nullopt;
  }
  r.weights = NormaliseWeights(cs);
  r.aggregation = Aggregate(cs, r.criterion_scores, r.weights);
  Json crit_json = Json::object();
  for (size_t i = 0; i < r.criterion_scores.size(); ++i) {
    crit_json[crits[static_cast<int>(i)].id()] = NumberOrNull(r.criterion_scores[i].score);
  }
  ctx["criteria"] = crit_json;
  Json mcda;
  mcda["total"] = r.aggregation.blocked.empty() ? Json(r.aggregation.total) : Json(nullptr);
  mcda["blocked"] = !r.aggregation.blocked.empty();
  mcda["blocked_by"] = r.aggregation.blocked;
  ctx["mcda"] = mcda;

  // Robustness, then the decision.
  auto robust = AnalyseRobustness(r, diag);
  if (!robust) return std::nullopt;
  Json rj;
  rj["stable"] = robust->stable;
  rj["robust"] = robust->robust;
  rj["min_weight_change_pct"] = robust->min_flip ? Json(robust->min_flip->change_pct) : Json(nullptr);
  Json dispersed = Json::array();
  for (const auto& d : robust->dispersed) dispersed.push_back(d.criterion_id());
  rj["dispersed"] = dispersed;
  ctx["robustness"] = rj;

  expr::JsonContext jc = MakeContext(ctx);
  RuleSet rules(cs);
  auto match = rules.First(jc, &issues);
  if (!match) {
    AddExpressionIssues(r.criteria, issues, diag);
    return std::nullopt;
  }
  const sc::DecisionRule& rule = cs.decision_rules(match->rule);

  // The record.
  std::string inputs_digest =
      Sha256Hex(r.dossier.bytes) + Sha256Hex(r.criteria.bytes) + (r.scores ? Sha256Hex(r.scores->bytes) : "");
  if (r.economics.model) {
    for (const InputFile& f : r.economics.model->inputs) inputs_digest += Sha256Hex(f.bytes);
  }
  inputs_digest += FormatIsoDate(r.date);
  rec.set_record_id(Sha256Hex(inputs_digest).substr(0, 32));
  rec.set_record_type("evaluation");
  rec.set_evaluation_date(FormatIsoDate(r.date));
  auto artefact = [](sc::ArtefactRef* a, const std::string& id, const std::string& version, const std::string& bytes,
                     const std::string& file) {
    a->set_id(id);
    a->set_version(version);
    a->set_content_hash(Sha256Hex(bytes));
    a->set_file(file);
  };
  artefact(rec.mutable_dossier(), ds.dossier_id(), std::to_string(ds.has_version() ? ds.version() : 1), r.dossier.bytes,
           r.dossier.file);
  artefact(rec.mutable_config(), cs.config_id(), cs.version(), r.criteria.bytes, r.criteria.file);
  if (r.scores) artefact(rec.mutable_scores_file(), r.scores->proto.dossier_id(), "", r.scores->bytes, r.scores->file);
  rec.mutable_engine()->set_name("vaglio");
  rec.mutable_engine()->set_version(kVersion);
  rec.mutable_engine()->set_build_id(kBuildId);
  if (r.economics.model) {
    const LoadedModel& m = *r.economics.model;
    sc::ModelRef* mr = rec.add_models();
    mr->set_model_id(m.spec.id);
    mr->set_file(m.file);
    mr->set_content_hash(Sha256Hex(m.inputs.front().bytes));
    std::string param_text;
    for (const auto& in : m.model->info().inputs) param_text += in.name + "=" + models::FormatNumber(in.base) + "\n";
    mr->set_parameters_hash(Sha256Hex(param_text));
    mr->set_seed(cs.parameters().has_psa_seed() ? cs.parameters().psa_seed() : 1);
    mr->set_psa_draws(r.economics.psa ? static_cast<int>(r.economics.psa->n) : 0);
    for (const InputFile& f : m.inputs) {
      sc::InputHash* h = mr->add_inputs();
      h->set_file(f.path);
      h->set_sha256(Sha256Hex(f.bytes));
    }
  }
  std::string evidence;
  for (const auto& s : ds.evidence().studies()) {
    rec.mutable_evidence_snapshot()->add_study_ids(s.id());
    evidence += s.id() + "|" + s.citation().doi() + "|" + s.citation().pmid() + "\n";
  }
  rec.mutable_evidence_snapshot()->set_search_date(ds.evidence().search().date());
  rec.mutable_evidence_snapshot()->set_snapshot_hash(Sha256Hex(evidence));
  sc::Scope* scope = rec.mutable_scope();
  for (const auto& m : ds.device().models()) scope->add_device_models(m.catalogue_code());
  scope->set_cnd_code(ds.device().cnd_code());
  if (ds.device().has_rdm_number()) scope->set_rdm_number(std::to_string(ds.device().rdm_number()));
  scope->set_indication(ds.pico().population().description());
  scope->set_setting(ds.pico().intervention().setting());
  scope->set_trade_name(ds.device().trade_name());
  scope->set_manufacturer(ds.device().manufacturer().name());
  if (r.scores && opts.committee) {
    sc::Committee* cm = rec.mutable_committee();
    cm->set_body(r.scores->proto.body());
    cm->set_meeting_date(r.scores->proto.meeting_date());
    for (const auto& m : r.scores->proto.members()) {
      sc::CommitteeMember* x = cm->add_members();
      x->set_person(m.id());
      x->set_name(m.name());
      x->set_role(m.role());
      x->set_voting(!m.has_voting() || m.voting());
      x->set_interest_outcome(m.interest_outcome());
    }
    cm->set_quorum_met(ctx["committee"]["quorum_met"].get<bool>());
    const sc::Vote& v = r.scores->proto.vote();
    rec.mutable_vote()->set_for_(v.for_());
    rec.mutable_vote()->set_against(v.against());
    rec.mutable_vote()->set_abstain(v.abstain());
    for (const auto& d : v.dissents()) {
      sc::DissentRecord* x = rec.mutable_vote()->add_dissents();
      x->set_member(d.member());
      x->set_text(d.text());
    }
  }
  sc::Completeness* comp_rec = rec.mutable_completeness();
  for (const auto& d : r.completeness.domains) {
    sc::DomainCompleteness* x = comp_rec->add_domains();
    x->set_domain(d.domain);
    x->set_answered(d.answered);
    x->set_total(d.total);
    x->set_score(d.total > 0 ? static_cast<double>(d.answered) / d.total : 1.0);
  }
  for (const auto& p : r.completeness.missing_required) comp_rec->add_missing_required(p);
  for (const auto& p : r.completeness.missing_optional) comp_rec->add_missing_optional(p);
  comp_rec->set_score(r.completeness.score);
  for (size_t i = 0; i < r.criterion_scores.size(); ++i) {
    const CriterionScore& s = r.criterion_scores[i];
    const std::string& id = crits[static_cast<int>(i)].id();
    for (const MemberScore& m : s.members) {
      sc::ScoreRecord* x = rec.add_scores();
      x->set_criterion_id(id);
      x->set_member(m.member);
      x->set_value(m.score);
      x->set_rationale(m.rationale);
      for (const auto& e : m.evidence_refs) x->add_evidence_refs(e);
      x->set_source("member");
    }
    sc::ScoreRecord* x = rec.add_scores();
    x->set_criterion_id(id);
    x->set_value(s.score.value_or(0));
    x->set_rationale(s.rationale);
    for (const auto& e : s.evidence_refs) x->add_evidence_refs(e);
    x->set_source(s.score ? s.source : "missing");
  }
  sc::Aggregate* agg = rec.mutable_aggregate();
  agg->set_total(r.aggregation.total);
  agg->set_scoring_mode(cs.mcda().scoring_mode());
  agg->set_weight_method(cs.mcda().weight_elicitation().method());
  for (size_t i = 0; i < r.criterion_scores.size(); ++i) {
    const auto& c = crits[static_cast<int>(i)];
    sc::Contribution* x = agg->add_contributions();
    x->set_criterion_id(c.id());
    x->set_domain(c.domain());
    x->set_weight_raw(c.weight());
    x->set_weight_normalised(r.aggregation.weights[i]);
    x->set_score(r.criterion_scores[i].score.value_or(0));
    x->set_normalised_value(r.aggregation.values[i]);
    x->set_weighted_value(r.aggregation.weighted[i]);
    x->set_excluded(r.aggregation.excluded[i]);
  }
  if (r.economics.has_model || r.economics.has_bia) {
    sc::Economics* e = rec.mutable_economics();
    const EconomicsResult& ec = r.economics;
    e->set_model_id(ec.model ? ec.model->spec.id : "");
    e->set_device_strategy(ec.device);
    e->set_comparator_strategy(ec.comparator);
    e->set_currency(currency);
    e->set_exchange_rate(ec.exchange_rate);
    e->set_delta_cost(ec.delta_cost);
    e->set_delta_effect(ec.delta_effect);
    e->set_icer(ec.icer.value_or(0));
    e->set_icer_defined(ec.icer.has_value());
    e->set_status(ec.status);
    e->set_effect(ec.effect);
    e->set_discount_rate_costs(cs.parameters().discount_rate_costs());
    e->set_discount_rate_outcomes(cs.parameters().discount_rate_outcomes());
    e->set_price_parameter(ec.price_parameter);
    e->set_device_price(ec.device_price.value_or(0) * ec.exchange_rate);
    for (const ThresholdResult& t : ec.thresholds) {
      sc::NmbAtThreshold* x = e->add_thresholds();
      x->set_label(t.label);
      x->set_wtp(t.wtp);
      x->set_nmb(t.inmb);
      x->set_has_probability(t.p_ce.has_value());
      x->set_prob_cost_effective(t.p_ce.value_or(0));
      x->set_price_threshold_found(t.price_threshold.has_value());
      x->set_price_threshold(t.price_threshold.value_or(0) * ec.exchange_rate);
    }
    if (ec.psa_summary) {
      const PsaSummaryResult& ps = *ec.psa_summary;
      sc::PsaSummary* x = e->mutable_psa();
      x->set_draws(static_cast<int>(ps.draws));
      x->set_mean_delta_cost(ps.mean_delta_cost);
      x->set_mean_delta_effect(ps.mean_delta_effect);
      x->set_sample_size(static_cast<int>(ps.sample_delta_cost.size()));
      for (double v : ps.sample_delta_cost) x->add_sample_delta_cost(v);
      for (double v : ps.sample_delta_effect) x->add_sample_delta_effect(v);
      for (const CeacResult& c : ps.ceac) {
        sc::CeacPoint* pt = x->add_ceac();
        pt->set_wtp(c.wtp);
        pt->set_p_device(c.p_device);
        pt->set_p_comparator(1 - c.p_device);
        pt->set_optimal(c.device_optimal ? ec.device : ec.comparator);
        pt->set_p_optimal(c.device_optimal ? c.p_device : 1 - c.p_device);
      }
    }
    if (!ec.tornado.empty()) {
      sc::Tornado* t = e->mutable_tornado();
      t->set_threshold_label(ec.tornado_label);
      t->set_wtp(ec.tornado_wtp);
      t->set_base_inmb(ec.tornado_wtp * ec.delta_effect - ec.delta_cost);
      for (const OneWayInmb& o : ec.tornado) {
        sc::OneWayResult* x = t->add_parameters();
        x->set_parameter(o.parameter);
        x->set_label(o.label);
        x->set_low(o.low);
        x->set_high(o.high);
        x->set_declared_range(o.declared);
        x->set_inmb_low(o.inmb_low);
        x->set_inmb_high(o.inmb_high);
      }
    }
    if (ec.has_bia) {
      for (const auto& [name, years, total] : {std::tuple{"hospital", &ec.bia.hospital, ec.bia.total_hospital},
                                               std::tuple{"ssn", &ec.bia.ssn, ec.bia.total_ssn}}) {
        sc::BiaResult* b = e->add_bia();
        b->set_perspective(name);
        b->set_total(total);
        for (const models::BiaYear& y : *years) {
          sc::BiaYear* x = b->add_years();
          x->set_year(y.year);
          x->set_intervention(y.intervention);
          x->set_displaced(y.displaced);
          x->set_tariff_income(y.tariff_income);
          x->set_net(y.net);
        }
      }
    }
  }
  for (const CheersItem& c : CheckCheers(ds, r.economics, cs.parameters())) {
    sc::CheersItem* x = rec.add_cheers();
    x->set_item(c.item);
    x->set_topic(c.topic);
    x->set_status(c.status);
    x->set_answered_by(c.answered_by);
    x->set_note(c.note);
  }
  *rec.mutable_robustness() = robust->record;
  rec.mutable_proposed_outcome()->set_outcome(rule.outcome());
  rec.mutable_proposed_outcome()->set_rule_id(rule.id());
  rec.set_final_outcome(rule.outcome());
  rec.mutable_override()->set_is_override(false);
  for (const std::string& f : r.economics.flags) rec.add_flags(f);

  // Conditions of the matching rule.
  std::vector<std::pair<std::string, expr::Evaluation>> applied_when;  // condition type, its `when`
  for (int i = 0; i < rule.conditions_size(); ++i) {
    const sc::ConditionTemplate& t = rule.conditions(i);
    if (!t.when().empty()) {
      const std::string wpath = "decision_rules." + rule.id() + ".conditions[" + std::to_string(i) + "].when";
      auto ev = EvaluateText(t.when(), jc, wpath, &issues);
      if (!ev) continue;
      if (ev->value.type() != expr::Value::Type::kBool) {
        issues.push_back({wpath, "gives " + std::string(expr::Value::TypeName(ev->value.type())) + " " + ev->value.ToString() +
                                     ", but a condition's when must be true or false"});
        continue;
      }
      if (!ev->value.AsBool()) continue;
      applied_when.emplace_back(t.type(), std::move(*ev));
    }
    sc::Condition* c = rec.add_conditions();
    c->set_type(t.type());
    for (const auto& p : t.parameters()) {
      // A parameter is an expression: a literal ('NJR', 18) or a result
      // (economics.price_threshold.upper).
      auto pv = EvaluateText(p.expr(), jc,
                             "decision_rules." + rule.id() + ".conditions[" + std::to_string(i) + "].parameters." + p.name(),
                             &issues);
      if (!pv) continue;
      sc::ConditionParameter* x = c->add_parameters();
      x->set_name(p.name());
      x->set_value(pv->value.type() == expr::Value::Type::kString ? pv->value.AsString() : pv->value.ToString());
    }
    c->set_owner(t.owner());
    if (t.has_due_months()) {
      if (const auto due = AddMonths(r.date, t.due_months())) {
        c->set_due_date(FormatIsoDate(*due));
      } else {
        issues.push_back({"decision_rules." + rule.id() + ".conditions[" + std::to_string(i) + "].due_months",
                          "is " + std::to_string(t.due_months()) + " months from " + FormatIsoDate(r.date) +
                              ", but the due date must fall before 10000-01-01"});
      }
    }
    c->set_indicator(t.indicator());
    c->set_status("open");
    c->set_rule_id(rule.id());
  }
  if (!issues.empty()) {
    AddExpressionIssues(r.criteria, issues, diag);
    return std::nullopt;
  }

  // Reasons: the rule, the failed gates, the criteria the rule read, the economics and
  // the robustness, each with what produced it.
  auto add_reason = [&](std::string text, const char* by, const std::string& id, const expr::Evaluation* ev,
                        const std::vector<std::string>& refs) {
    sc::Reason* x = rec.add_reasons();
    x->set_text(std::move(text));
    x->set_produced_by(by);
    x->set_source_id(id);
    if (ev != nullptr) AddOperands(*ev, x->mutable_operands());
    for (const auto& e : refs) x->add_evidence_refs(e);
  };
  add_reason(rule.id() + " (" + rule.outcome() + "): " + (rule.rationale().empty() ? rule.condition() : rule.rationale()) +
                 " [" + match->evaluation.rendered + "]",
             "rule", rule.id(), &match->evaluation, {});
  for (const sc::GateResult& g : rec.gate_results()) {
    if (g.passed()) continue;
    sc::Reason* x = rec.add_reasons();
    x->set_text("gate " + g.gate_id() + " failed (" + g.on_fail() + "): " + g.message() + " [" + g.rendered() + "]");
    x->set_produced_by("gate");
    x->set_source_id(g.gate_id());
    *x->mutable_operands() = g.inputs();
  }
  if (!r.completeness.missing_required.empty()) {
    std::string missing;
    for (const auto& p : r.completeness.missing_required) missing += (missing.empty() ? "" : ", ") + p;
    add_reason("the dossier is missing required fields: " + missing, "gate", "completeness", nullptr, {});
  }
  for (const auto& [type, ev] : applied_when) {
    add_reason("condition " + type + " applies [" + ev.rendered + "]", "rule", rule.id(), &ev, {});
  }
  std::set<std::string> read;
  bool reads_total = false;
  for (const expr::Operand& o : match->evaluation.operands) {
    if (o.path.rfind("criteria.", 0) == 0) read.insert(o.path.substr(9));
    reads_total = reads_total || o.path == "mcda.total";
  }
  if (reads_total) {
    // The total, with the score of every criterion as its operands.
    sc::Reason* x = rec.add_reasons();
    std::string text = "MCDA total " + Fmt(r.aggregation.total) + " of 100 (" + cs.mcda().weight_elicitation().method() +
                       " weights, " + (cs.mcda().scoring_mode().empty() ? "consensus" : cs.mcda().scoring_mode()) +
                       " scores); largest contributions:";
    std::vector<size_t> order(r.criterion_scores.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::stable_sort(order.begin(), order.end(),
                     [&](size_t a, size_t b) { return r.aggregation.weighted[a] > r.aggregation.weighted[b]; });
    for (size_t k = 0; k < std::min<size_t>(3, order.size()); ++k) {
      text += std::string(k ? "," : "") + " " + crits[static_cast<int>(order[k])].id() + " " +
              Fmt(r.aggregation.weighted[order[k]], 4);
    }
    x->set_text(text);
    x->set_produced_by("criterion");
    x->set_source_id("mcda");
    for (size_t i = 0; i < r.criterion_scores.size(); ++i) {
      sc::Operand* o = x->add_operands();
      o->set_path("criteria." + crits[static_cast<int>(i)].id());
      o->set_value(r.criterion_scores[i].score ? models::FormatNumber(*r.criterion_scores[i].score) : "null");
    }
  }
  for (size_t i = 0; i < r.criterion_scores.size(); ++i) {
    const auto& c = crits[static_cast<int>(i)];
    if (!read.count(c.id())) continue;
    const CriterionScore& s = r.criterion_scores[i];
    add_reason(c.id() + " " + c.name() + ": " + (s.score ? models::FormatNumber(*s.score) : std::string("no score")) +
                   (s.rationale.empty() ? "" : " (" + s.rationale + ")"),
               "criterion", c.id(), nullptr, s.evidence_refs);
  }
  if (r.economics.has_model) {
    const EconomicsResult& ec = r.economics;
    std::string text = ec.device + " vs " + ec.comparator + ": ";
    text += ec.icer ? "ICER " + Fmt(*ec.icer) + " " + currency + " per " + ec.effect : "status " + ec.status;
    for (const ThresholdResult& t : ec.thresholds) {
      if (t.p_ce) text += "; P(cost-effective) at " + t.label + " (" + Fmt(t.wtp) + ") " + Fmt(*t.p_ce, 3);
    }
    sc::Reason* x = rec.add_reasons();
    x->set_text(text);
    x->set_produced_by("economics");
    x->set_source_id(ec.model->spec.id);
    auto operand = [&](const std::string& path, const Json& v) {
      sc::Operand* o = x->add_operands();
      o->set_path(path);
      o->set_value(expr::JsonContext::FromJson(v).ToString());
    };
    const Json& ej = ctx["economics"];
    for (const char* k : {"delta_cost", "delta_effect", "icer", "status"}) operand(std::string("economics.") + k, ej[k]);
    for (const ThresholdResult& t : ec.thresholds) {
      if (t.p_ce) operand("economics.p_ce." + t.label, ej["p_ce"][t.label]);
    }
  }
  if (!robust->robust) {
    add_reason(robust->summary + "; the committee must record an explicit deliberation reason", "robustness", "robustness",
               nullptr, {});
    rec.add_flags("not robust");
  }
  return r;
}

}  // namespace vaglio::engine
