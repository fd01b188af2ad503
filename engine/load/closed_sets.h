#ifndef VAGLIO_ENGINE_LOAD_CLOSED_SETS_H_
#define VAGLIO_ENGINE_LOAD_CLOSED_SETS_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/diagnostics.h"

/// Checks shared by the dossier, criteria and scores loaders: values from closed sets
/// (with a "did you mean"), ISO dates, and the kind of a file.
namespace vaglio::engine {

class FieldChecker {
 public:
  FieldChecker(const std::string& file, const SourceMap& map, Diagnostics* diag)
      : file_(file), map_(map), diag_(diag) {}

  /// An empty value passes (absence is a completeness matter); anything else must be one
  /// of `allowed`, exactly.
  void OneOf(const std::string& path, const std::string& value, const std::vector<std::string>& allowed);
  /// An empty value passes; anything else must be a real calendar date YYYY-MM-DD.
  void Date(const std::string& path, const std::string& value);
  /// `format` must be `expected` ("vaglio.dossier/1"); names the file kind when it is another.
  void Format(const std::string& format, const std::string& expected, const std::string& what);
  void Error(const std::string& path, std::string message);

  const std::string& file() const { return file_; }
  const SourceMap& map() const { return map_; }

 private:
  const std::string& file_;
  const SourceMap& map_;
  Diagnostics* diag_;
};

/// Days since 1970-01-01 of a real calendar date "YYYY-MM-DD", or nothing.
std::optional<int> ParseIsoDate(std::string_view s);
std::string FormatIsoDate(int days);
/// The date `months` calendar months after `days` (the day clipped to the month's length);
/// nothing when it falls outside the years 0001 to 9999.
std::optional<int> AddMonths(int days, int months);

}  // namespace vaglio::engine

#endif  // VAGLIO_ENGINE_LOAD_CLOSED_SETS_H_
