// Bad model files: for each, the complete diagnostics, word for word with line and column,
// and (through the binary) the exit code. Each case changes one small, valid model.
//
// Comments starting "Regression:" say what the engine once printed instead.
#include <catch2/catch.hpp>

#include <initializer_list>
#include <string>
#include <utility>

#include "engine/diagnostics.h"
#include "engine/io.h"
#include "engine/load/model_loader.h"
#include "tests/test_util.h"

using vaglio::testing::LoadErrors;
using vaglio::testing::RunVaglio;

namespace {

// Valid; every case below edits it, so the line numbers in the messages refer to it.
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

// kGood with each `from` (the first occurrence, in turn) replaced by its `to`.
std::string Edit(std::initializer_list<std::pair<std::string, std::string>> edits) {
  std::string text = kGood;
  for (const auto& [from, to] : edits) {
    const size_t at = text.find(from);
    REQUIRE(at != std::string::npos);
    text.replace(at, from.size(), to);
  }
  return text;
}

// The formatted diagnostics of loading `text` as m.yaml, with `files` (tables) beside it.
std::string LoadErrorsWith(const std::string& text,
                           std::initializer_list<std::pair<std::string, std::string>> files) {
  vaglio::engine::MemoryFileSystem fs;
  fs.Add("m.yaml", text);
  for (const auto& [name, contents] : files) fs.Add(name, contents);
  vaglio::engine::Diagnostics diag;
  const auto loaded = vaglio::engine::LoadModel(fs, "m.yaml", &diag);
  CHECK_FALSE(loaded.has_value());
  return diag.Format();
}

// A table `lt` read from lt.csv, looked up by parameter p.
std::string WithCsvTable() {
  return Edit({{"states:", "tables:\n  lt: {file: lt.csv, key: age, lookup: floor}\nstates:"},
               {"p: 0.1", "p: \"lt(60)\""}});
}

std::string Summary(const std::string& file, int problems) {
  return "vaglio: error: " + std::to_string(problems) + (problems == 1 ? " problem" : " problems") +
         " in " + file + "; nothing was run\n";
}

}  // namespace

TEST_CASE("the base of these cases loads without diagnostics", "[engine][errors]") {
  CHECK(LoadErrors(kGood) == "");
}

// ---------------------------------------------------------------------------------------
// The file as a whole

TEST_CASE("a YAML syntax error is reported where the parser stops, and nothing else",
          "[engine][errors]") {
  CHECK(LoadErrors(Edit({{"  p: 0.1", "  p: 0.1\n q: 0.2"}})) ==
        "m.yaml:13:2: YAML syntax error: end of map not found\n");
}

TEST_CASE("an empty file is one problem, not a list of every missing key",
          "[engine][errors]") {
  // Regression: once also "cycle: is missing", "horizon: is missing", "counting: is missing".
  CHECK(LoadErrors("") == "m.yaml:1:1: the file is empty, but must be a YAML mapping\n");
  CHECK(LoadErrors("# only a comment\n") ==
        "m.yaml:1:1: the file is empty, but must be a YAML mapping\n");
}

TEST_CASE("a file that is a list says what it found and is one problem",
          "[engine][errors]") {
  // Regression: once "the file is not a YAML mapping of keys to values", then three "is missing".
  CHECK(LoadErrors("- a\n- b\n") ==
        "m.yaml:1:1: the file is a list, but must be a YAML mapping of keys to values\n");
}

TEST_CASE("a format of another major version is rejected at its value", "[engine][errors]") {
  CHECK(LoadErrors(Edit({{"vaglio.model/1", "vaglio.model/2"}})) ==
        "m.yaml:1:9: format: found 'vaglio.model/2', but this version of Vaglio reads "
        "vaglio.model/1\n");
}

TEST_CASE("a dossier given where a model is expected is named as such", "[engine][errors]") {
  CHECK(LoadErrors(Edit({{"vaglio.model/1", "vaglio.dossier/1"}})) ==
        "m.yaml:1:9: format: found 'vaglio.dossier/1', but a model file (format: vaglio.model/1) "
        "is expected here\n");
}

TEST_CASE("a file without format is rejected", "[engine][errors]") {
  CHECK(LoadErrors(Edit({{"format: vaglio.model/1\n", ""}})) ==
        "m.yaml:1:1: format: is missing, but is required\n");
}

// ---------------------------------------------------------------------------------------
// Keys

TEST_CASE("every missing required key is reported, in schema order", "[engine][errors]") {
  CHECK(LoadErrors(Edit({{"id: t\n", ""},
                         {"method: markov_cohort\n", ""},
                         {"cycle: {length: 1, unit: year}\n", ""},
                         {"horizon: 5\n", ""},
                         {"counting: end\n", ""}})) ==
        "m.yaml:1:1: id: is missing, but is required\n"
        "m.yaml:1:1: method: is missing, but is required\n"
        "m.yaml:1:1: cycle: is missing, but is required\n"
        "m.yaml:1:1: horizon: is missing, but is required\n"
        "m.yaml:1:1: counting: is missing, but is required\n");
}

