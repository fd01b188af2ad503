#include "engine/registry/compare_explain.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <set>

#include "engine/evaluation/evaluate.h"
#include "models/number.h"

namespace vaglio::engine::registry {
namespace {

using Json = nlohmann::ordered_json;

// Keys of a criteria set that say who owns it and how it was approved: no decision
// depends on them, so they are not compared.
const std::set<std::string> kIdentityKeys = {"format",      "config_id",  "name",     "version",
                                             "description", "owner",      "parent",   "status",
                                             "approval",    "valid_from", "valid_to", "change_log"};

// A YAML node as JSON: numbers and booleans written plainly become JSON numbers and
// booleans; quoted scalars stay text.
Json ToJson(const YAML::Node& n) {
  switch (n.Type()) {
    case YAML::NodeType::Scalar: {
      const std::string& s = n.Scalar();
      if (n.Tag() != "!") {
        if (auto d = models::ParseNumber(s)) {
          // Whole numbers print as such (250000, not 250000.0).
          if (std::fabs(*d) < 9007199254740992.0 && std::trunc(*d) == *d)
            return static_cast<int64_t>(*d);
          return *d;
        }
        if (s == "true" || s == "false") return s == "true";
      }
      return s;
    }
    case YAML::NodeType::Sequence: {
      Json a = Json::array();
      for (const YAML::Node& x : n) a.push_back(ToJson(x));
      return a;
    }
    case YAML::NodeType::Map: {
      Json o = Json::object();
      for (const auto& kv : n) o[kv.first.Scalar()] = ToJson(kv.second);
      return o;
    }
    default:
      return nullptr;
  }
}

// Equal as data, whatever the order of mapping keys (bytes that are not UTF-8 compare as U+FFFD).
bool Same(const Json& a, const Json& b) {
  auto sorted = [](const Json& j) {
    return nlohmann::json::parse(j.dump(-1, ' ', false, Json::error_handler_t::replace));
  };
  return sorted(a) == sorted(b);
}

// The child `key` of a mapping, or an undefined node (never inserts).
YAML::Node Child(const YAML::Node& n, const std::string& key) {
  if (!n.IsMap()) return YAML::Node(YAML::NodeType::Undefined);
  for (const auto& kv : n) {
    if (kv.first.Scalar() == key) return kv.second;
  }
  return YAML::Node(YAML::NodeType::Undefined);
}

Json ChildJson(const YAML::Node& n, const std::string& key) {
  const YAML::Node c = Child(n, key);
  return c.IsDefined() ? ToJson(c) : Json(nullptr);
}

// The keys of mappings a and b: a's in order, then those only in b.
std::vector<std::string> Keys(const YAML::Node& a, const YAML::Node& b) {
  std::vector<std::string> out;
  for (const YAML::Node* n : {&a, &b}) {
    if (!n->IsMap()) continue;
    for (const auto& kv : *n) {
      if (std::find(out.begin(), out.end(), kv.first.Scalar()) == out.end())
        out.push_back(kv.first.Scalar());
    }
  }
  return out;
}

// The fields where two mappings differ (each side's value; null when absent), or the two
// values whole when they are not both mappings.
std::pair<Json, Json> Differing(const Json& a, const Json& b) {
  if (!a.is_object() || !b.is_object()) return {a, b};
  Json da = Json::object(), db = Json::object();
  std::vector<std::string> keys;
  for (const auto& [k, v] : a.items()) keys.push_back(k);
  for (const auto& [k, v] : b.items()) {
    if (!a.contains(k)) keys.push_back(k);
  }
  for (const std::string& k : keys) {
    const Json va = a.contains(k) ? a[k] : Json(nullptr), vb = b.contains(k) ? b[k] : Json(nullptr);
    if (!Same(va, vb)) {
      da[k] = va;
      db[k] = vb;
    }
  }
  return {da, db};
}

// Sets `parent[key]` to a copy of `value`, or removes the key when `value` is undefined.
void Put(YAML::Node parent, const std::string& key, const YAML::Node& value) {
  if (value.IsDefined()) {
    parent[key] = YAML::Clone(value);
  } else {
    parent.remove(key);
  }
}

std::vector<std::string> CriterionIds(const YAML::Node& mcda) {
  std::vector<std::string> ids;
  const YAML::Node cs = Child(mcda, "criteria");
  if (cs.IsMap()) {
    for (const auto& kv : cs) ids.push_back(kv.first.Scalar());
  }
  return ids;
}

class ItemBuilder {
 public:
  ItemBuilder(YAML::Node a, YAML::Node b) : a_(std::move(a)), b_(std::move(b)) {}

  // Adds an item; `apply` edits a copy of set a so that it takes the item from b.
  void Add(const std::string& item, Json va, Json vb,
           const std::function<void(YAML::Node&)>& apply) {
    YAML::Node copy = YAML::Clone(a_);
    apply(copy);
    YAML::Emitter em;
    em << copy;
    out_.push_back({item, std::move(va), std::move(vb), std::string(em.c_str()) + "\n"});
  }

