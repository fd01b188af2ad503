// Bad inputs of `vaglio evaluate` and `vaglio assess`: the dossier, the criteria set, the
// scores and the model the dossier names. For each, the complete diagnostics word for word
// with line and column (they are a contract: docs/formats.md, docs/expressions.md), and,
// through the binary, the exit code, an empty stdout and an --out directory left alone.
//
// Every case edits one of four small valid files held in memory (kDossier, kCriteria,
// kScores, kModel), so the line numbers in the messages refer to them. Comments starting
// "Regression:" say what the engine once did instead.
#include <catch2/catch.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "engine/diagnostics.h"
#include "engine/evaluation/assess.h"
#include "engine/evaluation/evaluate.h"
#include "engine/io.h"
#include "tests/test_util.h"

namespace {

namespace en = vaglio::engine;
using Edits = std::vector<std::pair<std::string, std::string>>;
using vaglio::testing::RunVaglio;

// A complete dossier: every required field of the completeness catalogue is answered, so
// its gates pass unless a case edits it.
const char kDossier[] = R"(format: vaglio.dossier/1
dossier_id: B-1
version: 1
status: submitted
decision_level: hospital
request_type: new_device
dates: {received: 2026-01-10}
receiving_body: {organisation_code: "000001", name: Test hospital, region_istat_code: "03"}
requesting_unit: {name: Test unit, head: p1}
people:
  p1: {name: Dr. Test}
  p2: {name: Ing. Test}
requesters:
  - {person: p1, role: clinician}
device:
  trade_name: TestSeal
  models:
    - {catalogue_code: TS-1, description: Test sealant}
  manufacturer: {name: Test S.p.A.}
  cnd_code: A0101
  rdm_number: 1234
  regulatory:
    framework: MDR
    risk_class: IIa
    implantable: false
    active: false
    software_or_ai: false
    notified_body_number: "0123"
    certificate_id: CERT-1
    certificate_expiry: 2030-12-31
    intended_purpose: Sealing of test wounds.
  device_kind: consumable
pico:
  population: {description: Adults with a test wound}
  intervention: {description: TestSeal applied once, setting: inpatient}
  comparators:
    - {description: Sutures, is_current_standard: true}
  outcomes:
    - {name: healing, importance: critical}
    - {name: pain, importance: important}
  on_label: true
evidence:
  studies:
    - {id: S1, citation: {text: A test trial}, design: rct, sponsor: academic}
    - {id: S2, citation: {text: A test cohort}, design: cohort, sponsor: industry}
  certainty_by_outcome:
    - {outcome: healing, grade: high}
    - {outcome: pain, grade: low}
costs:
  - {id: seal, category: consumable_per_use, applies_to: intervention, unit_cost: 100, basis: per_procedure, source: quote}
  - {id: sutures, category: consumable_per_use, applies_to: comparator, unit_cost: 40, basis: per_procedure, source: tender}
acquisition_mode: purchase
volumes:
  - {year: 1, patients: 100, procedures: 100, comparator_displaced_pct: 50}
economic_analyses:
  - {type: cua, perspective: hospital, model: m.model.yaml, device_strategy: seal, comparator_strategy: sutures, price_parameter: c_seal}
interest_declarations:
  - {person: p1, declared_at: 2026-01-05, interests: [{kind: none}], outcome: no_conflict}
)";

// A model of two strategies in EUR: the sealant heals more wounds and costs more.
const char kModel[] = R"(format: vaglio.model/1
id: seal
method: markov_cohort
currency: EUR
cycle: {length: 1, unit: year}
horizon: 5
counting: end
discounting: {timing: end}
values:
  cost: {role: cost, discount: 0.03}
  qaly: {role: effect, discount: 0.03}
parameters:
  c_seal: {value: 100, dist: {gamma: {mean: 100, sd: 10}}}
  c_sutures: 40
  p_heal: 0.5
states:
  open: {cost: 50, qaly: 0.7}
  healed: {cost: 0, qaly: 0.9}
transitions:
  open: {healed: p_heal, open: rest}
  healed: {healed: 1}
initial: {open: 1}
strategies:
  sutures: {start: {cost: c_sutures}}
  seal: {start: {cost: c_seal}, parameters: {p_heal: 0.7}}
)";

// A criteria set with one expression of each kind: gate checks, a computed criterion, rule
// conditions, a condition template's `when` and parameters.
const char kCriteria[] = R"(format: vaglio.criteria/1
config_id: BAD
version: "1"
parameters:
  discount_rate_costs: 0.03
  discount_rate_outcomes: 0.03
  wtp_thresholds: {lower: 25000, upper: 40000}
  bia_horizon_years: 3
  psa_draws: 0
gates:
  G01: {check: "device.regulatory.certificate_expiry >= today", on_fail: route_research, message: no valid certificate}
  G02: {check: "completeness.required_missing == 0", on_fail: incomplete, message: required fields are missing}
mcda:
  method: weighted_sum
  scoring_mode: consensus
  weight_elicitation: {method: point_allocation, total_points: 100}
  criteria:
    C1:
      name: Effectiveness
      domain: EFF
      kind: comparative
      scale: {type: ordinal, min: 0, max: 4, levels: [{value: 0}, {value: 1}, {value: 2}, {value: 3}, {value: 4}]}
      weight: 60
    C2:
      name: Evidence
      domain: EFF
      kind: absolute
      scale: {type: continuous, min: 0, max: 4}
      computed: "facts.rcts >= 1 ? 3 : 1"
      weight: 40
decision_rules:
  D1: {condition: "count(gates.failed_on.incomplete) > 0", outcome: INADMISSIBLE}
  D2:
    condition: "mcda.total >= 60"
    outcome: APPROVE_WITH_CONDITIONS
    conditions:
      - {type: re_evaluation, due_months: 12, when: "criteria.C1 < 4", parameters: {note: "'check'"}}
  D3: {condition: "true", outcome: REJECT}
)";

const char kScores[] = R"(format: vaglio.scores/1
dossier_id: B-1
config_id: BAD
meeting_date: 2026-06-01
members:
  m1: {name: Member 1, interest_outcome: no_conflict}
  m2: {name: Member 2, interest_outcome: no_conflict}
scores:
  C1:
    consensus: {score: 3, rationale: better healing, evidence_refs: [S1]}
    m1: 3
    m2: {score: 4, evidence_refs: [S1, S2]}
vote: {for: 2, against: 0, abstain: 0}
)";

// `text` with each `from` replaced by its `to`; each `from` must occur exactly once.
std::string Edit(std::string text, const Edits& edits) {
  for (const auto& [from, to] : edits) {
    INFO("edit of '" << from << "'");
    const size_t at = text.find(from);
    REQUIRE(at != std::string::npos);
    REQUIRE(text.find(from, at + 1) == std::string::npos);
    text.replace(at, from.size(), to);
  }
  return text;
}

// The four files of one evaluation, in memory as d.yaml, c.yaml, s.yaml and m.model.yaml.
struct Inputs {
  std::string dossier = kDossier, criteria = kCriteria, scores = kScores, model = kModel;
  std::string date;  // --date; empty: the scores' meeting date
  bool with_scores = true;
};

Inputs Dossier(const Edits& e) {
  Inputs in;
  in.dossier = Edit(kDossier, e);
  return in;
}
Inputs Criteria(const Edits& e) {
  Inputs in;
  in.criteria = Edit(kCriteria, e);
  return in;
}
Inputs Scores(const Edits& e) {
  Inputs in;
  in.scores = Edit(kScores, e);
  return in;
}
Inputs Model(const Edits& e) {
  Inputs in;
  in.model = Edit(kModel, e);
  return in;
}

en::EvaluateOptions Options(const Inputs& in, en::MemoryFileSystem* fs) {
  fs->Add("d.yaml", in.dossier);
  fs->Add("c.yaml", in.criteria);
  fs->Add("s.yaml", in.scores);
  fs->Add("m.model.yaml", in.model);
  en::EvaluateOptions o;
  o.dossier = "d.yaml";
  o.criteria = "c.yaml";
  if (in.with_scores) o.scores = "s.yaml";
  o.date = in.date;
  o.threads = 1;
  return o;
}

// The formatted diagnostics of evaluating `in`, which must fail.
std::string Errors(const Inputs& in) {
  en::MemoryFileSystem fs;
  const en::EvaluateOptions o = Options(in, &fs);
  en::Diagnostics diag;
  const auto r = en::Evaluate(fs, o, &diag);
  CHECK_FALSE(r.has_value());
  return diag.Format();
}

