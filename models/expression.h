#ifndef VAGLIO_MODELS_EXPRESSION_H_
#define VAGLIO_MODELS_EXPRESSION_H_

#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "models/result.h"
#include "models/table.h"

namespace mu {
class Parser;
}

namespace vaglio::models {

/// The names formulas can use: variables (each bound to a slot, an index into a double
/// array owned by whoever evaluates) and lookup tables (called like functions).
/// Built-in functions are always known (see BuiltinFunctionNames). Not thread-safe to
/// modify; immutable use is thread-safe.
class SymbolTable {
 public:
  /// Adds a variable and returns its slot. REQUIRES: the name is new.
  int AddVariable(std::string name);
  /// Registers a table as a function. The table must outlive every Formula using it.
  void AddTable(const LookupTable* table);

  /// The slot of a variable, or -1.
  int Find(std::string_view name) const;
  bool IsFunction(std::string_view name) const;
  const LookupTable* FindTable(std::string_view name) const;
  const std::vector<std::string>& variables() const { return names_; }
  size_t size() const { return names_.size(); }

 private:
  std::vector<std::string> names_;
  std::unordered_map<std::string, int> index_;
  std::vector<const LookupTable*> tables_;
};

/// The functions every formula may call besides the tables: exp log (natural) log10 sqrt
/// abs min max floor ceil, rate_to_prob(rate[, t]) = 1 - exp(-rate*t),
/// prob_to_rate(p[, t]) = -log(1-p)/t, rescale_prob(p, from, to) = 1 - (1-p)^(to/from),
/// odds(p) = p/(1-p), odds_to_prob(o) = o/(1+o) — and the other standard functions of
/// muParser (sin, cos, ..., sign, rint, sum, avg), listed in docs/model-format.md.
std::span<const std::string> BuiltinFunctionNames();

/// The identifiers a formula reads (variables, not functions), in order of first use,
/// and any names that are neither a known variable nor a function (as issues at `path`,
/// with the offset of the name in `text` and a "did you mean").
struct FormulaNames {
  std::vector<int> slots;
  Issues issues;
};
FormulaNames ScanFormula(std::string_view text, const SymbolTable& symbols,
                         const std::string& path);

/// A formula compiled by muParser and bound to the slots of one evaluator. Evaluating it
/// reads the slots it uses; it is not thread-safe (one Formula per thread).
class Formula {
 public:
  /// Parses `text` against `symbols`, binding variable k to `slots + k`. Unknown names,
  /// unknown functions and syntax errors are issues at `path` with the offset in `text`.
  static Result<Formula> Compile(std::string_view text, const SymbolTable& symbols,
                                 double* slots, const std::string& path);

  Formula(Formula&&) noexcept;
  Formula& operator=(Formula&&) noexcept;
  ~Formula();

  /// The value. Throws EvalError when a function cannot be computed (a table key out of
  /// range); may return a non-finite value, which the caller must check where it matters.
  double Eval() const;

  /// The slots this formula reads.
  std::span<const int> used() const { return used_; }
  const std::string& text() const { return text_; }

 private:
  Formula() = default;
  std::unique_ptr<mu::Parser> parser_;
  std::vector<int> used_;
  std::string text_;
};

}  // namespace vaglio::models

#endif  // VAGLIO_MODELS_EXPRESSION_H_
