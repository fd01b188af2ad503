#ifndef VAGLIO_ENGINE_REPORT_REPORT_H_
#define VAGLIO_ENGINE_REPORT_REPORT_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "engine/evaluation/assess.h"
#include "engine/registry/store.h"
#include "evaluation.pb.h"

/// Self-contained HTML reports (docs/cli.md §HTML reports): the evaluation record for the
/// committee's meeting, and the manufacturer's self-assessment. A report is a view of a
/// record: every number it shows is read from the record (or, for a registry, from the
/// decision stored with it), nothing is recomputed.
namespace vaglio::engine::report {

/// A signature on a registry entry, checked against the registry's public key.
struct SignatureView {
  std::string key_id, holder, role;
  bool valid = false;       // false also when the key is not in the registry
};

/// Where a record sits in a registry.
struct EntryView {
  std::string registry;     // as given on the command line
  std::string chain_id, record_id, hash, prev_hash, recorded_at, supersedes;
  int64_t seq = 0;
  bool hash_matches = false;  // the entry's stored hash is that of its content
  std::vector<registry::InputRef> inputs;
  std::vector<SignatureView> signatures;
};

/// A committee's decision on the evaluation (format vaglio.decision/1, as stored).
struct DecisionView {
  std::string final_outcome, proposed_outcome, proposed_rule;
  bool is_override = false;
  std::string justification, decided_on, minutes_ref, review_by, supersedes;
  schemas::VoteRecord vote;
  bool has_vote = false;
  std::vector<schemas::Condition> conditions;
  EntryView entry;
};

struct ReportData {
  schemas::Evaluation record;
  std::optional<EntryView> entry;          // when read from a registry
  std::optional<DecisionView> decision;    // the latest decision on it, if any
  std::vector<std::string> notes;          // e.g. a later record supersedes this one
};

/// A record from its JSON (as `vaglio evaluate --format json` prints it). Unknown fields
/// are ignored, so a record of a later version still reads. Nothing, with `*error` set,
/// when the text is not a record.
std::optional<ReportData> ReportFromJson(const std::string& text, std::string* error);

/// The record `record_id` of `store`: an evaluation (with the latest decision on it that
/// no other decision supersedes) or a decision (with the evaluation it decides).
std::optional<ReportData> ReportFromRegistry(const registry::Store& store, const std::string& registry_name,
                                             const std::string& record_id, std::string* error);

/// The committee's report of an evaluation.
std::string EvaluationHtml(const ReportData& d);

/// The manufacturer's self-assessment, in the same style.
std::string AssessHtml(const AssessResult& a);

}  // namespace vaglio::engine::report

#endif  // VAGLIO_ENGINE_REPORT_REPORT_H_
