#include <catch2/catch.hpp>

#include <cmath>

#include "models/expression.h"
#include "tests/test_util.h"

using vaglio::testing::Near;
namespace models = vaglio::models;

namespace {

struct Env {
  models::SymbolTable symbols;
  std::vector<double> slots;
  Env() {
    symbols.AddVariable("x");
    symbols.AddVariable("omr_primary");
    slots = {0.3, 0.02};
  }
  double Eval(const std::string& text) {
    auto f = models::Formula::Compile(text, symbols, slots.data(), "p");
    INFO(text << (f.ok() ? "" : " -> " + f.status().issues()[0].message));
    REQUIRE(f.ok());
    return f.value().Eval();
  }
  models::Issue Error(const std::string& text) {
    auto f = models::Formula::Compile(text, symbols, slots.data(), "p");
    REQUIRE(!f.ok());
    return f.status().issues()[0];
  }
};

}  // namespace

TEST_CASE("built-in functions compute what docs/model-format.md says", "[models][expression]") {
  Env e;
  CHECK(e.Eval("log(exp(2))") == 2.0);  // natural logarithm, as in R
  CHECK(Near(e.Eval("rate_to_prob(0.1)"), 1 - std::exp(-0.1), 1e-15));
  CHECK(Near(e.Eval("rate_to_prob(0.1, 0.5)"), 1 - std::exp(-0.05), 1e-15));
  CHECK(Near(e.Eval("prob_to_rate(rate_to_prob(0.2, 2), 2)"), 0.2, 1e-14));
  CHECK(Near(e.Eval("rescale_prob(0.2, 1, 12)"), 1 - std::pow(0.8, 12), 1e-15));
  CHECK(Near(e.Eval("odds(0.2)"), 0.25, 1e-15));
  CHECK(Near(e.Eval("odds_to_prob(0.25)"), 0.2, 1e-15));
  CHECK(e.Eval("min(3, x, 2)") == 0.3);
  CHECK(e.Eval("x > 0.2 ? 1 : 0") == 1.0);
  CHECK(e.Eval("-2^2") == -4.0);  // power binds tighter than the sign, as in R
  CHECK(e.Eval("2^3^2") == 512.0);
  CHECK(e.Eval("floor(2.7) + ceil(2.2)") == 5.0);
}

TEST_CASE("unknown names and functions are located inside the formula", "[models][expression][errors]") {
  Env e;
  models::Issue i = e.Error("1 - omr_primry");
  CHECK(i.message == "unknown name 'omr_primry' (did you mean 'omr_primary'?)");
  CHECK(i.offset == 4);
  i = e.Error("exq(x)");
  CHECK(i.message == "unknown function 'exq' (did you mean 'exp'?)");
  CHECK(i.offset == 0);
  i = e.Error("x +* 2");
  CHECK(i.message == "formula error: Unexpected operator \"*\"");
  CHECK(i.offset == 3);
  i = e.Error("exp + 1");
  CHECK(i.message == "'exp' is a function, but is used without arguments");
}

TEST_CASE("functions refuse arguments outside their domain instead of returning NaN", "[models][expression][errors]") {
  Env e;
  auto f = models::Formula::Compile("prob_to_rate(1.5)", e.symbols, e.slots.data(), "p");
  REQUIRE(f.ok());
  CHECK_THROWS_WITH(f.value().Eval(), "prob_to_rate: p is 1.5, but must be in [0, 1)");
  auto g = models::Formula::Compile("rate_to_prob(-x)", e.symbols, e.slots.data(), "p");
  REQUIRE(g.ok());
  CHECK_THROWS_WITH(g.value().Eval(), "rate_to_prob: rate is -0.3, but must be >= 0");
}
