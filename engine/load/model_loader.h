#ifndef VAGLIO_ENGINE_LOAD_MODEL_LOADER_H_
#define VAGLIO_ENGINE_LOAD_MODEL_LOADER_H_

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "engine/diagnostics.h"
#include "engine/io.h"
#include "models/model.h"
#include "models/model_spec.h"

namespace vaglio::engine {

/// A file read as part of a run, with its exact bytes (for hashes and replay).
struct InputFile {
  std::string path;
  std::string bytes;
};

/// A model file read, checked and compiled.
struct LoadedModel {
  std::string file;                  // path as given
  std::string scenario;              // the scenario applied, if any
  models::ModelSpec spec;
  SourceMap map;
  std::vector<InputFile> inputs;     // the model file, then every table file it reads
  std::shared_ptr<const models::Model> model;
  std::vector<LoadedModel> submodels;  // the models of a tree's Markov terminals
};

struct LoadOptions {
  /// The name of a scenario of the model whose parameter definitions replace the model's.
  std::string scenario;
  /// Discount rates that replace the model's: a committee's reference case. Costs: the
  /// value with role cost; outcomes: the values with role effect.
  std::optional<double> discount_costs, discount_outcomes;
};

/// Reads the model file at `path` (format vaglio.model/1) and the files it refers to
/// (tables; for a decision tree, the Markov models of its terminals), converts it to a
/// ModelSpec and compiles it. Every problem, in every file, is added to `diag` with its
/// location; nothing is returned if there was any.
std::optional<LoadedModel> LoadModel(const FileSystem& fs, const std::string& path,
                                     Diagnostics* diag, const LoadOptions& opts = {});

/// Adds the maths layer's issues about `loaded`'s model to `diag`, located in its file.
void ReportModelIssues(const LoadedModel& loaded, const models::Issues& issues, Diagnostics* diag);

}  // namespace vaglio::engine

#endif  // VAGLIO_ENGINE_LOAD_MODEL_LOADER_H_
