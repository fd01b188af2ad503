#include "models/model.h"

#include <algorithm>

#include "models/markov.h"
#include "models/psm.h"
#include "models/tree.h"
#include "models/text.h"

namespace vaglio::models {

Status FillModelInfo(const ModelSpec& spec, const ParameterSet& params, ModelInfo* info) {
  Issues issues;
  info->id = spec.id;
  info->title = spec.title;
  info->currency = spec.currency;
  info->method = spec.method;
  info->counting = spec.counting;
  info->discount_timing = spec.discount_timing;
  info->discount_step = spec.discount_step;
  info->horizon = spec.horizon;
  info->cycle_length_years = spec.cycle_length_years();
  info->strategies = params.strategy_names();
  info->values = spec.values;
  info->inputs = params.inputs();
  info->parameter_names = params.parameter_names();

  for (size_t v = 0; v < spec.values.size(); ++v) {
    const ValueSpec& val = spec.values[v];
    if (!IsIdentifier(val.name)) {
      issues.push_back({val.path, "name '" + val.name +
                                      "' is not valid, but must be letters, digits and _, "
                                      "starting with a letter or _"});
    }
    if (val.name == "label" || val.name == "tunnel") {
      issues.push_back({val.path, "'" + val.name + "' is a key of a state, so it cannot name a value"});
    }
    if (!(val.discount_rate >= 0 && val.discount_rate <= 1)) {
      issues.push_back({val.path + ".discount", "is " + FormatNumber(val.discount_rate) +
                                                    ", but must be an annual rate in [0, 1]"});
    }
    if (val.role == ValueRole::kCost) {
      if (info->cost_value >= 0) {
        issues.push_back({val.path + ".role", "value '" + val.name +
                                                  "' has role cost, but '" +
                                                  spec.values[static_cast<size_t>(info->cost_value)].name +
                                                  "' already has it; exactly one value has role cost"});
      } else {
        info->cost_value = static_cast<int>(v);
      }
    } else if (val.role == ValueRole::kEffect) {
      info->effect_values.push_back(static_cast<int>(v));
    }
  }
  if (spec.values.empty()) {
    issues.push_back({"values", "the model declares no values, but needs one with role cost"});
  } else {
    if (info->cost_value < 0) {
      issues.push_back({"values", "no value has role cost, but exactly one must"});
    }

  }

  auto resolve_inputs = [&](const std::vector<std::string>& names, const std::string& path,
                            const char* what, std::vector<int>* out) {
    for (const std::string& n : names) {
      const int in = params.FindInput(n);
      if (in < 0) {
        const auto& pn = params.parameter_names();
        const bool exists = std::find(pn.begin(), pn.end(), n) != pn.end();
        issues.push_back({path, exists ? "'" + n + "' is a formula, but " + what +
                                             " may only name parameters with a number value"
                                       : "'" + n + "' is not a parameter" +
                                             DidYouMeanSuffix(n, pn)});
        continue;
      }
      if (std::find(out->begin(), out->end(), in) != out->end()) {
        issues.push_back({path, "'" + n + "' is listed twice"});
      }
      out->push_back(in);
    }
  };
  for (const CorrelationSpec& c : spec.correlations) {
    ResolvedCorrelation rc;
    rc.matrix = c.matrix;
    rc.covariance = c.covariance;
    rc.path = c.path;
    resolve_inputs(c.params, c.path + ".params", "a correlation", &rc.inputs);
    info->correlations.push_back(std::move(rc));
  }
  for (const DirichletSpec& d : spec.dirichlet) {
    ResolvedDirichlet rd;
    rd.counts = d.counts;
    rd.path = d.path;
    resolve_inputs(d.params, d.path + ".params", "a Dirichlet group", &rd.inputs);
    info->dirichlet.push_back(std::move(rd));
  }
  if (!issues.empty()) return Status::FromIssues(std::move(issues));
  return Status();
}

Result<std::shared_ptr<const Model>> CompileModel(const ModelSpec& spec) {
  switch (spec.method) {
    case Method::kMarkovCohort:
      return CompileMarkov(spec);
    case Method::kDecisionTree:
      return CompileTree(spec);
    case Method::kPartitionedSurvival:
      return CompilePartitionedSurvival(spec);
  }
  return Status::Error("method", "method '" + std::string(ToString(spec.method)) +
                                     "' is not supported by this version of Vaglio");
}

}  // namespace vaglio::models
