#include "engine/expr/json_context.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <utility>

namespace vaglio::engine::expr {

using Json = nlohmann::ordered_json;

namespace {

// The node at the dotted `path` below `root` ("" is the root), or null.
const Json* Find(const Json* root, std::string_view path) {
  if (!root || !root->is_object()) return nullptr;
  const Json* node = root;
  if (path.empty()) return node;
  size_t from = 0;
  while (true) {
    const size_t dot = path.find('.', from);
    const std::string_view key =
        path.substr(from, dot == std::string_view::npos ? std::string_view::npos : dot - from);
    if (!node->is_object()) return nullptr;
    auto it = node->find(key);
    if (it == node->end()) return nullptr;
    node = &*it;
    if (dot == std::string_view::npos) return node;
    from = dot + 1;
  }
}

}  // namespace

JsonContext::JsonContext(const Json* root) : root_(root) {}

void JsonContext::Set(std::string name, Value v) { extra_[std::move(name)] = std::move(v); }

void JsonContext::SetNullReason(std::string path, std::string reason) {
  null_reasons_[std::move(path)] = std::move(reason);
}

Value JsonContext::FromJson(const Json& j) {
  switch (j.type()) {
    case Json::value_t::boolean:
      return Value::Bool(j.get<bool>());
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned:
    case Json::value_t::number_float:
      return Value::Number(j.get<double>());
    case Json::value_t::string: {
      const std::string& s = j.get_ref<const std::string&>();
      if (std::optional<int32_t> d = ParseDate(s)) return Value::Date(*d);
      return Value::String(s);
    }
    case Json::value_t::array: {
      std::vector<Value> items;
      items.reserve(j.size());
      for (const Json& e : j) items.push_back(FromJson(e));
      return Value::List(std::move(items));
    }
    default:  // null, object, binary, discarded
      return Value::Null();
  }
}

std::vector<std::string> JsonContext::KeysOf(const Json* obj, std::string_view level) const {
  std::vector<std::string> keys;
  if (obj && obj->is_object()) {
    for (auto it = obj->begin(); it != obj->end(); ++it) keys.push_back(it.key());
  }
  const std::string prefix = level.empty() ? "" : std::string(level) + ".";
  for (const auto& [name, value] : extra_) {
    if (name.size() <= prefix.size() || name.compare(0, prefix.size(), prefix) != 0) continue;
    const std::string next =
        name.substr(prefix.size(), name.find('.', prefix.size()) - prefix.size());
    if (std::find(keys.begin(), keys.end(), next) == keys.end()) keys.push_back(next);
  }
  return keys;
}

std::string_view JsonContext::DeepestLevel(std::string_view path) const {
  std::string_view level = path;
  while (!level.empty() && !IsLevel(level)) {
    const size_t dot = level.rfind('.');
    level = dot == std::string_view::npos ? std::string_view() : level.substr(0, dot);
  }
  return level;
}

std::optional<Value> JsonContext::Lookup(std::string_view path,
                                         std::vector<std::string>* siblings) const {
  if (auto it = extra_.find(path); it != extra_.end()) return it->second;
  const Json* node = Find(root_, path);
  if (node && !node->is_object()) return FromJson(*node);
  if (siblings) {
    const std::string_view level = DeepestLevel(path);
    *siblings = KeysOf(Find(root_, level), level);
  }
  return std::nullopt;
}

bool JsonContext::IsLevel(std::string_view path) const {
  if (path.empty()) return true;
  if (extra_.count(path) > 0) return false;
  const Json* node = Find(root_, path);
  if (node && node->is_object()) return true;
  const std::string prefix = std::string(path) + ".";
  return std::any_of(extra_.begin(), extra_.end(),
                     [&](const auto& e) { return e.first.compare(0, prefix.size(), prefix) == 0; });
}

std::string JsonContext::NullReason(std::string_view path) const {
  auto it = null_reasons_.find(path);
  return it == null_reasons_.end() ? "" : it->second;
}

}  // namespace vaglio::engine::expr
