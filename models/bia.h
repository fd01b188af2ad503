#ifndef VAGLIO_MODELS_BIA_H_
#define VAGLIO_MODELS_BIA_H_

#include <string>
#include <vector>

#include "models/result.h"

/// Budget impact analysis (ISPOR 2014 principles; docs/methods.md §Budget impact): yearly,
/// undiscounted costs of adopting the device for the budget holder, net of the comparator
/// costs it displaces, for the hospital and for the national health service (SSN).
namespace vaglio::models {

enum class CostBasis { kPerProcedure, kPerPatient, kPerYear, kOneOff };

struct BiaCostItem {
  std::string id;                // where the item is (issues name it: "costs[2]")
  bool intervention = true;      // false: a cost of the comparator, saved where displaced
  double unit_cost = 0;          // in the analysis currency
  double quantity = 1;           // units per procedure / patient / year / once
  CostBasis basis = CostBasis::kPerYear;
  std::vector<int> years;        // budget years it applies to; empty: every year (one-off: year 1)
};

struct BiaVolume {
  int year = 1;
  double patients = 0;
  double procedures = 0;
  double displaced_share = 0;    // share of the comparator's use replaced, in [0, 1]
};

struct BiaInputs {
  int horizon_years = 1;
  std::vector<BiaCostItem> items;
  std::vector<BiaVolume> volumes;  // by year; a year not listed takes the last listed before it
  double extra_tariff_per_procedure = 0;  // paid to the hospital on top of the DRG, per procedure
};

struct BiaYear {
  int year = 0;
  double intervention = 0;  // costs of the device and its use
  double displaced = 0;     // comparator costs no longer incurred
  double tariff_income = 0; // extra reimbursement (hospital perspective only)
  double net = 0;           // intervention - displaced - tariff_income
};

struct BiaResult {
  std::vector<BiaYear> hospital, ssn;
  double total_hospital = 0, total_ssn = 0;
  std::vector<int> carried_years;  // years whose volumes were taken from an earlier year
};

/// For budget year y = 1..horizon, an item applies when its `years` list is empty (a
/// one-off item: in year 1 only) or contains y, and costs
///   per_procedure: unit_cost * quantity * procedures_y; per_patient: ... * patients_y;
///   per_year and one_off: unit_cost * quantity.
/// intervention_y sums the device's items; displaced_y = displaced_share_y * the
/// comparator's items; the hospital's net is intervention - displaced - extra tariff *
/// procedures_y; the SSN's is intervention - displaced (tariffs move money within the SSN).
/// Issues: no volume for year 1, negative amounts, a share outside [0, 1], a horizon < 1.
Result<BiaResult> BudgetImpact(const BiaInputs& in);

}  // namespace vaglio::models

#endif  // VAGLIO_MODELS_BIA_H_
