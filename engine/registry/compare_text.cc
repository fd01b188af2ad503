// The text of `vaglio compare`: the JSON comparison laid out for a person.
#include <algorithm>
#include <cstdio>
#include <sstream>
#include <string>

#include "engine/registry/compare.h"
#include "engine/text_table.h"

namespace vaglio::engine::registry {
namespace {

using Json = nlohmann::ordered_json;

std::string Fmt(double v, int digits) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*g", digits, v);
  return buf;
}

std::string Value(const Json& v) {
  if (v.is_null()) return "(absent)";
  if (v.is_string()) return v.get<std::string>();
  if (v.is_number()) return Fmt(v.get<double>(), 10);
  return v.dump();
}

// "250000 -> 50000", or "C03 10 -> 12, C04 16 -> 20" for items with several fields.
std::string Change(const Json& a, const Json& b) {
  if (!a.is_object() || !b.is_object()) return Value(a) + " -> " + Value(b);
  std::string out;
  for (const auto& [k, va] : a.items()) {
    out += (out.empty() ? "" : ", ") + k + " " + Value(va) + " -> " +
           Value(b.contains(k) ? b[k] : Json(nullptr));
  }
  return out;
}

std::string Outcome(const Json& r) {
  if (r.is_null()) return "-";
  if (r.contains("error")) return "cannot be re-run: " + r["error"].get<std::string>();
  // Appended piece by piece: `"literal" + std::string&&` trips GCC 12's -Wrestrict.
  std::string s = r["outcome"].get<std::string>();
  s.append(" (rule ").append(r["rule_id"].get<std::string>());
  if (!r["mcda_total"].is_null())
    s.append(", total ").append(Fmt(r["mcda_total"].get<double>(), 4));
  if (!r["gates_failed"].empty()) {
    s.append(", gates failed:");
    for (const auto& g : r["gates_failed"]) s.append(" ").append(g.get<std::string>());
  }
  if (r.value("stable", true) == false) s.append(", not stable under the weight perturbation");
  return s.append(")");
}

std::string Pct(const Json& w) { return w.is_null() ? "-" : Fmt(100 * w.get<double>(), 3) + "%"; }

}  // namespace

