#ifndef VAGLIO_ENGINE_EVALUATION_CHEERS_H_
#define VAGLIO_ENGINE_EVALUATION_CHEERS_H_

#include <string>
#include <vector>

#include "criteria.pb.h"
#include "dossier.pb.h"
#include "engine/evaluation/economics.h"

/// The CHEERS 2022 checklist (Husereau et al. 2022, 28 items) against what an evaluation's
/// inputs hold (docs/formats.md §CHEERS 2022). Vaglio reads a dossier, a model and a
/// criteria set, not the written report of an economic evaluation: an item is judged only
/// from what those files hold, and the items about the report itself (title, abstract,
/// plan, engagement, discussion, funding of the analysis) are `not_assessed`.
namespace vaglio::engine {

/// Status of an item, in the record as text.
inline constexpr const char* kCheersAnswered = "answered";
inline constexpr const char* kCheersPartly = "partly";
inline constexpr const char* kCheersNotAnswered = "not_answered";
inline constexpr const char* kCheersNotApplicable = "not_applicable";
inline constexpr const char* kCheersNotAssessed = "not_assessed";

struct CheersItem {
  int item = 0;             // 1..28
  std::string topic;        // CHEERS 2022's name of the item
  std::string status;       // one of the kCheers* values
  std::string answered_by;  // "dossier", "model", "evaluation", comma-separated; empty when unanswered
  std::string note;         // what answers it, or why it is not judged
};

/// The 28 items in order.
std::vector<CheersItem> CheckCheers(const schemas::Dossier& d, const EconomicsResult& e,
                                    const schemas::CriteriaParameters& p);

}  // namespace vaglio::engine

#endif  // VAGLIO_ENGINE_EVALUATION_CHEERS_H_
