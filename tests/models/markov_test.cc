// Markov cohort engine against a naive re-implementation of DESIGN §4.1 written here,
// plus invariants and equivalences (tunnels vs hand-expanded states, rates vs the
// competing-risk formula, transition values vs flows computed by hand).
#include <catch2/catch.hpp>

#include <cmath>
#include <functional>
#include <string>
#include <vector>

#include "models/markov.h"
#include "tests/test_util.h"

using vaglio::testing::LoadErrors;
using vaglio::testing::LoadModelText;
using vaglio::testing::Near;
namespace models = vaglio::models;

namespace {

using Matrix = std::vector<std::vector<double>>;

// The three-state model of the tests below, as YAML.
std::string ThreeState(const std::string& counting, const std::string& timing,
                       const std::string& extra = "", const std::string& cycle = "{length: 1, unit: year}",
                       const std::string& step = "cycle") {
  return R"(format: vaglio.model/1
id: three
method: markov_cohort
cycle: )" + cycle + R"(
horizon: 7
counting: )" + counting + R"(
discounting: {timing: )" + timing + ", step: " + step + R"(}
values:
  cost: {role: cost, discount: 0.05}
  qaly: {role: effect, discount: 0.03}
parameters:
  p_hs: "0.1 + 0.01 * cycle"
  p_hd: 0.02
  p_sd: "0.1 + 0.005 * cycle"
  c_s: "1000 + 10 * cycle"
states:
  healthy: {cost: 100, qaly: 1}
  sick: {cost: c_s, qaly: 0.6}
  dead: {cost: 0, qaly: 0}
transitions:
  healthy: {sick: p_hs, dead: p_hd, healthy: rest}
  sick: {dead: p_sd, sick: rest}
  dead: {dead: 1}
initial: {healthy: 1}
strategies:
  a: {}
  b: {parameters: {p_hs: "0.05 + 0.01 * cycle"}, start: {cost: 50}}
)" + extra;
}

// Strategy b has a different p_hs.
Matrix P(int k, bool b) {
  const double hs = (b ? 0.05 : 0.1) + 0.01 * k, hd = 0.02, sd = 0.1 + 0.005 * k;
  return {{1 - hs - hd, hs, hd}, {0, 1 - sd, sd}, {0, 0, 1}};
}
std::vector<double> Cost(int k) { return {100, 1000 + 10.0 * k, 0}; }
std::vector<double> Qaly(int) { return {1, 0.6, 0}; }

double Dot(const std::vector<double>& a, const std::vector<double>& b) {
  double s = 0;
  for (size_t i = 0; i < a.size(); ++i) s += a[i] * b[i];
  return s;
}

// DESIGN §4.1, written out directly.
double Oracle(const std::string& counting, bool timing_start, bool step_year, double L, double r,
              bool b, const std::function<std::vector<double>(int)>& v, int T = 7) {
  std::vector<std::vector<double>> x = {{1, 0, 0}};
  for (int k = 1; k <= T; ++k) {
    Matrix p = P(k, b);
    std::vector<double> n(3, 0.0);
    for (int i = 0; i < 3; ++i)
      for (int j = 0; j < 3; ++j) n[j] += x[k - 1][i] * p[i][j];
    x.push_back(n);
  }
  auto D = [&](double tau) { return std::pow(1 + r, -(step_year ? std::floor(tau + 1e-9) : tau)); };
  double total = 0;
  if (counting == "half_cycle" || counting == "simpson") {
    for (int k = 0; k <= T; ++k) {
      double w = 1;
      if (counting == "half_cycle") {
        w = (k == 0 || k == T) ? 0.5 : 1;
      } else {  // T = 7, odd: 1/3 rule on 0..4, 3/8 rule on 4..7
        const double w13[] = {1.0 / 3, 4.0 / 3, 2.0 / 3, 4.0 / 3, 1.0 / 3};
        w = k <= 4 ? w13[k] : 0;
        if (k >= 4) w += (k == 4 || k == 7) ? 3.0 / 8 : 9.0 / 8;
      }
      total += w * Dot(x[k], v(k)) * D(k * L);
    }
    return total;
  }
  for (int k = 1; k <= T; ++k) {
    std::vector<double> occ(3);
    for (int i = 0; i < 3; ++i) {
      occ[i] = counting == "beginning" ? x[k - 1][i]
               : counting == "end"     ? x[k][i]
                                       : 0.5 * (x[k - 1][i] + x[k][i]);
    }
    total += Dot(occ, v(k)) * D(timing_start ? (k - 1) * L : k * L);
  }
  return total;
}

models::Outcome Run(const std::string& yaml) {
  vaglio::engine::Diagnostics diag;
  auto m = LoadModelText(yaml, &diag);
  INFO(diag.Format());
  REQUIRE(m);
  auto ev = m->model->NewEvaluator({});
  REQUIRE(ev.ok());
  models::Outcome o;
  const models::Status s = ev.value()->Evaluate({}, &o);
  REQUIRE(s.ok());
  return o;
}

}  // namespace

