// Lexer and Pratt parser of the criteria-set expression language (docs/expressions.md),
// and the printing of syntax trees. Evaluation is in evaluator.cc.
#include "engine/expr/expression.h"

#include <cctype>
#include <charconv>
#include <cmath>
#include <utility>

#include "engine/expr/node.h"
#include "models/text.h"

namespace vaglio::engine::expr {

using internal::Fn;
using internal::Node;
using internal::Op;

namespace {

struct FunctionInfo {
  std::string_view name;
  Fn fn;
  int min_args;
  int max_args;  // -1: any number
};

constexpr FunctionInfo kFunctions[] = {
    {"present", Fn::kPresent, 1, 1}, {"count", Fn::kCount, 1, 1}, {"min", Fn::kMin, 1, -1},
    {"max", Fn::kMax, 1, -1},        {"abs", Fn::kAbs, 1, 1},     {"len", Fn::kLen, 1, 1},
    {"any", Fn::kAny, 1, 1},         {"all", Fn::kAll, 1, 1},     {"date", Fn::kDate, 1, 1},
    {"days", Fn::kDays, 2, 2},
};

// ---------------------------------------------------------------------------------------
// Lexer

enum class Tok {
  kEnd,
  kNumber,
  kString,
  kName,
  kTrue,
  kFalse,
  kNull,
  kIn,
  kNot,
  kLParen,
  kRParen,
  kLBracket,
  kRBracket,
  kComma,
  kQuestion,
  kColon,
  kOrOr,
  kAndAnd,
  kEqEq,
  kNe,
  kLt,
  kLe,
  kGt,
  kGe,
  kPlus,
  kMinus,
  kStar,
  kSlash,
  kBang,
};

struct Token {
  Tok kind = Tok::kEnd;
  int offset = 0;
  std::string text;  // as written; for a string, its content without quotes and escapes
  double number = 0;
};

// How a token is named in "unexpected ..." messages.
std::string Describe(const Token& t) {
  switch (t.kind) {
    case Tok::kEnd:
      return "end of the expression";
    case Tok::kNumber:
      return "number " + t.text;
    case Tok::kString:
      return "string " + Value::String(t.text).ToString();
    case Tok::kName:
      return "name '" + t.text + "'";
    default:
      return "'" + t.text + "'";
  }
}

bool IsNameStart(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; }
bool IsNameChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }

class Lexer {
 public:
  explicit Lexer(std::string_view text) : s_(text) {}

  // Every token of the text, ending with kEnd; false with `error_` set on a bad token.
  bool Run(std::vector<Token>* out) {
    while (true) {
      while (pos_ < s_.size() &&
             (s_[pos_] == ' ' || s_[pos_] == '\t' || s_[pos_] == '\n' || s_[pos_] == '\r')) {
        ++pos_;
      }
      Token t;
      t.offset = static_cast<int>(pos_);
      if (pos_ >= s_.size()) {
        out->push_back(t);
        return true;
      }
      const char c = s_[pos_];
      bool ok = true;
      if (IsDigit(c) || (c == '.' && pos_ + 1 < s_.size() && IsDigit(s_[pos_ + 1]))) {
        ok = LexNumber(&t);
      } else if (IsNameStart(c)) {
        ok = LexName(&t);
      } else if (c == '\'' || c == '"') {
        ok = LexString(&t);
      } else {
        ok = LexPunctuation(&t);
      }
      if (!ok) return false;
      out->push_back(std::move(t));
    }
  }

  const Error& error() const { return error_; }

 private:
  bool Fail(size_t offset, std::string message) {
    error_ = {static_cast<int>(offset), std::move(message)};
    return false;
  }

