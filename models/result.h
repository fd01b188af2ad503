#ifndef VAGLIO_MODELS_RESULT_H_
#define VAGLIO_MODELS_RESULT_H_

#include <optional>
#include <utility>

#include "models/issue.h"

namespace vaglio::models {

/// A value, or the issues that prevented it. `value()` REQUIRES ok().
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status) : status_(std::move(status)) {}  // NOLINT: implicit by design

  bool ok() const { return value_.has_value(); }
  const Status& status() const { return status_; }
  Issues TakeIssues() { return status_.TakeIssues(); }
  T& value() & { return *value_; }
  const T& value() const& { return *value_; }
  T&& value() && { return std::move(*value_); }
  T* operator->() { return &*value_; }
  const T* operator->() const { return &*value_; }

 private:
  std::optional<T> value_;
  Status status_;
};

}  // namespace vaglio::models

#endif  // VAGLIO_MODELS_RESULT_H_
