#include "engine/expr/value.h"

#include <cstdio>
#include <stdexcept>
#include <utility>

#include "models/text.h"

namespace vaglio::engine::expr {

namespace {

void Require(bool ok, Value::Type want, Value::Type got) {
  if (!ok) {
    throw std::logic_error("Value: asked for a " + std::string(Value::TypeName(want)) +
                           ", but the value is a " + std::string(Value::TypeName(got)));
  }
}

bool IsLeap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int DaysInMonth(int y, int m) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && IsLeap(y) ? 29 : kDays[m - 1];
}

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant, "chrono-compatible
// low-level date algorithms", days_from_civil).
int32_t DaysFromCivil(int y, int m, int d) {
  y -= m <= 2 ? 1 : 0;
  const int era = (y >= 0 ? y : y - 399) / 400;
  const int yoe = y - era * 400;
  const int doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

// The inverse of DaysFromCivil (civil_from_days).
void CivilFromDays(int32_t z, int* y, int* m, int* d) {
  z += 719468;
  const int era = (z >= 0 ? z : z - 146096) / 146097;
  const int doe = z - era * 146097;
  const int yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int mp = (5 * doy + 2) / 153;
  *d = doy - (153 * mp + 2) / 5 + 1;
  *m = mp < 10 ? mp + 3 : mp - 9;
  *y = yoe + era * 400 + (*m <= 2 ? 1 : 0);
}

std::string Quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'' || c == '\\') out += '\\';
    out += c;
  }
  return out + "'";
}

}  // namespace

Value Value::Null() { return Value(); }

Value Value::Bool(bool b) {
  Value v;
  v.type_ = Type::kBool;
  v.bool_ = b;
  return v;
}

Value Value::Number(double x) {
  Value v;
  v.type_ = Type::kNumber;
  v.number_ = x;
  return v;
}

Value Value::String(std::string s) {
  Value v;
  v.type_ = Type::kString;
  v.string_ = std::move(s);
  return v;
}

Value Value::Date(int32_t days_since_1970_01_01) {
  Value v;
  v.type_ = Type::kDate;
  v.date_ = days_since_1970_01_01;
  return v;
}

Value Value::List(std::vector<Value> items) {
  Value v;
  v.type_ = Type::kList;
  v.list_ = std::move(items);
  return v;
}

bool Value::AsBool() const {
  Require(type_ == Type::kBool, Type::kBool, type_);
  return bool_;
}

double Value::AsNumber() const {
  Require(type_ == Type::kNumber, Type::kNumber, type_);
  return number_;
}

const std::string& Value::AsString() const {
  Require(type_ == Type::kString, Type::kString, type_);
  return string_;
}

int32_t Value::AsDate() const {
  Require(type_ == Type::kDate, Type::kDate, type_);
  return date_;
}

const std::vector<Value>& Value::AsList() const {
  Require(type_ == Type::kList, Type::kList, type_);
  return list_;
}

std::string Value::ToString() const {
  switch (type_) {
    case Type::kNull:
      return "null";
    case Type::kBool:
      return bool_ ? "true" : "false";
    case Type::kNumber:
      return models::FormatNumber(number_);
    case Type::kString:
      return Quote(string_);
    case Type::kDate:
      return FormatDate(date_);
    case Type::kList: {
      std::string out = "[";
      for (size_t i = 0; i < list_.size(); ++i) {
        if (i > 0) out += ", ";
        out += list_[i].ToString();
      }
      return out + "]";
    }
  }
  return "?";
}

std::string_view Value::TypeName(Type t) {
  switch (t) {
    case Type::kNull:
      return "null";
    case Type::kBool:
      return "boolean";
    case Type::kNumber:
      return "number";
    case Type::kString:
      return "string";
    case Type::kDate:
      return "date";
    case Type::kList:
      return "list";
  }
  return "?";
}

std::string Value::Described(Type t) {
  if (t == Type::kNull) return "null";
  return "a " + std::string(TypeName(t));
}

bool operator==(const Value& a, const Value& b) {
  if (a.type_ != b.type_) return false;
  switch (a.type_) {
    case Value::Type::kNull:
      return true;
    case Value::Type::kBool:
      return a.bool_ == b.bool_;
    case Value::Type::kNumber:
      return a.number_ == b.number_;
    case Value::Type::kString:
      return a.string_ == b.string_;
    case Value::Type::kDate:
      return a.date_ == b.date_;
    case Value::Type::kList:
      return a.list_ == b.list_;
  }
  return false;
}

std::optional<int32_t> ParseDate(std::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  auto digits = [&](size_t from, size_t n, int* out) {
    int v = 0;
    for (size_t i = from; i < from + n; ++i) {
      if (text[i] < '0' || text[i] > '9') return false;
      v = v * 10 + (text[i] - '0');
    }
    *out = v;
    return true;
  };
  int y = 0, m = 0, d = 0;
  if (!digits(0, 4, &y) || !digits(5, 2, &m) || !digits(8, 2, &d)) return std::nullopt;
  if (y < 1 || m < 1 || m > 12 || d < 1 || d > DaysInMonth(y, m)) return std::nullopt;
  return DaysFromCivil(y, m, d);
}

std::string FormatDate(int32_t days) {
  if (days < kMinDate || days > kMaxDate) {
    throw std::logic_error("FormatDate: day " + std::to_string(days) +
                           " is outside years 0001 to 9999");
  }
  int y = 0, m = 0, d = 0;
  CivilFromDays(days, &y, &m, &d);
  char buf[40];  // room for any int, though y, m and d are 4, 2 and 2 digits here
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", y, m, d);
  return buf;
}

}  // namespace vaglio::engine::expr
