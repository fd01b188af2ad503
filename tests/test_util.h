#ifndef VAGLIO_TESTS_TEST_UTIL_H_
#define VAGLIO_TESTS_TEST_UTIL_H_

#include <cmath>
#include <optional>
#include <string>
#include <vector>

#include "engine/diagnostics.h"
#include "engine/load/model_loader.h"

namespace vaglio::testing {

/// Relative closeness with an absolute floor near zero.
inline bool Near(double a, double b, double rel, double abs_floor = 1e-300) {
  return std::fabs(a - b) <= std::max(rel * std::max(std::fabs(a), std::fabs(b)), abs_floor);
}

/// Path of a file in the source tree ("examples/thr/thr.model.yaml").
std::string SourcePath(const std::string& relative);

/// What a run of the vaglio binary printed and returned.
struct CliResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

/// Runs `vaglio ARGS...` from the source directory, capturing stdout and stderr.
CliResult RunVaglio(const std::vector<std::string>& args);

/// A fresh directory under /tmp ("/tmp/vaglio-PREFIX-XXXXXX"), removed with everything in
/// it when the object goes. Throws when it cannot be made.
class TempDir {
 public:
  explicit TempDir(const std::string& prefix = "test");
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  /// The path of `name` inside the directory.
  std::string operator/(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

/// "YYYY-MM-DD" of the day `days` after the date `from` ("YYYY-MM-DD").
std::string DateAfter(const std::string& from, int days);

/// Loads model text held in memory as file `name` (tables may be added to `fs` first).
std::optional<engine::LoadedModel> LoadModelText(const std::string& text, engine::Diagnostics* diag,
                                                 const std::string& name = "m.yaml");

/// The formatted diagnostics of loading `text`, one per line ("" when it loads).
std::string LoadErrors(const std::string& text, const std::string& name = "m.yaml");

/// The diagnostics of loading `text` and running its base case ("" when both succeed).
std::string RunErrors(const std::string& text, const std::string& name = "m.yaml");

}  // namespace vaglio::testing

#endif  // VAGLIO_TESTS_TEST_UTIL_H_
