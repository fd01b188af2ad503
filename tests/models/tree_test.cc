// Decision trees: roll-back against hand computation, Markov terminals against the same
// model written by hand, nested decisions, and bad trees word for word.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "engine/run.h"
#include "models/tree.h"
#include "tests/test_util.h"

using vaglio::testing::LoadErrors;
using vaglio::testing::Near;
using vaglio::testing::RunVaglio;
namespace models = vaglio::models;

namespace {

const char kTree[] = R"(format: vaglio.model/1
id: t
method: decision_tree
values:
  cost: {role: cost}
  qaly: {role: effect}
parameters:
  p: 0.2
  q: 0.6
tree:
  branches:
    a: {cost: 10, next: s}
    b:
      cost: 20
      branches:
        x: {p: p, qaly: 1}
        y: {p: rest, qaly: 0.5}
subtrees:
  s:
    branches:
      u: {p: q, qaly: 1, cost: 5}
      v: {p: rest}
)";

std::string Edit(const std::string& from, const std::string& to) {
  std::string text = kTree;
  const size_t at = text.find(from);
  REQUIRE(at != std::string::npos);
  return text.replace(at, from.size(), to);
}

models::Outcome Run(const std::string& text, models::Details* d = nullptr) {
  vaglio::engine::Diagnostics diag;
  auto m = vaglio::testing::LoadModelText(text, &diag);
  INFO(diag.Format());
  REQUIRE(m);
  auto ev = m->model->NewEvaluator({});
  REQUIRE(ev.ok());
  models::Outcome o;
  REQUIRE(ev.value()->Evaluate({}, &o, d).ok());
  return o;
}

}  // namespace

TEST_CASE("a tree rolls back to the probability-weighted sum of its paths", "[models][tree]") {
  models::Details d;
  models::Outcome o = Run(kTree, &d);
  // By hand: a = 10 + 0.6 * 5, qaly 0.6; b = 20, qaly 0.2 * 1 + 0.8 * 0.5.
  CHECK(Near(o.value(0, 0), 13.0, 1e-15));
  CHECK(Near(o.value(0, 1), 0.6, 1e-15));
  CHECK(Near(o.value(1, 0), 20.0, 1e-15));
  CHECK(Near(o.value(1, 1), 0.6, 1e-15));
  REQUIRE(d.tree.size() == 2);
  REQUIRE(d.tree[0].size() == 3);
  CHECK(d.tree[0][1].path == "a/u");
  CHECK(d.tree[0][1].probability == 0.6);
  CHECK(d.tree[0][1].path_total[0] == 15.0);
  CHECK(Near(d.tree[0][2].probability, 0.4, 1e-15));
  CHECK(d.tree[0][2].path_total[0] == 10.0);
}

TEST_CASE("a decision inside the tree takes the branch with the larger net benefit", "[models][tree]") {
  const std::string text = R"(format: vaglio.model/1
id: t
method: decision_tree
decision_wtp: 100
values:
  cost: {role: cost}
  qaly: {role: effect}
tree:
  branches:
    test:
      cost: 1
      branches:
        positive:
          p: 0.3
          type: decision
          branches:
            treat: {cost: 50, qaly: 1}
            wait: {cost: 0, qaly: 0.2}
        negative: {p: rest, qaly: 0.9}
    no_test: {qaly: 0.75}
)";
  models::Details d;
  models::Outcome o = Run(text, &d);
  // At 100 per QALY: treat NB = 100 - 50 = 50 > wait 20; test = 1 + 0.3 * 50, 0.3 * 1 + 0.7 * 0.9.
  CHECK(Near(o.value(0, 0), 16.0, 1e-15));
  CHECK(Near(o.value(0, 1), 0.93, 1e-15));
  CHECK(d.tree[0][1].chosen == "test/positive/treat");
  CHECK(d.tree[0][3].probability == 0.0);  // the branch not taken
}

TEST_CASE("a tree whose terminals are Markov models equals the same model built by hand", "[models][tree][markov]") {
  auto tree = RunVaglio({"run", "tests/data/trees/surgery.tree.yaml", "--format", "json"});
  auto hand = RunVaglio({"run", "tests/data/trees/surgery_by_hand.model.yaml", "--format", "json"});
  INFO(tree.err << hand.err);
  REQUIRE(tree.exit_code == 0);
  REQUIRE(hand.exit_code == 0);
  auto t = nlohmann::json::parse(tree.out)["strategies"], h = nlohmann::json::parse(hand.out)["strategies"];
  for (int s = 0; s < 2; ++s) {
    CHECK(t[s]["name"] == h[s]["name"]);
    CHECK(Near(t[s]["values"]["cost"].get<double>(), h[s]["values"]["cost"].get<double>(), 1e-13));
    CHECK(Near(t[s]["values"]["qaly"].get<double>(), h[s]["values"]["qaly"].get<double>(), 1e-13));
    CHECK(Near(t[s]["undiscounted"]["qaly"].get<double>(), h[s]["undiscounted"]["qaly"].get<double>(), 1e-13));
  }
  // Both files are named, with their hashes, as inputs of the tree.
  auto inputs = nlohmann::json::parse(tree.out)["model"]["inputs"];
  REQUIRE(inputs.size() == 2);
  CHECK(inputs[1]["file"] == "tests/data/trees/post_op.model.yaml");
}

