#ifndef VAGLIO_ENGINE_REGISTRY_COMPARE_H_
#define VAGLIO_ENGINE_REGISTRY_COMPARE_H_

#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "engine/registry/store.h"

/// `vaglio compare`: the evaluations of one device by several hospitals, side by side
/// (docs/audit-format.md §Comparing hospitals): outcomes and their agreement, the spread of
/// each criterion's scores and weights, and for each pair of hospitals whose outcomes
/// differ, why: each hospital's stored dossier and scores re-run under the other's stored
/// criteria set, and each item where the criteria sets differ applied alone.
namespace vaglio::engine::registry {

struct CompareOptions {
  std::string device;   // a CND code or RDM number; empty: the only device in the registries
  std::string dossier;  // optionally, only this dossier id
  int threads = 1;
};

/// A registry opened for comparison, named as the user gave it.
struct NamedStore {
  std::string name;
  std::unique_ptr<Store> store;
};

/// The comparison as JSON (keys documented in docs/audit-format.md), or nothing with
/// `*error` set (no evaluation of the device, evaluations of several devices, ...). Of
/// each organisation's chain, the latest evaluation that no record supersedes is taken;
/// hospitals are labelled A, B, C... in the order of `stores`. Re-runs the evaluations of
/// each pair whose proposed outcomes differ (2 + one per differing criteria item).
std::optional<nlohmann::ordered_json> Compare(const std::vector<NamedStore>& stores,
                                              const CompareOptions& opts, std::string* error);

/// The comparison as text a person reads.
std::string CompareText(const nlohmann::ordered_json& comparison);

}  // namespace vaglio::engine::registry

#endif  // VAGLIO_ENGINE_REGISTRY_COMPARE_H_
