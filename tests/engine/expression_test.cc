#include "engine/expr/expression.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "engine/expr/json_context.h"
#include "engine/expr/value.h"

namespace expr = vaglio::engine::expr;
using expr::Value;
using Json = nlohmann::ordered_json;

namespace Catch {
template <>
struct StringMaker<Value> {
  static std::string convert(const Value& v) { return v.ToString(); }
};
}  // namespace Catch

namespace {

// A small evaluation context: a dossier, the committee's scores and the model's results.
constexpr const char* kContext = R"({
  "device": {
    "name": "CardioSeal",
    "regulatory": {"risk_class": "III", "implantable": true, "certificate_expiry": "2027-03-01",
                   "rdm_number": "1234567", "udi_di": "", "notified_body": null},
    "models": ["CS-100", "CS-200"]
  },
  "pico": {"on_label": true, "comparators": [{"name": "open surgery"}], "outcomes": []},
  "evidence": {"studies": [{"design": "RCT", "n": 120}, {"design": "cohort", "n": 300}],
               "search_date": "2026-13-01"},
  "gates": {"G01": {"passed": true}, "G08": {"passed": false}},
  "criteria": {"C04": 3, "C05": 3, "C07": 2, "C09": 2},
  "mcda": {"total": 72.5},
  "robustness": {"stable": true},
  "economics": {"icer": null, "delta_cost": 12000, "delta_effect": 0.4},
  "wtp": {"lower": 25000, "upper": 40000},
  "bia": {"year0": 0, "year1": 180000, "2027": 150000},
  "budget_authority": 150000,
  "scores": [2, 3, 4, 1, 0, 4, 3],
  "flags": [true, false],
  "empty": {}
})";

int32_t Day(const char* iso) { return *expr::ParseDate(iso); }

struct Env {
  Json json = Json::parse(kContext);
  expr::JsonContext ctx{&json};
  Env() { ctx.Set("today", Value::Date(Day("2026-11-22"))); }

  expr::Expression Parse(const std::string& text) {
    auto p = expr::Expression::Parse(text);
    INFO(text << (std::holds_alternative<expr::Error>(p) ? " -> " + std::get<expr::Error>(p).message
                                                         : std::string()));
    REQUIRE(std::holds_alternative<expr::Expression>(p));
    return std::get<expr::Expression>(std::move(p));
  }
  expr::Evaluation Eval(const std::string& text) {
    auto e = Parse(text).Evaluate(ctx);
    INFO(text << (std::holds_alternative<expr::Error>(e) ? " -> " + std::get<expr::Error>(e).message
                                                         : std::string()));
    REQUIRE(std::holds_alternative<expr::Evaluation>(e));
    return std::get<expr::Evaluation>(std::move(e));
  }
  Value V(const std::string& text) { return Eval(text).value; }
  double N(const std::string& text) {
    Value v = V(text);
    INFO(text << " = " << v.ToString());
    REQUIRE(v.type() == Value::Type::kNumber);
    return v.AsNumber();
  }
  bool B(const std::string& text) {
    Value v = V(text);
    INFO(text << " = " << v.ToString());
    REQUIRE(v.type() == Value::Type::kBool);
    return v.AsBool();
  }
  expr::Error ParseError(const std::string& text) {
    auto p = expr::Expression::Parse(text);
    INFO(text);
    REQUIRE(std::holds_alternative<expr::Error>(p));
    return std::get<expr::Error>(p);
  }
  expr::Error EvalError(const std::string& text) {
    auto e = Parse(text).Evaluate(ctx);
    INFO(text);
    REQUIRE(std::holds_alternative<expr::Error>(e));
    return std::get<expr::Error>(e);
  }
};

std::string Describe(const std::vector<expr::Operand>& ops) {
  std::string out;
  for (const expr::Operand& o : ops) {
    out +=
        (out.empty() ? "" : "; ") + o.path + " = " + (o.missing ? "missing" : o.value.ToString());
  }
  return out;
}

}  // namespace

TEST_CASE("values print and name their types as documented", "[engine][expr]") {
  CHECK(Value::Null().ToString() == "null");
  CHECK(Value::Bool(true).ToString() == "true");
  CHECK(Value::Number(70).ToString() == "70");
  CHECK(Value::Number(0.1).ToString() == "0.1");
  CHECK(Value::String("III").ToString() == "'III'");
  CHECK(Value::String("it's").ToString() == "'it\\'s'");
  CHECK(Value::Date(Day("2026-11-22")).ToString() == "2026-11-22");
  CHECK(Value::List({Value::Number(1), Value::String("a")}).ToString() == "[1, 'a']");
  CHECK(Value::TypeName(Value::Type::kBool) == "boolean");
  CHECK(Value::TypeName(Value::Type::kList) == "list");
  CHECK(Value::Described(Value::Type::kNumber) == "a number");
  CHECK(Value::Described(Value::Type::kNull) == "null");
  CHECK_THROWS(Value::Number(1).AsString());
}

