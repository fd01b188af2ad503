// End to end: the vaglio binary on the examples, against published values.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "tests/test_util.h"

using vaglio::testing::Near;
using vaglio::testing::RunVaglio;

TEST_CASE("THR reproduces Briggs et al. (2006) to 1e-9", "[cli][reference][thr]") {
  auto r = RunVaglio({"run", "examples/thr/thr.model.yaml", "--format", "json"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  auto j = nlohmann::json::parse(r.out);
  const auto& s = j["strategies"];
  REQUIRE(s[0]["name"] == "standard");
  REQUIRE(s[1]["name"] == "np1");
  // shared/reference/thr/README.md, published deterministic results per patient.
  CHECK(Near(s[0]["cost"].get<double>(), 512.4346583, 1e-9));
  CHECK(Near(s[0]["effect"].get<double>(), 14.65318961, 1e-9));
  CHECK(Near(s[1]["cost"].get<double>(), 610.3118178, 1e-9));
  CHECK(Near(s[1]["effect"].get<double>(), 14.69770986, 1e-9));
  const auto& inc = j["incremental"][1];
  CHECK(inc["strategy"] == "np1");
  CHECK(inc["comparator"] == "standard");
  CHECK(Near(inc["delta_cost"].get<double>(), 97.87715941, 1e-9));
  CHECK(Near(inc["delta_effect"].get<double>(), 0.04452024248, 1e-9));
  CHECK(Near(inc["icer"].get<double>(), 2198.486665, 1e-9));
  CHECK(inc["status"] == "frontier");
  CHECK(j["settings"]["counting"] == "end");
  CHECK(j["settings"]["increments"] == "strategy - comparator");
}

TEST_CASE("exit code 2 and a message for a file that does not exist", "[cli][errors]") {
  auto r = RunVaglio({"run", "no/such.yaml"});
  CHECK(r.exit_code == 2);
  CHECK(r.err ==
        "no/such.yaml: cannot read the model file: No such file or directory\n"
        "vaglio: error: 1 problem in no/such.yaml; nothing was run\n");
  CHECK(r.out.empty());
}

TEST_CASE("exit code 2 for a bad command line", "[cli][errors]") {
  CHECK(RunVaglio({"run"}).exit_code == 2);
  CHECK(RunVaglio({"frobnicate"}).exit_code == 2);
  CHECK(RunVaglio({"run", "examples/thr/thr.model.yaml", "--wtp", "abc"}).exit_code == 2);
}

TEST_CASE("the JSON names every input file with its hash", "[cli]") {
  auto r = RunVaglio({"run", "examples/thr/thr.model.yaml", "--format", "json"});
  REQUIRE(r.exit_code == 0);
  auto j = nlohmann::json::parse(r.out)["model"];
  REQUIRE(j["inputs"].size() == 2);
  CHECK(j["inputs"][0]["file"] == "examples/thr/thr.model.yaml");
  CHECK(j["inputs"][0]["sha256"] == j["sha256"]);
  CHECK(j["inputs"][1]["file"] == "examples/thr/life_table.csv");
  // sha256 of the life table as committed (computed with sha256sum).
  CHECK(j["inputs"][1]["sha256"] == "05fa958608576a0e1fcfd0e91e7697facfc2b97ac06896462a1a7b3f09dc8d03");
}
