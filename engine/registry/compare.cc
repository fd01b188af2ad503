#include "engine/registry/compare.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <set>
#include <sstream>

#include "engine/evaluation/evaluate.h"
#include "engine/load/dossier_loader.h"

namespace vaglio::engine::registry {
namespace {

namespace sc = vaglio::schemas;
using Json = nlohmann::ordered_json;

// Weights closer than this are the same weight.
constexpr double kWeightTol = 1e-9;

struct Hospital {
  std::string registry;
  const Store* store = nullptr;
  const Entry* entry = nullptr;
  Json body;
  std::string proposed, rule, final_outcome, decision_id;
  bool overridden = false;
  std::optional<double> total;
  std::map<std::string, double> scores;   // combined score of each criterion
  std::map<std::string, double> weights;  // normalised
  std::optional<sc::Criteria> criteria;
  std::string criteria_path;
};

std::string Fmt(double v, int digits = 6) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*g", digits, v);
  return buf;
}

const InputRef* InputOf(const Entry& e, const std::string& role) {
  for (const InputRef& in : e.inputs) {
    if (in.role == role) return &in;
  }
  return nullptr;
}

// The outcome and total of `a`'s stored dossier and scores under `b`'s stored criteria set.
Json RunUnder(const Hospital& a, const Hospital& b, int threads) {
  Json out;
  MemoryFileSystem fs;
  for (const InputRef& in : a.entry->inputs) fs.Add(in.path, a.store->Blob(in.sha256).value_or(""));
  const InputRef* crit = InputOf(*b.entry, "criteria");
  if (crit == nullptr || a.criteria_path.empty()) {
    out["error"] = "a criteria set is missing from the registry";
    return out;
  }
  fs.Add(a.criteria_path, b.store->Blob(crit->sha256).value_or(""));
  const nlohmann::json o = nlohmann::json::parse(a.entry->options, nullptr, false);
  EvaluateOptions eo;
  eo.dossier = o.value("dossier", "");
  eo.criteria = a.criteria_path;
  eo.scores = o.value("scores", "");
  eo.date = o.value("date", "");
  eo.committee = o.value("committee", true);
  eo.threads = threads;
  Diagnostics diag;
  auto r = Evaluate(fs, eo, &diag);
  if (!r) {
    const std::string text = diag.Format();
    out["error"] = text.substr(0, text.find('\n'));
    return out;
  }
  out["outcome"] = r->record.proposed_outcome().outcome();
  out["rule_id"] = r->record.proposed_outcome().rule_id();
  out["total"] = r->aggregation.blocked.empty() ? Json(r->aggregation.total) : Json(nullptr);
  return out;
}

// What differs between two criteria sets, item by item.
Json CriteriaDifferences(const Hospital& a, const Hospital& b) {
  Json d;
  Json weights = Json::array();
  std::set<std::string> ids;
  for (const auto& [k, v] : a.weights) ids.insert(k);
  for (const auto& [k, v] : b.weights) ids.insert(k);
  for (const std::string& id : ids) {
    const auto wa = a.weights.find(id), wb = b.weights.find(id);
    const Json ja = wa == a.weights.end() ? Json(nullptr) : Json(wa->second);
    const Json jb = wb == b.weights.end() ? Json(nullptr) : Json(wb->second);
    if (ja.is_null() || jb.is_null() || std::fabs(wa->second - wb->second) > kWeightTol) {
      weights.push_back({{"criterion_id", id}, {"a", ja}, {"b", jb}});
    }
  }
  d["weights"] = weights;
  Json params = Json::array();
  if (a.criteria && b.criteria) {
    const sc::CriteriaParameters& pa = a.criteria->parameters();
    const sc::CriteriaParameters& pb = b.criteria->parameters();
    std::map<std::string, double> ta, tb;
    for (const auto& t : pa.wtp_thresholds()) ta["wtp." + t.label()] = t.value();
    for (const auto& t : pb.wtp_thresholds()) tb["wtp." + t.label()] = t.value();
    auto opt = [](bool has, double v) { return has ? Json(v) : Json(nullptr); };
    std::vector<std::tuple<std::string, Json, Json>> items = {
        {"discount_rate_costs", pa.discount_rate_costs(), pb.discount_rate_costs()},
        {"discount_rate_outcomes", pa.discount_rate_outcomes(), pb.discount_rate_outcomes()},
        {"budget_authority_eur", opt(pa.has_budget_authority_eur(), pa.budget_authority_eur()),
         opt(pb.has_budget_authority_eur(), pb.budget_authority_eur())},
        {"budget_envelope_eur", opt(pa.has_budget_envelope_eur(), pa.budget_envelope_eur()),
         opt(pb.has_budget_envelope_eur(), pb.budget_envelope_eur())},
        {"bia_horizon_years", pa.bia_horizon_years(), pb.bia_horizon_years()},
        {"mcda.scoring_mode", a.criteria->mcda().scoring_mode(), b.criteria->mcda().scoring_mode()},
        {"mcda.weight_elicitation.method", a.criteria->mcda().weight_elicitation().method(),
         b.criteria->mcda().weight_elicitation().method()}};
    std::set<std::string> labels;
    for (const auto& [k, v] : ta) labels.insert(k);
    for (const auto& [k, v] : tb) labels.insert(k);
    for (const std::string& l : labels) {
      items.emplace_back(l, ta.count(l) ? Json(ta[l]) : Json(nullptr), tb.count(l) ? Json(tb[l]) : Json(nullptr));
    }
    for (const auto& [name, va, vb] : items) {
      if (va != vb) params.push_back({{"parameter", name}, {"a", va}, {"b", vb}});
    }
    // Gates and rules, by id: added, removed, or changed.
    auto by_id = [](const auto& list, auto text) {
      std::map<std::string, std::string> m;
      for (const auto& x : list) m[x.id()] = text(x);
      return m;
    };
    auto diff = [](const std::map<std::string, std::string>& ma, const std::map<std::string, std::string>& mb) {
      Json out = Json::array();
      std::set<std::string> keys;
      for (const auto& [k, v] : ma) keys.insert(k);
      for (const auto& [k, v] : mb) keys.insert(k);
      for (const std::string& k : keys) {
        const auto ia = ma.find(k), ib = mb.find(k);
        if (ia != ma.end() && ib != mb.end() && ia->second == ib->second) continue;
        out.push_back({{"id", k},
                       {"a", ia == ma.end() ? Json(nullptr) : Json(ia->second)},
                       {"b", ib == mb.end() ? Json(nullptr) : Json(ib->second)}});
      }
      return out;
    };
    const auto gate_text = [](const sc::Gate& g) { return g.check() + "  [on fail: " + g.on_fail() + "]"; };
    const auto rule_text = [](const sc::DecisionRule& r) { return r.condition() + "  => " + r.outcome(); };
    d["gates"] = diff(by_id(a.criteria->gates(), gate_text), by_id(b.criteria->gates(), gate_text));
    d["rules"] = diff(by_id(a.criteria->decision_rules(), rule_text), by_id(b.criteria->decision_rules(), rule_text));
  }
  d["parameters"] = params;
  return d;
}

}  // namespace