TEST_CASE("dates are real calendar days counted from 1970-01-01", "[engine][expr][date]") {
  CHECK(expr::ParseDate("1970-01-01") == 0);
  CHECK(expr::ParseDate("1969-12-31") == -1);
  CHECK(expr::ParseDate("2026-11-22") == 20779);
  CHECK(expr::ParseDate("2024-02-29") == 19782);     // a leap year
  CHECK(expr::ParseDate("2000-02-29").has_value());  // divisible by 400: leap
  CHECK(expr::ParseDate("0001-01-01") == expr::kMinDate);
  CHECK(expr::ParseDate("9999-12-31") == expr::kMaxDate);
  // Rejected: not a real day, or not written YYYY-MM-DD.
  CHECK_FALSE(expr::ParseDate("2026-02-30").has_value());
  CHECK_FALSE(expr::ParseDate("2023-02-29").has_value());
  CHECK_FALSE(expr::ParseDate("1900-02-29").has_value());  // divisible by 100, not 400
  CHECK_FALSE(expr::ParseDate("2026-04-31").has_value());
  CHECK_FALSE(expr::ParseDate("2026-13-01").has_value());
  CHECK_FALSE(expr::ParseDate("2026-00-10").has_value());
  CHECK_FALSE(expr::ParseDate("0000-01-01").has_value());
  CHECK_FALSE(expr::ParseDate("2026-2-3").has_value());
  CHECK_FALSE(expr::ParseDate("2026-11-22T10:00").has_value());
  CHECK_FALSE(expr::ParseDate("2026/11/22").has_value());
  CHECK(expr::FormatDate(19782) == "2024-02-29");
  CHECK(expr::FormatDate(expr::kMinDate) == "0001-01-01");
  for (int32_t d = expr::kMinDate; d <= expr::kMaxDate; d += 97) {
    REQUIRE(expr::ParseDate(expr::FormatDate(d)) == d);
  }
}

TEST_CASE("literals read as numbers, strings, booleans, null, lists and dates", "[engine][expr]") {
  Env e;
  CHECK(e.N("70") == 70);
  CHECK(e.N("0.5") == 0.5);
  CHECK(e.N("1e3") == 1000);
  CHECK(e.N("2.5E-1") == 0.25);
  CHECK(e.N(".5") == 0.5);
  CHECK(e.N("2.") == 2);
  CHECK(e.N("1.5e+2") == 150);
  CHECK(e.V("'IIb'") == Value::String("IIb"));
  CHECK(e.V("\"IIb\"") == Value::String("IIb"));
  CHECK(e.V("'it\\'s'") == Value::String("it's"));
  CHECK(e.V("\"say \\\"no\\\"\"") == Value::String("say \"no\""));
  CHECK(e.V("'a\\\\b'") == Value::String("a\\b"));
  CHECK(e.V("true") == Value::Bool(true));
  CHECK(e.V("false") == Value::Bool(false));
  CHECK(e.V("null") == Value::Null());
  CHECK(e.V("[]") == Value::List({}));
  CHECK(e.V("['IIb', 'III']") == Value::List({Value::String("IIb"), Value::String("III")}));
  CHECK(e.V("[1 + 1, wtp.lower]") == Value::List({Value::Number(2), Value::Number(25000)}));
  CHECK(e.V("date('2026-11-22')") == Value::Date(20779));
  CHECK(e.V("today") == Value::Date(20779));
  CHECK(e.V("  70\n") == Value::Number(70));  // spaces, tabs and new lines are ignored
}

TEST_CASE("arithmetic computes with doubles and keeps C precedence and associativity",
          "[engine][expr]") {
  Env e;
  CHECK(e.N("1 + 2 * 3") == 7);
  CHECK(e.N("(1 + 2) * 3") == 9);
  CHECK(e.N("10 - 3 - 2") == 5);  // left to right
  CHECK(e.N("24 / 4 / 2") == 3);
  CHECK(e.N("7 / 2") == 3.5);
  CHECK(e.N("-2 * 3") == -6);
  CHECK(e.N("- -3") == 3);
  CHECK(e.N("-(1 + 2)") == -3);
  CHECK(e.N("2 - -1") == 3);
  CHECK(e.N("economics.delta_cost / economics.delta_effect") == 30000);
  CHECK(e.N("bia.year1 - budget_authority") == 30000);
  CHECK(e.N("bia.2027") == 150000);  // a key made of digits
}

