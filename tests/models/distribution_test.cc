// Distributions: method-of-moments conversions against hand calculation, quantiles
// against the values published in the Tegaderm reference (shared/reference/tegaderm),
// and impossible parameters as input errors.
#include <catch2/catch.hpp>

#include "models/distribution.h"
#include "tests/test_util.h"

using vaglio::testing::Near;
namespace models = vaglio::models;

namespace {

models::Distribution Make(models::DistributionInput in) {
  auto d = models::MakeDistribution(in);
  REQUIRE(d.ok());
  return d.value();
}

models::DistributionInput Gamma(double mean, double sd) {
  models::DistributionInput in;
  in.family = models::DistFamily::kGamma;
  in.mean = mean;
  in.sd = sd;
  return in;
}

models::DistributionInput LogNormalMoments(double mean, double sd) {
  models::DistributionInput in;
  in.family = models::DistFamily::kLogNormal;
  in.mean = mean;
  in.sd = sd;
  return in;
}

}  // namespace

TEST_CASE("gamma and lognormal from mean and sd by the method of moments", "[models][distribution]") {
  // Tegaderm README: shape 152.1111111, scale 0.00972972973 for mean 1.48, sd 0.12.
  models::Distribution g = Make(Gamma(1.48, 0.12));
  CHECK(Near(g.a, 1.48 * 1.48 / (0.12 * 0.12), 1e-15));
  CHECK(Near(g.a, 152.1111111, 1e-9));
  CHECK(Near(g.b, 0.00972972973, 1e-9));
  CHECK(Near(g.Mean(), 1.48, 1e-15));
  // log-normal: sigma^2 = ln(1 + sd^2/mean^2), mu = ln(mean) - sigma^2/2.
  models::Distribution l = Make(LogNormalMoments(0.402, (0.868 - 0.186) / 3.92));
  CHECK(Near(l.a, -0.9971453238, 1e-9));
  CHECK(Near(l.b, 0.4143480022, 1e-9));
  CHECK(Near(l.Mean(), 0.402, 1e-14));
}

TEST_CASE("beta from mean and se by the method of moments", "[models][distribution]") {
  models::DistributionInput in;
  in.family = models::DistFamily::kBeta;
  in.mean = 0.85;
  in.se = 0.03;
  models::Distribution b = Make(in);
  const double k = 0.85 * 0.15 / 0.0009 - 1;  // by hand
  CHECK(Near(b.a, 0.85 * k, 1e-14));
  CHECK(Near(b.b, 0.15 * k, 1e-14));
  CHECK(Near(b.Mean(), 0.85, 1e-15));
}

TEST_CASE("quantiles match the Tegaderm reference's 2.5% and 97.5% columns", "[models][distribution]") {
  struct Case {
    models::Distribution d;
    double lo, hi;
  };
  models::DistributionInput beta;
  beta.family = models::DistFamily::kBeta;
  beta.alpha = 1;
  beta.beta = 475;
  const Case cases[] = {
      {Make(Gamma(1.48, 0.12)), 1.25415, 1.72427},
      {Make(Gamma(9900, 3000)), 4921.75, 16588.6},
      {Make(Gamma(100, 30)), 50.1241, 166.811},
      {Make(Gamma(6, 3)), 1.63480, 13.1509},
      {Make(Gamma(3, 2)), 0.432923, 7.99903},
      {Make(Gamma(10, 5)), 2.72466, 21.9182},
      {Make(beta), 5.32992e-5, 0.00773598},
      {Make(LogNormalMoments(0.402, (0.868 - 0.186) / 3.92)), 0.163777, 0.831073},
      {Make(LogNormalMoments(1.0, 0.5)), 0.354367, 2.25754},
  };
  for (const Case& c : cases) {
    INFO(c.d.Describe());
    CHECK(Near(c.d.Quantile(0.025), c.lo, 6e-6));
    CHECK(Near(c.d.Quantile(0.975), c.hi, 6e-6));
  }
  // The LSI rate: a gamma with shape 0.0784 whose 2.5% quantile is about 3.9e-21.
  models::Distribution lsi = Make(Gamma(0.14, 0.5));
  CHECK(Near(lsi.Quantile(0.975), 1.46635, 6e-6));
  CHECK(lsi.Quantile(0.025) < 1e-20);
}

TEST_CASE("pert and triangular have the textbook means", "[models][distribution]") {
  models::DistributionInput in;
  in.family = models::DistFamily::kPert;
  in.min = 1;
  in.mode = 2;
  in.max = 6;
  models::Distribution p = Make(in);
  CHECK(Near(p.Mean(), (1 + 4 * 2 + 6) / 6.0, 1e-15));
  // Pert is a scaled beta(1 + 4(mode-min)/(max-min), 1 + 4(max-mode)/(max-min)) = beta(1.8, 4.2).
  // Median of beta(1.8, 4.2) by Simpson integration and bisection in Python: 0.2766722594.
  CHECK(Near(p.Quantile(0.5), 1 + 5 * 0.2766722594, 1e-9));
  in.family = models::DistFamily::kTriangular;
  models::Distribution t = Make(in);
  CHECK(Near(t.Mean(), 3.0, 1e-15));
  CHECK(Near(t.Quantile(0.2), 2.0, 1e-12));  // F(mode) = (mode - min)/(max - min) = 0.2
}

TEST_CASE("impossible distribution parameters are input errors", "[models][distribution][errors]") {
  models::DistributionInput in;
  in.family = models::DistFamily::kBeta;
  in.path = "parameters.p.dist.beta";
  in.mean = 0.5;
  in.se = 0.5;
  auto r = models::MakeDistribution(in);
  REQUIRE(!r.ok());
  CHECK(r.status().issues()[0].message == "se^2 is 0.25, but must be less than mean*(1-mean) = 0.25 for a beta");
  in.se.reset();
  in.alpha = 2;
  r = models::MakeDistribution(in);
  REQUIRE(!r.ok());
  CHECK(r.status().issues()[0].message == "beta takes {alpha, beta} or {mean, se}, but has {alpha, mean}");
  models::DistributionInput g = Gamma(-1, 2);
  g.path = "x";
  r = models::MakeDistribution(g);
  REQUIRE(!r.ok());
  CHECK(r.status().issues()[0].message == "mean is -1, but must be > 0");
}
