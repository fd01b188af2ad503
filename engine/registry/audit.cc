#include "engine/registry/audit.h"

#include <sodium.h>

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "engine/hash.h"
#include "engine/load/closed_sets.h"
#include "engine/load/dossier_loader.h"
#include "engine/registry/store_common.h"
#include "models/text.h"

namespace vaglio::engine::registry {
namespace {

namespace sc = vaglio::schemas;
using Json = nlohmann::json;  // std::map objects: keys sorted, as the canonical form wants

constexpr const char* kEntryPrefix = "vaglio.entry/1\n";
constexpr const char* kExportFormat = "vaglio.registry-export/1";
const std::string kZeroHash(64, '0');

const std::vector<std::string> kOutcomes = {"APPROVE", "APPROVE_WITH_CONDITIONS", "RESEARCH_ONLY", "DEFER",
                                            "REJECT",  "REFER",                   "INADMISSIBLE"};

// JSON text, keys sorted (Json) or in order (ordered_json). Bytes that are not UTF-8 (a
// damaged row, a file name in another encoding) become U+FFFD instead of throwing, so a
// damaged record gets a hash, which then fails to match.
template <typename J>
std::string Dump(const J& j, int indent = -1) {
  return j.dump(indent, ' ', false, J::error_handler_t::replace);
}

// The parsed JSON of `text`, or the text itself as a string when it is not JSON (a damaged
// row still gets a canonical form, whose hash then fails to match).
Json ParsedOrString(const std::string& text) {
  Json j = Json::parse(text, nullptr, false);
  return j.is_discarded() ? Json(text) : j;
}

void AddModelInputs(const LoadedModel& m, std::vector<std::pair<std::string, const std::string*>>* out) {
  for (const InputFile& f : m.inputs) out->emplace_back(f.path, &f.bytes);
  for (const LoadedModel& sub : m.submodels) AddModelInputs(sub, out);
}

std::string Base64(const std::string& bytes) {
  const size_t n = sodium_base64_encoded_len(bytes.size(), sodium_base64_VARIANT_ORIGINAL);
  std::string out(n, '\0');
  sodium_bin2base64(out.data(), n, reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(),
                    sodium_base64_VARIANT_ORIGINAL);
  out.resize(n - 1);
  return out;
}

std::optional<std::string> FromBase64(const std::string& text) {
  std::string out(text.size(), '\0');
  size_t len = 0;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), text.data(), text.size(), nullptr, &len,
                        nullptr, sodium_base64_VARIANT_ORIGINAL) != 0) {
    return std::nullopt;
  }
  out.resize(len);
  return out;
}

// Finalises a batch: chain position, time, hash, and the signature when a key is given.
AppendBatch Finish(Entry e, const std::string& chain_id, int64_t seq, const std::string& prev,
                   std::vector<std::pair<std::string, std::string>> blobs, const AppendOptions& ao) {
  e.chain_id = chain_id;
  e.seq = seq;
  e.prev_hash = prev;
  e.recorded_at = UtcNow();
  e.hash = EntryHash(e);
  AppendBatch b;
  b.entry = std::move(e);
  b.blobs = std::move(blobs);
  if (ao.key) {
    b.keys.push_back(ao.key->pub);
    b.signatures.push_back(Sign(*ao.key, b.entry.hash));
  }
  return b;
}

const Entry* FindRecord(const std::vector<Entry>& entries, const std::string& record_id) {
  for (const Entry& e : entries) {
    if (e.record_id == record_id) return &e;
  }
  return nullptr;
}

// The top-level keys where two JSON objects differ, for a replay that does not match.
std::string DifferingKeys(const Json& a, const Json& b) {
  std::string out;
  std::set<std::string> keys;
  if (a.is_object()) {
    for (const auto& [k, v] : a.items()) keys.insert(k);
  }
  if (b.is_object()) {
    for (const auto& [k, v] : b.items()) keys.insert(k);
  }
  for (const std::string& k : keys) {
    if (k == "engine") continue;
    if (!a.contains(k) || !b.contains(k) || a[k] != b[k]) out += (out.empty() ? "" : ", ") + k;
  }
  return out;
}

// Whether `text` is a JSON object written in canonical form.
bool CanonicalObject(const std::string& text) {
  const Json j = Json::parse(text, nullptr, false);
  return j.is_object() && Dump(j) == text;
}

std::string Label(const Entry& e) { return e.chain_id.substr(0, 8) + ":" + std::to_string(e.seq); }

}  // namespace