// The evaluation of `in`, which must succeed without diagnostics.
std::optional<en::EvaluationResult> Good(const Inputs& in) {
  en::MemoryFileSystem fs;
  const en::EvaluateOptions o = Options(in, &fs);
  en::Diagnostics diag;
  auto r = en::Evaluate(fs, o, &diag);
  CHECK(diag.Format() == "");
  return r;
}

}  // namespace

TEST_CASE("the base of these cases evaluates without diagnostics", "[evaluate][bad]") {
  auto r = Good(Inputs{});
  REQUIRE(r);
  CHECK(r->record.proposed_outcome().rule_id() == "D2");
  CHECK(r->record.completeness().missing_required_size() == 0);
  CHECK(r->record.conditions_size() == 1);
  CHECK(r->record.economics().status() == "more_costly_more_effective");
}

// ---------------------------------------------------------------------------------------
// The dossier

TEST_CASE("a misspelt dossier key gets a did-you-mean", "[evaluate][bad]") {
  CHECK(Errors(Dossier({{"  trade_name: TestSeal", "  tradename: TestSeal"}})) ==
        "d.yaml:16:3: device.tradename: unknown key 'tradename' (did you mean 'trade_name'?)\n");
}

TEST_CASE("dossier values of the wrong type say what was found and what is expected", "[evaluate][bad]") {
  CHECK(Errors(Dossier({{"rdm_number: 1234", "rdm_number: twelve"},
                        {"implantable: false", "implantable: no"},
                        {"patients: 100", "patients: 1.5"},
                        {"  comparators:\n    - {description: Sutures, is_current_standard: true}",
                         "  comparators: Sutures"}})) ==
        "d.yaml:21:15: device.rdm_number: found 'twelve', but must be a whole number\n"
        "d.yaml:25:18: device.regulatory.implantable: found 'no', but must be true or false\n"
        "d.yaml:36:16: pico.comparators: found 'Sutures', but must be a list\n"
        "d.yaml:53:25: volumes[0].patients: found '1.5', but must be a whole number\n");
}

TEST_CASE("dossier values outside their closed sets get a did-you-mean", "[evaluate][bad]") {
  CHECK(Errors(Dossier({{"risk_class: IIa", "risk_class: IIA"},
                        {"grade: high", "grade: hihg"},
                        {"{name: pain, importance: important}", "{name: pain, importance: importnat}"},
                        {"role: clinician", "role: clinican"},
                        {"design: cohort", "design: cohort_study"}})) ==
        "d.yaml:14:24: requesters[0].role: found 'clinican', but must be one of 'clinician', 'pharmacist', "
        "'clinical_engineer', 'manager', 'manufacturer', 'distributor', 'patient_org', 'regional_agency' "
        "(did you mean 'clinician'?)\n"
        "d.yaml:24:17: device.regulatory.risk_class: found 'IIA', but must be one of 'I', 'Is', 'Im', 'Ir', "
        "'IIa', 'IIb', 'III', 'A', 'B', 'C', 'D' (did you mean 'IIa'?)\n"
        "d.yaml:40:32: pico.outcomes[1].importance: found 'importnat', but must be one of 'critical', "
        "'important', 'limited' (did you mean 'important'?)\n"
        "d.yaml:45:57: evidence.studies[1].design: found 'cohort_study', but must be one of "
        "'systematic_review', 'rct', 'nonrandomised_comparative', 'cohort', 'registry', 'case_series', "
        "'case_report', 'bench_or_animal', 'other'\n"
        "d.yaml:47:33: evidence.certainty_by_outcome[0].grade: found 'hihg', but must be one of 'high', "
        "'moderate', 'low', 'very_low' (did you mean 'high'?)\n");
}

TEST_CASE("dossier dates must be real calendar days written YYYY-MM-DD", "[evaluate][bad]") {
  CHECK(Errors(Dossier({{"certificate_expiry: 2030-12-31", "certificate_expiry: 2030-02-30"},
                        {"received: 2026-01-10", "received: 2026-1-10"},
                        {"declared_at: 2026-01-05", "declared_at: yesterday"}})) ==
        "d.yaml:7:19: dates.received: found '2026-1-10', but must be a calendar date written YYYY-MM-DD\n"
        "d.yaml:30:25: device.regulatory.certificate_expiry: found '2030-02-30', but must be a calendar date "
        "written YYYY-MM-DD\n"
        "d.yaml:58:31: interest_declarations[0].declared_at: found 'yesterday', but must be a calendar date "
        "written YYYY-MM-DD\n");
}

TEST_CASE("duplicate ids of studies, cost items, outcomes, budget years and people are errors", "[evaluate][bad]") {
  // Regression: only the people (a mapping) were checked; two entries for budget year 1
  // were accepted and the budget impact used one of them.
  CHECK(Errors(Dossier({{"{id: S2,", "{id: S1,"},
                        {"{id: sutures,", "{id: seal,"},
                        {"{name: pain,", "{name: healing,"},
                        {"    - {outcome: pain, grade: low}\n", ""},
                        {"  - {year: 1, patients: 100, procedures: 100, comparator_displaced_pct: 50}",
                         "  - {year: 1, patients: 100, procedures: 100, comparator_displaced_pct: 50}\n"
                         "  - {patients: 120, procedures: 120}"},
                        {"  p2: {name: Ing. Test}", "  p1: {name: Ing. Test}"}})) ==
        "d.yaml:12:3: people.p1: duplicate key 'p1' (first at line 11)\n"
        "d.yaml:40:14: pico.outcomes[1].name: duplicate outcome 'healing' (first at line 39)\n"
        "d.yaml:45:12: evidence.studies[1].id: duplicate study id 'S1' (first at line 44)\n"
        "d.yaml:50:10: costs[1].id: duplicate cost item id 'seal' (first at line 49)\n"
        "d.yaml:54:5: volumes[1]: duplicate budget year 1 (first at line 53; an entry without year is year 1)\n"
        // The scores refer to S2, which is no longer there.
        "s.yaml:12:40: scores.C1.m2.evidence_refs[1]: 'S2' is not the id of a study of the dossier (did you mean 'S1'?)\n");
  CHECK(Errors(Dossier({{"  - {year: 1, patients: 100, procedures: 100, comparator_displaced_pct: 50}",
                         "  - {year: 1, patients: 100, procedures: 100, comparator_displaced_pct: 50}\n"
                         "  - {year: 2, patients: 100}\n  - {year: 2, patients: 120}"}})) ==
        "d.yaml:56:12: volumes[2].year: duplicate budget year 2 (first at line 55)\n");
}

TEST_CASE("references to people and outcomes that the dossier does not list are errors", "[evaluate][bad]") {
  // Regression: not checked; a certainty for a misspelt outcome silently left the critical
  // outcome without a grade (facts.lowest_certainty 0).
  CHECK(Errors(Dossier({{"{person: p1, role: clinician}", "{person: p3, role: clinician}"},
                        {"head: p1}", "head: Dr. Test}"},
                        {"{person: p1, declared_at", "{person: P1, declared_at"},
                        {"{outcome: pain, grade: low}", "{outcome: pian, grade: low}"}})) ==
        "d.yaml:9:42: requesting_unit.head: 'Dr. Test' is not a person listed under people, which lists "
        "'p1', 'p2'\n"
        "d.yaml:14:14: requesters[0].person: 'p3' is not a person listed under people (did you mean 'p1'?)\n"
        "d.yaml:48:17: evidence.certainty_by_outcome[1].outcome: 'pian' is not an outcome listed under "
        "pico.outcomes (did you mean 'pain'?)\n"
        "d.yaml:58:14: interest_declarations[0].person: 'P1' is not a person listed under people (did you "
        "mean 'p1'?)\n");
}

TEST_CASE("references into a section the dossier lacks are a completeness matter, not an input error",
          "[evaluate][bad]") {
  // Without people, outcomes or studies the references to them are not checked: the dossier
  // is evaluated, and a missing required section makes it inadmissible.
  auto r = Good(Dossier({{"people:\n  p1: {name: Dr. Test}\n  p2: {name: Ing. Test}\n", ""},
                         {"  outcomes:\n    - {name: healing, importance: critical}\n"
                          "    - {name: pain, importance: important}\n",
                          ""},
                         {"  studies:\n    - {id: S1, citation: {text: A test trial}, design: rct, sponsor: academic}\n"
                          "    - {id: S2, citation: {text: A test cohort}, design: cohort, sponsor: industry}\n",
                          ""}}));
  REQUIRE(r);
  const auto& missing = r->record.completeness().missing_required();
  CHECK(std::vector<std::string>(missing.begin(), missing.end()) ==
        std::vector<std::string>{"pico.outcomes", "evidence.studies"});
  CHECK(r->record.proposed_outcome().outcome() == "INADMISSIBLE");
}

