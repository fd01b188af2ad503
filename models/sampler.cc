#include "models/sampler.h"

#include <algorithm>
#include <cmath>
#include <map>

#include <boost/math/distributions/normal.hpp>

#include "models/boost_policy.h"
#include "models/rng.h"
#include "models/text.h"
#include "models/tolerances.h"

namespace vaglio::models {
namespace {

namespace bm = boost::math;

}  // namespace

Result<Sampler> Sampler::Make(const ModelInfo& info) {
  Sampler s;
  Issues issues;
  std::map<int, std::string> grouped;  // input -> path of its group
  auto claim = [&](int in, const std::string& path) {
    auto [it, fresh] = grouped.insert({in, path});
    if (!fresh) {
      issues.push_back({path, "'" + info.inputs[static_cast<size_t>(in)].name + "' is already in " +
                                  it->second + ", but a parameter may be in one group only"});
    }
    return fresh;
  };

  struct Pending {
    int first_input;
    Block block;
    std::vector<int> inputs;
  };
  std::vector<Pending> pending;

  for (const ResolvedCorrelation& c : info.correlations) {
    const size_t k = c.inputs.size();
    const std::string mpath = c.path + (c.covariance ? ".covariance" : ".matrix");
    bool ok = true;
    for (int in : c.inputs) ok &= claim(in, c.path);
    if (c.matrix.size() != k || std::any_of(c.matrix.begin(), c.matrix.end(), [&](const auto& r) { return r.size() != k; })) {
      issues.push_back({mpath, "is not " + std::to_string(k) + " x " + std::to_string(k) +
                                   ", but must be square with one row per parameter listed"});
      continue;
    }
    if (k < 2) {
      issues.push_back({c.path, "lists " + std::to_string(k) + " parameter, but a group needs at least 2"});
      continue;
    }
    Eigen::MatrixXd m(static_cast<Eigen::Index>(k), static_cast<Eigen::Index>(k));
    for (size_t i = 0; i < k; ++i)
      for (size_t j = 0; j < k; ++j) m(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j)) = c.matrix[i][j];
    Block b;
    b.kind = Kind::kCopula;
    for (size_t i = 0; i < k && ok; ++i) {
      const InputInfo& in = info.inputs[static_cast<size_t>(c.inputs[i])];
      const auto ii = static_cast<Eigen::Index>(i);
      if (c.covariance) {
        if (!(m(ii, ii) > 0)) {
          issues.push_back({mpath, "variance of '" + in.name + "' is " + FormatNumber(m(ii, ii)) + ", but must be > 0"});
          ok = false;
          continue;
        }
        const double sd = std::sqrt(m(ii, ii));
        if (!in.dist) {
          b.marginals.push_back({DistFamily::kNormal, in.base, sd, 0});
        } else if (in.dist->family != DistFamily::kNormal) {
          issues.push_back({mpath, "'" + in.name + "' has a " + std::string(ToString(in.dist->family)) +
                                       " distribution, but a covariance needs normal parameters (use matrix: for correlations)"});
          ok = false;
        } else if (std::fabs(in.dist->b - sd) > kMatrixTol * sd) {
          issues.push_back({mpath, "gives '" + in.name + "' sd " + FormatNumber(sd) + ", but its distribution has sd " +
                                       FormatNumber(in.dist->b)});
          ok = false;
        } else {
          b.marginals.push_back(*in.dist);
        }
      } else {
        if (!in.dist) {
          issues.push_back({c.path + ".params", "'" + in.name + "' has no distribution, but a correlated parameter needs one"});
          ok = false;
          continue;
        }
        if (std::fabs(m(ii, ii) - 1) > kMatrixTol) {
          issues.push_back({mpath, "diagonal entry " + std::to_string(i + 1) + " is " + FormatNumber(m(ii, ii)) +
                                       ", but a correlation matrix has 1 on the diagonal"});
          ok = false;
        }
        b.marginals.push_back(*in.dist);
      }
    }
    for (size_t i = 0; i < k && ok; ++i) {
      for (size_t j = 0; j < i; ++j) {
        const auto ii = static_cast<Eigen::Index>(i), jj = static_cast<Eigen::Index>(j);
        const double scale = c.covariance ? std::sqrt(m(ii, ii) * m(jj, jj)) : 1.0;
        if (std::fabs(m(ii, jj) - m(jj, ii)) > kMatrixTol * scale) {
          issues.push_back({mpath, "entries (" + std::to_string(i + 1) + "," + std::to_string(j + 1) + ") and (" +
                                       std::to_string(j + 1) + "," + std::to_string(i + 1) +
                                       ") differ, but the matrix must be symmetric"});
          ok = false;
        } else if (!c.covariance && std::fabs(m(ii, jj)) > 1) {
          issues.push_back({mpath, "entry (" + std::to_string(i + 1) + "," + std::to_string(j + 1) + ") is " +
                                       FormatNumber(m(ii, jj)) + ", but a correlation must be in [-1, 1]"});
          ok = false;
        }
      }
    }
    if (!ok) continue;
    Eigen::MatrixXd corr = m;
    if (c.covariance) {
      const Eigen::VectorXd sd = m.diagonal().cwiseSqrt();
      corr = sd.cwiseInverse().asDiagonal() * m * sd.cwiseInverse().asDiagonal();
    }
    Eigen::LLT<Eigen::MatrixXd> llt(corr);
    if (llt.info() != Eigen::Success) {
      issues.push_back({mpath, "is not positive definite, but a " +
                                   std::string(c.covariance ? "covariance" : "correlation") + " matrix must be"});
      continue;
    }
    b.chol = llt.matrixL();
    pending.push_back({*std::min_element(c.inputs.begin(), c.inputs.end()), std::move(b), c.inputs});
  }