TEST_CASE("a missing key inside cycle is located at cycle's mapping", "[engine][errors]") {
  CHECK(LoadErrors(Edit({{"cycle: {length: 1, unit: year}", "cycle: {length: 1}"}})) ==
        "m.yaml:4:8: cycle.unit: is missing, but is required\n");
}

TEST_CASE("a misspelt top-level key gets a did-you-mean", "[engine][errors]") {
  CHECK(LoadErrors(Edit({{"id: t", "id: t\ntitel: A model"}})) ==
        "m.yaml:3:1: titel: unknown key 'titel' (did you mean 'title'?)\n");
}

TEST_CASE("an unknown key unlike any lists the keys allowed", "[engine][errors]") {
  CHECK(LoadErrors(Edit({{"horizon: 5", "horizon: 5\nzzzzz: 3"}})) ==
        "m.yaml:6:1: zzzzz: unknown key 'zzzzz'; expected one of 'format', 'id', 'title', "
        "'description', 'references', 'method', 'currency', 'cycle', 'horizon', 'counting', "
        "'discounting', 'values', 'parameters', 'correlations', 'dirichlet', 'tables', 'states', "
        "'transitions', 'rates', 'initial', 'start', 'on_enter', 'on_transition', 'strategies', 'tree', "
        "'subtrees', 'decision_wtp', 'scenarios', 'survival', 'partition', 'crossing', 'background'\n");
}

TEST_CASE("a misspelt key inside a parameter gets a did-you-mean", "[engine][errors]") {
  CHECK(LoadErrors(Edit({{"p: 0.1", "p: {value: 0.1, sorce: x}"}})) ==
        "m.yaml:12:19: parameters.p.sorce: unknown key 'sorce' (did you mean 'source'?)\n");
}

TEST_CASE("a misspelt key inside cycle is reported with the key it leaves missing",
          "[engine][errors]") {
  CHECK(LoadErrors(Edit({{"{length: 1,", "{lenght: 1,"}})) ==
        "m.yaml:4:8: cycle.length: is missing, but is required\n"
        "m.yaml:4:9: cycle.lenght: unknown key 'lenght' (did you mean 'length'?)\n");
}

TEST_CASE("a misspelt argument of a distribution gets a did-you-mean", "[engine][errors]") {
  CHECK(LoadErrors(Edit({{"p: 0.1", "p: {value: 0.1, dist: {beta: {alpha: 1, betta: 9}}}"}})) ==
        "m.yaml:12:43: parameters.p.dist.beta.betta: unknown key 'betta' (did you mean 'beta'?)\n");
}

TEST_CASE("a duplicate top-level key names the line of the first", "[engine][errors]") {
  CHECK(LoadErrors(Edit({{"horizon: 5", "horizon: 5\nhorizon: 6"}})) ==
        "m.yaml:6:1: horizon: duplicate key 'horizon' (first at line 5)\n");
}

TEST_CASE("a duplicate key inside a state is located at the second", "[engine][errors]") {
  CHECK(LoadErrors(Edit({{"a: {cost: 1, qaly: 1}", "a: {cost: 1, qaly: 1, cost: 2}"}})) ==
        "m.yaml:14:25: states.a.cost: duplicate key 'cost' (first at line 14)\n");
}

TEST_CASE("a state declared twice is a duplicate key", "[engine][errors]") {
  CHECK(
      LoadErrors(Edit({{"  d: {cost: 0, qaly: 0}", "  d: {cost: 0, qaly: 0}\n  a: {cost: 2}"}})) ==
      "m.yaml:16:3: states.a: duplicate key 'a' (first at line 14)\n");
}

// ---------------------------------------------------------------------------------------
// Types and ranges

TEST_CASE("text where a number is expected", "[engine][errors]") {
  CHECK(LoadErrors(Edit({{"{length: 1,", "{length: one,"}})) ==
        "m.yaml:4:17: cycle.length: found 'one', but must be a number\n");
}

TEST_CASE("a fraction where a whole number is expected", "[engine][errors]") {
  CHECK(LoadErrors(Edit({{"horizon: 5", "horizon: 5.5"}})) ==
        "m.yaml:5:10: horizon: found '5.5', but must be a whole number\n");
}

TEST_CASE("a whole number too large for the field says the limit, not 'whole number'",
          "[engine][errors]") {
  // Regression: once "found '99999999999', but must be a whole number" (it is one).
  CHECK(LoadErrors(Edit({{"horizon: 5", "horizon: 99999999999"}})) ==
        "m.yaml:5:10: horizon: found '99999999999', but must be a whole number no larger than "
        "2147483647\n");
}

TEST_CASE("a list where a mapping is expected is one problem", "[engine][errors]") {
  // Regression: once also "cycle.length: is missing" and "cycle.unit: is missing" at the same place.
  CHECK(LoadErrors(Edit({{"cycle: {length: 1, unit: year}", "cycle: [1, year]"}})) ==
        "m.yaml:4:8: cycle: found a list, but must be a mapping\n");
}

