// Seeded goodness-of-fit of the sampler, every family (slow: hidden tag [.slow], run by
// `make test-slow`). Kolmogorov-Smirnov against the family's CDF with 40,000 draws; the
// critical value at alpha = 0.001 is 1.949 / sqrt(N). Groups: the rank correlation of a
// Gaussian copula is (6/pi) asin(rho/2); Dirichlet components are beta(a_j, a0 - a_j).
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <numeric>

#include "models/sampler.h"

namespace models = vaglio::models;

namespace {

constexpr int kN = 40000;
const double kKsCritical = 1.949 / std::sqrt(static_cast<double>(kN));

double KsStatistic(std::vector<double> x, const models::Distribution& d) {
  std::sort(x.begin(), x.end());
  const double n = static_cast<double>(x.size());
  double worst = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    const double f = d.Cdf(x[i]);
    worst = std::max({worst, f - static_cast<double>(i) / n, static_cast<double>(i + 1) / n - f});
  }
  return worst;
}

models::InputInfo Input(const std::string& name, models::Distribution d) {
  models::InputInfo in;
  in.name = name;
  in.dist = d;
  in.base = d.Mean();
  return in;
}

std::vector<std::vector<double>> Sample(const models::ModelInfo& info, uint64_t seed) {
  auto s = models::Sampler::Make(info);
  REQUIRE(s.ok());
  const size_t k = s.value().sampled().size();
  std::vector<std::vector<double>> cols(k, std::vector<double>(kN));
  std::vector<double> x(k);
  for (int i = 0; i < kN; ++i) {
    s.value().Draw(seed, static_cast<uint64_t>(i), x);
    for (size_t j = 0; j < k; ++j) cols[j][static_cast<size_t>(i)] = x[j];
  }
  return cols;
}

std::vector<double> Ranks(const std::vector<double>& v) {
  std::vector<size_t> idx(v.size());
  std::iota(idx.begin(), idx.end(), 0);
  std::sort(idx.begin(), idx.end(), [&](size_t a, size_t b) { return v[a] < v[b]; });
  std::vector<double> r(v.size());
  for (size_t i = 0; i < idx.size(); ++i) r[idx[i]] = static_cast<double>(i);
  return r;
}

double Pearson(const std::vector<double>& a, const std::vector<double>& b) {
  const double n = static_cast<double>(a.size());
  const double ma = std::accumulate(a.begin(), a.end(), 0.0) / n, mb = std::accumulate(b.begin(), b.end(), 0.0) / n;
  double sab = 0, saa = 0, sbb = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    sab += (a[i] - ma) * (b[i] - mb);
    saa += (a[i] - ma) * (a[i] - ma);
    sbb += (b[i] - mb) * (b[i] - mb);
  }
  return sab / std::sqrt(saa * sbb);
}

}  // namespace

TEST_CASE("every distribution family passes a Kolmogorov-Smirnov test", "[.slow][gof]") {
  const models::Distribution families[] = {
      {models::DistFamily::kBeta, 2, 98, 0},          {models::DistFamily::kBeta, 0.5, 0.5, 0},
      {models::DistFamily::kGamma, 0.0784, 1.785714286, 0}, {models::DistFamily::kGamma, 12.67, 417.7, 0},
      {models::DistFamily::kLogNormal, -0.997, 0.414, 0}, {models::DistFamily::kNormal, -1.34, 0.38, 0},
      {models::DistFamily::kUniform, 2, 5, 0},        {models::DistFamily::kTriangular, 1, 2, 6},
      {models::DistFamily::kPert, 1, 2, 6}};
  uint64_t seed = 100;
  for (const models::Distribution& d : families) {
    models::ModelInfo info;
    info.inputs.push_back(Input("x", d));
    const auto cols = Sample(info, seed++);
    INFO(d.Describe());
    CHECK(KsStatistic(cols[0], d) < kKsCritical);
  }
}

TEST_CASE("a Gaussian copula keeps the marginals and gives the rank correlation asked for", "[.slow][gof]") {
  models::ModelInfo info;
  const models::Distribution g{models::DistFamily::kGamma, 3, 2, 0}, b{models::DistFamily::kBeta, 5, 3, 0};
  info.inputs = {Input("g", g), Input("b", b)};
  const double rho = -0.6;
  info.correlations.push_back({{0, 1}, {{1, rho}, {rho, 1}}, false, "c"});
  const auto cols = Sample(info, 7);
  CHECK(KsStatistic(cols[0], g) < kKsCritical);
  CHECK(KsStatistic(cols[1], b) < kKsCritical);
  const double spearman = Pearson(Ranks(cols[0]), Ranks(cols[1]));
  const double expected = 6 / M_PI * std::asin(rho / 2);
  // Standard error of Spearman's rho is about (1 - rho_s^2) / sqrt(N); allow 5 of them.
  CHECK(std::fabs(spearman - expected) < 5 * (1 - expected * expected) / std::sqrt(static_cast<double>(kN)));
}

TEST_CASE("Dirichlet components have beta marginals", "[.slow][gof]") {
  models::ModelInfo info;
  for (const char* n : {"p1", "p2", "p3"}) {
    models::InputInfo in;
    in.name = n;
    info.inputs.push_back(in);
  }
  const std::vector<double> counts = {8, 1.5, 0.5};
  info.dirichlet.push_back({{0, 1, 2}, counts, "d"});
  const auto cols = Sample(info, 3);
  for (size_t j = 0; j < 3; ++j) {
    const models::Distribution marginal{models::DistFamily::kBeta, counts[j], 10 - counts[j], 0};
    CHECK(KsStatistic(cols[j], marginal) < kKsCritical);
  }
}