  bool LexNumber(Token* t) {
    const size_t begin = pos_;
    while (pos_ < s_.size() && IsDigit(s_[pos_])) ++pos_;
    if (pos_ < s_.size() && s_[pos_] == '.') {
      ++pos_;
      while (pos_ < s_.size() && IsDigit(s_[pos_])) ++pos_;
    }
    bool bad = false;
    if (pos_ < s_.size() && (s_[pos_] == 'e' || s_[pos_] == 'E')) {
      ++pos_;
      if (pos_ < s_.size() && (s_[pos_] == '+' || s_[pos_] == '-')) ++pos_;
      if (pos_ >= s_.size() || !IsDigit(s_[pos_])) bad = true;
      while (pos_ < s_.size() && IsDigit(s_[pos_])) ++pos_;
    }
    if (pos_ < s_.size() && (IsNameChar(s_[pos_]) || s_[pos_] == '.')) bad = true;
    if (bad) {
      while (pos_ < s_.size() && (IsNameChar(s_[pos_]) || s_[pos_] == '.')) ++pos_;
      return Fail(begin, "malformed number '" + std::string(s_.substr(begin, pos_ - begin)) + "'");
    }
    t->kind = Tok::kNumber;
    t->text = std::string(s_.substr(begin, pos_ - begin));
    // from_chars does not take a leading '.', so read ".5" as "0.5".
    const std::string padded = t->text[0] == '.' ? "0" + t->text : t->text;
    const char* first = padded.data();
    auto [ptr, ec] = std::from_chars(first, first + padded.size(), t->number);
    if (ec != std::errc() || ptr != first + padded.size() || !std::isfinite(t->number)) {
      return Fail(begin, "number '" + t->text + "' is too large");
    }
    return true;
  }

  bool LexName(Token* t) {
    const size_t begin = pos_;
    while (pos_ < s_.size() && IsNameChar(s_[pos_])) ++pos_;
    const std::string first(s_.substr(begin, pos_ - begin));
    while (pos_ < s_.size() && s_[pos_] == '.') {
      const size_t dot = pos_++;
      if (pos_ >= s_.size() || !IsNameChar(s_[pos_])) {
        return Fail(dot, "expected a key after the '.' of '" +
                             std::string(s_.substr(begin, dot + 1 - begin)) + "'");
      }
      while (pos_ < s_.size() && IsNameChar(s_[pos_])) ++pos_;
    }
    t->text = std::string(s_.substr(begin, pos_ - begin));
    static constexpr std::pair<std::string_view, Tok> kKeywords[] = {
        {"true", Tok::kTrue}, {"false", Tok::kFalse}, {"null", Tok::kNull},
        {"in", Tok::kIn},     {"not", Tok::kNot},
    };
    t->kind = Tok::kName;
    for (const auto& [word, kind] : kKeywords) {
      if (first != word) continue;
      if (t->text.size() != first.size()) {
        return Fail(begin, "'" + first + "' is a reserved word and cannot start a path");
      }
      t->kind = kind;
    }
    return true;
  }

  bool LexString(Token* t) {
    const size_t begin = pos_;
    const char quote = s_[pos_++];
    std::string content;
    while (true) {
      if (pos_ >= s_.size()) {
        return Fail(begin, "unterminated string: the quote at " + std::to_string(begin) +
                               " is never closed");
      }
      const char c = s_[pos_];
      if (c == quote) break;
      if (c == '\\') {
        const char next = pos_ + 1 < s_.size() ? s_[pos_ + 1] : '\0';
        if (next != '\\' && next != '\'' && next != '"') {
          return Fail(pos_, std::string("unknown escape '\\") + (next ? std::string(1, next) : "") +
                                "' in a string: only \\\\, \\' and \\\" are escapes");
        }
        content += next;
        pos_ += 2;
        continue;
      }
      content += c;
      ++pos_;
    }
    ++pos_;
    t->kind = Tok::kString;
    t->text = std::move(content);
    return true;
  }

  bool LexPunctuation(Token* t) {
    static constexpr std::pair<std::string_view, Tok> kPunct[] = {
        {"||", Tok::kOrOr},  {"&&", Tok::kAndAnd},  {"==", Tok::kEqEq},    {"!=", Tok::kNe},
        {"<=", Tok::kLe},    {">=", Tok::kGe},      {"<", Tok::kLt},       {">", Tok::kGt},
        {"!", Tok::kBang},   {"+", Tok::kPlus},     {"-", Tok::kMinus},    {"*", Tok::kStar},
        {"/", Tok::kSlash},  {"?", Tok::kQuestion}, {":", Tok::kColon},    {"(", Tok::kLParen},
        {")", Tok::kRParen}, {"[", Tok::kLBracket}, {"]", Tok::kRBracket}, {",", Tok::kComma},
    };
    const std::string_view rest = s_.substr(pos_);
    for (const auto& [p, kind] : kPunct) {
      if (rest.substr(0, p.size()) == p) {
        t->kind = kind;
        t->text = std::string(p);
        pos_ += p.size();
        return true;
      }
    }
    const char c = s_[pos_];
    if (c == '=') return Fail(pos_, "'=' is not an operator: write '==' to compare");
    if (c == '&') return Fail(pos_, "'&' is not an operator: write '&&' for 'and'");
    if (c == '|') return Fail(pos_, "'|' is not an operator: write '||' for 'or'");
    // A whole UTF-8 sequence, so that the message shows the character.
    size_t end = pos_ + 1;
    while (end < s_.size() && (static_cast<unsigned char>(s_[end]) & 0xC0) == 0x80) ++end;
    return Fail(pos_, "unexpected character '" + std::string(s_.substr(pos_, end - pos_)) + "'");
  }

