#ifndef VAGLIO_MODELS_TREE_H_
#define VAGLIO_MODELS_TREE_H_

#include <memory>

#include "models/model.h"

namespace vaglio::models {

/// Guards against a tree that expands (through subtrees used many times) beyond any
/// hand-built model: more nodes than this per strategy is an input error.
inline constexpr int kMaxTreeNodes = 200000;

/// Compiles a decision tree (method: decision_tree; docs/methods.md §Decision trees).
///
/// Each branch of the root decision is a strategy. A chance node's branches carry
/// probabilities (one may be `rest`) that must sum to 1 (kChanceNodeTol); a decision node
/// inside the tree takes the branch with the largest net benefit at `decision_wtp`; values
/// on a branch accrue to every path through it; a terminal may be a Markov model, whose
/// discounted results (per member of its cohort) are the terminal's values. The expected
/// values of a strategy roll back as E(node) = v(node) + sum_c p_c E(c) over a chance
/// node's branches. Subtrees are expanded per strategy, so a strategy's parameter overrides
/// apply inside shared subtrees.
Result<std::shared_ptr<const Model>> CompileTree(const ModelSpec& spec);

}  // namespace vaglio::models

#endif  // VAGLIO_MODELS_TREE_H_