TEST_CASE("a mapping where a number is expected", "[engine][errors]") {
  CHECK(LoadErrors(Edit({{"discount: 0.03}", "discount: {rate: 0.03}}"}})) ==
        "m.yaml:9:32: values.cost.discount: found a mapping, but must be a number\n");
}

TEST_CASE("a list where text is expected is one problem", "[engine][errors]") {
  // Regression: once also "id: is empty, but must name the model" at the same place.
  CHECK(LoadErrors(Edit({{"id: t", "id: [t, u]"}})) ==
        "m.yaml:2:5: id: found a list, but must be text\n");
}

TEST_CASE("a misspelt enum value lists the choices and gets a did-you-mean", "[engine][errors]") {
  CHECK(LoadErrors(Edit({{"unit: year", "unit: years"}})) ==
        "m.yaml:4:26: cycle.unit: found 'years', but must be one of 'year', 'month', 'week', 'day' "
        "(did you mean 'year'?)\n");
}

TEST_CASE("an unknown method lists the methods", "[engine][errors]") {
  CHECK(LoadErrors(Edit({{"method: markov_cohort", "method: markov"}})) ==
        "m.yaml:3:9: method: found 'markov', but must be one of 'markov_cohort', 'decision_tree', "
        "'partitioned_survival'\n");
}

TEST_CASE("the keys of a cohort model in a decision tree are rejected and not ignored", "[engine][errors]") {
  CHECK(LoadErrors(Edit({{"method: markov_cohort", "method: decision_tree"}})) ==
        "m.yaml:1:1: tree: is missing, but a decision tree needs one (its branches are the strategies)\n"
        "m.yaml:4:8: cycle: is not used by a decision tree\n"
        "m.yaml:5:10: horizon: is not used by a decision tree\n"
        "m.yaml:6:11: counting: is not used by a decision tree\n"
        "m.yaml:7:14: discounting: is not used by a decision tree\n"
        "m.yaml:9:32: values.cost.discount: is 0.03, but a decision tree accrues its values at time 0 "
        "(discount a Markov model at a terminal instead)\n"
        "m.yaml:10:34: values.qaly.discount: is 0.03, but a decision tree accrues its values at time 0 "
        "(discount a Markov model at a terminal instead)\n"
        "m.yaml:14:3: states: is not used by a decision tree\n"
        "m.yaml:17:3: transitions: is not used by a decision tree\n"
        "m.yaml:19:10: initial: is not used by a decision tree\n"
        "m.yaml:21:7: strategies.s1: 's1' is not a branch of the tree's root decision\n");
}

TEST_CASE("a horizon of zero cycles and a cycle of zero length are rejected", "[engine][errors]") {
  CHECK(LoadErrors(Edit({{"horizon: 5", "horizon: 0"}, {"length: 1", "length: 0"}})) ==
        "m.yaml:4:17: cycle.length: found '0', but must be > 0\n"
        "m.yaml:5:10: horizon: found '0', but must be at least 1 cycle\n");
}

TEST_CASE("a negative discount rate is rejected", "[engine][errors]") {
  CHECK(LoadErrors(Edit({{"discount: 0.03}", "discount: -0.03}"}})) ==
        "m.yaml:9:32: values.cost.discount: is -0.03, but must be an annual rate in "
        "[0, 1]\n");
}

TEST_CASE("a discounted value without discounting timing is rejected", "[engine][errors]") {
  CHECK(LoadErrors(Edit({{"discounting: {timing: end}\n", ""}})) ==
        "m.yaml:1:1: discounting: is missing, but is required when a value is discounted "
        "(timing: start or end)\n");
  CHECK(LoadErrors(Edit({{"discounting: {timing: end}", "discounting: {step: year}"}})) ==
        "m.yaml:7:14: discounting.timing: is missing, but is required when a value is discounted "
        "(timing: start or end)\n");
}

// ---------------------------------------------------------------------------------------
// States, transitions, values

TEST_CASE("an unknown target state in a row gets a did-you-mean", "[engine][errors]") {
  CHECK(LoadErrors(Edit({{"a: {d: p, a: rest}", "a: {dd: p, a: rest}"}})) ==
        "m.yaml:17:11: transitions.a.dd: target 'dd' is not a state (did you mean 'd'?)\n");
}

TEST_CASE("a row from an unknown state is rejected", "[engine][errors]") {
  CHECK(LoadErrors(Edit({{"  d: {d: 1}\n", "  d: {d: 1}\n  dead: {d: 1}\n"}})) ==
        "m.yaml:19:9: transitions.dead: row 'dead' is not a state\n");
}

TEST_CASE("two rest entries in one row are rejected at the second", "[engine][errors]") {
  CHECK(LoadErrors(Edit({{"a: {d: p, a: rest}", "a: {d: rest, a: rest}"}})) ==
        "m.yaml:17:19: transitions.a.a: a second 'rest' in the row, but only one entry may be "
        "'rest'\n");
}

