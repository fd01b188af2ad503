#include "engine/uncertainty.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>

#include "engine/load/csv.h"
#include "engine/text_table.h"
#include "models/incremental.h"
#include "models/number.h"
#include "models/sampler.h"
#include "models/text.h"

namespace vaglio::engine {
namespace {

using models::FormatNumber;

std::string Fmt(double v, int digits = 8) {
  if (!std::isfinite(v)) return FormatNumber(v);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*g", digits, v);
  return buf;
}

// The WTP values of DSA outputs: --wtp, or 0 for a model without effects (where the net
// benefit is minus the cost, so the increment is the saving).
std::vector<double> DsaWtp(const models::ModelInfo& info, const RunOptions& run) {
  if (run.wtp.empty() && info.effect_values.empty()) return {0.0};
  return run.wtp;
}

int FindStrategy(const models::ModelInfo& info, const std::string& name) {
  for (size_t s = 0; s < info.strategies.size(); ++s) {
    if (info.strategies[s] == name) return static_cast<int>(s);
  }
  return -1;
}

std::string CsvLine(const std::vector<std::string>& cells) {
  std::string out;
  for (size_t i = 0; i < cells.size(); ++i) {
    if (i > 0) out += ',';
    out += cells[i];
  }
  return out + "\n";
}

// The input named `name`, or -1 with a diagnostic naming `flag`.
int ResolveInput(const models::ModelInfo& info, const std::string& name, const std::string& flag,
                 Diagnostics* diag) {
  for (size_t i = 0; i < info.inputs.size(); ++i) {
    if (info.inputs[i].name == name) return static_cast<int>(i);
  }
  std::vector<std::string> names;
  for (const auto& in : info.inputs) names.push_back(in.name);
  const bool formula = std::find(info.parameter_names.begin(), info.parameter_names.end(), name) !=
                       info.parameter_names.end();
  diag->Error(flag, {}, "",
              formula ? "'" + name + "' is a formula parameter, but only a parameter whose value is a number can vary"
                      : "'" + name + "' is not a parameter of the model" + models::DidYouMeanSuffix(name, names));
  return -1;
}

}  // namespace

std::optional<PsaRun> RunPsaAnalysis(const LoadedModel& m, const FileSystem& fs, FileSystem& out_fs,
                                     const UncertaintyOptions& opts, const RunOptions& run,
                                     int effect_value, Diagnostics* diag) {
  const models::ModelInfo& info = m.model->info();
  PsaRun p;
  auto sampler = models::Sampler::Make(info);
  if (!sampler.ok()) {
    ReportModelIssues(m, sampler.status().issues(), diag);
    return std::nullopt;
  }
  models::DrawSource source;
  std::vector<double> given;  // draws read from a file, row-major
  if (!opts.draws_file.empty()) {
    p.source = opts.draws_file;
    std::string err;
    auto bytes = fs.Read(opts.draws_file, &err);
    if (!bytes) {
      diag->Error(opts.draws_file, {}, "", "cannot read the draws file: " + err);
      return std::nullopt;
    }
    const size_t before = diag->size();
    CsvTable csv = ParseCsv(*bytes, opts.draws_file, diag);
    std::vector<int> columns;  // csv column of each varying input
    for (size_t c = 0; c < csv.header.size(); ++c) {
      const std::string name(models::Trim(csv.header[c]));
      int in = -1;
      for (size_t i = 0; i < info.inputs.size(); ++i) {
        if (info.inputs[i].name == name) in = static_cast<int>(i);
      }
      if (in >= 0) {
        if (std::find(source.inputs.begin(), source.inputs.end(), in) != source.inputs.end()) {
          diag->Error(opts.draws_file, {1, 1, 0}, "", "column '" + name + "' appears twice");
          continue;
        }
        source.inputs.push_back(in);
        columns.push_back(static_cast<int>(c));
      } else if (std::find(info.parameter_names.begin(), info.parameter_names.end(), name) !=
                 info.parameter_names.end()) {
        diag->Error(opts.draws_file, {1, 1, 0}, "",
                    "column '" + name + "' names a formula parameter, but draws can only give parameters whose value is a number");
      } else {
        p.ignored_columns.push_back(name);
      }
    }
    for (int in : sampler.value().sampled()) {
      if (std::find(source.inputs.begin(), source.inputs.end(), in) == source.inputs.end()) {
        diag->Error(opts.draws_file, {1, 1, 0}, "",
                    "parameter '" + info.inputs[static_cast<size_t>(in)].name +
                        "' has a distribution in the model, but no column in the draws file");
      }
    }
    if (csv.rows.size() < 2) {
      diag->Error(opts.draws_file, {}, "", "has " + std::to_string(csv.rows.size()) + " draws, but PSA needs at least 2");
    }
    const size_t k = source.inputs.size();
    given.resize(csv.rows.size() * k);
    for (size_t r = 0; r < csv.rows.size(); ++r) {
      for (size_t j = 0; j < k; ++j) {
        const std::string& cell = csv.rows[r][static_cast<size_t>(columns[j])];
        auto v = models::ParseNumber(cell);
        if (!v) {
          diag->Error(opts.draws_file, {csv.row_lines[r], 1, 0}, "column '" + csv.header[static_cast<size_t>(columns[j])] + "'",
                      "found '" + cell + "', but must be a number");
          continue;
        }
        given[r * k + j] = *v;
      }
    }
    if (diag->size() != before) return std::nullopt;
    source.count = static_cast<int64_t>(csv.rows.size());
    source.fill = [&given, k](int64_t i, std::span<double> x) {
      std::copy_n(given.begin() + static_cast<std::ptrdiff_t>(static_cast<size_t>(i) * k), k, x.begin());
    };
  } else {
    p.source = "sampled";
    p.seed = opts.seed;
    source.inputs = sampler.value().sampled();
    source.count = opts.psa;
    if (source.inputs.empty()) {
      diag->Error(m.file, {}, "", "no parameter has a distribution, so there is nothing to sample");
      return std::nullopt;
    }
    const models::Sampler& smp = sampler.value();
    const uint64_t seed = opts.seed;
    source.fill = [&smp, seed](int64_t i, std::span<double> x) { smp.Draw(seed, static_cast<uint64_t>(i), x); };
  }
  p.inputs = source.inputs;
  const int k = static_cast<int>(source.inputs.size());

  // EVPPI groups, resolved against the varying inputs.
  std::vector<std::pair<std::vector<std::string>, std::vector<int>>> groups;
  for (const auto& g : opts.evppi) {
    if (g.size() == 1 && g[0] == "each") {
      for (int j = 0; j < k; ++j) groups.push_back({{info.inputs[static_cast<size_t>(source.inputs[static_cast<size_t>(j)])].name}, {j}});
      continue;
    }
    std::vector<int> cols;
    for (const std::string& name : g) {
      int col = -1;
      for (int j = 0; j < k; ++j) {
        if (info.inputs[static_cast<size_t>(source.inputs[static_cast<size_t>(j)])].name == name) col = j;
      }
      if (col < 0) {
        std::vector<std::string> names;
        for (int in : source.inputs) names.push_back(info.inputs[static_cast<size_t>(in)].name);
        diag->Error("--evppi", {}, "", "'" + name + "' is not an uncertain parameter of this PSA" +
                                           models::DidYouMeanSuffix(name, names));
      }
      cols.push_back(col);
    }
    groups.push_back({g, cols});
  }
  if (!groups.empty() && info.strategies.size() < 2) {
    diag->Error("--evppi", {}, "", "EVPPI needs at least 2 strategies, but the model has 1");
  }
  if (!groups.empty() && run.wtp.empty()) diag->Error("--evppi", {}, "", "EVPPI needs --wtp");
  if (diag->has_errors()) return std::nullopt;

  models::PsaOptions po;
  po.threads = opts.threads;
  po.wtp = run.wtp;
  po.effect_value = effect_value;
  po.keep_draws = !opts.export_dir.empty() || !groups.empty() || opts.ce_plane;
  if (opts.progress) {
    const int64_t total = source.count;
    po.progress = [&opts, total](int64_t done) { opts.progress(done, total); };
  }
  auto res = models::RunPsa(*m.model, source, po);
  if (!res.ok()) {
    ReportModelIssues(m, res.status().issues(), diag);
    return std::nullopt;
  }
  p.result = std::move(res).value();

  for (const auto& [names, cols] : groups) {
    auto e = models::EstimateEvppi(p.result, k, cols);
    if (!e.ok()) {
      for (const auto& i : e.status().issues()) diag->Error("--evppi", {}, "", i.message);
      return std::nullopt;
    }
    p.evppi.push_back({names, std::move(e).value()});
  }

  if (!opts.export_dir.empty()) {
    const models::PsaResult& r = p.result;
    const size_t S = info.strategies.size();
    std::vector<std::string> head;
    for (int in : p.inputs) head.push_back(info.inputs[static_cast<size_t>(in)].name);
    std::string params = CsvLine(head), costs = CsvLine(info.strategies), effects = CsvLine(info.strategies);
    for (int64_t i = 0; i < r.n; ++i) {
      std::vector<std::string> row;
      for (int j = 0; j < k; ++j) row.push_back(FormatNumber(r.inputs[static_cast<size_t>(i * k + j)]));
      params += CsvLine(row);
      std::vector<std::string> c, e;
      for (size_t s = 0; s < S; ++s) {
        c.push_back(FormatNumber(r.costs[static_cast<size_t>(i) * S + s]));
        e.push_back(FormatNumber(r.effects[static_cast<size_t>(i) * S + s]));
      }
      costs += CsvLine(c);
      effects += CsvLine(e);
    }
    std::string err;
    if (!out_fs.MakeDirectories(opts.export_dir, &err)) {
      diag->Error(opts.export_dir, {}, "", "cannot create the directory: " + err);
      return std::nullopt;
    }
    for (const auto& [name, text] : {std::pair<std::string, const std::string*>{"parameters.csv", &params},
                                     {"costs.csv", &costs},
                                     {"effects.csv", &effects}}) {
      const std::string path = opts.export_dir + "/" + name;
      if (!out_fs.Write(path, *text, &err)) {
        diag->Error(path, {}, "", "cannot write: " + err);
        return std::nullopt;
      }
    }
  }
  return p;
}

std::optional<DsaRun> RunDsaAnalysis(const LoadedModel& m, const UncertaintyOptions& opts,
                                     const RunOptions& run, const BaseCase& bc, Diagnostics* diag) {
  const models::ModelInfo& info = m.model->info();
  DsaRun d;
  d.comparator = 0;
  for (const auto& r : bc.incremental) {
    if (r.status == models::FrontierStatus::kReference) d.comparator = r.strategy;
  }
  if (!opts.comparator.empty()) {
    d.comparator = FindStrategy(info, opts.comparator);
    if (d.comparator < 0) {
      diag->Error("--comparator", {}, "", "'" + opts.comparator + "' is not a strategy" +
                                              models::DidYouMeanSuffix(opts.comparator, info.strategies));
      return std::nullopt;
    }
  }
  const std::vector<models::DsaRange> ranges = models::OneWayRanges(info);
  auto range_of = [&](int input) -> std::optional<models::DsaRange> {
    for (const auto& r : ranges) {
      if (r.input == input) return r;
    }
    return std::nullopt;
  };
  if (opts.dsa) {
    auto ow = models::RunOneWay(*m.model, ranges);
    if (!ow.ok()) {
      ReportModelIssues(m, ow.status().issues(), diag);
      return std::nullopt;
    }
    d.one_way = std::move(ow).value();
  }
  if (!opts.dsa2.empty()) {
    if (opts.dsa2.size() != 2) {
      diag->Error("--dsa2", {}, "", "names " + std::to_string(opts.dsa2.size()) + " parameters, but must name two: p1,p2");
      return std::nullopt;
    }
    const int a = ResolveInput(info, opts.dsa2[0], "--dsa2", diag), b = ResolveInput(info, opts.dsa2[1], "--dsa2", diag);
    if (a < 0 || b < 0) return std::nullopt;
    auto ra = range_of(a), rb = range_of(b);
    for (auto [r, name] : {std::pair{ra, opts.dsa2[0]}, std::pair{rb, opts.dsa2[1]}}) {
      if (!r) diag->Error("--dsa2", {}, "", "'" + name + "' has neither low/high nor a distribution, so it has no range");
    }
    if (!ra || !rb) return std::nullopt;
    const int g = std::max(2, opts.dsa2_points);
    for (int i = 0; i < g; ++i) {
      d.a_values.push_back(ra->low + (ra->high - ra->low) * i / (g - 1));
      d.b_values.push_back(rb->low + (rb->high - rb->low) * i / (g - 1));
    }
    d.two_way_params = opts.dsa2;
    auto tw = models::RunTwoWay(*m.model, a, b, d.a_values, d.b_values);
    if (!tw.ok()) {
      ReportModelIssues(m, tw.status().issues(), diag);
      return std::nullopt;
    }
    d.two_way = std::move(tw).value();
  }
  if (!opts.threshold.empty()) {
    const int in = ResolveInput(info, opts.threshold, "--threshold", diag);
    if (in < 0) return std::nullopt;
    if (DsaWtp(info, run).empty()) {
      diag->Error("--threshold", {}, "", "a threshold is searched at a willingness to pay: give --wtp");
      return std::nullopt;
    }
    double lo = 0, hi = 0;
    if (opts.threshold_range) {
      std::tie(lo, hi) = *opts.threshold_range;
    } else if (auto r = range_of(in)) {
      lo = r->low, hi = r->high;
    } else {
      diag->Error("--threshold", {}, "", "'" + opts.threshold + "' has neither low/high nor a distribution: give --range LOW:HIGH");
      return std::nullopt;
    }
    if (!(lo < hi)) {
      diag->Error("--range", {}, "", "range is [" + FormatNumber(lo) + ", " + FormatNumber(hi) + "], but low must be below high");
      return std::nullopt;
    }
    d.threshold_param = opts.threshold;
    d.threshold_lo = lo;
    d.threshold_hi = hi;
    for (double w : DsaWtp(info, run)) {
      auto t = models::FindThresholds(*m.model, in, lo, hi, w, bc.effect_value);
      if (!t.ok()) {
        ReportModelIssues(m, t.status().issues(), diag);
        return std::nullopt;
      }
      for (models::Threshold& x : t.value()) d.thresholds.push_back(x);
    }
  }
  return d;
}

Json PsaJson(const LoadedModel& m, const PsaRun& p, const UncertaintyOptions& opts, int effect_value) {
  const models::ModelInfo& info = m.model->info();
  const models::PsaResult& r = p.result;
  const int V = r.num_values;
  Json j;
  j["n"] = r.n;
  if (p.source == "sampled") {
    j["seed"] = p.seed;
  } else {
    j["draws_file"] = p.source;
  }
  Json params = Json::array();
  for (int in : p.inputs) params.push_back(info.inputs[static_cast<size_t>(in)].name);
  j["parameters"] = params;
  Json strategies = Json::array();
  for (int s = 0; s < r.num_strategies; ++s) {
    Json st, mean, sd;
    st["name"] = info.strategies[static_cast<size_t>(s)];
    for (int v = 0; v < V; ++v) {
      mean[info.values[static_cast<size_t>(v)].name] = Number(r.mean[static_cast<size_t>(s * V + v)]);
      sd[info.values[static_cast<size_t>(v)].name] = Number(r.sd[static_cast<size_t>(s * V + v)]);
    }
    st["mean"] = mean;
    st["sd"] = sd;
    strategies.push_back(st);
  }
  j["strategies"] = strategies;
  Json ceac = Json::array(), ceaf = Json::array(), loss = Json::array(), evpi = Json::array();
  double pop_factor = 0;
  if (opts.population > 0 && opts.years > 0) {
    const double rate = opts.population_discount ? *opts.population_discount
                                                 : info.values[static_cast<size_t>(info.cost_value)].discount_rate;
    for (int t = 0; t < opts.years; ++t) pop_factor += opts.population * std::pow(1 + rate, -t);
  }
  for (size_t w = 0; w < r.wtp.size(); ++w) {
    Json c, prob, l, ls, e;
    c["wtp"] = r.wtp[w];
    for (int s = 0; s < r.num_strategies; ++s) prob[info.strategies[static_cast<size_t>(s)]] = r.prob_best[w][static_cast<size_t>(s)];
    c["probability"] = prob;
    ceac.push_back(c);
    const int best = r.BestExpected(w);
    Json f;
    f["wtp"] = r.wtp[w];
    f["strategy"] = info.strategies[static_cast<size_t>(best)];
    f["probability"] = r.prob_best[w][static_cast<size_t>(best)];
    ceaf.push_back(f);
    l["wtp"] = r.wtp[w];
    for (int s = 0; s < r.num_strategies; ++s) ls[info.strategies[static_cast<size_t>(s)]] = Number(r.ExpectedLoss(w, s));
    l["loss"] = ls;
    loss.push_back(l);
    e["wtp"] = r.wtp[w];
    e["evpi"] = Number(r.Evpi(w));
    if (pop_factor > 0) e["population_evpi"] = Number(r.Evpi(w) * pop_factor);
    evpi.push_back(e);
  }
  j["ceac"] = ceac;
  j["ceaf"] = ceaf;
  j["expected_loss"] = loss;
  j["evpi"] = evpi;
  if (pop_factor > 0) {
    Json pop;
    pop["per_year"] = opts.population;
    pop["years"] = opts.years;
    pop["discount"] = opts.population_discount ? *opts.population_discount
                                               : info.values[static_cast<size_t>(info.cost_value)].discount_rate;
    pop["factor"] = pop_factor;
    j["population"] = pop;
  }
  Json ev = Json::array();
  for (const PsaRun::Evppi& g : p.evppi) {
    for (size_t w = 0; w < r.wtp.size(); ++w) {
      Json row;
      row["parameters"] = g.parameters;
      row["wtp"] = r.wtp[w];
      row["evppi"] = Number(g.estimate.evppi[w]);
      row["se"] = Number(g.estimate.se[w]);
      row["method"] = g.estimate.method;
      row["r2_min"] = Number(g.estimate.r2_min);
      row["edf"] = Number(g.estimate.edf_max);
      ev.push_back(row);
    }
  }
  j["evppi"] = ev;
  if (opts.ce_plane && r.num_strategies > 1) {
    Json plane = Json::array();
    const int S = r.num_strategies;
    for (int s = 1; s < S; ++s) {
      Json pts;
      pts["strategy"] = info.strategies[static_cast<size_t>(s)];
      pts["comparator"] = info.strategies[0];
      Json dc = Json::array(), de = Json::array();
      for (int64_t i = 0; i < r.n; ++i) {
        dc.push_back(Number(r.costs[static_cast<size_t>(i * S + s)] - r.costs[static_cast<size_t>(i * S)]));
        de.push_back(Number(r.effects[static_cast<size_t>(i * S + s)] - r.effects[static_cast<size_t>(i * S)]));
      }
      pts["delta_cost"] = dc;
      pts["delta_effect"] = de;
      plane.push_back(pts);
    }
    j["ce_plane"] = plane;
  }
  (void)effect_value;
  return j;
}

namespace {

// The DSA outputs of one outcome, in a fixed order: for each strategy its cost and
// effect; for each strategy other than the comparator the increments, ICER and INMB.
struct NamedOutput {
  std::string output;
  int strategy;
  double wtp;  // NaN when not a net-benefit output
  double value;
};

std::vector<NamedOutput> Outputs(const models::ModelInfo& info, const models::Outcome& o, int comparator,
                                 int effect, const std::vector<double>& wtp) {
  std::vector<NamedOutput> out;
  const int S = static_cast<int>(info.strategies.size());
  const double nan = std::nan("");
  for (int s = 0; s < S; ++s) {
    out.push_back({"cost", s, nan, o.value(s, info.cost_value)});
    if (effect >= 0) out.push_back({"effect", s, nan, o.value(s, effect)});
  }
  for (int s = 0; s < S; ++s) {
    if (s == comparator) continue;
    const double dc = o.value(s, info.cost_value) - o.value(comparator, info.cost_value);
    const double de = o.effect(s, effect) - o.effect(comparator, effect);
    out.push_back({"delta_cost", s, nan, dc});
    out.push_back({"delta_effect", s, nan, de});
    if (effect >= 0) out.push_back({"icer", s, nan, de != 0 ? dc / de : nan});
    for (double w : wtp) out.push_back({"inmb", s, w, w * de - dc});
  }
  return out;
}

}  // namespace

void AddDsaJson(const LoadedModel& m, const DsaRun& d, const RunOptions& run_in, const BaseCase& bc,
                const UncertaintyOptions& opts, Json* j) {
  const models::ModelInfo& info = m.model->info();
  RunOptions run = run_in;
  run.wtp = DsaWtp(info, run_in);
  const std::string comparator = info.strategies[static_cast<size_t>(d.comparator)];
  if (opts.dsa) {
    Json rows = Json::array();
    for (const models::OneWayPoint& p : d.one_way) {
      const auto lo = Outputs(info, p.at_low, d.comparator, bc.effect_value, run.wtp);
      const auto hi = Outputs(info, p.at_high, d.comparator, bc.effect_value, run.wtp);
      for (size_t q = 0; q < lo.size(); ++q) {
        Json row;
        row["parameter"] = info.inputs[static_cast<size_t>(p.range.input)].name;
        row["low"] = p.range.low;
        row["high"] = p.range.high;
        row["range"] = p.range.declared ? "declared" : "2.5%-97.5%";
        row["output"] = lo[q].output;
        row["strategy"] = info.strategies[static_cast<size_t>(lo[q].strategy)];
        if (lo[q].output != "cost" && lo[q].output != "effect") row["comparator"] = comparator;
        if (std::isfinite(lo[q].wtp)) row["wtp"] = lo[q].wtp;
        row["at_low"] = Number(lo[q].value);
        row["at_high"] = Number(hi[q].value);
        rows.push_back(row);
      }
    }
    (*j)["dsa"] = rows;
    // Tornado on the net benefit of the first non-comparator strategy at the first WTP,
    // else on its ICER.
    const models::Outcome& base = bc.outcome;
    int target = d.comparator == 0 ? 1 : 0;
    if (static_cast<int>(info.strategies.size()) > 1) {
      const bool nmb = !run.wtp.empty();
      const auto pick = [&](const models::Outcome& o) {
        for (const auto& x : Outputs(info, o, d.comparator, bc.effect_value, run.wtp)) {
          if (x.strategy == target && x.output == (nmb ? "inmb" : "icer")) return x.value;
        }
        return std::nan("");
      };
      struct Bar {
        std::string name;
        double low, high, at_low, at_high, swing;
        size_t order;
      };
      std::vector<Bar> bars;
      for (size_t q = 0; q < d.one_way.size(); ++q) {
        const auto& p = d.one_way[q];
        const double a = pick(p.at_low), b = pick(p.at_high);
        bars.push_back({info.inputs[static_cast<size_t>(p.range.input)].name, p.range.low, p.range.high, a, b,
                        std::isfinite(a) && std::isfinite(b) ? std::fabs(b - a) : INFINITY, q});
      }
      std::stable_sort(bars.begin(), bars.end(), [](const Bar& a, const Bar& b) { return a.swing > b.swing; });
      Json t;
      t["output"] = nmb ? "inmb" : "icer";
      t["strategy"] = info.strategies[static_cast<size_t>(target)];
      t["comparator"] = comparator;
      if (nmb) t["wtp"] = run.wtp.front();
      t["base"] = Number(pick(base));
      Json bj = Json::array();
      for (const Bar& b : bars) {
        Json x;
        x["parameter"] = b.name;
        x["low"] = b.low;
        x["high"] = b.high;
        x["at_low"] = Number(b.at_low);
        x["at_high"] = Number(b.at_high);
        x["swing"] = Number(b.swing);
        bj.push_back(x);
      }
      t["bars"] = bj;
      (*j)["tornado"] = t;
    }
  }
  if (!d.two_way.empty()) {
    Json t;
    t["parameters"] = d.two_way_params;
    t["values"] = {d.a_values, d.b_values};
    const double w = run.wtp.empty() ? 0.0 : run.wtp.front();
    t["wtp"] = w;
    Json best = Json::array();
    const size_t nb = d.b_values.size();
    for (size_t a = 0; a < d.a_values.size(); ++a) {
      Json row = Json::array();
      for (size_t b = 0; b < nb; ++b) {
        const models::Outcome& o = d.two_way[a * nb + b];
        std::vector<double> c, e;
        for (int s = 0; s < static_cast<int>(info.strategies.size()); ++s) {
          c.push_back(o.value(s, info.cost_value));
          e.push_back(o.effect(s, bc.effect_value));
        }
        row.push_back(info.strategies[static_cast<size_t>(models::BestStrategy(w, c, e))]);
      }
      best.push_back(row);
    }
    t["best"] = best;
    (*j)["dsa2"] = t;
  }
  if (!d.threshold_param.empty()) {
    Json t;
    t["parameter"] = d.threshold_param;
    t["low"] = d.threshold_lo;
    t["high"] = d.threshold_hi;
    t["relative_tolerance"] = models::kThresholdRelTol;
    Json changes = Json::array();
    for (const models::Threshold& x : d.thresholds) {
      Json c;
      c["wtp"] = x.wtp;
      c["value"] = x.value;
      c["from"] = info.strategies[static_cast<size_t>(x.from)];
      c["to"] = info.strategies[static_cast<size_t>(x.to)];
      c["bracket"] = x.bracket;
      changes.push_back(c);
    }
    t["changes"] = changes;
    (*j)["threshold"] = t;
  }
}

std::string PsaText(const LoadedModel& m, const PsaRun& p, const UncertaintyOptions& opts, int effect_value) {
  const models::ModelInfo& info = m.model->info();
  const models::PsaResult& r = p.result;
  std::ostringstream out;
  out << "\nProbabilistic sensitivity analysis: " << r.n << " draws ";
  if (p.source == "sampled") {
    out << "(seed " << p.seed << ")";
  } else {
    out << "from " << p.source;
  }
  out << "\n";
  TextTable t;
  std::vector<std::string> h = {"strategy"};
  for (const auto& v : info.values) {
    h.push_back(v.name + " mean");
    h.push_back("sd");
  }
  t.Header(h);
  for (int s = 0; s < r.num_strategies; ++s) {
    std::vector<std::string> row = {info.strategies[static_cast<size_t>(s)]};
    for (int v = 0; v < r.num_values; ++v) {
      row.push_back(Fmt(r.mean[static_cast<size_t>(s * r.num_values + v)]));
      row.push_back(Fmt(r.sd[static_cast<size_t>(s * r.num_values + v)], 4));
    }
    t.Row(row);
  }
  out << t.Render();
  if (!r.wtp.empty()) {
    out << "\nProbability of the highest net benefit (CEAC), expected value of perfect information:\n";
    TextTable c;
    std::vector<std::string> hh = {"wtp"};
    for (const auto& s : info.strategies) hh.push_back("P(" + s + ")");
    hh.push_back("EVPI");
    c.Header(hh);
    const size_t step = std::max<size_t>(1, r.wtp.size() / 20);
    for (size_t w = 0; w < r.wtp.size(); w += step) {
      std::vector<std::string> row = {Fmt(r.wtp[w])};
      for (double q : r.prob_best[w]) row.push_back(Fmt(q, 4));
      row.push_back(Fmt(r.Evpi(w), 6));
      c.Row(row);
    }
    out << c.Render();
  }
  if (!p.evppi.empty()) {
    out << "\nEVPPI (regression metamodel; se from the regression coefficients):\n";
    TextTable e;
    e.Header({"parameters", "wtp", "EVPPI", "se", "R2 min"});
    for (const auto& g : p.evppi) {
      std::string names;
      for (const auto& n : g.parameters) names += (names.empty() ? "" : ",") + n;
      for (size_t w = 0; w < r.wtp.size(); ++w) {
        e.Row({names, Fmt(r.wtp[w]), Fmt(g.estimate.evppi[w], 6), Fmt(g.estimate.se[w], 3), Fmt(g.estimate.r2_min, 3)});
      }
    }
    out << e.Render();
  }
  (void)opts;
  (void)effect_value;
  return out.str();
}

std::string DsaText(const LoadedModel& m, const DsaRun& d, const RunOptions& run_in, const BaseCase& bc,
                    const UncertaintyOptions& opts) {
  Json j;
  AddDsaJson(m, d, run_in, bc, opts, &j);
  RunOptions run = run_in;
  run.wtp = DsaWtp(m.model->info(), run_in);
  std::ostringstream out;
  if (j.contains("tornado")) {
    const Json& t = j["tornado"];
    out << "\nOne-way sensitivity (tornado) on " << t["output"].get<std::string>() << " of "
        << t["strategy"].get<std::string>() << " vs " << t["comparator"].get<std::string>();
    if (t.contains("wtp")) out << " at wtp " << Fmt(t["wtp"].get<double>());
    out << "; base " << (t["base"].is_null() ? "-" : Fmt(t["base"].get<double>())) << ":\n";
    TextTable tt;
    tt.Header({"parameter", "low", "high", "at low", "at high", "swing"});
    for (const Json& b : t["bars"]) {
      auto f = [](const Json& v) { return v.is_null() ? std::string("-") : Fmt(v.get<double>()); };
      tt.Row({b["parameter"].get<std::string>(), f(b["low"]), f(b["high"]), f(b["at_low"]), f(b["at_high"]), f(b["swing"])});
    }
    out << tt.Render();
  }
  if (j.contains("dsa2")) {
    out << "\nTwo-way analysis of " << d.two_way_params[0] << " (rows) and " << d.two_way_params[1]
        << " (columns): best strategy at wtp " << Fmt(j["dsa2"]["wtp"].get<double>()) << "\n";
    TextTable tt;
    std::vector<std::string> h = {""};
    for (double b : d.b_values) h.push_back(Fmt(b, 5));
    tt.Header(h);
    for (size_t a = 0; a < d.a_values.size(); ++a) {
      std::vector<std::string> row = {Fmt(d.a_values[a], 5)};
      for (const Json& s : j["dsa2"]["best"][a]) row.push_back(s.get<std::string>());
      tt.Row(row);
    }
    out << tt.Render();
  }
  if (j.contains("threshold")) {
    out << "\nThreshold of " << d.threshold_param << " in [" << Fmt(d.threshold_lo) << ", " << Fmt(d.threshold_hi)
        << "] (relative tolerance " << Fmt(models::kThresholdRelTol) << "):\n";
    if (d.thresholds.empty()) out << "  the best strategy does not change in this range\n";
    for (const Json& c : j["threshold"]["changes"]) {
      out << "  wtp " << Fmt(c["wtp"].get<double>()) << ": at " << Fmt(c["value"].get<double>(), 12)
          << " the best strategy changes from "
          << c["from"].get<std::string>() << " to " << c["to"].get<std::string>() << "\n";
    }
  }
  return out.str();
}

}  // namespace vaglio::engine
