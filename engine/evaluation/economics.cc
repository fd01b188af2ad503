#include "engine/evaluation/economics.h"

#include <boost/math/tools/toms748_solve.hpp>

#include <algorithm>
#include <cmath>

#include "models/dsa.h"
#include "models/incremental.h"
#include "models/sampler.h"
#include "models/text.h"

namespace vaglio::engine {
namespace {

namespace sc = vaglio::schemas;

int StrategyIndex(const models::ModelInfo& info, const std::string& name) {
  auto it = std::find(info.strategies.begin(), info.strategies.end(), name);
  return it == info.strategies.end() ? -1 : static_cast<int>(it - info.strategies.begin());
}

models::CostBasis Basis(const std::string& b) {
  if (b == "per_procedure") return models::CostBasis::kPerProcedure;
  if (b == "per_patient") return models::CostBasis::kPerPatient;
  if (b == "one_off") return models::CostBasis::kOneOff;
  return models::CostBasis::kPerYear;
}

// The budget impact of the dossier's costs and volumes, in the committee's currency.
bool RunBia(const LoadedDossier& d, const LoadedCriteria& cs, EconomicsResult* r, Diagnostics* diag) {
  const sc::Dossier& ds = d.proto;
  if (ds.costs_size() == 0 || ds.volumes_size() == 0) return true;  // a completeness matter
  const std::string currency = cs.proto.parameters().currency().empty() ? "EUR" : cs.proto.parameters().currency();
  models::BiaInputs in;
  in.horizon_years = cs.proto.parameters().bia_horizon_years();
  const bool lent = ds.acquisition_mode() == "free_loan_with_consumables" || ds.acquisition_mode() == "donation" ||
                    ds.acquisition_mode() == "trial";
  bool ok = true;
  for (int i = 0; i < ds.costs_size(); ++i) {
    const sc::CostItem& c = ds.costs(i);
    const std::string path = IndexPath("costs", static_cast<size_t>(i));
    if (!c.unit_cost().currency().empty() && c.unit_cost().currency() != currency) {
      diag->Error(d.file, d.map.Find(path + ".unit_cost"), path + ".unit_cost",
                  "is in " + c.unit_cost().currency() + ", but the criteria set's budget is in " + currency);
      ok = false;
      continue;
    }
    if (lent && c.category() == "purchase" && c.applies_to() != "comparator") {
      r->flags.push_back("cost item " + (c.id().empty() ? path : c.id()) + " (purchase) is not a cost to the hospital under acquisition mode " +
                         ds.acquisition_mode());
      continue;
    }
    models::BiaCostItem item;
    item.id = path;
    item.intervention = c.applies_to() != "comparator";
    item.unit_cost = c.unit_cost().amount();
    item.quantity = c.has_quantity() ? c.quantity() : 1.0;
    item.basis = Basis(c.basis());
    item.years.assign(c.years().begin(), c.years().end());
    in.items.push_back(item);
  }
  for (const sc::Volume& v : ds.volumes()) {
    in.volumes.push_back({v.has_year() ? v.year() : 1, static_cast<double>(v.patients()), static_cast<double>(v.procedures()),
                          v.comparator_displaced_pct() / 100.0});
  }
  if (ds.reimbursement().has_extra_tariff_cost() && ds.reimbursement().extra_tariff_cost()) {
    in.extra_tariff_per_procedure = ds.reimbursement().tariff().amount();
  }
  if (!ok) return false;
  auto bia = models::BudgetImpact(in);
  if (!bia.ok()) {
    for (const models::Issue& i : bia.status().issues()) {
      diag->Error(d.file, d.map.Find(i.path), i.path, i.message);
    }
    return false;
  }
  r->bia = bia.value();
  r->has_bia = true;
  for (int y : r->bia.carried_years) {
    r->flags.push_back("no volumes for budget year " + std::to_string(y) + ": the previous year's were used");
  }
  return true;
}

}  // namespace

std::optional<EconomicsResult> RunEconomics(const FileSystem& fs, const LoadedDossier& dossier,
                                            const LoadedCriteria& criteria, int threads, Diagnostics* diag) {
  EconomicsResult r;
  const sc::CriteriaParameters& params = criteria.proto.parameters();
  const std::string currency = params.currency().empty() ? "EUR" : params.currency();
  const size_t errors = diag->size();
  // On a problem with the costs, the model's problems are still looked for below.
  const bool bia_ok = RunBia(dossier, criteria, &r, diag);
  const sc::EconomicAnalysis* analysis = nullptr;
  int index = -1;
  for (int i = 0; i < dossier.proto.economic_analyses_size(); ++i) {
    if (!dossier.proto.economic_analyses(i).model().empty()) {
      analysis = &dossier.proto.economic_analyses(i);
      index = i;
      break;
    }
  }
  if (analysis == nullptr) {  // no model: the economics criteria are scored as missing
    if (!bia_ok) return std::nullopt;
    return r;
  }
  const std::string apath = IndexPath("economic_analyses", static_cast<size_t>(index));
  auto located = [&](const std::string& key, std::string msg) {
    const std::string p = JoinPath(apath, key);
    diag->Error(dossier.file, dossier.map.Find(p), p, std::move(msg));
  };
  LoadOptions opts;
  opts.discount_costs = params.discount_rate_costs();
  opts.discount_outcomes = params.discount_rate_outcomes();
  const std::string model_file = ResolveRelative(dossier.file, analysis->model());
  if (std::string why; !fs.Read(model_file, &why)) {
    located("model", "cannot read '" + model_file + "': " + why);
    return std::nullopt;
  }
  auto model = LoadModel(fs, model_file, diag, opts);
  if (!model) return std::nullopt;
  const models::ModelInfo& info = model->model->info();
  r.has_model = true;
  if (info.strategies.size() < 2) {
    located("model", "the model has one strategy, but a device must be compared with a comparator");
    return std::nullopt;
  }
  r.device = analysis->device_strategy().empty() ? info.strategies.back() : analysis->device_strategy();
  r.comparator = analysis->comparator_strategy().empty() ? info.strategies.front() : analysis->comparator_strategy();
  r.device_index = StrategyIndex(info, r.device);
  r.comparator_index = StrategyIndex(info, r.comparator);
  for (const auto& [key, name, idx] : {std::tuple{"device_strategy", r.device, r.device_index},
                                       std::tuple{"comparator_strategy", r.comparator, r.comparator_index}}) {
    if (idx < 0) {
      located(key, "'" + name + "' is not a strategy of the model" + models::DidYouMeanSuffix(name, info.strategies) +
                       "; its strategies are " + models::QuotedList(info.strategies));
    }
  }
  if (r.device_index >= 0 && r.device_index == r.comparator_index) {
    located(analysis->comparator_strategy().empty() ? (analysis->device_strategy().empty() ? "model" : "device_strategy")
                                                    : "comparator_strategy",
            "'" + r.device + "' is both the device and the comparator strategy, but the device must be compared with "
            "another strategy; the model's strategies are " + models::QuotedList(info.strategies));
  }
  if (info.currency == currency && analysis->has_exchange_rate() && analysis->exchange_rate() != 1.0) {
    // The rate would multiply costs already in the committee's currency.
    located("exchange_rate", "is " + models::FormatNumber(analysis->exchange_rate()) + ", but the model's costs are already in " +
                                 currency + " (give no exchange_rate, or 1)");
  } else if (info.currency.empty() || info.currency == currency) {
    r.exchange_rate = analysis->has_exchange_rate() ? analysis->exchange_rate() : 1.0;
  } else if (!analysis->has_exchange_rate()) {
    located("model", "the model's costs are in " + info.currency + " and the committee's thresholds in " + currency +
                         ", but no exchange_rate converts them");
  } else {
    r.exchange_rate = analysis->exchange_rate();
  }
  r.price_parameter = analysis->price_parameter();
  int price_input = -1;
  if (!r.price_parameter.empty()) {
    for (size_t i = 0; i < info.inputs.size(); ++i) {
      if (info.inputs[i].name == r.price_parameter) price_input = static_cast<int>(i);
    }
    const auto& names = info.parameter_names;
    if (price_input < 0 && std::find(names.begin(), names.end(), r.price_parameter) != names.end()) {
      located("price_parameter", "'" + r.price_parameter + "' is a formula of the model, but the price must be a "
                                     "parameter whose value is a number");
    } else if (price_input < 0) {
      located("price_parameter", "'" + r.price_parameter + "' is not a parameter of the model whose value is a number" +
                                     models::DidYouMeanSuffix(r.price_parameter, names));
    }
  }
  if (diag->size() != errors) return std::nullopt;

  auto bc = RunBaseCase(*model, {}, diag);
  if (!bc) return std::nullopt;
  const int e = bc->effect_value;
  r.effect = e < 0 ? "" : info.values[static_cast<size_t>(e)].name;
  const int d = r.device_index, c = r.comparator_index;
  const double rate = r.exchange_rate;
  r.delta_cost = rate * (bc->outcome.value(d, info.cost_value) - bc->outcome.value(c, info.cost_value));
  r.delta_effect = bc->outcome.effect(d, e) - bc->outcome.effect(c, e);
  const double dc = r.delta_cost, de = r.delta_effect;
  if (de > 0 && dc > 0) {
    r.status = "more_costly_more_effective";
  } else if (de >= 0 && dc <= 0 && (de > 0 || dc < 0)) {
    r.status = "dominant";
  } else if (de <= 0 && dc >= 0 && (de < 0 || dc > 0)) {
    r.status = "dominated";
  } else if (de < 0 && dc < 0) {
    r.status = "less_costly_less_effective";
  } else {
    r.status = "equal";
  }
  if (de != 0 && (r.status == "more_costly_more_effective" || r.status == "less_costly_less_effective")) r.icer = dc / de;

  // PSA with the committee's number of draws and seed, when the model has uncertainty.
  const int draws = params.has_psa_draws() ? params.psa_draws() : 0;
  if (draws >= 2) {
    auto sampler = models::Sampler::Make(info);
    if (sampler.ok() && !sampler.value().sampled().empty()) {
      const models::Sampler& smp = sampler.value();
      const uint64_t seed = params.has_psa_seed() ? params.psa_seed() : 1;
      models::DrawSource src;
      src.inputs = smp.sampled();
      src.count = draws;
      src.fill = [&smp, seed](int64_t i, std::span<double> x) { smp.Draw(seed, static_cast<uint64_t>(i), x); };
      models::PsaOptions po;
      po.threads = threads;
      po.effect_value = e;
      po.keep_draws = true;
      auto psa = models::RunPsa(*model->model, src, po);
      if (!psa.ok()) {
        ReportModelIssues(*model, psa.status().issues(), diag);
        return std::nullopt;
      }
      r.psa = std::move(psa).value();
    }
  }
  // The device's price at which its incremental net benefit is zero, by TOMS 748 in
  // [0, 10 x the base price] (the price is in the model's currency).
  std::unique_ptr<models::Evaluator> price_ev;
  if (price_input >= 0) {
    auto ev = model->model->NewEvaluator({price_input});
    if (ev.ok()) price_ev = std::move(ev).value();
  }
  for (const sc::Threshold& t : params.wtp_thresholds()) {
    ThresholdResult tr;
    tr.label = t.label();
    tr.wtp = t.value();
    tr.inmb = tr.wtp * de - dc;
    if (r.psa) {
      const models::PsaResult& p = *r.psa;
      const int S = p.num_strategies;
      int64_t wins = 0;
      for (int64_t i = 0; i < p.n; ++i) {
        const double nb_d = tr.wtp * p.effects[static_cast<size_t>(i * S + d)] - rate * p.costs[static_cast<size_t>(i * S + d)];
        const double nb_c = tr.wtp * p.effects[static_cast<size_t>(i * S + c)] - rate * p.costs[static_cast<size_t>(i * S + c)];
        wins += nb_d > nb_c;
      }
      tr.p_ce = static_cast<double>(wins) / static_cast<double>(p.n);
    }
    if (price_ev) {
      auto inmb = [&](double price) {
        models::Outcome o;
        const double x[] = {price};
        if (!price_ev->Evaluate(x, &o).ok()) return std::nan("");
        return tr.wtp * (o.effect(d, e) - o.effect(c, e)) - rate * (o.value(d, info.cost_value) - o.value(c, info.cost_value));
      };
      const double base = info.inputs[static_cast<size_t>(price_input)].base;
      r.device_price = base;
      const double lo = 0, hi = std::max(10 * base, 1.0);
      const double flo = inmb(lo), fhi = inmb(hi);
      if (std::isfinite(flo) && std::isfinite(fhi) && flo * fhi <= 0) {
        if (flo == 0) {
          tr.price_threshold = lo;
        } else if (fhi == 0) {
          tr.price_threshold = hi;
        } else {
          boost::uintmax_t iters = 200;
          auto tol = [](double a, double b) { return std::fabs(b - a) <= models::kThresholdRelTol * std::max(std::fabs(a), std::fabs(b)); };
          const auto [a, b] = boost::math::tools::toms748_solve(inmb, lo, hi, flo, fhi, tol, iters);
          tr.price_threshold = (a + b) / 2;
        }
      }
    }
    r.thresholds.push_back(tr);
  }
  if (r.psa) {
    std::vector<double> wtps;
    for (const sc::Threshold& t : params.wtp_thresholds()) wtps.push_back(t.value());
    r.psa_summary = SummarisePsa(*r.psa, d, c, rate, CeacGrid(wtps));
  }
  if (params.wtp_thresholds_size() > 0) {
    r.tornado_label = params.wtp_thresholds(0).label();
    r.tornado_wtp = params.wtp_thresholds(0).value();
  }
  // A parameter's range may take the model outside its domain (a row no longer summing
  // to 1): the tornado is then left out and flagged, the evaluation goes on.
  Diagnostics tornado_diag;
  if (auto tornado = RunTornado(*model, d, c, e, rate, r.tornado_wtp, &tornado_diag)) {
    r.tornado = std::move(*tornado);
  } else if (!tornado_diag.items().empty()) {
    r.flags.push_back("no tornado: " + tornado_diag.items().front().message);
  }
  r.model = std::move(model);
  return r;
}

}  // namespace vaglio::engine
