#include "engine/load/dossier_loader.h"

#include <google/protobuf/util/json_util.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <map>
#include <regex>
#include <tuple>

#include "engine/expr/expression.h"
#include "engine/load/closed_sets.h"
#include "engine/load/yaml_proto.h"
#include "models/text.h"

namespace vaglio::engine {
namespace {

namespace sc = vaglio::schemas;

// The length of the valid UTF-8 sequence starting at s[i], or 0 when it is not one.
size_t Utf8Length(std::string_view s, size_t i) {
  const auto b = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char c = b(i);
  if (c < 0x80) return 1;
  size_t n = 0;
  char32_t cp = 0, min = 0;
  if ((c & 0xE0) == 0xC0) {
    n = 2, cp = c & 0x1F, min = 0x80;
  } else if ((c & 0xF0) == 0xE0) {
    n = 3, cp = c & 0x0F, min = 0x800;
  } else if ((c & 0xF8) == 0xF0) {
    n = 4, cp = c & 0x07, min = 0x10000;
  } else {
    return 0;
  }
  if (i + n > s.size()) return 0;
  for (size_t k = 1; k < n; ++k) {
    if ((b(i + k) & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (b(i + k) & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return n;
}

// A file that is not UTF-8 text (a PDF, a spreadsheet, a Latin-1 export) is one problem,
// at its first offending byte, not a YAML error quoting raw bytes or a record with broken
// strings.
bool CheckText(std::string_view text, const std::string& path, const char* what, Diagnostics* diag) {
  int line = 1, column = 1;
  for (size_t i = 0; i < text.size();) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    const bool control = (c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7F;
    const size_t n = control ? 0 : Utf8Length(text, i);
    if (n == 0) {
      char hex[8];
      std::snprintf(hex, sizeof hex, "0x%02x", c);
      const bool binary = control || text.find('\0') != std::string_view::npos;
      diag->Error(path, {line, column, 0}, "",
                  binary ? std::string("found binary data (byte ") + hex + "), but the " + what + " must be YAML text"
                         : std::string("found the byte ") + hex + ", which is not UTF-8, but the " + what +
                               " must be UTF-8 text (save it as UTF-8)");
      return false;
    }
    if (c == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
    i += n;
  }
  return true;
}

// True when `format` names a Vaglio file of another kind than `expected` ("vaglio.model/1"
// where "vaglio.dossier/1" is expected), not merely another version.
bool IsOtherKind(const std::string& format, const std::string& expected) {
  return format.rfind("vaglio.", 0) == 0 &&
         format.substr(0, format.find('/')) != expected.substr(0, expected.find('/'));
}

// Reads and converts a file. A file of another Vaglio kind (a model given as the dossier)
// is reported as such, once, rather than as an unknown key for each of its keys.
template <typename Message>
std::optional<LoadedFile<Message>> ReadInto(const FileSystem& fs, const std::string& path, const char* what,
                                            const std::string& format, const std::string& article,
                                            Diagnostics* diag) {
  LoadedFile<Message> out;
  out.file = path;
  std::string err;
  auto bytes = fs.Read(path, &err);
  if (!bytes) {
    diag->Error(path, {}, "", std::string("cannot read the ") + what + ": " + err);
    return std::nullopt;
  }
  out.bytes = *bytes;
  if (!CheckText(out.bytes, path, what, diag)) return std::nullopt;
  auto node = ParseYaml(out.bytes, path, diag);
  if (!node) return std::nullopt;
  Diagnostics conversion;
  YamlToProto(*node, out.bytes, path, &out.proto, &out.map, &conversion);
  if (node->IsMap() && IsOtherKind(out.proto.format(), format)) {
    FieldChecker(out.file, out.map, diag).Format(out.proto.format(), format, article);
    return std::nullopt;
  }
  for (const Diagnostic& d : conversion.items()) diag->Add(d);
  if (!node->IsMap()) return std::nullopt;
  return out;
}

std::string Key(const std::string& parent, const std::string& key) { return JoinPath(parent, key); }
std::string Item(const std::string& parent, int i) { return IndexPath(parent, static_cast<size_t>(i)); }

// Limits that keep an evaluation's memory and time bounded (a typo of a few zeros must not
// exhaust the machine): PSA draws and random weightings, and a condition's due date.
constexpr int kMaxDraws = 1000000;
constexpr int kMaxDueMonths = 1200;

const std::vector<std::string> kRiskClasses = {"I", "Is", "Im", "Ir", "IIa", "IIb", "III", "A", "B", "C", "D"};

// Reports every repeated value among `values` (the `key` of each item of the list `list`;
// empty values are not ids and pass), at the repeat, naming the line of the first.
void CheckUnique(FieldChecker& c, const std::string& list, const std::string& key, const std::vector<std::string>& values,
                 const std::string& what) {
  std::map<std::string, int> first;
  for (int i = 0; i < static_cast<int>(values.size()); ++i) {
    const std::string& v = values[static_cast<size_t>(i)];
    if (v.empty()) continue;
    auto [it, fresh] = first.insert({v, i});
    if (fresh) continue;
    const int line = c.map().Find(Key(Item(list, it->second), key)).line;
    c.Error(Key(Item(list, i), key), "duplicate " + what + " '" + v + "' (first at line " + std::to_string(line) + ")");
  }
}

// Reports `value` (when given) that is not one of `ids`, the entries of `where`. When
// `where` lists nothing the reference is not checked: a missing section is a completeness
// matter (it may make the request inadmissible), not an input error.
void CheckRef(FieldChecker& c, const std::string& path, const std::string& value, const std::vector<std::string>& ids,
              const std::string& what, const std::string& where) {
  if (value.empty() || ids.empty() || std::find(ids.begin(), ids.end(), value) != ids.end()) return;
  std::string hint = models::DidYouMeanSuffix(value, ids);
  if (hint.empty()) hint = ", which lists " + models::QuotedList(ids);
  c.Error(path, "'" + value + "' is not " + what + " listed under " + where + hint);
}

void CheckDossier(const sc::Dossier& d, FieldChecker& c) {
  c.Format(d.format(), "vaglio.dossier/1", "a dossier");
  c.OneOf("status", d.status(), {"draft", "submitted", "inadmissible", "incomplete", "admitted", "under_assessment",
                                 "under_appraisal", "decided", "withdrawn", "superseded"});
  c.OneOf("decision_level", d.decision_level(), {"hospital", "regional", "national"});
  c.OneOf("request_type", d.request_type(), {"new_device", "new_indication", "replacement_upgrade",
                                             "trial_or_free_loan", "research_use", "disinvestment"});
  for (const char* f : {"received", "completed", "assessed", "appraised", "decided"}) {
    const auto* field = d.dates().GetDescriptor()->FindFieldByName(f);
    c.Date(Key("dates", f), d.dates().GetReflection()->GetString(d.dates(), field));
  }
  std::vector<std::string> people;
  for (const sc::Person& p : d.people()) people.push_back(p.id());
  CheckRef(c, "requesting_unit.head", d.requesting_unit().head(), people, "a person", "people");
  for (int i = 0; i < d.requesters_size(); ++i) {
    CheckRef(c, Key(Item("requesters", i), "person"), d.requesters(i).person(), people, "a person", "people");
  }
  for (int i = 0; i < d.interest_declarations_size(); ++i) {
    CheckRef(c, Key(Item("interest_declarations", i), "person"), d.interest_declarations(i).person(), people, "a person",
             "people");
  }
  const sc::Device& dev = d.device();
  if (!dev.cnd_code().empty() && !std::regex_match(dev.cnd_code(), std::regex("[A-Z]([0-9]{2})*"))) {
    c.Error("device.cnd_code", "found '" + dev.cnd_code() +
                                   "', but a CND code is a capital letter followed by pairs of digits (e.g. P0908)");
  }
  if (dev.has_rdm_number() && dev.rdm_number() <= 0) {
    c.Error("device.rdm_number", "found '" + std::to_string(dev.rdm_number()) + "', but must be a positive number");
  }
  const sc::Regulatory& reg = dev.regulatory();
  c.OneOf("device.regulatory.framework", reg.framework(),
          {"MDR", "IVDR", "MDD_legacy", "AIMDD_legacy", "IVDD_legacy", "none_investigational"});
  c.OneOf("device.regulatory.risk_class", reg.risk_class(), kRiskClasses);
  c.Date("device.regulatory.certificate_expiry", reg.certificate_expiry());
  for (int i = 0; i < reg.open_safety_actions_size(); ++i) {
    const std::string p = Item("device.regulatory.open_safety_actions", i);
    c.OneOf(Key(p, "type"), reg.open_safety_actions(i).type(), {"FSCA", "recall", "alert"});
    c.Date(Key(p, "date"), reg.open_safety_actions(i).date());
  }
  c.OneOf("device.device_kind", dev.device_kind(),
          {"consumable", "implant", "capital_equipment", "software", "ivd", "combination"});
  c.OneOf("pico.intervention.setting", d.pico().intervention().setting(),
          {"inpatient", "day_surgery", "outpatient", "home", "lab"});
  std::vector<std::string> outcomes;
  for (int i = 0; i < d.pico().outcomes_size(); ++i) {
    c.OneOf(Key(Item("pico.outcomes", i), "importance"), d.pico().outcomes(i).importance(),
            {"critical", "important", "limited"});
    outcomes.push_back(d.pico().outcomes(i).name());
  }
  CheckUnique(c, "pico.outcomes", "name", outcomes, "outcome");
  c.Date("evidence.search.date", d.evidence().search().date());
  for (int i = 0; i < d.evidence().studies_size(); ++i) {
    const sc::Study& s = d.evidence().studies(i);
    const std::string p = Item("evidence.studies", i);
    c.OneOf(Key(p, "design"), s.design(), {"systematic_review", "rct", "nonrandomised_comparative", "cohort", "registry",
                                           "case_series", "case_report", "bench_or_animal", "other"});
    c.OneOf(Key(p, "sponsor"), s.sponsor(), {"industry", "academic", "mixed", "unknown"});
    c.OneOf(Key(p, "risk_of_bias.judgement"), s.risk_of_bias().judgement(), {"low", "some_concerns", "high"});
  }
  std::vector<std::string> study_ids;
  for (const sc::Study& s : d.evidence().studies()) study_ids.push_back(s.id());
  CheckUnique(c, "evidence.studies", "id", study_ids, "study id");
  for (int i = 0; i < d.evidence().certainty_by_outcome_size(); ++i) {
    const std::string p = Item("evidence.certainty_by_outcome", i);
    c.OneOf(Key(p, "grade"), d.evidence().certainty_by_outcome(i).grade(), {"high", "moderate", "low", "very_low"});
    CheckRef(c, Key(p, "outcome"), d.evidence().certainty_by_outcome(i).outcome(), outcomes, "an outcome",
             "pico.outcomes");
  }
  for (int i = 0; i < d.costs_size(); ++i) {
    const sc::CostItem& item = d.costs(i);
    const std::string p = Item("costs", i);
    c.OneOf(Key(p, "category"), item.category(), {"purchase", "lease_rent", "consumable_per_use", "maintenance", "training",
                                                  "installation_works", "it_integration", "staff_time", "disposal", "other"});
    c.OneOf(Key(p, "applies_to"), item.applies_to(), {"intervention", "comparator"});
    c.OneOf(Key(p, "basis"), item.basis(), {"per_procedure", "per_patient", "per_year", "one_off"});
    c.OneOf(Key(p, "source"), item.source(), {"quote", "tender", "nsis_flow", "tariff", "literature", "estimate"});
    if (item.unit_cost().has_amount() && item.unit_cost().amount() < 0) {
      c.Error(Key(p, "unit_cost"), "found '" + models::FormatNumber(item.unit_cost().amount()) + "', but must be >= 0");
    }
    if (item.has_quantity() && item.quantity() < 0) {
      c.Error(Key(p, "quantity"), "found '" + models::FormatNumber(item.quantity()) + "', but must be >= 0");
    }
    for (int k = 0; k < item.years_size(); ++k) {
      if (item.years(k) < 1) {
        c.Error(Item(Key(p, "years"), k), "found '" + std::to_string(item.years(k)) + "', but budget years start at 1");
      }
    }
  }
  std::vector<std::string> cost_ids;
  for (const sc::CostItem& item : d.costs()) cost_ids.push_back(item.id());
  CheckUnique(c, "costs", "id", cost_ids, "cost item id");
  if (d.reimbursement().tariff().has_amount() && d.reimbursement().tariff().amount() < 0) {
    c.Error("reimbursement.tariff", "found '" + models::FormatNumber(d.reimbursement().tariff().amount()) +
                                        "', but must be >= 0");
  }
  c.OneOf("acquisition_mode", d.acquisition_mode(), {"purchase", "lease", "rent", "pay_per_use",
                                                     "free_loan_with_consumables", "donation", "trial"});
  for (int i = 0; i < d.volumes_size(); ++i) {
    const sc::Volume& v = d.volumes(i);
    const std::string p = Item("volumes", i);
    if (v.has_comparator_displaced_pct() && !(v.comparator_displaced_pct() >= 0 && v.comparator_displaced_pct() <= 100)) {
      c.Error(Key(p, "comparator_displaced_pct"), "found '" + models::FormatNumber(v.comparator_displaced_pct()) +
                                                       "', but must be a percentage in [0, 100]");
    }
    if (v.has_year() && v.year() < 1) c.Error(Key(p, "year"), "found '" + std::to_string(v.year()) + "', but budget years start at 1");
    for (const auto& [name, has, count] : {std::tuple{"patients", v.has_patients(), v.patients()},
                                           std::tuple{"procedures", v.has_procedures(), v.procedures()}}) {
      if (has && count < 0) c.Error(Key(p, name), "found '" + std::to_string(count) + "', but must be a number >= 0");
    }
  }
  // Two entries for one year: the budget impact would use only one of them.
  std::map<int, int> first_of_year;
  for (int i = 0; i < d.volumes_size(); ++i) {
    const sc::Volume& v = d.volumes(i);
    const int year = v.has_year() ? v.year() : 1;
    auto [it, fresh] = first_of_year.insert({year, i});
    if (fresh) continue;
    const std::string p = Item("volumes", i);
    c.Error(v.has_year() ? Key(p, "year") : p,
            "duplicate budget year " + std::to_string(year) + " (first at line " +
                std::to_string(c.map().Find(Item("volumes", it->second)).line) +
                (v.has_year() ? ")" : "; an entry without year is year 1)"));
  }
  for (int i = 0; i < d.economic_analyses_size(); ++i) {
    const sc::EconomicAnalysis& a = d.economic_analyses(i);
    const std::string p = Item("economic_analyses", i);
    c.OneOf(Key(p, "type"), a.type(), {"cost_consequence", "cea", "cua", "cma", "bia"});
    c.OneOf(Key(p, "perspective"), a.perspective(), {"hospital", "regional", "ssn", "societal"});
    if (a.has_exchange_rate() && !(a.exchange_rate() > 0)) {
      c.Error(Key(p, "exchange_rate"), "found '" + models::FormatNumber(a.exchange_rate()) + "', but must be > 0");
    }
  }
  for (int i = 0; i < d.interest_declarations_size(); ++i) {
    const sc::InterestDeclaration& decl = d.interest_declarations(i);
    const std::string p = Item("interest_declarations", i);
    c.Date(Key(p, "declared_at"), decl.declared_at());
    c.OneOf(Key(p, "outcome"), decl.outcome(), {"no_conflict", "conflict_manageable", "must_recuse"});
    for (int k = 0; k < decl.interests_size(); ++k) {
      c.OneOf(Key(Item(Key(p, "interests"), k), "kind"), decl.interests(k).kind(),
              {"financial", "consultancy", "research_funding", "ownership", "personal", "institutional", "none"});
    }
  }
  for (int i = 0; i < d.attachments_size(); ++i) {
    const sc::Attachment& a = d.attachments(i);
    const std::string p = Item("attachments", i);
    c.OneOf(Key(p, "kind"), a.kind(), {"ifu", "technical_sheet", "ce_certificate", "sscp", "study_pdf", "quote", "other"});
    c.Date(Key(p, "received"), a.received());
    if (!a.sha256().empty() && !std::regex_match(a.sha256(), std::regex("[0-9a-f]{64}"))) {
      c.Error(Key(p, "sha256"), "found '" + a.sha256() + "', but must be 64 lowercase hexadecimal digits");
    }
  }
  for (int i = 0; i < d.related().external_appraisals_size(); ++i) {
    const sc::ExternalAppraisal& e = d.related().external_appraisals(i);
    const std::string p = Item("related.external_appraisals", i);
    c.OneOf(Key(p, "issuer"), e.issuer(), {"national_pnhta", "agenas", "region", "eu_jca", "foreign_hta", "other_hospital"});
    c.OneOf(Key(p, "device_match"), e.device_match(), {"same_model", "same_cnd_type", "similar"});
    c.OneOf(Key(p, "indication_match"), e.indication_match(), {"same", "broader", "narrower", "different"});
    c.Date(Key(p, "date"), e.date());
  }
}

// Where `path` occurs in `text` as a whole path (not inside a longer name), or npos.
size_t FindPath(const std::string& text, const std::string& path) {
  const auto name_char = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.'; };
  for (size_t at = text.find(path); at != std::string::npos; at = text.find(path, at + 1)) {
    const size_t end = at + path.size();
    if ((at == 0 || !name_char(text[at - 1])) && (end == text.size() || !name_char(text[end]))) return at;
  }
  return std::string::npos;
}

// What the expressions of a criteria set may name, beyond the roots: the stage an
// expression runs at (docs/formats.md §Context) and the names the set itself defines.
struct ExpressionScope {
  enum class Stage { kGate, kScore, kRule };
  std::vector<std::string> gates, criteria, thresholds;
};

const std::vector<std::string> kOnFail = {"inadmissible", "incomplete", "route_research", "refer", "flag"};

// The problem with path `p` (its keys `seg`) read at `stage`, or "" when there is none to
// find before the evaluation. Names the criteria set defines (criteria.<ID>, gates.<ID>,
// wtp.<label>...) are checked here, whatever the dossier, in the words the evaluation
// would use; the rest of the context is checked when the expression runs.
std::string ScopeProblem(const std::string& p, const std::vector<std::string>& seg, ExpressionScope::Stage stage,
                         const ExpressionScope& scope) {
  using Stage = ExpressionScope::Stage;
  const std::string& root = seg[0];
  if (stage != Stage::kRule &&
      (root == "criteria" || root == "mcda" || root == "robustness" || (stage == Stage::kGate && root == "gates"))) {
    return stage == Stage::kGate ? "'" + root +
                                       "' does not exist yet when the gates run (they run first: 'gates', 'criteria', "
                                       "'mcda' and 'robustness' come later)"
                                 : "'" + root +
                                       "' does not exist yet when scores are computed (they run after the gates: "
                                       "'criteria', 'mcda' and 'robustness' come later)";
  }
  // An error when key k of the path is not one of `keys`.
  auto unknown = [&](size_t k, const std::vector<std::string>& keys) -> std::string {
    if (seg.size() <= k || std::find(keys.begin(), keys.end(), seg[k]) != keys.end()) return "";
    std::string prefix = seg[0];
    for (size_t i = 1; i < k; ++i) prefix += "." + seg[i];
    return "unknown name '" + p + "': '" + prefix + "' has no '" + seg[k] + "'" + models::DidYouMeanSuffix(seg[k], keys);
  };
  if (root == "criteria") return unknown(1, scope.criteria);
  if (root == "wtp") return unknown(1, scope.thresholds);
  if (root == "economics" && seg.size() > 1 && (seg[1] == "inmb" || seg[1] == "p_ce" || seg[1] == "price_threshold")) {
    return unknown(2, scope.thresholds);
  }
  if (root == "gates") {
    std::vector<std::string> keys = scope.gates;
    keys.insert(keys.end(), {"failed", "failed_on"});
    if (std::string u = unknown(1, keys); !u.empty()) return u;
    if (seg.size() > 1 && seg[1] == "failed_on") return unknown(2, kOnFail);
    if (seg.size() > 1 && seg[1] != "failed") return unknown(2, {"passed", "on_fail"});
  }
  return "";
}

// Checks an expression of a criteria set: it parses, names only what an evaluation
// provides, and of what the set defines only what exists at its stage. `path` locates it;
// `offset` errors point inside it.
void CheckExpression(const std::string& text, const std::string& path, ExpressionScope::Stage stage,
                     const ExpressionScope& scope, models::Issues* issues) {
  auto parsed = expr::Expression::Parse(text);
  if (std::holds_alternative<expr::Error>(parsed)) {
    const expr::Error& e = std::get<expr::Error>(parsed);
    issues->push_back(models::Issue{path, e.message, e.offset});
    return;
  }
  const auto& roots = ContextRoots();
  for (const std::string& p : std::get<expr::Expression>(parsed).Paths()) {
    const size_t at = FindPath(text, p);
    const int offset = at == std::string::npos ? -1 : static_cast<int>(at);
    std::vector<std::string> seg;
    for (size_t from = 0;;) {
      const size_t dot = p.find('.', from);
      seg.push_back(p.substr(from, dot == std::string::npos ? std::string::npos : dot - from));
      if (dot == std::string::npos) break;
      from = dot + 1;
    }
    const std::string& root = seg[0];
    if (std::find(roots.begin(), roots.end(), root) != roots.end()) {
      if (std::string problem = ScopeProblem(p, seg, stage, scope); !problem.empty()) {
        issues->push_back(models::Issue{path, problem, offset});
      }
      continue;
    }
    // 'dossier.device.x': the dossier's sections are read without a prefix.
    std::string hint = models::DidYouMeanSuffix(root, roots);
    if (seg.size() > 1 && std::find(roots.begin(), roots.end(), seg[1]) != roots.end()) {
      hint = " (did you mean '" + p.substr(root.size() + 1) + "'?)";
    }
    issues->push_back(models::Issue{path,
                                    "'" + root + "' is not something an evaluation provides" + hint +
                                        "; expressions can read " + models::QuotedList(roots),
                                    offset});
  }
}

// The text of each expression of a criteria set, by its key path.
std::map<std::string, std::string> ExpressionTexts(const sc::Criteria& cs) {
  std::map<std::string, std::string> out;
  for (const sc::Gate& g : cs.gates()) out[Key(Key("gates", g.id()), "check")] = g.check();
  for (const sc::Criterion& c : cs.mcda().criteria()) {
    const std::string cp = Key("mcda.criteria", c.id());
    out[Key(cp, "computed")] = c.computed();
    out[Key(cp, "value_function.input")] = c.value_function().input();
  }
  for (const sc::DecisionRule& r : cs.decision_rules()) {
    const std::string rp = Key("decision_rules", r.id());
    out[Key(rp, "condition")] = r.condition();
    for (int i = 0; i < r.conditions_size(); ++i) {
      const std::string tp = Item(Key(rp, "conditions"), i);
      out[Key(tp, "when")] = r.conditions(i).when();
      for (const auto& param : r.conditions(i).parameters()) out[Key(Key(tp, "parameters"), param.name())] = param.expr();
    }
  }
  return out;
}

// The line and column of character `offset` of `scalar`, a YAML scalar whose value node is
// at `at` in `text`; also when the scalar spans several lines (a block scalar `>-` or `|`,
// a folded plain or quoted scalar). The scalar's characters are matched against the file's
// text, skipping indentation and the line breaks that folding turned into spaces; nothing
// when they do not match (an escape sequence).
std::optional<SourceLocation> LocateInScalar(std::string_view text, const SourceLocation& at, std::string_view scalar,
                                             int offset) {
  if (offset < 0 || at.line <= 0) return std::nullopt;
  int line = at.text_line > 0 ? at.text_line : at.line;
  int column = at.text_line > 0 ? at.text_column : at.column;
  size_t j = 0;  // the byte at line, column
  for (int l = 1; l < line; ++l) {
    j = text.find('\n', j);
    if (j == std::string_view::npos) return std::nullopt;
    ++j;
  }
  j += static_cast<size_t>(column - 1);
  if (j >= text.size()) return std::nullopt;
  if (at.text_line == 0 && (text[j] == '|' || text[j] == '>')) {
    // A block scalar whose text the converter did not place (lines ending in "\r\n", a
    // comment after the indicator): its text starts at the first line with content after
    // the indicator's, past the indentation.
    do {
      j = text.find('\n', j);
      if (j == std::string_view::npos) return std::nullopt;
      ++j, ++line, column = 1;
      while (j < text.size() && text[j] == ' ') ++j, ++column;
    } while (j < text.size() && (text[j] == '\r' || text[j] == '\n'));
    if (j >= text.size()) return std::nullopt;
  } else if (at.text_line == 0 && (text[j] == '"' || text[j] == '\'')) {
    ++j, ++column;
  }
  const auto space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
  // The end of the expression is placed after its last character, not after a final newline.
  size_t target = static_cast<size_t>(offset);
  if (target >= scalar.size()) {
    target = scalar.size();
    while (target > 0 && space(scalar[target - 1])) --target;
  }
  const auto advance = [&]() {
    if (text[j] == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
    ++j;
  };
  size_t i = 0;
  while (i < target) {
    if (j >= text.size()) return std::nullopt;
    const char s = text[j], e = scalar[i];
    if (s == e) {
      advance();
      ++i;
    } else if ((e == ' ' || e == '\n') && (s == '\n' || s == '\r')) {
      advance();  // a line break folded into a space
      ++i;
    } else if (space(s)) {
      advance();  // indentation
    } else if (space(e)) {
      ++i;
    } else {
      return std::nullopt;
    }
  }
  if (target < scalar.size() && !space(scalar[target])) {
    while (j < text.size() && text[j] != scalar[target]) {
      if (!space(text[j])) return std::nullopt;
      advance();
    }
    if (j >= text.size()) return std::nullopt;
  }
  SourceLocation loc;
  loc.line = line;
  loc.column = column;
  return loc;
}

void CheckCriteria(const sc::Criteria& cs, FieldChecker& c, models::Issues* issues) {
  c.Format(cs.format(), "vaglio.criteria/1", "a criteria set");
  c.OneOf("status", cs.status(), {"draft", "approved", "retired"});
  c.OneOf("owner.level", cs.owner().level(), {"hospital", "region", "national"});
  c.Date("valid_from", cs.valid_from());
  c.Date("valid_to", cs.valid_to());
  c.Date("approval.date", cs.approval().date());
  const sc::CriteriaParameters& p = cs.parameters();
  for (int i = 0; i < p.perspectives_size(); ++i) {
    c.OneOf(Item("parameters.perspectives", i), p.perspectives(i), {"hospital", "regional", "ssn", "societal"});
  }
  if (p.wtp_thresholds_size() == 0) c.Error("parameters.wtp_thresholds", "is missing, but at least one threshold is needed");
  const sc::Threshold* previous = nullptr;
  for (const sc::Threshold& t : p.wtp_thresholds()) {
    if (!t.has_value() || !(t.value() >= 0)) {
      c.Error(Key("parameters.wtp_thresholds", t.label()),
              (t.has_value() ? "is " + models::FormatNumber(t.value()) : std::string("has no value")) +
                  ", but must be a willingness to pay >= 0 per unit of effect");
      continue;
    }
    // Listed from the lowest to the highest, so that 'lower' and 'upper' say what they mean.
    if (previous != nullptr && t.value() < previous->value()) {
      c.Error(Key("parameters.wtp_thresholds", t.label()),
              "is " + models::FormatNumber(t.value()) + ", but must be at least the threshold '" + previous->label() +
                  "' before it (" + models::FormatNumber(previous->value()) +
                  "): thresholds go from the lowest to the highest");
    }
    previous = &t;
  }
  ExpressionScope scope;
  for (const sc::Gate& g : cs.gates()) scope.gates.push_back(g.id());
  for (const sc::Criterion& cr : cs.mcda().criteria()) scope.criteria.push_back(cr.id());
  for (const sc::Threshold& t : p.wtp_thresholds()) scope.thresholds.push_back(t.label());
  for (const auto& [name, has, value] : {std::tuple{"discount_rate_costs", p.has_discount_rate_costs(), p.discount_rate_costs()},
                                         std::tuple{"discount_rate_outcomes", p.has_discount_rate_outcomes(), p.discount_rate_outcomes()}}) {
    if (!has) {
      c.Error(Key("parameters", name), "is missing, but is required (the committee's discount rate)");
    } else if (!(value >= 0 && value <= 1)) {
      c.Error(Key("parameters", name), "is " + models::FormatNumber(value) + ", but must be an annual rate in [0, 1]");
    }
  }
  if (!p.has_bia_horizon_years()) {
    c.Error("parameters.bia_horizon_years", "is missing, but is required (from 1 to 50 years)");
  } else if (p.bia_horizon_years() < 1 || p.bia_horizon_years() > 50) {
    c.Error("parameters.bia_horizon_years",
            "is " + std::to_string(p.bia_horizon_years()) + ", but must be from 1 to 50 years");
  }
  if (p.has_psa_draws() && (p.psa_draws() < 0 || p.psa_draws() == 1 || p.psa_draws() > kMaxDraws)) {
    c.Error("parameters.psa_draws", "is " + std::to_string(p.psa_draws()) + ", but must be 0 (no PSA) or from 2 to " +
                                        std::to_string(kMaxDraws));
  }
  for (const sc::Gate& g : cs.gates()) {
    const std::string gp = Key("gates", g.id());
    if (g.check().empty()) {
      c.Error(gp, "has no check, but a gate needs an expression that is true when it passes");
    } else {
      CheckExpression(g.check(), Key(gp, "check"), ExpressionScope::Stage::kGate, scope, issues);
    }
    if (g.on_fail().empty()) c.Error(gp, "has no on_fail, but must say what a failure does");
    c.OneOf(Key(gp, "on_fail"), g.on_fail(), kOnFail);
  }
  const sc::Mcda& m = cs.mcda();
  c.OneOf("mcda.method", m.method(), {"weighted_sum"});
  c.OneOf("mcda.scoring_mode", m.scoring_mode(), {"consensus", "median", "mean"});
  const std::string wm = m.weight_elicitation().method();
  c.OneOf("mcda.weight_elicitation.method", wm, {"direct_rating", "point_allocation", "hierarchical_point_allocation"});
  if (m.criteria_size() == 0) c.Error("mcda.criteria", "is missing, but a criteria set needs criteria");
  const std::vector<std::string> domains = {"CUR", "TEC", "SAF", "EFF", "ECO", "ETH", "ORG", "SOC", "LEG"};
  double total = 0;
  bool weights_given = true;  // each weight given and >= 0, so that their sum means something
  for (const sc::Criterion& cr : m.criteria()) {
    const std::string cp = Key("mcda.criteria", cr.id());
    c.OneOf(Key(cp, "domain"), cr.domain(), domains);
    if (cr.domain().empty()) c.Error(cp, "has no domain, but must name its HTA Core Model domain");
    c.OneOf(Key(cp, "kind"), cr.kind(), {"absolute", "comparative"});
    c.OneOf(Key(cp, "missing"), cr.missing(), {"score_zero_no_credible_evidence", "exclude_and_renormalise", "block"});
    c.OneOf(Key(cp, "scale.type"), cr.scale().type(), {"ordinal", "continuous"});
    if (!cr.scale().has_min() || !cr.scale().has_max() || !(cr.scale().min() < cr.scale().max())) {
      c.Error(Key(cp, "scale"), "needs min < max (the range a score maps onto 0..1)");
    }
    for (int i = 0; i < cr.scale().levels_size(); ++i) {
      const sc::Level& l = cr.scale().levels(i);
      if (!l.has_value() || !(l.value() >= cr.scale().min() && l.value() <= cr.scale().max())) {
        c.Error(Item(Key(cp, "scale.levels"), i),
                (l.has_value() ? "has value " + models::FormatNumber(l.value()) : std::string("has no value")) +
                    ", but a level must lie in the scale's range from " + models::FormatNumber(cr.scale().min()) +
                    " to " + models::FormatNumber(cr.scale().max()));
      }
    }
    if (!cr.has_weight()) {
      c.Error(Key(cp, "weight"), "is missing, but is required (a weight >= 0)");
    } else if (!(cr.weight() >= 0)) {
      c.Error(Key(cp, "weight"), "is " + models::FormatNumber(cr.weight()) + ", but must be >= 0");
    }
    weights_given = weights_given && cr.has_weight() && cr.weight() >= 0;
    total += cr.weight();
    if (!cr.computed().empty()) {
      CheckExpression(cr.computed(), Key(cp, "computed"), ExpressionScope::Stage::kScore, scope, issues);
    }
    if (!cr.value_function().input().empty()) {
      const sc::ValueFunction& vf = cr.value_function();
      CheckExpression(vf.input(), Key(cp, "value_function.input"), ExpressionScope::Stage::kScore, scope, issues);
      c.OneOf(Key(cp, "value_function.type"), vf.type(), {"linear", "piecewise"});
      if (vf.points_size() < 2) c.Error(Key(cp, "value_function.points"), "needs at least two [x, v] points");
      for (int i = 0; i < vf.points_size(); ++i) {
        if (vf.points(i).values_size() != 2) {
          c.Error(Item(Key(cp, "value_function.points"), i), "must be a pair [x, v]");
        } else if (i > 0 && vf.points(i - 1).values_size() == 2 && !(vf.points(i).values(0) > vf.points(i - 1).values(0))) {
          c.Error(Item(Key(cp, "value_function.points"), i),
                  "x is " + models::FormatNumber(vf.points(i).values(0)) + " after " +
                      models::FormatNumber(vf.points(i - 1).values(0)) + ", but x must increase from point to point");
        }
      }
    }
    if (!cr.computed().empty() && !cr.value_function().input().empty()) {
      c.Error(cp, "gives both computed and value_function, but a score has one source");
    }
    if (wm == "hierarchical_point_allocation") {
      bool found = false;
      for (const sc::DomainWeight& dw : m.weight_elicitation().domains()) found |= dw.domain() == cr.domain();
      if (!found) c.Error(Key(cp, "domain"), "'" + cr.domain() + "' has no points under mcda.weight_elicitation.domains");
    }
  }
  if (wm == "point_allocation" && weights_given) {
    const double points = m.weight_elicitation().has_total_points() ? m.weight_elicitation().total_points() : 100.0;
    if (!(points > 0)) {
      c.Error("mcda.weight_elicitation.total_points", "is " + models::FormatNumber(points) + ", but must be > 0");
    } else if (std::fabs(total - points) > 1e-9 * points) {
      c.Error("mcda.criteria", "the weights sum to " + models::FormatComputed(total) + ", but point allocation shares " +
                                   models::FormatNumber(points) + " points");
    }
  }
  // Weights that are all zero (or too large to add up) would give every dossier a total of 0.
  if (m.criteria_size() > 0 && weights_given && (!(total > 0) || !std::isfinite(total)) && wm != "point_allocation") {
    c.Error("mcda.criteria", "the weights sum to " + models::FormatComputed(total) +
                                 ", but must sum to a finite number > 0");
  }
  if (wm == "hierarchical_point_allocation") {
    double domain_total = 0;
    for (const sc::DomainWeight& dw : m.weight_elicitation().domains()) {
      const std::string dp = Key("mcda.weight_elicitation.domains", dw.domain());
      c.OneOf(dp, dw.domain(), domains);
      if (!dw.has_weight() || !(dw.weight() >= 0)) {
        c.Error(dp, "must be given points >= 0");
        continue;
      }
      domain_total += dw.weight();
      // A domain's points are shared by its criteria's weights: with none, they would be lost.
      double within = 0;
      for (const sc::Criterion& cr : m.criteria()) within += cr.domain() == dw.domain() ? cr.weight() : 0;
      if (dw.weight() > 0 && !(within > 0)) {
        c.Error(dp, "has " + models::FormatNumber(dw.weight()) + " points, but no criterion of domain " + dw.domain() +
                        " has a weight > 0 to share them");
      }
    }
    if (m.weight_elicitation().domains_size() > 0 && (!(domain_total > 0) || !std::isfinite(domain_total))) {
      c.Error("mcda.weight_elicitation.domains", "the points sum to " + models::FormatComputed(domain_total) +
                                                    ", but must sum to a finite number > 0");
    }
  }
  if (cs.decision_rules_size() == 0) c.Error("decision_rules", "is missing, but a criteria set needs decision rules");
  const std::vector<std::string> outcomes = {"APPROVE", "APPROVE_WITH_CONDITIONS", "RESEARCH_ONLY", "DEFER",
                                             "REJECT", "REFER", "INADMISSIBLE"};
  for (const sc::DecisionRule& r : cs.decision_rules()) {
    const std::string rp = Key("decision_rules", r.id());
    if (r.condition().empty()) {
      c.Error(rp, "has no condition (write condition: 'true' for the last rule)");
    } else {
      CheckExpression(r.condition(), Key(rp, "condition"), ExpressionScope::Stage::kRule, scope, issues);
    }
    if (r.outcome().empty()) c.Error(rp, "has no outcome");
    c.OneOf(Key(rp, "outcome"), r.outcome(), outcomes);
    for (int i = 0; i < r.conditions_size(); ++i) {
      const sc::ConditionTemplate& t = r.conditions(i);
      const std::string tp = Item(Key(rp, "conditions"), i);
      c.OneOf(Key(tp, "type"), t.type(),
              {"restricted_indication", "restricted_operators_or_centre", "volume_cap", "trial_period", "registry_enrolment",
               "outcome_audit", "price_agreement", "re_evaluation", "evidence_request", "training_requirement",
               "comparator_disinvestment"});
      if (!t.when().empty()) CheckExpression(t.when(), Key(tp, "when"), ExpressionScope::Stage::kRule, scope, issues);
      if (t.has_due_months() && (t.due_months() < 0 || t.due_months() > kMaxDueMonths)) {
        c.Error(Key(tp, "due_months"), "is " + std::to_string(t.due_months()) + ", but must be from 0 to " +
                                           std::to_string(kMaxDueMonths) + " months");
      }
      for (const auto& param : t.parameters()) {
        CheckExpression(param.expr(), Key(Key(tp, "parameters"), param.name()), ExpressionScope::Stage::kRule, scope,
                        issues);
      }
    }
  }
  const sc::Sensitivity& s = cs.sensitivity();
  if (s.has_weight_perturbation_pct() && !(s.weight_perturbation_pct() >= 0 && s.weight_perturbation_pct() < 100)) {
    c.Error("sensitivity.weight_perturbation_pct",
            "is " + models::FormatNumber(s.weight_perturbation_pct()) + ", but must be a percentage in [0, 100)");
  }
  if (s.has_random_weight_draws() && (s.random_weight_draws() < 0 || s.random_weight_draws() > kMaxDraws)) {
    c.Error("sensitivity.random_weight_draws",
            "is " + std::to_string(s.random_weight_draws()) + ", but must be from 0 to " + std::to_string(kMaxDraws));
  }
  if (s.has_random_weight_concentration() && !(s.random_weight_concentration() > 0)) {
    c.Error("sensitivity.random_weight_concentration",
            "is " + models::FormatNumber(s.random_weight_concentration()) + ", but must be > 0");
  }
  const sc::Dispersion& disp = s.dispersion();
  if (disp.has_min_range() && !(disp.min_range() >= 0)) {
    c.Error("sensitivity.dispersion.min_range", "is " + models::FormatNumber(disp.min_range()) + ", but must be >= 0");
  }
  if (disp.has_min_weight_pct() && !(disp.min_weight_pct() >= 0 && disp.min_weight_pct() <= 100)) {
    c.Error("sensitivity.dispersion.min_weight_pct",
            "is " + models::FormatNumber(disp.min_weight_pct()) + ", but must be a percentage in [0, 100]");
  }
  if (cs.voting().has_quorum() && cs.voting().quorum() < 0) {
    c.Error("voting.quorum", "is " + std::to_string(cs.voting().quorum()) + ", but must be a number of members >= 0");
  }
  c.OneOf("voting.majority", cs.voting().majority(), {"simple", "two_thirds", "consensus"});
  c.OneOf("voting.dissent_recorded", cs.voting().dissent_recorded(), {"named", "anonymous"});
}

}  // namespace

const std::vector<std::string>& ContextRoots() {
  static const std::vector<std::string> roots = {
      // the dossier
      "dossier_id", "title", "status", "decision_level", "request_type", "dates", "receiving_body", "requesting_unit",
      "requesters", "related", "device", "pico", "evidence", "safety", "costs", "acquisition_mode", "reimbursement",
      "volumes", "economic_analyses", "organisation", "elsi_patient", "interest_declarations", "attachments", "people",
      // what the evaluation adds
      "today", "parameters", "wtp", "facts", "completeness", "gates", "criteria", "mcda", "economics", "bia",
      "robustness", "committee"};
  return roots;
}

nlohmann::ordered_json DossierJson(const schemas::Dossier& d) {
  std::string json;
  google::protobuf::util::JsonPrintOptions opts;
  opts.preserve_proto_field_names = true;
  (void)google::protobuf::util::MessageToJsonString(d, &json, opts);
  return nlohmann::ordered_json::parse(json);
}

std::optional<LoadedDossier> LoadDossier(const FileSystem& fs, const std::string& path, Diagnostics* diag,
                                         bool keep_with_problems) {
  const size_t before = diag->size();
  auto out = ReadInto<sc::Dossier>(fs, path, "dossier", "vaglio.dossier/1", "a dossier", diag);
  if (!out) return std::nullopt;
  FieldChecker c(out->file, out->map, diag);
  CheckDossier(out->proto, c);
  if (diag->size() != before && !keep_with_problems) return std::nullopt;
  return out;
}

std::optional<LoadedCriteria> LoadCriteria(const FileSystem& fs, const std::string& path, Diagnostics* diag,
                                           bool keep_with_problems) {
  const size_t before = diag->size();
  auto out = ReadInto<sc::Criteria>(fs, path, "criteria set", "vaglio.criteria/1", "a criteria set", diag);
  if (!out) return std::nullopt;
  FieldChecker c(out->file, out->map, diag);
  models::Issues issues;
  CheckCriteria(out->proto, c, &issues);
  AddExpressionIssues(*out, issues, diag);
  if (diag->size() != before && !keep_with_problems) return std::nullopt;
  return out;
}

void AddExpressionIssues(const LoadedCriteria& criteria, const models::Issues& issues, Diagnostics* diag) {
  if (issues.empty()) return;
  const std::map<std::string, std::string> texts = ExpressionTexts(criteria.proto);
  for (const models::Issue& i : issues) {
    auto text = texts.find(i.path);
    std::optional<SourceLocation> loc;
    if (text != texts.end() && criteria.map.Has(i.path)) {
      loc = LocateInScalar(criteria.bytes, criteria.map.Find(i.path), text->second, i.offset);
    }
    if (loc) {
      diag->Error(criteria.file, *loc, i.path, i.message);
    } else {
      diag->AddIssues(criteria.file, criteria.map, {i});
    }
  }
}

std::optional<LoadedScores> LoadScores(const FileSystem& fs, const std::string& path, Diagnostics* diag,
                                       bool keep_with_problems) {
  const size_t before = diag->size();
  auto out = ReadInto<sc::Scores>(fs, path, "scores file", "vaglio.scores/1", "a scores file", diag);
  if (!out) return std::nullopt;
  FieldChecker c(out->file, out->map, diag);
  c.Format(out->proto.format(), "vaglio.scores/1", "a scores file");
  c.Date("meeting_date", out->proto.meeting_date());
  for (const sc::Member& m : out->proto.members()) {
    c.OneOf(Key(Key("members", m.id()), "interest_outcome"), m.interest_outcome(), {"no_conflict", "conflict_manageable", "recused"});
  }
  std::vector<std::string> ids;
  for (const sc::Member& m : out->proto.members()) ids.push_back(m.id());
  for (const sc::CriterionScores& cs : out->proto.scores()) {
    for (const sc::MemberScore& ms : cs.members()) {
      CheckRef(c, Key(Key("scores", cs.criterion()), ms.member()), ms.member(), ids, "a member", "members");
    }
  }
  const sc::Vote& v = out->proto.vote();
  for (const auto& [name, has, count] : {std::tuple{"for", v.has_for_(), v.for_()}, std::tuple{"against", v.has_against(), v.against()},
                                         std::tuple{"abstain", v.has_abstain(), v.abstain()}}) {
    if (has && count < 0) c.Error(Key("vote", name), "is " + std::to_string(count) + ", but must be a number of votes >= 0");
  }
  for (int i = 0; i < v.dissents_size(); ++i) {
    CheckRef(c, Key(Item("vote.dissents", i), "member"), v.dissents(i).member(), ids, "a member", "members");
  }
  if (diag->size() != before && !keep_with_problems) return std::nullopt;
  return out;
}

std::optional<LoadedDecision> LoadDecision(const FileSystem& fs, const std::string& path, Diagnostics* diag) {
  const size_t before = diag->size();
  auto out = ReadInto<sc::Decision>(fs, path, "decision file", "vaglio.decision/1", "a decision file", diag);
  if (!out) return std::nullopt;
  FieldChecker c(out->file, out->map, diag);
  c.Format(out->proto.format(), "vaglio.decision/1", "a decision file");
  if (diag->size() != before) return std::nullopt;
  return out;
}

}  // namespace vaglio::engine