  std::string_view s_;
  size_t pos_ = 0;
  Error error_;
};

// ---------------------------------------------------------------------------------------
// Parser

struct Infix {
  Op op;
  int precedence;
};

// The binary operator a token starts, if any (`not` only when followed by `in`).
std::optional<Infix> InfixOf(Tok t) {
  switch (t) {
    case Tok::kOrOr:
      return Infix{Op::kOr, 2};
    case Tok::kAndAnd:
      return Infix{Op::kAnd, 3};
    case Tok::kEqEq:
      return Infix{Op::kEq, 4};
    case Tok::kNe:
      return Infix{Op::kNe, 4};
    case Tok::kLt:
      return Infix{Op::kLt, 5};
    case Tok::kLe:
      return Infix{Op::kLe, 5};
    case Tok::kGt:
      return Infix{Op::kGt, 5};
    case Tok::kGe:
      return Infix{Op::kGe, 5};
    case Tok::kIn:
      return Infix{Op::kIn, 6};
    case Tok::kNot:
      return Infix{Op::kNotIn, 6};
    case Tok::kPlus:
      return Infix{Op::kAdd, 7};
    case Tok::kMinus:
      return Infix{Op::kSub, 7};
    case Tok::kStar:
      return Infix{Op::kMul, 8};
    case Tok::kSlash:
      return Infix{Op::kDiv, 8};
    default:
      return std::nullopt;
  }
}

constexpr int kConditionalPrecedence = 1;
constexpr int kUnaryPrecedence = 9;
constexpr int kOperandPrecedence = 10;

// Comparisons (==, !=, <, <=, >, >=, in, not in) do not chain: `a < b < c` is an error.
bool IsNonAssociative(int precedence) { return precedence >= 4 && precedence <= 6; }

using NodePtr = std::unique_ptr<Node>;

class Parser {
 public:
  explicit Parser(std::vector<Token> tokens) : t_(std::move(tokens)) {}

  NodePtr ParseAll() {
    if (Peek().kind == Tok::kEnd) return Fail(0, "the expression is empty");
    NodePtr n = ParseExpr(0);
    if (!n) return nullptr;
    const Token& t = Peek();
    if (t.kind == Tok::kEnd) return n;
    if (t.kind == Tok::kRParen) return Fail(t.offset, "unexpected ')': there is no '(' to close");
    if (t.kind == Tok::kRBracket) return Fail(t.offset, "unexpected ']': there is no '[' to close");
    std::string hint;
    if (t.kind == Tok::kName && t.text == "and") hint = " (write '&&' for 'and')";
    if (t.kind == Tok::kName && t.text == "or") hint = " (write '||' for 'or')";
    return Fail(t.offset, "unexpected " + Describe(t) +
                              ", expected an operator or the end of the expression" + hint);
  }

  const Error& error() const { return error_; }

 private:
  const Token& Peek(size_t ahead = 0) const { return t_[std::min(pos_ + ahead, t_.size() - 1)]; }
  const Token& Next() { return t_[std::min(pos_++, t_.size() - 1)]; }

  NodePtr Fail(int offset, std::string message) {
    if (error_.offset < 0 && error_.message.empty()) error_ = {offset, std::move(message)};
    return nullptr;
  }

  static NodePtr Make(Node::Kind kind, int offset, int start) {
    auto n = std::make_unique<Node>();
    n->kind = kind;
    n->offset = offset;
    n->start = start;
    return n;
  }

  NodePtr ParseExpr(int min_precedence) {
    // Parentheses, brackets, calls and unary operators nest through here; a bound keeps
    // the recursion (here and when evaluating) far from the stack's limit.
    if (++depth_ > kMaxDepth) {
      return Fail(Peek().offset,
                  "the expression nests more than " + std::to_string(kMaxDepth) + " levels deep");
    }
    NodePtr left = ParseExprAtDepth(min_precedence);
    --depth_;
    return left;
  }

