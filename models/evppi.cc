#include "models/evppi.h"

#include <algorithm>
#include <cmath>

#include <Eigen/Dense>

#include "models/text.h"
#include "models/tolerances.h"

namespace vaglio::models {
namespace {

using Eigen::Index;
using Eigen::MatrixXd;
using Eigen::VectorXd;

constexpr int kKnotsSingle = 16;   // interior knots for one parameter
constexpr int kKnotsGroup = 6;     // per parameter in a group
constexpr int kLambdaGrid = 41;    // log10(lambda) from -8 to 8 in steps of 0.4

// Cubic B-spline basis on knots (with the boundary knots repeated 4 times).
void BSplineRow(double x, const std::vector<double>& t, int nb, double* out) {
  // Cox-de Boor recursion, degree 0..3.
  const int m = static_cast<int>(t.size());
  std::vector<double> b(static_cast<size_t>(m - 1), 0.0);
  int span = -1;
  for (int i = 0; i < m - 1; ++i) {
    if (t[static_cast<size_t>(i)] <= x && x < t[static_cast<size_t>(i) + 1]) span = i;
  }
  if (span < 0) {  // x at the right boundary: last non-empty span
    for (int i = m - 2; i >= 0; --i) {
      if (t[static_cast<size_t>(i)] < t[static_cast<size_t>(i) + 1]) {
        span = i;
        break;
      }
    }
  }
  b[static_cast<size_t>(span)] = 1.0;
  for (int d = 1; d <= 3; ++d) {
    for (int i = 0; i < m - 1 - d; ++i) {
      const double t0 = t[static_cast<size_t>(i)], t1 = t[static_cast<size_t>(i + d)];
      const double t2 = t[static_cast<size_t>(i + 1)], t3 = t[static_cast<size_t>(i + d + 1)];
      const double left = t1 > t0 ? (x - t0) / (t1 - t0) * b[static_cast<size_t>(i)] : 0.0;
      const double right = t3 > t2 ? (t3 - x) / (t3 - t2) * b[static_cast<size_t>(i + 1)] : 0.0;
      b[static_cast<size_t>(i)] = left + right;
    }
  }
  for (int j = 0; j < nb; ++j) out[j] = b[static_cast<size_t>(j)];
}

struct Design {
  MatrixXd X;        // n x p, column 0 the intercept
  MatrixXd P;        // p x p penalty
};

// Additive B-spline terms (one column dropped per term for identifiability, columns
// centred), plus pairwise products of standardised parameters for groups.
Design BuildDesign(const PsaResult& psa, int k, std::span<const int> cols) {
  const Index n = static_cast<Index>(psa.n);
  const int knots = cols.size() == 1 ? kKnotsSingle : kKnotsGroup;
  std::vector<MatrixXd> blocks;
  std::vector<MatrixXd> pens;
  std::vector<VectorXd> z;  // standardised parameters
  for (int c : cols) {
    VectorXd x(n);
    for (Index i = 0; i < n; ++i) x(i) = psa.inputs[static_cast<size_t>(i * k + c)];
    std::vector<double> sorted(x.data(), x.data() + n);
    std::sort(sorted.begin(), sorted.end());
    const double lo = sorted.front(), hi = sorted.back();
    const double mean = x.mean();
    const double sd = std::sqrt((x.array() - mean).square().sum() / static_cast<double>(std::max<Index>(1, n - 1)));
    z.push_back(sd > 0 ? VectorXd((x.array() - mean) / sd) : VectorXd::Zero(n));
    std::vector<double> interior;
    for (int q = 1; q <= knots; ++q) {
      const double v = sorted[static_cast<size_t>(static_cast<double>(q) / (knots + 1) * static_cast<double>(n - 1))];
      if (v > lo && v < hi && (interior.empty() || v > interior.back())) interior.push_back(v);
    }
    if (!(hi > lo)) continue;  // a constant parameter carries no information
    std::vector<double> t(4, lo);
    t.insert(t.end(), interior.begin(), interior.end());
    t.insert(t.end(), 4, hi);
    const int nb = static_cast<int>(t.size()) - 4;
    MatrixXd B(n, nb);
    std::vector<double> row(static_cast<size_t>(nb));
    for (Index i = 0; i < n; ++i) {
      BSplineRow(x(i), t, nb, row.data());
      for (int j = 0; j < nb; ++j) B(i, j) = row[static_cast<size_t>(j)];
    }
    // Second-difference penalty on the full coefficients, then drop the first column
    // (its coefficient fixed at 0) so the term is identifiable next to the intercept.
    MatrixXd D = MatrixXd::Zero(std::max(0, nb - 2), nb);
    for (int r = 0; r + 2 < nb; ++r) D(r, r) = 1, D(r, r + 1) = -2, D(r, r + 2) = 1;
    MatrixXd S = D.transpose() * D;
    MatrixXd Bd = B.rightCols(nb - 1);
    Bd.rowwise() -= Bd.colwise().mean();
    blocks.push_back(Bd);
    pens.push_back(S.bottomRightCorner(nb - 1, nb - 1));
  }
  std::vector<VectorXd> inter;
  for (size_t a = 0; a < z.size(); ++a) {
    for (size_t b = a + 1; b < z.size(); ++b) {
      VectorXd v = z[a].cwiseProduct(z[b]);
      v.array() -= v.mean();
      inter.push_back(v);
    }
  }
  Index p = 1;
  for (const MatrixXd& b : blocks) p += b.cols();
  p += static_cast<Index>(inter.size());
  Design d;
  d.X = MatrixXd::Zero(n, p);
  d.P = MatrixXd::Zero(p, p);
  d.X.col(0).setOnes();
  Index at = 1;
  for (size_t b = 0; b < blocks.size(); ++b) {
    d.X.middleCols(at, blocks[b].cols()) = blocks[b];
    d.P.block(at, at, pens[b].rows(), pens[b].cols()) = pens[b];
    at += blocks[b].cols();
  }
  for (const VectorXd& v : inter) d.X.col(at++) = v;
  return d;
}

struct Fit {
  VectorXd fitted;
  MatrixXd cov;  // posterior covariance of the coefficients: sigma^2 (X'X + lambda P)^-1
  double r2 = 1, edf = 0;
};

// Penalized least squares with lambda chosen by GCV over a fixed grid.
Fit FitGcv(const MatrixXd& X, const MatrixXd& XtX, const MatrixXd& P, const VectorXd& y) {
  const double n = static_cast<double>(X.rows());
  const VectorXd Xty = X.transpose() * y;
  const double ybar = y.mean();
  const double tss = (y.array() - ybar).square().sum();
  const double yty = y.squaredNorm();
  double best_gcv = INFINITY;
  Fit best;
  MatrixXd best_inv;
  VectorXd best_beta;
  double best_rss = 0;
  for (int g = 0; g < kLambdaGrid; ++g) {
    const double lambda = std::pow(10.0, -8.0 + 0.4 * g);
    // A tiny ridge keeps the system solvable when columns are nearly collinear.
    MatrixXd A = XtX + lambda * P;
    A.diagonal().array() += kRegressionRidge * XtX.diagonal().array().abs().maxCoeff();
    Eigen::LDLT<MatrixXd> ldlt(A);
    if (ldlt.info() != Eigen::Success) continue;
    const VectorXd beta = ldlt.solve(Xty);
    const double rss = std::max(0.0, yty - 2 * beta.dot(Xty) + beta.dot(XtX * beta));
    const MatrixXd inv = ldlt.solve(MatrixXd::Identity(A.rows(), A.cols()));
    const double edf = (inv * XtX).trace();
    if (!(n - edf > 1)) continue;
    const double gcv = n * rss / ((n - edf) * (n - edf));
    if (gcv < best_gcv) {
      best_gcv = gcv;
      best_inv = inv;
      best_beta = beta;
      best_rss = rss;
      best.edf = edf;
    }
  }
  best.fitted = X * best_beta;
  const double sigma2 = best_rss / (n - best.edf);
  best.cov = sigma2 * best_inv;
  best.r2 = tss > 0 ? 1 - best_rss / tss : 1.0;
  return best;
}

}  // namespace

Result<EvppiEstimate> EstimateEvppi(const PsaResult& psa, int k, std::span<const int> columns) {
  const int S = psa.num_strategies;
  const Index n = static_cast<Index>(psa.n);
  const size_t W = psa.wtp.size();
  EvppiEstimate est;
  est.evppi.assign(W, 0.0);
  est.se.assign(W, 0.0);
  if (S < 2 || n < 10) return Status::Error("", "EVPPI needs at least 2 strategies and 10 draws");

  std::vector<int> cols(columns.begin(), columns.end());
  std::sort(cols.begin(), cols.end());
  cols.erase(std::unique(cols.begin(), cols.end()), cols.end());
  if (static_cast<int>(cols.size()) == k) {
    // The draw's results are a function of all its inputs: nothing left to average.
    est.method = "exact";
    for (size_t w = 0; w < W; ++w) est.evppi[w] = psa.Evpi(w);
    return est;
  }
  const Design d = BuildDesign(psa, k, cols);
  const MatrixXd XtX = d.X.transpose() * d.X;
  est.method = cols.size() == 1 ? "spline" : "additive spline with interactions";

  // Fits for each strategy after the first: incremental cost and effect.
  std::vector<Fit> fc, fe;
  for (int s = 1; s < S; ++s) {
    VectorXd yc(n), ye(n);
    for (Index i = 0; i < n; ++i) {
      yc(i) = psa.costs[static_cast<size_t>(i * S + s)] - psa.costs[static_cast<size_t>(i * S)];
      ye(i) = psa.effects[static_cast<size_t>(i * S + s)] - psa.effects[static_cast<size_t>(i * S)];
    }
    fc.push_back(FitGcv(d.X, XtX, d.P, yc));
    fe.push_back(FitGcv(d.X, XtX, d.P, ye));
    est.r2_min = std::min({est.r2_min, fc.back().r2, fe.back().r2});
    est.edf_max = std::max({est.edf_max, fc.back().edf, fe.back().edf});
  }
  const VectorXd xbar = d.X.colwise().mean();
  const Index p = d.X.cols();
  for (size_t w = 0; w < W; ++w) {
    const double lambda = psa.wtp[w];
    std::vector<double> mean_g(static_cast<size_t>(S), 0.0);
    std::vector<VectorXd> row_sum(static_cast<size_t>(S), VectorXd::Zero(p));
    double sum_max = 0;
    for (Index i = 0; i < n; ++i) {
      int best = 0;
      double best_g = 0;
      for (int s = 1; s < S; ++s) {
        const double g = lambda * fe[static_cast<size_t>(s - 1)].fitted(i) - fc[static_cast<size_t>(s - 1)].fitted(i);
        mean_g[static_cast<size_t>(s)] += g;
        if (g > best_g) best_g = g, best = s;
      }
      sum_max += best_g;
      if (best > 0) row_sum[static_cast<size_t>(best)] += d.X.row(i).transpose();
    }
    int best_mean = 0;
    for (int s = 1; s < S; ++s) {
      if (mean_g[static_cast<size_t>(s)] > mean_g[static_cast<size_t>(best_mean)]) best_mean = s;
    }
    const double nn = static_cast<double>(n);
    est.evppi[w] = std::max(0.0, sum_max / nn - mean_g[static_cast<size_t>(best_mean)] / nn);
    double var = 0;
    for (int s = 1; s < S; ++s) {
      VectorXd a = row_sum[static_cast<size_t>(s)] / nn;
      if (s == best_mean) a -= xbar;
      var += lambda * lambda * a.dot(fe[static_cast<size_t>(s - 1)].cov * a) + a.dot(fc[static_cast<size_t>(s - 1)].cov * a);
    }
    est.se[w] = std::sqrt(std::max(0.0, var));
  }
  return est;
}

}  // namespace vaglio::models
