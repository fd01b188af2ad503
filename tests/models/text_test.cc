#include <catch2/catch.hpp>

#include "models/number.h"
#include "models/text.h"

namespace models = vaglio::models;

TEST_CASE("numbers print as the shortest text that reads back the same", "[models][text]") {
  CHECK(models::FormatNumber(0.1) == "0.1");
  CHECK(models::FormatNumber(2198.486665) == "2198.486665");
  CHECK(models::FormatNumber(1e-9) == "1e-09");
  CHECK(models::FormatNumber(1.0 / 0.0) == "inf");
}

TEST_CASE("did-you-mean suggests close names only", "[models][text]") {
  const std::vector<std::string> names = {"horizon", "counting", "cycle"};
  CHECK(models::DidYouMean("horizn", names) == "horizon");
  CHECK(models::DidYouMean("cylce", names) == "cycle");
  CHECK(models::DidYouMean("banana", names).empty());
}

TEST_CASE("number literals are recognised strictly", "[models][text]") {
  CHECK(models::ParseNumber(" 0.02 ") == 0.02);
  CHECK(models::ParseNumber("-1.5e-3") == -1.5e-3);
  CHECK(!models::ParseNumber("inf"));
  CHECK(!models::ParseNumber("0.02 * 2"));
  CHECK(!models::ParseNumber("nan"));
}