TEST_CASE("amounts, counts and shares outside their ranges are errors", "[evaluate][bad]") {
  // Regression: a negative quantity or volume and a negative tariff reached the budget
  // impact (the first two as a problem at the whole item or at `volumes`); year 0 was ignored.
  CHECK(Errors(Dossier({{"unit_cost: 100,", "unit_cost: -100,"},
                        {"basis: per_procedure, source: tender}", "basis: per_procedure, quantity: -2, years: [0, 1], source: tender}"},
                        {"patients: 100, procedures: 100, comparator_displaced_pct: 50",
                         "patients: -1, procedures: 100, comparator_displaced_pct: 150"},
                        {"acquisition_mode: purchase", "acquisition_mode: purchase\nreimbursement: {tariff: -5}"},
                        {"rdm_number: 1234", "rdm_number: 0"},
                        {"price_parameter: c_seal}", "price_parameter: c_seal, exchange_rate: 0}"}})) ==
        "d.yaml:21:15: device.rdm_number: found '0', but must be a positive number\n"
        "d.yaml:50:83: costs[0].unit_cost: found '-100', but must be >= 0\n"
        "d.yaml:51:120: costs[1].quantity: found '-2', but must be >= 0\n"
        "d.yaml:51:132: costs[1].years[0]: found '0', but budget years start at 1\n"
        "d.yaml:53:25: reimbursement.tariff: found '-5', but must be >= 0\n"
        "d.yaml:55:25: volumes[0].patients: found '-1', but must be a number >= 0\n"
        "d.yaml:55:72: volumes[0].comparator_displaced_pct: found '150', but must be a percentage in [0, "
        "100]\n"
        "d.yaml:57:154: economic_analyses[0].exchange_rate: found '0', but must be > 0\n");
}

TEST_CASE("a malformed CND code and attachment hash are errors", "[evaluate][bad]") {
  CHECK(Errors(Dossier({{"cnd_code: A0101", "cnd_code: a0101"},
                        {"interest_declarations:", "attachments:\n  - {kind: ifu, filename: ifu.pdf, sha256: ABC, received: 2026-01-10}\ninterest_declarations:"}})) ==
        "d.yaml:20:13: device.cnd_code: found 'a0101', but a CND code is a capital letter followed by pairs "
        "of digits (e.g. P0908)\n"
        "d.yaml:58:44: attachments[0].sha256: found 'ABC', but must be 64 lowercase hexadecimal digits\n");
}

TEST_CASE("a dossier file that is not a dossier is one problem", "[evaluate][bad]") {
  Inputs in;
  in.dossier = kCriteria;
  CHECK(Errors(in) ==
        "d.yaml:1:9: format: found 'vaglio.criteria/1', but a dossier (format: vaglio.dossier/1) is expected "
        "here\n");
  in.dossier = "";
  CHECK(Errors(in) ==
        "d.yaml:1:1: the file is empty, but must be a YAML mapping\n");
  in.dossier = "- a\n- b\n";
  CHECK(Errors(in) ==
        "d.yaml:1:1: the file is a list, but must be a YAML mapping of keys to values\n");
  in.dossier = Edit(kDossier, {{"dossier_id: B-1\n", ""}});
  CHECK(Errors(in) ==
        "d.yaml:1:1: dossier_id: is missing, but is required\n");
  in.dossier = Edit(kDossier, {{"vaglio.dossier/1", "vaglio.dossier/2"}});
  CHECK(Errors(in) ==
        "d.yaml:1:9: format: found 'vaglio.dossier/2', but this version of Vaglio reads vaglio.dossier/1\n");
}

TEST_CASE("a dossier that is not UTF-8 text is one problem at its first bad byte", "[evaluate][bad]") {
  Inputs in;
  in.dossier = Edit(kDossier, {{"Dr. Test}", "Dr. T\xe9st}"}});
  CHECK(Errors(in) ==
        "d.yaml:11:19: found the byte 0xe9, which is not UTF-8, but the dossier must be UTF-8 text (save it "
        "as UTF-8)\n");
  in.dossier = std::string("%PDF-1.4\n\x00\x01", 11);
  CHECK(Errors(in) ==
        "d.yaml:2:1: found binary data (byte 0x00), but the dossier must be YAML text\n");
}

TEST_CASE("a YAML syntax error in the dossier is reported where the parser stops", "[evaluate][bad]") {
  CHECK(Errors(Dossier({{"  trade_name: TestSeal", "  trade_name: TestSeal\n bad: x"}})) ==
        "d.yaml:17:2: YAML syntax error: end of map not found\n");
  CHECK(Errors(Dossier({{"{name: Dr. Test}", "{name: Dr. Test"}})) ==
        "d.yaml:11:7: YAML syntax error: '{' is not closed, but must be closed with '}'\n");
}

TEST_CASE("a dossier that cannot be read names the file", "[evaluate][bad]") {
  en::MemoryFileSystem fs;
  Inputs in;
  en::EvaluateOptions o = Options(in, &fs);
  o.dossier = "missing.yaml";
  en::Diagnostics diag;
  CHECK_FALSE(en::Evaluate(fs, o, &diag));
  CHECK(diag.Format() ==
        "missing.yaml: cannot read the dossier: No such file or directory\n");
}

TEST_CASE("every problem of a dossier is reported at once, in file order", "[evaluate][bad]") {
  CHECK(Errors(Dossier({{"request_type: new_device", "request_type: new_devise"},
                        {"cnd_code: A0101", "cnd_code: a0101"},
                        {"risk_class: IIa", "risk_class: IIB"},
                        {"certificate_expiry: 2030-12-31", "certificate_expiry: 2030-02-30"},
                        {"{id: sutures,", "{id: seal,"},
                        {"comparator_displaced_pct: 50", "comparator_displaced_pct: 600"},
                        {"{person: p1, declared_at", "{person: p9, declared_at"},
                        {"  device_kind: consumable", "  device_kind: consumable\n  colour: blue"}})) ==
        "d.yaml:6:15: request_type: found 'new_devise', but must be one of 'new_device', 'new_indication', "
        "'replacement_upgrade', 'trial_or_free_loan', 'research_use', 'disinvestment' (did you mean "
        "'new_device'?)\n"
        "d.yaml:20:13: device.cnd_code: found 'a0101', but a CND code is a capital letter followed by pairs "
        "of digits (e.g. P0908)\n"
        "d.yaml:24:17: device.regulatory.risk_class: found 'IIB', but must be one of 'I', 'Is', 'Im', 'Ir', "
        "'IIa', 'IIb', 'III', 'A', 'B', 'C', 'D' (did you mean 'IIb'?)\n"
        "d.yaml:30:25: device.regulatory.certificate_expiry: found '2030-02-30', but must be a calendar date "
        "written YYYY-MM-DD\n"
        "d.yaml:33:3: device.colour: unknown key 'colour'; expected one of 'trade_name', 'models', "
        "'manufacturer', 'authorised_rep', 'italian_supplier', 'cnd_code', 'emdn_code', 'rdm_number', 'udi', "
        "'regulatory', 'device_kind', 'expected_service_life_y', 'required_accessories'\n"
        "d.yaml:52:10: costs[1].id: duplicate cost item id 'seal' (first at line 51)\n"
        "d.yaml:55:73: volumes[0].comparator_displaced_pct: found '600', but must be a percentage in [0, "
        "100]\n"
        "d.yaml:59:14: interest_declarations[0].person: 'p9' is not a person listed under people (did you "
        "mean 'p1'?)\n");
}

TEST_CASE("a dossier missing required fields is evaluated as inadmissible with the missing paths", "[evaluate][bad]") {
  // Not an input error: a completeness finding that the criteria set's gate G02 turns into
  // INADMISSIBLE (rule D1), with the reason listing what is missing.
  auto r = Good(Dossier({{"  cnd_code: A0101\n", ""},
                         {"  on_label: true\n", ""},
                         {"requesters:\n  - {person: p1, role: clinician}\n", ""},
                         {"dates: {received: 2026-01-10}\n", ""}}));
  REQUIRE(r);
  const auto& missing = r->record.completeness().missing_required();
  CHECK(std::vector<std::string>(missing.begin(), missing.end()) ==
        std::vector<std::string>{"dates.received", "requesters", "device.cnd_code", "pico.on_label"});
  CHECK(r->record.proposed_outcome().outcome() == "INADMISSIBLE");
  CHECK(r->record.proposed_outcome().rule_id() == "D1");
  std::vector<std::string> gates;
  for (const auto& reason : r->record.reasons()) {
    if (reason.produced_by() == "gate") gates.push_back(reason.text());
  }
  CHECK(gates == std::vector<std::string>{"gate G02 failed (incomplete): required fields are missing [4 == 0]",
                                          "the dossier is missing required fields: dates.received, requesters, "
                                          "device.cnd_code, pico.on_label"});
}

