#ifndef VAGLIO_ENGINE_EXPR_NODE_H_
#define VAGLIO_ENGINE_EXPR_NODE_H_

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "engine/expr/value.h"

/// The syntax tree of a parsed expression, shared by the parser (expression.cc) and the
/// evaluator (evaluator.cc). Internal: not part of the engine's interface.
namespace vaglio::engine::expr::internal {

enum class Op {
  kOr,
  kAnd,
  kEq,
  kNe,
  kLt,
  kLe,
  kGt,
  kGe,
  kIn,
  kNotIn,
  kAdd,
  kSub,
  kMul,
  kDiv,  // binary
  kNot,
  kNeg,  // unary
};

enum class Fn { kPresent, kCount, kMin, kMax, kAbs, kLen, kAny, kAll, kDate, kDays };

struct Node {
  enum class Kind { kLiteral, kPath, kList, kUnary, kBinary, kConditional, kCall };
  Kind kind = Kind::kLiteral;
  /// Offset of the token that names the node: the operator ('?' for a conditional), the
  /// first character of a path, literal or function name, the '[' of a list.
  int offset = 0;
  /// Offset of the node's first character (differs from `offset` for operators).
  int start = 0;
  Value literal;         // kLiteral
  std::string name;      // kPath: the dotted path; kCall: the function name
  Op op = Op::kOr;       // kUnary, kBinary
  Fn fn = Fn::kPresent;  // kCall
  std::vector<std::unique_ptr<const Node>> kids;
};

/// "||", "&&", "==", ..., "not in", "!", "-".
std::string_view OpText(Op op);

/// Binding strength: 1 for '?:' (loosest) ... 9 for unary operators, 10 for operands.
int Precedence(const Node& n);

/// The text of `n` given the texts of its kids (for a call, of its arguments), adding the
/// parentheses that precedence requires. Leaves (literals, paths) ignore `kids` and print
/// themselves.
std::string Compose(const Node& n, const std::vector<std::string>& kids);

/// `n` printed from the tree (canonical spacing and quoting, names not substituted).
std::string Source(const Node& n);

}  // namespace vaglio::engine::expr::internal

#endif  // VAGLIO_ENGINE_EXPR_NODE_H_