std::optional<Json> Compare(const std::vector<NamedStore>& stores, const CompareOptions& opts, std::string* error) {
  // Every registry's entries (kept alive for the pointers below).
  std::vector<std::vector<Entry>> all;
  for (const NamedStore& s : stores) all.push_back(s.store->Entries());
  std::set<std::string> devices;
  std::vector<Hospital> found;
  for (size_t r = 0; r < stores.size(); ++r) {
    std::set<std::string> superseded;
    std::map<std::string, const Entry*> decision;  // evaluation -> its latest decision
    for (const Entry& e : all[r]) {
      if (!e.supersedes.empty()) superseded.insert(e.supersedes);
      if (e.kind == "decision") decision[e.refers_to] = &e;
    }
    for (const Entry& e : all[r]) {
      if (e.kind != "evaluation" || superseded.count(e.record_id)) continue;
      if (!opts.dossier.empty() && e.dossier_id != opts.dossier) continue;
      const std::string device = !e.device_cnd.empty() ? e.device_cnd : e.device_rdm;
      if (!opts.device.empty() && e.device_cnd != opts.device && e.device_rdm != opts.device) continue;
      devices.insert(device + (e.device_rdm.empty() ? "" : " (RDM " + e.device_rdm + ")"));
      Hospital h;
      h.registry = stores[r].name;
      h.store = stores[r].store.get();
      h.entry = &e;
      h.body = Json::parse(e.body, nullptr, false);
      if (!h.body.is_object()) continue;  // a damaged record: verify reports it
      h.proposed = h.body["proposed_outcome"].value("outcome", "");
      h.rule = h.body["proposed_outcome"].value("rule_id", "");
      h.final_outcome = h.proposed;
      auto d = decision.find(e.record_id);
      if (d != decision.end()) {
        const Json db = Json::parse(d->second->body, nullptr, false);
        if (db.is_object()) {
          h.final_outcome = db.value("final_outcome", h.proposed);
          h.overridden = db["override"].value("is_override", false);
          h.decision_id = d->second->record_id;
        }
      }
      for (const auto& c : h.body["aggregate"]["contributions"]) {
        h.weights[c.value("criterion_id", "")] = c.value("weight_normalised", 0.0);
      }
      for (const auto& s : h.body["scores"]) {
        if (s.value("member", "").empty() && s.value("source", "") != "missing") {
          h.scores[s.value("criterion_id", "")] = s.value("value", 0.0);
        }
      }
      if (h.body["aggregate"].contains("total")) h.total = h.body["aggregate"].value("total", 0.0);
      if (const InputRef* c = InputOf(e, "criteria")) {
        h.criteria_path = c->path;
        MemoryFileSystem fs;
        fs.Add(c->path, h.store->Blob(c->sha256).value_or(""));
        Diagnostics diag;
        if (auto loaded = LoadCriteria(fs, c->path, &diag)) h.criteria = loaded->proto;
      }
      found.push_back(std::move(h));
    }
  }
  if (found.empty()) {
    *error = "no evaluation" + (opts.device.empty() ? std::string() : " of device " + opts.device) + " in the registries";
    return std::nullopt;
  }
  if (opts.device.empty() && devices.size() > 1) {
    std::string list;
    for (const std::string& d : devices) list += (list.empty() ? "" : ", ") + d;
    *error = "the registries hold evaluations of several devices (" + list + "): choose one with --device";
    return std::nullopt;
  }
  // One evaluation per organisation: its latest.
  std::map<std::string, size_t> latest;
  for (size_t i = 0; i < found.size(); ++i) {
    const std::string key = found[i].entry->organisation + "\n" + found[i].entry->chain_id;
    auto it = latest.find(key);
    if (it == latest.end() || found[it->second].entry->recorded_at < found[i].entry->recorded_at ||
        (found[it->second].entry->recorded_at == found[i].entry->recorded_at && found[it->second].entry->seq < found[i].entry->seq)) {
      latest[key] = i;
    }
  }
  std::vector<Hospital> hs;
  for (size_t i = 0; i < found.size(); ++i) {
    const std::string key = found[i].entry->organisation + "\n" + found[i].entry->chain_id;
    if (latest[key] == i) hs.push_back(std::move(found[i]));
  }

  Json j;
  j["device"] = opts.device.empty() ? *devices.begin() : opts.device;
  Json hospitals = Json::array();
  for (const Hospital& h : hs) {
    Json x;
    x["organisation"] = h.entry->organisation;
    x["registry"] = h.registry;
    x["record_id"] = h.entry->record_id;
    x["dossier_id"] = h.entry->dossier_id;
    x["evaluation_date"] = h.body.value("evaluation_date", "");
    x["criteria_set"] = {{"id", h.body["config"].value("id", "")}, {"version", h.body["config"].value("version", "")}};
    x["proposed_outcome"] = h.proposed;
    x["rule_id"] = h.rule;
    x["final_outcome"] = h.final_outcome;
    x["decision"] = h.decision_id;
    x["override"] = h.overridden;
    x["mcda_total"] = h.total ? Json(*h.total) : Json(nullptr);
    Json failed = Json::array();
    for (const auto& g : h.body["gate_results"]) {
      if (!g.value("passed", true)) failed.push_back(g.value("gate_id", ""));
    }
    x["gates_failed"] = failed;
    const Json& ec = h.body.contains("economics") ? h.body["economics"] : Json();
    x["icer"] = ec.is_object() && ec.value("icer_defined", false) ? Json(ec.value("icer", 0.0)) : Json(nullptr);
    x["scores"] = h.scores;
    hospitals.push_back(x);
  }
  j["hospitals"] = hospitals;

  // Agreement on the final outcomes.
  std::map<std::string, int> counts;
  for (const Hospital& h : hs) counts[h.final_outcome] += 1;
  int pairs = 0, agree = 0;
  for (size_t a = 0; a < hs.size(); ++a) {
    for (size_t b = a + 1; b < hs.size(); ++b) {
      ++pairs;
      agree += hs[a].final_outcome == hs[b].final_outcome;
    }
  }
  j["agreement"] = {{"outcomes", counts},
                    {"all_agree", counts.size() == 1},
                    {"pairs", pairs},
                    {"pairs_agreeing", agree},
                    {"pairwise_agreement", pairs > 0 ? Json(static_cast<double>(agree) / pairs) : Json(nullptr)}};

  // The spread of each criterion's scores and weights over the hospitals scoring it.
  std::set<std::string> ids;
  for (const Hospital& h : hs) {
    for (const auto& [k, v] : h.weights) ids.insert(k);
  }
  Json spread = Json::array();
  for (const std::string& id : ids) {
    Json scores = Json::object();
    double lo = INFINITY, hi = -INFINITY, wlo = INFINITY, whi = -INFINITY;
    int n = 0;
    for (const Hospital& h : hs) {
      auto s = h.scores.find(id);
      auto w = h.weights.find(id);
      if (w != h.weights.end()) {
        wlo = std::min(wlo, w->second);
        whi = std::max(whi, w->second);
      }
      if (s == h.scores.end()) continue;
      scores[h.entry->organisation] = s->second;
      lo = std::min(lo, s->second);
      hi = std::max(hi, s->second);
      ++n;
    }
    spread.push_back({{"criterion_id", id},
                      {"scores", scores},
                      {"score_range", n > 0 ? Json(hi - lo) : Json(nullptr)},
                      {"weight_min", std::isfinite(wlo) ? Json(wlo) : Json(nullptr)},
                      {"weight_max", std::isfinite(whi) ? Json(whi) : Json(nullptr)}});
  }
  j["criteria"] = spread;

  // Why outcomes differ: each pair re-run across criteria sets.
  Json diffs = Json::array();
  for (size_t a = 0; a < hs.size(); ++a) {
    for (size_t b = a + 1; b < hs.size(); ++b) {
      const Hospital& A = hs[a];
      const Hospital& B = hs[b];
      if (A.final_outcome == B.final_outcome && A.proposed == B.proposed) continue;
      Json x;
      x["a"] = A.entry->organisation;
      x["b"] = B.entry->organisation;
      x["outcome_a"] = A.final_outcome;
      x["outcome_b"] = B.final_outcome;
      const Json ab = RunUnder(A, B, opts.threads);
      const Json ba = RunUnder(B, A, opts.threads);
      x["a_under_b_criteria"] = ab;
      x["b_under_a_criteria"] = ba;
      std::string by;
      if (A.proposed != B.proposed) {
        const std::string oab = ab.value("outcome", ""), oba = ba.value("outcome", "");
        if (oab == B.proposed && oba == A.proposed) {
          by = "criteria_sets";
        } else if (oab == A.proposed && oba == B.proposed) {
          by = "scores_and_dossier";
        } else if (ab.contains("error") || ba.contains("error")) {
          by = "undetermined";
        } else {
          by = "both";
        }
      }
      Json overrides = Json::array();
      for (const Hospital* h : {&A, &B}) {
        if (h->overridden) overrides.push_back(h->entry->organisation);
      }
      if (by.empty()) by = "override";
      x["explained_by"] = by;
      x["overrides"] = overrides;
      x["criteria_differences"] = CriteriaDifferences(A, B);
      diffs.push_back(x);
    }
  }
  j["differences"] = diffs;
  return j;
}

