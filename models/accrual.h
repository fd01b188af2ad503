#ifndef VAGLIO_MODELS_ACCRUAL_H_
#define VAGLIO_MODELS_ACCRUAL_H_

#include <span>
#include <vector>

#include "models/conventions.h"
#include "models/model_spec.h"

namespace vaglio::models {

/// True for the counting methods that value the trace at time points (half_cycle, simpson).
inline bool IsTimePointCounting(Counting c) { return c == Counting::kHalfCycle || c == Counting::kSimpson; }

/// Accrues state values over a cohort trace by a model's counting method and discounting
/// (docs/methods.md §Counting and discounting), for every value at once. The discount
/// factors and weights are computed once per model; Reset starts a new strategy.
/// Amounts are per cycle (a `per: year` value is already multiplied by the cycle length).
class Accrual {
 public:
  Accrual(const ModelSpec& spec, int horizon, double cycle_length_years);

  void Reset();
  /// Time point k (0..horizon) with occupancy x (states) and amounts vals[i * V + v];
  /// only for time-point methods.
  void Point(int k, std::span<const double> x, std::span<const double> vals);
  /// Cycle k (1..horizon) from occupancy prev (t_{k-1}) to next (t_k), amounts of cycle k;
  /// only for per-cycle methods.
  void Cycle(int k, std::span<const double> prev, std::span<const double> next, std::span<const double> vals);
  /// A one-off amount of value v in cycle k, discounted at the cycle's timing.
  void Flow(int k, size_t v, double amount);

  bool time_points() const { return time_points_; }
  const std::vector<double>& discounted() const { return acc_; }
  const std::vector<double>& undiscounted() const { return acc_u_; }

 private:
  Counting counting_;
  bool time_points_;
  size_t values_;
  std::vector<std::vector<double>> disc_tau_;    // [value][k], k = 1..T at the timing
  std::vector<std::vector<double>> disc_point_;  // [value][k], k = 0..T at t_k
  std::vector<double> weight_;                   // [k], time-point methods
  std::vector<double> acc_, acc_u_;
};

}  // namespace vaglio::models

#endif  // VAGLIO_MODELS_ACCRUAL_H_