TEST_CASE("comparisons compare numbers exactly, and dates, strings, booleans and null",
          "[engine][expr]") {
  Env e;
  CHECK(e.B("criteria.C07 < 3"));
  CHECK(e.B("criteria.C07 <= 2"));
  CHECK_FALSE(e.B("criteria.C07 > 2"));
  CHECK(e.B("criteria.C07 >= 2"));
  CHECK(e.B("criteria.C07 == 2"));
  CHECK(e.B("criteria.C07 != 3"));
  CHECK(e.B("2 == 2.0"));
  CHECK_FALSE(e.B("0.1 + 0.2 == 0.3"));  // exact: 0.1 + 0.2 is 0.30000000000000004
  CHECK(e.B("mcda.total >= 70"));
  CHECK(e.B("device.regulatory.risk_class == 'III'"));
  CHECK(e.B("device.regulatory.risk_class != 'iii'"));  // case matters
  CHECK(e.B("device.regulatory.implantable == true"));
  CHECK(e.B("null == null"));
  CHECK(e.B("economics.icer == null"));
  CHECK_FALSE(e.B("economics.icer != null"));
  CHECK_FALSE(e.B("economics.icer == 0"));  // null equals only null
  CHECK(e.B("device.models == ['CS-100', 'CS-200']"));
  CHECK_FALSE(e.B("device.models == ['CS-100']"));
  CHECK(e.B("device.regulatory.certificate_expiry >= today"));
  CHECK(e.B("today == '2026-11-22'"));  // an ISO date string next to a date is a date
  CHECK(e.B("'2026-11-21' < today"));
  CHECK(e.B("today != date('2026-11-21')"));
}

TEST_CASE("dates subtract to days and move by whole days", "[engine][expr][date]") {
  Env e;
  CHECK(e.N("today - date('2026-01-01')") == 325);
  CHECK(e.N("today - '2026-11-01'") == 21);
  CHECK(e.N("device.regulatory.certificate_expiry - today") == 99);
  CHECK(e.V("date('2026-02-28') + 1") == Value::Date(Day("2026-03-01")));
  CHECK(e.V("date('2024-02-28') + 1") == Value::Date(Day("2024-02-29")));
  CHECK(e.V("date('2024-03-01') - 1") == Value::Date(Day("2024-02-29")));
  CHECK(e.V("365 + date('2023-03-01')") == Value::Date(Day("2024-02-29")));
  CHECK(e.V("today + 18 * 30") == Value::Date(Day("2028-05-15")));
  CHECK(e.N("days(date('2024-01-01'), date('2025-01-01'))") == 366);
  CHECK(e.N("days('2025-01-01', '2026-01-01')") == 365);
  CHECK(e.N("days(today, '2026-11-01')") == -21);
  CHECK(e.B("device.regulatory.certificate_expiry - today >= 90"));
}

TEST_CASE("&& || ! ?: need booleans and && binds tighter than ||", "[engine][expr]") {
  Env e;
  CHECK(e.B("true && true"));
  CHECK_FALSE(e.B("true && false"));
  CHECK_FALSE(e.B("false && true"));
  CHECK(e.B("false || true"));
  CHECK_FALSE(e.B("false || false"));
  CHECK(e.B("!false"));
  CHECK(e.B("!!true"));
  CHECK(e.B("true || false && false"));  // true || (false && false)
  CHECK_FALSE(e.B("(true || false) && false"));
  CHECK(e.B("!true || true"));   // (!true) || true
  CHECK(e.B("!false == true"));  // (!false) == true
  CHECK(e.B("1 + 2 == 3 && 2 * 3 > 5"));
  CHECK(e.B("1 < 2 == true"));  // (1 < 2) == true
  CHECK(e.B("2 + 3 in [5]"));   // (2 + 3) in [5]
  CHECK(e.V("criteria.C07 >= 3 ? 'high' : 'low'") == Value::String("low"));
  CHECK(e.N("false ? 1 : true ? 2 : 3") == 2);  // ?: groups to the right
  CHECK(e.N("true ? 1 : 0 + 10") == 1);         // ?: is the loosest
  CHECK(e.N("(true ? 1 : 0) + 10") == 11);
  CHECK(e.N("true ? false ? 1 : 2 : 3") == 2);
}

TEST_CASE("in and not in test membership in a list or a substring of a string", "[engine][expr]") {
  Env e;
  CHECK(e.B("device.regulatory.risk_class in ['IIb', 'III']"));
  CHECK(e.B("'IIa' not in ['IIb', 'III']"));
  CHECK_FALSE(e.B("'IIa' in []"));
  CHECK(e.B("criteria.C07 in [1, 2]"));
  CHECK(e.B("'CS-200' in device.models"));
  CHECK(e.B("'Seal' in device.name"));
  CHECK_FALSE(e.B("'seal' in device.name"));  // case matters
  CHECK(e.B("'' in device.name"));
  CHECK(e.B("null in [1, null]"));
  CHECK_FALSE(e.B("economics.icer in [1, 2]"));
  CHECK(e.B("today in ['2026-11-21', '2026-11-22']"));
  CHECK(e.B("[1, 2] in [[1, 2], [3]]"));
  CHECK(e.B("2 in [1, 'two', 2]"));  // elements of other types just do not match
  CHECK(e.B("'x' not in 'abc'"));
}