  NodePtr ParseExprAtDepth(int min_precedence) {
    NodePtr left = ParsePrefix();
    if (!left) return nullptr;
    int last = 0;  // precedence of the operator that built `left` at this level
    while (true) {
      const Token& t = Peek();
      if (t.kind == Tok::kQuestion) {
        if (kConditionalPrecedence < min_precedence) break;
        left = ParseConditional(std::move(left));
        if (!left) return nullptr;
        last = kConditionalPrecedence;
        continue;
      }
      std::optional<Infix> in = InfixOf(t.kind);
      if (!in || in->precedence < min_precedence) break;
      const Token op = Next();
      if (op.kind == Tok::kNot) {
        if (Peek().kind != Tok::kIn) {
          return Fail(op.offset, "expected 'in' after 'not' (write '!' to negate)");
        }
        Next();
      }
      if (IsNonAssociative(in->precedence) && last == in->precedence) {
        return Fail(op.offset, "'" + std::string(internal::OpText(in->op)) +
                                   "' cannot follow another comparison without parentheses "
                                   "(write 'a < b && b < c')");
      }
      NodePtr right = ParseExpr(in->precedence + 1);
      if (!right) return nullptr;
      NodePtr n = Make(Node::Kind::kBinary, op.offset, left->start);
      n->op = in->op;
      n->kids.push_back(std::move(left));
      n->kids.push_back(std::move(right));
      left = std::move(n);
      last = in->precedence;
    }
    return left;
  }

  NodePtr ParseConditional(NodePtr cond) {
    const Token q = Next();
    NodePtr yes = ParseExpr(0);
    if (!yes) return nullptr;
    if (Peek().kind != Tok::kColon) {
      return Fail(Peek().offset,
                  "expected ':' to go with the '?' at " + std::to_string(q.offset) +
                      (Peek().kind == Tok::kEnd ? "" : ", found " + Describe(Peek())));
    }
    Next();
    NodePtr no = ParseExpr(kConditionalPrecedence);
    if (!no) return nullptr;
    NodePtr n = Make(Node::Kind::kConditional, q.offset, cond->start);
    n->kids.push_back(std::move(cond));
    n->kids.push_back(std::move(yes));
    n->kids.push_back(std::move(no));
    return n;
  }

  NodePtr ParsePrefix() {
    const Token& t = Peek();
    switch (t.kind) {
      case Tok::kNumber: {
        NodePtr n = Make(Node::Kind::kLiteral, t.offset, t.offset);
        n->literal = Value::Number(Next().number);
        return n;
      }
      case Tok::kString: {
        NodePtr n = Make(Node::Kind::kLiteral, t.offset, t.offset);
        n->literal = Value::String(Next().text);
        return n;
      }
      case Tok::kTrue:
      case Tok::kFalse:
      case Tok::kNull: {
        NodePtr n = Make(Node::Kind::kLiteral, t.offset, t.offset);
        n->literal = t.kind == Tok::kNull ? Value::Null() : Value::Bool(t.kind == Tok::kTrue);
        Next();
        return n;
      }
      case Tok::kName:
        return ParseName();
      case Tok::kLParen: {
        const Token open = Next();
        NodePtr inner = ParseExpr(0);
        if (!inner) return nullptr;
        if (!Expect(Tok::kRParen, "')'", open)) return nullptr;
        return inner;
      }
      case Tok::kLBracket:
        return ParseList();
      case Tok::kBang:
      case Tok::kMinus: {
        const Token op = Next();
        NodePtr operand = ParseExpr(kUnaryPrecedence);
        if (!operand) return nullptr;
        NodePtr n = Make(Node::Kind::kUnary, op.offset, op.offset);
        n->op = op.kind == Tok::kBang ? Op::kNot : Op::kNeg;
        n->kids.push_back(std::move(operand));
        return n;
      }
      case Tok::kNot:
        return Fail(t.offset, "'not' is only used in 'not in': write '!' to negate");
      case Tok::kEnd:
        return Fail(t.offset, "unexpected end of the expression, expected an operand");
      default:
        return Fail(t.offset, "unexpected " + Describe(t) + ", expected an operand");
    }
  }

  // Consumes the closing token of `open`, or fails naming where `open` is.
  bool Expect(Tok close, const char* close_text, const Token& open,
              const char* alternatives = nullptr) {
    if (Peek().kind == close) {
      Next();
      return true;
    }
    std::string message = std::string("expected ") + (alternatives ? alternatives : close_text) +
                          " to close the '" + open.text + "' at " + std::to_string(open.offset);
    if (Peek().kind != Tok::kEnd) message += ", found " + Describe(Peek());
    Fail(Peek().offset, std::move(message));
    return false;
  }

