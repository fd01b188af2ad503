#ifndef VAGLIO_ENGINE_DIAGNOSTICS_H_
#define VAGLIO_ENGINE_DIAGNOSTICS_H_

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "models/issue.h"

/// Problems found in input files, located at FILE:LINE:COL with the key path, in the one
/// format of docs/cli.md:
///   thr.model.yaml:41:7: transitions.successful_primary: row sums to 1.04 at cycle 3, but must sum to 1
namespace vaglio::engine {

/// A 1-based line and column; 0 when unknown.
struct SourceLocation {
  int line = 0;
  int column = 0;
  /// Where the text of a scalar starts (after an opening quote; for a block scalar, its
  /// first content line), so that a character offset inside a formula can be turned into
  /// a line and column; 0 when unknown. text_length is the length of text on that line.
  int text_line = 0;
  int text_column = 0;
  int text_length = 0;
};

/// Where each key path of one file sits. Paths join keys with '.', list items with [i]:
/// "strategies.np1.parameters.revision_risk", "correlations[0].matrix".
class SourceMap {
 public:
  void Set(const std::string& path, SourceLocation loc) { locs_[path] = loc; }
  /// The location of `path`, or of its nearest recorded ancestor.
  SourceLocation Find(std::string_view path) const;
  bool Has(const std::string& path) const { return locs_.count(path) > 0; }
  /// Makes `path` and everything under it point where `target` (and what is under it)
  /// points: a scenario's parameter replaces the model's, so problems are located in it.
  void Alias(const std::string& path, const std::string& target);

 private:
  std::map<std::string, SourceLocation, std::less<>> locs_;
};

std::string JoinPath(std::string_view parent, std::string_view key);
std::string IndexPath(std::string_view parent, size_t index);

struct Diagnostic {
  std::string file;
  SourceLocation loc;
  std::string path;
  std::string message;
  bool warning = false;
  /// Printed before the key path ("warning", "error"); empty for input errors.
  std::string label;
};

/// Collects every problem of a run, then prints them sorted by file, line and column.
class Diagnostics {
 public:
  void Add(Diagnostic d) { items_.push_back(std::move(d)); }
  void Error(const std::string& file, SourceLocation loc, std::string path, std::string message);
  /// Adds the maths layer's issues, located through `map`.
  void AddIssues(const std::string& file, const SourceMap& map, const models::Issues& issues);

  bool has_errors() const;
  /// True when an error of `file` is at `path` or at one of its ancestors (so a problem
  /// found later at `path` would only repeat it).
  bool HasErrorAtOrAbove(const std::string& file, const std::string& path) const;
  size_t size() const { return items_.size(); }
  const std::vector<Diagnostic>& items() const { return items_; }

  /// One line per problem, sorted, duplicates dropped:
  /// "FILE:LINE:COL: path: message" (or "FILE: path: message" without a location).
  std::string Format() const;

 private:
  std::vector<Diagnostic> items_;
};

}  // namespace vaglio::engine

#endif  // VAGLIO_ENGINE_DIAGNOSTICS_H_
