#ifndef VAGLIO_ENGINE_EXPR_EXPRESSION_H_
#define VAGLIO_ENGINE_EXPR_EXPRESSION_H_

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "engine/expr/value.h"

/// The small expression language of criteria sets: gates and decision rules such as
///   present(device.regulatory.certificate_expiry) && device.regulatory.certificate_expiry >= today
///   criteria.C07 <= 1 && (device.regulatory.risk_class == 'III' || device.regulatory.implantable)
/// Every rule of the language (operators, precedence, types, functions, errors) is in
/// docs/expressions.md; tests/engine/expression_test.cc checks them.
namespace vaglio::engine::expr {

/// What an expression reads: the values at dotted paths ("device.regulatory.risk_class",
/// "today"). Implementations must be safe to call from several threads when expressions
/// are evaluated concurrently over one context.
class Context {
 public:
  virtual ~Context() = default;
  /// The value at a dotted path; nullopt when no such path, and also when the path names a
  /// level (a group of keys such as "device.regulatory") rather than a value. `siblings`
  /// (may be null) receives the existing keys at the deepest level reached (for a level,
  /// its own keys), for did-you-mean.
  virtual std::optional<Value> Lookup(std::string_view path,
                                      std::vector<std::string>* siblings) const = 0;
  /// True when `path` names a level rather than a value; the root ("") is a level of every
  /// context that reports levels. present() of a level is true when the level has keys;
  /// error messages use levels to say which key of a path is missing. The default reports
  /// none (then present() of a level is false, and a missing path is only named). A
  /// context that wraps another should forward IsLevel and NullReason to it.
  virtual bool IsLevel(std::string_view path) const {
    (void)path;
    return false;
  }
  /// Why the value at `path` is null, when the context knows ("undefined ICER"); empty
  /// otherwise. Shown in the message of an operator that cannot take null.
  virtual std::string NullReason(std::string_view path) const {
    (void)path;
    return "";
  }
};

/// A value read from the context while evaluating.
struct Operand {
  std::string path;
  Value value;
  /// True when the path does not exist (only possible inside present()); `value` is null.
  bool missing = false;
};

/// The result of an evaluation and what it was computed from.
struct Evaluation {
  Value value;
  /// Every path actually read, once each, in the order first read. Paths skipped by
  /// short-circuit (`&&`, `||`, `?:`) are not here. Literals are not operands.
  std::vector<Operand> operands;
  /// The expression with the value of every path read substituted for the path
  /// ("'III' in ['IIb', 'III']"); parts not evaluated keep their names.
  std::string rendered;
};

/// A problem with an expression: `offset` is the character (byte) offset in the
/// expression's text of the offending token or operator, -1 when there is none.
struct Error {
  int offset = -1;
  std::string message;
};

namespace internal {
struct Node;
}

/// A parsed expression. Immutable: copies share the tree, and Evaluate is thread-safe.
class Expression {
 public:
  /// Parses `text`. Syntax errors, unknown functions, wrong numbers of arguments and
  /// malformed literals (date('2026-02-30')) are errors located in `text`.
  static std::variant<Expression, Error> Parse(std::string_view text);

  /// The value of the expression over `ctx`, with the operands it read; or the first
  /// error met (a missing path, an operator or function given the wrong types, null
  /// where a value is needed, division by zero, a result that is not a finite number).
  std::variant<Evaluation, Error> Evaluate(const Context& ctx) const;

  const std::string& text() const { return *text_; }

  /// Every path the expression may read (including inside present() and in branches
  /// that short-circuit may skip), once each, in order of appearance.
  std::vector<std::string> Paths() const;

  /// The expression re-printed from its tree, with the canonical spacing and quoting.
  std::string Canonical() const;

 private:
  Expression(std::shared_ptr<const std::string> text, std::shared_ptr<const internal::Node> root);

  std::shared_ptr<const std::string> text_;
  std::shared_ptr<const internal::Node> root_;
};

/// The names of the functions expressions may call, in the order of docs/expressions.md.
const std::vector<std::string>& FunctionNames();

}  // namespace vaglio::engine::expr

#endif  // VAGLIO_ENGINE_EXPR_EXPRESSION_H_
