#include "models/expression.h"

#include <muParser.h>

#include <algorithm>
#include <cctype>
#include <cmath>

#include "models/text.h"

namespace vaglio::models {
namespace {

// Functions we define on top of (or instead of) muParser's defaults. Each checks its
// arguments and throws EvalError rather than return a silent NaN.
double Arg(const double* a, int n, int i, double fallback) { return i < n ? a[i] : fallback; }

void CheckArity(const char* name, int n, int lo, int hi) {
  if (n < lo || n > hi) {
    throw EvalError(std::string(name) + ": called with " + std::to_string(n) +
                    " arguments, but takes " + std::to_string(lo) +
                    (lo == hi ? "" : " to " + std::to_string(hi)));
  }
}

double RateToProb(const double* a, int n) {
  CheckArity("rate_to_prob", n, 1, 2);
  const double rate = a[0], t = Arg(a, n, 1, 1.0);
  if (!(rate >= 0)) {
    throw EvalError("rate_to_prob: rate is " + FormatNumber(rate) + ", but must be >= 0");
  }
  if (!(t >= 0)) throw EvalError("rate_to_prob: t is " + FormatNumber(t) + ", but must be >= 0");
  return -std::expm1(-rate * t);
}

double ProbToRate(const double* a, int n) {
  CheckArity("prob_to_rate", n, 1, 2);
  const double p = a[0], t = Arg(a, n, 1, 1.0);
  if (!(p >= 0 && p < 1)) {
    throw EvalError("prob_to_rate: p is " + FormatNumber(p) + ", but must be in [0, 1)");
  }
  if (!(t > 0)) throw EvalError("prob_to_rate: t is " + FormatNumber(t) + ", but must be > 0");
  return -std::log1p(-p) / t;
}

double RescaleProb(double p, double from, double to) {
  if (!(p >= 0 && p <= 1)) {
    throw EvalError("rescale_prob: p is " + FormatNumber(p) + ", but must be in [0, 1]");
  }
  if (!(from > 0 && to >= 0)) {
    throw EvalError("rescale_prob: from and to are " + FormatNumber(from) + " and " +
                    FormatNumber(to) + ", but must be > 0 and >= 0");
  }
  return 1 - std::pow(1 - p, to / from);
}

double Odds(double p) {
  if (!(p >= 0 && p < 1)) throw EvalError("odds: p is " + FormatNumber(p) + ", but must be in [0, 1)");
  return p / (1 - p);
}

double OddsToProb(double o) {
  if (!(o >= 0)) throw EvalError("odds_to_prob: odds is " + FormatNumber(o) + ", but must be >= 0");
  return std::isinf(o) ? 1.0 : o / (1 + o);
}

double NaturalLog(double x) { return std::log(x); }

double TableCall(void* table, const double* a, int n) {
  const auto* t = static_cast<const LookupTable*>(table);
  if (n < 1 || n > 2) {
    throw EvalError(t->name() + ": called with " + std::to_string(n) +
                    " arguments, but takes a key and optionally a column");
  }
  return t->At(a[0], n == 2 ? a[1] : 0.0);
}

const std::vector<std::string>& FunctionNames() {
  static const std::vector<std::string> names = {
      // ours
      "rate_to_prob", "prob_to_rate", "rescale_prob", "odds", "odds_to_prob",
      // muParser's standard set
      "exp", "log", "ln", "log2", "log10", "sqrt", "abs", "sign", "rint", "min", "max", "sum",
      "avg", "sin", "cos", "tan", "asin", "acos", "atan", "sinh", "cosh", "tanh", "asinh",
      "acosh", "atanh",
      // defined here for R users
      "floor", "ceil"};
  return names;
}

double Floor(double x) { return std::floor(x); }
double Ceil(double x) { return std::ceil(x); }

bool IsIdentStart(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; }
bool IsIdentChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

}  // namespace

int SymbolTable::AddVariable(std::string name) {
  const int slot = static_cast<int>(names_.size());
  index_.emplace(name, slot);
  names_.push_back(std::move(name));
  return slot;
}

void SymbolTable::AddTable(const LookupTable* table) { tables_.push_back(table); }

int SymbolTable::Find(std::string_view name) const {
  auto it = index_.find(std::string(name));
  return it == index_.end() ? -1 : it->second;
}

const LookupTable* SymbolTable::FindTable(std::string_view name) const {
  for (const LookupTable* t : tables_) {
    if (t->name() == name) return t;
  }
  return nullptr;
}

bool SymbolTable::IsFunction(std::string_view name) const {
  if (FindTable(name) != nullptr) return true;
  const auto& f = FunctionNames();
  return std::find(f.begin(), f.end(), name) != f.end();
}

std::span<const std::string> BuiltinFunctionNames() { return FunctionNames(); }

FormulaNames ScanFormula(std::string_view text, const SymbolTable& symbols,
                         const std::string& path) {
  FormulaNames out;
  // Parentheses first: muParser reports an unclosed one at the end of the text.
  std::vector<size_t> open;
  for (size_t k = 0; k < text.size(); ++k) {
    if (text[k] == '(') {
      open.push_back(k);
    } else if (text[k] == ')') {
      if (open.empty()) {
        out.issues.push_back({path, "formula error: ')' has no matching '('", static_cast<int>(k)});
        return out;
      }
      open.pop_back();
    }
  }
  if (!open.empty()) {
    out.issues.push_back({path, "formula error: '(' is not closed, but must be closed with ')'",
                          static_cast<int>(open.front())});
    return out;
  }
  // muParser reads a lone '=' (and '+=' ...) as assignment to a variable, which would
  // silently change a parameter for every other formula. Comparisons are == != <= >=.
  for (size_t k = 0; k < text.size(); ++k) {
    if (text[k] != '=') continue;
    const char before = k > 0 ? text[k - 1] : ' ', after = k + 1 < text.size() ? text[k + 1] : ' ';
    if (after == '=') {
      ++k;
      continue;
    }
    if (before == '<' || before == '>' || before == '!') continue;
    const bool compound = before == '+' || before == '-' || before == '*' || before == '/';
    const std::string op = compound ? std::string(1, before) + "=" : "=";
    out.issues.push_back({path, "formula error: '" + op + "' would assign, but formulas cannot change parameters (compare with '==')",
                          static_cast<int>(compound ? k - 1 : k)});
    return out;
  }
  size_t i = 0;
  while (i < text.size()) {
    const char c = text[i];
    if (std::isdigit(static_cast<unsigned char>(c)) || c == '.') {
      // A number: digits and dots, then an optional exponent.
      while (i < text.size() && (std::isdigit(static_cast<unsigned char>(text[i])) || text[i] == '.')) ++i;
      if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
        size_t j = i + 1;
        if (j < text.size() && (text[j] == '+' || text[j] == '-')) ++j;
        if (j < text.size() && std::isdigit(static_cast<unsigned char>(text[j]))) {
          i = j;
          while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) ++i;
        }
      }
      continue;
    }
    if (!IsIdentStart(c)) {
      ++i;
      continue;
    }
    const size_t start = i;
    while (i < text.size() && IsIdentChar(text[i])) ++i;
    const std::string name(text.substr(start, i - start));
    size_t k = i;
    while (k < text.size() && std::isspace(static_cast<unsigned char>(text[k]))) ++k;
    const bool called = k < text.size() && text[k] == '(';
    const int offset = static_cast<int>(start);
    if (called) {
      if (!symbols.IsFunction(name)) {
        std::vector<std::string> fns(FunctionNames().begin(), FunctionNames().end());
        for (const std::string& v : symbols.variables()) fns.push_back(v);
        out.issues.push_back({path, "unknown function '" + name + "'" + DidYouMeanSuffix(name, fns), offset});
      }
      continue;
    }
    const int slot = symbols.Find(name);
    if (slot >= 0) {
      if (std::find(out.slots.begin(), out.slots.end(), slot) == out.slots.end()) {
        out.slots.push_back(slot);
      }
    } else if (symbols.IsFunction(name)) {
      out.issues.push_back({path, "'" + name + "' is a function, but is used without arguments", offset});
    } else {
      out.issues.push_back({path, "unknown name '" + name + "'" + DidYouMeanSuffix(name, symbols.variables()), offset});
    }
  }
  return out;
}

