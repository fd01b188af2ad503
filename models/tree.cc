#include "models/tree.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <tuple>

#include "models/incremental.h"
#include "models/number.h"
#include "models/text.h"
#include "models/tolerances.h"

namespace vaglio::models {
namespace {

struct Node {
  std::string path;         // strategy/branch/... for output
  const std::string* spec_path = nullptr;  // key path in the file, for messages
  NodeType type = NodeType::kTerminal;
  int parent = -1;
  std::vector<int> children;
  int p_slot = -1;          // probability of reaching this node from its chance parent
  bool p_rest = false;
  const std::string* p_path = nullptr;
  std::vector<int> value_slots;  // per value, -1: none
  int terminal = -1;        // index into StrategyTree::terminals
};

struct Terminal {
  int submodel = 0;
  int strategy = 0;                // in the submodel
  std::vector<int> bind_inputs;    // submodel inputs set from the tree
  std::vector<int> bind_slots;     // tree slots giving their values
  std::vector<int> value_map;      // per tree value: submodel value index
};

struct StrategyTree {
  std::shared_ptr<StrategyPlan> plan;
  std::vector<Node> nodes;         // pre-order: every parent before its children
  std::vector<Terminal> terminals;
};

class TreeModel : public Model {
 public:
  ModelInfo info_;
  ModelSpec spec_;
  std::shared_ptr<const ParameterSet> params_;
  std::vector<StrategyTree> trees_;
  double decision_wtp_ = 0;

  const ModelInfo& info() const override { return info_; }
  Result<std::unique_ptr<Evaluator>> NewEvaluator(std::vector<int> varying) const override;
};

class TreeEvaluator : public Evaluator {
 public:
  explicit TreeEvaluator(const TreeModel& m) : m_(m) {}
  Status Evaluate(std::span<const double> x, Outcome* out, Details* details) override;

  std::vector<std::unique_ptr<PlanRunner>> runners_;
  // Submodel evaluators by (submodel, bound inputs).
  std::map<std::pair<int, std::vector<int>>, std::unique_ptr<Evaluator>> submodels_;

 private:
  const TreeModel& m_;
};

class Compiler {
 public:
  explicit Compiler(const ModelSpec& spec) : spec_(spec) {}

  Result<std::shared_ptr<const Model>> Run() {
    auto model = std::make_shared<TreeModel>();
    model->spec_ = spec_;
    const ModelSpec& spec = model->spec_;
    auto ps = ParameterSet::Build(spec);
    if (!ps.ok()) return Status::FromIssues(ps.TakeIssues());
    model->params_ = ps.value();
    if (Status st = FillModelInfo(spec, *model->params_, &model->info_); !st.ok()) {
      for (const Issue& i : st.issues()) issues_.push_back(i);
    }
    if (spec.tree.empty()) issues_.push_back({"tree", "the tree has no branches, but each strategy is a branch of its root"});
    for (const ValueSpec& v : spec.values) value_names_.push_back(v.name);
    for (const TreeNodeSpec& t : spec.subtrees) subtrees_[t.name] = &t;
    for (const TreeNodeSpec& t : spec.subtrees) subtree_names_.push_back(t.name);
    model->decision_wtp_ = spec.decision_wtp.value_or(0.0);
    if (model->decision_wtp_ < 0) {
      Add("decision_wtp", "is " + FormatNumber(model->decision_wtp_) + ", but must be a willingness to pay >= 0");
    }
    if (!issues_.empty()) return Finish();
    for (int s = 0; s < static_cast<int>(spec.tree.size()); ++s) {
      model->trees_.push_back(BuildStrategy(*model, s));
    }
    if (!issues_.empty()) return Finish();
    model->info_.parameter_used.assign(model->info_.parameter_names.size(), false);
    for (const StrategyTree& t : model->trees_) {
      for (size_t p = 0; p < model->info_.parameter_used.size(); ++p) {
        if (t.plan->IsUsed(kNumBuiltinSlots + static_cast<int>(p))) model->info_.parameter_used[p] = true;
      }
    }
    if (auto ev = model->NewEvaluator({}); !ev.ok()) {
      for (Issue& i : ev.TakeIssues()) issues_.push_back(std::move(i));
      return Finish();
    }
    return std::shared_ptr<const Model>(std::move(model));
  }