std::string Canonical(const std::string& json_text) { return Dump(ParsedOrString(json_text)); }

std::string CanonicalEntry(const Entry& e) {
  Json j;
  j["chain_id"] = e.chain_id;
  j["seq"] = e.seq;
  j["kind"] = e.kind;
  j["record_id"] = e.record_id;
  j["refers_to"] = e.refers_to;
  j["supersedes"] = e.supersedes;
  j["dossier_id"] = e.dossier_id;
  j["device_cnd"] = e.device_cnd;
  j["device_rdm"] = e.device_rdm;
  j["organisation"] = e.organisation;
  j["recorded_at"] = e.recorded_at;
  j["prev_hash"] = e.prev_hash;
  j["result_hash"] = e.result_hash;
  j["inputs"] = Json::parse(InputsToJson(e.inputs));
  j["options"] = ParsedOrString(e.options);
  j["body"] = ParsedOrString(e.body);
  return Dump(j);
}

std::string EntryHash(const Entry& e) { return Sha256Hex(kEntryPrefix + CanonicalEntry(e)); }

std::string EvaluationResultHash(const std::string& record_canonical_json) {
  Json j = ParsedOrString(record_canonical_json);
  if (j.is_object()) j.erase("engine");
  return Sha256Hex(Dump(j));
}

std::optional<Entry> AppendEvaluation(Store& store, const EvaluationResult& r, const EvaluateOptions& opts,
                                      const AppendOptions& ao, std::string* error) {
  const std::vector<Entry> existing = store.Entries();
  if (const Entry* same = FindRecord(existing, r.record.record_id()); same != nullptr) {
    *error = "evaluation " + r.record.record_id() + " is already in the registry (record " + Label(*same) +
             "): the same inputs and date give the same record";
    return std::nullopt;
  }
  if (!ao.supersedes.empty()) {
    const Entry* old = FindRecord(existing, ao.supersedes);
    if (old == nullptr || old->kind != "evaluation") {
      *error = "--supersedes: no evaluation record '" + ao.supersedes + "' in the registry";
      return std::nullopt;
    }
  }
  Entry e;
  e.kind = "evaluation";
  e.record_id = r.record.record_id();
  e.supersedes = ao.supersedes;
  const sc::Dossier& d = r.dossier.proto;
  e.dossier_id = d.dossier_id();
  e.device_cnd = d.device().cnd_code();
  e.device_rdm = d.device().has_rdm_number() ? std::to_string(d.device().rdm_number()) : "";
  e.organisation = !r.criteria.proto.owner().name().empty() ? r.criteria.proto.owner().name() : d.receiving_body().name();
  e.body = Canonical(RecordJson(r.record));
  e.result_hash = EvaluationResultHash(e.body);
  Json o;
  o["dossier"] = opts.dossier;
  o["criteria"] = opts.criteria;
  o["scores"] = opts.scores;
  o["date"] = r.record.evaluation_date();
  o["committee"] = opts.committee;
  e.options = Dump(o);
  std::vector<std::pair<std::string, const std::string*>> files = {{"dossier", &r.dossier.bytes},
                                                                   {"criteria", &r.criteria.bytes}};
  std::vector<std::string> paths = {r.dossier.file, r.criteria.file};
  if (r.scores) {
    files.emplace_back("scores", &r.scores->bytes);
    paths.push_back(r.scores->file);
  }
  std::vector<std::pair<std::string, const std::string*>> model_files;
  if (r.economics.model) AddModelInputs(*r.economics.model, &model_files);
  for (const auto& [path, bytes] : model_files) {
    files.emplace_back("model", bytes);
    paths.push_back(path);
  }
  std::vector<std::pair<std::string, std::string>> blobs;
  std::set<std::pair<std::string, std::string>> seen;  // (role, path)
  for (size_t i = 0; i < files.size(); ++i) {
    if (!seen.insert({files[i].first, paths[i]}).second) continue;
    const std::string sha = Sha256Hex(*files[i].second);
    e.inputs.push_back({files[i].first, paths[i], sha});
    blobs.emplace_back(sha, *files[i].second);
  }
  const std::string chain = store.chain_id();
  return store.Append(
      [&](int64_t seq, const std::string& prev) { return Finish(e, chain, seq, prev, blobs, ao); }, error);
}

