#ifndef VAGLIO_ENGINE_REPORT_SECTIONS_H_
#define VAGLIO_ENGINE_REPORT_SECTIONS_H_

#include <string>

#include "engine/report/html.h"
#include "evaluation.pb.h"

/// The sections the evaluation report and the self-assessment share. Each reads one part
/// of the record; numbers carry their JSON pointer in it (html.h, Num).
namespace vaglio::engine::report {

/// "#gate-G03", "#criterion-C07", "#rule-D07", "#economics"...: where a reason links to.
std::string ReasonTarget(const schemas::Reason& r);

/// The reasons, in the record's order, each linked to what produced it.
std::string ReasonsList(const schemas::Evaluation& r);
/// The record's conditions as a table (empty when there are none).
std::string ConditionsTable(const schemas::Evaluation& r);
/// Sections with a heading and an anchor of the same name.
std::string GatesSection(const schemas::Evaluation& r);
void McdaSection(Page& page, const schemas::Evaluation& r);
void RobustnessSection(Page& page, const schemas::Evaluation& r);
void EconomicsSection(Page& page, const schemas::Evaluation& r);
void CompletenessSection(Page& page, const schemas::Evaluation& r);
std::string CheersSection(const schemas::Evaluation& r);
/// The record's own provenance rows (<tr>...</tr>): ids, hashes, engine, model, seed.
std::string ProvenanceRows(const schemas::Evaluation& r);
/// The chart libraries the page carries, for the footer.
std::string LibrariesNote();

}  // namespace vaglio::engine::report

#endif  // VAGLIO_ENGINE_REPORT_SECTIONS_H_