// ---------------------------------------------------------------------------------------
// The model the dossier names

TEST_CASE("a model file that does not exist is an error at the dossier's model", "[evaluate][bad]") {
  CHECK(Errors(Dossier({{"model: m.model.yaml", "model: thr.model.yaml"}})) ==
        "d.yaml:56:47: economic_analyses[0].model: cannot read 'thr.model.yaml': No such file or directory\n");
}

TEST_CASE("strategies the model does not have are errors listing its strategies", "[evaluate][bad]") {
  CHECK(Errors(Dossier({{"device_strategy: seal", "device_strategy: sael"},
                        {"comparator_strategy: sutures", "comparator_strategy: usual_care"}})) ==
        "d.yaml:56:78: economic_analyses[0].device_strategy: 'sael' is not a strategy of the model (did you "
        "mean 'seal'?); its strategies are 'sutures', 'seal'\n"
        "d.yaml:56:105: economic_analyses[0].comparator_strategy: 'usual_care' is not a strategy of the "
        "model; its strategies are 'sutures', 'seal'\n");
  CHECK(Errors(Dossier({{"comparator_strategy: sutures", "comparator_strategy: seal"}})) ==
        "d.yaml:56:105: economic_analyses[0].comparator_strategy: 'seal' is both the device and the "
        "comparator strategy, but the device must be compared with another strategy; the model's strategies "
        "are 'sutures', 'seal'\n");
}

TEST_CASE("a price parameter that is not a numeric model parameter is an error", "[evaluate][bad]") {
  CHECK(Errors(Dossier({{"price_parameter: c_seal", "price_parameter: c_sael"}})) ==
        "d.yaml:56:131: economic_analyses[0].price_parameter: 'c_sael' is not a parameter of the model whose "
        "value is a number (did you mean 'c_seal'?)\n");
  CHECK(Errors(Dossier({{"price_parameter: c_seal", "price_parameter: price"}})) ==
        "d.yaml:56:131: economic_analyses[0].price_parameter: 'price' is not a parameter of the model whose "
        "value is a number\n");
  Inputs in = Dossier({{"price_parameter: c_seal", "price_parameter: c_double"}});
  in.model = Edit(kModel, {{"  p_heal: 0.5", "  p_heal: 0.5\n  c_double: \"2 * c_seal\""}});
  CHECK(Errors(in) ==
        "d.yaml:56:131: economic_analyses[0].price_parameter: 'c_double' is a formula of the model, but the price "
        "must be a parameter whose value is a number\n");
}

TEST_CASE("a model with problems is reported in the model's own file", "[evaluate][bad]") {
  CHECK(Errors(Model({{"horizon: 5", "horizon: 5\nhorizn: 6"}})) ==
        "m.model.yaml:7:1: horizn: unknown key 'horizn' (did you mean 'horizon'?)\n");
  CHECK(Errors(Model({{"p_heal: 0.5", "p_heal: 1.5"}})) ==
        "m.model.yaml:20:18: transitions.open.healed: is 1.5 at cycle 1, in strategy 'sutures', but must be a "
        "probability in [0, 1]\n");
}

TEST_CASE("a model with one strategy cannot compare a device", "[evaluate][bad]") {
  CHECK(Errors(Model({{"  sutures: {start: {cost: c_sutures}}\n", ""}})) ==
        "d.yaml:56:47: economic_analyses[0].model: the model has one strategy, but a device must be compared "
        "with a comparator\n");
}

TEST_CASE("a model in another currency needs an exchange rate", "[evaluate][bad]") {
  CHECK(Errors(Model({{"currency: EUR", "currency: GBP"}})) ==
        "d.yaml:56:47: economic_analyses[0].model: the model's costs are in GBP and the committee's "
        "thresholds in EUR, but no exchange_rate converts them\n");
  CHECK(Errors(Dossier({{"price_parameter: c_seal}", "price_parameter: c_seal, exchange_rate: 1.2}"}})) ==
        "d.yaml:56:154: economic_analyses[0].exchange_rate: is 1.2, but the model's costs are already in EUR "
        "(give no exchange_rate, or 1)\n");
}

// ---------------------------------------------------------------------------------------
// The criteria set: keys, closed sets, ids

TEST_CASE("a misspelt key of a criterion gets a did-you-mean and leaves the weight missing", "[evaluate][bad]") {
  CHECK(Errors(Criteria({{"      weight: 60", "      wieght: 60"}})) ==
        "c.yaml:19:7: mcda.criteria.C1.weight: is missing, but is required (a weight >= 0)\n"
        "c.yaml:23:7: mcda.criteria.C1.wieght: unknown key 'wieght' (did you mean 'weight'?)\n");
}

TEST_CASE("on_fail, outcome, condition type, domain and scoring mode outside their sets get a did-you-mean",
          "[evaluate][bad]") {
  CHECK(Errors(Criteria({{"on_fail: incomplete", "on_fail: incomplet"},
                         {"outcome: REJECT", "outcome: REJECTED"},
                         {"type: re_evaluation", "type: reevaluation"},
                         {"domain: EFF\n      kind: absolute", "domain: EVIDENCE\n      kind: absolute"},
                         {"scoring_mode: consensus", "scoring_mode: median_of_members"}})) ==
        "c.yaml:12:63: gates.G02.on_fail: found 'incomplet', but must be one of 'inadmissible', "
        "'incomplete', 'route_research', 'refer', 'flag' (did you mean 'incomplete'?)\n"
        "c.yaml:15:17: mcda.scoring_mode: found 'median_of_members', but must be one of 'consensus', "
        "'median', 'mean'\n"
        "c.yaml:26:15: mcda.criteria.C2.domain: found 'EVIDENCE', but must be one of 'CUR', 'TEC', 'SAF', "
        "'EFF', 'ECO', 'ETH', 'ORG', 'SOC', 'LEG'\n"
        "c.yaml:37:16: decision_rules.D2.conditions[0].type: found 'reevaluation', but must be one of "
        "'restricted_indication', 'restricted_operators_or_centre', 'volume_cap', 'trial_period', "
        "'registry_enrolment', 'outcome_audit', 'price_agreement', 're_evaluation', 'evidence_request', "
        "'training_requirement', 'comparator_disinvestment' (did you mean 're_evaluation'?)\n"
        "c.yaml:38:36: decision_rules.D3.outcome: found 'REJECTED', but must be one of 'APPROVE', "
        "'APPROVE_WITH_CONDITIONS', 'RESEARCH_ONLY', 'DEFER', 'REJECT', 'REFER', 'INADMISSIBLE' (did you "
        "mean 'REJECT'?)\n");
}

TEST_CASE("a gate, criterion or rule id given twice is a duplicate key", "[evaluate][bad]") {
  CHECK(Errors(Criteria({{"  G02: {check", "  G01: {check"},
                         {"    C2:\n", "    C1:\n"},
                         {"  D3: {condition", "  D1: {condition"}})) ==
        "c.yaml:12:3: gates.G01: duplicate key 'G01' (first at line 11)\n"
        "c.yaml:18:5: mcda.criteria: the weights sum to 60, but point allocation shares 100 points\n"
        "c.yaml:24:5: mcda.criteria.C1: duplicate key 'C1' (first at line 18)\n"
        "c.yaml:38:3: decision_rules.D1: duplicate key 'D1' (first at line 32)\n");
}

TEST_CASE("scale levels outside the scale's range are errors", "[evaluate][bad]") {
  CHECK(Errors(Criteria({{"{value: 4}]}", "{value: 5}]}"},
                         {"{type: continuous, min: 0, max: 4}", "{type: continuous, min: 4, max: 0}"}})) ==
        "c.yaml:22:103: mcda.criteria.C1.scale.levels[4]: has value 5, but a level must lie in the scale's "
        "range from 0 to 4\n"
        "c.yaml:28:14: mcda.criteria.C2.scale: needs min < max (the range a score maps onto 0..1)\n");
}