  // One item per key of the mapping at a[top] and b[top] whose value differs.
  void PerKey(const std::string& top, bool show_differing_fields) {
    const YAML::Node ma = Child(a_, top), mb = Child(b_, top);
    for (const std::string& k : Keys(ma, mb)) {
      const Json va = ChildJson(ma, k), vb = ChildJson(mb, k);
      if (Same(va, vb)) continue;
      auto [da, db] = show_differing_fields ? Differing(va, vb) : std::pair<Json, Json>{va, vb};
      const YAML::Node from = Child(mb, k);
      Add(top + "." + k, da, db, [&](YAML::Node& root) {
        if (!Child(root, top).IsMap()) root[top] = YAML::Node(YAML::NodeType::Map);
        Put(root[top], k, from);
      });
    }
  }

  void Parameters() {
    const YAML::Node pa = Child(a_, "parameters"), pb = Child(b_, "parameters");
    for (const std::string& k : Keys(pa, pb)) {
      const YAML::Node ta = Child(pa, k), tb = Child(pb, k);
      if (k == "wtp_thresholds" && ta.IsMap() && tb.IsMap()) {
        for (const std::string& l : Keys(ta, tb)) {
          const Json va = ChildJson(ta, l), vb = ChildJson(tb, l);
          if (Same(va, vb)) continue;
          const YAML::Node from = Child(tb, l);
          Add("parameters.wtp_thresholds." + l, va, vb,
              [&](YAML::Node& root) { Put(root["parameters"]["wtp_thresholds"], l, from); });
        }
        continue;
      }
      const Json va = ChildJson(pa, k), vb = ChildJson(pb, k);
      if (Same(va, vb)) continue;
      Add("parameters." + k, va, vb, [&](YAML::Node& root) {
        if (!Child(root, "parameters").IsMap())
          root["parameters"] = YAML::Node(YAML::NodeType::Map);
        Put(root["parameters"], k, tb);
      });
    }
  }

  void Mcda() {
    const YAML::Node ma = Child(a_, "mcda"), mb = Child(b_, "mcda");
    const std::vector<std::string> ida = CriterionIds(ma), idb = CriterionIds(mb);
    if (std::set<std::string>(ida.begin(), ida.end()) !=
        std::set<std::string>(idb.begin(), idb.end())) {
      // Criteria added or removed: the weights cannot be taken alone; the whole block is one item.
      Add("mcda.criteria", ida, idb, [&](YAML::Node& root) { Put(root, "mcda", mb); });
      return;
    }
    for (const std::string& k : Keys(ma, mb)) {
      if (k == "criteria" || k == "weight_elicitation") continue;
      const Json va = ChildJson(ma, k), vb = ChildJson(mb, k);
      if (Same(va, vb)) continue;
      const YAML::Node from = Child(mb, k);
      Add("mcda." + k, va, vb, [&](YAML::Node& root) { Put(root["mcda"], k, from); });
    }
    // The weights: every criterion's weight and how they were elicited (not when or by whom).
    const YAML::Node ca = Child(ma, "criteria"), cb = Child(mb, "criteria");
    Json wa = Json::object(), wb = Json::object();
    for (const std::string& id : ida) {
      const Json x = ChildJson(Child(ca, id), "weight"), y = ChildJson(Child(cb, id), "weight");
      if (!Same(x, y)) {
        wa[id] = x;
        wb[id] = y;
      }
    }
    const YAML::Node ea = Child(ma, "weight_elicitation"), eb = Child(mb, "weight_elicitation");
    for (const char* k : {"method", "total_points", "domains"}) {
      const Json x = ChildJson(ea, k), y = ChildJson(eb, k);
      if (!Same(x, y)) {
        wa[std::string("weight_elicitation.") + k] = x;
        wb[std::string("weight_elicitation.") + k] = y;
      }
    }
    if (!wa.empty()) {
      Add("mcda.weights", wa, wb, [&](YAML::Node& root) {
        YAML::Node m = root["mcda"];
        for (const std::string& id : ida)
          Put(m["criteria"][id], "weight", Child(Child(cb, id), "weight"));
        Put(m, "weight_elicitation", eb);
      });
    }
    // Each criterion's definition apart from its weight (name, scale, computed score, missing-data
    // policy).
    for (const std::string& id : ida) {
      Json x = ToJson(Child(ca, id)), y = ToJson(Child(cb, id));
      if (x.is_object()) x.erase("weight");
      if (y.is_object()) y.erase("weight");
      if (Same(x, y)) continue;
      auto [dx, dy] = Differing(x, y);
      Add("mcda.criteria." + id, dx, dy, [&](YAML::Node& root) {
        YAML::Node c = root["mcda"]["criteria"];
        const YAML::Node weight = YAML::Clone(Child(c[id], "weight"));
        c[id] = YAML::Clone(Child(cb, id));
        Put(c[id], "weight", weight);
      });
    }
  }