TEST_CASE("a state without a transition row is rejected with an example", "[engine][errors]") {
  CHECK(LoadErrors(Edit({{"  d: {d: 1}\n", ""}})) ==
        "m.yaml:17:3: transitions: state 'd' has no transition row, but every state needs one "
        "(an absorbing state: d: {d: 1})\n");
}

TEST_CASE("a value in a state that is not declared gets a did-you-mean", "[engine][errors]") {
  CHECK(LoadErrors(Edit({{"a: {cost: 1, qaly: 1}", "a: {cost: 1, qaly: 1, qalys: 2}"}})) ==
        "m.yaml:14:32: states.a.qalys: 'qalys' is not a declared value (did you mean 'qaly'?); "
        "declare it under values:\n");
}

TEST_CASE("a model with no cost value is rejected", "[engine][errors]") {
  CHECK(LoadErrors(Edit({{"role: cost, ", ""}})) ==
        "m.yaml:9:3: values: no value has role cost, but exactly one must\n");
}

TEST_CASE("two cost values are rejected at the second", "[engine][errors]") {
  CHECK(LoadErrors(Edit({{"role: effect", "role: cost"}})) ==
        "m.yaml:10:16: values.qaly.role: value 'qaly' has role cost, but 'cost' already has it; "
        "exactly one value has role cost\n");
}

TEST_CASE("a strategy changing an unknown state reads like an unknown override",
          "[engine][errors]") {
  // Regression: once "state 'aa' is not a state (did you mean 'a'?)".
  CHECK(LoadErrors(Edit({{"s1: {}", "s1: {states: {aa: {cost: 2}}}"}})) ==
        "m.yaml:21:21: strategies.s1.states.aa: strategy 's1' changes state 'aa', which is not a "
        "state of the model (did you mean 'a'?)\n");
}

TEST_CASE("a transition value on a key without an arrow is rejected", "[engine][errors]") {
  CHECK(LoadErrors(Edit({{"initial:", "on_transition:\n  a-d: {cost: 5}\ninitial:"}})) ==
        "m.yaml:20:8: on_transition.a-d: key 'a-d' must name a transition as from->to\n");
}

TEST_CASE("state_time outside a tunnel state is rejected", "[engine][errors]") {
  CHECK(LoadErrors(Edit({{"a: {d: p, a: rest}", "a: {d: \"p * state_time\", a: rest}"}})) ==
        "m.yaml:17:10: transitions.a.d: uses state_time, but 'a' is not a tunnel state "
        "(set tunnel: N on it)\n");
  CHECK(LoadErrors(Edit({{"a: {cost: 1, qaly: 1}", "a: {cost: \"state_time\", qaly: 1}"}})) ==
        "m.yaml:14:13: states.a.cost: uses state_time, but 'a' is not a tunnel state "
        "(set tunnel: N on it)\n");
}

TEST_CASE("state_time reached through a parameter names that parameter",
          "[engine][errors]") {
  // Regression: once "transitions.a.d: uses state_time, but ..." on the cell `d: p`, which does not.
  CHECK(LoadErrors(Edit({{"p: 0.1", "p: \"0.01 * state_time\""}})) ==
        "m.yaml:17:10: transitions.a.d: uses state_time through 'p', but 'a' is not a tunnel "
        "state (set tunnel: N on it)\n");
}

// ---------------------------------------------------------------------------------------
// Parameters and formulas

TEST_CASE("circular parameter definitions name the cycle", "[engine][errors]") {
  CHECK(LoadErrors(Edit({{"p: 0.1", "p: \"q / 2\"\n  q: \"r + 0.1\"\n  r: \"p * 2\""}})) ==
        "m.yaml:12:6: parameters.p: circular definition: p -> q -> r -> p\n");
  CHECK(LoadErrors(Edit({{"p: 0.1", "p: \"p * 2\""}})) ==
        "m.yaml:12:6: parameters.p: circular definition: p -> p\n");
}

TEST_CASE("a circular definition shared by every strategy is reported once",
          "[engine][errors]") {
  // Regression: once twice, "(in strategy 's1')" and "(in strategy 's2')", for one cycle in the file.
  CHECK(LoadErrors(
            Edit({{"p: 0.1", "p: \"q / 2\"\n  q: \"p * 2\""}, {"s1: {}", "s1: {}\n  s2: {}"}})) ==
        "m.yaml:12:6: parameters.p: circular definition: p -> q -> p\n");
}

TEST_CASE("an unknown name in a formula is located at its column", "[engine][errors]") {
  CHECK(LoadErrors(Edit({{"p: 0.1", "p: \"0.1 * cycl\""}})) ==
        "m.yaml:12:13: parameters.p: unknown name 'cycl' (did you mean 'cycle'?)\n");
}

TEST_CASE("a formula syntax error is located at its column", "[engine][errors]") {
  CHECK(LoadErrors(Edit({{"p: 0.1", "p: \"0.1 + * 2\""}})) ==
        "m.yaml:12:13: parameters.p: formula error: Unexpected operator \"*\"\n");
}

