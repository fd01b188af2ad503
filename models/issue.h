#ifndef VAGLIO_MODELS_ISSUE_H_
#define VAGLIO_MODELS_ISSUE_H_

#include <string>
#include <utility>
#include <vector>

namespace vaglio::models {

/// A problem with a model's input, found by the maths layer. `path` is the key path of the
/// offending item in the input file (e.g. "transitions.revision.death"); the engine turns it
/// into FILE:LINE:COL. `offset`, when not negative, is a character offset inside the
/// item's text (a position inside a formula).
struct Issue {
  std::string path;
  std::string message;
  int offset = -1;
  /// When the issue is inside another model file (the Markov model of a tree's terminal):
  /// that file as the tree names it; `path` is then a key path of that file.
  std::string model = "";
};

using Issues = std::vector<Issue>;

/// The outcome of an operation that can fail on bad input: empty when it succeeded.
class [[nodiscard]] Status {
 public:
  Status() = default;
  static Status Error(std::string path, std::string message, int offset = -1) {
    Status s;
    s.issues_.push_back({std::move(path), std::move(message), offset});
    return s;
  }
  static Status FromIssues(Issues issues) {
    Status s;
    s.issues_ = std::move(issues);
    return s;
  }
  bool ok() const { return issues_.empty(); }
  const Issues& issues() const { return issues_; }
  Issues TakeIssues() { return std::move(issues_); }

 private:
  Issues issues_;
};

}  // namespace vaglio::models

#endif  // VAGLIO_MODELS_ISSUE_H_
