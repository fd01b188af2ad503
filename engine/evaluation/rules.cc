#include "engine/evaluation/rules.h"

namespace vaglio::engine {

std::optional<expr::Value> OverlayContext::Lookup(std::string_view path, std::vector<std::string>* siblings) const {
  auto it = overlay_.find(path);
  if (it != overlay_.end()) return it->second;
  return base_.Lookup(path, siblings);
}

RuleSet::RuleSet(const schemas::Criteria& cs) : cs_(cs) {
  for (const auto& r : cs.decision_rules()) {
    auto parsed = expr::Expression::Parse(r.condition());
    if (std::holds_alternative<expr::Expression>(parsed)) {
      rules_.push_back(std::get<expr::Expression>(parsed));
    } else {
      rules_.push_back(std::nullopt);  // the loader has reported it
    }
  }
}

std::optional<expr::Evaluation> EvaluateAt(const expr::Expression& e, const expr::Context& ctx, const std::string& path,
                                           models::Issues* issues) {
  auto result = e.Evaluate(ctx);
  if (std::holds_alternative<expr::Error>(result)) {
    const expr::Error& err = std::get<expr::Error>(result);
    issues->push_back({path, err.message, err.offset});
    return std::nullopt;
  }
  return std::get<expr::Evaluation>(std::move(result));
}

std::optional<expr::Evaluation> EvaluateText(const std::string& text, const expr::Context& ctx, const std::string& path,
                                             models::Issues* issues) {
  auto parsed = expr::Expression::Parse(text);
  if (std::holds_alternative<expr::Error>(parsed)) {
    const expr::Error& err = std::get<expr::Error>(parsed);
    issues->push_back({path, err.message, err.offset});
    return std::nullopt;
  }
  return EvaluateAt(std::get<expr::Expression>(parsed), ctx, path, issues);
}

std::optional<RuleSet::Match> RuleSet::First(const expr::Context& ctx, models::Issues* issues) const {
  for (size_t i = 0; i < rules_.size(); ++i) {
    if (!rules_[i]) return std::nullopt;
    const std::string path = "decision_rules." + cs_.decision_rules(static_cast<int>(i)).id() + ".condition";
    auto ev = EvaluateAt(*rules_[i], ctx, path, issues);
    if (!ev) return std::nullopt;
    if (ev->value.type() != expr::Value::Type::kBool) {
      issues->push_back({path, "gives " + std::string(expr::Value::TypeName(ev->value.type())) + " " +
                                   ev->value.ToString() + ", but a rule's condition must be true or false"});
      return std::nullopt;
    }
    if (ev->value.AsBool()) return Match{static_cast<int>(i), std::move(*ev)};
  }
  issues->push_back({"decision_rules", "no decision rule matched, but the last rule should catch every case "
                                       "(condition: 'true')"});
  return std::nullopt;
}

std::optional<std::string> RuleSet::Outcome(const expr::Context& ctx) const {
  models::Issues ignored;
  auto m = First(ctx, &ignored);
  if (!m) return std::nullopt;
  return cs_.decision_rules(m->rule).outcome();
}

}  // namespace vaglio::engine