TEST_CASE("present() is false for a missing path, null, '' and [], true otherwise",
          "[engine][expr]") {
  Env e;
  CHECK(e.B("present(device.regulatory.rdm_number)"));
  CHECK_FALSE(e.B("present(device.regulatory.sscp)"));  // missing: no error
  CHECK_FALSE(e.B("present(nothing.at.all)"));
  CHECK_FALSE(e.B("present(device.regulatory.notified_body)"));  // null
  CHECK_FALSE(e.B("present(device.regulatory.udi_di)"));         // ''
  CHECK_FALSE(e.B("present(pico.outcomes)"));                    // []
  CHECK(e.B("present(evidence.studies)"));
  CHECK(e.B("present(bia.year0)"));          // 0 is a value
  CHECK(e.B("present(gates.G08.passed)"));   // false is a value
  CHECK(e.B("present(device.regulatory)"));  // a level with keys
  CHECK_FALSE(e.B("present(empty)"));        // a level without keys
  CHECK(e.B("present(today)"));
}

TEST_CASE("functions compute what docs/expressions.md says", "[engine][expr]") {
  Env e;
  CHECK(e.N("count(device.models)") == 2);
  CHECK(e.N("count(evidence.studies)") == 2);  // objects in a list are counted
  CHECK(e.N("count([])") == 0);
  CHECK(e.N("count(economics.icer)") == 0);  // count(null) is 0
  CHECK(e.N("min(3, 1, 2)") == 1);
  CHECK(e.N("max(3, 1, 2)") == 3);
  CHECK(e.N("min(criteria.C04, criteria.C07)") == 2);
  CHECK(e.N("min(scores)") == 0);
  CHECK(e.N("max(scores, 9)") == 9);
  CHECK(e.N("min(7)") == 7);
  CHECK(e.V("max(today, device.regulatory.certificate_expiry)") == Value::Date(Day("2027-03-01")));
  CHECK(e.N("abs(-2.5)") == 2.5);
  CHECK(e.N("abs(wtp.lower - wtp.upper)") == 15000);
  CHECK(e.N("len('')") == 0);
  CHECK(e.N("len(device.name)") == 10);
  CHECK(e.N("len('città')") == 5);  // characters, not bytes
  CHECK(e.B("any(flags)"));
  CHECK_FALSE(e.B("all(flags)"));
  CHECK_FALSE(e.B("any([])"));
  CHECK(e.B("all([])"));
  CHECK(e.B("all([criteria.C04 >= 3, criteria.C05 >= 3])"));
  CHECK(e.V("date(device.regulatory.certificate_expiry)") == Value::Date(Day("2027-03-01")));
  CHECK(e.N("days(today, device.regulatory.certificate_expiry)") == 99);
}

TEST_CASE("&& || and ?: read only the side they need", "[engine][expr][short-circuit]") {
  Env e;
  expr::Evaluation a = e.Eval("false && no.such.path");
  CHECK(a.value == Value::Bool(false));
  CHECK(a.operands.empty());
  CHECK(a.rendered == "false && no.such.path");
  CHECK(e.B("true || no.such.path"));
  CHECK(e.N("true ? 1 : no.such.path") == 1);
  expr::Evaluation b = e.Eval("criteria.C07 >= 3 && no.such.path > 1");
  CHECK_FALSE(b.value.AsBool());
  CHECK(Describe(b.operands) == "criteria.C07 = 2");
  CHECK(b.rendered == "2 >= 3 && no.such.path > 1");
  expr::Evaluation c = e.Eval("criteria.C07 == 2 ? wtp.lower : wtp.upper");
  CHECK(c.value == Value::Number(25000));
  CHECK(Describe(c.operands) == "criteria.C07 = 2; wtp.lower = 25000");
  CHECK(c.rendered == "2 == 2 ? 25000 : wtp.upper");
}