TEST_CASE("an unclosed parenthesis is located at the parenthesis", "[engine][errors]") {
  // Regression: once "m.yaml:12:19: parameters.p: formula error: Missing parenthesis", one column past
  // the closing quote.
  CHECK(LoadErrors(Edit({{"p: 0.1", "p: \"exp(0.1 * 2\""}})) ==
        "m.yaml:12:10: parameters.p: formula error: '(' is not closed, but must be closed with "
        "')'\n");
}

TEST_CASE("a formula in a folded block is located on its own line", "[engine][errors]") {
  // Regression: once "m.yaml:12:6" (the '>'), as the column of a multi-line scalar is not tracked.
  CHECK(LoadErrors(Edit({{"p: 0.1", "p: >\n    0.1 * qq"}})) ==
        "m.yaml:13:11: parameters.p: unknown name 'qq'\n");
}

TEST_CASE("an unknown function gets a did-you-mean", "[engine][errors]") {
  CHECK(LoadErrors(Edit({{"p: 0.1", "p: \"expp(-2)\""}})) ==
        "m.yaml:12:7: parameters.p: unknown function 'expp' (did you mean 'exp'?)\n");
}

TEST_CASE("a built-in name cannot be a parameter", "[engine][errors]") {
  CHECK(LoadErrors(Edit({{"p: 0.1", "p: 0.1\n  exp: 2\n  cycle: 3"}})) ==
        "m.yaml:13:8: parameters.exp: 'exp' is a built-in function, so it cannot be redefined\n"
        "m.yaml:14:10: parameters.cycle: 'cycle' is a built-in variable, so it cannot be "
        "redefined\n");
}

TEST_CASE("a parameter with a distribution must have a number as its value", "[engine][errors]") {
  CHECK(LoadErrors(
            Edit({{"p: 0.1", "p: {value: \"0.05 * 2\", dist: {beta: {alpha: 1, beta: 9}}}"}})) ==
        "m.yaml:12:14: parameters.p.value: value is the formula '0.05 * 2', but a parameter with a "
        "distribution must have a number as its base case\n");
}

TEST_CASE("impossible beta moments are rejected", "[engine][errors]") {
  CHECK(LoadErrors(Edit({{"p: 0.1", "p: {value: 0.5, dist: {beta: {mean: 0.5, se: 0.5}}}"}})) ==
        "m.yaml:12:32: parameters.p.dist.beta: se^2 is 0.25, but must be less than "
        "mean*(1-mean) = 0.25 for a beta\n");
  CHECK(LoadErrors(Edit({{"p: 0.1", "p: {value: 0.1, dist: {beta: {mean: 1.5, se: 0.1}}}"}})) ==
        "m.yaml:12:32: parameters.p.dist.beta: mean is 1.5, but must be in (0, 1) for a beta\n");
}

TEST_CASE("numbers derived from beta moments are printed without rounding noise",
          "[engine][errors]") {
  // Regression: once "se^2 is 0.16000000000000003, ... = 0.09000000000000001 for a beta".
  CHECK(LoadErrors(Edit({{"p: 0.1", "p: {value: 0.1, dist: {beta: {mean: 0.1, se: 0.4}}}"}})) ==
        "m.yaml:12:32: parameters.p.dist.beta: se^2 is 0.16, but must be less than "
        "mean*(1-mean) = 0.09 for a beta\n");
}

TEST_CASE("a distribution given the wrong arguments lists the accepted ones", "[engine][errors]") {
  CHECK(LoadErrors(Edit({{"p: 0.1", "p: {value: 0.1, dist: {beta: {alpha: 1, se: 0.1}}}"}})) ==
        "m.yaml:12:32: parameters.p.dist.beta: beta takes {alpha, beta} or {mean, se}, but has "
        "{alpha, se}\n");
  CHECK(LoadErrors(Edit({{"p: 0.1", "p: {value: 0.1, dist: {gamma: {mean: -1, se: 0.1}}}"}})) ==
        "m.yaml:12:33: parameters.p.dist.gamma: mean is -1, but must be > 0\n");
}

TEST_CASE("two distribution families in one dist are rejected", "[engine][errors]") {
  CHECK(LoadErrors(Edit({{"p: 0.1",
                          "p: {value: 0.1, dist: {beta: {alpha: 1, beta: 9}, gamma: {shape: 1, "
                          "scale: 1}}}"}})) ==
        "m.yaml:12:53: parameters.p.dist.gamma: 'beta' and 'gamma' are both given, but only one "
        "may be\n");
}

TEST_CASE("a misspelt distribution family is one problem", "[engine][errors]") {
  // Regression: once also "parameters.p.dist: names no distribution, but must be one of ..." there.
  CHECK(LoadErrors(Edit({{"p: 0.1", "p: {value: 0.1, dist: betaa}"}})) ==
        "m.yaml:12:25: parameters.p.dist: found 'betaa', but must be one of 'beta', 'gamma', "
        "'lognormal', 'normal', 'uniform', 'triangular', 'pert', 'fixed' (did you mean 'beta'?)\n");
}

