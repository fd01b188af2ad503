#ifndef VAGLIO_MODELS_TABLE_H_
#define VAGLIO_MODELS_TABLE_H_

#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "models/result.h"

namespace vaglio::models {

/// How a table maps a key onto its rows.
///   kExact:  the key must equal a listed key (within kTableKeyTol, relative).
///   kFloor:  the row of the largest listed key <= key (age bands); keys above the last
///            listed key use the last row, keys below the first are an error.
///   kLinear: linear interpolation between the two neighbouring keys; keys outside
///            [first, last] are an error.
enum class Lookup { kExact, kFloor, kLinear };

std::string_view ToString(Lookup l);

/// Thrown while evaluating a formula when a value cannot be computed (a table key out of
/// range, a function called with bad arguments). The evaluator turns it into an Issue.
class EvalError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// A lookup table called from formulas as `name(key)` or `name(key, column)`, where
/// column is the 0-based index among the value columns (so with columns age, female,
/// male, `name(61, 1)` is the male value at age 61). Immutable and thread-safe.
class LookupTable {
 public:
  struct Spec {
    std::string name;
    std::string key_column;
    std::vector<std::string> value_columns;
    std::vector<double> keys;                  // one per row
    std::vector<std::vector<double>> columns;  // [value column][row]
    Lookup lookup = Lookup::kExact;
    std::string path;
  };

  /// Checks the table: at least one row and one value column, keys strictly increasing,
  /// every column as long as the keys, every number finite.
  static Result<LookupTable> Make(Spec spec);

  const std::string& name() const { return spec_.name; }
  const Spec& spec() const { return spec_; }

  /// The value at `key` in value column `column` (an integral number). Throws EvalError.
  double At(double key, double column) const;

 private:
  explicit LookupTable(Spec spec) : spec_(std::move(spec)) {}
  Spec spec_;
};

}  // namespace vaglio::models

#endif  // VAGLIO_MODELS_TABLE_H_
