#ifndef VAGLIO_ENGINE_REPORT_CHARTS_H_
#define VAGLIO_ENGINE_REPORT_CHARTS_H_

#include <string>
#include <vector>

#include "engine/evaluation/assess.h"
#include "engine/report/html.h"
#include "evaluation.pb.h"

/// The Vega-Lite specifications of the reports' charts, each built from one part of the
/// record; every number in a chart's data is the record's own value, unrounded.
namespace vaglio::engine::report {

/// The long name of an HTA Core Model domain tag ("EFF" -> "Clinical effectiveness").
std::string DomainName(const std::string& tag);

/// One stacked bar: each criterion's weighted contribution to the MCDA total, coloured by domain.
Json McdaChart(const schemas::Aggregate& a);
/// The share of random weight draws giving each outcome.
Json RandomWeightsChart(const schemas::Robustness& r);
/// The cost-effectiveness plane: the PSA sample, the base case and a line per WTP threshold.
Json CePlaneChart(const schemas::Economics& e);
/// The CEAC of device and comparator and the CEAF, with the thresholds marked.
Json CeacChart(const schemas::Economics& e);
/// The tornado of the INMB: the `kTornadoBars` parameters with the widest swing.
inline constexpr int kTornadoBars = 15;
Json TornadoChart(const schemas::Economics& e);
/// The net budget impact per year, for each perspective.
Json BiaChart(const schemas::Economics& e);
/// The share of catalogue fields answered per HTA Core Model domain.
Json CompletenessChart(const schemas::Completeness& c);
/// The points of the total each criterion does not earn (self-assessment).
Json WeakestChart(const std::vector<WeakCriterion>& weakest);

}  // namespace vaglio::engine::report

#endif  // VAGLIO_ENGINE_REPORT_CHARTS_H_
