#ifndef VAGLIO_ENGINE_EVALUATION_EVALUATE_H_
#define VAGLIO_ENGINE_EVALUATION_EVALUATE_H_

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/diagnostics.h"
#include "engine/evaluation/completeness.h"
#include "engine/evaluation/economics.h"
#include "engine/evaluation/mcda.h"
#include "engine/expr/json_context.h"
#include "engine/io.h"
#include "engine/load/dossier_loader.h"
#include "evaluation.pb.h"

/// `vaglio evaluate`: a dossier, a committee's criteria set and (optionally) members' scores
/// become an evaluation record (domain.md §9.3; docs/formats.md §Evaluation record).
namespace vaglio::engine {

struct EvaluateOptions {
  std::string dossier, criteria, scores;
  std::string date;    // the evaluation date (YYYY-MM-DD); default: the scores' meeting date
  int threads = 1;
  /// False for a self-assessment: the scores are the applicant's expectations, not a
  /// committee's, so there is no committee (quorum, declarations, vote) to check or record.
  bool committee = true;
  /// True when the scores were given under another criteria set (`vaglio compare` re-runs
  /// one hospital's scores under another's set): their `config_id` is not compared with
  /// this set's, and scores of criteria this set does not have are left out, not errors.
  bool foreign_scores = false;
};

/// Everything an evaluation computed, for the record, reports and `assess`.
struct EvaluationResult {
  LoadedDossier dossier;
  LoadedCriteria criteria;
  std::optional<LoadedScores> scores;
  int date = 0;                        // days since 1970-01-01
  CompletenessResult completeness;
  EconomicsResult economics;
  std::vector<CriterionScore> criterion_scores;
  std::vector<double> weights;         // normalised, criteria order
  Aggregation aggregation;
  nlohmann::ordered_json context;      // what the expressions read
  schemas::Evaluation record;
};

/// Runs the whole evaluation. Input problems (in any file, or an expression that cannot be
/// evaluated) go to `diag` and nothing is returned.
std::optional<EvaluationResult> Evaluate(const FileSystem& fs, const EvaluateOptions& opts, Diagnostics* diag);

/// The proposed outcome, for `assess` and robustness: the decision rules evaluated on
/// `context` (first match wins). Returns the outcome and the rule id.
std::optional<std::pair<std::string, std::string>> DecideOutcome(const schemas::Criteria& cs,
                                                                   const nlohmann::ordered_json& context,
                                                                   const std::string& file, const SourceMap& map,
                                                                   Diagnostics* diag);

/// The context expressions read over `context` (not copied: it must outlive the result),
/// with the reason of each null a rule may meet (an undefined ICER, a blocked total...).
expr::JsonContext MakeContext(const nlohmann::ordered_json& context);

/// The record as JSON (every field printed, names as in schemas/evaluation.proto).
std::string RecordJson(const schemas::Evaluation& record);

/// A summary a committee can read, as plain text or Markdown.
std::string RecordText(const EvaluationResult& r, bool markdown);

}  // namespace vaglio::engine

#endif  // VAGLIO_ENGINE_EVALUATION_EVALUATE_H_