TEST_CASE("weights must be given, not negative, not all zero, and match the points allocated", "[evaluate][bad]") {
  CHECK(Errors(Criteria({{"weight: 60", "weight: -60"}})) ==
        "c.yaml:23:15: mcda.criteria.C1.weight: is -60, but must be >= 0\n");
  CHECK(Errors(Criteria({{"weight: 60", "weight: 50"}})) ==
        "c.yaml:18:5: mcda.criteria: the weights sum to 90, but point allocation shares 100 points\n");
  CHECK(Errors(Criteria({{"method: point_allocation, total_points: 100", "method: direct_rating"},
                         {"weight: 60", "weight: 0"},
                         {"weight: 40", "weight: 0"}})) ==
        "c.yaml:18:5: mcda.criteria: the weights sum to 0, but must sum to a finite number > 0\n");
}

TEST_CASE("WTP thresholds must not be negative and must go from the lowest to the highest", "[evaluate][bad]") {
  // Regression: lower above upper was accepted.
  CHECK(Errors(Criteria({{"{lower: 25000, upper: 40000}", "{lower: 40000, upper: 25000}"}})) ==
        "c.yaml:7:41: parameters.wtp_thresholds.upper: is 25000, but must be at least the threshold 'lower' "
        "before it (40000): thresholds go from the lowest to the highest\n");
  CHECK(Errors(Criteria({{"{lower: 25000, upper: 40000}", "{lower: -1, upper: 40000}"}})) ==
        "c.yaml:7:27: parameters.wtp_thresholds.lower: is -1, but must be a willingness to pay >= 0 per unit "
        "of effect\n");
}

TEST_CASE("PSA draws, random weight draws and due months are bounded", "[evaluate][bad]") {
  CHECK(Errors(Criteria({{"psa_draws: 0", "psa_draws: 1"}})) ==
        "c.yaml:9:14: parameters.psa_draws: is 1, but must be 0 (no PSA) or from 2 to 1000000\n");
  CHECK(Errors(Criteria({{"psa_draws: 0", "psa_draws: 1000001"},
                         {"due_months: 12", "due_months: 1201"},
                         {"decision_rules:", "sensitivity: {random_weight_draws: 2000000}\ndecision_rules:"}})) ==
        "c.yaml:9:14: parameters.psa_draws: is 1000001, but must be 0 (no PSA) or from 2 to 1000000\n"
        "c.yaml:31:36: sensitivity.random_weight_draws: is 2000000, but must be from 0 to 1000000\n"
        "c.yaml:38:43: decision_rules.D2.conditions[0].due_months: is 1201, but must be from 0 to 1200 "
        "months\n");
  CHECK(Errors(Criteria({{"psa_draws: 0", "psa_draws: 99999999999"}})) ==
        "c.yaml:9:14: parameters.psa_draws: found '99999999999', but must be a whole number no larger than "
        "2147483647\n");
}

TEST_CASE("discount rates and the budget horizon are required and bounded", "[evaluate][bad]") {
  CHECK(Errors(Criteria({{"  discount_rate_costs: 0.03\n", ""},
                         {"discount_rate_outcomes: 0.03", "discount_rate_outcomes: 3"},
                         {"bia_horizon_years: 3", "bia_horizon_years: 0"}})) ==
        "c.yaml:5:3: parameters.discount_rate_costs: is missing, but is required (the committee's discount "
        "rate)\n"
        "c.yaml:5:27: parameters.discount_rate_outcomes: is 3, but must be an annual rate in [0, 1]\n"
        "c.yaml:7:22: parameters.bia_horizon_years: is 0, but must be from 1 to 50 years\n");
}

// ---------------------------------------------------------------------------------------
// The criteria set: expressions found wrong when it is read

TEST_CASE("a syntax error in a gate is located at its column inside the expression", "[evaluate][bad]") {
  CHECK(Errors(Criteria({{"\"completeness.required_missing == 0\"", "\"completeness.required_missing = 0\""}})) ==
        "c.yaml:12:47: gates.G02.check: '=' is not an operator: write '==' to compare\n");
  CHECK(Errors(Criteria({{"\"completeness.required_missing == 0\"", "\"completeness.required_missing == 0 &&\""}})) ==
        "c.yaml:12:54: gates.G02.check: unexpected end of the expression, expected an operand\n");
}

TEST_CASE("syntax errors in every kind of expression are all reported, each at its column", "[evaluate][bad]") {
  CHECK(Errors(Criteria({{"\"count(gates.failed_on.incomplete) > 0\"", "\"cont(gates.failed_on.incomplete) > 0\""},
                         {"\"facts.rcts >= 1 ? 3 : 1\"", "\"facts.rcts >= 1 ? 3\""},
                         {"\"mcda.total >= 60\"", "\"mcda.total >= 60 and true\""},
                         {"\"criteria.C1 < 4\"", "\"1 < criteria.C1 < 4\""},
                         {"\"'check'\"", "\"'check\""}})) ==
        "c.yaml:29:37: mcda.criteria.C2.computed: expected ':' to go with the '?' at 16\n"
        "c.yaml:32:20: decision_rules.D1.condition: unknown function 'cont' (did you mean 'count'?)\n"
        "c.yaml:34:34: decision_rules.D2.condition: unexpected name 'and', expected an operator or the end "
        "of the expression (write '&&' for 'and')\n"
        "c.yaml:37:70: decision_rules.D2.conditions[0].when: '<' cannot follow another comparison without "
        "parentheses (write 'a < b && b < c')\n"
        "c.yaml:37:96: decision_rules.D2.conditions[0].parameters.note: unterminated string: the quote at 0 "
        "is never closed\n");
}

TEST_CASE("a syntax error in an expression written over several lines is located on its line", "[evaluate][bad]") {
  CHECK(Errors(Criteria({{"    condition: \"mcda.total >= 60\"",
                          "    condition: >-\n      mcda.total >= 60\n      && (criteria.C1 >= 3"}})) ==
        "c.yaml:36:27: decision_rules.D2.condition: expected ')' to close the '(' at 20\n");
}

TEST_CASE("an error in an expression over several lines is located on its line also with CRLF line ends",
          "[evaluate][bad]") {
  // Regression: in a file with "\r\n" line ends (or a comment after the `>-`), the error was
  // located at the `>-` instead of inside the expression.
  Inputs in = Criteria({{"    condition: \"mcda.total >= 60\"",
                         "    condition: >-\n      mcda.total >= 60\n      && device.regulatory.risk_clas != 'III'"}});
  const std::string expected =
      "c.yaml:36:10: decision_rules.D2.condition: unknown name 'device.regulatory.risk_clas': 'device.regulatory' "
      "has no 'risk_clas' (did you mean 'risk_class'?)\n";
  CHECK(Errors(in) == expected);
  std::string crlf;
  for (const char c : in.criteria) crlf += c == '\n' ? std::string("\r\n") : std::string(1, c);
  in.criteria = crlf;
  CHECK(Errors(in) == expected);
  in = Criteria({{"    condition: \"mcda.total >= 60\"",
                  "    condition: >-  # a comment\n\n      mcda.total >= 60\n      && device.regulatory.risk_clas != 'III'"}});
  CHECK(Errors(in) ==
        "c.yaml:37:10: decision_rules.D2.condition: unknown name 'device.regulatory.risk_clas': 'device.regulatory' "
        "has no 'risk_clas' (did you mean 'risk_class'?)\n");
}

TEST_CASE("expressions naming what no evaluation provides are errors at the name", "[evaluate][bad]") {
  CHECK(Errors(Criteria({{"\"device.regulatory.certificate_expiry >= today\"",
                          "\"dossier.device.regulatory.certificate_expiry >= today\""},
                         {"\"mcda.total >= 60\"", "\"total >= 60\""}})) ==
        "c.yaml:11:17: gates.G01.check: 'dossier' is not something an evaluation provides (did you mean "
        "'device.regulatory.certificate_expiry'?); expressions can read 'dossier_id', 'title', 'status', "
        "'decision_level', 'request_type', 'dates', 'receiving_body', 'requesting_unit', 'requesters', "
        "'related', 'device', 'pico', 'evidence', 'safety', 'costs', 'acquisition_mode', 'reimbursement', "
        "'volumes', 'economic_analyses', 'organisation', 'elsi_patient', 'interest_declarations', "
        "'attachments', 'people', 'today', 'parameters', 'wtp', 'facts', 'completeness', 'gates', "
        "'criteria', 'mcda', 'economics', 'bia', 'robustness', 'committee'\n"
        "c.yaml:34:17: decision_rules.D2.condition: 'total' is not something an evaluation provides; "
        "expressions can read 'dossier_id', 'title', 'status', 'decision_level', 'request_type', 'dates', "
        "'receiving_body', 'requesting_unit', 'requesters', 'related', 'device', 'pico', 'evidence', "
        "'safety', 'costs', 'acquisition_mode', 'reimbursement', 'volumes', 'economic_analyses', "
        "'organisation', 'elsi_patient', 'interest_declarations', 'attachments', 'people', 'today', "
        "'parameters', 'wtp', 'facts', 'completeness', 'gates', 'criteria', 'mcda', 'economics', 'bia', "
        "'robustness', 'committee'\n");
}