  NodePtr ParseList() {
    const Token open = Next();
    NodePtr n = Make(Node::Kind::kList, open.offset, open.offset);
    if (Peek().kind == Tok::kRBracket) {
      Next();
      return n;
    }
    while (true) {
      NodePtr item = ParseExpr(0);
      if (!item) return nullptr;
      n->kids.push_back(std::move(item));
      if (Peek().kind == Tok::kComma) {
        Next();
        continue;
      }
      if (!Expect(Tok::kRBracket, "']'", open, "',' or ']'")) return nullptr;
      return n;
    }
  }

  NodePtr ParseName() {
    const Token name = Next();
    if (Peek().kind != Tok::kLParen) {
      NodePtr n = Make(Node::Kind::kPath, name.offset, name.offset);
      n->name = name.text;
      return n;
    }
    if (name.text.find('.') != std::string::npos) {
      return Fail(name.offset, "'" + name.text + "' is followed by '(', but function names " +
                                   "have no '.'; paths cannot be called");
    }
    const FunctionInfo* info = nullptr;
    for (const FunctionInfo& f : kFunctions) {
      if (f.name == name.text) info = &f;
    }
    if (!info) {
      return Fail(name.offset, "unknown function '" + name.text + "'" +
                                   models::DidYouMeanSuffix(name.text, FunctionNames()));
    }
    const Token open = Next();
    NodePtr n = Make(Node::Kind::kCall, name.offset, name.offset);
    n->name = name.text;
    n->fn = info->fn;
    if (Peek().kind == Tok::kRParen) {
      Next();
    } else {
      while (true) {
        NodePtr arg = ParseExpr(0);
        if (!arg) return nullptr;
        n->kids.push_back(std::move(arg));
        if (Peek().kind == Tok::kComma) {
          Next();
          continue;
        }
        if (!Expect(Tok::kRParen, "')'", open, "',' or ')'")) return nullptr;
        break;
      }
    }
    return CheckCall(std::move(n), *info);
  }

  NodePtr CheckCall(NodePtr n, const FunctionInfo& info) {
    const int given = static_cast<int>(n->kids.size());
    if (given < info.min_args || (info.max_args >= 0 && given > info.max_args)) {
      auto count = [](int k) { return std::to_string(k) + (k == 1 ? " argument" : " arguments"); };
      std::string wanted =
          info.max_args < 0 ? "at least " + count(info.min_args) : count(info.min_args);
      return Fail(n->offset, std::string(info.name) + "() takes " + wanted + ", but " +
                                 (given == 0 ? "none" : std::to_string(given)) +
                                 (given == 1 ? " was" : " were") + " given");
    }
    if (info.fn == Fn::kPresent && n->kids[0]->kind != Node::Kind::kPath) {
      return Fail(n->kids[0]->start,
                  "present() takes a path (such as evidence.studies), not an expression");
    }
    if (info.fn == Fn::kDate && n->kids[0]->kind == Node::Kind::kLiteral &&
        n->kids[0]->literal.type() == Value::Type::kString &&
        !ParseDate(n->kids[0]->literal.AsString())) {
      return Fail(n->kids[0]->start, "date(): " + n->kids[0]->literal.ToString() +
                                         " is not a calendar date written YYYY-MM-DD");
    }
    return n;
  }

  static constexpr int kMaxDepth = 100;

  std::vector<Token> t_;
  size_t pos_ = 0;
  int depth_ = 0;
  Error error_{-1, ""};
};

void CollectPaths(const Node& n, std::vector<std::string>* out) {
  if (n.kind == Node::Kind::kPath) {
    bool seen = false;
    for (const std::string& p : *out) seen = seen || p == n.name;
    if (!seen) out->push_back(n.name);
  }
  for (const auto& k : n.kids) CollectPaths(*k, out);
}

}  // namespace

// -----------------------------------------------------------------------------------------
// Printing