std::string CompareText(const Json& j) {
  std::ostringstream out;
  out << "Device " << j["device"].get<std::string>() << ": " << j["hospitals"].size() << " evaluations\n\n";
  for (const auto& h : j["hospitals"]) {
    out << "  " << h["organisation"].get<std::string>() << " (" << h["criteria_set"]["id"].get<std::string>() << " "
        << h["criteria_set"]["version"].get<std::string>() << ", " << h["evaluation_date"].get<std::string>()
        << "): " << h["final_outcome"].get<std::string>();
    if (h["override"].get<bool>()) out << " (override of " << h["proposed_outcome"].get<std::string>() << ")";
    out << ", rule " << h["rule_id"].get<std::string>();
    if (!h["mcda_total"].is_null()) out << ", MCDA total " << Fmt(h["mcda_total"].get<double>(), 4);
    if (!h["gates_failed"].empty()) {
      out << ", gates failed:";
      for (const auto& g : h["gates_failed"]) out << " " << g.get<std::string>();
    }
    out << "\n";
  }
  const auto& ag = j["agreement"];
  out << "\nAgreement: " << (ag["all_agree"].get<bool>() ? "all agree" : "outcomes differ") << "; "
      << ag["pairs_agreeing"].get<int>() << " of " << ag["pairs"].get<int>() << " pairs agree\n";
  out << "\nCriteria (score range over hospitals; weight range):\n";
  for (const auto& c : j["criteria"]) {
    out << "  " << c["criterion_id"].get<std::string>() << ": scores";
    for (const auto& [org, s] : c["scores"].items()) out << " " << Fmt(s.get<double>(), 3);
    if (!c["score_range"].is_null()) out << " (range " << Fmt(c["score_range"].get<double>(), 3) << ")";
    if (!c["weight_min"].is_null()) {
      out << "; weight " << Fmt(100 * c["weight_min"].get<double>(), 3) << "%";
      if (c["weight_max"].get<double>() - c["weight_min"].get<double>() > kWeightTol) {
        out << " to " << Fmt(100 * c["weight_max"].get<double>(), 3) << "%";
      }
    }
    out << "\n";
  }
  for (const auto& d : j["differences"]) {
    const std::string a = d["a"].get<std::string>(), b = d["b"].get<std::string>();
    out << "\n" << a << " (" << d["outcome_a"].get<std::string>() << ") vs " << b << " ("
        << d["outcome_b"].get<std::string>() << "):\n";
    for (const auto& [who, key, other] : {std::tuple{a, "a_under_b_criteria", b}, std::tuple{b, "b_under_a_criteria", a}}) {
      const auto& r = d[key];
      out << "  " << who << "'s dossier and scores under " << other << "'s criteria set: "
          << (r.contains("error") ? "cannot be re-run: " + r["error"].get<std::string>() : r["outcome"].get<std::string>())
          << "\n";
    }
    const std::string by = d["explained_by"].get<std::string>();
    out << "  explained by: "
        << (by == "criteria_sets"        ? "the criteria sets (each hospital's scores give the other's outcome under its set)"
            : by == "scores_and_dossier" ? "the scores (each hospital's scores keep their outcome under either set)"
            : by == "both"               ? "both the criteria sets and the scores"
            : by == "override"           ? "a committee override of the proposed outcome"
                                         : "undetermined (a re-run failed)")
        << "\n";
    const auto& cd = d["criteria_differences"];
    for (const auto& p : cd["parameters"]) {
      out << "    parameter " << p["parameter"].get<std::string>() << ": " << p["a"].dump() << " vs " << p["b"].dump() << "\n";
    }
    for (const auto& w : cd["weights"]) {
      out << "    weight " << w["criterion_id"].get<std::string>() << ": "
          << (w["a"].is_null() ? "-" : Fmt(100 * w["a"].get<double>(), 3) + "%") << " vs "
          << (w["b"].is_null() ? "-" : Fmt(100 * w["b"].get<double>(), 3) + "%") << "\n";
    }
    for (const char* kind : {"gates", "rules"}) {
      for (const auto& g : cd[kind]) {
        out << "    " << (std::string(kind) == "gates" ? "gate " : "rule ") << g["id"].get<std::string>() << ": "
            << (g["a"].is_null() ? "(absent)" : g["a"].get<std::string>()) << " vs "
            << (g["b"].is_null() ? "(absent)" : g["b"].get<std::string>()) << "\n";
      }
    }
  }
  return out.str();
}

}  // namespace vaglio::engine::registry