std::optional<Entry> AppendDecision(Store& store, const FileSystem& fs, const std::string& path,
                                    const AppendOptions& ao, Diagnostics* diag, std::string* error) {
  auto loaded = LoadDecision(fs, path, diag);
  if (!loaded) return std::nullopt;
  const sc::Decision& dec = loaded->proto;
  FieldChecker c(loaded->file, loaded->map, diag);
  const size_t before = diag->size();
  const std::vector<Entry> existing = store.Entries();
  const Entry* ev = FindRecord(existing, dec.evaluation());
  std::vector<std::string> evaluations;
  for (const Entry& x : existing) {
    if (x.kind == "evaluation") evaluations.push_back(x.record_id);
  }
  if (ev == nullptr || ev->kind != "evaluation") {
    c.Error("evaluation", "'" + dec.evaluation() + "' is not an evaluation record of the registry" +
                              models::DidYouMeanSuffix(dec.evaluation(), evaluations));
  }
  c.OneOf("final_outcome", dec.final_outcome(), kOutcomes);
  c.Date("decided_on", dec.decided_on());
  c.Date("review_by", dec.review_by());
  for (int i = 0; i < dec.conditions_size(); ++i) {
    const auto& cond = dec.conditions(i);
    const std::string cp = IndexPath("conditions", static_cast<size_t>(i));
    c.OneOf(JoinPath(cp, "type"), cond.type(),
            {"restricted_indication", "restricted_operators_or_centre", "volume_cap", "trial_period", "registry_enrolment",
             "outcome_audit", "price_agreement", "re_evaluation", "evidence_request", "training_requirement",
             "comparator_disinvestment"});
    c.Date(JoinPath(cp, "due_date"), cond.due_date());
    c.OneOf(JoinPath(cp, "status"), cond.status(), {"open", "met", "not_met", "withdrawn"});
  }
  Json evaluation;
  if (ev != nullptr) evaluation = ParsedOrString(ev->body);
  const std::string proposed =
      evaluation.is_object() ? evaluation.value("/proposed_outcome/outcome"_json_pointer, std::string()) : std::string();
  const bool is_override = ev != nullptr && !dec.final_outcome().empty() && dec.final_outcome() != proposed;
  if (is_override && dec.justification().empty()) {
    c.Error("final_outcome", "is " + dec.final_outcome() + ", but the proposed outcome was " + proposed +
                                 ": an override needs a justification (add justification: ...)");
  }
  if (!dec.supersedes().empty()) {
    const Entry* old = FindRecord(existing, dec.supersedes());
    if (old == nullptr || old->kind != "decision") {
      c.Error("supersedes", "'" + dec.supersedes() + "' is not a decision record of the registry");
    } else if (old->refers_to != dec.evaluation()) {
      c.Error("supersedes", "'" + dec.supersedes() + "' decides evaluation " + old->refers_to + ", not " + dec.evaluation());
    }
  }
  if (diag->size() != before) return std::nullopt;

  Json body;
  body["record_type"] = "decision";
  body["evaluation"] = dec.evaluation();
  body["proposed_outcome"] = evaluation.value("proposed_outcome", Json::object());
  body["final_outcome"] = dec.final_outcome();
  body["override"] = {{"is_override", is_override}, {"justification", dec.justification()}};
  body["decided_on"] = dec.decided_on();
  body["minutes_ref"] = dec.minutes_ref();
  body["review_by"] = dec.review_by();
  body["supersedes"] = dec.supersedes();
  Json conditions = Json::array();
  if (dec.conditions_size() > 0) {
    for (const auto& cond : dec.conditions()) {
      Json params = Json::array();
      for (const auto& p : cond.parameters()) params.push_back({{"name", p.name()}, {"value", p.value()}});
      conditions.push_back({{"type", cond.type()},
                            {"parameters", params},
                            {"owner", cond.owner()},
                            {"due_date", cond.due_date()},
                            {"indicator", cond.indicator()},
                            {"status", cond.status().empty() ? "open" : cond.status()}});
    }
  } else if (!is_override) {
    // Not given: the committee confirms the proposal, with its conditions. An override
    // without conditions records none (e.g. APPROVE where conditions were proposed).
    conditions = evaluation.value("conditions", Json::array());
  }
  body["conditions"] = conditions;
  if (dec.has_vote()) {
    Json dissents = Json::array();
    for (const auto& x : dec.vote().dissents()) dissents.push_back({{"member", x.member()}, {"text", x.text()}});
    body["vote"] = {{"for", dec.vote().for_()},
                    {"against", dec.vote().against()},
                    {"abstain", dec.vote().abstain()},
                    {"dissents", dissents}};
  } else {
    body["vote"] = evaluation.value("vote", Json::object());
  }
  Entry e;
  e.kind = "decision";
  e.refers_to = dec.evaluation();
  e.supersedes = dec.supersedes();
  e.dossier_id = ev->dossier_id;
  e.device_cnd = ev->device_cnd;
  e.device_rdm = ev->device_rdm;
  e.organisation = ev->organisation;
  e.body = Dump(body);
  e.result_hash = Sha256Hex(e.body);
  e.record_id = Sha256Hex("decision\n" + e.refers_to + "\n" + e.body).substr(0, 32);
  const std::string sha = Sha256Hex(loaded->bytes);
  e.inputs.push_back({"decision", loaded->file, sha});
  std::vector<std::pair<std::string, std::string>> blobs = {{sha, loaded->bytes}};
  const std::string chain = store.chain_id();
  return store.Append(
      [&](int64_t seq, const std::string& prev) { return Finish(e, chain, seq, prev, blobs, ao); }, error);
}