TEST_CASE("a strategy overriding an unknown parameter gets a did-you-mean", "[engine][errors]") {
  CHECK(LoadErrors(Edit({{"s1: {}", "s1: {parameters: {pp: 0.2}}"}})) ==
        "m.yaml:21:25: strategies.s1.parameters.pp: strategy 's1' overrides 'pp', which is not a "
        "parameter of the model (did you mean 'p'?)\n");
}

TEST_CASE("a correlation over an unknown parameter gets a did-you-mean", "[engine][errors]") {
  CHECK(LoadErrors(Edit({{"states:",
                          "correlations:\n  - {params: [p, q], matrix: [[1, 0.5], [0.5, 1]]}\n"
                          "states:"}})) ==
        "m.yaml:14:14: correlations[0].params: 'q' is not a parameter (did you mean 'p'?)\n");
}

// ---------------------------------------------------------------------------------------
// Tables

TEST_CASE("a table file that does not exist is reported at file:", "[engine][errors]") {
  CHECK(LoadErrorsWith(WithCsvTable(), {}) ==
        "m.yaml:14:14: tables.lt.file: cannot read 'lt.csv': No such file or directory\n");
}

TEST_CASE("a table key that is not a column gets a did-you-mean", "[engine][errors]") {
  CHECK(LoadErrorsWith(Edit({{"states:", "tables:\n  lt: {file: lt.csv, key: agee}\nstates:"},
                             {"p: 0.1", "p: \"lt(60)\""}}),
                       {{"lt.csv", "age,q\n60,0.01\n61,0.02\n"}}) ==
        "m.yaml:14:27: tables.lt.key: 'agee' is not a column of the table (did you mean 'age'?)\n");
}

TEST_CASE("a CSV cell that is not a number is located at its cell", "[engine][errors]") {
  // Regression: once at column 1 of the line: "lt.csv:3:1: column 'q': ...".
  CHECK(LoadErrorsWith(WithCsvTable(), {{"lt.csv", "age,q\n60,0.01\n61,abc\n62,0.03\n"}}) ==
        "lt.csv:3:4: column 'q': found 'abc', but must be a number\n");
}

TEST_CASE("a CSV row with one field too few is counted in the singular",
          "[engine][errors]") {
  // Regression: once "row has 1 fields, but the header has 2".
  CHECK(LoadErrorsWith(WithCsvTable(), {{"lt.csv", "age,q\n60,0.01\n61\n"}}) ==
        "lt.csv:3:1: row has 1 field, but the header has 2\n");
}

TEST_CASE("inline table keys that do not increase are rejected", "[engine][errors]") {
  CHECK(LoadErrors(Edit({{"states:",
                          "tables:\n  lt:\n    columns: [age, q]\n"
                          "    rows: [[60, 0.01], [62, 0.02], [61, 0.03]]\nstates:"},
                         {"p: 0.1", "p: \"lt(60)\""}})) ==
        "m.yaml:15:5: tables.lt: key in row 3 is 61, but keys must be strictly increasing "
        "(previous key 62)\n");
}

TEST_CASE("CSV table keys that do not increase are located in the CSV file",
          "[engine][errors]") {
  // Regression: once "m.yaml:14:7: tables.lt: key in row 3 is 61, but keys must be strictly increasing
  // (previous key 62)", in the model file, with a row number that is not a line number.
  CHECK(LoadErrorsWith(WithCsvTable(), {{"lt.csv", "age,q\n60,0.01\n62,0.02\n61,0.03\n"}}) ==
        "lt.csv:4:1: column 'age': found 61 after 62, but keys must be strictly increasing\n");
}

// ---------------------------------------------------------------------------------------
// Several problems, YAML pitfalls

TEST_CASE("several problems of one file are reported together, sorted by position",
          "[engine][errors]") {
  CHECK(LoadErrors(Edit({{"s1: {}", "s1: {parameters: {q: 1}}"},
                         {"a: {d: p, a: rest}", "a: {dd: \"p * 2\", a: rest, d: rest}"},
                         {"a: {cost: 1, qaly: 1}", "a: {cost: 1, qaly: 1, ly: 1}"},
                         {"p: 0.1", "p: {value: 0.5, dist: {beta: {mean: 0.5, se: 0.5}}}"}})) ==
        "m.yaml:12:32: parameters.p.dist.beta: se^2 is 0.25, but must be less than "
        "mean*(1-mean) = 0.25 for a beta\n"
        "m.yaml:14:29: states.a.ly: 'ly' is not a declared value; declare it under values:\n"
        "m.yaml:17:11: transitions.a.dd: target 'dd' is not a state (did you mean 'd'?)\n"
        "m.yaml:17:32: transitions.a.d: a second 'rest' in the row, but only one entry may be "
        "'rest'\n"
        "m.yaml:21:24: strategies.s1.parameters.q: strategy 's1' overrides 'q', which is not a "
        "parameter of the model (did you mean 'p'?)\n");
}

