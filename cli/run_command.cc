// vaglio run MODEL: base case, incremental analysis, net monetary benefit.
#include <memory>
#include <ostream>

#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "engine/load/model_loader.h"
#include "engine/run.h"
#include "engine/wtp.h"

namespace vaglio::cli {
namespace {

struct RunArgs {
  std::string model;
  std::string format = "text";
  bool trace = false;
  std::string wtp;
  std::string effect;
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
  auto loaded = engine::LoadModel(ctx.fs, a.model, &diag);
  if (!loaded || diag.has_errors()) return ReportInvalid(ctx, diag, a.model);
  auto bc = engine::RunBaseCase(*loaded, opts, &diag);
  if (!bc) return ReportInvalid(ctx, diag, a.model);
  if (a.format == "json") {
    ctx.out << engine::BaseCaseJson(*loaded, *bc, opts).dump(2) << "\n";
  } else {
    ctx.out << engine::BaseCaseText(*loaded, *bc, opts);
  }
  return kExitOk;
}

}  // namespace

void AddRunCommand(CLI::App& app, Context& ctx, int* exit_code) {
  auto args = std::make_shared<RunArgs>();
  CLI::App* cmd = app.add_subcommand("run", "Run a model: base case, incremental analysis, net benefit");
  cmd->add_option("MODEL", args->model, "model file (format: vaglio.model/1)")->required();
  cmd->add_option("--format", args->format, "output format")->check(CLI::IsMember({"text", "json"}));
  cmd->add_flag("--trace", args->trace, "include the cohort trace (state occupancy per cycle)");
  cmd->add_option("--wtp", args->wtp, "willingness-to-pay values: a list 20000,30000 or a grid 0:50000:1000");
  cmd->add_option("--effect", args->effect, "the effect value for ICERs (default: the first effect)");
  cmd->callback([args, &ctx, exit_code]() { *exit_code = Run(*args, ctx); });
}

}  // namespace vaglio::cli
