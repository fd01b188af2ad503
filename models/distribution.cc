#include "models/distribution.h"

#include <boost/math/distributions/beta.hpp>
#include <boost/math/distributions/gamma.hpp>
#include <boost/math/distributions/lognormal.hpp>
#include <boost/math/distributions/normal.hpp>
#include <boost/math/distributions/triangular.hpp>
#include <boost/math/distributions/uniform.hpp>
#include <cmath>
#include <sstream>
#include <vector>

#include "models/boost_policy.h"
#include "models/text.h"

namespace vaglio::models {
namespace {

namespace bm = boost::math;

// Two-sided 95% normal quantile, qnorm(0.975).
constexpr double kZ975 = 1.959963984540054;

struct Arg {
  const char* name;
  const std::optional<double>* value;
};

// The names of the arguments given, in a fixed order, as "{a, b}".
std::string GivenSet(const std::vector<Arg>& args) {
  std::string out = "{";
  for (const Arg& a : args) {
    if (a.value->has_value()) {
      if (out.size() > 1) out += ", ";
      out += a.name;
    }
  }
  return out + "}";
}

class Builder {
 public:
  explicit Builder(const DistributionInput& in) : in_(in) {}

  Result<Distribution> Build() {
    if (in_.se && in_.sd) {
      return Fail("se and sd are the same thing here; give one of them");
    }
    se_ = in_.se ? in_.se : in_.sd;
    switch (in_.family) {
      case DistFamily::kFixed:
        if (!Only({})) return Fail("fixed takes no arguments");
        return Distribution{};
      case DistFamily::kBeta:
        return BuildBeta();
      case DistFamily::kGamma:
        return BuildGamma();
      case DistFamily::kLogNormal:
        return BuildLogNormal();
      case DistFamily::kNormal:
        if (!Only({"mean", "se"})) return Shape("{mean, sd}");
        Positive("sd", *se_);
        return Done({DistFamily::kNormal, *in_.mean, *se_, 0});
      case DistFamily::kUniform:
        if (!Only({"min", "max"})) return Shape("{min, max}");
        if (!(*in_.min < *in_.max)) {
          Add("min is " + FormatNumber(*in_.min) + ", but must be less than max (" +
              FormatNumber(*in_.max) + ")");
        }
        return Done({DistFamily::kUniform, *in_.min, *in_.max, 0});
      case DistFamily::kTriangular:
      case DistFamily::kPert:
        return BuildMinModeMax();
    }
    return Fail("unknown distribution family");
  }

 private:
  std::vector<Arg> AllArgs() const {
    return {{"alpha", &in_.alpha}, {"beta", &in_.beta},       {"shape", &in_.shape},
            {"scale", &in_.scale}, {"rate", &in_.rate},       {"mean", &in_.mean},
            {"se", &se_},          {"meanlog", &in_.meanlog}, {"sdlog", &in_.sdlog},
            {"median", &in_.median}, {"min", &in_.min},       {"mode", &in_.mode},
            {"max", &in_.max}};
  }

  // True when exactly the named arguments (and ci95 iff listed) are present.
  bool Only(std::vector<std::string> names) const {
    bool want_ci = false;
    for (const auto& n : names) want_ci |= (n == "ci95");
    if (in_.ci95.has_value() != want_ci) return false;
    for (const Arg& a : AllArgs()) {
      bool wanted = false;
      for (const auto& n : names) wanted |= (n == a.name);
      if (a.value->has_value() != wanted) return false;
    }
    return true;
  }

  std::string Given() const {
    std::string g = GivenSet(AllArgs());
    if (in_.ci95) g = g.size() > 2 ? g.substr(0, g.size() - 1) + ", ci95}" : "{ci95}";
    return g;
  }

  Status Shape(const std::string& accepted) {
    return Fail(std::string(ToString(in_.family)) + " takes " + accepted + ", but has " + Given());
  }

  Status Fail(std::string message) { return Status::Error(in_.path, std::move(message)); }

  void Add(std::string message) { issues_.push_back({in_.path, std::move(message)}); }

  void Positive(const char* name, double v) {
    if (!(v > 0)) Add(std::string(name) + " is " + FormatNumber(v) + ", but must be > 0");
  }

  Result<Distribution> Done(Distribution d) {
    if (!issues_.empty()) return Status::FromIssues(std::move(issues_));
    return d;
  }

  Result<Distribution> BuildBeta() {
    if (Only({"alpha", "beta"})) {
      Positive("alpha", *in_.alpha);
      Positive("beta", *in_.beta);
      return Done({DistFamily::kBeta, *in_.alpha, *in_.beta, 0});
    }
    if (Only({"mean", "se"})) {
      const double m = *in_.mean, s = *se_;
      if (!(m > 0 && m < 1)) {
        return Fail("mean is " + FormatNumber(m) + ", but must be in (0, 1) for a beta");
      }
      Positive("se", s);
      if (!issues_.empty()) return Status::FromIssues(std::move(issues_));
      const double var = s * s;
      if (!(var < m * (1 - m))) {
        return Fail("se^2 is " + FormatComputed(var) + ", but must be less than mean*(1-mean) = " +
                    FormatComputed(m * (1 - m)) + " for a beta");
      }
      const double k = m * (1 - m) / var - 1;
      return Done({DistFamily::kBeta, m * k, (1 - m) * k, 0});
    }
    return Shape("{alpha, beta} or {mean, se}");
  }

