#include "engine/diagnostics.h"

#include <algorithm>
#include <set>
#include <tuple>

namespace vaglio::engine {

SourceLocation SourceMap::Find(std::string_view path) const {
  std::string p(path);
  while (true) {
    auto it = locs_.find(p);
    if (it != locs_.end()) return it->second;
    const size_t cut = p.find_last_of(".[");
    if (cut == std::string::npos || cut == 0) break;
    p.erase(cut);
  }
  auto root = locs_.find("");
  return root == locs_.end() ? SourceLocation{} : root->second;
}

void SourceMap::Alias(const std::string& path, const std::string& target) {
  std::vector<std::pair<std::string, SourceLocation>> moved;
  for (const auto& [p, loc] : locs_) {
    if (p == target || (p.size() > target.size() && p.compare(0, target.size(), target) == 0 &&
                        (p[target.size()] == '.' || p[target.size()] == '['))) {
      moved.push_back({path + p.substr(target.size()), loc});
    }
  }
  // Drop the old entries under `path` first, so none of the replaced parameter survives.
  for (auto it = locs_.begin(); it != locs_.end();) {
    const std::string& p = it->first;
    const bool under = p == path || (p.size() > path.size() && p.compare(0, path.size(), path) == 0 &&
                                     (p[path.size()] == '.' || p[path.size()] == '['));
    it = under ? locs_.erase(it) : std::next(it);
  }
  for (auto& [p, loc] : moved) locs_[p] = loc;
}

std::string JoinPath(std::string_view parent, std::string_view key) {
  if (parent.empty()) return std::string(key);
  std::string out(parent);
  out += '.';
  out += key;
  return out;
}

std::string IndexPath(std::string_view parent, size_t index) {
  return std::string(parent) + "[" + std::to_string(index) + "]";
}

void Diagnostics::Error(const std::string& file, SourceLocation loc, std::string path,
                        std::string message) {
  items_.push_back({file, loc, std::move(path), std::move(message), false, ""});
}

void Diagnostics::AddIssues(const std::string& file, const SourceMap& map,
                            const models::Issues& issues) {
  for (const models::Issue& i : issues) {
    SourceLocation loc = map.Find(i.path);
    if (i.offset >= 0 && loc.text_column > 0 && i.offset <= loc.text_length && map.Has(i.path)) {
      loc.line = loc.text_line;
      loc.column = loc.text_column + i.offset;
    }
    items_.push_back({file, loc, i.path, i.message, false, ""});
  }
}

bool Diagnostics::HasErrorAtOrAbove(const std::string& file, const std::string& path) const {
  for (const Diagnostic& d : items_) {
    if (d.warning || d.file != file) continue;
    if (d.path == path) return true;
    if (path.size() > d.path.size() && path.compare(0, d.path.size(), d.path) == 0 && !d.path.empty() &&
        (path[d.path.size()] == '.' || path[d.path.size()] == '[')) {
      return true;
    }
  }
  return false;
}

bool Diagnostics::has_errors() const {
  return std::any_of(items_.begin(), items_.end(), [](const Diagnostic& d) { return !d.warning; });
}

std::string Diagnostics::Format() const {
  std::vector<const Diagnostic*> sorted;
  for (const Diagnostic& d : items_) sorted.push_back(&d);
  std::stable_sort(sorted.begin(), sorted.end(), [](const Diagnostic* a, const Diagnostic* b) {
    return std::tie(a->file, a->loc.line, a->loc.column) < std::tie(b->file, b->loc.line, b->loc.column);
  });
  std::string out;
  std::set<std::string> seen;
  for (const Diagnostic* d : sorted) {
    std::string line = d->file;
    if (d->loc.line > 0) {
      line += ':';
      line += std::to_string(d->loc.line);
      line += ':';
      line += std::to_string(d->loc.column);
    }
    line += ": ";
    if (!d->label.empty()) line += d->label + ": ";
    else if (d->warning) line += "warning: ";
    if (!d->path.empty()) line += d->path + ": ";
    line += d->message;
    if (seen.insert(line).second) out += line + "\n";
  }
  return out;
}

}  // namespace vaglio::engine
