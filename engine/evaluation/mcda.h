#ifndef VAGLIO_ENGINE_EVALUATION_MCDA_H_
#define VAGLIO_ENGINE_EVALUATION_MCDA_H_

#include <optional>
#include <string>
#include <vector>

#include "criteria.pb.h"
#include "scores.pb.h"

/// Multi-criteria decision analysis by a weighted sum (ISPOR MCDA good practice;
/// docs/mcda.md): weights normalised by the elicitation method, each criterion's score
/// mapped linearly from its scale onto [0, 1], total = 100 * sum of w_i * v_i.
namespace vaglio::engine {

/// Normalised weights, in the criteria set's order, summing to 1:
///   direct_rating and point_allocation: w_i = r_i / sum r;
///   hierarchical_point_allocation: w_i = (D_d / sum D) * (r_i / sum of r over domain d),
///   with D the domain points and r the points of the criteria within each domain.
/// All-zero weights give equal weights of 0 (and a total of 0).
std::vector<double> NormaliseWeights(const schemas::Criteria& cs);

/// One member's score of one criterion.
struct MemberScore {
  std::string member;
  double score = 0;
  std::string rationale;
  std::vector<std::string> evidence_refs;
};

/// The score of a criterion and where it came from.
struct CriterionScore {
  std::optional<double> score;     // nothing: missing
  std::string source;              // consensus, median, mean, computed, missing
  std::string rationale;
  std::vector<std::string> evidence_refs;
  std::vector<MemberScore> members;  // every voting, non-recused member's score
  double range = 0, iqr = 0;         // spread of the members' scores
};

/// The aggregation of scores by weights under the missing-data policies:
///   score_zero_no_credible_evidence: a missing score counts as the bottom of the scale;
///   exclude_and_renormalise: the criterion is left out and the others' weights rescaled;
///   block: no total can be given (blocked names the criterion).
struct Aggregation {
  double total = 0;
  std::vector<double> weights;     // the weights used (after renormalisation)
  std::vector<double> values;      // normalised values in [0, 1]
  std::vector<double> weighted;    // contributions, summing to the total
  std::vector<bool> excluded;
  std::string blocked;             // a criterion id when a missing score blocks the total
};

Aggregation Aggregate(const schemas::Criteria& cs, const std::vector<CriterionScore>& scores,
                      const std::vector<double>& weights);

/// Members' scores of a criterion, combined by the scoring mode. Members who are not voting
/// or are recused are left out. Median of an even number of scores: the mean of the two
/// middle ones. Percentiles for the IQR: linear interpolation (R's type 7).
CriterionScore ScoreFromMembers(const schemas::Criteria& cs, const schemas::Criterion& c,
                                const schemas::Scores* scores);

/// The value of a value function at x: linear interpolation between its points; beyond the
/// first or last point the end value (`piecewise` and `linear` interpolate alike; `linear`
/// with two points is the straight line between them).
double ValueFunctionAt(const schemas::ValueFunction& vf, double x);

}  // namespace vaglio::engine

#endif  // VAGLIO_ENGINE_EVALUATION_MCDA_H_
