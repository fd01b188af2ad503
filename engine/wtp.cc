#include "engine/wtp.h"

#include <cmath>
#include <sstream>

#include "models/number.h"
#include "models/tolerances.h"

namespace vaglio::engine {

namespace {
constexpr double kMaxGridPoints = 100001;
}

bool ParseWtpList(const std::string& text, std::vector<double>* out, std::string* error) {
  out->clear();
  std::stringstream ss(text);
  std::string item;
  while (std::getline(ss, item, ',')) {
    std::vector<std::string> parts;
    std::stringstream is(item);
    std::string p;
    while (std::getline(is, p, ':')) parts.push_back(p);
    std::vector<double> nums;
    for (const std::string& q : parts) {
      auto v = models::ParseNumber(q);
      if (!v) {
        *error = "'" + q + "' in '" + text + "' is not a number";
        return false;
      }
      nums.push_back(*v);
    }
    if (nums.size() == 1) {
      if (nums[0] < 0) {
        *error = "willingness to pay " + item + " is negative, but must be >= 0";
        return false;
      }
      out->push_back(nums[0]);
    } else if (nums.size() == 3) {
      const double from = nums[0], to = nums[1], step = nums[2];
      if (!(step > 0) || from < 0 || to < from) {
        *error = "grid '" + item + "' must be from:to:step with 0 <= from <= to and step > 0";
        return false;
      }
      const double n = std::floor((to - from) / step + models::kWholeNumberTol);
      if (n + 1 > kMaxGridPoints) {
        *error = "grid '" + item + "' has more than 100001 points";
        return false;
      }
      for (int i = 0; i <= static_cast<int>(n); ++i) out->push_back(from + i * step);
    } else {
      *error = "'" + item + "' is neither a number nor a from:to:step grid";
      return false;
    }
  }
  if (out->empty()) {
    *error = "the list '" + text + "' is empty";
    return false;
  }
  return true;
}

}  // namespace vaglio::engine