TEST_CASE("criteria, gates and thresholds the set does not define are errors when it is read", "[evaluate][bad]") {
  // Regression: these were found only when the expression ran, so a rule after the one
  // that matched, or a branch not taken, hid them.
  CHECK(Errors(Criteria({{"\"mcda.total >= 60\"", "\"mcda.total >= 60 || criteria.C3 >= 3\""},
                         {"\"true\"", "\"gates.G03.passed || gates.failed_on.incompleet == []\""},
                         {"\"criteria.C1 < 4\"", "\"criteria.C1 < 4 && economics.inmb.upper > 0 && wtp.middle > 0\""}})) ==
        "c.yaml:34:37: decision_rules.D2.condition: unknown name 'criteria.C3': 'criteria' has no 'C3' (did "
        "you mean 'C1'?)\n"
        "c.yaml:37:101: decision_rules.D2.conditions[0].when: unknown name 'wtp.middle': 'wtp' has no "
        "'middle'\n"
        "c.yaml:38:20: decision_rules.D3.condition: unknown name 'gates.G03.passed': 'gates' has no 'G03' "
        "(did you mean 'G01'?)\n"
        "c.yaml:38:40: decision_rules.D3.condition: unknown name 'gates.failed_on.incompleet': "
        "'gates.failed_on' has no 'incompleet' (did you mean 'incomplete'?)\n");
}

TEST_CASE("a gate or computed score reading what does not exist yet is an error when the set is read",
          "[evaluate][bad]") {
  // Regression: once "unknown name 'criteria.C1': there is no 'criteria'" at evaluation.
  CHECK(Errors(Criteria({{"\"completeness.required_missing == 0\"", "\"completeness.required_missing == 0 && criteria.C1 > 2\""},
                         {"\"facts.rcts >= 1 ? 3 : 1\"", "\"mcda.total > 50 ? 3 : 1\""}})) ==
        "c.yaml:12:55: gates.G02.check: 'criteria' does not exist yet when the gates run (they run first: "
        "'gates', 'criteria', 'mcda' and 'robustness' come later)\n"
        "c.yaml:29:18: mcda.criteria.C2.computed: 'mcda' does not exist yet when scores are computed (they "
        "run after the gates: 'criteria', 'mcda' and 'robustness' come later)\n");
}

// ---------------------------------------------------------------------------------------
// The criteria set: expressions found wrong when they run

TEST_CASE("a rule comparing a text with a number is an error at the operator", "[evaluate][bad]") {
  CHECK(Errors(Criteria({{"\"mcda.total >= 60\"", "\"device.regulatory.risk_class >= 3\""}})) ==
        "c.yaml:34:46: decision_rules.D2.condition: '>=' compares a string with a number, but needs two "
        "numbers or two dates\n");
}

TEST_CASE("a gate reading a null says why it is null", "[evaluate][bad]") {
  CHECK(Errors(Criteria({{"\"completeness.required_missing == 0\"", "\"bia.share_of_envelope < 0.02\""}})) ==
        "c.yaml:12:39: gates.G02.check: bia.share_of_envelope is null (no budget_envelope_eur in the "
        "criteria set's parameters), but '<' needs a number\n");
}

TEST_CASE("a path missing below a root is an error with a did-you-mean at evaluation", "[evaluate][bad]") {
  CHECK(Errors(Criteria({{"\"device.regulatory.certificate_expiry >= today\"",
                          "\"device.regulatory.certificate_expiry >= today && device.regulatory.risk_clas != 'III'\""}})) ==
        "c.yaml:11:66: gates.G01.check: unknown name 'device.regulatory.risk_clas': 'device.regulatory' has "
        "no 'risk_clas' (did you mean 'risk_class'?)\n");
}

TEST_CASE("every failing gate is reported, not only the first", "[evaluate][bad]") {
  CHECK(Errors(Criteria({{"\"device.regulatory.certificate_expiry >= today\"", "\"device.regulatory.certificate_expiry >= 3\""},
                         {"\"completeness.required_missing == 0\"", "\"completeness.required_missing\""}})) ==
        "c.yaml:11:54: gates.G01.check: '>=' compares a date with a number, but needs two numbers or two "
        "dates\n"
        "c.yaml:12:16: gates.G02.check: gives number 0, but a gate's check must be true or false\n");
}

TEST_CASE("computed scores must be numbers on the scale", "[evaluate][bad]") {
  CHECK(Errors(Criteria({{"\"facts.rcts >= 1 ? 3 : 1\"", "\"device.cnd_code\""}})) ==
        "c.yaml:29:17: mcda.criteria.C2.computed: gives string 'A0101', but a computed score must be a "
        "number (or null when missing)\n");
  CHECK(Errors(Criteria({{"\"facts.rcts >= 1 ? 3 : 1\"", "\"facts.rcts + 10\""}})) ==
        "c.yaml:29:17: mcda.criteria.C2.computed: computes 11, but must lie in the scale from 0 to 4\n");
  CHECK(Errors(Criteria({{"\"facts.rcts >= 1 ? 3 : 1\"", "\"facts.rcts / (facts.studies - 2)\""}})) ==
        "c.yaml:29:29: mcda.criteria.C2.computed: '/' divides by zero\n");
}

TEST_CASE("a rule that does not give true or false is an error of that rule", "[evaluate][bad]") {
  CHECK(Errors(Criteria({{"\"mcda.total >= 60\"", "\"mcda.total\""}})) ==
        "c.yaml:34:16: decision_rules.D2.condition: gives number 75, but a rule's condition must be true or "
        "false\n");
}

TEST_CASE("errors in a condition template's when and parameters name the rule and condition", "[evaluate][bad]") {
  CHECK(Errors(Criteria({{"\"criteria.C1 < 4\"", "\"criteria.C1\""}})) ==
        "c.yaml:37:53: decision_rules.D2.conditions[0].when: gives number 3, but a condition's when must be "
        "true or false\n");
  CHECK(Errors(Criteria({{"\"'check'\"", "\"today + 0.5\""}})) ==
        "c.yaml:37:98: decision_rules.D2.conditions[0].parameters.note: '+' adds 0.5 days to a date, but the "
        "number of days must be whole\n");
}

TEST_CASE("a set of rules that matches nothing is an error", "[evaluate][bad]") {
  CHECK(Errors(Criteria({{"{condition: \"true\", outcome: REJECT}", "{condition: \"mcda.total < 10\", outcome: REJECT}"},
                         {"\"mcda.total >= 60\"", "\"mcda.total >= 90\""}})) ==
        "c.yaml:32:3: decision_rules: no decision rule matched, but the last rule should catch every case "
        "(condition: 'true')\n");
}

TEST_CASE("a null read from a dossier without a model says why", "[evaluate][bad]") {
  Inputs in = Criteria({{"\"completeness.required_missing == 0\"", "\"economics.icer < 50000\""}});
  in.dossier = Edit(kDossier, {{"economic_analyses:\n  - {type: cua, perspective: hospital, model: m.model.yaml, "
                                "device_strategy: seal, comparator_strategy: sutures, price_parameter: c_seal}\n",
                                ""}});
  CHECK(Errors(in) ==
        "c.yaml:12:32: gates.G02.check: economics.icer is null (the dossier has no economic model), but '<' "
        "needs a number\n");
}

TEST_CASE("an expression nested too deeply is an error, not a crash", "[evaluate][bad]") {
  const std::string deep = std::string(150, '(') + "true" + std::string(150, ')');
  CHECK(Errors(Criteria({{"{condition: \"true\"", "{condition: \"" + deep + "\""}})) ==
        "c.yaml:38:120: decision_rules.D3.condition: the expression nests more than 100 levels deep\n");
}

TEST_CASE("a due date after the year 9999 is an error of the condition", "[evaluate][bad]") {
  Inputs in = Criteria({{"due_months: 12", "due_months: 1200"}});
  in.date = "9950-06-01";
  CHECK(Errors(in) ==
        "c.yaml:37:43: decision_rules.D2.conditions[0].due_months: is 1200 months from 9950-06-01, but the due "
        "date must fall before 10000-01-01\n");
}

