#ifndef VAGLIO_CLI_COMMANDS_H_
#define VAGLIO_CLI_COMMANDS_H_

#include <iosfwd>
#include <string>

#include <CLI/CLI.hpp>

#include "engine/diagnostics.h"
#include "engine/io.h"

namespace vaglio::cli {

/// Where a command reads and writes.
struct Context {
  engine::FileSystem& fs;
  std::ostream& out;
  std::ostream& err;
};

/// Prints every diagnostic, then "vaglio: error: <summary>"; returns kExitInvalid.
int ReportInvalid(const Context& ctx, const engine::Diagnostics& diag, const std::string& what);

/// Each adds its subcommand to `app`; the subcommand's callback stores its exit code.
void AddRunCommand(CLI::App& app, Context& ctx, int* exit_code);
void AddCheckCommand(CLI::App& app, Context& ctx, int* exit_code);
void AddEvaluateCommand(CLI::App& app, Context& ctx, int* exit_code);
void AddAssessCommand(CLI::App& app, Context& ctx, int* exit_code);
void AddRegistryCommands(CLI::App& app, Context& ctx, int* exit_code);
void AddCompareCommand(CLI::App& app, Context& ctx, int* exit_code);
void AddReportCommand(CLI::App& app, Context& ctx, int* exit_code);

}  // namespace vaglio::cli

#endif  // VAGLIO_CLI_COMMANDS_H_