TEST_CASE("bad trees get the standard error format", "[models][tree][errors]") {
  CHECK(vaglio::testing::RunErrors(Edit("u: {p: q, qaly: 1, cost: 5}", "u: {p: \"q - 0.8\", qaly: 1, cost: 5}")) ==
        "m.yaml:21:14: subtrees.s.branches.u.p: is -0.2 in strategy 'a', but must be a probability in [0, 1]\n");
  CHECK(LoadErrors(Edit("u: {p: q, qaly: 1, cost: 5}", "u: {p: rest, qaly: 1, cost: 5}")) ==
        "m.yaml:22:14: subtrees.s.branches.v.p: is a second 'rest' at this chance node, but only one branch may "
        "be 'rest'\n");
  CHECK(LoadErrors(Edit("a: {cost: 10, next: s}", "a: {cost: 10, next: ss}")) ==
        "m.yaml:12:25: tree.branches.a.next: 'ss' is not a subtree (did you mean 's'?)\n");
  CHECK(LoadErrors(Edit("      v: {p: rest}", "      v: {p: rest, next: s}")) ==
        "m.yaml:20:5: subtrees.s: circular subtree references: s -> s\n");
  CHECK(vaglio::testing::RunErrors(Edit("y: {p: rest, qaly: 0.5}", "y: {p: 0.7, qaly: 0.5}")) ==
        "m.yaml:14:7: tree.branches.b: the probabilities at chance node 'b' sum to 0.9 in strategy 'b', but must sum to 1 "
        "(or use 'rest')\n");
  CHECK(LoadErrors(Edit("a: {cost: 10, next: s}", "a: {cost: 10, markov: \"missing.yaml#x\"}")) ==
        "m.yaml:12:27: tree.branches.a.markov: cannot read 'missing.yaml': No such file or directory\n");
  CHECK(LoadErrors(Edit("x: {p: p, qaly: 1}", "x: {qaly: 1}")) ==
        "m.yaml:16:12: tree.branches.b.branches.x: branch 'x' of a chance node has no probability p, but needs one "
        "(or p: rest)\n");
}

TEST_CASE("a run-time error inside a terminal's Markov model is located in that model's file", "[models][tree][errors]") {
  vaglio::engine::MemoryFileSystem fs;
  fs.Add("sub.yaml", R"(format: vaglio.model/1
id: sub
method: markov_cohort
cycle: {length: 1, unit: year}
horizon: 3
counting: end
discounting: {timing: end}
values:
  cost: {role: cost, discount: 0}
  qaly: {role: effect, discount: 0}
parameters:
  p: 0.1
states:
  a: {cost: 1, qaly: 1}
  d: {cost: 0, qaly: 0}
transitions:
  a: {d: "p * cycle * 5", a: rest}
  d: {d: 1}
initial: {a: 1}
strategies: {x: {}}
)");
  fs.Add("tree.yaml", R"(format: vaglio.model/1
id: t
method: decision_tree
values:
  cost: {role: cost}
  qaly: {role: effect}
tree:
  branches:
    only: {markov: "sub.yaml#x"}
)");
  vaglio::engine::Diagnostics diag;
  auto m = vaglio::engine::LoadModel(fs, "tree.yaml", &diag);
  REQUIRE(m);
  CHECK(!vaglio::engine::RunBaseCase(*m, {}, &diag));
  // p * cycle * 5 = 1.5 at cycle 3.
  CHECK(diag.Format() ==
        "sub.yaml:17:10: transitions.a.d: is 1.5 at cycle 3, but must be a probability in [0, 1] (the Markov model "
        "of terminal 'sub.yaml#x')\n");
}

TEST_CASE("asking for a trace of a tree is an error, not an empty list", "[models][tree][errors]") {
  auto r = RunVaglio({"run", "examples/tegaderm/tegaderm.model.yaml", "--trace"});
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("--trace: a decision tree has no cohort trace; its paths are in the output's tree") != std::string::npos);
}
