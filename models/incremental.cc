#include "models/incremental.h"

#include <algorithm>
#include <numeric>
#include <stdexcept>

namespace vaglio::models {

std::string_view ToString(FrontierStatus s) {
  switch (s) {
    case FrontierStatus::kReference:
      return "reference";
    case FrontierStatus::kFrontier:
      return "frontier";
    case FrontierStatus::kDominated:
      return "dominated";
    case FrontierStatus::kExtendedDominated:
      return "extended_dominated";
  }
  return "?";
}

std::vector<IncrementalRow> IncrementalAnalysis(std::span<const double> cost,
                                                std::span<const double> effect) {
  const int n = static_cast<int>(cost.size());
  if (n == 0 || effect.size() != cost.size()) {
    throw std::invalid_argument("IncrementalAnalysis: cost and effect must be non-empty and equal in size");
  }
  auto C = [&](int i) { return cost[static_cast<size_t>(i)]; };
  auto E = [&](int i) { return effect[static_cast<size_t>(i)]; };
  std::vector<IncrementalRow> rows(static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) rows[static_cast<size_t>(i)].strategy = i;

  // 1. Strong dominance.
  std::vector<int> alive;
  for (int i = 0; i < n; ++i) {
    int by = -1;
    for (int j = 0; j < n; ++j) {
      if (j == i) continue;
      const bool weakly = C(j) <= C(i) && E(j) >= E(i);
      const bool strictly = C(j) < C(i) || E(j) > E(i);
      const bool tie_earlier = C(j) == C(i) && E(j) == E(i) && j < i;
      if (weakly && (strictly || tie_earlier)) {
        if (by < 0 || C(j) < C(by) || (C(j) == C(by) && E(j) > E(by))) by = j;
      }
    }
    if (by >= 0) {
      IncrementalRow& r = rows[static_cast<size_t>(i)];
      r.status = FrontierStatus::kDominated;
      r.comparator = by;
      r.delta_cost = C(i) - C(by);
      r.delta_effect = E(i) - E(by);
    } else {
      alive.push_back(i);
    }
  }
  // Sorted by effect (then cost): without dominated strategies, cost rises with effect.
  std::sort(alive.begin(), alive.end(), [&](int a, int b) {
    return E(a) != E(b) ? E(a) < E(b) : (C(a) != C(b) ? C(a) < C(b) : a < b);
  });

  // 2. Extended dominance.
  for (bool removed = true; removed;) {
    removed = false;
    for (size_t k = 1; k + 1 < alive.size(); ++k) {
      const int a = alive[k - 1], b = alive[k], c = alive[k + 1];
      const double icer_b = (C(b) - C(a)) / (E(b) - E(a));
      const double icer_c = (C(c) - C(b)) / (E(c) - E(b));
      if (icer_b > icer_c) {
        rows[static_cast<size_t>(b)].status = FrontierStatus::kExtendedDominated;
        alive.erase(alive.begin() + static_cast<std::ptrdiff_t>(k));
        removed = true;
        break;
      }
    }
  }

  // 3. Frontier.
  for (size_t k = 0; k < alive.size(); ++k) {
    IncrementalRow& r = rows[static_cast<size_t>(alive[k])];
    if (k == 0) {
      r.status = FrontierStatus::kReference;
      continue;
    }
    const int prev = alive[k - 1];
    r.status = FrontierStatus::kFrontier;
    r.comparator = prev;
    r.delta_cost = C(alive[k]) - C(prev);
    r.delta_effect = E(alive[k]) - E(prev);
    r.icer = r.delta_cost / r.delta_effect;
  }
  for (IncrementalRow& r : rows) {
    if (r.status != FrontierStatus::kExtendedDominated) continue;
    int below = alive.front();
    for (int f : alive) {
      if (E(f) <= E(r.strategy)) below = f;
    }
    r.comparator = below;
    r.delta_cost = C(r.strategy) - C(below);
    r.delta_effect = E(r.strategy) - E(below);
  }
  return rows;
}

int BestStrategy(double wtp, std::span<const double> cost, std::span<const double> effect) {
  int best = 0;
  double best_nb = NetBenefit(wtp, cost[0], effect[0]);
  for (size_t i = 1; i < cost.size(); ++i) {
    const double nb = NetBenefit(wtp, cost[i], effect[i]);
    if (nb > best_nb) {
      best_nb = nb;
      best = static_cast<int>(i);
    }
  }
  return best;
}

}  // namespace vaglio::models
