#include "engine/evaluation/cheers.h"

#include <cstdio>

#include "models/conventions.h"
#include "models/text.h"

namespace vaglio::engine {
namespace {

std::string Num(double v) { return models::FormatNumber(v); }

std::string Pct(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g%%", 100 * v);
  return buf;
}

const char* kReportOnly = "about the written report of the analysis, which Vaglio does not read";

}  // namespace

std::vector<CheersItem> CheckCheers(const schemas::Dossier& d, const EconomicsResult& e,
                                    const schemas::CriteriaParameters& p) {
  std::vector<CheersItem> out;
  auto add = [&](const char* topic, const char* status, std::string by, std::string note) {
    out.push_back({static_cast<int>(out.size()) + 1, topic, status, std::move(by), std::move(note)});
  };
  auto unless = [](bool ok, const char* status) { return ok ? status : kCheersNotAnswered; };
  const bool model = e.has_model && e.model.has_value();
  const models::ModelInfo* info = model ? &e.model->model->info() : nullptr;
  const schemas::EconomicAnalysis* analysis = nullptr;
  for (const auto& a : d.economic_analyses()) {
    if (!a.model().empty()) {
      analysis = &a;
      break;
    }
  }
  const bool cost_only = model && e.effect.empty();
  const char* no_model = "the dossier has no economic model";

  add("Title", kCheersNotAssessed, "", kReportOnly);
  add("Abstract", kCheersNotAssessed, "", kReportOnly);
  add("Background and objectives", kCheersNotAssessed, "", kReportOnly);
  add("Health economic analysis plan", kCheersNotAssessed, "", kReportOnly);
  {
    const auto& pop = d.pico().population();
    const bool has = !pop.description().empty();
    add("Study population", unless(has, kCheersAnswered), has ? "dossier" : "",
        has ? "pico.population.description" + std::string(pop.icd_codes_size() > 0 ? ", with ICD codes" : "")
            : "pico.population.description is empty");
  }
  {
    const bool body = !d.receiving_body().name().empty();
    const bool setting = !d.pico().intervention().setting().empty();
    add("Setting and location", body && setting ? kCheersAnswered : (body || setting ? kCheersPartly : kCheersNotAnswered),
        body || setting ? "dossier" : "",
        std::string(body ? "receiving_body " + d.receiving_body().name() : "no receiving_body") + "; " +
            (setting ? "setting " + d.pico().intervention().setting() : "no pico.intervention.setting"));
  }
  {
    const int n = d.pico().comparators_size();
    std::string note = std::to_string(n) + " comparator" + (n == 1 ? "" : "s") + " in pico.comparators";
    if (model) note += "; the model compares " + e.device + " with " + e.comparator;
    add("Comparators", unless(n > 0 || model, n > 0 && model ? kCheersAnswered : kCheersPartly),
        n > 0 && model ? "dossier, model" : (n > 0 ? "dossier" : (model ? "model" : "")), note);
  }
  {
    const std::string persp = analysis != nullptr ? analysis->perspective() : "";
    add("Perspective", kCheersPartly, persp.empty() ? "evaluation" : "dossier, evaluation",
        (persp.empty() ? std::string("the dossier states no perspective") : "the dossier's analysis: " + persp) +
            "; the budget impact is computed for the hospital and the SSN; why the perspective was chosen is not read");
  }
  if (model) {
    const double years = info->horizon * info->cycle_length_years;
    add("Time horizon", kCheersPartly, "model",
        std::to_string(info->horizon) + " cycles of " + Num(info->cycle_length_years) + " years (" + Num(years) +
            " years); why it is appropriate is not read");
  } else {
    add("Time horizon", kCheersNotAnswered, "", no_model);
  }
  if (model) {
    add("Discount rate", kCheersAnswered, "evaluation",
        "the committee's reference case replaces the model's: " + Pct(p.discount_rate_costs()) + " costs, " +
            Pct(p.discount_rate_outcomes()) + " outcomes (the criteria set's parameters)");
  } else {
    add("Discount rate", kCheersNotApplicable, "", no_model);
  }
  const int outcomes = d.pico().outcomes_size();
  if (cost_only) {
    add("Selection of outcomes", kCheersNotApplicable, "", "a cost-only model");
  } else {
    add("Selection of outcomes", unless(model || outcomes > 0, model && outcomes > 0 ? kCheersAnswered : kCheersPartly),
        model && outcomes > 0 ? "dossier, model" : (model ? "model" : (outcomes > 0 ? "dossier" : "")),
        std::to_string(outcomes) + " outcomes in pico.outcomes" + (model ? "; the model's effect is " + e.effect : ""));
  }
  {
    int with_results = 0;
    for (const auto& s : d.evidence().studies()) with_results += s.results_size() > 0;
    add("Measurement of outcomes", cost_only ? kCheersNotApplicable : unless(with_results > 0, kCheersPartly),
        with_results > 0 && !cost_only ? "dossier" : "",
        cost_only ? "a cost-only model"
                  : std::to_string(with_results) + " of " + std::to_string(d.evidence().studies_size()) +
                        " studies report results; how the model's inputs were derived from them is not read");
  }
  add("Valuation of outcomes", cost_only ? kCheersNotApplicable : kCheersNotAssessed, "",
      cost_only ? "a cost-only model" : "how utilities or other values were elicited is not in the files Vaglio reads");
  {
    int sourced = 0, dated = 0;
    for (const auto& c : d.costs()) {
      sourced += !c.source().empty();
      dated += c.unit_cost().has_price_year();
    }
    const int n = d.costs_size();
    add("Measurement and valuation of resources and costs", unless(n > 0, sourced == n ? kCheersAnswered : kCheersPartly),
        n > 0 ? "dossier" : "", std::to_string(n) + " cost items, " + std::to_string(sourced) + " with a source");
    const bool currency = model && (!info->currency.empty() || e.exchange_rate != 1);
    add("Currency, price date, and conversion",
        unless(n > 0 || model, dated == n && n > 0 && (currency || !model) ? kCheersAnswered : kCheersPartly),
        n > 0 ? (model ? "dossier, model, evaluation" : "dossier") : (model ? "model, evaluation" : ""),
        std::to_string(dated) + " of " + std::to_string(n) + " cost items with a price year" +
            (model ? "; model currency " + (info->currency.empty() ? std::string("not declared") : info->currency) +
                         ", converted at " + Num(e.exchange_rate)
                   : std::string()));
  }
  if (model) {
    add("Rationale and description of model", kCheersPartly, "model",
        std::string(models::ToString(info->method)) + " model '" + info->id + "', " + std::to_string(info->strategies.size()) +
            " strategies; the model file is part of the record's inputs (hashed); why this structure was chosen is not read");
    add("Analytics and assumptions", kCheersAnswered, "model",
        "counting " + std::string(models::ToString(info->counting)) + ", discount timing " +
            std::string(models::ToString(info->discount_timing)) + ", cycle length " + Num(info->cycle_length_years) +
            " years: every convention is explicit in the model file");
  } else {
    add("Rationale and description of model", kCheersNotApplicable, "", no_model);
    add("Analytics and assumptions", kCheersNotApplicable, "", no_model);
  }
  add("Characterising heterogeneity", kCheersNotAssessed, "", "Vaglio runs no subgroup analysis");
  {
    const bool equity = !d.elsi_patient().equity_access().empty();
    add("Characterising distributional effects", equity ? kCheersPartly : kCheersNotAssessed, equity ? "dossier" : "",
        equity ? "elsi_patient.equity_access (qualitative)" : "no distributional analysis in the files Vaglio reads");
  }
  int sampled = 0, sourced_params = 0;
  if (model) {
    for (const auto& in : info->inputs) {
      sampled += in.dist.has_value();
      sourced_params += !in.source.empty();
    }
  }
  if (model) {
    const bool psa = e.psa_summary.has_value();
    add("Characterising uncertainty", psa || !e.tornado.empty() ? kCheersAnswered : kCheersNotAnswered,
        psa || !e.tornado.empty() ? "model, evaluation" : "",
        std::to_string(sampled) + " parameters with distributions" +
            (psa ? "; PSA of " + std::to_string(e.psa_summary->draws) + " draws" : std::string("; no PSA")) +
            (e.tornado.empty() ? "" : "; one-way ranges of " + std::to_string(e.tornado.size()) + " parameters"));
  } else {
    add("Characterising uncertainty", kCheersNotAnswered, "", no_model);
  }
  add("Approach to engagement with patients and others affected by the study", kCheersNotAssessed, "", kReportOnly);
  if (model) {
    const size_t n = info->inputs.size();
    add("Study parameters", static_cast<size_t>(sourced_params) == n ? kCheersAnswered : kCheersPartly, "model",
        std::to_string(n) + " input parameters with base values, " + std::to_string(sampled) + " with distributions, " +
            std::to_string(sourced_params) + " with a source");
  } else {
    add("Study parameters", kCheersNotApplicable, "", no_model);
  }
  if (model) {
    const bool summary = analysis != nullptr && !analysis->results_summary().empty();
    add("Summary of main results", kCheersAnswered, summary ? "dossier, evaluation" : "evaluation",
        std::string("incremental cost, effect and ICER recomputed by the evaluation") +
            (summary ? "; the dossier's results_summary" : ""));
    add("Effect of uncertainty", e.psa_summary ? kCheersAnswered : (e.tornado.empty() ? kCheersNotAnswered : kCheersPartly),
        e.psa_summary || !e.tornado.empty() ? "evaluation" : "",
        e.psa_summary ? "CE plane, CEAC and CEAF, P(cost-effective) at each threshold" +
                            std::string(e.tornado.empty() ? "" : ", tornado")
                      : (e.tornado.empty() ? "no PSA and no one-way ranges" : "tornado only (no PSA)"));
  } else {
    add("Summary of main results", kCheersNotAnswered, "", no_model);
    add("Effect of uncertainty", kCheersNotAnswered, "", no_model);
  }
  add("Effect of engagement with patients and others affected by the study", kCheersNotAssessed, "", kReportOnly);
  add("Study findings, limitations, generalisability, and current knowledge", kCheersNotAssessed, "", kReportOnly);
  add("Source of funding", kCheersNotAssessed, "",
      "the dossier records the sponsor of each clinical study, not the funding of the economic analysis");
  {
    const int n = d.interest_declarations_size();
    add("Conflicts of interest", n > 0 ? kCheersPartly : kCheersNotAnswered, n > 0 ? "dossier" : "",
        std::to_string(n) + " interest declarations (the requesters'); the analysts' are not read");
  }
  return out;
}

}  // namespace vaglio::engine
