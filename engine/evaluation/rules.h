#ifndef VAGLIO_ENGINE_EVALUATION_RULES_H_
#define VAGLIO_ENGINE_EVALUATION_RULES_H_

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "criteria.pb.h"
#include "engine/diagnostics.h"
#include "engine/expr/expression.h"

namespace vaglio::engine {

/// A context that overrides some paths of another (the total of a perturbed weighting,
/// the robustness flags of a first pass) without copying it.
class OverlayContext : public expr::Context {
 public:
  explicit OverlayContext(const expr::Context& base) : base_(base) {}
  void Set(const std::string& path, expr::Value v) { overlay_[path] = std::move(v); }
  std::optional<expr::Value> Lookup(std::string_view path, std::vector<std::string>* siblings) const override;
  bool IsLevel(std::string_view path) const override { return base_.IsLevel(path); }
  std::string NullReason(std::string_view path) const override {
    return overlay_.count(path) != 0 ? std::string() : base_.NullReason(path);
  }

 private:
  const expr::Context& base_;
  std::map<std::string, expr::Value, std::less<>> overlay_;
};

/// The decision rules of a criteria set, parsed once.
class RuleSet {
 public:
  explicit RuleSet(const schemas::Criteria& cs);

  struct Match {
    int rule = -1;                 // index in the criteria set's rules
    expr::Evaluation evaluation;   // of the matching rule's condition
  };

  /// The first rule whose condition is true. An evaluation error (a type error, a missing
  /// path) is an issue at the rule's condition with the offset of the failing part; no
  /// rule matching is an issue at decision_rules.
  std::optional<Match> First(const expr::Context& ctx, models::Issues* issues) const;

  /// Only the outcome, for robustness loops; nothing on any error.
  std::optional<std::string> Outcome(const expr::Context& ctx) const;

 private:
  const schemas::Criteria& cs_;
  std::vector<std::optional<expr::Expression>> rules_;
};

/// Evaluates a parsed expression, turning an error into an issue at `path`.
std::optional<expr::Evaluation> EvaluateAt(const expr::Expression& e, const expr::Context& ctx, const std::string& path,
                                           models::Issues* issues);

/// Parses and evaluates; a parse error is an issue too.
std::optional<expr::Evaluation> EvaluateText(const std::string& text, const expr::Context& ctx, const std::string& path,
                                             models::Issues* issues);

}  // namespace vaglio::engine

#endif  // VAGLIO_ENGINE_EVALUATION_RULES_H_