TEST_CASE("weights too large to add up are an error, not an infinite total", "[evaluate][bad]") {
  CHECK(Errors(Criteria({{"method: point_allocation, total_points: 100", "method: direct_rating"},
                         {"weight: 60", "weight: 1e308"},
                         {"weight: 40", "weight: 1e308"}})) ==
        "c.yaml:18:5: mcda.criteria: the weights sum to inf, but must sum to a finite number > 0\n");
}

TEST_CASE("every problem of a criteria set is reported at once, in file order", "[evaluate][bad]") {
  CHECK(Errors(Criteria({{"psa_draws: 0", "psa_draws: 1"},
                         {"on_fail: route_research", "on_fail: research"},
                         {"      weight: 60", "      wieght: 60"},
                         {"{value: 4}]}", "{value: 5}]}"},
                         {"\"facts.rcts >= 1 ? 3 : 1\"", "\"criteria.C1 + 1\""},
                         {"\"mcda.total >= 60\"", "\"mcda.total >= 60 && criteria.C3 > 1\""},
                         {"outcome: REJECT", "outcome: reject"}})) ==
        "c.yaml:9:14: parameters.psa_draws: is 1, but must be 0 (no PSA) or from 2 to 1000000\n"
        "c.yaml:11:74: gates.G01.on_fail: found 'research', but must be one of 'inadmissible', 'incomplete', "
        "'route_research', 'refer', 'flag'\n"
        "c.yaml:19:7: mcda.criteria.C1.weight: is missing, but is required (a weight >= 0)\n"
        "c.yaml:22:103: mcda.criteria.C1.scale.levels[4]: has value 5, but a level must lie in the scale's "
        "range from 0 to 4\n"
        "c.yaml:23:7: mcda.criteria.C1.wieght: unknown key 'wieght' (did you mean 'weight'?)\n"
        "c.yaml:29:18: mcda.criteria.C2.computed: 'criteria' does not exist yet when scores are computed "
        "(they run after the gates: 'criteria', 'mcda' and 'robustness' come later)\n"
        "c.yaml:34:37: decision_rules.D2.condition: unknown name 'criteria.C3': 'criteria' has no 'C3' (did "
        "you mean 'C1'?)\n"
        "c.yaml:38:36: decision_rules.D3.outcome: found 'reject', but must be one of 'APPROVE', "
        "'APPROVE_WITH_CONDITIONS', 'RESEARCH_ONLY', 'DEFER', 'REJECT', 'REFER', 'INADMISSIBLE' (did you "
        "mean 'REJECT'?)\n");
}

// ---------------------------------------------------------------------------------------
// The scores

TEST_CASE("a misspelt scores key gets a did-you-mean", "[evaluate][bad]") {
  CHECK(Errors(Scores({{"meeting_date: 2026-06-01", "meeting_dat: 2026-06-01"}})) ==
        "--date: the evaluation date is missing: give --date YYYY-MM-DD (or a meeting_date in the scores)\n"
        "s.yaml:4:1: meeting_dat: unknown key 'meeting_dat' (did you mean 'meeting_date'?)\n");
}

TEST_CASE("scores of members not listed, and of criteria not in the set, are errors", "[evaluate][bad]") {
  CHECK(Errors(Scores({{"    m1: 3", "    m3: 3"}, {"  C1:", "  C01:"}})) ==
        "s.yaml:10:5: scores.C01: 'C01' is not a criterion of the criteria set (did you mean 'C1'?)\n"
        "s.yaml:11:9: scores.C01.m3: 'm3' is not a member listed under members (did you mean 'm1'?)\n");
  CHECK(Errors(Scores({{"    m1: 3", "    m1: 3\n    chair: 2"}})) ==
        "s.yaml:12:12: scores.C1.chair: 'chair' is not a member listed under members, which lists 'm1', "
        "'m2'\n");
}

TEST_CASE("scores outside the scale or between its levels are errors", "[evaluate][bad]") {
  CHECK(Errors(Scores({{"    m1: 3", "    m1: 2.5"}, {"{score: 4,", "{score: 5,"}})) ==
        "s.yaml:11:9: scores.C1.m1: is 2.5, but C1 is scored on the levels of its scale from 0 to 4\n"
        "s.yaml:12:9: scores.C1.m2: is 5, but C1 is scored on the levels of its scale from 0 to 4\n");
  CHECK(Errors(Scores({{"    m1: 3", "    m1: three"}})) ==
        "s.yaml:11:9: scores.C1.m1: found 'three', but must be a number\n");
}

TEST_CASE("a scores file for another dossier or criteria set is an error", "[evaluate][bad]") {
  CHECK(Errors(Scores({{"dossier_id: B-1", "dossier_id: B-2"}, {"config_id: BAD", "config_id: OTHER"}})) ==
        "s.yaml:2:13: dossier_id: is 'B-2', but the dossier evaluated is 'B-1'\n"
        "s.yaml:3:12: config_id: is 'OTHER', but the criteria set applied is 'BAD'\n");
}

TEST_CASE("evidence references must name studies of the dossier", "[evaluate][bad]") {
  // Regression: not checked, so a record could cite evidence the dossier does not hold.
  CHECK(Errors(Scores({{"evidence_refs: [S1, S2]", "evidence_refs: [S1, S3]"},
                       {"evidence_refs: [S1]}", "evidence_refs: [s1]}"}})) ==
        "s.yaml:10:70: scores.C1.consensus.evidence_refs[0]: 's1' is not the id of a study of the dossier "
        "(did you mean 'S1'?)\n"
        "s.yaml:12:40: scores.C1.m2.evidence_refs[1]: 'S3' is not the id of a study of the dossier (did you "
        "mean 'S1'?)\n");
}

TEST_CASE("the meeting date, interest outcomes and the vote are checked", "[evaluate][bad]") {
  CHECK(Errors(Scores({{"meeting_date: 2026-06-01", "meeting_date: 2026-06-31"},
                       {"interest_outcome: no_conflict}\n  m2", "interest_outcome: conflicted}\n  m2"},
                       {"against: 0", "against: -1"},
                       {"abstain: 0}", "abstain: 0, dissents: [{member: m5, text: no}]}"}})) ==
        "s.yaml:4:15: meeting_date: found '2026-06-31', but must be a calendar date written YYYY-MM-DD\n"
        "s.yaml:6:42: members.m1.interest_outcome: found 'conflicted', but must be one of 'no_conflict', "
        "'conflict_manageable', 'recused'\n"
        "s.yaml:13:25: vote.against: is -1, but must be a number of votes >= 0\n"
        "s.yaml:13:61: vote.dissents[0].member: 'm5' is not a member listed under members (did you mean "
        "'m1'?)\n");
}

TEST_CASE("an evaluation date that is missing or malformed is an error", "[evaluate][bad]") {
  Inputs in;
  in.with_scores = false;
  CHECK(Errors(in) ==
        "--date: the evaluation date is missing: give --date YYYY-MM-DD (or a meeting_date in the scores)\n");
  in.date = "22/11/2026";
  CHECK(Errors(in) ==
        "--date: found '22/11/2026', but must be a calendar date written YYYY-MM-DD\n");
}

// ---------------------------------------------------------------------------------------
// All files at once

TEST_CASE("problems in the dossier, the criteria set and the scores are all reported at once", "[evaluate][bad]") {
  Inputs in;
  in.dossier = Edit(kDossier, {{"risk_class: IIa", "risk_class: IIB"}, {"{id: S2,", "{id: S1,"}});
  in.criteria = Edit(kCriteria, {{"on_fail: incomplete", "on_fail: incomplet"}, {"\"mcda.total >= 60\"", "\"mcda.total >= \""}});
  in.scores = Edit(kScores, {{"    m1: 3", "    m3: 3"}});
  CHECK(Errors(in) ==
        "c.yaml:12:63: gates.G02.on_fail: found 'incomplet', but must be one of 'inadmissible', "
        "'incomplete', 'route_research', 'refer', 'flag' (did you mean 'incomplete'?)\n"
        "c.yaml:34:30: decision_rules.D2.condition: unexpected end of the expression, expected an operand\n"
        "d.yaml:24:17: device.regulatory.risk_class: found 'IIB', but must be one of 'I', 'Is', 'Im', 'Ir', "
        "'IIa', 'IIb', 'III', 'A', 'B', 'C', 'D' (did you mean 'IIb'?)\n"
        "d.yaml:45:12: evidence.studies[1].id: duplicate study id 'S1' (first at line 44)\n"
        "s.yaml:11:9: scores.C1.m3: 'm3' is not a member listed under members (did you mean 'm1'?)\n"
        "s.yaml:12:40: scores.C1.m2.evidence_refs[1]: 'S2' is not the id of a study of the dossier (did you mean "
        "'S1'?)\n");
}

