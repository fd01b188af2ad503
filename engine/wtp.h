#ifndef VAGLIO_ENGINE_WTP_H_
#define VAGLIO_ENGINE_WTP_H_

#include <string>
#include <vector>

namespace vaglio::engine {

/// Parses a willingness-to-pay list: "20000,30000" or a grid "0:50000:100" (from:to:step,
/// both ends included when the step lands on them), or a mix "0:10000:5000,25000".
/// Returns false with `*error` set on malformed text, a step <= 0, a negative value or a
/// grid of more than 100001 points.
bool ParseWtpList(const std::string& text, std::vector<double>* out, std::string* error);

}  // namespace vaglio::engine

#endif  // VAGLIO_ENGINE_WTP_H_
