#ifndef VAGLIO_ENGINE_UNCERTAINTY_H_
#define VAGLIO_ENGINE_UNCERTAINTY_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "engine/diagnostics.h"
#include "engine/io.h"
#include "engine/load/model_loader.h"
#include "engine/run.h"
#include "models/dsa.h"
#include "models/evppi.h"
#include "models/psa.h"

/// PSA, value of information, DSA and threshold analysis of a loaded model, and their
/// JSON (DESIGN §5 keys `psa`, `dsa`) and text forms.
namespace vaglio::engine {

struct UncertaintyOptions {
  // PSA
  int64_t psa = 0;                 // number of draws to sample (0: no sampling)
  uint64_t seed = 1;
  std::string draws_file;          // evaluate these draws instead of sampling
  int threads = 1;
  std::string export_dir;          // write parameters.csv, costs.csv, effects.csv
  std::vector<std::vector<std::string>> evppi;  // groups; {"each"} = every varying input
  double population = 0;           // population EVPI: patients per year
  int years = 0;                   //   over this many years
  std::optional<double> population_discount;  // default: the cost value's rate
  bool ce_plane = false;           // include every draw's increments in the JSON
  // DSA and threshold
  bool dsa = false;
  std::vector<std::string> dsa2;   // two parameters
  int dsa2_points = 11;
  std::string threshold;           // parameter
  std::optional<std::pair<double, double>> threshold_range;
  std::string comparator;          // for increments in DSA; default: the base-case reference
  std::function<void(int64_t done, int64_t total)> progress;
};

struct PsaRun {
  models::PsaResult result;
  std::vector<int> inputs;         // varying inputs, in column order
  std::string source;              // "sampled" or the draws file
  uint64_t seed = 0;
  std::vector<std::string> ignored_columns;  // draws-file columns that name no input
  struct Evppi {
    std::vector<std::string> parameters;
    models::EvppiEstimate estimate;
  };
  std::vector<Evppi> evppi;
};

struct DsaRun {
  int comparator = 0;
  std::vector<models::OneWayPoint> one_way;
  // two-way
  std::vector<std::string> two_way_params;
  std::vector<double> a_values, b_values;
  std::vector<models::Outcome> two_way;
  // threshold
  std::string threshold_param;
  double threshold_lo = 0, threshold_hi = 0;
  std::vector<models::Threshold> thresholds;
};

/// Runs the PSA asked for by `opts` (sampled or from a draws file), exports the draws
/// when asked, and estimates EVPPI for each group. Problems go to `diag`.
std::optional<PsaRun> RunPsaAnalysis(const LoadedModel& m, const FileSystem& fs, FileSystem& out_fs,
                                     const UncertaintyOptions& opts, const RunOptions& run,
                                     int effect_value, Diagnostics* diag);

/// One-way DSA over every ranged input, the two-way grid and the threshold search asked
/// for by `opts`.
std::optional<DsaRun> RunDsaAnalysis(const LoadedModel& m, const UncertaintyOptions& opts,
                                     const RunOptions& run, const BaseCase& bc, Diagnostics* diag);

/// The `psa` JSON object (DESIGN §5) with CEAC, CEAF, expected loss, EVPI, EVPPI.
Json PsaJson(const LoadedModel& m, const PsaRun& p, const UncertaintyOptions& opts, int effect_value);

/// The `dsa` array of DESIGN §5, plus `tornado`, `dsa2` and `threshold` objects, added to `j`.
void AddDsaJson(const LoadedModel& m, const DsaRun& d, const RunOptions& run, const BaseCase& bc,
                const UncertaintyOptions& opts, Json* j);

std::string PsaText(const LoadedModel& m, const PsaRun& p, const UncertaintyOptions& opts, int effect_value);
std::string DsaText(const LoadedModel& m, const DsaRun& d, const RunOptions& run, const BaseCase& bc,
                    const UncertaintyOptions& opts);

}  // namespace vaglio::engine

#endif  // VAGLIO_ENGINE_UNCERTAINTY_H_