TEST_CASE("a key problem does not hide a model problem elsewhere in the file",
          "[engine][errors]") {
  // Regression: once only the first line: model checks run only on files whose keys are all right.
  CHECK(LoadErrors(Edit({{"p: 0.1", "p: {value: 0.1, sorce: x}"},
                         {"a: {d: p, a: rest}", "a: {dd: p, a: rest}"}})) ==
        "m.yaml:12:19: parameters.p.sorce: unknown key 'sorce' (did you mean 'source'?)\n"
        "m.yaml:17:11: transitions.a.dd: target 'dd' is not a state (did you mean 'd'?)\n");
}

TEST_CASE("an unknown name does not hide a syntax error in another formula",
          "[engine][errors]") {
  // Regression: once only the first line: formulas are parsed only when every name is known.
  CHECK(LoadErrors(Edit({{"p: 0.1", "p: \"qq + 1\""},
                         {"a: {d: p, a: rest}", "a: {d: \"p * * 2\", a: rest}"}})) ==
        "m.yaml:12:7: parameters.p: unknown name 'qq'\n"
        "m.yaml:17:15: transitions.a.d: formula error: Unexpected operator \"*\"\n");
}

TEST_CASE("a tab in the indentation is named as the problem", "[engine][errors]") {
  // Regression: once "m.yaml:12:3: YAML syntax error: illegal map value".
  CHECK(LoadErrors(Edit({{"  p: 0.1", "\tp: 0.1"}})) ==
        "m.yaml:12:1: YAML syntax error: found a tab in the indentation, but YAML must be "
        "indented with spaces\n");
}

TEST_CASE("an unclosed quote is a syntax error at the quote", "[engine][errors]") {
  // Regression: the parser once takes the rest of the file into the quoted text and reports
  // "states: the model has no states", "strategies: ...", "initial: ..." at 1:1.
  CHECK(LoadErrors(Edit({{"p: 0.1", "p: \"0.1 * 2"}})) ==
        "m.yaml:12:6: YAML syntax error: the quoted text is not closed before the end of the "
        "file\n");
}

TEST_CASE("an unclosed flow mapping is reported on its own line", "[engine][errors]") {
  // Regression: once "m.yaml:18:4: YAML syntax error: end of map flow not found", on the next row.
  CHECK(LoadErrors(Edit({{"a: {d: p, a: rest}", "a: {d: p, a: rest"}})) ==
        "m.yaml:17:6: YAML syntax error: '{' is not closed, but must be closed with '}'\n");
}

// ---------------------------------------------------------------------------------------
// Problems found while running: through the binary, exit code 2, nothing on stdout

TEST_CASE("run: a probability above 1 at some cycle is exit code 2", "[cli][errors]") {
  const std::string f = "tests/data/bad/probability_above_one.model.yaml";
  auto r = RunVaglio({"run", f});
  CHECK(r.exit_code == 2);
  CHECK(r.out.empty());
  CHECK(r.err == f +
                     ":18:16: transitions.well.dead: is 1.1 at cycle 11, but must be a "
                     "probability in [0, 1]\n" +
                     Summary(f, 1));
}

TEST_CASE("run: a row whose entries before rest sum to more than 1 is exit code 2",
          "[cli][errors]") {
  const std::string f = "tests/data/bad/rest_overflow.model.yaml";
  auto r = RunVaglio({"run", f});
  CHECK(r.exit_code == 2);
  CHECK(r.out.empty());
  CHECK(r.err == f +
                     ":20:9: transitions.well: the probabilities other than 'rest' sum to 1.1 "
                     "at cycle 3, but must not exceed 1\n" +
                     Summary(f, 1));
}

TEST_CASE("run: a row without rest that does not sum to 1 is exit code 2", "[cli][errors]") {
  const std::string f = "tests/data/bad/row_sum.model.yaml";
  auto r = RunVaglio({"run", f});
  CHECK(r.exit_code == 2);
  CHECK(r.out.empty());
  CHECK(r.err == f +
                     ":17:9: transitions.well: row sums to 0.9 at cycle 1, but must sum to 1 "
                     "(or use 'rest')\n" +
                     Summary(f, 1));
}

TEST_CASE("run: a cost that turns negative is exit code 2", "[cli][errors]") {
  const std::string f = "tests/data/bad/negative_cost.model.yaml";
  auto r = RunVaglio({"run", f});
  CHECK(r.exit_code == 2);
  CHECK(r.out.empty());
  CHECK(r.err == f +
                     ":16:16: states.well.cost: is -10 at cycle 4, but must be >= 0 for a cost "
                     "(set allow_negative: true on the value to allow it)\n" +
                     Summary(f, 1));
}

TEST_CASE("run: a probability above 1 in one strategy names the strategy", "[cli][errors]") {
  const std::string f = "tests/data/bad/strategy_probability.model.yaml";
  auto r = RunVaglio({"run", f});
  CHECK(r.exit_code == 2);
  CHECK(r.out.empty());
  CHECK(r.err == f +
                     ":18:16: transitions.well.dead: is 1.25 at cycle 5, in strategy 'new_drug', "
                     "but must be a probability in [0, 1]\n" +
                     Summary(f, 1));
}

