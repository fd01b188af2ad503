// Loading model files: every problem of a file reported at once, in the standard format,
// checked word for word.
#include <catch2/catch.hpp>

#include "tests/test_util.h"

using vaglio::testing::LoadErrors;

namespace {

const char kGood[] = R"(format: vaglio.model/1
id: t
method: markov_cohort
cycle: {length: 1, unit: year}
horizon: 5
counting: end
discounting: {timing: end}
values:
  cost: {role: cost, discount: 0.03}
  qaly: {role: effect, discount: 0.03}
parameters:
  p: 0.1
states:
  a: {cost: 1, qaly: 1}
  d: {cost: 0, qaly: 0}
transitions:
  a: {d: p, a: rest}
  d: {d: 1}
initial: {a: 1}
strategies:
  s1: {}
)";

std::string Replace(std::string text, const std::string& from, const std::string& to) {
  const size_t at = text.find(from);
  REQUIRE(at != std::string::npos);
  return text.replace(at, from.size(), to);
}

}  // namespace

TEST_CASE("a well-formed model loads without diagnostics", "[engine][loader]") {
  CHECK(LoadErrors(kGood) == "");
}

TEST_CASE("all problems of a file are reported at once, sorted by line", "[engine][loader][errors]") {
  std::string bad = Replace(kGood, "horizon: 5", "horizn: 5");
  bad = Replace(bad, "counting: end", "counting: lifetable");
  CHECK(LoadErrors(bad) ==
        "m.yaml:1:1: horizon: is missing, but is required\n"
        "m.yaml:5:1: horizn: unknown key 'horizn' (did you mean 'horizon'?)\n"
        "m.yaml:6:11: counting: found 'lifetable', but must be one of 'beginning', 'end', 'life_table', "
        "'half_cycle', 'simpson' (did you mean 'life_table'?)\n");
}

TEST_CASE("a misspelt name in a formula is located at its column", "[engine][loader][errors]") {
  CHECK(LoadErrors(Replace(kGood, "a: {d: p, a: rest}", "a: {d: \"2 * pp\", a: rest}")) ==
        "m.yaml:17:15: transitions.a.d: unknown name 'pp' (did you mean 'p'?)\n");
}
