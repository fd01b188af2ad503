#ifndef VAGLIO_ENGINE_REGISTRY_AUDIT_H_
#define VAGLIO_ENGINE_REGISTRY_AUDIT_H_

#include <optional>
#include <string>
#include <vector>

#include "engine/diagnostics.h"
#include "engine/evaluation/evaluate.h"
#include "engine/io.h"
#include "engine/registry/keys.h"
#include "engine/registry/store.h"

/// The audit trail (DESIGN.md §6; docs/audit-format.md): evaluation and decision records
/// appended to a hash chain with the exact bytes of their inputs, optionally signed; and
/// their verification, replay, history, export and import.
namespace vaglio::engine::registry {

/// The canonical serialisation of an entry (every field but `hash`) and its hash:
/// sha256 of "vaglio.entry/1\n" + the canonical JSON.
std::string CanonicalEntry(const Entry& e);
std::string EntryHash(const Entry& e);

/// What a replay of an evaluation must reproduce: sha256 of the canonical JSON of the
/// record without its `engine` block (so a new build that computes the same numbers
/// replays to the same hash).
std::string EvaluationResultHash(const std::string& record_canonical_json);

/// JSON text in canonical form: keys sorted, no whitespace, numbers shortest round-trip.
std::string Canonical(const std::string& json_text);

struct AppendOptions {
  std::optional<KeyPair> key;   // sign the entry
  std::string supersedes;       // the record_id of a record this one corrects
};

/// Stores `r` (computed with `opts`) with the bytes of every file it read.
std::optional<Entry> AppendEvaluation(Store& store, const EvaluationResult& r, const EvaluateOptions& opts,
                                      const AppendOptions& ao, std::string* error);

/// Reads a decision file (vaglio.decision/1), checks it against its evaluation in the
/// registry (the record exists, the outcome is one of the seven, a justification when it
/// overrides the proposed outcome, a superseded decision exists and decides the same
/// evaluation) and stores it. Input problems go to `diag`; storage problems to `*error`.
std::optional<Entry> AppendDecision(Store& store, const FileSystem& fs, const std::string& path,
                                    const AppendOptions& ao, Diagnostics* diag, std::string* error);

/// One record's verification.
struct RecordCheck {
  const Entry* entry = nullptr;
  std::vector<std::string> problems;  // empty: OK
  std::vector<std::string> notes;     // signed by ..., replayed with engine ...
};

struct VerifyReport {
  std::vector<RecordCheck> records;   // by chain, then seq
  std::vector<std::string> problems;  // not tied to one stored record (a missing record, ...)
  bool ok() const;
};

struct VerifyOptions {
  bool replay = true;
  int threads = 1;
  /// Keys whose signatures are trusted; when not empty, every record must be signed by one.
  std::vector<PublicKey> trusted;
};

/// Checks every chain (hashes, links, no gaps), every stored input's bytes, every
/// signature, and replays every evaluation from its stored inputs.
VerifyReport Verify(const Store& store, const std::vector<Entry>& entries, const VerifyOptions& opts);

/// The registry's whole contents as an export file (format vaglio.registry-export/1, JSON),
/// and back. ParseExport checks the file's structure, not its hashes (Verify does).
std::string ExportJson(const Store& store);
std::optional<Contents> ParseExport(const std::string& text, std::string* error);

/// Verifies `c` as a registry of its own (chains, hashes, inputs, signatures; no replay):
/// false with `*error` naming every record that fails ("the export does not verify; ...").
bool VerifyContents(const Contents& c, std::string* error);

/// Verifies `c` (VerifyContents) and imports it; refuses anything that does not verify.
bool ImportContents(Store& store, const Contents& c, std::string* error);

}  // namespace vaglio::engine::registry

#endif  // VAGLIO_ENGINE_REGISTRY_AUDIT_H_