 private:
  void Add(const std::string& path, std::string msg) { issues_.push_back({path, std::move(msg)}); }

  Result<std::shared_ptr<const Model>> Finish() {
    Issues unique;
    std::set<std::tuple<std::string, std::string, int>> seen;
    for (Issue& i : issues_) {
      if (seen.insert({i.path, i.message, i.offset}).second) unique.push_back(std::move(i));
    }
    return Status::FromIssues(std::move(unique));
  }

  int ValueIndex(const std::string& name) const {
    auto it = std::find(value_names_.begin(), value_names_.end(), name);
    return it == value_names_.end() ? -1 : static_cast<int>(it - value_names_.begin());
  }

  // Adds `branch` (and everything below it) as a node under `parent`.
  void Expand(StrategyTree& t, const TreeNodeSpec& branch, int parent, NodeType parent_type,
              const std::string& prefix, std::vector<std::string>& stack) {
    if (static_cast<int>(t.nodes.size()) >= kMaxTreeNodes) {
      if (!too_big_) {
        Add(branch.path, "the tree expands to more than " + std::to_string(kMaxTreeNodes) +
                             " nodes in one strategy; is a subtree used inside itself many times?");
      }
      too_big_ = true;
      return;
    }
    StrategyPlan& plan = *t.plan;
    const int id = static_cast<int>(t.nodes.size());
    t.nodes.emplace_back();
    {
      Node& n = t.nodes.back();
      n.path = prefix.empty() ? branch.name : prefix + "/" + branch.name;
      n.spec_path = &branch.path;
      n.parent = parent;
      n.value_slots.assign(value_names_.size(), -1);
    }
    if (parent >= 0) t.nodes[static_cast<size_t>(parent)].children.push_back(id);

    // Probability of the branch.
    if (parent_type == NodeType::kChance) {
      if (!branch.p) {
        Add(branch.path, "branch '" + branch.name + "' of a chance node has no probability p, but needs one (or p: rest)");
      } else if (Trim(branch.p->text) == "rest") {
        t.nodes[static_cast<size_t>(id)].p_rest = true;
        t.nodes[static_cast<size_t>(id)].p_path = &branch.p->path;
      } else {
        const int slot = plan.AddSink(*branch.p, Phase::kStart);
        t.nodes[static_cast<size_t>(id)].p_slot = slot;
        t.nodes[static_cast<size_t>(id)].p_path = &branch.p->path;
      }
    } else if (branch.p) {
      Add(branch.p->path, parent < 0 ? "a strategy (a branch of the root decision) has no probability"
                                     : "the branches of a decision node have no probability");
    }
    // Values on the branch.
    auto add_values = [&](const std::vector<NamedExpr>& values) {
      for (const NamedExpr& v : values) {
        const int vi = ValueIndex(v.name);
        if (vi < 0) {
          Add(v.expr.path, "'" + v.name + "' is not a declared value" + DidYouMeanSuffix(v.name, value_names_) +
                               "; declare it under values:");
          continue;
        }
        Node& n = t.nodes[static_cast<size_t>(id)];
        if (n.value_slots[static_cast<size_t>(vi)] >= 0) {
          Add(v.expr.path, "'" + v.name + "' is given twice on this branch (on the branch and in its subtree)");
          continue;
        }
        n.value_slots[static_cast<size_t>(vi)] = plan.AddSink(v.expr, Phase::kStart);
      }
    };
    add_values(branch.values);

    // The node the branch leads to: inline, or a named subtree.
    const TreeNodeSpec* body = &branch;
    if (!branch.next.empty()) {
      if (!branch.branches.empty() || !branch.markov.empty() || branch.type || !branch.bind.empty()) {
        Add(branch.path, "gives next and also branches, type, markov or bind, but those belong to the subtree it names");
        return;
      }
      auto it = subtrees_.find(branch.next);
      if (it == subtrees_.end()) {
        Add(branch.path + ".next", "'" + branch.next + "' is not a subtree" + DidYouMeanSuffix(branch.next, subtree_names_));
        return;
      }
      if (std::find(stack.begin(), stack.end(), branch.next) != stack.end()) {
        std::string cycle;
        for (auto s = std::find(stack.begin(), stack.end(), branch.next); s != stack.end(); ++s) cycle += *s + " -> ";
        Add(it->second->path, "circular subtree references: " + cycle + branch.next);
        return;
      }
      body = it->second;
      if (body->p) Add(body->p->path, "a subtree has no probability; give p on the branch that uses it");
      if (!body->next.empty()) Add(body->path + ".next", "a subtree cannot itself be a `next` reference; give its branches");
      add_values(body->values);
    }
    NodeType type = body->branches.empty() ? NodeType::kTerminal : NodeType::kChance;
    if (body->type) {
      type = *body->type;
      if (type != NodeType::kTerminal && body->branches.empty()) {
        Add(body->path, std::string("is a ") + (type == NodeType::kDecision ? "decision" : "chance") +
                            " node, but has no branches");
        return;
      }
      if (type == NodeType::kTerminal && !body->branches.empty()) {
        Add(body->path, "is a terminal node, but has branches");
        return;
      }
    }
    if (parent < 0 && type == NodeType::kDecision) {
      // A strategy that is itself a decision: allowed, rolled back at decision_wtp.
    }
    if (type == NodeType::kDecision) has_inner_decision_ = true;
    t.nodes[static_cast<size_t>(id)].type = type;
    if (!body->markov.empty()) {
      if (type != NodeType::kTerminal) {
        Add(body->path, "points to a Markov model, but has branches; a Markov model ends a path");
        return;
      }
      AddTerminal(t, id, *body);
    } else if (!body->bind.empty()) {
      Add(body->bind.front().expr.path, "bind is given, but the node points to no Markov model");
    }
    if (!branch.next.empty()) stack.push_back(branch.next);
    const std::string path = t.nodes[static_cast<size_t>(id)].path;  // a copy: nodes grows below
    for (const TreeNodeSpec& c : body->branches) Expand(t, c, id, type, path, stack);
    if (type == NodeType::kChance) {
      bool rest = false;
      for (const TreeNodeSpec& c : body->branches) {
        if (!c.p || Trim(c.p->text) != "rest") continue;
        if (rest) Add(c.p->path, "is a second 'rest' at this chance node, but only one branch may be 'rest'");
        rest = true;
      }
    }
    if (!branch.next.empty()) stack.pop_back();
  }

