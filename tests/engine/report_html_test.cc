// HTML reports (engine/report): the numbers shown are the record's, user text is escaped,
// every reason links to an element of the page, and a record with a failed gate, an
// override and a dissent shows all three at the top. The page in a real browser is
// tested by tests/browser/report_browser_test.mjs.
#include <stdlib.h>

#include <catch2/catch.hpp>
#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>

#include "engine/report/html.h"
#include "tests/test_util.h"

namespace {

using Json = nlohmann::json;
using vaglio::testing::RunVaglio;
using vaglio::testing::SourcePath;


std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

void WriteFile(const std::string& path, const std::string& text) { std::ofstream(path, std::ios::binary) << text; }

const std::vector<std::string> kNp1 = {"examples/np1/np1.dossier.yaml", "--criteria", "examples/np1/irccs.criteria.yaml",
                                       "--scores", "examples/np1/np1.scores.yaml"};

// The chart specifications embedded in a page.
Json Charts(const std::string& html) {
  const std::string open = "<script type=\"application/json\" id=\"vaglio-charts\">";
  const size_t a = html.find(open);
  REQUIRE(a != std::string::npos);
  const size_t b = html.find("</script>", a);
  return Json::parse(html.substr(a + open.size(), b - a - open.size()));
}

// The values of a layer's (or the chart's) inline data.
const Json& Values(const Json& chart, int layer = -1) {
  return layer < 0 ? chart.at("data").at("values") : chart.at("layer").at(static_cast<size_t>(layer)).at("data").at("values");
}

// The number a table shows, without its thousands separators and percent sign.
double Shown(std::string text, bool percent) {
  std::string digits;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text.compare(i, 3, "\xE2\x80\xAF") == 0) {
      i += 2;
    } else if (text[i] != '%') {
      digits += text[i];
    }
  }
  return std::stod(digits) / (percent ? 100 : 1);
}

struct Np1Report {
  const vaglio::testing::TempDir tmp{"report"};
  const std::string dir = tmp.path();
  Json record;
  std::string html;
  Np1Report() {
    std::vector<std::string> args = {"evaluate"};
    args.insert(args.end(), kNp1.begin(), kNp1.end());
    args.insert(args.end(), {"--format", "json", "--report", dir + "/report.html"});
    const auto r = RunVaglio(args);
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    record = Json::parse(r.out);
    html = ReadFile(dir + "/report.html");
  }
};

}  // namespace

TEST_CASE("Every number a report table shows is the record's value at its data-path", "[report]") {
  Np1Report np1;
  const std::regex span(R"re(<span class="num" data-path="([^"]*)" data-value="([^"]*)"( data-unit="%")?>([^<]*)</span>)re");
  int checked = 0;
  for (auto it = std::sregex_iterator(np1.html.begin(), np1.html.end(), span); it != std::sregex_iterator(); ++it) {
    const std::string path = (*it)[1], value = (*it)[2], text = (*it)[4];
    const bool percent = (*it)[3].matched;
    INFO(path << " = " << value << " shown as " << text);
    REQUIRE(!path.empty());
    const Json& v = np1.record.at(Json::json_pointer(path));
    REQUIRE(v.is_number());
    CHECK(std::stod(value) == v.get<double>());
    // Shown rounded to the decimals it prints.
    const size_t point = text.find('.');
    const int decimals = point == std::string::npos ? 0 : static_cast<int>(text.size() - point - 1 - (percent ? 1 : 0));
    CHECK(std::fabs(Shown(text, percent) - v.get<double>()) <= 0.5001 * std::pow(10.0, -decimals) / (percent ? 100 : 1));
    ++checked;
  }
  CHECK(checked >= 60);
}