  Result<Distribution> BuildGamma() {
    if (Only({"shape", "scale"})) {
      Positive("shape", *in_.shape);
      Positive("scale", *in_.scale);
      return Done({DistFamily::kGamma, *in_.shape, *in_.scale, 0});
    }
    if (Only({"shape", "rate"})) {
      Positive("shape", *in_.shape);
      Positive("rate", *in_.rate);
      return Done({DistFamily::kGamma, *in_.shape, 1.0 / *in_.rate, 0});
    }
    if (Only({"mean", "se"})) {
      const double m = *in_.mean, s = *se_;
      Positive("mean", m);
      Positive("se", s);
      return Done({DistFamily::kGamma, (m * m) / (s * s), (s * s) / m, 0});
    }
    return Shape("{shape, scale}, {shape, rate} or {mean, se}");
  }

  Result<Distribution> BuildLogNormal() {
    if (Only({"meanlog", "sdlog"})) {
      Positive("sdlog", *in_.sdlog);
      return Done({DistFamily::kLogNormal, *in_.meanlog, *in_.sdlog, 0});
    }
    if (Only({"mean", "se"})) {
      const double m = *in_.mean, s = *se_;
      Positive("mean", m);
      Positive("se", s);
      if (!issues_.empty()) return Status::FromIssues(std::move(issues_));
      const double sigma2 = std::log1p((s * s) / (m * m));
      return Done({DistFamily::kLogNormal, std::log(m) - sigma2 / 2, std::sqrt(sigma2), 0});
    }
    if (Only({"median", "ci95"})) {
      const double med = *in_.median, lo = in_.ci95->first, hi = in_.ci95->second;
      if (!(lo > 0 && lo < med && med < hi)) {
        return Fail("ci95 is [" + FormatNumber(lo) + ", " + FormatNumber(hi) +
                    "], but must satisfy 0 < low < median (" + FormatNumber(med) + ") < high");
      }
      return Done(
          {DistFamily::kLogNormal, std::log(med), (std::log(hi) - std::log(lo)) / (2 * kZ975), 0});
    }
    return Shape("{meanlog, sdlog}, {mean, se} or {median, ci95}");
  }

  Result<Distribution> BuildMinModeMax() {
    if (!Only({"min", "mode", "max"})) return Shape("{min, mode, max}");
    const double lo = *in_.min, mo = *in_.mode, hi = *in_.max;
    if (!(lo < hi && lo <= mo && mo <= hi)) {
      return Fail("min, mode, max are " + FormatNumber(lo) + ", " + FormatNumber(mo) + ", " +
                  FormatNumber(hi) + ", but must satisfy min <= mode <= max and min < max");
    }
    return Done({in_.family, lo, mo, hi});
  }

