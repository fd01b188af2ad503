#ifndef VAGLIO_MODELS_CONVENTIONS_H_
#define VAGLIO_MODELS_CONVENTIONS_H_

#include <string_view>

/// The closed option sets of a model: counting method, discounting, time units, roles.
/// Each is parsed from text once, at the edge, and written back with ToString.
namespace vaglio::models {

enum class Method { kMarkovCohort, kDecisionTree, kPartitionedSurvival };

/// How state occupancy is turned into accrued values (docs/methods.md §Counting).
enum class Counting { kBeginning, kEnd, kLifeTable, kHalfCycle, kSimpson };

/// The time point at which the values of cycle k are discounted: t_{k-1} or t_k.
enum class DiscountTiming { kStart, kEnd };

/// kCycle: exact time; kYear: the discount factor is constant within a year.
enum class DiscountStep { kCycle, kYear };

enum class TimeUnit { kYear, kMonth, kWeek, kDay };

enum class ValueRole { kNone, kCost, kEffect };

/// kCycle: a state's amount is per cycle; kYear: per year, multiplied by the cycle length.
enum class ValuePer { kCycle, kYear };

/// Length of one unit in years (a year is 365.25 days).
double YearsPerUnit(TimeUnit unit);

std::string_view ToString(Method m);
std::string_view ToString(Counting c);
std::string_view ToString(DiscountTiming t);
std::string_view ToString(DiscountStep s);
std::string_view ToString(TimeUnit u);
std::string_view ToString(ValueRole r);
std::string_view ToString(ValuePer p);

}  // namespace vaglio::models

#endif  // VAGLIO_MODELS_CONVENTIONS_H_