TEST_CASE("The charts of a report draw the record's own data", "[report]") {
  Np1Report np1;
  const Json charts = Charts(np1.html);
  const Json& rec = np1.record;
  const Json& econ = rec.at("economics");
  for (const char* id : {"mcda", "random-weights", "ce-plane", "ceac", "tornado", "bia", "completeness"}) {
    INFO(id);
    CHECK(charts.contains(id));
  }
  const Json& mcda = Values(charts.at("mcda"));
  REQUIRE(mcda.size() == rec.at("aggregate").at("contributions").size());
  for (size_t i = 0; i < mcda.size(); ++i) {
    CHECK(mcda[i].at("weighted_value") == rec.at("aggregate").at("contributions")[i].at("weighted_value"));
  }
  // The CE plane: the record's sample, point by point, and the base case.
  const Json& psa = econ.at("psa");
  const Json& sample = Values(charts.at("ce-plane"), 0);
  REQUIRE(psa.at("sample_size").get<int>() == 1000);
  REQUIRE(sample.size() == 1000);
  for (size_t i = 0; i < sample.size(); ++i) {
    REQUIRE(sample[i].at("delta_effect") == psa.at("sample_delta_effect")[i]);
    REQUIRE(sample[i].at("delta_cost") == psa.at("sample_delta_cost")[i]);
  }
  const Json& base = Values(charts.at("ce-plane"), 4)[0];
  CHECK(base.at("delta_cost") == econ.at("delta_cost"));
  CHECK(base.at("delta_effect") == econ.at("delta_effect"));
  // CEAC and CEAF.
  const Json& frontier = Values(charts.at("ceac"), 0);
  const Json& curves = Values(charts.at("ceac"), 1);
  REQUIRE(frontier.size() == psa.at("ceac").size());
  for (size_t i = 0; i < frontier.size(); ++i) {
    const Json& p = psa.at("ceac")[i];
    CHECK(frontier[i].at("wtp") == p.at("wtp"));
    CHECK(frontier[i].at("probability") == p.at("p_optimal"));
    CHECK(curves[2 * i].at("probability") == p.at("p_device"));
    CHECK(curves[2 * i + 1].at("probability") == p.at("p_comparator"));
  }
  // Budget impact per year and perspective.
  const Json& bia = Values(charts.at("bia"));
  size_t k = 0;
  for (const Json& b : econ.at("bia")) {
    for (const Json& y : b.at("years")) {
      REQUIRE(k < bia.size());
      CHECK(bia[k].at("perspective") == b.at("perspective"));
      CHECK(bia[k++].at("net") == y.at("net"));
    }
  }
  CHECK(k == bia.size());
  // Tornado: each bar ends at the record's INMB for its parameter.
  const Json& tornado = Values(charts.at("tornado"), 0);
  REQUIRE(!tornado.empty());
  for (const Json& bar : tornado) {
    const Json* p = nullptr;
    for (const Json& x : econ.at("tornado").at("parameters")) {
      if (x.at("parameter") == bar.at("parameter")) p = &x;
    }
    REQUIRE(p != nullptr);
    CHECK(bar.at("inmb") == p->at(bar.at("end") == "at low value" ? "inmb_low" : "inmb_high"));
    CHECK(bar.at("base") == econ.at("tornado").at("base_inmb"));
  }
  const Json& comp = Values(charts.at("completeness"));
  REQUIRE(comp.size() == rec.at("completeness").at("domains").size());
  for (size_t i = 0; i < comp.size(); ++i) CHECK(comp[i].at("score") == rec.at("completeness").at("domains")[i].at("score"));
}

TEST_CASE("The record's CEAC agrees with P(cost-effective) at each threshold", "[report][evaluate]") {
  Np1Report np1;
  const Json& econ = np1.record.at("economics");
  for (const Json& t : econ.at("thresholds")) {
    bool found = false;
    for (const Json& p : econ.at("psa").at("ceac")) {
      if (p.at("wtp") != t.at("wtp")) continue;
      found = true;
      CHECK(p.at("p_device") == t.at("prob_cost_effective"));
    }
    CHECK(found);
  }
  CHECK(econ.at("tornado").at("threshold_label") == "lower");
}

TEST_CASE("The CHEERS 2022 checklist has its 28 items and leaves the report-only ones not assessed", "[report][evaluate]") {
  Np1Report np1;
  const Json& cheers = np1.record.at("cheers");
  REQUIRE(cheers.size() == 28);
  for (size_t i = 0; i < cheers.size(); ++i) CHECK(cheers[i].at("item") == static_cast<int>(i + 1));
  for (int item : {1, 2, 3, 4, 21, 25, 26}) CHECK(cheers[static_cast<size_t>(item - 1)].at("status") == "not_assessed");
  CHECK(cheers[9].at("topic") == "Discount rate");
  CHECK(cheers[9].at("status") == "answered");
  CHECK(cheers[9].at("answered_by") == "evaluation");
  CHECK(cheers[19].at("status") == "answered");  // characterising uncertainty: PSA and tornado
  CHECK(np1.html.find("not assessed by Vaglio") != std::string::npos);
}

TEST_CASE("Every reason and contents link of a report points to an element of the page", "[report]") {
  Np1Report np1;
  std::set<std::string> ids;
  const std::regex id_re(R"re( id="([^"]+)")re"), href_re(R"re(href="#([^"]+)")re");
  for (auto it = std::sregex_iterator(np1.html.begin(), np1.html.end(), id_re); it != std::sregex_iterator(); ++it) ids.insert((*it)[1]);
  int links = 0;
  for (auto it = std::sregex_iterator(np1.html.begin(), np1.html.end(), href_re); it != std::sregex_iterator(); ++it) {
    INFO((*it)[1]);
    CHECK(ids.count((*it)[1]) == 1);
    ++links;
  }
  CHECK(links >= 10);
  CHECK(np1.html.find("href=\"#rule-D07\"") != std::string::npos);
  CHECK(np1.html.find("href=\"#mcda\"") != std::string::npos);
}