  void Rules() {
    const YAML::Node ra = Child(a_, "decision_rules"), rb = Child(b_, "decision_rules");
    std::vector<std::string> ia, ib;
    for (const auto& [n, ids] : {std::pair{&ra, &ia}, std::pair{&rb, &ib}}) {
      if (!n->IsMap()) continue;
      for (const auto& kv : *n) ids->push_back(kv.first.Scalar());
    }
    if (ia == ib) {
      PerKey("decision_rules", true);
      return;
    }
    // Rules added, removed or reordered: their order matters, so the list is one item.
    const Json va = ToJson(ra), vb = ToJson(rb);
    Add("decision_rules", va, vb, [&](YAML::Node& root) { Put(root, "decision_rules", rb); });
  }

  void Other(const std::set<std::string>& handled) {
    for (const std::string& k : Keys(a_, b_)) {
      if (kIdentityKeys.count(k) || handled.count(k)) continue;
      const Json va = ChildJson(a_, k), vb = ChildJson(b_, k);
      if (Same(va, vb)) continue;
      const YAML::Node from = Child(b_, k);
      Add(k, va, vb, [&](YAML::Node& root) { Put(root, k, from); });
    }
  }

  std::vector<CriteriaItem> Take() { return std::move(out_); }

 private:
  YAML::Node a_, b_;
  std::vector<CriteriaItem> out_;
};

}  // namespace

Json RerunJson(const Rerun& r) {
  Json j;
  if (!r.error.empty()) {
    j["error"] = r.error;
    return j;
  }
  j["outcome"] = r.outcome;
  j["rule_id"] = r.rule_id;
  j["mcda_total"] = r.total ? Json(*r.total) : Json(nullptr);
  j["gates_failed"] = r.gates_failed;
  j["stable"] = r.stable;
  return j;
}

Rerun RerunUnder(const Store& store, const Entry& e, const std::string& criteria_yaml,
                 int threads) {
  Rerun out;
  MemoryFileSystem fs;
  std::string criteria_path;
  for (const InputRef& in : e.inputs) {
    auto bytes = store.Blob(in.sha256);
    if (!bytes) {
      out.error = "input " + in.role + " " + in.path + " is missing from the registry";
      return out;
    }
    fs.Add(in.path, *bytes);
    if (in.role == "criteria") criteria_path = in.path;
  }
  if (criteria_path.empty()) {
    out.error = "the record has no criteria set among its inputs";
    return out;
  }
  fs.Add(criteria_path, criteria_yaml);
  const nlohmann::json o = nlohmann::json::parse(e.options, nullptr, false);
  if (!o.is_object()) {
    out.error = "the record's replay options are damaged";
    return out;
  }
  EvaluateOptions eo;
  eo.dossier = o.value("dossier", "");
  eo.criteria = criteria_path;
  eo.scores = o.value("scores", "");
  eo.date = o.value("date", "");
  eo.committee = o.value("committee", true);
  eo.foreign_scores = true;
  eo.threads = threads;
  Diagnostics diag;
  auto r = Evaluate(fs, eo, &diag);
  if (!r) {
    const std::string text = diag.Format();
    out.error = text.substr(0, text.find('\n'));
    return out;
  }
  out.outcome = r->record.proposed_outcome().outcome();
  out.rule_id = r->record.proposed_outcome().rule_id();
  if (r->aggregation.blocked.empty()) out.total = r->aggregation.total;
  out.stable = r->record.robustness().decision_stable_under_perturbation();
  for (const auto& g : r->record.gate_results()) {
    if (!g.passed()) out.gates_failed.push_back(g.gate_id());
  }
  return out;
}

std::optional<std::vector<CriteriaItem>> CriteriaItems(const std::string& a_yaml,
                                                       const std::string& b_yaml,
                                                       std::string* error) {
  try {
    const YAML::Node a = YAML::Load(a_yaml), b = YAML::Load(b_yaml);
    if (!a.IsMap() || !b.IsMap()) {
      *error = "a criteria set is not a YAML mapping";
      return std::nullopt;
    }
    ItemBuilder ib(a, b);
    ib.Parameters();
    ib.PerKey("gates", true);
    ib.Mcda();
    ib.PerKey("sensitivity", false);
    ib.Rules();
    ib.PerKey("voting", false);
    ib.Other({"parameters", "gates", "mcda", "sensitivity", "decision_rules", "voting"});
    return ib.Take();
  } catch (const YAML::Exception& ex) {
    *error = std::string("cannot compare the criteria sets: ") + ex.what();
    return std::nullopt;
  }
}

}  // namespace vaglio::engine::registry
