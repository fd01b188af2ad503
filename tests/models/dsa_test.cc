// DSA and threshold search on the THR model against independent computations: the
// model re-run with a parameter's value changed in the file, and the closed form of a
// threshold on a one-off price.
#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

#include "models/dsa.h"
#include "tests/test_util.h"

using vaglio::testing::LoadModelText;
using vaglio::testing::Near;
using vaglio::testing::SourcePath;
namespace models = vaglio::models;

namespace {

std::string ThrText() {
  std::ifstream in(SourcePath("examples/thr/thr.model.yaml"));
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The THR model with `from` replaced by `to` in its text, loaded from memory (the life
// table file is added next to it).
models::Outcome BaseCaseOf(std::string text) {
  vaglio::engine::MemoryFileSystem fs;
  std::ifstream lt(SourcePath("examples/thr/life_table.csv"));
  std::stringstream ss;
  ss << lt.rdbuf();
  fs.Add("life_table.csv", ss.str());
  fs.Add("thr.yaml", text);
  vaglio::engine::Diagnostics diag;
  auto m = vaglio::engine::LoadModel(fs, "thr.yaml", &diag);
  INFO(diag.Format());
  REQUIRE(m);
  auto ev = m->model->NewEvaluator({});
  models::Outcome o;
  REQUIRE(ev.value()->Evaluate({}, &o).ok());
  return o;
}

std::string Replace(std::string text, const std::string& from, const std::string& to) {
  const size_t at = text.find(from);
  REQUIRE(at != std::string::npos);
  return text.replace(at, from.size(), to);
}

vaglio::engine::LoadedModel Thr() {
  vaglio::engine::DiskFileSystem fs;
  vaglio::engine::Diagnostics diag;
  auto m = vaglio::engine::LoadModel(fs, SourcePath("examples/thr/thr.model.yaml"), &diag);
  REQUIRE(m);
  return std::move(*m);
}

}  // namespace

TEST_CASE("one-way ranges come from the 2.5% and 97.5% quantiles when none is declared", "[models][dsa]") {
  auto m = Thr();
  const auto ranges = models::OneWayRanges(m.model->info());
  const auto& info = m.model->info();
  bool seen = false;
  for (const auto& r : ranges) {
    if (info.inputs[static_cast<size_t>(r.input)].name != "rrr") continue;
    seen = true;
    CHECK(!r.declared);
    CHECK(r.low == info.inputs[static_cast<size_t>(r.input)].dist->Quantile(0.025));
    CHECK(r.high == info.inputs[static_cast<size_t>(r.input)].dist->Quantile(0.975));
  }
  CHECK(seen);
}

TEST_CASE("a one-way point equals the base case of the model with that value written in", "[models][dsa]") {
  auto m = Thr();
  const auto& info = m.model->info();
  std::vector<models::DsaRange> ranges;
  for (const auto& r : models::OneWayRanges(info)) {
    if (info.inputs[static_cast<size_t>(r.input)].name == "c_revision") ranges.push_back(r);
  }
  REQUIRE(ranges.size() == 1);
  ranges[0].low = 4000;  // round numbers, so the edited file says exactly the same
  ranges[0].high = 7000;
  auto ow = models::RunOneWay(*m.model, ranges);
  REQUIRE(ow.ok());
  const std::string text = ThrText();
  const models::Outcome lo = BaseCaseOf(Replace(text, "    value: 5294", "    value: 4000"));
  const models::Outcome hi = BaseCaseOf(Replace(text, "    value: 5294", "    value: 7000"));
  CHECK(ow.value()[0].at_low.discounted == lo.discounted);
  CHECK(ow.value()[0].at_high.discounted == hi.discounted);
}

TEST_CASE("the NP1 price threshold matches its closed form", "[models][dsa][threshold]") {
  // The price is a one-off start cost, so NB_np1 - NB_standard falls one for one with it:
  // the best strategy changes at c_np1 = 579 + (w * dE - dC) with dE, dC the base-case
  // increments (shared/reference/thr: dE = 0.04452024248, dC = 97.87715941).
  auto m = Thr();
  const auto& info = m.model->info();
  int in = -1;
  for (size_t i = 0; i < info.inputs.size(); ++i) {
    if (info.inputs[i].name == "c_np1") in = static_cast<int>(i);
  }
  REQUIRE(in >= 0);
  auto ev = m.model->NewEvaluator({});
  models::Outcome base;
  REQUIRE(ev.value()->Evaluate({}, &base).ok());
  const double dC = base.value(1, 0) - base.value(0, 0), dE = base.value(1, 1) - base.value(0, 1);
  for (double w : {5000.0, 20000.0}) {
    auto t = models::FindThresholds(*m.model, in, 0, 2000, w, info.effect_values[0]);
    REQUIRE(t.ok());
    REQUIRE(t.value().size() == 1);
    CHECK(t.value()[0].from == 1);  // NP1 is best below the threshold
    CHECK(t.value()[0].to == 0);
    CHECK(Near(t.value()[0].value, 579 + (w * dE - dC), 1e-10));
    CHECK(t.value()[0].bracket <= 1e-12 * t.value()[0].value * 1.01);
  }
}

TEST_CASE("a two-way grid agrees with single evaluations at its corners", "[models][dsa]") {
  auto m = Thr();
  const auto& info = m.model->info();
  int a = -1, b = -1;
  for (size_t i = 0; i < info.inputs.size(); ++i) {
    if (info.inputs[i].name == "c_revision") a = static_cast<int>(i);
    if (info.inputs[i].name == "lnrrNP1") b = static_cast<int>(i);
  }
  auto grid = models::RunTwoWay(*m.model, a, b, {4000, 6000}, {-2, -1});
  REQUIRE(grid.ok());
  REQUIRE(grid.value().size() == 4);
  auto ev = m.model->NewEvaluator({a, b});
  models::Outcome o;
  const double x[] = {6000, -2};
  REQUIRE(ev.value()->Evaluate(x, &o).ok());
  CHECK(grid.value()[2].discounted == o.discounted);
}

TEST_CASE("a strategy that overrides a varied parameter keeps its own value everywhere", "[models][dsa]") {
  // Strategy y fixes c at 8; a one-way analysis of c must not reach y, whether y reads c
  // directly or through another formula.
  const std::string text = R"(format: vaglio.model/1
id: o
method: markov_cohort
cycle: {length: 1, unit: year}
horizon: 2
counting: end
values:
  cost: {role: cost, discount: 0}
  e: {role: effect, discount: 0}
parameters:
  c: {value: 10, low: 5, high: 20}
  h: "c * 1"
states:
  s: {cost: c, e: h}
transitions:
  s: {s: 1}
initial: {s: 1}
strategies:
  x: {}
  y: {parameters: {c: 8}}
)";
  vaglio::engine::Diagnostics diag;
  auto m = vaglio::testing::LoadModelText(text, &diag);
  REQUIRE(m);
  auto ow = models::RunOneWay(*m->model, models::OneWayRanges(m->model->info()));
  REQUIRE(ow.ok());
  const auto& p = ow.value()[0];
  CHECK(p.at_low.value(0, 0) == 10.0);   // x: c = 5 for 2 cycles
  CHECK(p.at_low.value(0, 1) == 10.0);
  CHECK(p.at_low.value(1, 0) == 16.0);   // y: c stays 8
  CHECK(p.at_low.value(1, 1) == 16.0);
  CHECK(p.at_high.value(1, 0) == 16.0);
  CHECK(p.at_high.value(1, 1) == 16.0);
}
