#ifndef VAGLIO_ENGINE_RUN_H_
#define VAGLIO_ENGINE_RUN_H_

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/diagnostics.h"
#include "engine/load/model_loader.h"
#include "models/incremental.h"
#include "models/model.h"

namespace vaglio::engine {

using Json = nlohmann::ordered_json;

struct RunOptions {
  std::vector<double> wtp;   // net monetary benefit at each of these
  bool trace = false;        // keep the cohort trace
  std::string effect;        // the effect value for ICERs; empty: the first effect
};

/// The base case of a model: every strategy's values, the incremental analysis on
/// (cost, effect), net monetary benefit at each WTP.
struct BaseCase {
  models::Outcome outcome;
  models::Details details;
  int effect_value = -1;
  std::vector<models::IncrementalRow> incremental;
};

/// Runs the base case. Input errors found while running (a row that does not sum to 1 in
/// some cycle) go to `diag`, located in the model file.
std::optional<BaseCase> RunBaseCase(const LoadedModel& m, const RunOptions& opts, Diagnostics* diag);

/// The index of the effect value named `name` (empty: the first effect), or -1 with a
/// diagnostic.
int ResolveEffect(const models::ModelInfo& info, const std::string& name, Diagnostics* diag);

/// The `vaglio run --format json` object of DESIGN §5 (model, settings, strategies,
/// incremental, nmb, and trace when asked for).
Json BaseCaseJson(const LoadedModel& m, const BaseCase& bc, const RunOptions& opts);

/// A readable report of the same.
std::string BaseCaseText(const LoadedModel& m, const BaseCase& bc, const RunOptions& opts);

/// Model identity and conventions, shared by every output that describes a model.
Json ModelJson(const LoadedModel& m);
Json SettingsJson(const models::ModelInfo& info, int effect_value);

/// A double as JSON; non-finite values become null (JSON has no NaN).
Json Number(double v);

}  // namespace vaglio::engine

#endif  // VAGLIO_ENGINE_RUN_H_
