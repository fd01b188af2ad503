#include "engine/run.h"

#include <cmath>
#include <cstdio>
#include <sstream>

#include "engine/hash.h"
#include "engine/text_table.h"
#include "models/text.h"

namespace vaglio::engine {

Json Number(double v) { return std::isfinite(v) ? Json(v) : Json(nullptr); }

int ResolveEffect(const models::ModelInfo& info, const std::string& name, Diagnostics* diag) {
  if (name.empty()) return info.effect_values.empty() ? -1 : info.effect_values.front();
  if (info.effect_values.empty()) {
    diag->Error("--effect", {}, "", "the model has no value with role effect, so --effect has nothing to choose");
    return -1;
  }
  std::vector<std::string> effects;
  for (int v : info.effect_values) {
    effects.push_back(info.values[static_cast<size_t>(v)].name);
    if (effects.back() == name) return v;
  }
  diag->Error("--effect", {}, "", "'" + name + "' is not a value with role effect" +
                                      models::DidYouMeanSuffix(name, effects) + "; the effects are " +
                                      models::QuotedList(effects));
  return -1;
}

std::optional<BaseCase> RunBaseCase(const LoadedModel& m, const RunOptions& opts, Diagnostics* diag) {
  BaseCase bc;
  const size_t errors = diag->size();
  bc.effect_value = ResolveEffect(m.model->info(), opts.effect, diag);
  if (diag->size() != errors) return std::nullopt;
  auto ev = m.model->NewEvaluator({});
  if (!ev.ok()) {
    ReportModelIssues(m, ev.status().issues(), diag);
    return std::nullopt;
  }
  if (opts.trace && m.model->info().method == models::Method::kDecisionTree) {
    diag->Error("--trace", {}, "", "a decision tree has no cohort trace; its paths are in the output's tree");
    return std::nullopt;
  }
  bc.details.want_trace = opts.trace;
  if (models::Status s = ev.value()->Evaluate({}, &bc.outcome, &bc.details); !s.ok()) {
    ReportModelIssues(m, s.issues(), diag);
    return std::nullopt;
  }
  const models::ModelInfo& info = m.model->info();
  std::vector<double> cost, effect;
  for (int s = 0; s < static_cast<int>(info.strategies.size()); ++s) {
    cost.push_back(bc.outcome.value(s, info.cost_value));
    effect.push_back(bc.outcome.effect(s, bc.effect_value));
  }
  bc.incremental = models::IncrementalAnalysis(cost, effect);
  return bc;
}

Json ModelJson(const LoadedModel& m) {
  Json j;
  j["id"] = m.spec.id;
  j["title"] = m.spec.title;
  j["file"] = m.file;
  if (!m.scenario.empty()) j["scenario"] = m.scenario;
  j["sha256"] = Sha256Hex(m.inputs.front().bytes);
  Json files = Json::array();
  for (const InputFile& f : m.inputs) {
    Json x;
    x["file"] = f.path;
    x["sha256"] = Sha256Hex(f.bytes);
    files.push_back(x);
  }
  j["inputs"] = files;
  return j;
}

Json SettingsJson(const models::ModelInfo& info, int effect_value) {
  Json j;
  j["method"] = models::ToString(info.method);
  if (info.method != models::Method::kDecisionTree) {
    j["counting"] = models::ToString(info.counting);
    Json d;
    d["timing"] = models::ToString(info.discount_timing);
    d["step"] = models::ToString(info.discount_step);
    Json rates = Json::object();
    for (const models::ValueSpec& v : info.values) rates[v.name] = v.discount_rate;
    d["rates"] = rates;
    j["discounting"] = d;
    j["horizon"] = info.horizon;
    j["cycle_length_years"] = info.cycle_length_years;
  }
  j["currency"] = info.currency;
  Json values = Json::array();
  for (const models::ValueSpec& v : info.values) {
    Json x;
    x["name"] = v.name;
    x["role"] = models::ToString(v.role);
    if (!v.label.empty()) x["label"] = v.label;
    if (!v.unit.empty()) x["unit"] = v.unit;
    x["per"] = models::ToString(v.per);
    values.push_back(x);
  }
  j["values"] = values;
  j["cost"] = info.values[static_cast<size_t>(info.cost_value)].name;
  j["effect"] = effect_value < 0 ? Json(nullptr) : Json(info.values[static_cast<size_t>(effect_value)].name);
  j["increments"] = "strategy - comparator";
  j["results_per"] = info.method == models::Method::kDecisionTree ? "patient" : "member of the initial cohort";
  return j;
}

Json BaseCaseJson(const LoadedModel& m, const BaseCase& bc, const RunOptions& opts) {
  const models::ModelInfo& info = m.model->info();
  Json j;
  j["model"] = ModelJson(m);
  j["settings"] = SettingsJson(info, bc.effect_value);
  Json strategies = Json::array();
  for (int s = 0; s < static_cast<int>(info.strategies.size()); ++s) {
    Json st;
    st["name"] = info.strategies[static_cast<size_t>(s)];
    if (!m.spec.strategies[static_cast<size_t>(s)].label.empty()) st["label"] = m.spec.strategies[static_cast<size_t>(s)].label;
    Json values, undiscounted;
    for (int v = 0; v < static_cast<int>(info.values.size()); ++v) {
      const std::string& name = info.values[static_cast<size_t>(v)].name;
      values[name] = Number(bc.outcome.value(s, v));
      undiscounted[name] = Number(bc.outcome.undiscounted_value(s, v));
    }
    st["values"] = values;
    st["undiscounted"] = undiscounted;
    st["cost"] = Number(bc.outcome.value(s, info.cost_value));
    st["effect"] = bc.effect_value < 0 ? Json(nullptr) : Number(bc.outcome.value(s, bc.effect_value));
    strategies.push_back(st);
  }
  j["strategies"] = strategies;
  Json inc = Json::array();
  for (const models::IncrementalRow& r : bc.incremental) {
    Json row;
    row["strategy"] = info.strategies[static_cast<size_t>(r.strategy)];
    if (r.comparator < 0) {
      row["comparator"] = nullptr;
      row["delta_cost"] = nullptr;
      row["delta_effect"] = nullptr;
    } else {
      row["comparator"] = info.strategies[static_cast<size_t>(r.comparator)];
      row["delta_cost"] = Number(r.delta_cost);
      row["delta_effect"] = Number(r.delta_effect);
    }
    row["icer"] = r.icer ? Number(*r.icer) : Json(nullptr);
    row["status"] = models::ToString(r.status);
    inc.push_back(row);
  }
  j["incremental"] = inc;
  if (!opts.wtp.empty()) {
    Json nmb = Json::array();
    std::vector<double> cost, effect;
    for (int s = 0; s < static_cast<int>(info.strategies.size()); ++s) {
      cost.push_back(bc.outcome.value(s, info.cost_value));
      effect.push_back(bc.outcome.effect(s, bc.effect_value));
    }
    for (double w : opts.wtp) {
      Json row;
      row["wtp"] = w;
      Json vals;
      for (size_t s = 0; s < cost.size(); ++s) vals[info.strategies[s]] = Number(models::NetBenefit(w, cost[s], effect[s]));
      row["values"] = vals;
      row["best"] = info.strategies[static_cast<size_t>(models::BestStrategy(w, cost, effect))];
      nmb.push_back(row);
    }
    j["nmb"] = nmb;
  }
  if (info.method == models::Method::kPartitionedSurvival) {
    Json c;
    c["policy"] = m.spec.crossing == models::CrossingPolicy::kClamp ? "clamp" : "error";
    Json counts;
    for (size_t s = 0; s < bc.details.clamped_cycles.size(); ++s) counts[info.strategies[s]] = bc.details.clamped_cycles[s];
    c["clamped_cycles"] = counts;
    j["crossing"] = c;
  }
  if (!bc.details.tree.empty()) {
    Json tree = Json::array();
    for (size_t s = 0; s < bc.details.tree.size(); ++s) {
      Json st;
      st["strategy"] = info.strategies[s];
      Json nodes = Json::array();
      for (const models::TreeNodeResult& n : bc.details.tree[s]) {
        Json x;
        x["path"] = n.path;
        x["type"] = n.type;
        x["probability"] = Number(n.probability);
        Json own, expected, total;
        for (size_t v = 0; v < info.values.size(); ++v) {
          own[info.values[v].name] = Number(n.own[v]);
          expected[info.values[v].name] = Number(n.expected[v]);
          total[info.values[v].name] = Number(n.path_total[v]);
        }
        x["values"] = own;
        x["expected"] = expected;
        if (n.type == "terminal") x["path_values"] = total;
        if (!n.chosen.empty()) x["chosen"] = n.chosen;
        nodes.push_back(x);
      }
      st["nodes"] = nodes;
      tree.push_back(st);
    }
    j["tree"] = tree;
  }
  if (opts.trace) {
    Json traces = Json::array();
    for (size_t s = 0; s < bc.details.traces.size(); ++s) {
      const models::StrategyTrace& t = bc.details.traces[s];
      Json tj;
      tj["strategy"] = info.strategies[s];
      tj["states"] = t.states;
      Json rows = Json::array();
      for (const auto& r : t.occupancy) {
        Json row = Json::array();
        for (double x : r) row.push_back(Number(x));
        rows.push_back(row);
      }
      tj["occupancy"] = rows;
      traces.push_back(tj);
    }
    j["trace"] = traces;
  }
  return j;
}

namespace {

std::string Fmt(double v, int digits = 10) {
  if (!std::isfinite(v)) return models::FormatNumber(v);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*g", digits, v);
  return buf;
}

}  // namespace

std::string BaseCaseText(const LoadedModel& m, const BaseCase& bc, const RunOptions& opts) {
  const models::ModelInfo& info = m.model->info();
  std::ostringstream out;
  out << (info.title.empty() ? info.id : info.title) << " (" << info.id << ")\n";
  out << models::ToString(info.method);
  if (info.method != models::Method::kDecisionTree) {
    out << ", " << info.horizon << (info.horizon == 1 ? " cycle" : " cycles") << " of " << Fmt(info.cycle_length_years) << " year"
        << (info.cycle_length_years == 1 ? "" : "s") << ", counting " << models::ToString(info.counting)
        << ", discounting at cycle " << models::ToString(info.discount_timing)
        << (info.discount_step == models::DiscountStep::kYear ? " (yearly steps)" : "");
  }
  if (!m.scenario.empty()) out << "\nScenario: " << m.scenario;
  out << (info.method == models::Method::kDecisionTree ? "\n\nExpected values per patient"
                                                       : "\n\nValues per member of the cohort, discounted");
  if (!info.currency.empty()) out << " (costs in " << info.currency << ")";
  out << ":\n";
  TextTable values;
  std::vector<std::string> head = {"strategy"};
  for (const auto& v : info.values) head.push_back(v.name);
  values.Header(head);
  for (int s = 0; s < static_cast<int>(info.strategies.size()); ++s) {
    std::vector<std::string> row = {info.strategies[static_cast<size_t>(s)]};
    for (int v = 0; v < static_cast<int>(info.values.size()); ++v) row.push_back(Fmt(bc.outcome.value(s, v)));
    values.Row(row);
  }
  out << values.Render();
  const std::string eff = bc.effect_value < 0 ? "0" : info.values[static_cast<size_t>(bc.effect_value)].name;
  out << "\nIncremental analysis on " << info.values[static_cast<size_t>(info.cost_value)].name;
  if (bc.effect_value < 0) {
    out << " only (no value has role effect: a cost comparison)";
  } else {
    out << " and " << eff;
  }
  out << " (increments: strategy - comparator):\n";
  TextTable inc;
  inc.Header({"strategy", "comparator", "delta cost", "delta effect", "ICER", "status"});
  for (const models::IncrementalRow& r : bc.incremental) {
    const bool ref = r.comparator < 0;
    inc.Row({info.strategies[static_cast<size_t>(r.strategy)],
             ref ? "-" : info.strategies[static_cast<size_t>(r.comparator)],
             ref ? "-" : Fmt(r.delta_cost), ref ? "-" : Fmt(r.delta_effect),
             r.icer ? Fmt(*r.icer) : "-", std::string(models::ToString(r.status))});
  }
  out << inc.Render();
  if (!opts.wtp.empty()) {
    out << "\nNet monetary benefit (wtp * " << eff << " - cost):\n";
    TextTable nmb;
    std::vector<std::string> h = {"wtp"};
    for (const auto& s : info.strategies) h.push_back(s);
    h.push_back("best");
    nmb.Header(h);
    std::vector<double> cost, effect;
    for (int s = 0; s < static_cast<int>(info.strategies.size()); ++s) {
      cost.push_back(bc.outcome.value(s, info.cost_value));
      effect.push_back(bc.outcome.effect(s, bc.effect_value));
    }
    for (double w : opts.wtp) {
      std::vector<std::string> row = {Fmt(w)};
      for (size_t s = 0; s < cost.size(); ++s) row.push_back(Fmt(models::NetBenefit(w, cost[s], effect[s])));
      row.push_back(info.strategies[static_cast<size_t>(models::BestStrategy(w, cost, effect))]);
      nmb.Row(row);
    }
    out << nmb.Render();
  }
  if (info.method == models::Method::kPartitionedSurvival) {
    int total = 0;
    for (int c : bc.details.clamped_cycles) total += c;
    if (total > 0) {
      out << "\nCrossing curves clamped (crossing: clamp) at";
      for (size_t s = 0; s < bc.details.clamped_cycles.size(); ++s) {
        out << (s ? ", " : " ") << bc.details.clamped_cycles[s] << " time points in " << info.strategies[s];
      }
      out << "\n";
    }
  }
  if (!bc.details.tree.empty()) {
    out << "\nPaths of the tree (terminal nodes): probability and values summed along the path:\n";
    TextTable paths;
    std::vector<std::string> h = {"path", "probability"};
    for (const auto& v : info.values) h.push_back(v.name);
    paths.Header(h);
    for (const auto& nodes : bc.details.tree) {
      for (const models::TreeNodeResult& n : nodes) {
        if (n.type != "terminal") continue;
        std::vector<std::string> row = {n.path, Fmt(n.probability)};
        for (double x : n.path_total) row.push_back(Fmt(x));
        paths.Row(row);
      }
    }
    out << paths.Render();
  }
  if (opts.trace) {
    for (size_t s = 0; s < bc.details.traces.size(); ++s) {
      const models::StrategyTrace& t = bc.details.traces[s];
      out << "\nTrace, strategy " << info.strategies[s] << ":\n";
      TextTable tt;
      std::vector<std::string> h = {"cycle"};
      for (const auto& n : t.states) h.push_back(n);
      tt.Header(h);
      for (size_t k = 0; k < t.occupancy.size(); ++k) {
        std::vector<std::string> row = {std::to_string(k)};
        for (double x : t.occupancy[k]) row.push_back(Fmt(x, 6));
        tt.Row(row);
      }
      out << tt.Render();
    }
  }
  return out.str();
}

}  // namespace vaglio::engine
