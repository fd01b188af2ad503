#include "engine/evaluation/completeness.h"

#include <set>

namespace vaglio::engine {
namespace {

using Json = nlohmann::ordered_json;

const Json* Find(const Json& root, const std::string& path) {
  const Json* cur = &root;
  size_t start = 0;
  while (start <= path.size()) {
    const size_t dot = path.find('.', start);
    const std::string key = path.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    if (!cur->is_object() || !cur->contains(key)) return nullptr;
    cur = &(*cur)[key];
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  return cur;
}

bool Answered(const Json& root, const std::string& path) {
  const Json* j = Find(root, path);
  if (j == nullptr || j->is_null()) return false;
  if (j->is_string()) return !j->get<std::string>().empty();
  if (j->is_array() || j->is_object()) return !j->empty();
  return true;
}

std::string Text(const Json& root, const std::string& path) {
  const Json* j = Find(root, path);
  return j != nullptr && j->is_string() ? j->get<std::string>() : "";
}

bool Flag(const Json& root, const std::string& path) {
  const Json* j = Find(root, path);
  return j != nullptr && j->is_boolean() && j->get<bool>();
}

struct Entry {
  const char* path;
  const char* domain;
  bool required;
};

// The catalogue: every field a committee reads, its domain, and whether it is required.
const Entry kFields[] = {
    // Health problem and current use of the technology
    {"request_type", "CUR", true},
    {"dates.received", "CUR", true},
    {"receiving_body.name", "CUR", true},
    {"requesting_unit.name", "CUR", true},
    {"requesting_unit.head", "CUR", true},
    {"requesters", "CUR", true},
    {"pico.population.description", "CUR", true},
    {"pico.population.icd_codes", "CUR", false},
    {"pico.comparators", "CUR", true},
    {"pico.pathway_position", "CUR", false},
    {"volumes", "CUR", true},
    {"related.external_appraisals", "CUR", false},
    // Description and technical characteristics
    {"device.trade_name", "TEC", true},
    {"device.models", "TEC", true},
    {"device.manufacturer.name", "TEC", true},
    {"device.cnd_code", "TEC", true},
    {"device.emdn_code", "TEC", false},
    {"device.udi.basic_udi_di", "TEC", false},
    {"device.regulatory.framework", "TEC", true},
    {"device.regulatory.risk_class", "TEC", true},
    {"device.regulatory.implantable", "TEC", true},
    {"device.regulatory.active", "TEC", true},
    {"device.regulatory.software_or_ai", "TEC", true},
    {"device.device_kind", "TEC", true},
    {"pico.intervention.description", "TEC", true},
    {"pico.intervention.setting", "TEC", true},
    // Safety
    {"safety.adverse_events", "SAF", false},
    {"safety.learning_curve", "SAF", false},
    {"safety.operator_requirements", "SAF", false},
    // Clinical effectiveness
    {"pico.outcomes", "EFF", true},
    {"evidence.studies", "EFF", true},
    {"evidence.search", "EFF", false},
    {"evidence.hta_reports", "EFF", false},
    {"evidence.guidelines", "EFF", false},
    {"evidence.ongoing_studies", "EFF", false},
    {"evidence.certainty_by_outcome", "EFF", false},
    // Costs and economic evaluation
    {"costs", "ECO", true},
    {"acquisition_mode", "ECO", true},
    {"reimbursement", "ECO", false},
    {"economic_analyses", "ECO", false},
    // Ethical
    {"elsi_patient.ethical", "ETH", false},
    {"elsi_patient.equity_access", "ETH", false},
    // Organisational
    {"organisation.training", "ORG", false},
    {"organisation.credentialing", "ORG", false},
    {"organisation.space", "ORG", false},
    {"organisation.other_units_impact", "ORG", false},
    {"organisation.it_security_privacy", "ORG", false},
    {"organisation.implementation_months", "ORG", false},
    // Patients and social
    {"elsi_patient.patient_perspective", "SOC", false},
    {"elsi_patient.social", "SOC", false},
    // Legal
    {"device.regulatory.intended_purpose", "LEG", true},
    {"pico.on_label", "LEG", true},
    {"interest_declarations", "LEG", true},
    {"elsi_patient.legal", "LEG", false},
    {"attachments", "LEG", false},
};

}  // namespace

const std::vector<std::string>& CoreModelDomains() {
  static const std::vector<std::string> d = {"CUR", "TEC", "SAF", "EFF", "ECO", "ETH", "ORG", "SOC", "LEG"};
  return d;
}

CompletenessResult CheckCompleteness(const nlohmann::ordered_json& dossier) {
  CompletenessResult r;
  auto add = [&](const std::string& path, const std::string& domain, bool required) {
    r.fields.push_back({path, domain, required, Answered(dossier, path)});
  };
  for (const Entry& e : kFields) add(e.path, e.domain, e.required);
  // Required only under a condition (domain.md §9.1).
  const std::string risk = Text(dossier, "device.regulatory.risk_class");
  const bool implantable = Flag(dossier, "device.regulatory.implantable");
  const bool certified = !risk.empty() && risk != "I" && Text(dossier, "device.regulatory.framework") != "none_investigational";
  for (const char* f : {"notified_body_number", "certificate_id", "certificate_expiry"}) {
    add(std::string("device.regulatory.") + f, "LEG", certified);
  }
  add("device.regulatory.sscp_url", "SAF", risk == "III" || implantable);
  add("device.expected_service_life_y", "TEC", Text(dossier, "device.device_kind") == "capital_equipment");
  add("device.rdm_number", "TEC", Text(dossier, "decision_level") != "national");

  const auto& domains = CoreModelDomains();
  for (const std::string& d : domains) r.domains.push_back({d, 0, 0});
  int answered = 0;
  for (const FieldStatus& f : r.fields) {
    for (auto& d : r.domains) {
      if (d.domain != f.domain) continue;
      d.total += 1;
      d.answered += f.answered ? 1 : 0;
    }
    answered += f.answered ? 1 : 0;
    if (!f.answered) (f.required ? r.missing_required : r.missing_optional).push_back(f.path);
  }
  r.score = r.fields.empty() ? 1.0 : static_cast<double>(answered) / static_cast<double>(r.fields.size());
  return r;
}

}  // namespace vaglio::engine
