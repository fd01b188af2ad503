#include "models/dsa.h"

#include <boost/math/tools/toms748_solve.hpp>
#include <cmath>

#include "models/incremental.h"
#include "models/text.h"

namespace vaglio::models {

std::vector<DsaRange> OneWayRanges(const ModelInfo& info) {
  std::vector<DsaRange> out;
  for (size_t i = 0; i < info.inputs.size(); ++i) {
    const InputInfo& in = info.inputs[i];
    DsaRange r;
    r.input = static_cast<int>(i);
    if (in.low && in.high) {
      r.low = *in.low;
      r.high = *in.high;
      r.declared = true;
    } else if (in.dist) {
      r.low = in.dist->Quantile(0.025);
      r.high = in.dist->Quantile(0.975);
    } else {
      continue;
    }
    out.push_back(r);
  }
  return out;
}

namespace {

Status Annotate(Status s, const std::string& what) {
  Issues issues = s.TakeIssues();
  for (Issue& i : issues) i.message += " (" + what + ")";
  return Status::FromIssues(std::move(issues));
}

}  // namespace

Result<std::vector<OneWayPoint>> RunOneWay(const Model& model, const std::vector<DsaRange>& ranges) {
  std::vector<OneWayPoint> out;
  for (const DsaRange& r : ranges) {
    auto ev = model.NewEvaluator({r.input});
    if (!ev.ok()) return Status::FromIssues(ev.TakeIssues());
    OneWayPoint p;
    p.range = r;
    const std::string& name = model.info().inputs[static_cast<size_t>(r.input)].name;
    const double lo[] = {r.low}, hi[] = {r.high};
    if (Status s = ev.value()->Evaluate(lo, &p.at_low); !s.ok()) {
      return Annotate(std::move(s), "one-way analysis with " + name + " = " + FormatNumber(r.low));
    }
    if (Status s = ev.value()->Evaluate(hi, &p.at_high); !s.ok()) {
      return Annotate(std::move(s), "one-way analysis with " + name + " = " + FormatNumber(r.high));
    }
    out.push_back(std::move(p));
  }
  return out;
}

Result<std::vector<Outcome>> RunTwoWay(const Model& model, int input_a, int input_b,
                                       const std::vector<double>& a_values,
                                       const std::vector<double>& b_values) {
  auto ev = model.NewEvaluator({input_a, input_b});
  if (!ev.ok()) return Status::FromIssues(ev.TakeIssues());
  const ModelInfo& info = model.info();
  std::vector<Outcome> out;
  for (double a : a_values) {
    for (double b : b_values) {
      Outcome o;
      const double x[] = {a, b};
      if (Status s = ev.value()->Evaluate(x, &o); !s.ok()) {
        return Annotate(std::move(s), "two-way analysis with " + info.inputs[static_cast<size_t>(input_a)].name +
                                          " = " + FormatNumber(a) + ", " +
                                          info.inputs[static_cast<size_t>(input_b)].name + " = " + FormatNumber(b));
      }
      out.push_back(std::move(o));
    }
  }
  return out;
}

Result<std::vector<Threshold>> FindThresholds(const Model& model, int input, double lo, double hi,
                                              double wtp, int effect_value) {
  const ModelInfo& info = model.info();
  auto evr = model.NewEvaluator({input});
  if (!evr.ok()) return Status::FromIssues(evr.TakeIssues());
  Evaluator& ev = *evr.value();
  const int S = static_cast<int>(info.strategies.size());
  const std::string& name = info.inputs[static_cast<size_t>(input)].name;
  std::optional<Status> error;
  // Net benefits at x; records the first evaluation error.
  auto nb = [&](double x, std::vector<double>* out) {
    Outcome o;
    const double v[] = {x};
    Status s = ev.Evaluate(v, &o);
    if (!s.ok()) {
      if (!error) error = Annotate(std::move(s), "threshold search with " + name + " = " + FormatNumber(x));
      return false;
    }
    out->resize(static_cast<size_t>(S));
    for (int q = 0; q < S; ++q) {
      (*out)[static_cast<size_t>(q)] = NetBenefit(wtp, o.value(q, info.cost_value), o.effect(q, effect_value));
    }
    return true;
  };
  auto best_of = [&](const std::vector<double>& v) {
    int b = 0;
    for (int q = 1; q < S; ++q) {
      if (v[static_cast<size_t>(q)] > v[static_cast<size_t>(b)]) b = q;
    }
    return b;
  };
  std::vector<Threshold> out;
  std::vector<double> prev_nb, cur_nb;
  double prev_x = lo;
  if (!nb(lo, &prev_nb)) return std::move(*error);
  int prev_best = best_of(prev_nb);
  for (int g = 1; g < kThresholdScan; ++g) {
    const double x = g == kThresholdScan - 1 ? hi : lo + (hi - lo) * g / (kThresholdScan - 1);
    if (!nb(x, &cur_nb)) return std::move(*error);
    const int cur_best = best_of(cur_nb);
    if (cur_best != prev_best) {
      const int a = prev_best, b = cur_best;
      std::vector<double> tmp;
      auto h = [&](double t) {
        if (!nb(t, &tmp)) return 0.0;
        return tmp[static_cast<size_t>(a)] - tmp[static_cast<size_t>(b)];
      };
      const double fa = prev_nb[static_cast<size_t>(a)] - prev_nb[static_cast<size_t>(b)];
      const double fb = cur_nb[static_cast<size_t>(a)] - cur_nb[static_cast<size_t>(b)];
      Threshold t;
      t.wtp = wtp;
      t.from = a;
      t.to = b;
      if (fa == 0) {
        t.value = prev_x;
      } else if (fb == 0) {
        t.value = x;
      } else {
        boost::uintmax_t iters = 200;
        auto tol = [](double l, double r) {
          return std::fabs(r - l) <= std::max(kThresholdRelTol * std::max(std::fabs(l), std::fabs(r)), 1e-300);
        };
        const auto [l, r] = boost::math::tools::toms748_solve(h, prev_x, x, fa, fb, tol, iters);
        if (error) return std::move(*error);
        t.value = (l + r) / 2;
        t.bracket = r - l;
        t.iterations = static_cast<int>(iters);
      }
      out.push_back(t);
    }
    prev_x = x;
    prev_nb = cur_nb;
    prev_best = cur_best;
  }
  return out;
}

}  // namespace vaglio::models
