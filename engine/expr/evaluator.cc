// Evaluation of parsed expressions (docs/expressions.md): type rules, operands read, and
// the rendering with values substituted.
#include <algorithm>
#include <cmath>
#include <utility>

#include "engine/expr/expression.h"
#include "engine/expr/node.h"
#include "models/text.h"

namespace vaglio::engine::expr {

using internal::Compose;
using internal::Fn;
using internal::Node;
using internal::Op;
using internal::OpText;
using internal::Source;
using Type = Value::Type;

namespace {

// Lists longer than this are abbreviated in renderings (the operands keep them whole).
constexpr size_t kRenderedItems = 5;

std::string Render(const Value& v) {
  if (v.type() != Type::kList || v.AsList().size() <= kRenderedItems) return v.ToString();
  const std::vector<Value>& items = v.AsList();
  std::string out = "[";
  for (size_t i = 0; i < kRenderedItems; ++i) out += (i ? ", " : "") + items[i].ToString();
  return out + ", ... (" + std::to_string(items.size()) + " items)]";
}

std::string RenderKeys(const std::vector<std::string>& keys) {
  std::string out = "{";
  for (size_t i = 0; i < keys.size() && i < kRenderedItems; ++i) out += (i ? ", " : "") + keys[i];
  if (keys.size() > kRenderedItems) out += ", ... (" + std::to_string(keys.size()) + " keys)";
  return out + "}";
}

std::string Described(const Value& v) { return Value::Described(v.type()); }

std::string Plural(Type t) {
  return t == Type::kNull ? "nulls" : std::string(Value::TypeName(t)) + "s";
}

enum class Match { kEqual, kUnequal, kIncomparable, kNotADate };

// The language's '==': null equals only null; a date and a string compare as dates when
// the string is an ISO date; otherwise both sides must have the same type.
Match Equality(const Value& a, const Value& b) {
  if (a.is_null() || b.is_null()) {
    return a.is_null() && b.is_null() ? Match::kEqual : Match::kUnequal;
  }
  if (a.type() == Type::kDate && b.type() == Type::kString) {
    const std::optional<int32_t> d = ParseDate(b.AsString());
    if (!d) return Match::kNotADate;
    return a.AsDate() == *d ? Match::kEqual : Match::kUnequal;
  }
  if (a.type() == Type::kString && b.type() == Type::kDate) return Equality(b, a);
  if (a.type() != b.type()) return Match::kIncomparable;
  if (a.type() == Type::kList) {
    const std::vector<Value>& x = a.AsList();
    const std::vector<Value>& y = b.AsList();
    if (x.size() != y.size()) return Match::kUnequal;
    for (size_t i = 0; i < x.size(); ++i) {
      if (Equality(x[i], y[i]) != Match::kEqual) return Match::kUnequal;
    }
    return Match::kEqual;
  }
  return a == b ? Match::kEqual : Match::kUnequal;
}

// When one of `a`, `b` is a date and the other a string, reads the string as a date.
// False when that string is not an ISO date.
bool CoerceDates(Value* a, Value* b) {
  for (auto [x, y] : {std::pair{a, b}, std::pair{b, a}}) {
    if (x->type() == Type::kDate && y->type() == Type::kString) {
      const std::optional<int32_t> d = ParseDate(y->AsString());
      if (!d) return false;
      *y = Value::Date(*d);
    }
  }
  return true;
}

size_t CodePoints(const std::string& s) {
  return static_cast<size_t>(std::count_if(
      s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

// What evaluating one node gives: its value, its rendering, and the path node it came
// from (when it is a path's value, possibly through '?:'), for "X is null" messages.
struct Out {
  Value value;
  std::string rendered;
  const Node* path = nullptr;
};

class Evaluator {
 public:
  explicit Evaluator(const Context& ctx) : ctx_(ctx) {}

  bool Eval(const Node& n, Out* out) {
    switch (n.kind) {
      case Node::Kind::kLiteral:
        out->value = n.literal;
        out->rendered = Source(n);
        return true;
      case Node::Kind::kPath:
        return EvalPath(n, out);
      case Node::Kind::kList:
        return EvalList(n, out);
      case Node::Kind::kUnary:
        return EvalUnary(n, out);
      case Node::Kind::kBinary:
        if (n.op == Op::kAnd || n.op == Op::kOr) return EvalLogical(n, out);
        return EvalBinary(n, out);
      case Node::Kind::kConditional:
        return EvalConditional(n, out);
      case Node::Kind::kCall:
        return n.fn == Fn::kPresent ? EvalPresent(n, out) : EvalCall(n, out);
    }
    return Fail(n.offset, "internal error: unknown node");
  }

  Error error;
  std::vector<Operand> operands;

 private:
  bool Fail(int offset, std::string message) {
    error = {offset, std::move(message)};
    return false;
  }

  void Record(const std::string& path, const Value& v, bool missing) {
    for (const Operand& o : operands) {
      if (o.path == path) return;
    }
    operands.push_back({path, v, missing});
  }

  // Fails when `o` is null read from a path: "economics.icer is null (undefined ICER), but
  // '<=' needs a number". Nulls that are not a path's value fail later as type errors.
  bool RejectNull(const Out& o, int offset, const std::string& who, const std::string& needs) {
    if (!o.value.is_null() || !o.path) return false;
    const std::string reason = ctx_.NullReason(o.path->name);
    Fail(offset, o.path->name + " is null" + (reason.empty() ? "" : " (" + reason + ")") +
                     ", but " + who + " needs " + needs);
    return true;
  }

  static std::string Quoted(Op op) {
    // Appended piece by piece: GCC 12's -Wrestrict misfires on "'" + std::string(...).
    std::string s = "'";
    s += OpText(op);
    s += '\'';
    return s;
  }

  bool EvalPath(const Node& n, Out* out) {
    std::vector<std::string> siblings;
    std::optional<Value> v = ctx_.Lookup(n.name, &siblings);
    if (!v) return MissingPath(n, siblings);
    Record(n.name, *v, false);
    out->rendered = Render(*v);
    out->value = std::move(*v);
    out->path = &n;
    return true;
  }

  bool MissingPath(const Node& n, const std::vector<std::string>& siblings) {
    const std::string& p = n.name;
    if (ctx_.IsLevel(p)) {
      std::vector<std::string> shown(
          siblings.begin(),
          siblings.begin() + static_cast<std::ptrdiff_t>(std::min<size_t>(siblings.size(), 8)));
      return Fail(n.offset,
                  "'" + p + "' is a group of keys, not a value" +
                      (siblings.empty() ? ""
                                        : " (its keys: " + models::QuotedList(shown) +
                                              (siblings.size() > 8 ? ", ..." : "") + ")"));
    }
    std::vector<std::string> seg;
    for (size_t from = 0;;) {
      const size_t dot = p.find('.', from);
      seg.push_back(p.substr(from, dot == std::string::npos ? std::string::npos : dot - from));
      if (dot == std::string::npos) break;
      from = dot + 1;
    }
    const bool knows_levels = ctx_.IsLevel("");
    std::string prefix = p;
    for (size_t k = seg.size() - 1; k >= 1; --k) {
      prefix.resize(prefix.size() - seg[k].size() - 1);
      if (knows_levels && ctx_.IsLevel(prefix)) {
        return Fail(n.offset, "unknown name '" + p + "': '" + prefix + "' has no '" + seg[k] + "'" +
                                  models::DidYouMeanSuffix(seg[k], siblings));
      }
      std::optional<Value> pv = ctx_.Lookup(prefix, nullptr);
      if (pv) {
        return Fail(n.offset, "unknown name '" + p + "': '" + prefix + "' is " + Described(*pv) +
                                  ", not a group of keys");
      }
    }
    if (seg.size() == 1) {
      const std::vector<std::string>& fns = FunctionNames();
      if (std::find(fns.begin(), fns.end(), p) != fns.end()) {
        return Fail(n.offset, "unknown name '" + p + "' ('" + p + "' is a function: call it as " +
                                  p + "(...))");
      }
      return Fail(n.offset, "unknown name '" + p + "'" + models::DidYouMeanSuffix(p, siblings));
    }
    if (!knows_levels) {
      // The context does not say where the path breaks off: suggest for its last key.
      const std::string close = models::DidYouMean(seg.back(), siblings);
      return Fail(n.offset, "unknown name '" + p + "'" +
                                (close.empty() ? ""
                                               : " (did you mean '" +
                                                     p.substr(0, p.size() - seg.back().size()) +
                                                     close + "'?)"));
    }
    return Fail(n.offset, "unknown name '" + p + "': there is no '" + seg[0] + "'" +
                              models::DidYouMeanSuffix(seg[0], siblings));
  }

  bool EvalList(const Node& n, Out* out) {
    std::vector<Value> items;
    std::vector<std::string> texts;
    for (const auto& k : n.kids) {
      Out o;
      if (!Eval(*k, &o)) return false;
      items.push_back(std::move(o.value));
      texts.push_back(std::move(o.rendered));
    }
    out->value = Value::List(std::move(items));
    out->rendered = Compose(n, texts);
    return true;
  }

  bool EvalUnary(const Node& n, Out* out) {
    Out k;
    if (!Eval(*n.kids[0], &k)) return false;
    const std::string who = Quoted(n.op);
    if (n.op == Op::kNot) {
      if (RejectNull(k, n.offset, who, "true or false")) return false;
      if (k.value.type() != Type::kBool) {
        return Fail(n.offset,
                    who + " is applied to " + Described(k.value) + ", but needs true or false");
      }
      out->value = Value::Bool(!k.value.AsBool());
    } else {
      if (RejectNull(k, n.offset, who, "a number")) return false;
      if (k.value.type() != Type::kNumber) {
        return Fail(n.offset,
                    who + " is applied to " + Described(k.value) + ", but needs a number");
      }
      out->value = Value::Number(-k.value.AsNumber());
    }
    out->rendered = Compose(n, {k.rendered});
    return true;
  }

  // A side of '&&' or '||': true or false, never null.
  bool CheckLogical(const Node& n, const Out& o, const char* side) {
    if (RejectNull(o, n.offset, Quoted(n.op), "true or false")) return false;
    if (o.value.type() != Type::kBool) {
      return Fail(n.offset, std::string("the ") + side + " side of " + Quoted(n.op) + " is " +
                                Described(o.value) + ", but must be true or false");
    }
    return true;
  }

  bool EvalLogical(const Node& n, Out* out) {
    Out l;
    if (!Eval(*n.kids[0], &l) || !CheckLogical(n, l, "left")) return false;
    const bool lv = l.value.AsBool();
    if ((n.op == Op::kAnd && !lv) || (n.op == Op::kOr && lv)) {
      out->value = Value::Bool(lv);
      out->rendered = Compose(n, {l.rendered, Source(*n.kids[1])});
      return true;
    }
    Out r;
    if (!Eval(*n.kids[1], &r) || !CheckLogical(n, r, "right")) return false;
    out->value = r.value;
    out->rendered = Compose(n, {l.rendered, r.rendered});
    return true;
  }

  bool EvalConditional(const Node& n, Out* out) {
    Out c;
    if (!Eval(*n.kids[0], &c)) return false;
    if (RejectNull(c, n.offset, "'?'", "true or false")) return false;
    if (c.value.type() != Type::kBool) {
      return Fail(n.offset,
                  "the condition of '?' is " + Described(c.value) + ", but must be true or false");
    }
    const bool yes = c.value.AsBool();
    Out chosen;
    if (!Eval(*n.kids[yes ? 1 : 2], &chosen)) return false;
    out->rendered = Compose(n, {c.rendered, yes ? chosen.rendered : Source(*n.kids[1]),
                                yes ? Source(*n.kids[2]) : chosen.rendered});
    out->value = std::move(chosen.value);
    out->path = chosen.path;
    return true;
  }

  bool EvalBinary(const Node& n, Out* out) {
    Out l, r;
    if (!Eval(*n.kids[0], &l) || !Eval(*n.kids[1], &r)) return false;
    out->rendered = Compose(n, {l.rendered, r.rendered});
    switch (n.op) {
      case Op::kEq:
      case Op::kNe:
        return EvalEquality(n, l, r, out);
      case Op::kLt:
      case Op::kLe:
      case Op::kGt:
      case Op::kGe:
        return EvalOrdering(n, l, r, out);
      case Op::kIn:
      case Op::kNotIn:
        return EvalMembership(n, l, r, out);
      default:
        return EvalArithmetic(n, l, r, out);
    }
  }

  bool FailNotADate(const Node& n, const Value& a, const Value& b) {
    const Value& s = a.type() == Type::kString ? a : b;
    return Fail(n.offset, Quoted(n.op) + " compares " + Described(a) + " with " + Described(b) +
                              ", but " + s.ToString() + " is not a date written YYYY-MM-DD");
  }

  bool EvalEquality(const Node& n, const Out& l, const Out& r, Out* out) {
    const Match m = Equality(l.value, r.value);
    if (m == Match::kNotADate) return FailNotADate(n, l.value, r.value);
    if (m == Match::kIncomparable) {
      return Fail(n.offset, Quoted(n.op) + " compares " + Described(l.value) + " with " +
                                Described(r.value) +
                                ", but needs two values of the same type (or null)");
    }
    out->value = Value::Bool((m == Match::kEqual) == (n.op == Op::kEq));
    return true;
  }

  bool EvalOrdering(const Node& n, const Out& l, const Out& r, Out* out) {
    const std::string who = Quoted(n.op);
    for (auto [x, y] : {std::pair{&l, &r}, std::pair{&r, &l}}) {
      const Type other = y->value.type();
      const char* needs = other == Type::kNumber ? "a number"
                          : other == Type::kDate ? "a date"
                                                 : "a number or a date";
      if (RejectNull(*x, n.offset, who, needs)) return false;
    }
    Value a = l.value, b = r.value;
    if (!CoerceDates(&a, &b)) return FailNotADate(n, l.value, r.value);
    int cmp = 0;
    if (a.type() == Type::kNumber && b.type() == Type::kNumber) {
      cmp = a.AsNumber() < b.AsNumber() ? -1 : a.AsNumber() > b.AsNumber() ? 1 : 0;
    } else if (a.type() == Type::kDate && b.type() == Type::kDate) {
      cmp = a.AsDate() < b.AsDate() ? -1 : a.AsDate() > b.AsDate() ? 1 : 0;
    } else {
      return Fail(n.offset, who + " compares " + Described(l.value) + " with " +
                                Described(r.value) + ", but needs two numbers or two dates");
    }
    bool v = false;
    switch (n.op) {
      case Op::kLt:
        v = cmp < 0;
        break;
      case Op::kLe:
        v = cmp <= 0;
        break;
      case Op::kGt:
        v = cmp > 0;
        break;
      default:
        v = cmp >= 0;
        break;
    }
    out->value = Value::Bool(v);
    return true;
  }

  bool EvalMembership(const Node& n, const Out& l, const Out& r, Out* out) {
    const std::string who = Quoted(n.op);
    if (RejectNull(r, n.offset, who, "a list or a string on its right")) return false;
    bool found = false;
    if (r.value.type() == Type::kList) {
      const std::vector<Value>& items = r.value.AsList();
      bool comparable = items.empty();
      std::vector<Type> kinds;
      for (const Value& item : items) {
        const Match m = Equality(l.value, item);
        if (m == Match::kEqual) found = true;
        if (m == Match::kEqual || m == Match::kUnequal) comparable = true;
        if (std::find(kinds.begin(), kinds.end(), item.type()) == kinds.end()) {
          kinds.push_back(item.type());
        }
      }
      if (!comparable) {
        std::string list;
        for (size_t i = 0; i < kinds.size(); ++i) {
          list += (i == 0 ? "" : i + 1 == kinds.size() ? " and " : ", ") + Plural(kinds[i]);
        }
        const Type t = l.value.type();
        return Fail(n.offset, who + " looks for " + Described(l.value) + " in a list of " + list +
                                  ", but " + Described(l.value) + " can only be found among " +
                                  Plural(t));
      }
    } else if (r.value.type() == Type::kString) {
      if (RejectNull(l, n.offset, who, "a string on its left")) return false;
      if (l.value.type() != Type::kString) {
        return Fail(n.offset, who + " looks for " + Described(l.value) +
                                  " in a string, but only a string can be found in a string");
      }
      found = r.value.AsString().find(l.value.AsString()) != std::string::npos;
    } else {
      return Fail(n.offset,
                  who + " needs a list or a string on its right, but found " + Described(r.value));
    }
    out->value = Value::Bool(found == (n.op == Op::kIn));
    return true;
  }

  // `date` moved by `days` (negated for '-'); days must be whole and the result a date.
  bool AddDays(const Node& n, int32_t date, double days, Out* out) {
    const std::string who = Quoted(n.op);
    if (days != std::floor(days)) {
      return Fail(n.offset, who + (n.op == Op::kAdd ? " adds " : " subtracts ") +
                                models::FormatNumber(days) +
                                (n.op == Op::kAdd ? " days to a date" : " days from a date") +
                                ", but the number of days must be whole");
    }
    const double result = static_cast<double>(date) + (n.op == Op::kAdd ? days : -days);
    if (result < kMinDate || result > kMaxDate) {
      return Fail(n.offset, who + " gives a date outside the years 0001 to 9999");
    }
    out->value = Value::Date(static_cast<int32_t>(result));
    return true;
  }

  bool EvalArithmetic(const Node& n, const Out& l, const Out& r, Out* out) {
    const std::string who = Quoted(n.op);
    for (auto [x, y] : {std::pair{&l, &r}, std::pair{&r, &l}}) {
      const bool other_date = y->value.type() == Type::kDate;
      if (RejectNull(*x, n.offset, who,
                     n.op == Op::kSub && other_date ? "a date or a number" : "a number")) {
        return false;
      }
    }
    Value a = l.value, b = r.value;
    if (n.op == Op::kSub && !CoerceDates(&a, &b)) {
      return Fail(n.offset, who + " is applied to " + Described(l.value) + " and " +
                                Described(r.value) + ", but " +
                                (a.type() == Type::kString ? a : b).ToString() +
                                " is not a date written YYYY-MM-DD");
    }
    const Type ta = a.type(), tb = b.type();
    if (ta == Type::kNumber && tb == Type::kNumber) {
      const double x = a.AsNumber(), y = b.AsNumber();
      double v = 0;
      switch (n.op) {
        case Op::kAdd:
          v = x + y;
          break;
        case Op::kSub:
          v = x - y;
          break;
        case Op::kMul:
          v = x * y;
          break;
        default:
          if (y == 0) {
            return Fail(n.offset,
                        who + " divides by zero" + (r.path ? " (" + r.path->name + " is 0)" : ""));
          }
          v = x / y;
          break;
      }
      if (!std::isfinite(v)) {
        return Fail(n.offset, who + " overflows: the result is too large for a number");
      }
      out->value = Value::Number(v);
      return true;
    }
    if (n.op == Op::kAdd && ta == Type::kDate && tb == Type::kNumber) {
      return AddDays(n, a.AsDate(), b.AsNumber(), out);
    }
    if (n.op == Op::kAdd && ta == Type::kNumber && tb == Type::kDate) {
      return AddDays(n, b.AsDate(), a.AsNumber(), out);
    }
    if (n.op == Op::kSub && ta == Type::kDate && tb == Type::kNumber) {
      return AddDays(n, a.AsDate(), b.AsNumber(), out);
    }
    if (n.op == Op::kSub && ta == Type::kDate && tb == Type::kDate) {
      out->value = Value::Number(static_cast<double>(a.AsDate()) - b.AsDate());
      return true;
    }
    const char* needs = n.op == Op::kAdd ? "two numbers, or a date and a number of days"
                        : n.op == Op::kSub
                            ? "two numbers, two dates, or a date and a number of days"
                            : "two numbers";
    return Fail(n.offset, who + " is applied to " + Described(l.value) + " and " +
                              Described(r.value) + ", but needs " + needs);
  }

  bool EvalPresent(const Node& n, Out* out) {
    const std::string& path = n.kids[0]->name;
    std::vector<std::string> keys;
    std::optional<Value> v = ctx_.Lookup(path, &keys);
    bool present = false;
    std::string shown;
    if (v) {
      Record(path, *v, false);
      present = !(v->is_null() || (v->type() == Type::kString && v->AsString().empty()) ||
                  (v->type() == Type::kList && v->AsList().empty()));
      shown = Render(*v);
    } else if (ctx_.IsLevel(path)) {
      std::vector<Value> names;
      for (const std::string& k : keys) names.push_back(Value::String(k));
      Record(path, Value::List(std::move(names)), false);
      present = !keys.empty();
      shown = RenderKeys(keys);
    } else {
      Record(path, Value::Null(), true);
      shown = "missing";
    }
    out->value = Value::Bool(present);
    out->rendered = Compose(n, {shown});
    return true;
  }

  bool EvalCall(const Node& n, Out* out) {
    std::vector<Out> args(n.kids.size());
    std::vector<std::string> texts;
    for (size_t i = 0; i < n.kids.size(); ++i) {
      if (!Eval(*n.kids[i], &args[i])) return false;
      texts.push_back(args[i].rendered);
    }
    out->rendered = Compose(n, texts);
    const std::string who = n.name + "()";
    const Value& a = args[0].value;
    const int at = n.kids[0]->start;
    switch (n.fn) {
      case Fn::kCount:
        if (a.is_null()) {
          out->value = Value::Number(0);
        } else if (a.type() == Type::kList) {
          out->value = Value::Number(static_cast<double>(a.AsList().size()));
        } else {
          return Fail(
              at, "count() needs a list, but found " + Described(a) +
                      (a.type() == Type::kString ? " (len() gives the length of a string)" : ""));
        }
        return true;
      case Fn::kLen:
        if (RejectNull(args[0], at, who, "a string")) return false;
        if (a.type() != Type::kString) {
          return Fail(at,
                      "len() needs a string, but found " + Described(a) +
                          (a.type() == Type::kList ? " (count() gives the length of a list)" : ""));
        }
        out->value = Value::Number(static_cast<double>(CodePoints(a.AsString())));
        return true;
      case Fn::kAbs:
        if (RejectNull(args[0], at, who, "a number")) return false;
        if (a.type() != Type::kNumber) {
          return Fail(at, "abs() needs a number, but found " + Described(a));
        }
        out->value = Value::Number(std::fabs(a.AsNumber()));
        return true;
      case Fn::kAny:
      case Fn::kAll:
        return AnyAll(n, args[0], out);
      case Fn::kMin:
      case Fn::kMax:
        return MinMax(n, args, out);
      case Fn::kDate:
        if (RejectNull(args[0], at, who, "a string written YYYY-MM-DD")) return false;
        if (a.type() == Type::kDate) {
          out->value = a;
        } else if (a.type() == Type::kString) {
          const std::optional<int32_t> d = ParseDate(a.AsString());
          if (!d)
            return Fail(at,
                        "date(): " + a.ToString() + " is not a calendar date written YYYY-MM-DD");
          out->value = Value::Date(*d);
        } else {
          return Fail(at, "date() needs a string written YYYY-MM-DD, but found " + Described(a));
        }
        return true;
      case Fn::kDays: {
        int32_t d[2] = {0, 0};
        for (size_t i = 0; i < 2; ++i) {
          const int arg_at = n.kids[i]->start;
          const Value& v = args[i].value;
          if (RejectNull(args[i], arg_at, who, "a date")) return false;
          if (v.type() == Type::kDate) {
            d[i] = v.AsDate();
          } else if (v.type() == Type::kString && ParseDate(v.AsString())) {
            d[i] = *ParseDate(v.AsString());
          } else if (v.type() == Type::kString) {
            return Fail(arg_at,
                        "days(): " + v.ToString() + " is not a calendar date written YYYY-MM-DD");
          } else {
            return Fail(arg_at, "days() needs two dates, but argument " + std::to_string(i + 1) +
                                    " is " + Described(v));
          }
        }
        out->value = Value::Number(static_cast<double>(d[1]) - d[0]);
        return true;
      }
      case Fn::kPresent:
        break;
    }
    return Fail(n.offset, "internal error: unknown function");
  }

  bool AnyAll(const Node& n, const Out& arg, Out* out) {
    const std::string who = n.name + "()";
    const int at = n.kids[0]->start;
    if (RejectNull(arg, at, who, "a list of booleans")) return false;
    if (arg.value.type() != Type::kList) {
      return Fail(at, who + " needs a list of booleans, but found " + Described(arg.value));
    }
    const bool want_any = n.fn == Fn::kAny;
    bool result = !want_any;
    const std::vector<Value>& items = arg.value.AsList();
    for (size_t i = 0; i < items.size(); ++i) {
      if (items[i].type() != Type::kBool) {
        return Fail(at, who + " needs a list of booleans, but item " + std::to_string(i + 1) +
                            " is " + Described(items[i]));
      }
      if (want_any) result = result || items[i].AsBool();
      if (!want_any) result = result && items[i].AsBool();
    }
    out->value = Value::Bool(result);
    return true;
  }

  bool MinMax(const Node& n, const std::vector<Out>& args, Out* out) {
    const std::string who = n.name + "()";
    const bool want_min = n.fn == Fn::kMin;
    std::optional<Value> best;
    for (size_t i = 0; i < args.size(); ++i) {
      const int at = n.kids[i]->start;
      const Value& v = args[i].value;
      if (RejectNull(args[i], at, who, "a number or a date")) return false;
      const bool is_list = v.type() == Type::kList;
      const std::vector<Value> single = is_list ? std::vector<Value>{} : std::vector<Value>{v};
      for (const Value& item : is_list ? v.AsList() : single) {
        if (item.type() != Type::kNumber && item.type() != Type::kDate) {
          return Fail(at, who + " needs numbers or dates, but argument " + std::to_string(i + 1) +
                              (is_list ? " holds " : " is ") + Described(item));
        }
        if (best && best->type() != item.type()) {
          return Fail(at, who + " is given " + Described(*best) + " and " + Described(item) +
                              ", but needs numbers only or dates only");
        }
        auto key = [](const Value& x) {
          return x.type() == Type::kNumber ? x.AsNumber() : static_cast<double>(x.AsDate());
        };
        if (!best || (want_min ? key(item) < key(*best) : key(item) > key(*best))) best = item;
      }
    }
    if (!best) return Fail(n.offset, who + " has no value to choose from: its lists are empty");
    out->value = std::move(*best);
    return true;
  }

  const Context& ctx_;
};

}  // namespace

std::variant<Evaluation, Error> Expression::Evaluate(const Context& ctx) const {
  Evaluator ev(ctx);
  Out out;
  if (!ev.Eval(*root_, &out)) return ev.error;
  return Evaluation{std::move(out.value), std::move(ev.operands), std::move(out.rendered)};
}

}  // namespace vaglio::engine::expr
