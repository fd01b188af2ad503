#ifndef VAGLIO_ENGINE_REPORT_HTML_H_
#define VAGLIO_ENGINE_REPORT_HTML_H_

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

/// The pieces every HTML report is made of (docs/cli.md §HTML reports): escaping, numbers
/// that carry the exact value they show and where it comes from, and the page itself with
/// its styles, its charts' specifications and the inlined chart libraries.
namespace vaglio::engine::report {

using Json = nlohmann::ordered_json;

/// `text` with & < > " ' replaced by entities: safe in element content and in quoted
/// attribute values.
std::string Escape(std::string_view text);

/// `v` with `decimals` digits after the point and a thin space between thousands
/// ("82 652", "-0.0336"); "-" for a non-finite value.
std::string FormatNumber(double v, int decimals);

/// A number as shown in a table: a span whose data-value is `v` exactly (shortest
/// round-trip form) and whose data-path is the JSON pointer of `v` in the record
/// (empty: not from the record), so a test can check the page against the record.
std::string Num(double v, const std::string& pointer, int decimals);
/// The same for a share shown as a percentage: the text is 100 v %, data-value v.
std::string Pct(double v, const std::string& pointer, int decimals);

/// The anchor of an element a reason links to ("gate-G03", "criterion-C07").
std::string AnchorId(std::string_view kind, std::string_view id);

/// One self-contained page: its body is added piece by piece; charts are Vega-Lite
/// specifications drawn in the browser by the inlined libraries.
class Page {
 public:
  explicit Page(std::string title) : title_(std::move(title)) {}

  void Add(std::string_view html) { body_ += html; }
  /// A figure for `spec`: a container the page's script draws into, and `caption`
  /// (plain text, escaped here). `id` must be unique in the page ([a-z0-9-]).
  void AddChart(const std::string& id, Json spec, const std::string& caption);
  /// The whole document: no external resource (a Content-Security-Policy forbids them).
  std::string Render() const;

 private:
  std::string title_;
  std::string body_;
  Json charts_ = Json::object();
};

}  // namespace vaglio::engine::report

#endif  // VAGLIO_ENGINE_REPORT_HTML_H_
