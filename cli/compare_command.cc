// vaglio compare REGISTRY...: one device's evaluations across hospitals.
#include <unistd.h>

#include <memory>
#include <ostream>
#include <thread>

#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "engine/registry/compare.h"

namespace vaglio::cli {
namespace {

namespace reg = vaglio::engine::registry;

struct CompareArgs {
  std::vector<std::string> registries;
  std::string device, dossier;
  std::string format = "text";
  int threads = 0;
};

int Compare(const CompareArgs& a, Context& ctx) {
  std::vector<reg::NamedStore> stores;
  for (const std::string& r : a.registries) {
    std::string error;
    if (r.find("://") == std::string::npos && access(r.c_str(), F_OK) != 0) {
      ctx.err << "vaglio: error: " << r << ": no such registry\n";
      return kExitInvalid;
    }
    auto s = reg::OpenStore(r, false, &error);
    if (!s) {
      ctx.err << "vaglio: error: " << error << "\n";
      return kExitInvalid;
    }
    stores.push_back({r, std::move(s)});
  }
  reg::CompareOptions o;
  o.device = a.device;
  o.dossier = a.dossier;
  o.threads = a.threads > 0 ? a.threads
                            : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  std::string error;
  auto j = reg::Compare(stores, o, &error);
  if (!j) {
    ctx.err << "vaglio: error: " << error << "\n";
    return kExitInvalid;
  }
  // Text from the stored files that is not UTF-8 is printed as U+FFFD rather than failing.
  ctx.out << (a.format == "json"
                  ? j->dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n"
                  : reg::CompareText(*j));
  return kExitOk;
}

}  // namespace

void AddCompareCommand(CLI::App& app, Context& ctx, int* exit_code) {
  auto a = std::make_shared<CompareArgs>();
  CLI::App* cmd = app.add_subcommand(
      "compare", "Compare one device's evaluations across hospitals' registries");
  cmd->add_option("REGISTRY", a->registries, "registries (files or postgresql:// URLs)")
      ->required();
  cmd->add_option("--device", a->device,
                  "the device: RDM number or CND code (needed when the registries hold several)");
  cmd->add_option("--dossier", a->dossier, "only evaluations of this dossier id");
  cmd->add_option("--format", a->format, "output format")->check(CLI::IsMember({"text", "json"}));
  cmd->add_option("--threads", a->threads, "threads for re-run PSA (default: all cores)");
  cmd->callback([a, &ctx, exit_code]() { *exit_code = Compare(*a, ctx); });
}

}  // namespace vaglio::cli