bool VerifyReport::ok() const {
  if (!problems.empty()) return false;
  return std::all_of(records.begin(), records.end(), [](const RecordCheck& r) { return r.problems.empty(); });
}

VerifyReport Verify(const Store& store, const std::vector<Entry>& entries, const VerifyOptions& opts) {
  VerifyReport rep;
  std::map<std::string, PublicKey> keys;
  for (const PublicKey& k : store.Keys()) keys[k.key_id] = k;
  std::multimap<std::string, Signature> sigs;
  for (const Signature& s : store.Signatures()) sigs.emplace(s.entry_hash, s);
  std::set<std::string> hashes;
  for (const Entry& e : entries) hashes.insert(e.hash);
  for (const auto& [h, s] : sigs) {
    if (!hashes.count(h)) {
      rep.problems.push_back("a signature (key " + s.key_id + ") signs no record of the registry (it signs hash " +
                             h.substr(0, 16) + "; was its record deleted, or its hash changed?)");
    }
  }
  std::map<std::string, const Entry*> by_record;
  for (const Entry& e : entries) by_record[e.record_id] = &e;

  const Entry* prev = nullptr;
  for (const Entry& e : entries) {
    RecordCheck rc;
    rc.entry = &e;
    // The chain: hashes, links, no gaps.
    const bool first_of_chain = prev == nullptr || prev->chain_id != e.chain_id;
    const int64_t expected_seq = first_of_chain ? 1 : prev->seq + 1;
    if (e.seq < expected_seq) {
      rc.problems.push_back("chain break: its seq is " + std::to_string(e.seq) + ", but records are numbered from 1");
    } else if (e.seq != expected_seq) {
      rep.problems.push_back("chain " + e.chain_id.substr(0, 8) + ": " +
                             (e.seq - 1 > expected_seq ? "records " + std::to_string(expected_seq) + " to " +
                                                             std::to_string(e.seq - 1) + " are"
                                                       : "record " + std::to_string(expected_seq) + " is") +
                             " missing (deleted?) before record " + Label(e));
      rc.problems.push_back("chain break: the record before it is missing");
    } else if (e.prev_hash != (first_of_chain ? kZeroHash : prev->hash)) {
      rc.problems.push_back("chain break: its prev_hash does not match the hash of record " +
                            (first_of_chain ? std::string("(none: it is the first)") : Label(*prev)));
    }
    if (EntryHash(e) != e.hash) rc.problems.push_back("its content does not match its hash (the record was changed)");
    // The hash is over the canonical form, which is what vaglio stores: other bytes with the
    // same meaning ("1E-5" for "1e-05") are a change too.
    if (!CanonicalObject(e.body)) rc.problems.push_back("its body is not canonical JSON (the record was changed)");
    if (!e.options.empty() && !CanonicalObject(e.options)) {
      rc.problems.push_back("its options are not canonical JSON (the record was changed)");
    }
    // The inputs' bytes.
    for (const InputRef& in : e.inputs) {
      auto bytes = store.Blob(in.sha256);
      if (!bytes) {
        rc.problems.push_back("input " + in.role + " " + in.path + " is missing from the registry");
      } else if (Sha256Hex(*bytes) != in.sha256) {
        rc.problems.push_back("input " + in.role + " " + in.path + " was changed (its bytes do not match its sha256)");
      }
    }
    // Signatures.
    bool trusted = false;
    auto [lo, hi] = sigs.equal_range(e.hash);
    for (auto it = lo; it != hi; ++it) {
      const Signature& s = it->second;
      auto k = keys.find(s.key_id);
      if (k == keys.end()) {
        rc.problems.push_back("signed by key " + s.key_id + ", which the registry does not know");
        continue;
      }
      if (Sha256Hex(k->second.public_key).substr(0, 16) != k->first) {
        rc.problems.push_back("key " + s.key_id + " (" + k->second.holder + ") does not match its public key");
      } else if (!SignatureValid(s, k->second)) {
        rc.problems.push_back("the signature of " + k->second.holder + " (" + k->second.role + ", key " + s.key_id +
                              ") is not valid for this record (forged, or the record was changed)");
      } else {
        rc.notes.push_back("signed by " + k->second.holder + " (" + k->second.role + ")");
        for (const PublicKey& t : opts.trusted) trusted = trusted || t.public_key == k->second.public_key;
      }
    }
    if (!opts.trusted.empty() && !trusted) rc.problems.push_back("not signed by a trusted key");
    // The content.
    const Json body = ParsedOrString(e.body);
    if (e.kind == "evaluation") {
      if (EvaluationResultHash(e.body) != e.result_hash) rc.problems.push_back("its record does not match its result hash");
      if (!body.is_object() || body.value("record_id", "") != e.record_id) {
        rc.problems.push_back("its record_id does not match the record's");
      }
      if (opts.replay && rc.problems.empty()) {
        MemoryFileSystem fs;
        for (const InputRef& in : e.inputs) fs.Add(in.path, store.Blob(in.sha256).value_or(""));
        const Json o = ParsedOrString(e.options);
        EvaluateOptions eo;
        eo.dossier = o.value("dossier", "");
        eo.criteria = o.value("criteria", "");
        eo.scores = o.value("scores", "");
        eo.date = o.value("date", "");
        eo.committee = o.value("committee", true);
        eo.threads = opts.threads;
        Diagnostics diag;
        auto r = Evaluate(fs, eo, &diag);
        if (!r) {
          const std::string first = diag.Format();
          rc.problems.push_back("replay failed: " + first.substr(0, first.find('\n')));
        } else {
          const std::string replayed = Canonical(RecordJson(r->record));
          if (EvaluationResultHash(replayed) != e.result_hash) {
            rc.problems.push_back("replay gives another result (differs in: " +
                                  DifferingKeys(body, Json::parse(replayed)) + ")");
          } else {
            const std::string engine = body.value("/engine/version"_json_pointer, std::string());
            rc.notes.push_back("replayed" + (engine != r->record.engine().version() ? " (recorded with engine " + engine + ")"
                                                                                    : std::string()));
          }
        }
      }
    } else if (e.kind == "decision") {
      if (Sha256Hex(e.body) != e.result_hash) rc.problems.push_back("its decision does not match its result hash");
      auto it = by_record.find(e.refers_to);
      if (it == by_record.end() || it->second->kind != "evaluation") {
        rc.problems.push_back("it decides evaluation " + e.refers_to + ", which is not in the registry");
      }
    } else {
      rc.problems.push_back("unknown record kind '" + e.kind + "'");
    }
    if (!e.supersedes.empty() && !by_record.count(e.supersedes)) {
      rc.problems.push_back("it supersedes " + e.supersedes + ", which is not in the registry");
    }
    rep.records.push_back(std::move(rc));
    prev = &e;
  }
  return rep;
}

