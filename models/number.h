#ifndef VAGLIO_MODELS_NUMBER_H_
#define VAGLIO_MODELS_NUMBER_H_

#include <optional>
#include <string_view>

namespace vaglio::models {

/// The number `text` spells when it is a plain decimal literal ("0.02", "-1.5e-3", " 60 "),
/// surrounding spaces allowed; nothing otherwise (formulas, "inf", "nan", "0x10").
std::optional<double> ParseNumber(std::string_view text);

/// `text` without leading and trailing white space.
std::string_view Trim(std::string_view text);

}  // namespace vaglio::models

#endif  // VAGLIO_MODELS_NUMBER_H_
