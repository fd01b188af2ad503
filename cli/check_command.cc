// vaglio check MODEL: validation plus model diagnostics.
#include <memory>
#include <ostream>

#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "engine/check.h"
#include "engine/load/model_loader.h"

namespace vaglio::cli {
namespace {

int Check(const std::string& path, const std::string& scenario, Context& ctx) {
  engine::Diagnostics diag;
  engine::LoadOptions load;
  load.scenario = scenario;
  auto loaded = engine::LoadModel(ctx.fs, path, &diag, load);
  if (!loaded) return ReportInvalid(ctx, diag, path);
  auto found = engine::CheckModel(*loaded, &diag);
  if (!found) return ReportInvalid(ctx, diag, path);
  engine::Diagnostics findings;
  size_t errors = 0, warnings = 0;
  for (engine::Diagnostic& d : *found) {
    (d.warning ? warnings : errors) += 1;
    findings.Add(std::move(d));
  }
  ctx.out << findings.Format();
  ctx.out << "vaglio check: " << path << ": " << errors << (errors == 1 ? " error, " : " errors, ")
          << warnings << (warnings == 1 ? " warning" : " warnings") << "\n";
  return errors > 0 ? kExitCheckFailed : kExitOk;
}

}  // namespace

void AddCheckCommand(CLI::App& app, Context& ctx, int* exit_code) {
  auto path = std::make_shared<std::string>();
  auto scenario = std::make_shared<std::string>();
  CLI::App* cmd = app.add_subcommand("check", "Validate a model and report model diagnostics");
  cmd->add_option("MODEL", *path, "model file (format: vaglio.model/1)")->required();
  cmd->add_option("--scenario", *scenario, "apply a scenario of the model");
  cmd->callback([path, scenario, &ctx, exit_code]() { *exit_code = Check(*path, *scenario, ctx); });
}

}  // namespace vaglio::cli