TEST_CASE("every counting method and discount timing matches a naive trace oracle", "[models][markov]") {
  for (std::string counting : {"beginning", "end", "life_table", "half_cycle", "simpson"}) {
    for (std::string timing : {"start", "end"}) {
      for (bool monthly : {false, true}) {
        for (bool year_step : {false, true}) {
          const double L = monthly ? 1.0 / 12 : 1.0;
          const std::string cycle = monthly ? "{length: 1, unit: month}" : "{length: 1, unit: year}";
          models::Outcome o = Run(ThreeState(counting, timing, "", cycle, year_step ? "year" : "cycle"));
          for (int s = 0; s < 2; ++s) {
            INFO(counting << " " << timing << " monthly=" << monthly << " year_step=" << year_step << " s=" << s);
            const double start = s == 1 ? 50 : 0;
            CHECK(Near(o.value(s, 0), start + Oracle(counting, timing == "start", year_step, L, 0.05, s == 1, Cost), 1e-13));
            CHECK(Near(o.value(s, 1), Oracle(counting, timing == "start", year_step, L, 0.03, s == 1, Qaly), 1e-13));
            CHECK(Near(o.undiscounted_value(s, 0), start + Oracle(counting, true, false, L, 0.0, s == 1, Cost), 1e-13));
          }
        }
      }
    }
  }
}

TEST_CASE("discounted values never exceed undiscounted ones and equal them at rate 0", "[models][markov][invariant]") {
  models::Outcome o = Run(ThreeState("life_table", "start"));
  for (int s = 0; s < 2; ++s) {
    for (int v = 0; v < 2; ++v) CHECK(o.value(s, v) <= o.undiscounted_value(s, v));
  }
  std::string undiscounted = ThreeState("life_table", "start");
  undiscounted.replace(undiscounted.find("discount: 0.05"), 14, "discount: 0");
  models::Outcome u = Run(undiscounted);
  CHECK(u.value(0, 0) == u.undiscounted_value(0, 0));
}

TEST_CASE("the cohort's mass is conserved in every cycle", "[models][markov][invariant]") {
  vaglio::engine::Diagnostics diag;
  auto m = LoadModelText(ThreeState("end", "end"), &diag);
  REQUIRE(m);
  auto ev = m->model->NewEvaluator({});
  REQUIRE(ev.ok());
  models::Outcome o;
  models::Details d;
  d.want_trace = true;
  REQUIRE(ev.value()->Evaluate({}, &o, &d).ok());
  REQUIRE(d.traces.size() == 2);
  for (const auto& t : d.traces) {
    REQUIRE(t.occupancy.size() == 8);
    for (const auto& row : t.occupancy) CHECK(Near(row[0] + row[1] + row[2], 1.0, 1e-14));
  }
}

TEST_CASE("results are per member of the cohort when initial gives counts", "[models][markov]") {
  std::string counts = ThreeState("end", "end");
  counts.replace(counts.find("initial: {healthy: 1}"), 21, "initial: {healthy: 1000}");
  models::Outcome a = Run(ThreeState("end", "end")), b = Run(counts);
  for (int s = 0; s < 2; ++s) {
    CHECK(Near(a.value(s, 0), b.value(s, 0), 1e-14));
    CHECK(Near(a.value(s, 1), b.value(s, 1), 1e-14));
  }
}

TEST_CASE("a tunnel state equals the same states expanded by hand", "[models][markov][tunnel]") {
  const std::string head = R"(format: vaglio.model/1
id: tunnel
method: markov_cohort
cycle: {length: 1, unit: year}
horizon: 12
counting: life_table
discounting: {timing: start}
values:
  cost: {role: cost, discount: 0.035}
  ly: {role: effect, discount: 0.035}
)";
  const std::string tunnel = head + R"(states:
  well: {cost: 10, ly: 1}
  post_op: {tunnel: 3, cost: "1000 / state_time", ly: 0.5}
  dead: {cost: 0, ly: 0}
transitions:
  well: {post_op: 0.2, dead: 0.01, well: rest}
  post_op: {dead: "0.1 / state_time", well: "0.05 * state_time", post_op: rest}
  dead: {dead: 1}
initial: {well: 1}
strategies: {only: {}}
)";
  const std::string expanded = head + R"(states:
  well: {cost: 10, ly: 1}
  p1: {cost: 1000, ly: 0.5}
  p2: {cost: 500, ly: 0.5}
  p3: {cost: "1000 / 3", ly: 0.5}
  dead: {cost: 0, ly: 0}
transitions:
  well: {p1: 0.2, dead: 0.01, well: rest}
  p1: {dead: 0.1, well: 0.05, p2: rest}
  p2: {dead: "0.1 / 2", well: 0.1, p3: rest}
  p3: {dead: "0.1 / 3", well: 0.15, p3: rest}
  dead: {dead: 1}
