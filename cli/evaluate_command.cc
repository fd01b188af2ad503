// vaglio evaluate DOSSIER --criteria SET: the committee's evaluation record.
// vaglio assess DOSSIER --criteria SET: a manufacturer's self-assessment.
#include <ctime>
#include <memory>
#include <ostream>
#include <thread>

#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "engine/evaluation/assess.h"
#include "engine/evaluation/evaluate.h"
#include "engine/registry/audit.h"
#include "engine/report/report.h"

namespace vaglio::cli {
namespace {

struct EvaluateArgs {
  std::string dossier, criteria, scores, date, out_dir;
  std::string html;  // evaluate --report, assess --html
  std::string format = "json";
  int threads = 0;
  std::string registry, sign, supersedes;  // evaluate only
};

engine::EvaluateOptions Options(const EvaluateArgs& a) {
  engine::EvaluateOptions o;
  o.dossier = a.dossier;
  o.criteria = a.criteria;
  o.scores = a.scores;
  o.date = a.date;
  o.threads = a.threads > 0 ? a.threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  return o;
}

// Writes each (name, contents) into `dir`; every file or none is the aim, so the directory
// is made first and each file written atomically.
bool WriteOutputs(Context& ctx, const std::string& dir, const std::vector<std::pair<std::string, std::string>>& files) {
  std::string error;
  if (!ctx.fs.MakeDirectories(dir, &error)) {
    ctx.err << "vaglio: error: --out " << dir << ": " << error << "\n";
    return false;
  }
  for (const auto& [name, contents] : files) {
    if (!ctx.fs.Write(dir + "/" + name, contents, &error)) {
      ctx.err << "vaglio: error: --out " << dir << ": " << error << "\n";
      return false;
    }
  }
  return true;
}

int Evaluate(const EvaluateArgs& a, Context& ctx) {
  engine::Diagnostics diag;
  namespace reg = engine::registry;
  reg::AppendOptions ao;
  ao.supersedes = a.supersedes;
  std::string error;
  if (!a.sign.empty()) {
    if (a.registry.empty()) diag.Error("--sign", {}, "", "signs a registry record: give --registry FILE too");
    ao.key = reg::ReadKeyFile(ctx.fs, a.sign, &error);
    if (!ao.key) diag.Error("--sign", {}, "", error);
  }
  if (!a.supersedes.empty() && a.registry.empty()) {
    diag.Error("--supersedes", {}, "", "names a registry record: give --registry FILE too");
  }
  if (diag.has_errors()) return ReportInvalid(ctx, diag, "the command line");
  const engine::EvaluateOptions opts = Options(a);
  auto r = engine::Evaluate(ctx.fs, opts, &diag);
  if (!r) return ReportInvalid(ctx, diag, "the evaluation's inputs");
  const std::string json = engine::RecordJson(r->record);
  if (!a.registry.empty()) {
    auto store = reg::OpenStore(a.registry, true, &error);
    std::optional<reg::Entry> e;
    if (store) e = reg::AppendEvaluation(*store, *r, opts, ao, &error);
    if (!e) {
      ctx.err << "vaglio: error: " << error << "\n";
      return kExitInvalid;
    }
    ctx.err << "vaglio: stored evaluation " << e->record_id << " in " << a.registry << " (record " << e->seq << ", hash "
            << e->hash.substr(0, 16) << (ao.key ? ", signed by " + ao.key->pub.holder : std::string()) << ")\n";
  }
  if (!a.out_dir.empty() &&
      !WriteOutputs(ctx, a.out_dir, {{"record.json", json}, {"report.md", engine::RecordText(*r, true)}})) {
    return kExitInvalid;
  }
  if (!a.html.empty()) {
    engine::report::ReportData data;
    data.record = r->record;
    if (!ctx.fs.Write(a.html, engine::report::EvaluationHtml(data), &error)) {
      ctx.err << "vaglio: error: --report " << a.html << ": " << error << "\n";
      return kExitInvalid;
    }
  }
  if (a.format == "json") {
    ctx.out << json;
  } else {
    ctx.out << engine::RecordText(*r, a.format == "markdown");
  }
  return kExitOk;
}

// Today's date (UTC) for a self-assessment without --date; it is echoed in the output.
std::string Today() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[16];
  std::strftime(buf, sizeof buf, "%Y-%m-%d", &tm);
  return buf;
}

int Assess(const EvaluateArgs& a, Context& ctx) {
  engine::Diagnostics diag;
  engine::EvaluateOptions o = Options(a);
  o.committee = false;
  if (o.date.empty() && o.scores.empty()) o.date = Today();
  auto r = engine::Assess(ctx.fs, o, &diag);
  if (!r) return ReportInvalid(ctx, diag, "the evaluation's inputs");
  const std::string json = engine::AssessJson(*r);
  if (!a.out_dir.empty() &&
      !WriteOutputs(ctx, a.out_dir, {{"assessment.json", json}, {"assessment.md", engine::AssessText(*r, true)}})) {
    return kExitInvalid;
  }
  if (std::string error; !a.html.empty() && !ctx.fs.Write(a.html, engine::report::AssessHtml(*r), &error)) {
    ctx.err << "vaglio: error: --html " << a.html << ": " << error << "\n";
    return kExitInvalid;
  }
  if (a.format == "json") {
    ctx.out << json;
  } else {
    ctx.out << engine::AssessText(*r, a.format == "markdown");
  }
  return kExitOk;
}

void AddCommon(CLI::App* cmd, EvaluateArgs* a, const char* default_format) {
  cmd->add_option("DOSSIER", a->dossier, "dossier file (format: vaglio.dossier/1)")->required();
  cmd->add_option("--criteria", a->criteria, "the committee's criteria set (format: vaglio.criteria/1)")->required();
  cmd->add_option("--scores", a->scores, "members' scores (format: vaglio.scores/1)");
  cmd->add_option("--format", a->format, std::string("output format (default ") + default_format + ")")
      ->check(CLI::IsMember({"json", "text", "markdown"}));
  cmd->add_option("--out", a->out_dir, "also write the JSON and a Markdown report into this directory");
  cmd->add_option("--threads", a->threads, "threads for the PSA (default: all cores); results do not depend on it");
}

}  // namespace

