#ifndef VAGLIO_ENGINE_REPORT_ASSETS_H_
#define VAGLIO_ENGINE_REPORT_ASSETS_H_

#include <span>
#include <string_view>

/// The chart libraries an HTML report inlines, compiled into the binary at build time from
/// the versions pinned in third_party/vega/package-lock.json (docs/dependencies.md).
namespace vaglio::engine::report {

struct ChartLibrary {
  std::string_view name;     // npm package
  std::string_view version;
  std::string_view license;
  std::string_view code;     // the minified UMD build, without its source-map comment
};

/// vega, vega-lite and vega-embed, in the order a page loads them.
std::span<const ChartLibrary> ChartLibraries();

}  // namespace vaglio::engine::report

#endif  // VAGLIO_ENGINE_REPORT_ASSETS_H_