  for (const ResolvedDirichlet& d : info.dirichlet) {
    bool ok = true;
    for (int in : d.inputs) ok &= claim(in, d.path);
    if (d.counts.size() != d.inputs.size()) {
      issues.push_back({d.path + ".counts", "has " + std::to_string(d.counts.size()) + " counts, but the group lists " +
                                                std::to_string(d.inputs.size()) + " parameters"});
      continue;
    }
    if (d.inputs.size() < 2) {
      issues.push_back({d.path, "lists " + std::to_string(d.inputs.size()) + " parameter, but a group needs at least 2"});
      continue;
    }
    Block b;
    b.kind = Kind::kDirichlet;
    for (size_t i = 0; i < d.inputs.size(); ++i) {
      const InputInfo& in = info.inputs[static_cast<size_t>(d.inputs[i])];
      if (in.dist) {
        issues.push_back({d.path + ".params", "'" + in.name + "' has its own distribution, but a Dirichlet member takes its draws from the group"});
        ok = false;
      }
      if (!(d.counts[i] > 0)) {
        issues.push_back({d.path + ".counts", "count " + std::to_string(i + 1) + " is " + FormatNumber(d.counts[i]) + ", but must be > 0"});
        ok = false;
      }
      b.gammas.push_back({DistFamily::kGamma, d.counts[i], 1.0, 0});
    }
    if (ok) pending.push_back({*std::min_element(d.inputs.begin(), d.inputs.end()), std::move(b), d.inputs});
  }

  for (size_t i = 0; i < info.inputs.size(); ++i) {
    const int in = static_cast<int>(i);
    if (grouped.count(in) || !info.inputs[i].dist) continue;
    Block b;
    b.kind = Kind::kIndependent;
    b.marginals.push_back(*info.inputs[i].dist);
    pending.push_back({in, std::move(b), {in}});
  }
  if (!issues.empty()) return Status::FromIssues(std::move(issues));

  std::sort(pending.begin(), pending.end(), [](const Pending& a, const Pending& b) { return a.first_input < b.first_input; });
  for (const Pending& p : pending) s.sampled_.insert(s.sampled_.end(), p.inputs.begin(), p.inputs.end());
  std::sort(s.sampled_.begin(), s.sampled_.end());
  for (Pending& p : pending) {
    for (int in : p.inputs) {
      p.block.members.push_back(static_cast<int>(std::lower_bound(s.sampled_.begin(), s.sampled_.end(), in) - s.sampled_.begin()));
    }
    s.blocks_.push_back(std::move(p.block));
  }
  return s;
}

void Sampler::Draw(uint64_t seed, uint64_t draw, std::span<double> x) const {
  Rng rng = Rng::ForDraw(seed, draw);
  const bm::normal_distribution<double, BoostPolicy> std_normal(0.0, 1.0);
  for (const Block& b : blocks_) {
    switch (b.kind) {
      case Kind::kIndependent:
        x[static_cast<size_t>(b.members[0])] = b.marginals[0].Quantile(rng.Uniform());
        break;
      case Kind::kCopula: {
        const Eigen::Index k = static_cast<Eigen::Index>(b.members.size());
        Eigen::VectorXd z(k);
        for (Eigen::Index i = 0; i < k; ++i) z(i) = bm::quantile(std_normal, rng.Uniform());
        const Eigen::VectorXd zc = b.chol.triangularView<Eigen::Lower>() * z;
        for (Eigen::Index i = 0; i < k; ++i) {
          const Distribution& d = b.marginals[static_cast<size_t>(i)];
          double v;
          if (d.family == DistFamily::kNormal) {
            v = d.a + d.b * zc(i);
          } else if (zc(i) > 0) {
            v = d.QuantileComplement(bm::cdf(bm::complement(std_normal, zc(i))));
          } else {
            v = d.Quantile(bm::cdf(std_normal, zc(i)));
          }
          x[static_cast<size_t>(b.members[static_cast<size_t>(i)])] = v;
        }
        break;
      }
      case Kind::kDirichlet: {
        double total = 0;
        std::vector<double> g(b.members.size());
        for (size_t i = 0; i < g.size(); ++i) {
          g[i] = b.gammas[i].Quantile(rng.Uniform());
          total += g[i];
        }
        for (size_t i = 0; i < g.size(); ++i) x[static_cast<size_t>(b.members[i])] = g[i] / total;
        break;
      }
    }
  }
}

}  // namespace vaglio::models
