#include "engine/report/html.h"

#include <cctype>
#include <cmath>
#include <cstdio>

#include "engine/report/assets.h"

namespace vaglio::engine::report {
namespace {

// U+202F NARROW NO-BREAK SPACE between groups of thousands.
constexpr const char* kThousands = "\xE2\x80\xAF";

// JSON inside <script type="application/json">: "<", ">" and "&" appear only inside JSON
// strings, where \u escapes mean the same, so nothing can close the element early.
std::string ScriptSafeJson(const Json& j) {
  const std::string text = j.dump();
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (c == '<') {
      out += "\\u003c";
    } else if (c == '>') {
      out += "\\u003e";
    } else if (c == '&') {
      out += "\\u0026";
    } else {
      out += c;
    }
  }
  return out;
}

constexpr const char* kStyle = R"css(
:root { --ink: #1d2327; --muted: #5f6b73; --line: #d5dadd; --pass: #1e7b34; --fail: #b3261e; --warn: #9a6700;
        --bg-fail: #fdecea; --bg-warn: #fff4d6; --bg-note: #eef4fb; }
* { box-sizing: border-box; }
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", sans-serif; color: var(--ink);
       margin: 0 auto; max-width: 1000px; padding: 24px 28px 48px; }
h1 { font-size: 1.6em; margin: 0 0 4px; }
h2 { font-size: 1.25em; margin: 32px 0 10px; padding-bottom: 4px; border-bottom: 2px solid var(--line); }
h3 { font-size: 1.05em; margin: 18px 0 6px; }
.sub { color: var(--muted); margin: 0 0 12px; }
nav { font-size: .9em; margin: 10px 0 0; color: var(--muted); }
nav a { margin-right: 10px; }
a { color: #0b57d0; }
table { border-collapse: collapse; width: 100%; margin: 6px 0 12px; font-size: .92em; }
th, td { border-bottom: 1px solid var(--line); padding: 4px 8px; text-align: left; vertical-align: top; }
th { background: #f4f6f7; font-weight: 600; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
code, .mono { font-family: ui-monospace, "DejaVu Sans Mono", Menlo, monospace; font-size: .88em; overflow-wrap: anywhere; }
.outcome { display: flex; flex-wrap: wrap; gap: 14px; margin: 16px 0; }
.outcome > div { border: 2px solid var(--line); border-radius: 8px; padding: 10px 16px; min-width: 260px; }
.outcome .label { color: var(--muted); font-size: .85em; text-transform: uppercase; letter-spacing: .04em; }
.outcome .value { font-size: 1.35em; font-weight: 700; }
.alerts { border-left: 5px solid var(--fail); background: var(--bg-fail); padding: 8px 14px; margin: 12px 0; }
.alerts h3 { margin: 4px 0; color: var(--fail); }
.alerts li { margin: 4px 0; }
.note { border-left: 5px solid #6b8fb8; background: var(--bg-note); padding: 8px 14px; margin: 10px 0; }
.badge { display: inline-block; border-radius: 4px; padding: 0 6px; font-size: .82em; font-weight: 600;
         border: 1px solid currentColor; white-space: nowrap; }
.pass { color: var(--pass); } .fail { color: var(--fail); } .warn { color: var(--warn); } .muted { color: var(--muted); }
tr.failed td { background: var(--bg-fail); }
ol.reasons li { margin: 6px 0; }
.operands { color: var(--muted); font-size: .85em; }
figure { margin: 12px 0 18px; break-inside: avoid; page-break-inside: avoid; }
figcaption { color: var(--muted); font-size: .88em; margin-top: 4px; }
.chart { min-height: 40px; overflow-x: auto; }
.chart svg { max-width: 100%; height: auto; }
footer { margin-top: 36px; color: var(--muted); font-size: .85em; border-top: 1px solid var(--line); padding-top: 8px; }
:target { outline: 3px solid #f2c744; }
@media print {
  @page { size: A4; margin: 14mm 12mm; }
  body { font-size: 10.5pt; max-width: none; padding: 0; }
  nav, .no-print { display: none; }
  h2, h3 { break-after: avoid; page-break-after: avoid; }
  table, figure, .outcome, .alerts { break-inside: avoid; page-break-inside: avoid; }
  tr { break-inside: avoid; page-break-inside: avoid; }
  a { color: inherit; text-decoration: none; }
  .vega-embed details, .vega-actions { display: none !important; }
}
)css";

// Draws every chart; marks each container data-rendered="true" (or "error", with the
// message in the console) and the body data-charts="done" once all are settled.
constexpr const char* kBoot = R"js(
(function () {
  var specs = JSON.parse(document.getElementById('vaglio-charts').textContent);
  var jobs = Object.keys(specs).map(function (id) {
    var el = document.getElementById('chart-' + id);
    return vegaEmbed(el, specs[id], { mode: 'vega-lite', renderer: 'svg', actions: false })
      .then(function () { el.setAttribute('data-rendered', 'true'); })
      .catch(function (e) {
        el.setAttribute('data-rendered', 'error');
        el.textContent = 'This chart could not be drawn: ' + e.message;
        console.error('chart ' + id + ': ' + e.message);
      });
  });
  Promise.all(jobs).then(function () { document.body.setAttribute('data-charts', 'done'); });
})();
)js";

}  // namespace

std::string Escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string FormatNumber(double v, int decimals) {
  if (!std::isfinite(v)) return "-";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  std::string s = buf;
  if (s[0] == '-' && s.find_first_not_of("-0.") == std::string::npos) s.erase(0, 1);  // no "-0.00"
  const size_t start = s[0] == '-' ? 1 : 0;
  size_t point = s.find('.');
  if (point == std::string::npos) point = s.size();
  for (size_t i = point; i > start + 3; i -= 3) s.insert(i - 3, kThousands);
  return s;
}

std::string Num(double v, const std::string& pointer, int decimals) {
  return "<span class=\"num\" data-path=\"" + Escape(pointer) + "\" data-value=\"" + Json(v).dump() + "\">" +
         FormatNumber(v, decimals) + "</span>";
}

std::string Pct(double v, const std::string& pointer, int decimals) {
  return "<span class=\"num\" data-path=\"" + Escape(pointer) + "\" data-value=\"" + Json(v).dump() +
         "\" data-unit=\"%\">" + FormatNumber(100 * v, decimals) + "%</span>";
}

std::string AnchorId(std::string_view kind, std::string_view id) {
  std::string out(kind);
  out += '-';
  for (char c : id) out += (std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-') ? c : '_';
  return out;
}

void Page::AddChart(const std::string& id, Json spec, const std::string& caption) {
  body_ += "<figure><div class=\"chart\" id=\"chart-" + id + "\" data-chart=\"" + id + "\"></div><figcaption>" +
           Escape(caption) + "</figcaption></figure>\n";
  charts_[id] = std::move(spec);
}

std::string Page::Render() const {
  std::string out =
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; script-src 'unsafe-inline' "
      "'unsafe-eval'; style-src 'unsafe-inline'; img-src data:\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>" +
      Escape(title_) + "</title>\n<style>" + kStyle + "</style>\n</head>\n<body>\n";
  out += body_;
  out += "<script type=\"application/json\" id=\"vaglio-charts\">" + ScriptSafeJson(charts_) + "</script>\n";
  for (const ChartLibrary& lib : ChartLibraries()) {
    out += "<script data-library=\"";
    out += lib.name;
    out += "\" data-version=\"";
    out += lib.version;
    out += "\">\n";
    out += lib.code;
    out += "</script>\n";
  }
  out += "<script>";
  out += kBoot;
  out += "</script>\n</body>\n</html>\n";
  return out;
}

}  // namespace vaglio::engine::report
