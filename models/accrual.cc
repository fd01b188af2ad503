#include "models/accrual.h"

#include "models/markov.h"

namespace vaglio::models {

Accrual::Accrual(const ModelSpec& spec, int horizon, double cycle_length_years)
    : counting_(spec.counting), time_points_(IsTimePointCounting(spec.counting)), values_(spec.values.size()) {
  const int T = horizon;
  const double L = cycle_length_years;
  for (const ValueSpec& v : spec.values) {
    std::vector<double> tau(static_cast<size_t>(T) + 1, 1.0), point(static_cast<size_t>(T) + 1, 1.0);
    for (int k = 0; k <= T; ++k) {
      point[static_cast<size_t>(k)] = DiscountFactor(v.discount_rate, k * L, spec.discount_step);
      if (k >= 1) {
        const double t = spec.discount_timing == DiscountTiming::kStart ? (k - 1) * L : k * L;
        tau[static_cast<size_t>(k)] = DiscountFactor(v.discount_rate, t, spec.discount_step);
      }
    }
    disc_tau_.push_back(std::move(tau));
    disc_point_.push_back(std::move(point));
  }
  if (time_points_) {
    for (int k = 0; k <= T; ++k) weight_.push_back(TimePointWeight(counting_, T, k));
  }
  Reset();
}

void Accrual::Reset() {
  acc_.assign(values_, 0.0);
  acc_u_.assign(values_, 0.0);
}

void Accrual::Point(int k, std::span<const double> x, std::span<const double> vals) {
  const double w = weight_[static_cast<size_t>(k)];
  for (size_t v = 0; v < values_; ++v) {
    double a = 0;
    for (size_t i = 0; i < x.size(); ++i) a += x[i] * vals[i * values_ + v];
    acc_u_[v] += w * a;
    acc_[v] += w * a * disc_point_[v][static_cast<size_t>(k)];
  }
}

void Accrual::Cycle(int k, std::span<const double> prev, std::span<const double> next, std::span<const double> vals) {
  for (size_t v = 0; v < values_; ++v) {
    double a = 0;
    switch (counting_) {
      case Counting::kBeginning:
        for (size_t i = 0; i < prev.size(); ++i) a += prev[i] * vals[i * values_ + v];
        break;
      case Counting::kEnd:
        for (size_t i = 0; i < next.size(); ++i) a += next[i] * vals[i * values_ + v];
        break;
      case Counting::kLifeTable:
        for (size_t i = 0; i < prev.size(); ++i) a += 0.5 * (prev[i] + next[i]) * vals[i * values_ + v];
        break;
      case Counting::kHalfCycle:
      case Counting::kSimpson:
        return;
    }
    acc_u_[v] += a;
    acc_[v] += a * disc_tau_[v][static_cast<size_t>(k)];
  }
}

void Accrual::Flow(int k, size_t v, double amount) {
  acc_u_[v] += amount;
  acc_[v] += amount * disc_tau_[v][static_cast<size_t>(k)];
}

}  // namespace vaglio::models
