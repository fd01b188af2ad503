// The registry's commands: keygen, record, verify, history, export, import.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <ostream>
#include <thread>

#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "engine/registry/audit.h"
#include "engine/registry/keys.h"
#include "engine/registry/store.h"

namespace vaglio::cli {
namespace {

namespace reg = vaglio::engine::registry;

constexpr const char* kDefaultRegistry = "vaglio.db";

int Fail(Context& ctx, const std::string& message) {
  ctx.err << "vaglio: error: " << message << "\n";
  return kExitInvalid;
}

std::unique_ptr<reg::Store> Open(Context& ctx, const std::string& url, bool create) {
  std::string error;
  if (!create && url.find("://") == std::string::npos && access(url.c_str(), F_OK) != 0) {
    ctx.err << "vaglio: error: " << url << ": no such registry (give --registry FILE)\n";
    return nullptr;
  }
  auto store = reg::OpenStore(url, create, &error);
  if (!store) ctx.err << "vaglio: error: " << error << "\n";
  return store;
}

// Writes a new file readable by its owner only; refuses to replace one.
bool WriteNewPrivate(const std::string& path, const std::string& text, mode_t mode, std::string* error) {
  const int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL, mode);
  if (fd < 0) {
    *error = path + ": " + (errno == EEXIST ? "already exists (a key is never overwritten)" : std::strerror(errno));
    return false;
  }
  const bool ok = write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) && fsync(fd) == 0;
  close(fd);
  if (!ok) *error = path + ": cannot write";
  return ok;
}

int Keygen(const std::string& out, const std::string& holder, const std::string& role, Context& ctx) {
  const reg::KeyPair k = reg::GenerateKey(holder, role);
  std::string error;
  if (!WriteNewPrivate(out, reg::KeyFileJson(k), 0600, &error) ||
      !WriteNewPrivate(out + ".pub", reg::PublicKeyFileJson(k.pub), 0644, &error)) {
    return Fail(ctx, error);
  }
  ctx.out << "key " << k.pub.key_id << " for " << holder << " (" << role << "): secret key in " << out
          << " (keep it private), public key in " << out << ".pub\n";
  return kExitOk;
}

int Record(const std::string& decision, const std::string& registry, const std::string& key_file, Context& ctx) {
  reg::AppendOptions ao;
  std::string error;
  if (!key_file.empty()) {
    ao.key = reg::ReadKeyFile(ctx.fs, key_file, &error);
    if (!ao.key) return Fail(ctx, error);
  }
  auto store = Open(ctx, registry, false);
  if (!store) return kExitInvalid;
  engine::Diagnostics diag;
  auto e = reg::AppendDecision(*store, ctx.fs, decision, ao, &diag, &error);
  if (!e) return diag.has_errors() ? ReportInvalid(ctx, diag, decision) : Fail(ctx, error);
  ctx.out << "recorded decision " << e->record_id << " on evaluation " << e->refers_to << " in " << registry
          << " (record " << e->seq << ", hash " << e->hash.substr(0, 16) << ")\n";
  return kExitOk;
}

struct VerifyArgs {
  std::string registry = kDefaultRegistry;
  bool no_replay = false;
  std::vector<std::string> trust;
  int threads = 0;
  std::string format = "text";
};

int Verify(const VerifyArgs& a, Context& ctx) {
  reg::VerifyOptions vo;
  vo.replay = !a.no_replay;
  vo.threads = a.threads > 0 ? a.threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  for (const std::string& t : a.trust) {
    std::string error;
    auto k = reg::ReadPublicKeyFile(ctx.fs, t, &error);
    if (!k) return Fail(ctx, error);
    vo.trusted.push_back(*k);
  }
  auto store = Open(ctx, a.registry, false);
  if (!store) return kExitInvalid;
  const std::vector<reg::Entry> entries = store->Entries();
  const reg::VerifyReport rep = reg::Verify(*store, entries, vo);
  if (a.format == "json") {
    nlohmann::ordered_json j;
    j["registry"] = a.registry;
    j["ok"] = rep.ok();
    nlohmann::ordered_json recs = nlohmann::ordered_json::array();
    for (const reg::RecordCheck& r : rep.records) {
      recs.push_back({{"chain_id", r.entry->chain_id},
                      {"seq", r.entry->seq},
                      {"kind", r.entry->kind},
                      {"record_id", r.entry->record_id},
                      {"ok", r.problems.empty()},
                      {"problems", r.problems},
                      {"notes", r.notes}});
    }
    j["records"] = recs;
    j["problems"] = rep.problems;
    ctx.out << j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
  } else {
    for (const reg::RecordCheck& r : rep.records) {
      const reg::Entry& e = *r.entry;
      ctx.out << (r.problems.empty() ? "OK    " : "FAIL  ") << e.chain_id.substr(0, 8) << ":" << e.seq << " " << e.kind << " "
              << e.record_id << " (" << e.dossier_id << ")";
      for (const std::string& n : r.notes) ctx.out << "; " << n;
      ctx.out << "\n";
      for (const std::string& p : r.problems) ctx.out << "      " << p << "\n";
    }
    for (const std::string& p : rep.problems) ctx.out << "FAIL  " << p << "\n";
    ctx.out << "vaglio verify: " << a.registry << ": " << rep.records.size() << " records, "
            << (rep.ok() ? "all verified" : "verification FAILED") << "\n";
  }
  return rep.ok() ? kExitOk : kExitCheckFailed;
}