  const DistributionInput& in_;
  std::optional<double> se_;
  Issues issues_;
};

}  // namespace

std::string_view ToString(DistFamily f) {
  switch (f) {
    case DistFamily::kFixed:
      return "fixed";
    case DistFamily::kBeta:
      return "beta";
    case DistFamily::kGamma:
      return "gamma";
    case DistFamily::kLogNormal:
      return "lognormal";
    case DistFamily::kNormal:
      return "normal";
    case DistFamily::kUniform:
      return "uniform";
    case DistFamily::kTriangular:
      return "triangular";
    case DistFamily::kPert:
      return "pert";
  }
  return "?";
}

Result<Distribution> MakeDistribution(const DistributionInput& input) {
  return Builder(input).Build();
}

double Distribution::Mean() const {
  switch (family) {
    case DistFamily::kBeta:
      return a / (a + b);
    case DistFamily::kGamma:
      return a * b;
    case DistFamily::kLogNormal:
      return std::exp(a + b * b / 2);
    case DistFamily::kNormal:
      return a;
    case DistFamily::kUniform:
      return (a + b) / 2;
    case DistFamily::kTriangular:
      return (a + b + c) / 3;
    case DistFamily::kPert:
      return (a + 4 * b + c) / 6;
    case DistFamily::kFixed:
      break;
  }
  throw std::logic_error("Distribution::Mean on a fixed parameter");
}

double Distribution::Quantile(double p) const {
  switch (family) {
    case DistFamily::kBeta:
      return bm::quantile(bm::beta_distribution<double, BoostPolicy>(a, b), p);
    case DistFamily::kGamma:
      return bm::quantile(bm::gamma_distribution<double, BoostPolicy>(a, b), p);
    case DistFamily::kLogNormal:
      return bm::quantile(bm::lognormal_distribution<double, BoostPolicy>(a, b), p);
    case DistFamily::kNormal:
      return bm::quantile(bm::normal_distribution<double, BoostPolicy>(a, b), p);
    case DistFamily::kUniform:
      return bm::quantile(bm::uniform_distribution<double, BoostPolicy>(a, b), p);
    case DistFamily::kTriangular:
      return bm::quantile(bm::triangular_distribution<double, BoostPolicy>(a, b, c), p);
    case DistFamily::kPert: {
      const double alpha = 1 + 4 * (b - a) / (c - a);
      const double beta = 1 + 4 * (c - b) / (c - a);
      return a + (c - a) * bm::quantile(bm::beta_distribution<double, BoostPolicy>(alpha, beta), p);
    }
    case DistFamily::kFixed:
      break;
  }
  throw std::logic_error("Distribution::Quantile on a fixed parameter");
}

double Distribution::Cdf(double x) const {
  switch (family) {
    case DistFamily::kBeta:
      return x <= 0 ? 0.0 : x >= 1 ? 1.0 : bm::cdf(bm::beta_distribution<double, BoostPolicy>(a, b), x);
    case DistFamily::kGamma:
      return x <= 0 ? 0.0 : bm::cdf(bm::gamma_distribution<double, BoostPolicy>(a, b), x);
    case DistFamily::kLogNormal:
      return x <= 0 ? 0.0 : bm::cdf(bm::lognormal_distribution<double, BoostPolicy>(a, b), x);
    case DistFamily::kNormal:
      return bm::cdf(bm::normal_distribution<double, BoostPolicy>(a, b), x);
    case DistFamily::kUniform:
      return x <= a ? 0.0 : x >= b ? 1.0 : (x - a) / (b - a);
    case DistFamily::kTriangular:
      return x <= a ? 0.0 : x >= c ? 1.0 : bm::cdf(bm::triangular_distribution<double, BoostPolicy>(a, b, c), x);
    case DistFamily::kPert: {
      if (x <= a) return 0.0;
      if (x >= c) return 1.0;
      const double alpha = 1 + 4 * (b - a) / (c - a);
      const double beta = 1 + 4 * (c - b) / (c - a);
      return bm::cdf(bm::beta_distribution<double, BoostPolicy>(alpha, beta), (x - a) / (c - a));
    }
    case DistFamily::kFixed:
      break;
  }
  throw std::logic_error("Distribution::Cdf on a fixed parameter");
}

double Distribution::QuantileComplement(double q) const {
  switch (family) {
    case DistFamily::kBeta:
      return bm::quantile(bm::complement(bm::beta_distribution<double, BoostPolicy>(a, b), q));
    case DistFamily::kGamma:
      return bm::quantile(bm::complement(bm::gamma_distribution<double, BoostPolicy>(a, b), q));
    case DistFamily::kLogNormal:
      return bm::quantile(bm::complement(bm::lognormal_distribution<double, BoostPolicy>(a, b), q));
    case DistFamily::kNormal:
      return bm::quantile(bm::complement(bm::normal_distribution<double, BoostPolicy>(a, b), q));
    case DistFamily::kUniform:
      return bm::quantile(bm::complement(bm::uniform_distribution<double, BoostPolicy>(a, b), q));
    case DistFamily::kTriangular:
      return bm::quantile(bm::complement(bm::triangular_distribution<double, BoostPolicy>(a, b, c), q));
    case DistFamily::kPert: {
      const double alpha = 1 + 4 * (b - a) / (c - a);
      const double beta = 1 + 4 * (c - b) / (c - a);
      return a + (c - a) * bm::quantile(bm::complement(bm::beta_distribution<double, BoostPolicy>(alpha, beta), q));
    }
    case DistFamily::kFixed:
      break;
  }
  throw std::logic_error("Distribution::QuantileComplement on a fixed parameter");
}

std::string Distribution::Describe() const {
  std::string out(ToString(family));
  auto arg = [&](const char* n, double v, bool first = false) {
    out += first ? "(" : ", ";
    out += n;
    out += "=";
    out += FormatNumber(v);
  };
  switch (family) {
    case DistFamily::kFixed:
      return out;
    case DistFamily::kBeta:
      arg("alpha", a, true), arg("beta", b);
      break;
    case DistFamily::kGamma:
      arg("shape", a, true), arg("scale", b);
      break;
    case DistFamily::kLogNormal:
      arg("meanlog", a, true), arg("sdlog", b);
      break;
    case DistFamily::kNormal:
      arg("mean", a, true), arg("sd", b);
      break;
    case DistFamily::kUniform:
      arg("min", a, true), arg("max", b);
      break;
    case DistFamily::kTriangular:
    case DistFamily::kPert:
      arg("min", a, true), arg("mode", b), arg("max", c);
      break;
  }
  return out + ")";
}

}  // namespace vaglio::models
