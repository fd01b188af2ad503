#include "engine/evaluation/uncertainty_summary.h"

#include <algorithm>

#include "models/dsa.h"

namespace vaglio::engine {

std::vector<double> CeacGrid(const std::vector<double>& thresholds) {
  double top = 0;
  for (double t : thresholds) top = std::max(top, t);
  top = top > 0 ? 2 * top : kCeacDefaultMaxWtp;
  std::vector<double> grid;
  for (int k = 0; k <= kCeacSteps; ++k) grid.push_back(top * k / kCeacSteps);
  for (double t : thresholds) {
    if (t >= 0) grid.push_back(t);
  }
  std::sort(grid.begin(), grid.end());
  grid.erase(std::unique(grid.begin(), grid.end()), grid.end());
  return grid;
}

PsaSummaryResult SummarisePsa(const models::PsaResult& p, int d, int c, double rate, const std::vector<double>& grid) {
  PsaSummaryResult s;
  s.draws = p.n;
  const int64_t S = p.num_strategies;
  auto at = [&](const std::vector<double>& v, int64_t i, int strategy) { return v[static_cast<size_t>(i * S + strategy)]; };
  double sum_dc = 0, sum_de = 0;
  for (int64_t i = 0; i < p.n; ++i) {
    const double dc = rate * (at(p.costs, i, d) - at(p.costs, i, c));
    const double de = at(p.effects, i, d) - at(p.effects, i, c);
    sum_dc += dc;
    sum_de += de;
    if (i < kCePlaneSample) {
      s.sample_delta_cost.push_back(dc);
      s.sample_delta_effect.push_back(de);
    }
  }
  const double n = static_cast<double>(p.n);
  s.mean_delta_cost = sum_dc / n;
  s.mean_delta_effect = sum_de / n;
  for (double w : grid) {
    int64_t wins = 0;
    for (int64_t i = 0; i < p.n; ++i) {
      const double nb_d = w * at(p.effects, i, d) - rate * at(p.costs, i, d);
      const double nb_c = w * at(p.effects, i, c) - rate * at(p.costs, i, c);
      wins += nb_d > nb_c;
    }
    // The expected incremental net benefit from the mean increments.
    s.ceac.push_back({w, static_cast<double>(wins) / n, w * s.mean_delta_effect - s.mean_delta_cost > 0});
  }
  return s;
}

std::optional<std::vector<OneWayInmb>> RunTornado(const LoadedModel& m, int d, int c, int effect, double rate, double wtp,
                                                  Diagnostics* diag) {
  const models::ModelInfo& info = m.model->info();
  const std::vector<models::DsaRange> ranges = models::OneWayRanges(info);
  auto ow = models::RunOneWay(*m.model, ranges);
  if (!ow.ok()) {
    ReportModelIssues(m, ow.status().issues(), diag);
    return std::nullopt;
  }
  auto inmb = [&](const models::Outcome& o) {
    return wtp * (o.effect(d, effect) - o.effect(c, effect)) -
           rate * (o.value(d, info.cost_value) - o.value(c, info.cost_value));
  };
  std::vector<OneWayInmb> out;
  for (const models::OneWayPoint& pt : ow.value()) {
    const models::InputInfo& in = info.inputs[static_cast<size_t>(pt.range.input)];
    out.push_back({in.name, in.label, pt.range.low, pt.range.high, pt.range.declared, inmb(pt.at_low), inmb(pt.at_high)});
  }
  return out;
}

}  // namespace vaglio::engine
