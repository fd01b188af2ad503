#include "models/table.h"

#include <algorithm>
#include <cmath>

#include "models/text.h"
#include "models/tolerances.h"

namespace vaglio::models {

std::string_view ToString(Lookup l) {
  switch (l) {
    case Lookup::kExact:
      return "exact";
    case Lookup::kFloor:
      return "floor";
    case Lookup::kLinear:
      return "linear";
  }
  return "?";
}

Result<LookupTable> LookupTable::Make(Spec spec) {
  Issues issues;
  auto add = [&](std::string m) { issues.push_back({spec.path, std::move(m)}); };
  if (spec.keys.empty()) add("table has no rows, but must have at least one");
  if (spec.value_columns.empty() || spec.columns.size() != spec.value_columns.size()) {
    add("table has no value column, but must have a key column and at least one value column");
  }
  for (size_t i = 0; i < spec.keys.size(); ++i) {
    if (!std::isfinite(spec.keys[i])) {
      add("key in row " + std::to_string(i + 1) + " is " + FormatNumber(spec.keys[i]) +
          ", but must be a finite number");
    } else if (i > 0 && !(spec.keys[i] > spec.keys[i - 1])) {
      add("key in row " + std::to_string(i + 1) + " is " + FormatNumber(spec.keys[i]) +
          ", but keys must be strictly increasing (previous key " +
          FormatNumber(spec.keys[i - 1]) + ")");
    }
  }
  for (size_t c = 0; c < spec.columns.size(); ++c) {
    const std::string col = c < spec.value_columns.size() ? spec.value_columns[c] : "?";
    if (spec.columns[c].size() != spec.keys.size()) {
      add("column '" + col + "' has " + std::to_string(spec.columns[c].size()) +
          " values, but the table has " + std::to_string(spec.keys.size()) + " rows");
      continue;
    }
    for (size_t i = 0; i < spec.columns[c].size(); ++i) {
      if (!std::isfinite(spec.columns[c][i])) {
        add("column '" + col + "' in row " + std::to_string(i + 1) + " is " +
            FormatNumber(spec.columns[c][i]) + ", but must be a finite number");
      }
    }
  }
  if (!issues.empty()) return Status::FromIssues(std::move(issues));
  return LookupTable(std::move(spec));
}

double LookupTable::At(double key, double column) const {
  const auto& keys = spec_.keys;
  const double ncols = static_cast<double>(spec_.columns.size());
  if (!(column >= 0 && column < ncols && std::floor(column) == column)) {
    throw EvalError(spec_.name + ": column is " + FormatNumber(column) +
                    ", but must be a whole number from 0 to " + FormatNumber(ncols - 1));
  }
  const auto& values = spec_.columns[static_cast<size_t>(column)];
  if (!std::isfinite(key)) {
    throw EvalError(spec_.name + ": key is " + FormatNumber(key) + ", but must be finite");
  }
  auto near = [](double a, double b) {
    return std::fabs(a - b) <= kTableKeyTol * std::max(1.0, std::fabs(b));
  };
  // First listed key strictly greater than `key`, counting near-equal keys as equal.
  auto it = std::upper_bound(keys.begin(), keys.end(), key);
  if (it != keys.end() && near(key, *it)) ++it;
  const size_t above = static_cast<size_t>(it - keys.begin());  // rows with key <= `key`
  switch (spec_.lookup) {
    case Lookup::kExact:
      if (above > 0 && near(key, keys[above - 1])) return values[above - 1];
      throw EvalError(spec_.name + ": key " + FormatNumber(key) +
                      " is not in the table (lookup: exact)");
    case Lookup::kFloor:
      if (above == 0) {
        throw EvalError(spec_.name + ": key " + FormatNumber(key) +
                        " is below the first key " + FormatNumber(keys.front()));
      }
      return values[above - 1];
    case Lookup::kLinear: {
      if (above == 0 || (above == keys.size() && !near(key, keys.back()))) {
        throw EvalError(spec_.name + ": key " + FormatNumber(key) + " is outside [" +
                        FormatNumber(keys.front()) + ", " + FormatNumber(keys.back()) +
                        "] (lookup: linear)");
      }
      const size_t lo = above - 1;
      if (near(key, keys[lo]) || lo + 1 == keys.size()) return values[lo];
      const double w = (key - keys[lo]) / (keys[lo + 1] - keys[lo]);
      return values[lo] + w * (values[lo + 1] - values[lo]);
    }
  }
  return values[0];
}

}  // namespace vaglio::models