TEST_CASE("the example gates and rules of domain.md record the operands they read",
          "[engine][expr]") {
  Env e;
  SECTION("G01: valid CE certificate and on-label use") {
    const char* g01 =
        "present(device.regulatory.certificate_expiry) && "
        "device.regulatory.certificate_expiry >= today && pico.on_label";
    expr::Evaluation r = e.Eval(g01);
    CHECK(r.value == Value::Bool(true));
    CHECK(Describe(r.operands) ==
          "device.regulatory.certificate_expiry = 2027-03-01; today = 2026-11-22; pico.on_label = "
          "true");
    CHECK(r.rendered == "present(2027-03-01) && 2027-03-01 >= 2026-11-22 && true");
    CHECK(e.Parse(g01).Paths() == std::vector<std::string>{"device.regulatory.certificate_expiry",
                                                           "today", "pico.on_label"});
    // Without a certificate the gate fails without reading further, and says why.
    e.json["device"]["regulatory"].erase("certificate_expiry");
    expr::Evaluation f = e.Eval(g01);
    CHECK(f.value == Value::Bool(false));
    CHECK(Describe(f.operands) == "device.regulatory.certificate_expiry = missing");
    REQUIRE(f.operands.size() == 1);
    CHECK(f.operands[0].missing);
    CHECK(f.rendered ==
          "present(missing) && device.regulatory.certificate_expiry >= today && pico.on_label");
  }
  SECTION("G02: RDM number present") {
    expr::Evaluation r = e.Eval("present(device.regulatory.rdm_number)");
    CHECK(r.value == Value::Bool(true));
    CHECK(Describe(r.operands) == "device.regulatory.rdm_number = '1234567'");
  }
  SECTION("G03: at least one comparator and one critical outcome") {
    expr::Evaluation r = e.Eval("count(pico.comparators) >= 1 && count(pico.outcomes) >= 1");
    CHECK(r.value == Value::Bool(false));
    CHECK(r.rendered == "count([null]) >= 1 && count([]) >= 1");
  }
  SECTION("G08: year-1 cost above the delegated authority") {
    expr::Evaluation r = e.Eval("bia.year1 > budget_authority");
    CHECK(r.value == Value::Bool(true));
    CHECK(Describe(r.operands) == "bia.year1 = 180000; budget_authority = 150000");
    CHECK(r.rendered == "180000 > 150000");
  }
  SECTION("D02 and D03: rules over gate results") {
    CHECK_FALSE(e.B("!gates.G01.passed"));
    CHECK(e.B("!gates.G08.passed"));
  }
  SECTION("D04: less safe or less effective") {
    expr::Evaluation r = e.Eval("criteria.C05 == 1 || criteria.C04 == 1");
    CHECK(r.value == Value::Bool(false));
    CHECK(Describe(r.operands) == "criteria.C05 = 3; criteria.C04 = 3");
    CHECK(r.rendered == "3 == 1 || 3 == 1");
  }
  SECTION("D05: very low certainty for a class III or implantable device") {
    const char* d05 =
        "criteria.C07 <= 1 && (device.regulatory.risk_class == 'III' || "
        "device.regulatory.implantable)";
    expr::Evaluation r = e.Eval(d05);
    CHECK(r.value == Value::Bool(false));
    CHECK(Describe(r.operands) == "criteria.C07 = 2");
    CHECK(r.rendered ==
          "2 <= 1 && (device.regulatory.risk_class == 'III' || device.regulatory.implantable)");
    e.json["criteria"]["C07"] = 1;
    expr::Evaluation m = e.Eval(d05);
    CHECK(m.value == Value::Bool(true));
    CHECK(Describe(m.operands) == "criteria.C07 = 1; device.regulatory.risk_class = 'III'");
    CHECK(m.rendered == "1 <= 1 && ('III' == 'III' || device.regulatory.implantable)");
  }
  SECTION("D06: high total, adequate certainty, stable decision") {
    const char* d06 = "mcda.total >= 70 && criteria.C07 >= 3 && robustness.stable";
    expr::Evaluation r = e.Eval(d06);
    CHECK(r.value == Value::Bool(false));
    CHECK(Describe(r.operands) == "mcda.total = 72.5; criteria.C07 = 2");
    CHECK(r.rendered == "72.5 >= 70 && 2 >= 3 && robustness.stable");
    e.json["criteria"]["C07"] = 3;
    expr::Evaluation m = e.Eval(d06);
    CHECK(m.value == Value::Bool(true));
    CHECK(Describe(m.operands) == "mcda.total = 72.5; criteria.C07 = 3; robustness.stable = true");
  }
  SECTION("D07's default conditions: a price agreement when C09 or C10 is low") {
    e.json["criteria"]["C10"] = 3;
    expr::Evaluation r = e.Eval("mcda.total >= 55 && (criteria.C09 <= 2 || criteria.C10 <= 2)");
    CHECK(r.value == Value::Bool(true));
    CHECK(Describe(r.operands) == "mcda.total = 72.5; criteria.C09 = 2");
  }
  SECTION("the class of the device, as in the design") {
    expr::Evaluation r = e.Eval("device.regulatory.risk_class in ['IIb','III']");
    CHECK(r.value == Value::Bool(true));
    REQUIRE(r.operands.size() == 1);
    CHECK(r.operands[0].path == "device.regulatory.risk_class");
    CHECK(r.operands[0].value == Value::String("III"));
    CHECK(r.rendered == "'III' in ['IIb', 'III']");
  }
}

TEST_CASE("a path read twice is one operand, and long lists are abbreviated in renderings",
          "[engine][expr]") {
  Env e;
  expr::Evaluation r = e.Eval("criteria.C07 >= 1 && criteria.C07 <= 4");
  CHECK(Describe(r.operands) == "criteria.C07 = 2");
  expr::Evaluation s = e.Eval("count(scores) == 7");
  CHECK(s.rendered == "count([2, 3, 4, 1, 0, ... (7 items)]) == 7");
  CHECK(s.operands[0].value.AsList().size() == 7);  // the operand keeps the whole list
  CHECK(e.Eval("present(device.regulatory)").rendered ==
        "present({risk_class, implantable, certificate_expiry, rdm_number, udi_di, ... (6 keys)})");
}