  void AddTerminal(StrategyTree& t, int id, const TreeNodeSpec& body) {
    const ModelSpec& spec = spec_;
    const SubmodelRef* ref = nullptr;
    int index = -1;
    for (size_t i = 0; i < spec.submodels.size(); ++i) {
      if (spec.submodels[i].reference == body.markov) {
        ref = &spec.submodels[i];
        index = static_cast<int>(i);
      }
    }
    const std::string path = body.path + ".markov";
    if (ref == nullptr || !ref->model) {
      Add(path, "the Markov model '" + body.markov + "' was not loaded");
      return;
    }
    const ModelInfo& sub = ref->model->info();
    Terminal term;
    term.submodel = index;
    auto st = std::find(sub.strategies.begin(), sub.strategies.end(), ref->strategy);
    if (st == sub.strategies.end()) {
      Add(path, "'" + ref->strategy + "' is not a strategy of the Markov model" +
                    DidYouMeanSuffix(ref->strategy, sub.strategies) + "; its strategies are " +
                    QuotedList(sub.strategies));
      return;
    }
    term.strategy = static_cast<int>(st - sub.strategies.begin());
    for (const std::string& v : value_names_) {
      int found = -1;
      for (size_t q = 0; q < sub.values.size(); ++q) {
        if (sub.values[q].name == v) found = static_cast<int>(q);
      }
      if (found < 0) {
        Add(path, "the Markov model has no value '" + v + "', but every value of the tree must come from it");
        return;
      }
      term.value_map.push_back(found);
    }
    for (const NamedExpr& b : body.bind) {
      int in = -1;
      for (size_t q = 0; q < sub.inputs.size(); ++q) {
        if (sub.inputs[q].name == b.name) in = static_cast<int>(q);
      }
      if (in < 0) {
        std::vector<std::string> names;
        for (const auto& x : sub.inputs) names.push_back(x.name);
        Add(b.expr.path, "'" + b.name + "' is not a parameter of the Markov model whose value is a number" +
                             DidYouMeanSuffix(b.name, names));
        continue;
      }
      term.bind_inputs.push_back(in);
      term.bind_slots.push_back(t.plan->AddSink(b.expr, Phase::kStart));
    }
    t.nodes[static_cast<size_t>(id)].terminal = static_cast<int>(t.terminals.size());
    t.terminals.push_back(std::move(term));
  }

