#ifndef VAGLIO_ENGINE_REGISTRY_COMPARE_EXPLAIN_H_
#define VAGLIO_ENGINE_REGISTRY_COMPARE_EXPLAIN_H_

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "engine/registry/store.h"

/// The counterfactual re-runs behind `vaglio compare`'s explanations
/// (docs/audit-format.md §Comparing hospitals): a stored evaluation re-run under another
/// criteria set, and the items where two criteria sets differ, each of which can be applied
/// alone to a set.
namespace vaglio::engine::registry {

/// What a re-run proposes.
struct Rerun {
  std::string outcome, rule_id;
  std::optional<double> total;  // nothing when the total is blocked
  std::vector<std::string> gates_failed;
  bool stable = true;  // robustness: no ±X% weight change flips the outcome
  std::string error;   // not empty: the re-run failed (first problem)
};

nlohmann::ordered_json RerunJson(const Rerun& r);

/// Re-runs the evaluation `e` of `store` from its stored dossier, scores and model, with
/// `criteria_yaml` in place of its criteria set. The scores may have been given under
/// another set (EvaluateOptions::foreign_scores). The date and committee are those stored.
Rerun RerunUnder(const Store& store, const Entry& e, const std::string& criteria_yaml, int threads);

/// One item where criteria set b differs from criteria set a, such as
/// `parameters.budget_authority_eur`, `gates.G08`, `mcda.weights`, `mcda.criteria.C13` or
/// `decision_rules.D06` (the list is in docs/audit-format.md). Only what a decision can
/// depend on is compared: not the set's id, version, name, owner, approval or history.
struct CriteriaItem {
  std::string item;
  nlohmann::ordered_json a, b;  // the differing values (null: absent from that set)
  std::string a_with_b_item;    // criteria set a as YAML, with this item taken from b
};

/// The items where `b_yaml` differs from `a_yaml`, in the order of set a's keys. Nothing,
/// with `*error` set, when either is not YAML.
std::optional<std::vector<CriteriaItem>> CriteriaItems(const std::string& a_yaml,
                                                       const std::string& b_yaml,
                                                       std::string* error);

}  // namespace vaglio::engine::registry

#endif  // VAGLIO_ENGINE_REGISTRY_COMPARE_EXPLAIN_H_
