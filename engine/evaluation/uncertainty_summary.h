#ifndef VAGLIO_ENGINE_EVALUATION_UNCERTAINTY_SUMMARY_H_
#define VAGLIO_ENGINE_EVALUATION_UNCERTAINTY_SUMMARY_H_

#include <optional>
#include <string>
#include <vector>

#include "engine/diagnostics.h"
#include "engine/load/model_loader.h"
#include "models/psa.h"

/// What an evaluation keeps of its uncertainty analyses for the record and its report
/// (docs/formats.md §PSA summary and tornado): a bounded sample of the CE plane, the CEAC
/// and CEAF of device vs comparator on a WTP grid, and a one-way tornado of the
/// incremental net monetary benefit.
namespace vaglio::engine {

/// Draws of the CE plane kept in the record: the first ones (draw i depends on (seed, i)
/// only, so the sample is the same whatever the number of draws run).
inline constexpr int kCePlaneSample = 1000;
/// Intervals of the WTP grid of the CEAC: from 0 to twice the largest threshold.
inline constexpr int kCeacSteps = 40;
/// The grid's upper end when the criteria set has no WTP threshold (committee currency).
inline constexpr double kCeacDefaultMaxWtp = 100000;

struct CeacResult {
  double wtp = 0;
  double p_device = 0;      // share of draws with NB device > NB comparator (strictly)
  bool device_optimal = false;  // the device has the higher expected net benefit (ties: comparator)
};

struct PsaSummaryResult {
  int64_t draws = 0;
  double mean_delta_cost = 0, mean_delta_effect = 0;
  std::vector<double> sample_delta_cost, sample_delta_effect;
  std::vector<CeacResult> ceac;
};

/// The WTP grid: kCeacSteps + 1 equal steps from 0 to 2 x the largest threshold (or to
/// kCeacDefaultMaxWtp), with the thresholds themselves added, sorted, without duplicates.
std::vector<double> CeacGrid(const std::vector<double>& thresholds);

/// Summarises kept draws (REQUIRES psa.costs and psa.effects kept) for device `d` against
/// comparator `c`; costs are multiplied by `rate` (committee currency per model unit).
PsaSummaryResult SummarisePsa(const models::PsaResult& psa, int d, int c, double rate, const std::vector<double>& grid);

struct OneWayInmb {
  std::string parameter, label;
  double low = 0, high = 0;
  bool declared = false;
  double inmb_low = 0, inmb_high = 0;
};

/// INMB = wtp * dE - rate * dC with each parameter that has a range (declared low/high, or
/// its distribution's 2.5% and 97.5% quantiles) at its low and high value, the others at
/// base, in file order. Problems met while running go to `diag`.
std::optional<std::vector<OneWayInmb>> RunTornado(const LoadedModel& m, int d, int c, int effect, double rate, double wtp,
                                                  Diagnostics* diag);

}  // namespace vaglio::engine

#endif  // VAGLIO_ENGINE_EVALUATION_UNCERTAINTY_SUMMARY_H_