  StrategyTree BuildStrategy(const TreeModel& m, int s) {
    StrategyTree t;
    t.plan = std::make_shared<StrategyPlan>(m.params_, s);
    std::vector<std::string> stack;
    Expand(t, spec_.tree[static_cast<size_t>(s)], -1, NodeType::kDecision, "", stack);
    if (has_inner_decision_ && !spec_.decision_wtp) {
      Add("decision_wtp", "is missing, but the tree has a decision node below its root, which chooses by net "
                          "benefit at decision_wtp");
    }
    if (Status f = t.plan->Finalize(); !f.ok()) {
      for (const Issue& i : f.issues()) issues_.push_back(i);
      return t;
    }
    for (int slot = 0; slot < t.plan->num_slots(); ++slot) {
      if (t.plan->IsUsed(slot) && slot != kSlotStateTime && t.plan->DependsOnStateTime(slot)) {
        Add("tree", "a formula uses state_time, which only has a meaning in a tunnel state of a Markov model");
        break;
      }
    }
    return t;
  }

  const ModelSpec& spec_;
  Issues issues_;
  std::vector<std::string> value_names_;
  std::map<std::string, const TreeNodeSpec*> subtrees_;
  std::vector<std::string> subtree_names_;
  bool has_inner_decision_ = false;
  bool too_big_ = false;
};

Result<std::unique_ptr<Evaluator>> TreeModel::NewEvaluator(std::vector<int> varying) const {
  auto ev = std::make_unique<TreeEvaluator>(*this);
  for (const StrategyTree& t : trees_) {
    auto r = PlanRunner::Create(t.plan, varying, 0, 1.0);
    if (!r.ok()) return Status::FromIssues(r.TakeIssues());
    ev->runners_.push_back(std::move(r).value());
    for (const Terminal& term : t.terminals) {
      const auto key = std::make_pair(term.submodel, term.bind_inputs);
      if (ev->submodels_.count(key)) continue;
      auto sub = spec_.submodels[static_cast<size_t>(term.submodel)].model->NewEvaluator(term.bind_inputs);
      if (!sub.ok()) return Status::FromIssues(sub.TakeIssues());
      ev->submodels_[key] = std::move(sub).value();
    }
  }
  return std::unique_ptr<Evaluator>(std::move(ev));
}

Status TreeEvaluator::Evaluate(std::span<const double> x, Outcome* out, Details* details) {
  const ModelInfo& info = m_.info_;
  const int S = static_cast<int>(m_.trees_.size());
  const size_t V = info.values.size();
  out->Reset(S, static_cast<int>(V));
  if (details != nullptr) details->tree.assign(static_cast<size_t>(S), {});
  for (int s = 0; s < S; ++s) {
    const StrategyTree& t = m_.trees_[static_cast<size_t>(s)];
    PlanRunner& r = *runners_[static_cast<size_t>(s)];
    const std::string sname = info.strategies[static_cast<size_t>(s)];
    const std::string where = S > 1 ? " in strategy '" + sname + "'" : "";
    if (Status st = r.Begin(x); !st.ok()) return st;
    if (Status st = r.EnterCycle(0); !st.ok()) return st;

    // Markov terminals, each distinct set of bound values run once.
    std::vector<std::vector<double>> term_disc(t.terminals.size()), term_undisc(t.terminals.size());
    std::map<std::tuple<int, int, std::vector<double>>, std::pair<std::vector<double>, std::vector<double>>> cache;
    for (size_t q = 0; q < t.terminals.size(); ++q) {
      const Terminal& term = t.terminals[q];
      std::vector<double> bound;
      for (int slot : term.bind_slots) bound.push_back(r.value(slot));
      const auto key = std::make_tuple(term.submodel, term.strategy, bound);
      auto it = cache.find(key);
      if (it == cache.end()) {
        Outcome o;
        Evaluator& sub = *submodels_.at({term.submodel, term.bind_inputs});
        if (Status st = sub.Evaluate(bound, &o); !st.ok()) {
          Issues issues = st.TakeIssues();
          const std::string& ref = m_.spec_.submodels[static_cast<size_t>(term.submodel)].reference;
          for (Issue& i : issues) {
            i.message += " (the Markov model of terminal '" + ref + "'" + where + ")";
            if (i.model.empty()) i.model = ref.substr(0, ref.find('#'));
          }
          return Status::FromIssues(std::move(issues));
        }
        std::vector<double> d, u;
        for (int v : term.value_map) {
          d.push_back(o.value(term.strategy, v));
          u.push_back(o.undiscounted_value(term.strategy, v));
        }
        it = cache.emplace(key, std::make_pair(std::move(d), std::move(u))).first;
      }
      term_disc[q] = it->second.first;
      term_undisc[q] = it->second.second;
    }

    // Roll back, children before parents.
    const size_t n = t.nodes.size();
    std::vector<std::vector<double>> own(n, std::vector<double>(V, 0.0));
    std::vector<std::vector<double>> exp_d(n), exp_u(n);
    std::vector<double> prob(n, 1.0);  // of the branch into each node
    std::vector<int> chosen(n, -1);
    for (size_t i = 0; i < n; ++i) {
      for (size_t v = 0; v < V; ++v) {
        const int slot = t.nodes[i].value_slots[v];
        if (slot < 0) continue;
        own[i][v] = r.value(slot);
        if (info.cost_value == static_cast<int>(v) && !info.values[v].allow_negative && own[i][v] < 0) {
          return Status::Error(*t.nodes[i].spec_path + "." + info.values[v].name,
                               "is " + FormatComputed(own[i][v]) + where +
                                   ", but must be >= 0 for a cost (set allow_negative: true on the value to allow it)");
        }
      }
    }
    for (size_t ii = n; ii-- > 0;) {
      const Node& node = t.nodes[ii];
      exp_d[ii] = own[ii];
      exp_u[ii] = own[ii];
      if (node.type == NodeType::kTerminal) {
        if (node.terminal >= 0) {
          for (size_t v = 0; v < V; ++v) {
            exp_d[ii][v] += term_disc[static_cast<size_t>(node.terminal)][v];
            exp_u[ii][v] += term_undisc[static_cast<size_t>(node.terminal)][v];
          }
        }
        continue;
      }
      if (node.type == NodeType::kChance) {
        double sum = 0;
        int rest = -1;
        for (int c : node.children) {
          const Node& child = t.nodes[static_cast<size_t>(c)];
          if (child.p_rest) {
            if (rest >= 0) {
              return Status::Error(*child.p_path, "is a second 'rest' at this chance node, but only one branch may be 'rest'");
            }
            rest = c;
            continue;
          }
          double p = r.value(child.p_slot);
          if (!(p >= -kChanceNodeTol && p <= 1 + kChanceNodeTol)) {
            return Status::Error(*child.p_path, "is " + FormatComputed(p) + where + ", but must be a probability in [0, 1]");
          }
          p = std::clamp(p, 0.0, 1.0);
          prob[static_cast<size_t>(c)] = p;
          sum += p;
        }
        if (rest >= 0) {
          if (sum > 1 + kChanceNodeTol) {
            return Status::Error(*node.spec_path, "the probabilities at chance node '" + node.path + "' other than 'rest' sum to " +
                                                      FormatComputed(sum) + where + ", but must not exceed 1");
          }
          prob[static_cast<size_t>(rest)] = std::max(0.0, 1 - sum);
        } else if (std::fabs(sum - 1) > kChanceNodeTol) {
          return Status::Error(*node.spec_path, "the probabilities at chance node '" + node.path + "' sum to " +
                                                    FormatComputed(sum) + where + ", but must sum to 1 (or use 'rest')");
        }
        for (int c : node.children) {
          for (size_t v = 0; v < V; ++v) {
            exp_d[ii][v] += prob[static_cast<size_t>(c)] * exp_d[static_cast<size_t>(c)][v];
            exp_u[ii][v] += prob[static_cast<size_t>(c)] * exp_u[static_cast<size_t>(c)][v];
          }
        }
      } else {  // a decision inside the tree: the largest net benefit at decision_wtp
        int best = -1;
        double best_nb = 0;
        for (int c : node.children) {
          const auto& e = exp_d[static_cast<size_t>(c)];
          const double effect = info.effect_values.empty() ? 0.0 : e[static_cast<size_t>(info.effect_values.front())];
          const double nb = NetBenefit(m_.decision_wtp_, e[static_cast<size_t>(info.cost_value)], effect);
          if (best < 0 || nb > best_nb) best = c, best_nb = nb;
        }
        chosen[ii] = best;
        for (size_t v = 0; v < V; ++v) {
          exp_d[ii][v] += exp_d[static_cast<size_t>(best)][v];
          exp_u[ii][v] += exp_u[static_cast<size_t>(best)][v];
        }
      }
    }
    for (size_t v = 0; v < V; ++v) {
      out->discounted[static_cast<size_t>(s) * V + v] = exp_d[0][v];
      out->undiscounted[static_cast<size_t>(s) * V + v] = exp_u[0][v];
    }
    if (details != nullptr) {
      auto& nodes = details->tree[static_cast<size_t>(s)];
      nodes.resize(n);
      for (size_t i = 0; i < n; ++i) {
        const Node& node = t.nodes[i];
        TreeNodeResult& res = nodes[i];
        res.path = node.path;
        res.type = node.type == NodeType::kDecision ? "decision" : node.type == NodeType::kChance ? "chance" : "terminal";
        res.own = own[i];
        res.expected = exp_d[i];
        if (node.parent < 0) {
          res.probability = 1;
          res.path_total = own[i];
        } else {
          const TreeNodeResult& parent = nodes[static_cast<size_t>(node.parent)];
          const Node& pnode = t.nodes[static_cast<size_t>(node.parent)];
          const double p = pnode.type == NodeType::kChance ? prob[i]
                           : chosen[static_cast<size_t>(node.parent)] == static_cast<int>(i) ? 1.0
                                                                                              : 0.0;
          res.probability = parent.probability * p;
          res.path_total = parent.path_total;
          for (size_t v = 0; v < V; ++v) res.path_total[v] += own[i][v];
        }
        if (node.terminal >= 0) {
          for (size_t v = 0; v < V; ++v) res.path_total[v] += term_disc[static_cast<size_t>(node.terminal)][v];
        }
        if (chosen[i] >= 0) res.chosen = t.nodes[static_cast<size_t>(chosen[i])].path;
      }
    }
  }
  return Status();
}

}  // namespace

Result<std::shared_ptr<const Model>> CompileTree(const ModelSpec& spec) { return Compiler(spec).Run(); }

}  // namespace vaglio::models