TEST_CASE("the scores are checked against a dossier and a criteria set that have problems of their own",
          "[evaluate][bad]") {
  // Regression: the scores' dossier_id and evidence references were checked only once the
  // dossier had no problem, so fixing it revealed new ones.
  Inputs in;
  in.dossier = Edit(kDossier, {{"risk_class: IIa", "risk_class: IIB"}});
  in.criteria = Edit(kCriteria, {{"on_fail: incomplete", "on_fail: incomplet"}});
  in.scores = Edit(kScores, {{"dossier_id: B-1", "dossier_id: B-2"}, {"evidence_refs: [S1]}", "evidence_refs: [S9]}"}});
  CHECK(Errors(in) ==
        "c.yaml:12:63: gates.G02.on_fail: found 'incomplet', but must be one of 'inadmissible', 'incomplete', "
        "'route_research', 'refer', 'flag' (did you mean 'incomplete'?)\n"
        "d.yaml:24:17: device.regulatory.risk_class: found 'IIB', but must be one of 'I', 'Is', 'Im', 'Ir', "
        "'IIa', 'IIb', 'III', 'A', 'B', 'C', 'D' (did you mean 'IIb'?)\n"
        "s.yaml:2:13: dossier_id: is 'B-2', but the dossier evaluated is 'B-1'\n"
        "s.yaml:10:70: scores.C1.consensus.evidence_refs[0]: 'S9' is not the id of a study of the dossier (did you "
        "mean 'S1'?)\n");
  // A scale the criteria set's checks reject is not used to judge the scores.
  in.criteria = Edit(kCriteria, {{"{type: ordinal, min: 0, max: 4,", "{type: ordinal, min: 4, max: 0,"}});
  in.scores = kScores;
  CHECK(Errors(in) ==
        "c.yaml:22:14: mcda.criteria.C1.scale: needs min < max (the range a score maps onto 0..1)\n"
        "d.yaml:24:17: device.regulatory.risk_class: found 'IIB', but must be one of 'I', 'Is', 'Im', 'Ir', "
        "'IIa', 'IIb', 'III', 'A', 'B', 'C', 'D' (did you mean 'IIb'?)\n");
}

// ---------------------------------------------------------------------------------------
// Through the binary: exit code 2, nothing on stdout, nothing written

namespace {

const char kBadDossier[] = "tests/data/bad_evaluation/bad.dossier.yaml";
const char kOtherScores[] = "tests/data/bad_evaluation/other.scores.yaml";
const char kNp1Dossier[] = "examples/np1/np1.dossier.yaml";
const char kNp1Criteria[] = "examples/np1/irccs.criteria.yaml";
const char kNp1Scores[] = "examples/np1/np1.scores.yaml";
const char kNp1SelfScores[] = "examples/np1/np1.self_scores.yaml";

// The diagnostics of docs/formats.md §General rules, from the file that example shows.
const char kBadDossierErrors[] =
    "tests/data/bad_evaluation/bad.dossier.yaml:3:15: request_type: found 'new_devise', but must be one of "
    "'new_device', 'new_indication', 'replacement_upgrade', 'trial_or_free_loan', 'research_use', 'disinvestment' "
    "(did you mean 'new_device'?)\n"
    "tests/data/bad_evaluation/bad.dossier.yaml:5:13: device.cnd_code: found 'p0908', but a CND code is a capital "
    "letter followed by pairs of digits (e.g. P0908)\n"
    "tests/data/bad_evaluation/bad.dossier.yaml:6:28: device.regulatory.risk_class: found 'IIB', but must be one of "
    "'I', 'Is', 'Im', 'Ir', 'IIa', 'IIb', 'III', 'A', 'B', 'C', 'D' (did you mean 'IIb'?)\n"
    "tests/data/bad_evaluation/bad.dossier.yaml:6:53: device.regulatory.certificate_expiry: found '2027-02-30', but "
    "must be a calendar date written YYYY-MM-DD\n"
    "tests/data/bad_evaluation/bad.dossier.yaml:8:71: volumes[0].comparator_displaced_pct: found '600', but must be "
    "a percentage in [0, 100]\n"
    "vaglio: error: 5 problems in the evaluation's inputs; nothing was run\n";

using vaglio::testing::TempDir;

bool Exists(const std::string& path) {
  struct stat st {};
  return stat(path.c_str(), &st) == 0;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

TEST_CASE("vaglio evaluate of a bad dossier exits 2, prints nothing and creates no --out directory",
          "[evaluate][bad][cli]") {
  TempDir tmp("bad-eval");
  const std::string out = tmp.path() + "/report";
  for (const char* format : {"json", "text"}) {
    const auto r = RunVaglio({"evaluate", kBadDossier, "--criteria", kNp1Criteria, "--date", "2026-11-22", "--format",
                              format, "--out", out});
    CHECK(r.exit_code == 2);
    CHECK(r.out == "");
    CHECK(r.err == kBadDossierErrors);
    CHECK_FALSE(Exists(out));
  }
}

TEST_CASE("vaglio assess of a bad dossier exits 2 with the same diagnostics", "[evaluate][bad][cli]") {
  TempDir tmp("bad-eval");
  const std::string out = tmp.path() + "/assessment";
  const auto r = RunVaglio({"assess", kBadDossier, "--criteria", kNp1Criteria, "--date", "2026-11-22", "--out", out});
  CHECK(r.exit_code == 2);
  CHECK(r.out == "");
  CHECK(r.err == kBadDossierErrors);
  CHECK_FALSE(Exists(out));
}

TEST_CASE("vaglio evaluate with the scores of another dossier leaves an existing --out directory unchanged",
          "[evaluate][bad][cli]") {
  TempDir tmp("bad-eval");
  {
    std::ofstream f(tmp.path() + "/record.json");
    f << "an earlier record\n";
  }
  const auto r = RunVaglio({"evaluate", kNp1Dossier, "--criteria", kNp1Criteria, "--scores", kOtherScores, "--out",
                            tmp.path(), "--threads", "1"});
  CHECK(r.exit_code == 2);
  CHECK(r.out == "");
  CHECK(r.err ==
        "tests/data/bad_evaluation/other.scores.yaml:3:13: dossier_id: is 'IOE-2026-0148', but the dossier "
        "evaluated is 'IOE-2026-0147'\n"
        "vaglio: error: 1 problem in the evaluation's inputs; nothing was run\n");
  CHECK(ReadFile(tmp.path() + "/record.json") == "an earlier record\n");
  CHECK_FALSE(Exists(tmp.path() + "/report.md"));
}

TEST_CASE("vaglio evaluate with a criteria file that does not exist exits 2", "[evaluate][bad][cli]") {
  const auto r = RunVaglio({"evaluate", kNp1Dossier, "--criteria", "no/such.criteria.yaml", "--date", "2026-11-22"});
  CHECK(r.exit_code == 2);
  CHECK(r.out == "");
  CHECK(r.err ==
        "no/such.criteria.yaml: cannot read the criteria set: No such file or directory\n"
        "vaglio: error: 1 problem in the evaluation's inputs; nothing was run\n");
}

// ---------------------------------------------------------------------------------------
// Determinism

TEST_CASE("vaglio evaluate and assess of the NP1 example print the same bytes on 1, 2 and 8 threads",
          "[evaluate][bad][cli][determinism]") {
  // The NP1 criteria set runs 1000 PSA draws and 2000 random weightings, both split
  // across the threads.
  auto run = [](std::vector<std::string> args, const char* threads) {
    args.insert(args.end(), {"--format", "json", "--threads", threads});
    const auto r = RunVaglio(args);
    INFO(r.err);
    CHECK(r.exit_code == 0);
    CHECK(r.err == "");
    return r.out;
  };
  const std::vector<std::string> evaluate = {"evaluate", kNp1Dossier, "--criteria", kNp1Criteria, "--scores", kNp1Scores};
  const std::string one = run(evaluate, "1");
  CHECK(one.find("\"psa_draws\": 1000") != std::string::npos);
  CHECK(run(evaluate, "2") == one);
  CHECK(run(evaluate, "8") == one);
  const std::vector<std::string> assess = {"assess", kNp1Dossier, "--criteria", kNp1Criteria,
                                           "--scores", kNp1SelfScores, "--date", "2026-11-22"};
  const std::string a1 = run(assess, "1");
  CHECK(a1.find("\"likely_outcome\"") != std::string::npos);
  CHECK(run(assess, "2") == a1);
  CHECK(run(assess, "8") == a1);
}
