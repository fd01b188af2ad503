#include "engine/load/closed_sets.h"

#include <algorithm>
#include <cstdio>

#include "engine/expr/value.h"
#include "models/text.h"

namespace vaglio::engine {
std::optional<int> ParseIsoDate(std::string_view s) { return expr::ParseDate(s); }

std::string FormatIsoDate(int days) { return expr::FormatDate(days); }

std::optional<int> AddMonths(int days, int months) {
  // Through the text form, so the calendar arithmetic stays in one place (engine/expr).
  const std::string text = expr::FormatDate(days);
  const int m = std::stoi(text.substr(5, 2)), d = std::stoi(text.substr(8, 2));
  // In 64 bits: a month count near INT_MAX must not overflow.
  const long long total = (m - 1) + static_cast<long long>(months);
  const long long y = std::stoll(text.substr(0, 4)) + (total >= 0 ? total / 12 : (total - 11) / 12);
  if (y < 1 || y > 9999) return std::nullopt;
  const int month = static_cast<int>(((total % 12) + 12) % 12) + 1;
  for (int day = d; day >= 28; --day) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", static_cast<int>(y), month, day);
    if (auto parsed = expr::ParseDate(buf)) return parsed;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", static_cast<int>(y), month, d);
  return expr::ParseDate(buf);
}

void FieldChecker::Error(const std::string& path, std::string message) {
  if (diag_->HasErrorAtOrAbove(file_, path)) return;
  diag_->Error(file_, map_.Find(path), path, std::move(message));
}

void FieldChecker::OneOf(const std::string& path, const std::string& value, const std::vector<std::string>& allowed) {
  if (value.empty() || std::find(allowed.begin(), allowed.end(), value) != allowed.end()) return;
  Error(path, "found '" + value + "', but must be one of " + models::QuotedList(allowed) +
                  models::DidYouMeanSuffix(value, allowed));
}

void FieldChecker::Date(const std::string& path, const std::string& value) {
  if (value.empty() || ParseIsoDate(value)) return;
  Error(path, "found '" + value + "', but must be a calendar date written YYYY-MM-DD");
}

void FieldChecker::Format(const std::string& format, const std::string& expected, const std::string& what) {
  if (format.empty() || format == expected) return;
  const std::string kind = expected.substr(0, expected.find('/'));
  if (format.rfind("vaglio.", 0) == 0 && format.substr(0, format.find('/')) != kind) {
    Error("format", "found '" + format + "', but " + what + " (format: " + expected + ") is expected here");
  } else {
    Error("format", "found '" + format + "', but this version of Vaglio reads " + expected);
  }
}

}  // namespace vaglio::engine
