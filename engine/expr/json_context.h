#ifndef VAGLIO_ENGINE_EXPR_JSON_CONTEXT_H_
#define VAGLIO_ENGINE_EXPR_JSON_CONTEXT_H_

#include <map>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/expr/expression.h"
#include "engine/expr/value.h"

namespace vaglio::engine::expr {

/// A Context over a JSON tree (the dossier, the results, the committee's scores...).
/// Objects are levels, reached by dotted paths of their keys ("device.regulatory.risk_class");
/// everything else is a value: null is null, true/false are booleans, numbers are numbers,
/// a string that is an ISO date (YYYY-MM-DD, a real calendar day) is a date and any other
/// string a string, an array is a list of its elements converted the same way, except that
/// an object inside an array becomes null (lists of records can be counted and tested with
/// present(), not looked into). Keys that are not made of letters, digits and '_' cannot be
/// reached. Thread-safe for concurrent lookups once built.
class JsonContext : public Context {
 public:
  /// `root` (not owned, must outlive the context) should be an object; null reads as empty.
  explicit JsonContext(const nlohmann::ordered_json* root);

  /// Adds or replaces a name outside the tree (e.g. "today", or "wtp.upper"). Set names
  /// are looked up before the tree; a dotted name makes its prefixes levels.
  void Set(std::string name, Value v);
  /// Records why the value at `path` is null, for messages ("undefined ICER").
  void SetNullReason(std::string path, std::string reason);

  std::optional<Value> Lookup(std::string_view path,
                              std::vector<std::string>* siblings) const override;
  bool IsLevel(std::string_view path) const override;
  std::string NullReason(std::string_view path) const override;

  /// The value of one JSON node as described above (an object gives null).
  static Value FromJson(const nlohmann::ordered_json& j);

 private:
  // `path` when it is a level, else its longest prefix that is one ("" for the root).
  std::string_view DeepestLevel(std::string_view path) const;
  // The keys of `obj`, plus (at the root) the first segments of the set names.
  std::vector<std::string> KeysOf(const nlohmann::ordered_json* obj, std::string_view level) const;

  const nlohmann::ordered_json* root_;
  std::map<std::string, Value, std::less<>> extra_;
  std::map<std::string, std::string, std::less<>> null_reasons_;
};

}  // namespace vaglio::engine::expr

#endif  // VAGLIO_ENGINE_EXPR_JSON_CONTEXT_H_
