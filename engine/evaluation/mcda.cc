#include "engine/evaluation/mcda.h"

#include <algorithm>
#include <cmath>
#include <map>

namespace vaglio::engine {
namespace {

double Quantile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  const double h = (static_cast<double>(v.size()) - 1) * p;
  const size_t lo = static_cast<size_t>(std::floor(h));
  const size_t hi = std::min(lo + 1, v.size() - 1);
  return v[lo] + (h - static_cast<double>(lo)) * (v[hi] - v[lo]);
}

}  // namespace

std::vector<double> NormaliseWeights(const schemas::Criteria& cs) {
  const auto& crit = cs.mcda().criteria();
  std::vector<double> w(static_cast<size_t>(crit.size()), 0.0);
  if (cs.mcda().weight_elicitation().method() == "hierarchical_point_allocation") {
    std::map<std::string, double> domain_points, within;
    double domain_total = 0;
    for (const auto& d : cs.mcda().weight_elicitation().domains()) {
      domain_points[d.domain()] = d.weight();
      domain_total += d.weight();
    }
    for (const auto& c : crit) within[c.domain()] += c.weight();
    for (int i = 0; i < crit.size(); ++i) {
      const auto& c = crit[i];
      const double dom = domain_total > 0 ? domain_points[c.domain()] / domain_total : 0.0;
      const double inner = within[c.domain()] > 0 ? c.weight() / within[c.domain()] : 0.0;
      w[static_cast<size_t>(i)] = dom * inner;
    }
    return w;
  }
  double total = 0;
  for (const auto& c : crit) total += c.weight();
  for (int i = 0; i < crit.size(); ++i) w[static_cast<size_t>(i)] = total > 0 ? crit[i].weight() / total : 0.0;
  return w;
}

double ValueFunctionAt(const schemas::ValueFunction& vf, double x) {
  const auto& p = vf.points();
  if (x <= p[0].values(0)) return p[0].values(1);
  for (int i = 1; i < p.size(); ++i) {
    const double x0 = p[i - 1].values(0), x1 = p[i].values(0);
    if (x <= x1) {
      const double v0 = p[i - 1].values(1), v1 = p[i].values(1);
      return v0 + (x - x0) / (x1 - x0) * (v1 - v0);
    }
  }
  return p[p.size() - 1].values(1);
}

CriterionScore ScoreFromMembers(const schemas::Criteria& cs, const schemas::Criterion& c,
                                const schemas::Scores* scores) {
  CriterionScore out;
  out.source = "missing";
  if (scores == nullptr) return out;
  const schemas::CriterionScores* found = nullptr;
  for (const auto& s : scores->scores()) {
    if (s.criterion() == c.id()) found = &s;
  }
  if (found == nullptr) return out;
  std::map<std::string, const schemas::Member*> members;
  for (const auto& m : scores->members()) members[m.id()] = &m;
  std::vector<double> values;
  for (const auto& ms : found->members()) {
    auto it = members.find(ms.member());
    if (it == members.end() || !ms.has_score()) continue;
    const schemas::Member& m = *it->second;
    if ((m.has_voting() && !m.voting()) || m.interest_outcome() == "recused") continue;
    out.members.push_back({ms.member(), ms.score(), ms.rationale(),
                           std::vector<std::string>(ms.evidence_refs().begin(), ms.evidence_refs().end())});
    values.push_back(ms.score());
  }
  if (!values.empty()) {
    const auto [mn, mx] = std::minmax_element(values.begin(), values.end());
    out.range = *mx - *mn;
    out.iqr = Quantile(values, 0.75) - Quantile(values, 0.25);
  }
  const std::string mode = cs.mcda().scoring_mode().empty() ? "consensus" : cs.mcda().scoring_mode();
  if (mode == "consensus") {
    if (found->has_consensus() && found->consensus().has_score()) {
      out.score = found->consensus().score();
      out.source = "consensus";
      out.rationale = found->consensus().rationale();
      out.evidence_refs.assign(found->consensus().evidence_refs().begin(), found->consensus().evidence_refs().end());
    }
    return out;
  }
  if (values.empty()) return out;
  if (mode == "median") {
    out.score = Quantile(values, 0.5);
  } else {
    double sum = 0;
    for (double v : values) sum += v;
    out.score = sum / static_cast<double>(values.size());
  }
  out.source = mode;
  return out;
}

Aggregation Aggregate(const schemas::Criteria& cs, const std::vector<CriterionScore>& scores,
                      const std::vector<double>& weights) {
  Aggregation a;
  const auto& crit = cs.mcda().criteria();
  const size_t n = static_cast<size_t>(crit.size());
  a.weights = weights;
  a.values.assign(n, 0.0);
  a.weighted.assign(n, 0.0);
  a.excluded.assign(n, false);
  double kept = 0;
  for (size_t i = 0; i < n; ++i) {
    const auto& c = crit[static_cast<int>(i)];
    const double lo = c.scale().min(), hi = c.scale().max();
    if (!scores[i].score) {
      if (c.missing() == "block") {
        if (a.blocked.empty()) a.blocked = c.id();
      } else if (c.missing() == "exclude_and_renormalise") {
        a.excluded[i] = true;
        continue;
      }
      a.values[i] = 0.0;  // the bottom of the scale: no credible evidence
    } else {
      a.values[i] = std::clamp((*scores[i].score - lo) / (hi - lo), 0.0, 1.0);
    }
    kept += weights[i];
  }
  for (size_t i = 0; i < n; ++i) {
    if (a.excluded[i]) {
      a.weights[i] = 0;
      continue;
    }
    a.weights[i] = kept > 0 ? weights[i] / kept : 0.0;
    a.weighted[i] = 100.0 * a.weights[i] * a.values[i];
    a.total += a.weighted[i];
  }
  return a;
}

}  // namespace vaglio::engine