namespace internal {

std::string_view OpText(Op op) {
  switch (op) {
    case Op::kOr:
      return "||";
    case Op::kAnd:
      return "&&";
    case Op::kEq:
      return "==";
    case Op::kNe:
      return "!=";
    case Op::kLt:
      return "<";
    case Op::kLe:
      return "<=";
    case Op::kGt:
      return ">";
    case Op::kGe:
      return ">=";
    case Op::kIn:
      return "in";
    case Op::kNotIn:
      return "not in";
    case Op::kAdd:
      return "+";
    case Op::kSub:
      return "-";
    case Op::kMul:
      return "*";
    case Op::kDiv:
      return "/";
    case Op::kNot:
      return "!";
    case Op::kNeg:
      return "-";
  }
  return "?";
}

int Precedence(const Node& n) {
  switch (n.kind) {
    case Node::Kind::kConditional:
      return kConditionalPrecedence;
    case Node::Kind::kUnary:
      return kUnaryPrecedence;
    case Node::Kind::kBinary:
      for (Tok t :
           {Tok::kOrOr, Tok::kAndAnd, Tok::kEqEq, Tok::kNe, Tok::kLt, Tok::kLe, Tok::kGt, Tok::kGe,
            Tok::kIn, Tok::kNot, Tok::kPlus, Tok::kMinus, Tok::kStar, Tok::kSlash}) {
        if (InfixOf(t)->op == n.op) return InfixOf(t)->precedence;
      }
      return 0;
    default:
      return kOperandPrecedence;
  }
}

std::string Compose(const Node& n, const std::vector<std::string>& kids) {
  auto join = [&] {
    std::string out;
    for (size_t i = 0; i < kids.size(); ++i) out += (i ? ", " : "") + kids[i];
    return out;
  };
  auto paren = [](const std::string& s) { return "(" + s + ")"; };
  switch (n.kind) {
    case Node::Kind::kLiteral:
      return n.literal.ToString();
    case Node::Kind::kPath:
      return n.name;
    case Node::Kind::kList:
      return "[" + join() + "]";
    case Node::Kind::kCall:
      return n.name + "(" + join() + ")";
    case Node::Kind::kUnary: {
      const bool wrap = Precedence(*n.kids[0]) < kUnaryPrecedence ||
                        (n.op == Op::kNeg && !kids[0].empty() && kids[0][0] == '-');
      return std::string(OpText(n.op)) + (wrap ? paren(kids[0]) : kids[0]);
    }
    case Node::Kind::kBinary: {
      const int p = Precedence(n);
      const int pl = Precedence(*n.kids[0]);
      const int pr = Precedence(*n.kids[1]);
      const bool wrap_left = pl < p || (IsNonAssociative(p) && pl == p);
      const bool wrap_right = pr <= p;
      return (wrap_left ? paren(kids[0]) : kids[0]) + " " + std::string(OpText(n.op)) + " " +
             (wrap_right ? paren(kids[1]) : kids[1]);
    }
    case Node::Kind::kConditional: {
      const bool wrap_cond = Precedence(*n.kids[0]) <= kConditionalPrecedence;
      const bool wrap_yes = Precedence(*n.kids[1]) <= kConditionalPrecedence;
      return (wrap_cond ? paren(kids[0]) : kids[0]) + " ? " +
             (wrap_yes ? paren(kids[1]) : kids[1]) + " : " + kids[2];
    }
  }
  return "?";
}

std::string Source(const Node& n) {
  std::vector<std::string> kids;
  kids.reserve(n.kids.size());
  for (const auto& k : n.kids) kids.push_back(Source(*k));
  return Compose(n, kids);
}

}  // namespace internal

// -----------------------------------------------------------------------------------------
// Expression

const std::vector<std::string>& FunctionNames() {
  static const std::vector<std::string> kNames = [] {
    std::vector<std::string> names;
    for (const FunctionInfo& f : kFunctions) names.emplace_back(f.name);
    return names;
  }();
  return kNames;
}

Expression::Expression(std::shared_ptr<const std::string> text,
                       std::shared_ptr<const internal::Node> root)
    : text_(std::move(text)), root_(std::move(root)) {}

std::variant<Expression, Error> Expression::Parse(std::string_view text) {
  std::vector<Token> tokens;
  Lexer lexer(text);
  if (!lexer.Run(&tokens)) return lexer.error();
  Parser parser(std::move(tokens));
  NodePtr root = parser.ParseAll();
  if (!root) return parser.error();
  return Expression(std::make_shared<const std::string>(text), std::move(root));
}

std::vector<std::string> Expression::Paths() const {
  std::vector<std::string> out;
  CollectPaths(*root_, &out);
  return out;
}

std::string Expression::Canonical() const { return internal::Source(*root_); }

}  // namespace vaglio::engine::expr
