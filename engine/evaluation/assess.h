#ifndef VAGLIO_ENGINE_EVALUATION_ASSESS_H_
#define VAGLIO_ENGINE_EVALUATION_ASSESS_H_

#include <optional>
#include <string>
#include <vector>

#include "engine/evaluation/evaluate.h"

/// `vaglio assess`: a manufacturer's self-assessment of a dossier against a committee's
/// criteria set, before submitting (docs/cli.md §assess). Built on a full evaluation, so
/// what it predicts is what `vaglio evaluate` would propose on the same inputs.
namespace vaglio::engine {

/// A field of the dossier not answered, and why it matters.
struct Gap {
  std::string path;
  std::string domain;
  bool required = false;
  double domain_weight = 0;  // the share of the MCDA weight on criteria of this domain (0-1)
  std::string consequence;
};

/// A criterion, by the points of the total it does not earn: 100 * w * (1 - v).
struct WeakCriterion {
  std::string id, name, domain;
  std::optional<double> score;
  double weight = 0;         // normalised
  double points_lost = 0;
};

/// The nearest score of one criterion, up or down, that changes the proposed outcome (other
/// scores, weights and results unchanged).
struct ScoreChange {
  std::string criterion_id;
  std::optional<double> from;
  double to = 0;
  std::string outcome;
};

struct AssessResult {
  EvaluationResult evaluation;
  std::vector<Gap> gaps;               // required first, then by domain weight
  std::vector<WeakCriterion> weakest;  // by points lost, most first
  std::vector<ScoreChange> changes;    // in criteria order, down before up
  /// Criteria without a score (no members' scores given): the outcome assumes their
  /// missing-data policy.
  std::vector<std::string> unscored;
};

/// Evaluates, then ranks the gaps and criteria and searches the score changes. Candidate
/// scores: the levels of an ordinal scale; 20 equal steps of a continuous one.
std::optional<AssessResult> Assess(const FileSystem& fs, const EvaluateOptions& opts, Diagnostics* diag);

/// The assessment as JSON (docs/formats.md §Self-assessment) or as text/Markdown.
std::string AssessJson(const AssessResult& a);
std::string AssessText(const AssessResult& a, bool markdown);

}  // namespace vaglio::engine

#endif  // VAGLIO_ENGINE_EVALUATION_ASSESS_H_