struct HistoryArgs {
  std::string registry = kDefaultRegistry;
  std::string dossier, device;
  std::string format = "text";
};

int History(const HistoryArgs& a, Context& ctx) {
  auto store = Open(ctx, a.registry, false);
  if (!store) return kExitInvalid;
  const std::vector<reg::Entry> entries = store->Entries();
  std::map<std::string, std::string> superseded_by, decided_by;
  for (const reg::Entry& e : entries) {
    if (!e.supersedes.empty()) superseded_by[e.supersedes] = e.record_id;
    if (e.kind == "decision") decided_by[e.refers_to] = e.record_id;
  }
  nlohmann::ordered_json rows = nlohmann::ordered_json::array();
  for (const reg::Entry& e : entries) {
    if (!a.dossier.empty() && e.dossier_id != a.dossier) continue;
    if (!a.device.empty() && e.device_cnd != a.device && e.device_rdm != a.device) continue;
    const nlohmann::json body = nlohmann::json::parse(e.body, nullptr, false);
    std::string outcome;
    if (body.is_object()) {
      outcome = e.kind == "decision" ? body.value("final_outcome", "")
                                     : body.value("/proposed_outcome/outcome"_json_pointer, std::string());
    }
    rows.push_back({{"chain_id", e.chain_id},
                    {"seq", e.seq},
                    {"recorded_at", e.recorded_at},
                    {"kind", e.kind},
                    {"record_id", e.record_id},
                    {"dossier_id", e.dossier_id},
                    {"device_cnd", e.device_cnd},
                    {"device_rdm", e.device_rdm},
                    {"organisation", e.organisation},
                    {"outcome", outcome},
                    {"refers_to", e.refers_to},
                    {"supersedes", e.supersedes},
                    {"superseded_by", superseded_by.count(e.record_id) ? superseded_by[e.record_id] : ""},
                    {"decision", decided_by.count(e.record_id) ? decided_by[e.record_id] : ""},
                    {"hash", e.hash}});  // the head's is the value to anchor (docs/audit-format.md)
  }
  if (a.format == "json") {
    ctx.out << rows.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
    return kExitOk;
  }
  for (const auto& r : rows) {
    ctx.out << r["recorded_at"].get<std::string>() << "  " << r["chain_id"].get<std::string>().substr(0, 8) << ":"
            << r["seq"].get<int64_t>() << "  " << r["kind"].get<std::string>() << "  " << r["record_id"].get<std::string>()
            << "  " << r["dossier_id"].get<std::string>() << "  " << r["outcome"].get<std::string>();
    if (!r["refers_to"].get<std::string>().empty()) ctx.out << "  on " << r["refers_to"].get<std::string>();
    if (!r["superseded_by"].get<std::string>().empty()) ctx.out << "  superseded by " << r["superseded_by"].get<std::string>();
    if (!r["decision"].get<std::string>().empty()) ctx.out << "  decided by " << r["decision"].get<std::string>();
    ctx.out << "\n";
  }
  if (rows.empty()) ctx.out << "no records" << (a.dossier.empty() && a.device.empty() ? "" : " match") << "\n";
  return kExitOk;
}

int Export(const std::string& registry, const std::string& out, Context& ctx) {
  auto store = Open(ctx, registry, false);
  if (!store) return kExitInvalid;
  std::string error;
  if (!ctx.fs.Write(out, reg::ExportJson(*store), &error)) return Fail(ctx, out + ": " + error);
  ctx.out << "exported " << store->Entries().size() << " records of " << registry << " to " << out << "\n";
  return kExitOk;
}

