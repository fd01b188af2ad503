// vaglio report (RECORD.json | --registry FILE --record ID) --html OUT.html: the committee's
// HTML report of an evaluation record.
#include <filesystem>
#include <memory>
#include <ostream>

#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "engine/registry/store.h"
#include "engine/report/report.h"

namespace vaglio::cli {
namespace {

struct ReportArgs {
  std::string record_file, registry, record_id, html;
};

int Fail(Context& ctx, const std::string& message) {
  ctx.err << "vaglio: error: " << message << "\n";
  return kExitInvalid;
}

int Report(const ReportArgs& a, Context& ctx) {
  if (a.record_file.empty() && a.registry.empty()) return Fail(ctx, "give a record file (RECORD.json) or --registry FILE --record ID");
  if (!a.record_file.empty() && !a.registry.empty()) {
    return Fail(ctx, "give a record file (RECORD.json) or --registry FILE --record ID, not both");
  }
  if (!a.registry.empty() && a.record_id.empty()) return Fail(ctx, "--registry needs --record ID (vaglio history lists them)");
  if (a.registry.empty() && !a.record_id.empty()) return Fail(ctx, "--record needs --registry FILE");
  std::string error;
  std::optional<engine::report::ReportData> data;
  if (!a.record_file.empty()) {
    const auto text = ctx.fs.Read(a.record_file, &error);
    if (!text) return Fail(ctx, a.record_file + ": " + error);
    data = engine::report::ReportFromJson(*text, &error);
    if (!data) return Fail(ctx, a.record_file + ": " + error);
  } else {
    if (a.registry.find("://") == std::string::npos && !std::filesystem::exists(a.registry)) {
      return Fail(ctx, a.registry + ": no such registry");
    }
    auto store = engine::registry::OpenStore(a.registry, false, &error);
    if (!store) return Fail(ctx, error);
    data = engine::report::ReportFromRegistry(*store, a.registry, a.record_id, &error);
    if (!data) return Fail(ctx, error);
  }
  if (!ctx.fs.Write(a.html, engine::report::EvaluationHtml(*data), &error)) return Fail(ctx, "--html " + a.html + ": " + error);
  ctx.err << "vaglio: wrote the report of record " << data->record.record_id() << " to " << a.html << "\n";
  return kExitOk;
}

}  // namespace

void AddReportCommand(CLI::App& app, Context& ctx, int* exit_code) {
  auto a = std::make_shared<ReportArgs>();
  CLI::App* cmd = app.add_subcommand("report", "A self-contained HTML report of an evaluation record, with charts");
  cmd->add_option("RECORD", a->record_file, "an evaluation record (JSON, as printed by vaglio evaluate)");
  cmd->add_option("--registry", a->registry, "read the record from this registry (file or postgresql:// URL)");
  cmd->add_option("--record", a->record_id, "the record_id of an evaluation or a decision in the registry");
  cmd->add_option("--html", a->html, "write the HTML page to this file")->required();
  cmd->callback([a, &ctx, exit_code]() { *exit_code = Report(*a, ctx); });
}

}  // namespace vaglio::cli
