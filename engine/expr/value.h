#ifndef VAGLIO_ENGINE_EXPR_VALUE_H_
#define VAGLIO_ENGINE_EXPR_VALUE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

/// The values of the criteria-set expression language (docs/expressions.md): what gates and
/// decision rules compute with and what the audit record shows.
namespace vaglio::engine::expr {

/// One value: null, a boolean, a number (double), a string, a date (a calendar day, held
/// as days since 1970-01-01) or a list of values. Immutable once made.
class Value {
 public:
  enum class Type { kNull, kBool, kNumber, kString, kDate, kList };

  Value() = default;  // null
  static Value Null();
  static Value Bool(bool b);
  static Value Number(double v);
  static Value String(std::string s);
  static Value Date(int32_t days_since_1970_01_01);
  static Value List(std::vector<Value> items);

  Type type() const { return type_; }
  bool is_null() const { return type_ == Type::kNull; }
  /// The content. Each REQUIRES the matching type (throws std::logic_error otherwise).
  bool AsBool() const;
  double AsNumber() const;
  const std::string& AsString() const;
  int32_t AsDate() const;
  const std::vector<Value>& AsList() const;

  /// How the value reads in messages and renderings: 'III' (strings single-quoted, with
  /// \' and \\ escaped), 70, 0.5, true, null, 2026-11-22, [1, 2]. Numbers are the shortest
  /// text that reads back as the same double.
  std::string ToString() const;

  /// "null", "boolean", "number", "string", "date", "list".
  static std::string_view TypeName(Type t);
  /// The type with an article, for messages: "null", "a boolean", "a number", "an ...".
  static std::string Described(Type t);

  /// Same type and same content (numbers exactly, lists element by element). This is
  /// identity, not the language's '==' (which also compares dates with ISO date strings).
  friend bool operator==(const Value& a, const Value& b);

 private:
  Type type_ = Type::kNull;
  bool bool_ = false;
  double number_ = 0;
  int32_t date_ = 0;
  std::string string_;
  std::vector<Value> list_;
};

/// Parses "YYYY-MM-DD" (exactly ten characters, a real day of the proleptic Gregorian
/// calendar, years 0001 to 9999) into days since 1970-01-01; nothing otherwise
/// ("2026-02-30", "2026-2-3", "2026-11-22T10:00").
std::optional<int32_t> ParseDate(std::string_view text);

/// "YYYY-MM-DD" for days since 1970-01-01. REQUIRES: the day is in years 0001 to 9999
/// (kMinDate..kMaxDate).
std::string FormatDate(int32_t days);

/// The first and last day a date may be: 0001-01-01 and 9999-12-31.
inline constexpr int32_t kMinDate = -719162;
inline constexpr int32_t kMaxDate = 2932896;

}  // namespace vaglio::engine::expr

#endif  // VAGLIO_ENGINE_EXPR_VALUE_H_
