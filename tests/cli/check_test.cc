// `vaglio check MODEL`: validation plus model diagnostics. Findings go to stdout, word for
// word; exit code 0 with warnings only, 3 with an error finding, 2 for an invalid model.
//
// Comments starting "Regression:" say what the engine once printed instead.
#include <catch2/catch.hpp>

#include <string>

#include "tests/test_util.h"

using vaglio::testing::RunVaglio;

namespace {

const char kDir[] = "tests/data/bad/";

std::string Summary(const std::string& file, int errors, int warnings) {
  return "vaglio check: " + file + ": " + std::to_string(errors) +
         (errors == 1 ? " error, " : " errors, ") + std::to_string(warnings) +
         (warnings == 1 ? " warning" : " warnings") + "\n";
}

// The last line of `text` (with its newline).
std::string LastLine(const std::string& text) {
  if (text.size() < 2) return text;
  const size_t at = text.rfind('\n', text.size() - 2);
  return at == std::string::npos ? text : text.substr(at + 1);
}

}  // namespace

TEST_CASE("check: the THR example has no findings and exits 0", "[cli][check][errors]") {
  const std::string f = "examples/thr/thr.model.yaml";
  auto r = RunVaglio({"check", f});
  CHECK(r.exit_code == 0);
  CHECK(r.err.empty());
  CHECK(r.out == Summary(f, 0, 0));
}

TEST_CASE("check: warnings are printed and the exit code stays 0", "[cli][check][errors]") {
  const std::string f = std::string(kDir) + "check_warnings.model.yaml";
  auto r = RunVaglio({"check", f});
  CHECK(r.exit_code == 0);
  CHECK(r.err.empty());
  CHECK(r.out ==
        f + ":14:11: warning: parameters.unused: is never used by any strategy\n" + f +
            ":17:9: warning: states.sick: state 'sick' is never occupied in any strategy\n" + f +
            ":26:13: warning: strategies.new_drug: gives the same values as strategy "
            "'usual_care'; does it miss an override?\n" +
            Summary(f, 0, 3));
}

TEST_CASE("check: a cohort still alive at the horizon is a warning per strategy",
          "[cli][check][errors]") {
  const std::string f = std::string(kDir) + "check_short_horizon.model.yaml";
  auto r = RunVaglio({"check", f});
  CHECK(r.exit_code == 0);
  CHECK(r.err.empty());
  CHECK(r.out ==
        f +
            ":5:10: warning: horizon: 59% of the cohort is not in an absorbing state at the "
            "horizon in strategy 'usual_care'; a lifetime model may need a longer horizon\n" +
            f +
            ":5:10: warning: horizon: 77.4% of the cohort is not in an absorbing state at the "
            "horizon in strategy 'new_drug'; a lifetime model may need a longer horizon\n" +
            Summary(f, 0, 2));
}

TEST_CASE("check: a model whose effect values are all 0 fails with exit code 3",
          "[cli][check][errors]") {
  const std::string f = std::string(kDir) + "check_no_effect.model.yaml";
  auto r = RunVaglio({"check", f});
  CHECK(r.exit_code == 3);
  CHECK(r.err.empty());
  CHECK_THAT(r.out, Catch::Matchers::Contains(
                        "no strategy accrues any effect: every effect value is 0\n"));
  CHECK(LastLine(r.out) == Summary(f, 1, 0));
}

TEST_CASE("check: an error finding has 'error:' where a warning has 'warning:'",
          "[cli][check][errors]") {
  // Regression: once "...:9:3: values: error: no strategy ...", after the key path, where warnings put
  // "warning:" before it.
  const std::string f = std::string(kDir) + "check_no_effect.model.yaml";
  auto r = RunVaglio({"check", f});
  CHECK(r.out ==
        f + ":9:3: error: values: no strategy accrues any effect: every effect value is 0\n" +
            Summary(f, 1, 0));
}

TEST_CASE("check: a base value outside its beta's support fails with exit code 3",
          "[cli][check][errors]") {
  const std::string f = std::string(kDir) + "check_beta_support.model.yaml";
  auto r = RunVaglio({"check", f});
  CHECK(r.exit_code == 3);
  CHECK(r.err.empty());
  CHECK_THAT(r.out, Catch::Matchers::Contains(
                        "base value 1.2 is outside the support of beta(alpha=8, beta=2)\n"));
  CHECK(LastLine(r.out) == Summary(f, 1, 0));
}

TEST_CASE("check: the finding for a base value outside the support is one line",
          "[cli][check][errors]") {
  // Regression: once "...:13:11: parameters.u_well: error: base value 1.2 ..." ('error:' after the path).
  const std::string f = std::string(kDir) + "check_beta_support.model.yaml";
  auto r = RunVaglio({"check", f});
  CHECK(r.out == f +
                     ":13:11: error: parameters.u_well: base value 1.2 is outside the support of "
                     "beta(alpha=8, beta=2)\n" +
                     Summary(f, 1, 0));
}

TEST_CASE("check: a base value far in its distribution's tail is a warning",
          "[cli][check][errors]") {
  const std::string f = std::string(kDir) + "check_far_tail.model.yaml";
  auto r = RunVaglio({"check", f});
  CHECK(r.exit_code == 0);
  CHECK(r.err.empty());
  CHECK(LastLine(r.out) == Summary(f, 0, 1));
}

TEST_CASE("check: the far-tail warning prints its range with few digits",
          "[cli][check][errors]") {
  // Regression: once "[1.0106012909498734e-05, 0.06739665311678011]".
  const std::string f = std::string(kDir) + "check_far_tail.model.yaml";
  auto r = RunVaglio({"check", f});
  CHECK(r.out == f +
                     ":12:10: warning: parameters.p_die: base value 0.5 is in the far tail of "
                     "beta(alpha=1, beta=99) (outside its 0.1%-99.9% range [1.011e-05, 0.0674]); "
                     "is the distribution meant for this parameter?\n" +
                     Summary(f, 0, 1));
}

TEST_CASE("check: an invalid model is exit code 2 with the problems on stderr",
          "[cli][check][errors]") {
  const std::string f = std::string(kDir) + "unknown_key.model.yaml";
  auto r = RunVaglio({"check", f});
  CHECK(r.exit_code == 2);
  CHECK(r.out.empty());
  CHECK(r.err == f +
                     ":12:23: parameters.p_die.sorce: unknown key 'sorce' (did you mean "
                     "'source'?)\n"
                     "vaglio: error: 1 problem in " +
                     f + "; nothing was run\n");
}

TEST_CASE("check: a model that fails while running fails check as it fails run",
          "[cli][check][errors]") {
  // Regression: once exit code 0 and "0 errors, 0 warnings", while `vaglio run` rejects the model.
  const std::string f = std::string(kDir) + "probability_above_one.model.yaml";
  auto r = RunVaglio({"check", f});
  CHECK(r.exit_code == 2);
  CHECK(r.out.empty());
  CHECK(r.err == f +
                     ":18:16: transitions.well.dead: is 1.1 at cycle 11, but must be a "
                     "probability in [0, 1]\n"
                     "vaglio: error: 1 problem in " +
                     f + "; nothing was run\n");
}
