// Where a report's record comes from: a record's JSON, or a registry with its decision.
#include <google/protobuf/util/json_util.h>

#include <nlohmann/json.hpp>
#include <set>

#include "engine/registry/audit.h"
#include "engine/registry/keys.h"
#include "engine/report/report.h"

namespace vaglio::engine::report {
namespace {

namespace reg = vaglio::engine::registry;
using Json = nlohmann::json;

template <typename Message>
bool FromJson(const std::string& text, Message* m, std::string* error) {
  google::protobuf::util::JsonParseOptions opts;
  opts.ignore_unknown_fields = true;
  const auto status = google::protobuf::util::JsonStringToMessage(text, m, opts);
  if (!status.ok()) *error = status.ToString();
  return status.ok();
}

EntryView View(const reg::Store& store, const std::string& registry_name, const reg::Entry& e) {
  EntryView v;
  v.registry = registry_name;
  v.chain_id = e.chain_id;
  v.record_id = e.record_id;
  v.seq = e.seq;
  v.hash = e.hash;
  v.prev_hash = e.prev_hash;
  v.recorded_at = e.recorded_at;
  v.supersedes = e.supersedes;
  v.inputs = e.inputs;
  v.hash_matches = reg::EntryHash(e) == e.hash;
  const std::vector<reg::PublicKey> keys = store.Keys();
  for (const reg::Signature& s : store.Signatures()) {
    if (s.entry_hash != e.hash) continue;
    SignatureView sv{s.key_id, "", "", false};
    for (const reg::PublicKey& k : keys) {
      if (k.key_id != s.key_id) continue;
      sv.holder = k.holder;
      sv.role = k.role;
      sv.valid = reg::SignatureValid(s, k);
    }
    v.signatures.push_back(sv);
  }
  return v;
}

std::optional<DecisionView> Decision(const reg::Store& store, const std::string& registry_name, const reg::Entry& e,
                                     std::string* error) {
  const Json body = Json::parse(e.body, nullptr, false);
  if (!body.is_object()) {
    *error = "decision " + e.record_id + ": its stored body is not JSON";
    return std::nullopt;
  }
  DecisionView d;
  auto text = [&](const Json& j, const char* key) {
    auto it = j.find(key);
    return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  d.final_outcome = text(body, "final_outcome");
  if (auto p = body.find("proposed_outcome"); p != body.end() && p->is_object()) {
    d.proposed_outcome = text(*p, "outcome");
    d.proposed_rule = text(*p, "rule_id");
  }
  if (auto o = body.find("override"); o != body.end() && o->is_object()) {
    d.is_override = o->value("is_override", false);
    d.justification = text(*o, "justification");
  }
  d.decided_on = text(body, "decided_on");
  d.minutes_ref = text(body, "minutes_ref");
  d.review_by = text(body, "review_by");
  d.supersedes = text(body, "supersedes");
  if (auto v = body.find("vote"); v != body.end() && v->is_object() && !v->empty()) {
    if (!FromJson(v->dump(), &d.vote, error)) return std::nullopt;
    d.has_vote = true;
  }
  if (auto cs = body.find("conditions"); cs != body.end() && cs->is_array()) {
    for (const Json& c : *cs) {
      schemas::Condition x;
      if (!FromJson(c.dump(), &x, error)) return std::nullopt;
      d.conditions.push_back(std::move(x));
    }
  }
  d.entry = View(store, registry_name, e);
  return d;
}

}  // namespace

std::optional<ReportData> ReportFromJson(const std::string& text, std::string* error) {
  ReportData d;
  if (!FromJson(text, &d.record, error)) {
    *error = "not an evaluation record (JSON): " + *error;
    return std::nullopt;
  }
  if (d.record.record_id().empty() || (!d.record.record_type().empty() && d.record.record_type() != "evaluation")) {
    *error = "not an evaluation record: it has no record_id, or its record_type is not evaluation";
    return std::nullopt;
  }
  return d;
}

std::optional<ReportData> ReportFromRegistry(const reg::Store& store, const std::string& registry_name,
                                             const std::string& record_id, std::string* error) {
  const std::vector<reg::Entry> entries = store.Entries();
  const reg::Entry* found = nullptr;
  for (const reg::Entry& e : entries) {
    if (e.record_id == record_id) found = &e;
  }
  if (found == nullptr) {
    *error = registry_name + ": no record '" + record_id + "' (vaglio history lists them)";
    return std::nullopt;
  }
  const reg::Entry* evaluation = found;
  const reg::Entry* decision = nullptr;
  if (found->kind == "decision") {
    decision = found;
    evaluation = nullptr;
    for (const reg::Entry& e : entries) {
      if (e.kind == "evaluation" && e.record_id == found->refers_to) evaluation = &e;
    }
    if (evaluation == nullptr) {
      *error = registry_name + ": decision " + record_id + " decides evaluation " + found->refers_to + ", which is not in the registry";
      return std::nullopt;
    }
  } else {
    // The latest decision on it that no other decision supersedes.
    std::set<std::string> superseded;
    for (const reg::Entry& e : entries) {
      if (e.kind == "decision" && !e.supersedes.empty()) superseded.insert(e.supersedes);
    }
    for (const reg::Entry& e : entries) {
      if (e.kind == "decision" && e.refers_to == evaluation->record_id && !superseded.count(e.record_id)) decision = &e;
    }
  }
  std::optional<ReportData> d = ReportFromJson(evaluation->body, error);
  if (!d) {
    *error = registry_name + ": evaluation " + evaluation->record_id + ": " + *error;
    return std::nullopt;
  }
  d->entry = View(store, registry_name, *evaluation);
  if (decision != nullptr) {
    d->decision = Decision(store, registry_name, *decision, error);
    if (!d->decision) return std::nullopt;
  }
  for (const reg::Entry& e : entries) {
    if (e.kind == "evaluation" && e.supersedes == evaluation->record_id) {
      d->notes.push_back("This evaluation is superseded by record " + e.record_id + ".");
    }
  }
  return d;
}

}  // namespace vaglio::engine::report
