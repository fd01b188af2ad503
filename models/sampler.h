#ifndef VAGLIO_MODELS_SAMPLER_H_
#define VAGLIO_MODELS_SAMPLER_H_

#include <cstdint>
#include <span>
#include <vector>

#include <Eigen/Dense>

#include "models/model.h"

namespace vaglio::models {

/// Draws the uncertain inputs of a model for PSA (docs/methods.md §Sampling).
///
/// The sampled inputs are those with a distribution, the members of Dirichlet groups and
/// the members of covariance groups. Draw i uses the stream Rng::ForDraw(seed, i) and
/// consumes its uniforms block by block, blocks ordered by their first member in file
/// order: an independent parameter takes one uniform and its marginal quantile; a
/// correlation group takes one uniform per member, z = qnorm(u), z' = L z with L the
/// Cholesky factor of the correlation matrix, then each member's marginal quantile at
/// pnorm(z') (for a normal marginal directly mean + sd z'); a Dirichlet group takes one
/// uniform per member, g_j = gamma(count_j, 1) quantile, x_j = g_j / sum g.
/// Immutable and thread-safe.
class Sampler {
 public:
  /// Checks the groups of `info` (square symmetric positive-definite matrices, unit
  /// diagonal for correlations, members with suitable distributions, no input in two
  /// groups, positive Dirichlet counts); problems are issues at the group's path.
  static Result<Sampler> Make(const ModelInfo& info);

  /// Indices into info.inputs of the sampled inputs, ascending.
  const std::vector<int>& sampled() const { return sampled_; }

  /// Fills `x` (one value per sampled input, in sampled() order) with draw `draw`.
  void Draw(uint64_t seed, uint64_t draw, std::span<double> x) const;

 private:
  enum class Kind { kIndependent, kCopula, kDirichlet };
  struct Block {
    Kind kind = Kind::kIndependent;
    std::vector<int> members;         // positions in sampled_
    std::vector<Distribution> marginals;
    Eigen::MatrixXd chol;             // copula: lower Cholesky factor
    std::vector<Distribution> gammas; // Dirichlet: gamma(count, 1)
  };
  std::vector<int> sampled_;
  std::vector<Block> blocks_;
};

}  // namespace vaglio::models

#endif  // VAGLIO_MODELS_SAMPLER_H_