TEST_CASE("renderings keep the parentheses that precedence needs, and no others",
          "[engine][expr]") {
  Env e;
  CHECK(e.Parse("(1 + 2) * 3").Canonical() == "(1 + 2) * 3");
  CHECK(e.Parse("1 + (2 * 3)").Canonical() == "1 + 2 * 3");
  CHECK(e.Parse("1 - (2 - 3)").Canonical() == "1 - (2 - 3)");
  CHECK(e.Parse("(1 - 2) - 3").Canonical() == "1 - 2 - 3");
  CHECK(e.Parse("!(a && b)").Canonical() == "!(a && b)");
  CHECK(e.Parse("a ? b : (c ? d : e)").Canonical() == "a ? b : c ? d : e");
  CHECK(e.Parse("(a ? b : c) ? d : e").Canonical() == "(a ? b : c) ? d : e");
  CHECK(e.Parse("(a < b) == c").Canonical() == "a < b == c");
  CHECK(e.Parse("(a == b) == c").Canonical() == "(a == b) == c");
  CHECK(e.Parse("x   not  in[\"a\",'b']").Canonical() == "x not in ['a', 'b']");
  CHECK(e.Parse("- (-3)").Canonical() == "-(-3)");
  CHECK(e.Eval("-bia.year1 + -(wtp.lower)").rendered == "-180000 + -25000");
  e.json["bia"]["year1"] = -5;
  CHECK(e.Eval("-bia.year1").rendered == "-(-5)");
}

TEST_CASE("Paths lists every path once, including skipped branches and present()",
          "[engine][expr]") {
  Env e;
  CHECK(e.Parse("a.b > 1 ? present(c) : a.b + d.e1").Paths() ==
        std::vector<std::string>{"a.b", "c", "d.e1"});
  CHECK(e.Parse("count([1, 2]) == 2").Paths().empty());
}

TEST_CASE("syntax errors name the offending token and where it is", "[engine][expr][errors]") {
  Env e;
  struct Case {
    const char* text;
    int offset;
    const char* message;
  };
  const Case cases[] = {
      {"1 + (2 * 3", 10, "expected ')' to close the '(' at 4"},
      {"min(1, 2", 8, "expected ',' or ')' to close the '(' at 3"},
      {"(1 + 2 3)", 7, "expected ')' to close the '(' at 0, found number 3"},
      {"[1, 2", 5, "expected ',' or ']' to close the '[' at 0"},
      {"1 +", 3, "unexpected end of the expression, expected an operand"},
      {"", 0, "the expression is empty"},
      {"   ", 0, "the expression is empty"},
      {"1 + )", 4, "unexpected ')', expected an operand"},
      {"a)", 1, "unexpected ')': there is no '(' to close"},
      {"a b", 2, "unexpected name 'b', expected an operator or the end of the expression"},
      {"a and b", 2,
       "unexpected name 'and', expected an operator or the end of the expression (write '&&' for "
       "'and')"},
      {"a ? b", 5, "expected ':' to go with the '?' at 2"},
      {"x = 3", 2, "'=' is not an operator: write '==' to compare"},
      {"a & b", 2, "'&' is not an operator: write '&&' for 'and'"},
      {"1 < x < 3", 6,
       "'<' cannot follow another comparison without parentheses (write 'a < b && b < c')"},
      {"a == b != c", 7,
       "'!=' cannot follow another comparison without parentheses (write 'a < b && b < c')"},
      {"'abc", 0, "unterminated string: the quote at 0 is never closed"},
      {"'a\\nb'", 2, "unknown escape '\\n' in a string: only \\\\, \\' and \\\" are escapes"},
      {"3abc", 0, "malformed number '3abc'"},
      {"1e", 0, "malformed number '1e'"},
      {"1e999", 0, "number '1e999' is too large"},
      {"device. name", 6, "expected a key after the '.' of 'device.'"},
      {"true.x", 0, "'true' is a reserved word and cannot start a path"},
      {"a # b", 2, "unexpected character '#'"},
      {"a ≥ b", 2, "unexpected character '≥'"},
      {"not a", 0, "'not' is only used in 'not in': write '!' to negate"},
      {"a not b", 2, "expected 'in' after 'not' (write '!' to negate)"},
      {"cont(x)", 0, "unknown function 'cont' (did you mean 'count'?)"},
      {"sqrt(x)", 0, "unknown function 'sqrt'"},
      {"a.b(1)", 0,
       "'a.b' is followed by '(', but function names have no '.'; paths cannot be called"},
      {"days(today)", 0, "days() takes 2 arguments, but 1 was given"},
      {"abs(1, 2)", 0, "abs() takes 1 argument, but 2 were given"},
      {"min()", 0, "min() takes at least 1 argument, but none were given"},
      {"present(1 + 2)", 8, "present() takes a path (such as evidence.studies), not an expression"},
      {"date('2026-02-30')", 5, "date(): '2026-02-30' is not a calendar date written YYYY-MM-DD"},
  };
  for (const Case& c : cases) {
    INFO(c.text);
    expr::Error err = e.ParseError(c.text);
    CHECK(err.message == c.message);
    CHECK(err.offset == c.offset);
  }
}

TEST_CASE("nesting is bounded, so that no expression can exhaust the stack",
          "[engine][expr][errors]") {
  Env e;
  CHECK(e.N(std::string(99, '(') + "1" + std::string(99, ')')) == 1);
  expr::Error err = e.ParseError(std::string(100, '(') + "1" + std::string(100, ')'));
  CHECK(err.message == "the expression nests more than 100 levels deep");
  CHECK(err.offset == 100);
  CHECK(e.ParseError(std::string(200, '!') + "true").offset == 100);
}