initial: {well: 1}
strategies: {only: {}}
)";
  models::Outcome a = Run(tunnel), b = Run(expanded);
  CHECK(Near(a.value(0, 0), b.value(0, 0), 1e-14));
  CHECK(Near(a.value(0, 1), b.value(0, 1), 1e-14));
}

TEST_CASE("rates rows are converted as competing risks over the cycle length", "[models][markov][rates]") {
  const std::string head = R"(format: vaglio.model/1
id: rates
method: markov_cohort
cycle: {length: 6, unit: month}
horizon: 10
counting: end
discounting: {timing: end}
values:
  cost: {role: cost, discount: 0}
  ly: {role: effect, discount: 0, per: year}
states:
  a: {cost: 1, ly: 1}
  b: {cost: 2, ly: 1}
  d: {cost: 0, ly: 0}
initial: {a: 1}
strategies: {only: {}}
)";
  const std::string rates = head + R"Y(rates:
  a: {b: 0.2, d: 0.05}
  b: {d: 0.3}
transitions:
  d: {d: 1}
)Y";
  // Competing risks, total rate R over half a year: leave with 1 - exp(-R/2), split by rate.
  const std::string probs = head + R"Y(parameters:
  leave_a: "1 - exp(-0.25 * 0.5)"
transitions:
  a: {b: "0.2 / 0.25 * leave_a", d: "0.05 / 0.25 * leave_a", a: rest}
  b: {d: "1 - exp(-0.3 * 0.5)", b: rest}
  d: {d: 1}
)Y";
  models::Outcome a = Run(rates), b = Run(probs);
  CHECK(Near(a.value(0, 0), b.value(0, 0), 1e-14));
  CHECK(Near(a.value(0, 1), b.value(0, 1), 1e-14));
  // per: year with half-year cycles: one cycle in an alive state is worth 0.5 life-years.
  CHECK(a.value(0, 1) < 5.0);
}

TEST_CASE("on_enter and on_transition values accrue on the flows of each cycle", "[models][markov][flows]") {
  const std::string extra = R"(on_enter:
  sick: {cost: 500}
on_transition:
  sick->dead: {cost: 2000}
)";
  models::Outcome with = Run(ThreeState("end", "end", extra)), without = Run(ThreeState("end", "end"));
  // By hand: flows computed from the oracle's trace, discounted at t_k.
  for (int s = 0; s < 2; ++s) {
    std::vector<double> x = {1, 0, 0};
    double extra_cost = 0;
    for (int k = 1; k <= 7; ++k) {
      Matrix p = P(k, s == 1);
      extra_cost += (x[0] * p[0][1] * 500 + x[1] * p[1][2] * 2000) * std::pow(1.05, -k);
      std::vector<double> n(3, 0.0);
      for (int i = 0; i < 3; ++i)
        for (int j = 0; j < 3; ++j) n[j] += x[i] * p[i][j];
      x = n;
    }
    CHECK(Near(with.value(s, 0) - without.value(s, 0), extra_cost, 1e-12));
    CHECK(with.value(s, 1) == without.value(s, 1));
  }
}

TEST_CASE("a row that stops summing to 1 in a later cycle is an error naming the cycle", "[models][markov][errors]") {
  std::string bad = ThreeState("end", "end");
  bad.replace(bad.find("sick: {dead: p_sd, sick: rest}"), 30, "sick: {dead: p_sd, sick: 0.88}");
  CHECK(LoadErrors(bad) == "");  // loads; the sum is only wrong at run time
  vaglio::engine::Diagnostics diag;
  auto m = LoadModelText(bad, &diag);
  REQUIRE(m);
  auto ev = m->model->NewEvaluator({});
  REQUIRE(ev.ok());
  models::Outcome o;
  const models::Status s = ev.value()->Evaluate({}, &o);
  REQUIRE(!s.ok());
  // p_sd = 0.1 + 0.005 k: the row sums to 1 exactly at k = 4 and not at k = 1.
  CHECK(s.issues()[0].path == "transitions.sick");
  CHECK(s.issues()[0].message == "row sums to 0.985 at cycle 1, in strategy 'a', but must sum to 1 (or use 'rest')");
}

TEST_CASE("Simpson weights integrate cubics exactly and sum to the horizon", "[models][markov][counting]") {
  for (int T : {2, 3, 4, 5, 6, 7, 10, 75}) {
    double sum = 0, cubic = 0;
    for (int k = 0; k <= T; ++k) {
      const double w = models::TimePointWeight(models::Counting::kSimpson, T, k);
      sum += w;
      cubic += w * k * k * k;
    }
    INFO("T = " << T);
    CHECK(Near(sum, T, 1e-14));
    CHECK(Near(cubic, std::pow(T, 4) / 4, 1e-13));  // exact for polynomials of degree <= 3
  }
  double half = 0;
  for (int k = 0; k <= 9; ++k) half += models::TimePointWeight(models::Counting::kHalfCycle, 9, k);
  CHECK(half == 9.0);
}
