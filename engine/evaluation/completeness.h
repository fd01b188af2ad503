#ifndef VAGLIO_ENGINE_EVALUATION_COMPLETENESS_H_
#define VAGLIO_ENGINE_EVALUATION_COMPLETENESS_H_

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

/// Which fields of a dossier are answered, by HTA Core Model domain (docs/formats.md
/// §Completeness): the required fields of domain.md §9.1 (some only under a condition: a
/// certificate unless the device is plain class I, an SSCP for class III or implantable
/// devices, a service life for capital equipment) and the optional ones.
namespace vaglio::engine {

struct FieldStatus {
  std::string path;
  std::string domain;     // CUR, TEC, SAF, EFF, ECO, ETH, ORG, SOC, LEG
  bool required = false;
  bool answered = false;
};

struct CompletenessResult {
  std::vector<FieldStatus> fields;
  std::vector<std::string> missing_required, missing_optional;
  struct Domain {
    std::string domain;
    int answered = 0, total = 0;
  };
  std::vector<Domain> domains;  // the nine domains, in Core Model order
  double score = 0;             // answered / total over every field
};

/// `dossier` is the dossier as JSON (DossierJson). A field is answered when present and
/// not empty (an empty text or list does not answer it).
CompletenessResult CheckCompleteness(const nlohmann::ordered_json& dossier);

/// The nine domains of the EUnetHTA HTA Core Model, in order.
const std::vector<std::string>& CoreModelDomains();

}  // namespace vaglio::engine

#endif  // VAGLIO_ENGINE_EVALUATION_COMPLETENESS_H_
