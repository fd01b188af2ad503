#include "models/bia.h"

#include <algorithm>

#include "models/text.h"

namespace vaglio::models {

Result<BiaResult> BudgetImpact(const BiaInputs& in) {
  Issues issues;
  if (in.horizon_years < 1) {
    issues.push_back({"bia_horizon_years", "is " + std::to_string(in.horizon_years) + ", but must be at least 1"});
  }
  for (const BiaCostItem& item : in.items) {
    if (!(item.unit_cost >= 0) || !(item.quantity >= 0)) {
      issues.push_back({item.id, "unit cost " + FormatNumber(item.unit_cost) + " and quantity " +
                                                FormatNumber(item.quantity) + " must both be >= 0"});
    }
  }
  std::vector<BiaVolume> volumes = in.volumes;
  std::sort(volumes.begin(), volumes.end(), [](const BiaVolume& a, const BiaVolume& b) { return a.year < b.year; });
  for (const BiaVolume& v : volumes) {
    if (!(v.displaced_share >= 0 && v.displaced_share <= 1)) {
      issues.push_back({"volumes", "the share of the comparator displaced in year " + std::to_string(v.year) + " is " +
                                       FormatNumber(v.displaced_share) + ", but must be in [0, 1]"});
    }
    if (!(v.patients >= 0 && v.procedures >= 0)) {
      issues.push_back({"volumes", "the volumes of year " + std::to_string(v.year) + " must be >= 0"});
    }
  }
  if (volumes.empty() || volumes.front().year != 1) {
    issues.push_back({"volumes", "no volumes for budget year 1, but the budget impact starts there"});
  }
  if (!issues.empty()) return Status::FromIssues(std::move(issues));

  BiaResult r;
  for (int y = 1; y <= in.horizon_years; ++y) {
    // The volumes of year y, or of the last year listed before it.
    const BiaVolume* v = &volumes.front();
    for (const BiaVolume& c : volumes) {
      if (c.year <= y) v = &c;
    }
    if (v->year != y) r.carried_years.push_back(y);
    double intervention = 0, comparator = 0;
    for (const BiaCostItem& item : in.items) {
      const bool applies = item.years.empty() ? (item.basis != CostBasis::kOneOff || y == 1)
                                              : std::find(item.years.begin(), item.years.end(), y) != item.years.end();
      if (!applies) continue;
      double amount = item.unit_cost * item.quantity;
      if (item.basis == CostBasis::kPerProcedure) amount *= v->procedures;
      if (item.basis == CostBasis::kPerPatient) amount *= v->patients;
      (item.intervention ? intervention : comparator) += amount;
    }
    BiaYear h;
    h.year = y;
    h.intervention = intervention;
    h.displaced = v->displaced_share * comparator;
    h.tariff_income = in.extra_tariff_per_procedure * v->procedures;
    h.net = h.intervention - h.displaced - h.tariff_income;
    BiaYear s = h;
    s.tariff_income = 0;
    s.net = s.intervention - s.displaced;
    r.hospital.push_back(h);
    r.ssn.push_back(s);
    r.total_hospital += h.net;
    r.total_ssn += s.net;
  }
  return r;
}

}  // namespace vaglio::models