TEST_CASE("evaluation errors name the operator, the types found and what is needed",
          "[engine][expr][errors]") {
  Env e;
  e.ctx.SetNullReason("economics.icer", "undefined ICER");
  struct Case {
    const char* text;
    int offset;
    const char* message;
  };
  const Case cases[] = {
      {"criteria.C07 >= 'high'", 13,
       "'>=' compares a number with a string, but needs two numbers or two dates"},
      {"'IIb' < 'III'", 6,
       "'<' compares a string with a string, but needs two numbers or two dates"},
      {"criteria.C07 == '2'", 13,
       "'==' compares a number with a string, but needs two values of the same type (or null)"},
      {"today == 'soon'", 6,
       "'==' compares a date with a string, but 'soon' is not a date written YYYY-MM-DD"},
      {"evidence.search_date < today", 21,  // "2026-13-01" is no date, so it stayed a string
       "'<' compares a string with a date, but '2026-13-01' is not a date written YYYY-MM-DD"},
      {"economics.icer <= wtp.upper", 15,
       "economics.icer is null (undefined ICER), but '<=' needs a number"},
      {"device.regulatory.notified_body * 2", 32,
       "device.regulatory.notified_body is null, but '*' needs a number"},
      {"null < 1", 5, "'<' compares null with a number, but needs two numbers or two dates"},
      {"economics.delta_cost / bia.year0", 21, "'/' divides by zero (bia.year0 is 0)"},
      {"1 / (2 - 2)", 2, "'/' divides by zero"},
      {"1e308 * 10", 6, "'*' overflows: the result is too large for a number"},
      {"1 + 'a'", 2,
       "'+' is applied to a number and a string, but needs two numbers, or a date and "
       "a number of days"},
      {"1 - today", 2,
       "'-' is applied to a number and a date, but needs two numbers, two dates, or "
       "a date and a number of days"},
      {"today * 2", 6, "'*' is applied to a date and a number, but needs two numbers"},
      {"today + 1.5", 6, "'+' adds 1.5 days to a date, but the number of days must be whole"},
      {"today - 0.5", 6,
       "'-' subtracts 0.5 days from a date, but the number of days must be whole"},
      {"date('9999-12-31') + 1", 19, "'+' gives a date outside the years 0001 to 9999"},
      {"criteria.C07 && true", 13, "the left side of '&&' is a number, but must be true or false"},
      {"false || false || 'yes' || false", 15,  // left-associative: the second '||' fails
       "the right side of '||' is a string, but must be true or false"},
      {"!criteria.C07", 0, "'!' is applied to a number, but needs true or false"},
      {"-device.name", 0, "'-' is applied to a string, but needs a number"},
      {"criteria.C07 ? 1 : 0", 13, "the condition of '?' is a number, but must be true or false"},
      {"3 in device.models", 2,
       "'in' looks for a number in a list of strings, but a number can only be found among "
       "numbers"},
      {"'x' in [1, today]", 4,
       "'in' looks for a string in a list of numbers and dates, but a string can only be found "
       "among strings"},
      {"3 in device.name", 2,
       "'in' looks for a number in a string, but only a string can be found in a string"},
      {"3 in criteria.C07", 2, "'in' needs a list or a string on its right, but found a number"},
      {"'a' in economics.icer", 4,
       "economics.icer is null (undefined ICER), but 'in' needs a list or a string on its right"},
      {"device.regulatory.risk_clas == 'III'", 0,
       "unknown name 'device.regulatory.risk_clas': 'device.regulatory' has no 'risk_clas' (did "
       "you mean 'risk_class'?)"},
      {"devce.name", 0, "unknown name 'devce.name': there is no 'devce' (did you mean 'device'?)"},
      {"tody", 0, "unknown name 'tody' (did you mean 'today'?)"},
      {"1 + economics.icer.value", 4,
       "unknown name 'economics.icer.value': 'economics.icer' is null, not a group of keys"},
      {"device.regulatory == 'III'", 0,
       "'device.regulatory' is a group of keys, not a value (its keys: 'risk_class', "
       "'implantable', 'certificate_expiry', 'rdm_number', 'udi_di', 'notified_body')"},
      {"count > 1", 0, "unknown name 'count' ('count' is a function: call it as count(...))"},
      {"count(device.name)", 6,
       "count() needs a list, but found a string (len() gives the length of a string)"},
      {"len(device.models)", 4,
       "len() needs a string, but found a list (count() gives the length of a list)"},
      {"abs(economics.icer)", 4,
       "economics.icer is null (undefined ICER), but abs() needs a number"},
      {"abs('1')", 4, "abs() needs a number, but found a string"},
      {"any(scores)", 4, "any() needs a list of booleans, but item 1 is a number"},
      {"all(true)", 4, "all() needs a list of booleans, but found a boolean"},
      {"min(1, today)", 7,
       "min() is given a number and a date, but needs numbers only or dates only"},
      {"max(device.models)", 4, "max() needs numbers or dates, but argument 1 holds a string"},
      {"min([], [])", 0, "min() has no value to choose from: its lists are empty"},
      {"date(device.name)", 5, "date(): 'CardioSeal' is not a calendar date written YYYY-MM-DD"},
      {"date(3)", 5, "date() needs a string written YYYY-MM-DD, but found a number"},
      {"days(today, 3)", 12, "days() needs two dates, but argument 2 is a number"},
  };
  for (const Case& c : cases) {
    INFO(c.text);
    expr::Error err = e.EvalError(c.text);
    CHECK(err.message == c.message);
    CHECK(err.offset == c.offset);
  }
}