TEST_CASE("A page needs no network: no external source, and the chart libraries inlined", "[report]") {
  Np1Report np1;
  // The page's own markup (before the inlined libraries) loads nothing.
  const std::string markup = np1.html.substr(0, np1.html.find("<script data-library="));
  CHECK(markup.find("src=") == std::string::npos);
  CHECK(markup.find("<link") == std::string::npos);
  CHECK(markup.find("href=\"http") == std::string::npos);
  CHECK(markup.find("url(") == std::string::npos);
  CHECK(np1.html.find("Content-Security-Policy") != std::string::npos);
  for (const char* lib : {"vega", "vega-lite", "vega-embed"}) {
    CHECK(np1.html.find(std::string("<script data-library=\"") + lib + "\"") != std::string::npos);
  }
  CHECK(np1.html.find("@media print") != std::string::npos);
}

TEST_CASE("User text is escaped, in the page and in the charts' data", "[report]") {
  namespace rp = vaglio::engine::report;
  CHECK(rp::Escape("<b>A & \"B\" 'c'</b>") == "&lt;b&gt;A &amp; &quot;B&quot; &#39;c&#39;&lt;/b&gt;");
  rp::Page page("t <i>");
  page.AddChart("x", {{"data", {{"values", {{{"name", "</script><script>alert(1)</script>"}}}}}}}, "a < b");
  const std::string html = page.Render();
  CHECK(html.find("<title>t &lt;i&gt;</title>") != std::string::npos);
  CHECK(html.find("alert(1)</script>") == std::string::npos);
  CHECK(html.find("\\u003c/script\\u003e") != std::string::npos);
  CHECK(html.find("<figcaption>a &lt; b</figcaption>") != std::string::npos);
  CHECK(rp::FormatNumber(82651.56, 0) == "82\xE2\x80\xAF" "652");
  CHECK(rp::FormatNumber(-1234567.891, 2) == "-1\xE2\x80\xAF" "234\xE2\x80\xAF" "567.89");
  CHECK(rp::FormatNumber(-0.0001, 2) == "0.00");
}

TEST_CASE("A registry report shows a failed gate, an override and a dissent at the top", "[report][registry]") {
  const vaglio::testing::TempDir tmp("report");
  const std::string& dir = tmp.path();
  // NP1 without its RDM number: gate G02 fails (incomplete), rule D01 proposes INADMISSIBLE.
  std::string dossier = ReadFile(SourcePath("examples/np1/np1.dossier.yaml"));
  dossier.replace(dossier.find("  rdm_number: 2345678\n"), 22, "");
  dossier.replace(dossier.find("../thr/thr.model.yaml"), 21, SourcePath("examples/thr/thr.model.yaml"));
  WriteFile(dir + "/np1.dossier.yaml", dossier);
  const std::string db = dir + "/registry.db";
  auto key = RunVaglio({"keygen", "--out", dir + "/chair.key", "--holder", "Dr. Paolo Conti", "--role", "chair"});
  REQUIRE(key.exit_code == 0);
  auto ev = RunVaglio({"evaluate", dir + "/np1.dossier.yaml", "--criteria", "examples/np1/irccs.criteria.yaml", "--scores",
                       "examples/np1/np1.scores.yaml", "--registry", db, "--sign", dir + "/chair.key"});
  INFO(ev.err);
  REQUIRE(ev.exit_code == 0);
  const Json record = Json::parse(ev.out);
  REQUIRE(record.at("proposed_outcome").at("outcome") == "INADMISSIBLE");
  const std::string id = record.at("record_id");
  WriteFile(dir + "/decision.yaml",
            "format: vaglio.decision/1\nevaluation: " + id +
                "\nfinal_outcome: DEFER\njustification: The RDM number is being registered <b>now</b> & the dossier is "
                "otherwise complete\ndecided_on: 2026-11-20\nminutes_ref: CDM-2026-11\nvote:\n  for: 4\n  against: 1\n"
                "  abstain: 0\n  dissents:\n    - {member: m4, text: \"Inadmissible means \\\"return it\\\" <em>now</em>\"}\n");
  auto rec = RunVaglio({"record", dir + "/decision.yaml", "--registry", db});
  INFO(rec.err);
  REQUIRE(rec.exit_code == 0);
  auto rep = RunVaglio({"report", "--registry", db, "--record", id, "--html", dir + "/report.html"});
  INFO(rep.err);
  REQUIRE(rep.exit_code == 0);
  const std::string html = ReadFile(dir + "/report.html");
  const size_t a = html.find("<div class=\"alerts\" id=\"attention\">");
  REQUIRE(a != std::string::npos);
  const std::string attention = html.substr(a, html.find("</div>", a) - a);
  INFO(attention);
  CHECK(attention.find("Gate <a href=\"#gate-G02\">G02</a> failed</b> (incomplete)") != std::string::npos);
  CHECK(attention.find("<b>Override:</b> the committee decided <b>DEFER</b>; the engine proposed INADMISSIBLE (rule D01)") !=
        std::string::npos);
  CHECK(attention.find("registered &lt;b&gt;now&lt;/b&gt; &amp; the dossier") != std::string::npos);
  CHECK(attention.find("<b>Dissent</b> of m4: “Inadmissible means &quot;return it&quot; &lt;em&gt;now&lt;/em&gt;”") !=
        std::string::npos);
  CHECK(html.find("<b>now</b>") == std::string::npos);
  CHECK(html.find("<em>now</em>") == std::string::npos);
  // The decision section and the provenance of both registry entries.
  CHECK(html.find("<tr><th>final outcome</th><td><b>DEFER</b></td></tr>") != std::string::npos);
  CHECK(html.find("<b>Vote:</b> 4 for, 1 against, 0 abstaining.") != std::string::npos);
  CHECK(html.find("evaluation entry hash") != std::string::npos);
  CHECK(html.find("decision entry hash") != std::string::npos);
  CHECK(html.find("does NOT match") == std::string::npos);
  CHECK(html.find("<span class=\"badge pass\">valid</span> Dr. Paolo Conti (chair)") != std::string::npos);
  CHECK(html.substr(0, html.find("<script data-library=")).find("INVALID") == std::string::npos);
  CHECK(html.find("<tr id=\"gate-G02\" class=\"failed\">") != std::string::npos);
}