void AddEvaluateCommand(CLI::App& app, Context& ctx, int* exit_code) {
  auto a = std::make_shared<EvaluateArgs>();
  CLI::App* cmd = app.add_subcommand("evaluate", "Evaluate a dossier against a criteria set: the evaluation record");
  AddCommon(cmd, a.get(), "json");
  cmd->add_option("--date", a->date, "evaluation date YYYY-MM-DD (default: the scores' meeting_date)");
  cmd->add_option("--registry", a->registry, "store the record with its inputs in this registry (file or postgresql:// URL)");
  cmd->add_option("--sign", a->sign, "sign the stored record with this key file (vaglio keygen)");
  cmd->add_option("--supersedes", a->supersedes, "the record_id of an earlier evaluation this one corrects");
  cmd->add_option("--report", a->html, "also write a self-contained HTML report with charts to this file");
  cmd->callback([a, &ctx, exit_code]() { *exit_code = Evaluate(*a, ctx); });
}

void AddAssessCommand(CLI::App& app, Context& ctx, int* exit_code) {
  auto a = std::make_shared<EvaluateArgs>();
  a->format = "text";
  CLI::App* cmd = app.add_subcommand("assess", "Self-assess a dossier before submitting: gaps, likely outcome, price");
  AddCommon(cmd, a.get(), "text");
  cmd->add_option("--date", a->date, "assessment date YYYY-MM-DD (default: the scores' meeting_date, else today, UTC)");
  cmd->add_option("--html", a->html, "also write the self-assessment as a self-contained HTML page to this file");
  cmd->callback([a, &ctx, exit_code]() { *exit_code = Assess(*a, ctx); });
}

}  // namespace vaglio::cli
