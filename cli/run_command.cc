// vaglio run MODEL: base case, incremental analysis, net monetary benefit; with options,
// PSA, value of information, DSA and threshold analysis.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <memory>
#include <mutex>
#include <optional>
#include <ostream>
#include <sstream>
#include <thread>

#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "engine/load/model_loader.h"
#include "engine/run.h"
#include "engine/uncertainty.h"
#include "engine/wtp.h"
#include "models/number.h"
#include "models/text.h"

namespace vaglio::cli {
namespace {

struct RunArgs {
  std::string model;
  std::string format = "text";
  bool trace = false;
  std::string wtp;
  std::string effect;
  int64_t psa = 0;
  uint64_t seed = 1;
  int threads = 0;
  std::string draws;
  std::string export_dir;
  std::vector<std::string> evppi;
  double population = 0;
  int years = 0;
  std::optional<double> population_discount;
  bool ce_plane = false;
  bool dsa = false;
  std::string dsa2;
  int dsa2_points = 11;
  std::string threshold;
  std::string range;
  std::string comparator;
  std::string scenario;
  bool quiet = false;
};

std::vector<std::string> SplitComma(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream ss(s);
  std::string item;
  while (std::getline(ss, item, ',')) {
    if (!item.empty()) out.push_back(item);
  }
  return out;
}

// A progress bar on stderr for runs that last more than a second, when stderr is a terminal.
class Progress {
 public:
  explicit Progress(std::ostream& err, bool enabled) : err_(err), enabled_(enabled), start_(Clock::now()) {}
  ~Progress() {
    if (shown_) err_ << "\r" << std::string(60, ' ') << "\r" << std::flush;
  }
  void Update(int64_t done, int64_t total) {
    if (!enabled_) return;
    const auto now = Clock::now();
    if (now - start_ < std::chrono::seconds(1) || now - last_ < std::chrono::milliseconds(100)) return;
    last_ = now;
    shown_ = true;
    const int width = 40;
    const int filled = static_cast<int>(width * static_cast<double>(done) / static_cast<double>(std::max<int64_t>(1, total)));
    err_ << "\r[" << std::string(static_cast<size_t>(filled), '#') << std::string(static_cast<size_t>(width - filled), ' ')
         << "] " << done << "/" << total << std::flush;
  }

