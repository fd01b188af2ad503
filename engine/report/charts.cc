#include "engine/report/charts.h"

#include <algorithm>
#include <cmath>
#include <map>

namespace vaglio::engine::report {
namespace {

Json Chart(int width, int height) {
  return {{"width", width}, {"height", height}, {"background", "white"}, {"config", {{"font", "system-ui, sans-serif"}}}};
}

Json Field(const std::string& name, const std::string& type, const std::string& title) {
  return {{"field", name}, {"type", type}, {"title", title}};
}

// The x range of the CE plane's points, always including 0.
std::pair<double, double> Range(const std::vector<double>& v) {
  double lo = 0, hi = 0;
  for (double x : v) {
    lo = std::min(lo, x);
    hi = std::max(hi, x);
  }
  return {lo, hi};
}

}  // namespace

std::string DomainName(const std::string& tag) {
  static const std::map<std::string, std::string> kNames = {
      {"CUR", "Health problem and current use"}, {"TEC", "Description and technical characteristics"},
      {"SAF", "Safety"},                         {"EFF", "Clinical effectiveness"},
      {"ECO", "Costs and economic evaluation"},  {"ETH", "Ethical analysis"},
      {"ORG", "Organisational aspects"},         {"SOC", "Patients and social aspects"},
      {"LEG", "Legal aspects"}};
  auto it = kNames.find(tag);
  return it == kNames.end() ? tag : it->second + " (" + tag + ")";
}

Json McdaChart(const schemas::Aggregate& a) {
  Json values = Json::array();
  double start = 0;
  for (const auto& c : a.contributions()) {
    const double end = start + c.weighted_value();
    values.push_back({{"criterion", c.criterion_id()}, {"domain", DomainName(c.domain())},
                      {"weighted_value", c.weighted_value()}, {"start", start}, {"end", end}, {"mid", (start + end) / 2}});
    start = end;
  }
  Json j = Chart(640, 46);
  j["data"] = {{"values", values}};
  Json x = Field("start", "quantitative", "points of 100");
  x["scale"] = {{"domain", {0, 100}}};
  Json color = Field("domain", "nominal", "HTA Core Model domain");
  color["legend"] = {{"orient", "bottom"}, {"columns", 3}, {"labelLimit", 300}};
  j["layer"] = {
      {{"mark", {{"type", "bar"}, {"stroke", "white"}}},
       {"encoding",
        {{"x", x}, {"x2", {{"field", "end"}}}, {"color", color},
         {"tooltip", {Field("criterion", "nominal", "criterion"), Field("weighted_value", "quantitative", "points")}}}}},
      {{"transform", {{{"filter", "datum.weighted_value >= 2.5"}}}},
       {"mark", {{"type", "text"}, {"color", "white"}, {"fontSize", 10}, {"fontWeight", "bold"}}},
       {"encoding", {{"x", {{"field", "mid"}, {"type", "quantitative"}}}, {"text", {{"field", "criterion"}}}}}}};
  return j;
}

Json RandomWeightsChart(const schemas::Robustness& r) {
  Json values = Json::array();
  for (const auto& p : r.random_weights()) values.push_back({{"outcome", p.outcome()}, {"probability", p.probability()}});
  Json j = Chart(520, 28 * std::max(1, r.random_weights_size()));
  j["data"] = {{"values", values}};
  Json x = Field("probability", "quantitative", "share of draws");
  x["scale"] = {{"domain", {0, 1}}};
  x["axis"] = {{"format", "%"}};
  j["mark"] = {{"type", "bar"}, {"color", "#4c78a8"}};
  j["encoding"] = {{"y", Field("outcome", "nominal", "")}, {"x", x},
                   {"tooltip", {Field("outcome", "nominal", "outcome"), Field("probability", "quantitative", "share")}}};
  return j;
}

Json CePlaneChart(const schemas::Economics& e) {
  const schemas::PsaSummary& p = e.psa();
  Json sample = Json::array();
  for (int i = 0; i < p.sample_size() && i < p.sample_delta_effect_size(); ++i) {
    sample.push_back({{"delta_effect", p.sample_delta_effect(i)}, {"delta_cost", p.sample_delta_cost(i)}});
  }
  std::vector<double> xs(p.sample_delta_effect().begin(), p.sample_delta_effect().end());
  std::vector<double> ys(p.sample_delta_cost().begin(), p.sample_delta_cost().end());
  xs.push_back(e.delta_effect());
  ys.push_back(e.delta_cost());
  const auto [x0, x1] = Range(xs);
  const auto [y0, y1] = Range(ys);
  // Each threshold's line dC = wtp * dE, clipped to the points' box so it does not
  // stretch the cost axis.
  Json lines = Json::array();
  for (const auto& t : e.thresholds()) {
    if (t.wtp() <= 0) continue;
    const double a = std::max(x0, y0 / t.wtp()), b = std::min(x1, y1 / t.wtp());
    if (!(a < b)) continue;
    for (double x : {a, b}) lines.push_back({{"threshold", t.label()}, {"delta_effect", x}, {"delta_cost", t.wtp() * x}});
  }
  const std::string effect = e.effect().empty() ? "effect" : e.effect();
  const std::string vs = " (" + e.device_strategy() + " − " + e.comparator_strategy() + ")";
  Json x = Field("delta_effect", "quantitative", "incremental " + effect + vs);
  Json y = Field("delta_cost", "quantitative", "incremental cost, " + e.currency());
  Json j = Chart(600, 360);
  j["layer"] = {
      {{"data", {{"values", sample}}},
       {"mark", {{"type", "circle"}, {"size", 14}, {"opacity", 0.35}, {"color", "#4c78a8"}}},
       {"encoding", {{"x", x}, {"y", y}}}},
      {{"data", {{"values", Json::array({Json::object()})}}},
       {"mark", {{"type", "rule"}, {"color", "#999"}}},
       {"encoding", {{"x", {{"datum", 0}}}}}},
      {{"data", {{"values", Json::array({Json::object()})}}},
       {"mark", {{"type", "rule"}, {"color", "#999"}}},
       {"encoding", {{"y", {{"datum", 0}}}}}},
      {{"data", {{"values", lines}}},
       {"mark", {{"type", "line"}, {"strokeDash", {6, 4}}, {"strokeWidth", 2}}},
       {"encoding", {{"x", x}, {"y", y}, {"color", Field("threshold", "nominal", "WTP threshold")}}}},
      {{"data", {{"values", Json::array({Json{{"delta_effect", e.delta_effect()}, {"delta_cost", e.delta_cost()},
                                              {"point", "base case"}}})}}},
       {"mark", {{"type", "point"}, {"shape", "diamond"}, {"size", 150}, {"filled", true}, {"color", "#b3261e"}}},
       {"encoding",
        {{"x", x}, {"y", y},
         {"tooltip", {Field("point", "nominal", ""), Field("delta_effect", "quantitative", "ΔE"),
                      Field("delta_cost", "quantitative", "ΔC")}}}}}};
  return j;
}

Json CeacChart(const schemas::Economics& e) {
  Json curves = Json::array(), frontier = Json::array(), marks = Json::array();
  for (const auto& c : e.psa().ceac()) {
    curves.push_back({{"wtp", c.wtp()}, {"strategy", e.device_strategy()}, {"probability", c.p_device()}});
    curves.push_back({{"wtp", c.wtp()}, {"strategy", e.comparator_strategy()}, {"probability", c.p_comparator()}});
    frontier.push_back({{"wtp", c.wtp()}, {"probability", c.p_optimal()}, {"optimal", c.optimal()}});
  }
  for (const auto& t : e.thresholds()) marks.push_back({{"label", t.label()}, {"wtp", t.wtp()}});
  Json x = Field("wtp", "quantitative", "willingness to pay, " + e.currency() + " per " + e.effect());
  Json y = Field("probability", "quantitative", "probability cost-effective");
  y["scale"] = {{"domain", {0, 1}}};
  y["axis"] = {{"format", "%"}};
  Json color = Field("strategy", "nominal", "");
  Json j = Chart(600, 300);
  j["layer"] = {
      {{"data", {{"values", frontier}}},
       {"mark", {{"type", "line"}, {"strokeWidth", 7}, {"opacity", 0.25}, {"color", "#222"}}},
       {"encoding",
        {{"x", x}, {"y", y},
         {"tooltip", {Field("wtp", "quantitative", "WTP"), Field("optimal", "nominal", "optimal"),
                      Field("probability", "quantitative", "CEAF")}}}}},
      {{"data", {{"values", curves}}},
       {"mark", {{"type", "line"}, {"strokeWidth", 2}}},
       {"encoding", {{"x", x}, {"y", y}, {"color", color}}}},
      {{"data", {{"values", marks}}},
       {"mark", {{"type", "rule"}, {"strokeDash", {4, 4}}, {"color", "#777"}}},
       {"encoding", {{"x", {{"field", "wtp"}, {"type", "quantitative"}}}}}},
      {{"data", {{"values", marks}}},
       {"mark", {{"type", "text"}, {"align", "left"}, {"dx", 4}, {"y", 8}, {"color", "#555"}}},
       {"encoding", {{"x", {{"field", "wtp"}, {"type", "quantitative"}}}, {"text", {{"field", "label"}}}}}}};
  return j;
}

Json TornadoChart(const schemas::Economics& e) {
  const schemas::Tornado& t = e.tornado();
  std::vector<const schemas::OneWayResult*> rows;
  for (const auto& p : t.parameters()) rows.push_back(&p);
  auto swing = [](const schemas::OneWayResult* p) { return std::fabs(p->inmb_high() - p->inmb_low()); };
  std::stable_sort(rows.begin(), rows.end(), [&](auto* a, auto* b) { return swing(a) > swing(b); });
  if (rows.size() > static_cast<size_t>(kTornadoBars)) rows.resize(static_cast<size_t>(kTornadoBars));
  Json values = Json::array(), order = Json::array();
  for (const auto* p : rows) {
    order.push_back(p->parameter());
    values.push_back({{"parameter", p->parameter()}, {"end", "at low value"}, {"value", p->low()},
                      {"base", t.base_inmb()}, {"inmb", p->inmb_low()}});
    values.push_back({{"parameter", p->parameter()}, {"end", "at high value"}, {"value", p->high()},
                      {"base", t.base_inmb()}, {"inmb", p->inmb_high()}});
  }
  Json x = Field("base", "quantitative", "incremental NMB at " + t.threshold_label() + ", " + e.currency());
  Json y = Field("parameter", "nominal", "");
  y["sort"] = order;
  Json j = Chart(560, 22 * std::max<int>(1, static_cast<int>(rows.size())));
  j["layer"] = {
      {{"data", {{"values", values}}},
       {"mark", {{"type", "bar"}, {"opacity", 0.85}}},
       {"encoding",
        {{"y", y}, {"x", x}, {"x2", {{"field", "inmb"}}}, {"color", Field("end", "nominal", "parameter")},
         {"tooltip", {Field("parameter", "nominal", "parameter"), Field("value", "quantitative", "value"),
                      Field("inmb", "quantitative", "INMB")}}}}},
      {{"data", {{"values", Json::array({Json::object()})}}},
       {"mark", {{"type", "rule"}, {"color", "#222"}}},
       {"encoding", {{"x", {{"datum", t.base_inmb()}}}}}}};
  return j;
}

Json BiaChart(const schemas::Economics& e) {
  Json values = Json::array();
  for (const auto& b : e.bia()) {
    for (const auto& y : b.years()) {
      values.push_back({{"year", "year " + std::to_string(y.year())}, {"perspective", b.perspective()}, {"net", y.net()},
                        {"intervention", y.intervention()}, {"displaced", y.displaced()}, {"tariff_income", y.tariff_income()}});
    }
  }
  Json j = Chart(520, 260);
  j["data"] = {{"values", values}};
  j["mark"] = {{"type", "bar"}};
  Json year = Field("year", "ordinal", "budget year");
  year["axis"] = {{"labelAngle", 0}};
  j["encoding"] = {{"x", year},
                   {"xOffset", {{"field", "perspective"}}},
                   {"y", Field("net", "quantitative", "net budget impact, " + e.currency())},
                   {"color", Field("perspective", "nominal", "perspective")},
                   {"tooltip",
                    {Field("perspective", "nominal", "perspective"), Field("net", "quantitative", "net"),
                     Field("intervention", "quantitative", "device"), Field("displaced", "quantitative", "displaced"),
                     Field("tariff_income", "quantitative", "tariff income")}}};
  return j;
}

Json CompletenessChart(const schemas::Completeness& c) {
  Json values = Json::array(), order = Json::array();
  for (const auto& d : c.domains()) {
    const std::string name = DomainName(d.domain());
    order.push_back(name);
    values.push_back({{"domain", name}, {"score", d.score()}, {"answered", d.answered()}, {"total", d.total()},
                      {"label", std::to_string(d.answered()) + "/" + std::to_string(d.total())}});
  }
  Json x = Field("score", "quantitative", "share of fields answered");
  x["scale"] = {{"domain", {0, 1}}};
  x["axis"] = {{"format", "%"}};
  Json y = Field("domain", "nominal", "");
  y["sort"] = order;
  Json j = Chart(460, 24 * std::max(1, c.domains_size()));
  j["data"] = {{"values", values}};
  j["encoding"] = {{"y", y}, {"x", x}};
  j["layer"] = {{{"mark", {{"type", "bar"}, {"color", "#59a14f"}}}},
                {{"mark", {{"type", "text"}, {"align", "left"}, {"dx", 4}}}, {"encoding", {{"text", {{"field", "label"}}}}}}};
  return j;
}

Json WeakestChart(const std::vector<WeakCriterion>& weakest) {
  Json values = Json::array(), order = Json::array();
  for (const WeakCriterion& w : weakest) {
    order.push_back(w.id);
    values.push_back({{"criterion", w.id}, {"name", w.name}, {"domain", DomainName(w.domain)}, {"points_lost", w.points_lost}});
  }
  Json y = Field("criterion", "nominal", "");
  y["sort"] = order;
  Json j = Chart(520, 22 * std::max<int>(1, static_cast<int>(weakest.size())));
  j["data"] = {{"values", values}};
  j["mark"] = {{"type", "bar"}, {"color", "#e15759"}};
  j["encoding"] = {{"y", y},
                   {"x", Field("points_lost", "quantitative", "points of 100 not earned")},
                   {"tooltip", {Field("name", "nominal", "criterion"), Field("domain", "nominal", "domain"),
                                Field("points_lost", "quantitative", "points lost")}}};
  return j;
}

}  // namespace vaglio::engine::report
