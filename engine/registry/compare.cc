#include "engine/registry/compare.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "engine/registry/compare_explain.h"

namespace vaglio::engine::registry {
namespace {

using Json = nlohmann::ordered_json;

// Scores and weights closer than this are the same.
constexpr double kSameTol = 1e-9;

struct Hospital {
  std::string label;  // A, B, C... in the order found
  std::string registry;
  const Store* store = nullptr;
  const Entry* entry = nullptr;
  Json body;
  std::string proposed, rule, final_outcome, decision_id;
  bool overridden = false;
  std::optional<double> total;
  std::map<std::string, double> scores;   // combined score of each criterion
  std::map<std::string, double> weights;  // normalised
  std::string criteria_yaml;              // the stored criteria set's bytes
};

// j[key] when j is an object that has it, else null: a record of another version may lack
// a key, and a damaged one may not be an object.
const Json& Get(const Json& j, const std::string& key) {
  static const Json kNull;
  if (!j.is_object()) return kNull;
  auto it = j.find(key);
  return it == j.end() ? kNull : *it;
}

// The text at j[key][sub] (or j[key] without `sub`), or "" when it is absent or not text.
std::string Text(const Json& j, const std::string& key, const std::string& sub = "") {
  const Json& v = sub.empty() ? Get(j, key) : Get(Get(j, key), sub);
  return v.is_string() ? v.get<std::string>() : std::string();
}

const InputRef* InputOf(const Entry& e, const std::string& role) {
  for (const InputRef& in : e.inputs) {
    if (in.role == role) return &in;
  }
  return nullptr;
}

std::string Label(size_t i) {
  std::string s;
  for (size_t n = i + 1; n > 0; n = (n - 1) / 26)
    s.insert(s.begin(), static_cast<char>('A' + (n - 1) % 26));
  return s;
}

// "A's" for the sentences of an explanation.
std::string Poss(const Hospital& h) { return h.label + "'s"; }

std::string Classify(const Hospital& a, const Hospital& b, const Rerun& ab, const Rerun& ba) {
  if (!ab.error.empty() || !ba.error.empty()) return "undetermined";
  if (ab.outcome == b.proposed && ba.outcome == a.proposed) return "criteria_sets";
  if (ab.outcome == a.proposed && ba.outcome == b.proposed) return "scores_and_dossier";
  return "both";
}

std::string Explanation(const std::string& by, const Hospital& a, const Hospital& b,
                        const Rerun& ab, const Rerun& ba, bool same_dossier) {
  const std::string inputs = same_dossier ? "scores" : "scores and dossier";
  if (by == "criteria_sets") {
    return "The criteria sets explain the difference: under " + Poss(b) + " set, " + Poss(a) + " " +
           inputs + " give " + Poss(b) + " outcome (" + ab.outcome + "), and under " + Poss(a) +
           " set, " + Poss(b) + " " + inputs + " give " + Poss(a) + " outcome (" + ba.outcome +
           ").";
  }
  if (by == "scores_and_dossier") {
    return "The hospitals' own " + inputs +
           " explain the difference: each keeps its outcome under the other's criteria set" +
           (same_dossier ? " (the dossier is the same)." : ".");
  }
  if (by == "both") {
    return "Both the criteria sets and the " + inputs + " matter: under " + Poss(b) + " set, " +
           Poss(a) + " " + inputs + " give " + ab.outcome + " (" + Poss(b) + " own: " + b.proposed +
           "); under " + Poss(a) + " set, " + Poss(b) + " " + inputs + " give " + ba.outcome +
           " (" + Poss(a) + " own: " + a.proposed + ").";
  }
  return "Undetermined: a re-run failed (" + (!ab.error.empty() ? ab.error : ba.error) + ").";
}

// Why hospitals a and b differ: each one's inputs re-run under the other's criteria set, and
// each item of b's set applied alone to a's set with a's inputs.
Json Difference(const Hospital& a, const Hospital& b, int threads) {
  Json x;
  x["a"] = a.label;
  x["b"] = b.label;
  x["organisation_a"] = a.entry->organisation;
  x["organisation_b"] = b.entry->organisation;
  x["outcome_a"] = a.final_outcome;
  x["outcome_b"] = b.final_outcome;
  x["proposed_a"] = {{"outcome", a.proposed}, {"rule_id", a.rule}};
  x["proposed_b"] = {{"outcome", b.proposed}, {"rule_id", b.rule}};
  const bool same_dossier =
      Text(a.body, "dossier", "content_hash") == Text(b.body, "dossier", "content_hash");
  x["same_dossier"] = same_dossier;
  x["same_criteria_set"] = a.criteria_yaml == b.criteria_yaml;
  Json overrides = Json::array();
  for (const Hospital* h : {&a, &b}) {
    if (h->overridden) overrides.push_back(h->label);
  }
  x["overrides"] = overrides;
  std::string overridden;  // "A", "A and B"
  for (const auto& o : overrides)
    overridden += (overridden.empty() ? "" : " and ") + o.get<std::string>();
  const bool rerun = a.proposed != b.proposed;
  std::string by, explanation;
  if (!rerun) {
    by = "override";
    explanation =
        "The engine proposed the same outcome (" + a.proposed +
        ") to both; the final outcomes differ because " +
        (overrides.empty() ? std::string("a committee") : "the committee of " + overridden) +
        " decided otherwise.";
    x["a_under_b_criteria"] = nullptr;
    x["b_under_a_criteria"] = nullptr;
  } else {
    const Rerun ab = RerunUnder(*a.store, *a.entry, b.criteria_yaml, threads);
    const Rerun ba = RerunUnder(*b.store, *b.entry, a.criteria_yaml, threads);
    x["a_under_b_criteria"] = RerunJson(ab);
    x["b_under_a_criteria"] = RerunJson(ba);
    by = Classify(a, b, ab, ba);
    explanation = Explanation(by, a, b, ab, ba, same_dossier);
    if (!overrides.empty()) {
      explanation += " This concerns the proposed outcomes: the final outcome of " + overridden +
                     " overrides the proposed one.";
    }
  }
  x["explained_by"] = by;
  x["explanation"] = explanation;

  // Every item where b's criteria set differs, with a's outcome when only that item changes.
  Json items = Json::array();
  std::string error;
  auto list = CriteriaItems(a.criteria_yaml, b.criteria_yaml, &error);
  if (!list) {
    x["criteria_differences_error"] = error;
  } else {
    for (const CriteriaItem& it : *list) {
      Json d;
      d["item"] = it.item;
      d["a"] = it.a;
      d["b"] = it.b;
      if (rerun) {
        const Rerun r = RerunUnder(*a.store, *a.entry, it.a_with_b_item, threads);
        d["a_with_this_item"] = RerunJson(r);
        d["changes_outcome"] = r.error.empty() ? Json(r.outcome != a.proposed) : Json(nullptr);
        d["gives_outcome_b"] = r.error.empty() ? Json(r.outcome == b.proposed) : Json(nullptr);
      }
      items.push_back(std::move(d));
    }
  }
  x["criteria_differences"] = items;

  Json scores = Json::array();
  std::set<std::string> ids;
  for (const auto& [k, v] : a.scores) ids.insert(k);
  for (const auto& [k, v] : b.scores) ids.insert(k);
  for (const std::string& id : ids) {
    auto sa = a.scores.find(id), sb = b.scores.find(id);
    const bool has_a = sa != a.scores.end(), has_b = sb != b.scores.end();
    if (has_a && has_b && std::fabs(sa->second - sb->second) <= kSameTol) continue;
    scores.push_back({{"criterion_id", id},
                      {"a", has_a ? Json(sa->second) : Json(nullptr)},
                      {"b", has_b ? Json(sb->second) : Json(nullptr)}});
  }
  x["score_differences"] = scores;
  return x;
}

}  // namespace

std::optional<Json> Compare(const std::vector<NamedStore>& stores, const CompareOptions& opts,
                            std::string* error) {
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
      if (!opts.device.empty() && e.device_cnd != opts.device && e.device_rdm != opts.device)
        continue;
      Hospital h;
      h.registry = stores[r].name;
      h.store = stores[r].store.get();
      h.entry = &e;
      h.body = Json::parse(e.body, nullptr, false);
      if (!h.body.is_object()) continue;  // a damaged record: verify reports it
      devices.insert((!e.device_cnd.empty() ? "CND " + e.device_cnd : std::string("no CND")) +
                     (e.device_rdm.empty() ? "" : ", RDM " + e.device_rdm));
      h.proposed = Text(h.body, "proposed_outcome", "outcome");
      h.rule = Text(h.body, "proposed_outcome", "rule_id");
      h.final_outcome = h.proposed;
      auto d = decision.find(e.record_id);
      if (d != decision.end()) {
        const Json db = Json::parse(d->second->body, nullptr, false);
        if (db.is_object()) {
          if (!Text(db, "final_outcome").empty()) h.final_outcome = Text(db, "final_outcome");
          h.overridden = Get(Get(db, "override"), "is_override") == true;
          h.decision_id = d->second->record_id;
        }
      }
      for (const auto& c : Get(Get(h.body, "aggregate"), "contributions")) {
        const Json& w = Get(c, "weight_normalised");
        if (w.is_number()) h.weights[Text(c, "criterion_id")] = w.get<double>();
      }
      for (const auto& s : Get(h.body, "scores")) {
        const Json& v = Get(s, "value");
        if (Text(s, "member").empty() && Text(s, "source") != "missing" && v.is_number()) {
          h.scores[Text(s, "criterion_id")] = v.get<double>();
        }
      }
      if (const Json& total = Get(Get(h.body, "aggregate"), "total"); total.is_number())
        h.total = total.get<double>();
      if (const InputRef* c = InputOf(e, "criteria"))
        h.criteria_yaml = h.store->Blob(c->sha256).value_or("");
      found.push_back(std::move(h));
    }
  }
  if (found.empty()) {
    *error = "no evaluation" + (opts.device.empty() ? std::string() : " of device " + opts.device) +
             " in the registries";
    return std::nullopt;
  }
  if (devices.size() > 1) {
    std::string list;
    for (const std::string& d : devices) list += (list.empty() ? "" : "; ") + d;
    *error = "the registries hold evaluations of several devices (" + list +
             "): choose one with --device RDM-NUMBER (a CND code names a category of devices, not "
             "one device)";
    return std::nullopt;
  }
  // One evaluation per organisation and chain: its latest.
  std::map<std::string, size_t> latest;
  for (size_t i = 0; i < found.size(); ++i) {
    const std::string key = found[i].entry->organisation + "\n" + found[i].entry->chain_id;
    auto it = latest.find(key);
    if (it == latest.end() || found[it->second].entry->recorded_at < found[i].entry->recorded_at ||
        (found[it->second].entry->recorded_at == found[i].entry->recorded_at &&
         found[it->second].entry->seq < found[i].entry->seq)) {
      latest[key] = i;
    }
  }
  std::vector<Hospital> hs;
  for (size_t i = 0; i < found.size(); ++i) {
    const std::string key = found[i].entry->organisation + "\n" + found[i].entry->chain_id;
    if (latest[key] != i) continue;
    hs.push_back(std::move(found[i]));
    hs.back().label = Label(hs.size() - 1);
  }

  Json j;
  j["device"] = *devices.begin();
  j["device_name"] = Text(hs[0].body, "scope", "trade_name");
  Json hospitals = Json::array();
  for (const Hospital& h : hs) {
    Json x;
    x["label"] = h.label;
    x["organisation"] = h.entry->organisation;
    x["registry"] = h.registry;
    x["record_id"] = h.entry->record_id;
    x["dossier_id"] = h.entry->dossier_id;
    x["evaluation_date"] = Text(h.body, "evaluation_date");
    x["criteria_set"] = {{"id", Text(h.body, "config", "id")},
                         {"version", Text(h.body, "config", "version")},
                         {"content_hash", Text(h.body, "config", "content_hash")}};
    x["proposed_outcome"] = h.proposed;
    x["rule_id"] = h.rule;
    x["final_outcome"] = h.final_outcome;
    x["decision"] = h.decision_id;
    x["override"] = h.overridden;
    x["mcda_total"] = h.total ? Json(*h.total) : Json(nullptr);
    Json failed = Json::array();
    for (const auto& g : Get(h.body, "gate_results")) {
      if (Get(g, "passed") == false) failed.push_back(Text(g, "gate_id"));
    }
    x["gates_failed"] = failed;
    const Json& ec = Get(h.body, "economics");
    x["icer"] = Get(ec, "icer_defined") == true && Get(ec, "icer").is_number() ? Get(ec, "icer")
                                                                               : Json(nullptr);
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
  j["agreement"] = {
      {"outcomes", counts},
      {"all_agree", counts.size() == 1},
      {"pairs", pairs},
      {"pairs_agreeing", agree},
      {"pairwise_agreement", pairs > 0 ? Json(static_cast<double>(agree) / pairs) : Json(nullptr)}};

  // The spread of each criterion's scores and weights over the hospitals.
  std::set<std::string> ids;
  for (const Hospital& h : hs) {
    for (const auto& [k, v] : h.weights) ids.insert(k);
  }
  Json spread = Json::array();
  for (const std::string& id : ids) {
    Json scores = Json::object(), weights = Json::object();
    double lo = INFINITY, hi = -INFINITY, wlo = INFINITY, whi = -INFINITY;
    int n = 0;
    for (const Hospital& h : hs) {
      auto s = h.scores.find(id);
      auto w = h.weights.find(id);
      if (w != h.weights.end()) {
        weights[h.label] = w->second;
        wlo = std::min(wlo, w->second);
        whi = std::max(whi, w->second);
      }
      if (s == h.scores.end()) continue;
      scores[h.label] = s->second;
      lo = std::min(lo, s->second);
      hi = std::max(hi, s->second);
      ++n;
    }
    spread.push_back({{"criterion_id", id},
                      {"scores", scores},
                      {"score_range", n > 0 ? Json(hi - lo) : Json(nullptr)},
                      {"weights", weights},
                      {"weight_min", std::isfinite(wlo) ? Json(wlo) : Json(nullptr)},
                      {"weight_max", std::isfinite(whi) ? Json(whi) : Json(nullptr)}});
  }
  j["criteria"] = spread;

  // Why outcomes differ, pair by pair.
  Json diffs = Json::array();
  for (size_t a = 0; a < hs.size(); ++a) {
    for (size_t b = a + 1; b < hs.size(); ++b) {
      if (hs[a].final_outcome == hs[b].final_outcome && hs[a].proposed == hs[b].proposed) continue;
      diffs.push_back(Difference(hs[a], hs[b], opts.threads));
    }
  }
  j["differences"] = diffs;
  return j;
}

}  // namespace vaglio::engine::registry