std::string ExportJson(const Store& store) {
  nlohmann::ordered_json j;
  j["format"] = kExportFormat;
  nlohmann::ordered_json entries = nlohmann::ordered_json::array();
  for (const Entry& e : store.Entries()) {
    nlohmann::ordered_json x;
    x["chain_id"] = e.chain_id;
    x["seq"] = e.seq;
    x["kind"] = e.kind;
    x["record_id"] = e.record_id;
    x["refers_to"] = e.refers_to;
    x["supersedes"] = e.supersedes;
    x["dossier_id"] = e.dossier_id;
    x["device_cnd"] = e.device_cnd;
    x["device_rdm"] = e.device_rdm;
    x["organisation"] = e.organisation;
    x["recorded_at"] = e.recorded_at;
    x["prev_hash"] = e.prev_hash;
    x["result_hash"] = e.result_hash;
    x["inputs"] = nlohmann::ordered_json::parse(InputsToJson(e.inputs));
    x["options"] = e.options;
    x["body"] = e.body;
    x["hash"] = e.hash;
    entries.push_back(std::move(x));
  }
  j["entries"] = entries;
  nlohmann::ordered_json blobs = nlohmann::ordered_json::object();
  for (const std::string& k : store.BlobKeys()) blobs[k] = Base64(store.Blob(k).value_or(""));
  j["blobs"] = blobs;
  nlohmann::ordered_json keys = nlohmann::ordered_json::array();
  for (const PublicKey& k : store.Keys()) {
    keys.push_back({{"key_id", k.key_id}, {"public_key", k.public_key}, {"holder", k.holder}, {"role", k.role}});
  }
  j["keys"] = keys;
  nlohmann::ordered_json sigs = nlohmann::ordered_json::array();
  for (const Signature& s : store.Signatures()) {
    sigs.push_back({{"entry_hash", s.entry_hash}, {"key_id", s.key_id}, {"signature", s.signature}});
  }
  j["signatures"] = sigs;
  return Dump(j, 1) + "\n";
}

