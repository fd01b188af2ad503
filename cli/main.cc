// vaglio: command-line entry. Each subcommand lives in its own file; this one only wires
// them up and maps failures to the documented exit codes.
#include <exception>
#include <iostream>

#include <CLI/CLI.hpp>

#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "engine/io.h"
#include "vaglio/version.h"

int main(int argc, char** argv) {
  using namespace vaglio::cli;
  vaglio::engine::DiskFileSystem fs;
  Context ctx{fs, std::cout, std::cerr};
  int exit_code = kExitOk;
  CLI::App app{"Vaglio: health technology assessment of medical devices"};
  app.set_version_flag("--version", std::string("vaglio ") + vaglio::kVersion + " (" + vaglio::kBuildId + ")");
  app.require_subcommand(1);
  AddRunCommand(app, ctx, &exit_code);
  AddCheckCommand(app, ctx, &exit_code);
  AddEvaluateCommand(app, ctx, &exit_code);
  AddAssessCommand(app, ctx, &exit_code);
  AddRegistryCommands(app, ctx, &exit_code);
  AddCompareCommand(app, ctx, &exit_code);
  AddReportCommand(app, ctx, &exit_code);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::cerr << "vaglio: error: " << e.what() << "\n(run 'vaglio --help' for usage)\n";
    return kExitInvalid;
  } catch (const std::exception& e) {
    std::cerr << "vaglio: internal error: " << e.what()
              << "\nThis is a bug in Vaglio; please report it with the input files.\n";
    return kExitInternal;
  }
  return exit_code;
}
