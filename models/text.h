#ifndef VAGLIO_MODELS_TEXT_H_
#define VAGLIO_MODELS_TEXT_H_

#include <span>
#include <string>
#include <string_view>

/// Small text helpers shared by every layer: number formatting for messages and
/// "did you mean" suggestions.
namespace vaglio::models {

/// The shortest decimal text that reads back as the same double ("0.1", "1e-09", "2198.4866").
/// Infinite and NaN values print as "inf", "-inf" and "nan".
std::string FormatNumber(double v);

/// A computed number for a message, to 15 significant digits, so that round-off does not
/// show: 0.4 * 0.4 prints as "0.16", not "0.16000000000000003".
std::string FormatComputed(double v);

/// The candidate closest to `word` by edit distance (Damerau–Levenshtein, case-insensitive)
/// when it is close enough to be a plausible misspelling (distance <= max(1, len/3));
/// otherwise empty.
std::string DidYouMean(std::string_view word, std::span<const std::string> candidates);

/// " (did you mean 'x'?)" or "" — ready to append to a message.
std::string DidYouMeanSuffix(std::string_view word, std::span<const std::string> candidates);

/// Joins with ", " and quotes each item: 'a', 'b', 'c'.
std::string QuotedList(std::span<const std::string> items);

/// True for a name usable in formulas: [A-Za-z_][A-Za-z0-9_]*.
bool IsIdentifier(std::string_view s);

}  // namespace vaglio::models

#endif  // VAGLIO_MODELS_TEXT_H_