std::optional<Contents> ParseExport(const std::string& text, std::string* error) {
  const Json j = Json::parse(text, nullptr, false);
  if (!j.is_object() || j.value("format", "") != kExportFormat) {
    *error = std::string("not a registry export (expected JSON with \"format\": \"") + kExportFormat + "\")";
    return std::nullopt;
  }
  Contents c;
  try {
    for (const auto& x : j.at("entries")) {
      Entry e;
      e.chain_id = x.at("chain_id").get<std::string>();
      e.seq = x.at("seq").get<int64_t>();
      e.kind = x.at("kind").get<std::string>();
      e.record_id = x.at("record_id").get<std::string>();
      e.refers_to = x.at("refers_to").get<std::string>();
      e.supersedes = x.at("supersedes").get<std::string>();
      e.dossier_id = x.at("dossier_id").get<std::string>();
      e.device_cnd = x.at("device_cnd").get<std::string>();
      e.device_rdm = x.at("device_rdm").get<std::string>();
      e.organisation = x.at("organisation").get<std::string>();
      e.recorded_at = x.at("recorded_at").get<std::string>();
      e.prev_hash = x.at("prev_hash").get<std::string>();
      e.result_hash = x.at("result_hash").get<std::string>();
      e.inputs = InputsFromJson(Dump(x.at("inputs")));
      e.options = x.at("options").get<std::string>();
      e.body = x.at("body").get<std::string>();
      e.hash = x.at("hash").get<std::string>();
      c.entries.push_back(std::move(e));
    }
    for (const auto& [k, v] : j.at("blobs").items()) {
      auto bytes = FromBase64(v.get<std::string>());
      if (!bytes) {
        *error = "blobs." + k + ": not base64";
        return std::nullopt;
      }
      c.blobs.emplace_back(k, *bytes);
    }
    for (const auto& k : j.at("keys")) {
      c.keys.push_back({k.at("key_id").get<std::string>(), k.at("public_key").get<std::string>(),
                        k.at("holder").get<std::string>(), k.at("role").get<std::string>()});
    }
    for (const auto& s : j.at("signatures")) {
      c.signatures.push_back(
          {s.at("entry_hash").get<std::string>(), s.at("key_id").get<std::string>(), s.at("signature").get<std::string>()});
    }
  } catch (const nlohmann::json::exception& ex) {
    *error = std::string("malformed registry export: ") + ex.what();
    return std::nullopt;
  }
  return c;
}

bool VerifyContents(const Contents& c, std::string* error) {
  MemoryStore incoming(c);
  VerifyOptions vo;
  vo.replay = false;
  const std::vector<Entry> entries = incoming.Entries();
  const VerifyReport rep = Verify(incoming, entries, vo);
  if (!rep.ok()) {
    std::string why;
    for (const std::string& p : rep.problems) why += "\n  " + p;
    for (const RecordCheck& r : rep.records) {
      for (const std::string& p : r.problems) why += "\n  record " + Label(*r.entry) + " " + r.entry->record_id + ": " + p;
    }
    *error = "the export does not verify; nothing was imported:" + why;
    return false;
  }
  return true;
}

bool ImportContents(Store& store, const Contents& c, std::string* error) {
  return VerifyContents(c, error) && store.Import(c, error);
}

}  // namespace vaglio::engine::registry
