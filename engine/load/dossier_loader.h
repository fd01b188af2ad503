#ifndef VAGLIO_ENGINE_LOAD_DOSSIER_LOADER_H_
#define VAGLIO_ENGINE_LOAD_DOSSIER_LOADER_H_

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "criteria.pb.h"
#include "decision.pb.h"
#include "dossier.pb.h"
#include "engine/diagnostics.h"
#include "engine/io.h"
#include "scores.pb.h"

namespace vaglio::engine {

/// A file of the evaluation inputs, read and checked: its bytes, the message and where each
/// key is.
template <typename Message>
struct LoadedFile {
  std::string file;
  std::string bytes;
  Message proto;
  SourceMap map;
};

using LoadedDossier = LoadedFile<schemas::Dossier>;
using LoadedCriteria = LoadedFile<schemas::Criteria>;
using LoadedScores = LoadedFile<schemas::Scores>;
using LoadedDecision = LoadedFile<schemas::Decision>;

/// Reads a dossier (format vaglio.dossier/1): structure, types, closed value sets, dates,
/// code formats, unique ids and references to its people and outcomes are checked; missing
/// content is not an error here (completeness). With `keep_with_problems`, a dossier whose
/// problems have been reported is still returned (nothing only when it cannot be read, is
/// not YAML or is another kind of file), so that checks of other files against it (the
/// scores' dossier_id and evidence references) can report at once too.
std::optional<LoadedDossier> LoadDossier(const FileSystem& fs, const std::string& path, Diagnostics* diag,
                                         bool keep_with_problems = false);

/// Reads a criteria set (format vaglio.criteria/1) and checks it: closed value sets,
/// every expression parsed (errors at their column), naming only things an evaluation
/// provides and, of the criteria, gates and thresholds, only those the set defines and
/// that exist when the expression runs; weights by the elicitation method's rules,
/// thresholds, rules. `keep_with_problems` as for LoadDossier.
std::optional<LoadedCriteria> LoadCriteria(const FileSystem& fs, const std::string& path, Diagnostics* diag,
                                           bool keep_with_problems = false);

/// Reads members' scores (format vaglio.scores/1). With `keep_with_problems`, a file whose
/// problems have been reported is still returned (nothing only when it cannot be read or is
/// not a YAML mapping), so that its checks against the criteria set can report at once too.
std::optional<LoadedScores> LoadScores(const FileSystem& fs, const std::string& path, Diagnostics* diag,
                                       bool keep_with_problems = false);

/// Adds problems of a criteria set's expressions, `issues` at key paths such as
/// "decision_rules.D07.condition" with an offset inside the expression: each is located at
/// the line and column of that character, also in an expression written over several lines
/// (a `>-` block); at the expression when there is no offset.
void AddExpressionIssues(const LoadedCriteria& criteria, const models::Issues& issues, Diagnostics* diag);

/// Reads a committee's decision (format vaglio.decision/1); checking it against its
/// evaluation needs the registry (engine/registry/audit.h).
std::optional<LoadedDecision> LoadDecision(const FileSystem& fs, const std::string& path, Diagnostics* diag);

/// The dossier as JSON with the names of the file (for expressions and reports).
nlohmann::ordered_json DossierJson(const schemas::Dossier& d);

/// The roots an evaluation's expressions may name (dossier sections and results).
const std::vector<std::string>& ContextRoots();

}  // namespace vaglio::engine

#endif  // VAGLIO_ENGINE_LOAD_DOSSIER_LOADER_H_