TEST_CASE("a JSON context reads ISO dates as dates, arrays as lists and set names first",
          "[engine][expr][json]") {
  Json j = Json::parse(R"({"a": {"when": "2026-01-31", "not_a_date": "2026-01-32", "n": 3,
                            "big": 18446744073709551615, "list": [1, "x", null, {"k": 1}, [true]]}})");
  expr::JsonContext ctx(&j);
  std::vector<std::string> keys;
  CHECK(ctx.Lookup("a.when", &keys) == Value::Date(Day("2026-01-31")));
  CHECK(ctx.Lookup("a.not_a_date", &keys) == Value::String("2026-01-32"));
  CHECK(ctx.Lookup("a.big", &keys) == Value::Number(18446744073709551615.0));
  CHECK(ctx.Lookup("a.list", &keys) ==
        Value::List({Value::Number(1), Value::String("x"), Value::Null(), Value::Null(),
                     Value::List({Value::Bool(true)})}));
  CHECK_FALSE(ctx.Lookup("a", &keys).has_value());  // a level, not a value
  CHECK(keys == std::vector<std::string>{"when", "not_a_date", "n", "big", "list"});
  CHECK(ctx.IsLevel("a"));
  CHECK_FALSE(ctx.IsLevel("a.n"));
  CHECK_FALSE(ctx.Lookup("a.n.x", &keys).has_value());
  CHECK(keys.size() == 5);           // the keys of 'a', the deepest level reached
  ctx.Set("a.n", Value::Number(4));  // set names win over the tree
  ctx.Set("wtp.upper", Value::Number(40000));
  CHECK(ctx.Lookup("a.n", nullptr) == Value::Number(4));
  CHECK(ctx.IsLevel("wtp"));
  CHECK_FALSE(ctx.Lookup("wtp.uper", &keys).has_value());
  CHECK(keys == std::vector<std::string>{"upper"});
  CHECK_FALSE(ctx.Lookup("zz", &keys).has_value());
  CHECK(keys == std::vector<std::string>{"a", "wtp"});
  expr::JsonContext none(nullptr);
  CHECK_FALSE(none.Lookup("a", &keys).has_value());
  CHECK(keys.empty());
}

namespace {

// A context that knows only its values, not its levels (the minimum a Context must do).
class MapContext : public expr::Context {
 public:
  std::optional<Value> Lookup(std::string_view path,
                              std::vector<std::string>* siblings) const override {
    if (path == "mcda.total") return Value::Number(72.5);
    if (siblings) *siblings = {"total", "rank"};
    return std::nullopt;
  }
};

}  // namespace

TEST_CASE("a context that does not report levels still gets a did-you-mean",
          "[engine][expr][errors]") {
  MapContext ctx;
  auto eval = [&](const char* text) {
    auto r = std::get<expr::Expression>(expr::Expression::Parse(text)).Evaluate(ctx);
    REQUIRE(std::holds_alternative<expr::Error>(r));
    return std::get<expr::Error>(r).message;
  };
  CHECK(eval("mcda.totl > 1") == "unknown name 'mcda.totl' (did you mean 'mcda.total'?)");
  CHECK(eval("mcda.total.x > 1") ==
        "unknown name 'mcda.total.x': 'mcda.total' is a number, not a group of keys");
  auto p = std::get<expr::Expression>(expr::Expression::Parse("present(mcda)")).Evaluate(ctx);
  CHECK(std::get<expr::Evaluation>(p).value == Value::Bool(false));
}

TEST_CASE("one expression can be evaluated from several threads at once", "[engine][expr]") {
  Env e;
  const expr::Expression x =
      e.Parse("mcda.total >= 70 && criteria.C07 >= 2 && robustness.stable ? wtp.upper : 0");
  std::vector<std::thread> threads;
  std::vector<int> ok(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 500; ++i) {
        auto r = x.Evaluate(e.ctx);
        if (std::holds_alternative<expr::Evaluation>(r) &&
            std::get<expr::Evaluation>(r).value == Value::Number(40000) &&
            std::get<expr::Evaluation>(r).operands.size() == 4) {
          ++ok[t];
        }
      }
    });
  }
  for (std::thread& t : threads) t.join();
  CHECK(ok == std::vector<int>(4, 500));
}
