#ifndef VAGLIO_ENGINE_EVALUATION_ECONOMICS_H_
#define VAGLIO_ENGINE_EVALUATION_ECONOMICS_H_

#include <optional>
#include <string>
#include <vector>

#include "criteria.pb.h"
#include "engine/diagnostics.h"
#include "engine/evaluation/uncertainty_summary.h"
#include "engine/io.h"
#include "engine/load/dossier_loader.h"
#include "engine/load/model_loader.h"
#include "engine/run.h"
#include "models/bia.h"
#include "models/psa.h"

/// The economics of an evaluation (docs/formats.md §Economics): the dossier's model run
/// under the committee's discount rates and currency, compared pairwise (device strategy
/// vs comparator strategy), at each of the committee's WTP thresholds; and the budget
/// impact from the dossier's costs and volumes.
namespace vaglio::engine {

struct ThresholdResult {
  std::string label;
  double wtp = 0;
  double inmb = 0;                     // wtp * dE - dC, in the committee's currency
  std::optional<double> p_ce;          // P(NB device > NB comparator), with PSA
  std::optional<double> price_threshold;  // the device price at which inmb = 0
};

struct EconomicsResult {
  bool has_model = false;
  std::optional<LoadedModel> model;
  std::string device, comparator;      // strategy names
  int device_index = 0, comparator_index = 0;
  double exchange_rate = 1;            // committee currency per model currency unit
  std::string effect;                  // the effect value (empty: cost only)
  double delta_cost = 0, delta_effect = 0;  // device - comparator, committee currency
  std::optional<double> icer;
  std::string status;  // more_costly_more_effective, dominant, dominated, less_costly_less_effective, equal
  std::vector<ThresholdResult> thresholds;
  std::optional<models::PsaResult> psa;
  std::optional<PsaSummaryResult> psa_summary;  // CE plane sample, CEAC and CEAF
  std::string tornado_label;           // the threshold of the tornado (the first; none: wtp 0)
  double tornado_wtp = 0;
  std::vector<OneWayInmb> tornado;     // empty: no parameter has a range
  std::string price_parameter;
  std::optional<double> device_price;  // the price parameter's base value, model currency
  bool has_bia = false;
  models::BiaResult bia;
  std::vector<std::string> flags;      // notes for the record (e.g. a purchase left out under free loan)
};

/// Runs the dossier's first economic analysis with a model, and the budget impact. Input
/// problems (the model, a strategy name, currencies) go to `diag`.
std::optional<EconomicsResult> RunEconomics(const FileSystem& fs, const LoadedDossier& dossier,
                                            const LoadedCriteria& criteria, int threads, Diagnostics* diag);

}  // namespace vaglio::engine

#endif  // VAGLIO_ENGINE_EVALUATION_ECONOMICS_H_
