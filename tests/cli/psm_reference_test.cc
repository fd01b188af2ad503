// The pacheck mock partitioned survival model (Pouwels et al., Value Health 2024;
// GitHub Xa4P/pacheck, data-raw/df_pa_psm.csv at 91ec0392): iteration 1 as the example's
// base case, and 31 published iterations through --draws, to 1e-9 relative.
#include <catch2/catch.hpp>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "engine/load/csv.h"
#include "tests/test_util.h"

using vaglio::testing::Near;
using vaglio::testing::RunVaglio;

namespace {

vaglio::engine::CsvTable Read(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  vaglio::engine::Diagnostics diag;
  auto t = vaglio::engine::ParseCsv(ss.str(), path, &diag);
  REQUIRE(!diag.has_errors());
  return t;
}

size_t Col(const vaglio::engine::CsvTable& t, const std::string& name) {
  for (size_t c = 0; c < t.header.size(); ++c) {
    if (t.header[c] == name) return c;
  }
  FAIL("no column " << name);
  return 0;
}

}  // namespace

TEST_CASE("the pacheck model's base case reproduces the 29 published outputs of iteration 1", "[cli][reference][psm]") {
  auto r = RunVaglio({"run", "examples/psm/pacheck.model.yaml", "--format", "json"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  auto j = nlohmann::json::parse(r.out);
  auto ref = Read(vaglio::testing::SourcePath("tests/data/reference/pacheck/pacheck_df_pa_psm_sample.csv"));
  const auto& row = ref.rows[0];
  REQUIRE(row[0] == "1");
  auto v = [&](const char* col) { return std::stod(row[Col(ref, col)]); };
  const auto& comp = j["strategies"][0];
  const auto& intv = j["strategies"][1];
  CHECK(Near(comp["values"]["cost"].get<double>(), v("t_costs_d_comp"), 1e-9));
  CHECK(Near(intv["values"]["cost"].get<double>(), v("t_costs_d_int"), 1e-9));
  CHECK(Near(comp["undiscounted"]["cost"].get<double>(), v("t_costs_comp"), 1e-9));
  CHECK(Near(intv["undiscounted"]["cost"].get<double>(), v("t_costs_int"), 1e-9));
  CHECK(Near(comp["values"]["qaly"].get<double>(), v("t_qaly_d_comp"), 1e-9));
  CHECK(Near(intv["values"]["qaly"].get<double>(), v("t_qaly_d_int"), 1e-9));
  CHECK(Near(comp["undiscounted"]["qaly"].get<double>(), v("t_qaly_comp"), 1e-9));
  CHECK(Near(intv["undiscounted"]["qaly"].get<double>(), v("t_qaly_int"), 1e-9));
  CHECK(Near(comp["values"]["ly"].get<double>(), v("t_ly_d_comp"), 1e-9));
  CHECK(Near(intv["values"]["ly"].get<double>(), v("t_ly_d_int"), 1e-9));
  CHECK(Near(comp["undiscounted"]["ly"].get<double>(), v("t_ly_comp"), 1e-9));
  CHECK(Near(intv["undiscounted"]["ly"].get<double>(), v("t_ly_int"), 1e-9));
  CHECK(Near(comp["values"]["ly_pf"].get<double>(), v("t_ly_pfs_d_comp"), 1e-9));
  CHECK(Near(intv["values"]["ly_pf"].get<double>(), v("t_ly_pfs_d_int"), 1e-9));
  const auto& inc = j["incremental"][1];
  CHECK(Near(inc["delta_cost"].get<double>(), v("inc_costs"), 1e-9));
  CHECK(Near(inc["delta_effect"].get<double>(), v("inc_qaly"), 1e-9));
  CHECK(j["crossing"]["policy"] == "clamp");
}

TEST_CASE("31 published pacheck iterations reproduce through --draws", "[cli][reference][psm][psa]") {
  const vaglio::testing::TempDir dir("pacheck");
  const std::string draws = "tests/data/reference/pacheck/pacheck_df_pa_psm_sample.csv";
  auto r = RunVaglio({"run", "examples/psm/pacheck.model.yaml", "--draws", draws, "--export-draws", dir.path(), "--quiet"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  auto ref = Read(vaglio::testing::SourcePath(draws));
  auto costs = Read(dir / "costs.csv"), effects = Read(dir / "effects.csv");
  REQUIRE(costs.rows.size() == 31);
  for (size_t i = 0; i < 31; ++i) {
    INFO("iteration " << ref.rows[i][0]);
    CHECK(Near(std::stod(costs.rows[i][0]), std::stod(ref.rows[i][Col(ref, "t_costs_d_comp")]), 1e-9));
    CHECK(Near(std::stod(costs.rows[i][1]), std::stod(ref.rows[i][Col(ref, "t_costs_d_int")]), 1e-9));
    CHECK(Near(std::stod(effects.rows[i][0]), std::stod(ref.rows[i][Col(ref, "t_qaly_d_comp")]), 1e-9));
    CHECK(Near(std::stod(effects.rows[i][1]), std::stod(ref.rows[i][Col(ref, "t_qaly_d_int")]), 1e-9));
  }
}
