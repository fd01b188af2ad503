#include "models/psa.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <map>
#include <mutex>
#include <optional>
#include <thread>

#include "models/incremental.h"

namespace vaglio::models {
namespace {

// Summaries of one block of draws; merged in block order.
struct BlockStats {
  int64_t n = 0;
  std::vector<double> mean, m2;             // Welford, per strategy x value
  std::vector<std::vector<int64_t>> best;   // [w][s]
  std::vector<double> sum_max;              // [w]
};

void Merge(BlockStats& into, const BlockStats& b) {
  if (b.n == 0) return;
  if (into.n == 0) {
    into = b;
    return;
  }
  const double na = static_cast<double>(into.n), nb = static_cast<double>(b.n), n = na + nb;
  for (size_t k = 0; k < into.mean.size(); ++k) {
    const double delta = b.mean[k] - into.mean[k];
    into.mean[k] += delta * nb / n;
    into.m2[k] += b.m2[k] + delta * delta * na * nb / n;
  }
  for (size_t w = 0; w < into.best.size(); ++w) {
    for (size_t s = 0; s < into.best[w].size(); ++s) into.best[w][s] += b.best[w][s];
    into.sum_max[w] += b.sum_max[w];
  }
  into.n += b.n;
}

}  // namespace

double PsaResult::Evpi(size_t w) const {
  double best = mean_nb[w][0];
  for (double v : mean_nb[w]) best = std::max(best, v);
  return std::max(0.0, mean_max_nb[w] - best);
}

int PsaResult::BestExpected(size_t w) const {
  int best = 0;
  for (size_t s = 1; s < mean_nb[w].size(); ++s) {
    if (mean_nb[w][s] > mean_nb[w][static_cast<size_t>(best)]) best = static_cast<int>(s);
  }
  return best;
}

double PsaResult::ExpectedLoss(size_t w, int s) const {
  return mean_max_nb[w] - mean_nb[w][static_cast<size_t>(s)];
}

Result<PsaResult> RunPsa(const Model& model, const DrawSource& source, const PsaOptions& opts) {
  const ModelInfo& info = model.info();
  const int S = static_cast<int>(info.strategies.size());
  const int V = static_cast<int>(info.values.size());
  const size_t W = opts.wtp.size();
  const size_t k = source.inputs.size();
  const int64_t n = source.count;
  const int64_t blocks = (n + kPsaBlock - 1) / kPsaBlock;
  const int threads = static_cast<int>(std::max<int64_t>(1, std::min<int64_t>(opts.threads, blocks)));

  PsaResult res;
  res.n = n;
  res.num_strategies = S;
  res.num_values = V;
  res.wtp = opts.wtp;
  if (opts.keep_draws) {
    res.inputs.assign(static_cast<size_t>(n) * k, 0.0);
    res.costs.assign(static_cast<size_t>(n * S), 0.0);
    res.effects.assign(static_cast<size_t>(n * S), 0.0);
  }

  std::vector<std::unique_ptr<Evaluator>> evaluators;
  for (int t = 0; t < threads; ++t) {
    auto ev = model.NewEvaluator(source.inputs);
    if (!ev.ok()) return Status::FromIssues(ev.TakeIssues());
    evaluators.push_back(std::move(ev).value());
  }

  std::atomic<int64_t> next_block{0};
  std::atomic<bool> stop{false};
  std::mutex mu;
  std::map<int64_t, BlockStats> done;  // finished blocks waiting for their turn
  int64_t merge_next = 0;
  BlockStats total;
  std::optional<std::pair<int64_t, Issues>> failure;  // first failing draw

  auto worker = [&](int t) {
    Evaluator& ev = *evaluators[static_cast<size_t>(t)];
    std::vector<double> x(k);
    Outcome out;
    std::vector<double> cost(static_cast<size_t>(S)), eff(static_cast<size_t>(S));
    while (!stop.load()) {
      const int64_t b = next_block.fetch_add(1);
      if (b >= blocks) break;
      BlockStats st;
      st.mean.assign(static_cast<size_t>(S * V), 0.0);
      st.m2.assign(static_cast<size_t>(S * V), 0.0);
      st.best.assign(W, std::vector<int64_t>(static_cast<size_t>(S), 0));
      st.sum_max.assign(W, 0.0);
      const int64_t end = std::min(n, (b + 1) * kPsaBlock);
      for (int64_t i = b * kPsaBlock; i < end; ++i) {
        source.fill(i, x);
        Status s = ev.Evaluate(x, &out);
        if (!s.ok()) {
          Issues issues = s.TakeIssues();
          for (Issue& is : issues) is.message += " (in PSA draw " + std::to_string(i + 1) + ")";
          std::lock_guard<std::mutex> lock(mu);
          if (!failure || i < failure->first) failure = std::make_pair(i, std::move(issues));
          stop.store(true);
          return;
        }
        st.n += 1;
        const double cnt = static_cast<double>(st.n);
        for (size_t q = 0; q < st.mean.size(); ++q) {
          const double v = out.discounted[q];
          const double delta = v - st.mean[q];
          st.mean[q] += delta / cnt;
          st.m2[q] += delta * (v - st.mean[q]);
        }
        for (int s2 = 0; s2 < S; ++s2) {
          cost[static_cast<size_t>(s2)] = out.value(s2, info.cost_value);
          eff[static_cast<size_t>(s2)] = out.effect(s2, opts.effect_value);
        }
        for (size_t w = 0; w < W; ++w) {
          const int best = BestStrategy(opts.wtp[w], cost, eff);
          st.best[w][static_cast<size_t>(best)] += 1;
          st.sum_max[w] += NetBenefit(opts.wtp[w], cost[static_cast<size_t>(best)], eff[static_cast<size_t>(best)]);
        }
        if (opts.keep_draws) {
          std::copy(x.begin(), x.end(), res.inputs.begin() + static_cast<std::ptrdiff_t>(static_cast<size_t>(i) * k));
          std::copy(cost.begin(), cost.end(), res.costs.begin() + i * S);
          std::copy(eff.begin(), eff.end(), res.effects.begin() + i * S);
        }
      }
      std::lock_guard<std::mutex> lock(mu);
      done.emplace(b, std::move(st));
      while (!done.empty() && done.begin()->first == merge_next) {
        Merge(total, done.begin()->second);
        done.erase(done.begin());
        ++merge_next;
      }
      if (opts.progress) opts.progress(total.n);
    }
  };

  if (threads == 1) {
    worker(0);
  } else {
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t) pool.emplace_back(worker, t);
    for (std::thread& th : pool) th.join();
  }
  if (failure) return Status::FromIssues(std::move(failure->second));

  res.mean = total.mean;
  res.sd.resize(total.m2.size());
  for (size_t q = 0; q < total.m2.size(); ++q) {
    res.sd[q] = n > 1 ? std::sqrt(total.m2[q] / static_cast<double>(n - 1)) : 0.0;
  }
  res.prob_best.assign(W, std::vector<double>(static_cast<size_t>(S), 0.0));
  res.mean_max_nb.assign(W, 0.0);
  res.mean_nb.assign(W, std::vector<double>(static_cast<size_t>(S), 0.0));
  for (size_t w = 0; w < W; ++w) {
    for (int s = 0; s < S; ++s) {
      res.prob_best[w][static_cast<size_t>(s)] =
          static_cast<double>(total.best[w][static_cast<size_t>(s)]) / static_cast<double>(n);
      res.mean_nb[w][static_cast<size_t>(s)] =
          NetBenefit(opts.wtp[w], res.mean[static_cast<size_t>(s * V + info.cost_value)],
                     opts.effect_value < 0 ? 0.0 : res.mean[static_cast<size_t>(s * V + opts.effect_value)]);
    }
    res.mean_max_nb[w] = total.sum_max[w] / static_cast<double>(n);
  }
  return res;
}

}  // namespace vaglio::models