 private:
  using Clock = std::chrono::steady_clock;
  std::ostream& err_;
  bool enabled_;
  Clock::time_point start_, last_;
  bool shown_ = false;
};

int Run(const RunArgs& a, Context& ctx) {
  engine::Diagnostics diag;
  engine::RunOptions opts;
  opts.trace = a.trace;
  opts.effect = a.effect;
  if (!a.wtp.empty()) {
    std::string err;
    if (!engine::ParseWtpList(a.wtp, &opts.wtp, &err)) diag.Error("--wtp", {}, "", err);
  }
  engine::UncertaintyOptions u;
  u.psa = a.psa;
  u.seed = a.seed;
  u.draws_file = a.draws;
  u.threads = a.threads > 0 ? a.threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  u.export_dir = a.export_dir;
  for (const std::string& g : a.evppi) u.evppi.push_back(SplitComma(g));
  u.population = a.population;
  u.years = a.years;
  if (a.population_discount) {
    if (!(*a.population_discount >= 0 && *a.population_discount <= 1)) {
      diag.Error("--population-discount", {}, "", "found " + models::FormatNumber(*a.population_discount) +
                                                      ", but must be an annual rate in [0, 1]");
    }
    u.population_discount = a.population_discount;
  }
  u.ce_plane = a.ce_plane;
  u.dsa = a.dsa;
  u.dsa2 = SplitComma(a.dsa2);
  u.dsa2_points = a.dsa2_points;
  u.threshold = a.threshold;
  u.comparator = a.comparator;
  if (!a.range.empty()) {
    const size_t colon = a.range.find(':');
    auto lo = models::ParseNumber(a.range.substr(0, colon));
    auto hi = colon == std::string::npos ? std::nullopt : models::ParseNumber(a.range.substr(colon + 1));
    if (!lo || !hi) {
      diag.Error("--range", {}, "", "found '" + a.range + "', but must be LOW:HIGH");
    } else {
      u.threshold_range = std::make_pair(*lo, *hi);
    }
  }
  if (a.psa < 0 || a.psa == 1) diag.Error("--psa", {}, "", "found " + std::to_string(a.psa) + ", but PSA needs at least 2 draws");
  if (a.psa > 0 && !a.draws.empty()) diag.Error("--draws", {}, "", "--psa samples draws and --draws reads them: give one of the two");
  const bool psa = a.psa > 0 || !a.draws.empty();
  if (!psa && (!a.export_dir.empty() || !a.evppi.empty() || a.ce_plane)) {
    diag.Error("--psa", {}, "", "--export-draws, --evppi and --ce-plane need draws: give --psa N or --draws FILE");
  }
  if ((a.population > 0) != (a.years > 0)) {
    diag.Error("--population", {}, "", "population EVPI needs both --population and --years");
  }
  engine::LoadOptions load;
  load.scenario = a.scenario;
  auto loaded = engine::LoadModel(ctx.fs, a.model, &diag, load);
  if (!loaded || diag.has_errors()) return ReportInvalid(ctx, diag, a.model);
  auto bc = engine::RunBaseCase(*loaded, opts, &diag);
  if (!bc) return ReportInvalid(ctx, diag, a.model);

  std::optional<engine::PsaRun> psa_run;
  if (psa) {
    auto progress = std::make_shared<Progress>(ctx.err, !a.quiet && isatty(STDERR_FILENO));
    u.progress = [progress](int64_t done, int64_t total) { progress->Update(done, total); };
    psa_run = engine::RunPsaAnalysis(*loaded, ctx.fs, ctx.fs, u, opts, bc->effect_value, &diag);
    u.progress = nullptr;
    if (!psa_run) return ReportInvalid(ctx, diag, a.model);
    if (!psa_run->ignored_columns.empty()) {
      std::string cols;
      for (const auto& c : psa_run->ignored_columns) cols += (cols.empty() ? "" : ", ") + c;
      ctx.err << "vaglio: note: columns of " << a.draws << " that name no parameter were not used: " << cols << "\n";
    }
  }
  std::optional<engine::DsaRun> dsa_run;
  if (a.dsa || !a.dsa2.empty() || !a.threshold.empty()) {
    dsa_run = engine::RunDsaAnalysis(*loaded, u, opts, *bc, &diag);
    if (!dsa_run) return ReportInvalid(ctx, diag, a.model);
  }

  if (a.format == "json") {
    engine::Json j = engine::BaseCaseJson(*loaded, *bc, opts);
    if (psa_run) j["psa"] = engine::PsaJson(*loaded, *psa_run, u, bc->effect_value);
    if (dsa_run) engine::AddDsaJson(*loaded, *dsa_run, opts, *bc, u, &j);
    ctx.out << j.dump(2) << "\n";
  } else {
    ctx.out << engine::BaseCaseText(*loaded, *bc, opts);
    if (psa_run) ctx.out << engine::PsaText(*loaded, *psa_run, u, bc->effect_value);
    if (dsa_run) ctx.out << engine::DsaText(*loaded, *dsa_run, opts, *bc, u);
  }
  return kExitOk;
}

}  // namespace

void AddRunCommand(CLI::App& app, Context& ctx, int* exit_code) {
  auto a = std::make_shared<RunArgs>();
  CLI::App* cmd = app.add_subcommand("run", "Run a model: base case, incremental analysis, uncertainty");
  cmd->add_option("MODEL", a->model, "model file (format: vaglio.model/1)")->required();
  cmd->add_option("--format", a->format, "output format")->check(CLI::IsMember({"text", "json"}));
  cmd->add_flag("--trace", a->trace, "include the cohort trace (state occupancy per cycle)");
  cmd->add_option("--wtp", a->wtp, "willingness-to-pay values: a list 20000,30000 or a grid 0:50000:1000");
  cmd->add_option("--effect", a->effect, "the effect value for ICERs (default: the first effect)");
  cmd->add_option("--psa", a->psa, "probabilistic sensitivity analysis with N sampled draws");
  cmd->add_option("--seed", a->seed, "seed of the PSA draws (default 1)");
  cmd->add_option("--threads", a->threads, "threads for the PSA (default: all cores); results do not depend on it");
  cmd->add_option("--draws", a->draws, "evaluate the parameter draws of this CSV file instead of sampling");
  cmd->add_option("--export-draws", a->export_dir, "write parameters.csv, costs.csv, effects.csv to this directory");
  cmd->add_option("--evppi", a->evppi, "EVPPI of a parameter or group p1,p2 (repeatable; 'each' for every parameter)")
      ->allow_extra_args(false);
  cmd->add_option("--population", a->population, "patients per year, for population EVPI");
  cmd->add_option("--years", a->years, "years of decisions, for population EVPI");
  cmd->add_option("--population-discount", a->population_discount, "annual discount of population EVPI (default: the cost rate)");
  cmd->add_flag("--ce-plane", a->ce_plane, "include every draw's increments vs the first strategy in the JSON");
  cmd->add_flag("--dsa", a->dsa, "one-way sensitivity analysis over every parameter with a range or distribution");
  cmd->add_option("--dsa2", a->dsa2, "two-way sensitivity analysis of p1,p2");
  cmd->add_option("--dsa2-points", a->dsa2_points, "grid points per parameter of --dsa2 (default 11)");
  cmd->add_option("--threshold", a->threshold, "find where the best strategy changes as this parameter varies (at each --wtp)");
  cmd->add_option("--range", a->range, "range LOW:HIGH searched by --threshold (default: the parameter's range)");
  cmd->add_option("--comparator", a->comparator, "comparator of increments in DSA (default: the reference strategy)");
  cmd->add_option("--scenario", a->scenario, "apply a scenario of the model (its parameter definitions replace the model's)");
  cmd->add_flag("--quiet", a->quiet, "no progress bar");
  cmd->callback([a, &ctx, exit_code]() { *exit_code = Run(*a, ctx); });
}

}  // namespace vaglio::cli