Formula::Formula(Formula&&) noexcept = default;
Formula& Formula::operator=(Formula&&) noexcept = default;
Formula::~Formula() = default;

Result<Formula> Formula::Compile(std::string_view text, const SymbolTable& symbols, double* slots,
                                 const std::string& path) {
  FormulaNames names = ScanFormula(text, symbols, path);
  if (!names.issues.empty()) return Status::FromIssues(std::move(names.issues));
  Formula f;
  f.text_ = std::string(text);
  f.used_ = std::move(names.slots);
  f.parser_ = std::make_unique<mu::Parser>();
  mu::Parser& p = *f.parser_;
  try {
    p.DefineFun("rate_to_prob", RateToProb);
    p.DefineFun("prob_to_rate", ProbToRate);
    p.DefineFun("rescale_prob", RescaleProb);
    p.DefineFun("odds", Odds);
    p.DefineFun("odds_to_prob", OddsToProb);
    p.DefineFun("log", NaturalLog);
    p.DefineFun("floor", Floor);
    p.DefineFun("ceil", Ceil);
    for (int slot : f.used_) {
      p.DefineVar(symbols.variables()[static_cast<size_t>(slot)], slots + slot);
    }
    // Tables the formula calls.
    size_t i = 0;
    while (i < text.size()) {
      if (!IsIdentStart(text[i]) || (i > 0 && IsIdentChar(text[i - 1]))) {
        ++i;
        continue;
      }
      const size_t start = i;
      while (i < text.size() && IsIdentChar(text[i])) ++i;
      if (const LookupTable* t = symbols.FindTable(text.substr(start, i - start))) {
        p.DefineFunUserData(t->name(), TableCall, const_cast<LookupTable*>(t));
      }
    }
    p.SetExpr(f.text_);
    (void)p.GetUsedVar();  // parses now, so syntax errors surface at compile time
  } catch (const EvalError& e) {
    // A function of constants is evaluated while parsing (constant folding).
    return Status::Error(path, e.what());
  } catch (const mu::ParserError& e) {
    std::string msg = e.GetMsg();
    // muParser appends its own positions ("at position 3"); ours go into the column.
    for (const char* tail : {" found at position", " at position", " at expression position"}) {
      const size_t at = msg.find(tail);
      if (at != std::string::npos) msg.erase(at);
    }
    return Status::Error(path, "formula error: " + msg, e.GetPos() >= 0 ? e.GetPos() : -1);
  }
  return f;
}

double Formula::Eval() const {
  try {
    return parser_->Eval();
  } catch (const mu::ParserError& e) {
    throw EvalError("formula error: " + e.GetMsg());
  }
}

}  // namespace vaglio::models