TEST_CASE("run: a formula that divides by zero at some cycle is exit code 2", "[cli][errors]") {
  const std::string f = "tests/data/bad/division_by_zero.model.yaml";
  auto r = RunVaglio({"run", f});
  CHECK(r.exit_code == 2);
  CHECK(r.out.empty());
  CHECK(r.err == f +
                     ":13:11: parameters.u_well: evaluates to inf at cycle 3, but must be a "
                     "finite number\n" +
                     Summary(f, 1));
}

TEST_CASE("run: a key problem is exit code 2 with the standard summary", "[cli][errors]") {
  const std::string f = "tests/data/bad/unknown_key.model.yaml";
  auto r = RunVaglio({"run", f});
  CHECK(r.exit_code == 2);
  CHECK(r.out.empty());
  CHECK(r.err == f +
                     ":12:23: parameters.p_die.sorce: unknown key 'sorce' (did you mean "
                     "'source'?)\n" +
                     Summary(f, 1));
}

// ---------------------------------------------------------------------------------------
// Found in review of the first version

TEST_CASE("a lone '=' in a formula is rejected rather than assigning", "[engine][errors]") {
  CHECK(LoadErrors(Edit({{"p: 0.1", "p: 0.1\n  q: \"p = 5\""}})) ==
        "m.yaml:13:9: parameters.q: formula error: '=' would assign, but formulas cannot change "
        "parameters (compare with '==')\n");
  CHECK(LoadErrors(Edit({{"p: 0.1", "p: \"2 >= 1 ? 0.1 : 0.2\""}})) == "");
}

TEST_CASE("a function of constants outside its domain is an input error, not a crash", "[engine][errors]") {
  CHECK(LoadErrors(Edit({{"p: 0.1", "p: \"odds(1)\""}})) ==
        "m.yaml:12:6: parameters.p: odds: p is 1, but must be in [0, 1)\n");
}

TEST_CASE("a syntax error in a formula nothing uses is still reported", "[engine][errors]") {
  CHECK(LoadErrors(Edit({{"p: 0.1", "p: 0.1\n  z: \"1 +* 2\""}})) ==
        "m.yaml:13:10: parameters.z: formula error: Unexpected operator \"*\"\n");
}

TEST_CASE("values cannot be named like the keys of a state", "[engine][errors]") {
  CHECK(LoadErrors(Edit({{"  qaly: {role: effect, discount: 0.03}", "  qaly: {role: effect, discount: 0.03}\n  label: {discount: 0}"}})) ==
        "m.yaml:11:10: values.label: 'label' is a key of a state, so it cannot name a value\n");
}

TEST_CASE("initial may be given by every strategy instead of the model", "[engine][errors]") {
  CHECK(LoadErrors(Edit({{"initial: {a: 1}\n", ""}, {"s1: {}", "s1: {initial: {a: 1}}"}})) == "");
  CHECK(LoadErrors(Edit({{"initial: {a: 1}\n", ""}})) ==
        "m.yaml:1:1: initial: initial is missing, but must give the occupancy at cycle 0\n");
}

TEST_CASE("the evppi option takes one word, so it may come before the model", "[cli][errors]") {
  auto r = RunVaglio({"run", "--evppi", "lnrrNP1", "examples/thr/thr.model.yaml", "--psa", "100", "--wtp", "2000",
                      "--format", "json", "--quiet"});
  INFO(r.err);
  CHECK(r.exit_code == 0);
}

TEST_CASE("a negative population discount is refused", "[cli][errors]") {
  auto r = RunVaglio({"run", "examples/thr/thr.model.yaml", "--population-discount", "-1"});
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("--population-discount: found -1, but must be an annual rate in [0, 1]") != std::string::npos);
}

TEST_CASE("a scenario naming an unknown parameter is an error even when not applied", "[engine][errors]") {
  CHECK(LoadErrors(Edit({{"initial:", "scenarios:\n  low:\n    parameters:\n      pp: 0.05\ninitial:"}})) ==
        "m.yaml:22:11: scenarios.low.parameters.pp: scenario 'low' sets 'pp', which is not a parameter of the model "
        "(did you mean 'p'?)\n");
}

TEST_CASE("a problem in an applied scenario's parameter is located in the scenario", "[engine][errors]") {
  const std::string text = Edit({{"initial:", "scenarios:\n  bad:\n    parameters:\n      p: \"1 +* 2\"\ninitial:"}});
  vaglio::engine::MemoryFileSystem fs;
  fs.Add("m.yaml", text);
  vaglio::engine::Diagnostics diag;
  vaglio::engine::LoadOptions opts;
  opts.scenario = "bad";
  CHECK(!vaglio::engine::LoadModel(fs, "m.yaml", &diag, opts));
  CHECK(diag.Format() == "m.yaml:22:14: parameters.p: formula error: Unexpected operator \"*\"\n");
}