std::string CompareText(const Json& j) {
  std::ostringstream out;
  const std::string name = j.value("device_name", "");
  out << "Device " << (name.empty() ? "" : name + " ") << "(" << j["device"].get<std::string>()
      << "): " << j["hospitals"].size() << " evaluations\n\n";
  std::vector<std::string> labels;
  for (const auto& h : j["hospitals"]) {
    labels.push_back(h["label"].get<std::string>());
    out << "  " << h["label"].get<std::string>() << "  " << h["organisation"].get<std::string>()
        << ": " << h["final_outcome"].get<std::string>();
    if (h["override"].get<bool>())
      out << " (committee's override of " << h["proposed_outcome"].get<std::string>() << ")";
    out << ", rule " << h["rule_id"].get<std::string>();
    if (!h["mcda_total"].is_null()) out << ", MCDA total " << Fmt(h["mcda_total"].get<double>(), 4);
    if (!h["gates_failed"].empty()) {
      out << ", gates failed:";
      for (const auto& g : h["gates_failed"]) out << " " << g.get<std::string>();
    }
    out << "\n     criteria set " << h["criteria_set"]["id"].get<std::string>() << " "
        << h["criteria_set"]["version"].get<std::string>() << ", dossier "
        << h["dossier_id"].get<std::string>() << ", evaluated "
        << h["evaluation_date"].get<std::string>() << ", registry "
        << h["registry"].get<std::string>() << "\n";
  }
  const auto& ag = j["agreement"];
  out << "\nAgreement: " << (ag["all_agree"].get<bool>() ? "all agree" : "outcomes differ") << " (";
  std::string counts;
  for (const auto& [o, n] : ag["outcomes"].items())
    counts += (counts.empty() ? "" : ", ") + o + " " + std::to_string(n.get<int>());
  out << counts << "); " << ag["pairs_agreeing"].get<int>() << " of " << ag["pairs"].get<int>()
      << " pairs agree\n";

  out << "\nScores (combined, per hospital) and normalised weights, by criterion:\n";
  TextTable t;
  std::vector<std::string> head = {"criterion"};
  for (const std::string& l : labels) head.push_back(l);
  head.push_back("range");
  for (const std::string& l : labels) head.push_back("weight " + l);
  t.Header(head);
  for (const auto& c : j["criteria"]) {
    std::vector<std::string> row = {c["criterion_id"].get<std::string>()};
    for (const std::string& l : labels)
      row.push_back(c["scores"].contains(l) ? Fmt(c["scores"][l].get<double>(), 3) : "-");
    row.push_back(c["score_range"].is_null() ? "-" : Fmt(c["score_range"].get<double>(), 3));
    for (const std::string& l : labels)
      row.push_back(Pct(c["weights"].contains(l) ? c["weights"][l] : Json(nullptr)));
    t.Row(row);
  }
  out << t.Render();

  for (const auto& d : j["differences"]) {
    const std::string a = d["a"].get<std::string>(), b = d["b"].get<std::string>();
    out << "\n"
        << a << " (" << d["outcome_a"].get<std::string>() << ") vs " << b << " ("
        << d["outcome_b"].get<std::string>() << "):\n";
    if (!d["a_under_b_criteria"].is_null()) {
      out << "  " << a << "'s inputs under " << b
          << "'s criteria set: " << Outcome(d["a_under_b_criteria"]) << "\n";
      out << "  " << b << "'s inputs under " << a
          << "'s criteria set: " << Outcome(d["b_under_a_criteria"]) << "\n";
    }
    out << "  " << d["explanation"].get<std::string>() << "\n";
    if (d.contains("criteria_differences_error")) {
      out << "  " << d["criteria_differences_error"].get<std::string>() << "\n";
    } else if (!d["criteria_differences"].empty()) {
      const bool rerun = !d["a_under_b_criteria"].is_null();
      out << "  Where " << b << "'s criteria set differs from " << a << "'s"
          << (rerun ? " (each item applied alone to " + a + "'s set, with " + a + "'s inputs):"
                    : ":")
          << "\n";
      for (const auto& it : d["criteria_differences"]) {
        out << "    " << it["item"].get<std::string>() << ": " << Change(it["a"], it["b"]);
        if (rerun) {
          const auto& r = it["a_with_this_item"];
          if (r.contains("error")) {
            out << "; " << Outcome(r);
          } else if (it["gives_outcome_b"].get<bool>()) {
            out << "; gives " << b << "'s outcome: " << Outcome(r);
          } else if (it["changes_outcome"].get<bool>()) {
            out << "; changes " << a << "'s outcome to " << Outcome(r);
          } else {
            out << "; alone, no change: " << Outcome(r);
          }
        }
        out << "\n";
      }
      const auto& items = d["criteria_differences"];
      if (rerun && std::none_of(items.begin(), items.end(),
                                [](const Json& it) { return it["gives_outcome_b"] == true; })) {
        const auto& whole = d["a_under_b_criteria"];
        if (whole.contains("outcome") && whole["outcome"] == d["proposed_b"]["outcome"]) {
          out << "  No item alone gives " << b << "'s outcome: only their combination does.\n";
        } else if (whole.contains("outcome")) {
          out << "  Neither an item alone nor " << b << "'s whole set gives " << b
              << "'s outcome with " << a << "'s inputs: it needs " << b
              << (d["same_dossier"] == true ? "'s scores" : "'s scores and dossier") << " too.\n";
        }
      }
    } else {
      out << "  The criteria sets do not differ in anything a decision depends on.\n";
    }
    if (!d["score_differences"].empty()) {
      std::string list;
      for (const auto& s : d["score_differences"]) {
        list += (list.empty() ? "" : "; ") + s["criterion_id"].get<std::string>() + " " +
                Value(s["a"]) + " vs " + Value(s["b"]);
      }
      out << "  Combined scores that differ (" << a << " vs " << b << "): " << list << "\n";
    }
  }
  return out.str();
}

}  // namespace vaglio::engine::registry
