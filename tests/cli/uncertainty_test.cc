// PSA end to end: the THR reference draws (shared/reference/thr/psa_draws_N1000.csv, copied
// to tests/data/reference/thr), own sampling against the published Monte Carlo values,
// and byte-identical output on any thread count.
#include <catch2/catch.hpp>

#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "engine/load/csv.h"
#include "tests/test_util.h"

using vaglio::testing::Near;
using vaglio::testing::RunVaglio;

namespace {

vaglio::engine::CsvTable ReadCsv(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  vaglio::engine::Diagnostics diag;
  auto t = vaglio::engine::ParseCsv(ss.str(), path, &diag);
  REQUIRE(!diag.has_errors());
  return t;
}

size_t Column(const vaglio::engine::CsvTable& t, const std::string& name) {
  for (size_t c = 0; c < t.header.size(); ++c) {
    if (t.header[c] == name) return c;
  }
  FAIL("no column " << name);
  return 0;
}

}  // namespace

TEST_CASE("the THR reference draws give the reference per-draw results and summaries", "[cli][psa][reference]") {
  const vaglio::testing::TempDir dir("draws");
  auto r = RunVaglio({"run", "examples/thr/thr.model.yaml", "--draws", "tests/data/reference/thr/psa_draws_N1000.csv",
                      "--export-draws", dir.path(), "--wtp", "2000,2200,5000,10000", "--format", "json"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const auto ref = ReadCsv(vaglio::testing::SourcePath("tests/data/reference/thr/psa_draws_N1000.csv"));
  const auto costs = ReadCsv(dir / "costs.csv");
  const auto effects = ReadCsv(dir / "effects.csv");
  const auto params = ReadCsv(dir / "parameters.csv");
  REQUIRE(costs.rows.size() == 1000);
  REQUIRE(params.header.size() == 12);
  for (size_t i = 0; i < 1000; ++i) {
    INFO("draw " << i + 1);
    CHECK(Near(std::stod(costs.rows[i][0]), std::stod(ref.rows[i][Column(ref, "cost_standard")]), 1e-10));
    CHECK(Near(std::stod(costs.rows[i][1]), std::stod(ref.rows[i][Column(ref, "cost_np1")]), 1e-10));
    CHECK(Near(std::stod(effects.rows[i][0]), std::stod(ref.rows[i][Column(ref, "qaly_standard")]), 1e-10));
    CHECK(Near(std::stod(effects.rows[i][1]), std::stod(ref.rows[i][Column(ref, "qaly_np1")]), 1e-10));
    // The exported parameters are the given ones, exactly.
    CHECK(params.rows[i][Column(params, "rrr")] == ref.rows[i][Column(ref, "rrr")].substr(0, params.rows[i][Column(params, "rrr")].size()));
  }
  auto j = nlohmann::json::parse(r.out)["psa"];
  CHECK(j["n"] == 1000);
  CHECK(j["draws_file"] == "tests/data/reference/thr/psa_draws_N1000.csv");
  // README "Exact summaries of these 1,000 draws".
  CHECK(Near(j["strategies"][0]["mean"]["cost"].get<double>(), 516.1589484, 1e-9));
  CHECK(Near(j["strategies"][1]["mean"]["cost"].get<double>(), 613.6596361, 1e-9));
  CHECK(Near(j["strategies"][0]["mean"]["qaly"].get<double>(), 14.63482473, 1e-9));
  CHECK(Near(j["strategies"][1]["mean"]["qaly"].get<double>(), 14.67967822, 1e-9));
  CHECK(j["ceac"][0]["probability"]["np1"] == 0.397);
  CHECK(j["ceac"][2]["probability"]["np1"] == 0.889);
  CHECK(Near(j["evpi"][1]["evpi"].get<double>(), 25.02084757, 1e-9));
  CHECK(Near(j["evpi"][2]["evpi"].get<double>(), 3.950450472, 1e-9));
  CHECK(Near(j["evpi"][3]["evpi"].get<double>(), 0.4127821356, 1e-9));
  CHECK(r.err.find("columns of tests/data/reference/thr/psa_draws_N1000.csv that name no parameter were not used: "
                   "sim, cost_standard, qaly_standard, cost_np1, qaly_np1") != std::string::npos);
}

TEST_CASE("own sampling of THR agrees with the reference implementations within 3 Monte Carlo errors", "[cli][psa][reference]") {
  auto r = RunVaglio({"run", "examples/thr/thr.model.yaml", "--psa", "10000", "--seed", "7", "--wtp", "2000,5000", "--format", "json"});
  REQUIRE(r.exit_code == 0);
  auto j = nlohmann::json::parse(r.out)["psa"];
  const auto& s = j["strategies"];
  const double c0 = s[0]["mean"]["cost"], c1 = s[1]["mean"]["cost"];
  const double q0 = s[0]["mean"]["qaly"], q1 = s[1]["mean"]["qaly"];
  // shared/reference/thr/README.md: values and Monte Carlo standard errors at N = 10,000.
  CHECK(std::fabs(c0 - 515.2) < 3 * 0.44);
  CHECK(std::fabs(q0 - 14.649) < 3 * 0.0056);
  CHECK(std::fabs((c1 - c0) - 98.1) < 3 * 0.35);
  CHECK(std::fabs((q1 - q0) - 0.04447) < 3 * 0.00017);
  // P(cost-effective): binomial standard error sqrt(p(1-p)/N).
  const double p2000 = j["ceac"][0]["probability"]["np1"], p5000 = j["ceac"][1]["probability"]["np1"];
  CHECK(std::fabs(p2000 - 0.394) < 3 * std::sqrt(0.394 * 0.606 / 1e4));
  CHECK(std::fabs(p5000 - 0.896) < 3 * std::sqrt(0.896 * 0.104 / 1e4));
}

TEST_CASE("the same seed gives byte-identical JSON on 1, 2 and 8 threads", "[cli][psa]") {
  std::vector<std::string> args = {"run", "examples/thr/thr.model.yaml", "--psa", "3000", "--seed", "11", "--wtp",
                                   "0:10000:500", "--evppi", "lnrrNP1", "--evppi", "cons,ageC", "--format", "json", "--threads"};
  auto a = args, b = args, c = args;
  a.push_back("1");
  b.push_back("2");
  c.push_back("8");
  const auto r1 = RunVaglio(a), r2 = RunVaglio(b), r8 = RunVaglio(c);
  REQUIRE(r1.exit_code == 0);
  CHECK(r1.out == r2.out);
  CHECK(r1.out == r8.out);
}

TEST_CASE("a draws file missing a sampled parameter is an input error", "[cli][psa][errors]") {
  char path[] = "/tmp/vaglio-bad-draws-XXXXXX";
  const int fd = mkstemp(path);
  REQUIRE(fd >= 0);
  const std::string text = "omrPTHR,rrr\n0.02,0.04\n0.03,0.05\n";
  REQUIRE(write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()));
  close(fd);
  auto r = RunVaglio({"run", "examples/thr/thr.model.yaml", "--draws", path});
  CHECK(r.exit_code == 2);
  CHECK(r.err.find(std::string(path) + ":1:1: parameter 'omrRTHR' has a distribution in the model, but no column in the draws file") !=
        std::string::npos);
  CHECK(r.out.empty());
  unlink(path);
}