int Import(const std::vector<std::string>& files, const std::string& registry, Context& ctx) {
  std::vector<reg::Contents> all;
  for (const std::string& f : files) {
    std::string error;
    auto text = ctx.fs.Read(f, &error);
    if (!text) return Fail(ctx, f + ": " + error);
    auto c = reg::ParseExport(*text, &error);
    if (!c || !reg::VerifyContents(*c, &error)) return Fail(ctx, f + ": " + error);
    all.push_back(std::move(*c));
  }
  // Every export verifies before the registry is opened, so a refused import creates nothing.
  auto store = Open(ctx, registry, true);
  if (!store) return kExitInvalid;
  for (size_t i = 0; i < files.size(); ++i) {
    std::string error;
    if (!reg::ImportContents(*store, all[i], &error)) return Fail(ctx, files[i] + ": " + error);
    ctx.out << "imported " << files[i] << " (" << all[i].entries.size() << " records) into " << registry << "\n";
  }
  return kExitOk;
}

}  // namespace

void AddRegistryCommands(CLI::App& app, Context& ctx, int* exit_code) {
  {
    auto out = std::make_shared<std::string>();
    auto holder = std::make_shared<std::string>();
    auto role = std::make_shared<std::string>();
    CLI::App* cmd = app.add_subcommand("keygen", "Make an Ed25519 key pair for signing registry records");
    cmd->add_option("--out", *out, "the secret key file to write (its public half goes to FILE.pub)")->required();
    cmd->add_option("--holder", *holder, "who holds the key (a person or a committee)")->required();
    cmd->add_option("--role", *role, "the holder's role (e.g. chair, secretary)")->required();
    cmd->callback([=, &ctx]() { *exit_code = Keygen(*out, *holder, *role, ctx); });
  }
  {
    auto decision = std::make_shared<std::string>();
    auto registry = std::make_shared<std::string>(kDefaultRegistry);
    auto key = std::make_shared<std::string>();
    CLI::App* cmd = app.add_subcommand("record", "Add a committee's decision on an evaluation to the registry");
    cmd->add_option("DECISION", *decision, "decision file (format: vaglio.decision/1)")->required();
    cmd->add_option("--registry", *registry, "registry file or postgresql:// URL (default vaglio.db)");
    cmd->add_option("--sign", *key, "sign the record with this key file (vaglio keygen)");
    cmd->callback([=, &ctx]() { *exit_code = Record(*decision, *registry, *key, ctx); });
  }
  {
    auto a = std::make_shared<VerifyArgs>();
    CLI::App* cmd = app.add_subcommand("verify", "Check a registry's chains and signatures, and replay its evaluations");
    cmd->add_option("--registry", a->registry, "registry file or postgresql:// URL (default vaglio.db)");
    cmd->add_flag("--no-replay", a->no_replay, "check hashes and signatures only");
    cmd->add_option("--trust", a->trust, "a public key file; every record must be signed by a trusted key (repeatable)");
    cmd->add_option("--threads", a->threads, "threads for replayed PSA (default: all cores)");
    cmd->add_option("--format", a->format, "output format")->check(CLI::IsMember({"text", "json"}));
    cmd->callback([a, &ctx, exit_code]() { *exit_code = Verify(*a, ctx); });
  }
  {
    auto a = std::make_shared<HistoryArgs>();
    CLI::App* cmd = app.add_subcommand("history", "The records of a dossier or a device");
    cmd->add_option("--registry", a->registry, "registry file or postgresql:// URL (default vaglio.db)");
    cmd->add_option("--dossier", a->dossier, "only this dossier id");
    cmd->add_option("--device", a->device, "only this device (CND code or RDM number)");
    cmd->add_option("--format", a->format, "output format")->check(CLI::IsMember({"text", "json"}));
    cmd->callback([a, &ctx, exit_code]() { *exit_code = History(*a, ctx); });
  }
  {
    auto registry = std::make_shared<std::string>(kDefaultRegistry);
    auto out = std::make_shared<std::string>();
    CLI::App* cmd = app.add_subcommand("export", "Write a registry's records, inputs and signatures to a JSON file");
    cmd->add_option("--registry", *registry, "registry file or postgresql:// URL (default vaglio.db)");
    cmd->add_option("--out", *out, "the export file to write")->required();
    cmd->callback([=, &ctx]() { *exit_code = Export(*registry, *out, ctx); });
  }
  {
    auto files = std::make_shared<std::vector<std::string>>();
    auto registry = std::make_shared<std::string>(kDefaultRegistry);
    CLI::App* cmd = app.add_subcommand("import", "Add exported registries to a registry (each export must verify)");
    cmd->add_option("FILE", *files, "export files (vaglio export)")->required();
    cmd->add_option("--registry", *registry, "registry file or postgresql:// URL (default vaglio.db; created if missing)");
    cmd->callback([=, &ctx]() { *exit_code = Import(*files, *registry, ctx); });
  }
}

}  // namespace vaglio::cli
