#include "models/conventions.h"

namespace vaglio::models {

double YearsPerUnit(TimeUnit unit) {
  switch (unit) {
    case TimeUnit::kYear:
      return 1.0;
    case TimeUnit::kMonth:
      return 1.0 / 12.0;
    case TimeUnit::kWeek:
      return 7.0 / 365.25;
    case TimeUnit::kDay:
      return 1.0 / 365.25;
  }
  return 1.0;
}

std::string_view ToString(Method m) {
  switch (m) {
    case Method::kMarkovCohort:
      return "markov_cohort";
    case Method::kDecisionTree:
      return "decision_tree";
    case Method::kPartitionedSurvival:
      return "partitioned_survival";
  }
  return "?";
}

std::string_view ToString(Counting c) {
  switch (c) {
    case Counting::kBeginning:
      return "beginning";
    case Counting::kEnd:
      return "end";
    case Counting::kLifeTable:
      return "life_table";
    case Counting::kHalfCycle:
      return "half_cycle";
    case Counting::kSimpson:
      return "simpson";
  }
  return "?";
}

std::string_view ToString(DiscountTiming t) { return t == DiscountTiming::kStart ? "start" : "end"; }

std::string_view ToString(DiscountStep s) { return s == DiscountStep::kCycle ? "cycle" : "year"; }

std::string_view ToString(TimeUnit u) {
  switch (u) {
    case TimeUnit::kYear:
      return "year";
    case TimeUnit::kMonth:
      return "month";
    case TimeUnit::kWeek:
      return "week";
    case TimeUnit::kDay:
      return "day";
  }
  return "?";
}

std::string_view ToString(ValueRole r) {
  switch (r) {
    case ValueRole::kNone:
      return "none";
    case ValueRole::kCost:
      return "cost";
    case ValueRole::kEffect:
      return "effect";
  }
  return "?";
}

std::string_view ToString(ValuePer p) { return p == ValuePer::kCycle ? "cycle" : "year"; }

}  // namespace vaglio::models