TEST_CASE("report refuses a record file together with a registry, and a missing record", "[report][cli]") {
  auto both = RunVaglio({"report", "r.json", "--registry", "x.db", "--record", "a", "--html", "/tmp/x.html"});
  CHECK(both.exit_code == 2);
  CHECK(both.err == "vaglio: error: give a record file (RECORD.json) or --registry FILE --record ID, not both\n");
  auto neither = RunVaglio({"report", "--html", "/tmp/x.html"});
  CHECK(neither.exit_code == 2);
  CHECK(neither.err == "vaglio: error: give a record file (RECORD.json) or --registry FILE --record ID\n");
  auto missing = RunVaglio({"report", "no-such-record.json", "--html", "/tmp/x.html"});
  CHECK(missing.exit_code == 2);
  CHECK(missing.err.rfind("vaglio: error: no-such-record.json: ", 0) == 0);
  auto not_record = RunVaglio({"report", "examples/np1/np1.dossier.yaml", "--html", "/tmp/x.html"});
  CHECK(not_record.exit_code == 2);
  CHECK(not_record.err.find("not an evaluation record") != std::string::npos);
}

TEST_CASE("report on a record file writes the same page as evaluate --report", "[report][cli]") {
  Np1Report np1;
  WriteFile(np1.dir + "/record.json", np1.record.dump());
  auto r = RunVaglio({"report", np1.dir + "/record.json", "--html", np1.dir + "/again.html"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.err == "vaglio: wrote the report of record " + np1.record.at("record_id").get<std::string>() + " to " + np1.dir +
                     "/again.html\n");
  CHECK(ReadFile(np1.dir + "/again.html") == np1.html);
}

TEST_CASE("The self-assessment page shows gaps, weakest criteria, price headroom and score changes", "[report][assess]") {
  const vaglio::testing::TempDir tmp("report");
  const std::string& dir = tmp.path();
  auto r = RunVaglio({"assess", "examples/np1/np1.dossier.yaml", "--criteria", "examples/np1/irccs.criteria.yaml", "--scores",
                      "examples/np1/np1.self_scores.yaml", "--html", dir + "/assess.html"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const std::string html = ReadFile(dir + "/assess.html");
  for (const char* id : {"recommendation", "gaps", "weakest", "price", "changes", "gates", "mcda", "economics", "completeness", "cheers"}) {
    INFO(id);
    CHECK(html.find(std::string("<section id=\"") + id + "\">") != std::string::npos);
  }
  CHECK(html.find("<code>device.expected_service_life_y</code>") != std::string::npos);
  CHECK(html.find("<td><b>REJECT</b></td>") != std::string::npos);
  CHECK(Charts(html).contains("weakest"));
}
