// Benchmarks of DESIGN §8 on the THR model. `make bench` runs them and prints each median
// next to its target (bench/run-bench).
#include <benchmark/benchmark.h>
#include <fcntl.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "engine/io.h"
#include "engine/load/model_loader.h"
#include "engine/run.h"
#include "models/sampler.h"
#include "models/psa.h"

extern char** environ;

namespace {

const std::string kThr = std::string(VAGLIO_SOURCE_DIR) + "/examples/thr/thr.model.yaml";

// Parsing, validation, compilation and the base case of both strategies.
void BM_ThrParseAndBaseCase(benchmark::State& state) {
  vaglio::engine::DiskFileSystem fs;
  for (auto _ : state) {
    vaglio::engine::Diagnostics diag;
    auto m = vaglio::engine::LoadModel(fs, kThr, &diag);
    auto bc = vaglio::engine::RunBaseCase(*m, {}, &diag);
    benchmark::DoNotOptimize(bc);
  }
}
BENCHMARK(BM_ThrParseAndBaseCase)->Unit(benchmark::kMillisecond);

// The base case of both strategies on an already compiled model.
void BM_ThrBaseCase(benchmark::State& state) {
  vaglio::engine::DiskFileSystem fs;
  vaglio::engine::Diagnostics diag;
  auto m = vaglio::engine::LoadModel(fs, kThr, &diag);
  for (auto _ : state) {
    auto ev = m->model->NewEvaluator({});
    vaglio::models::Outcome o;
    benchmark::DoNotOptimize(ev.value()->Evaluate({}, &o).ok());
  }
}
BENCHMARK(BM_ThrBaseCase)->Unit(benchmark::kMicrosecond);

// In-process PSA of 10,000 draws on 2 threads.
void BM_ThrPsa10kInProcess(benchmark::State& state) {
  vaglio::engine::DiskFileSystem fs;
  vaglio::engine::Diagnostics diag;
  auto m = vaglio::engine::LoadModel(fs, kThr, &diag);
  auto sampler = vaglio::models::Sampler::Make(m->model->info());
  vaglio::models::DrawSource src;
  src.inputs = sampler.value().sampled();
  src.count = 10000;
  const vaglio::models::Sampler& smp = sampler.value();
  src.fill = [&smp](int64_t i, std::span<double> x) { smp.Draw(1, static_cast<uint64_t>(i), x); };
  vaglio::models::PsaOptions po;
  po.threads = 2;
  po.wtp = {2000, 5000};
  po.effect_value = m->model->info().effect_values[0];
  for (auto _ : state) benchmark::DoNotOptimize(vaglio::models::RunPsa(*m->model, src, po).ok());
}
BENCHMARK(BM_ThrPsa10kInProcess)->Unit(benchmark::kMillisecond)->UseRealTime();

// Runs `vaglio ARGS` to completion; returns its peak resident memory in MB.
double Spawn(std::vector<std::string> args) {
  std::vector<std::string> argv_s = {VAGLIO_BIN};
  argv_s.insert(argv_s.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& a : argv_s) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addchdir_np(&fa, VAGLIO_SOURCE_DIR);
  pid_t pid = 0;
  posix_spawn(&pid, VAGLIO_BIN, &fa, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  int status = 0;
  struct rusage ru {};
  wait4(pid, &status, 0, &ru);
  return static_cast<double>(ru.ru_maxrss) / 1024.0;
}

void WholeProcess(benchmark::State& state, const std::vector<std::string>& args) {
  double mb = 0;
  for (auto _ : state) mb = Spawn(args);
  state.counters["peak_MB"] = mb;
}

void BM_ThrPsa10kProcess(benchmark::State& state) {
  WholeProcess(state, {"run", "examples/thr/thr.model.yaml", "--psa", "10000", "--wtp", "2000,5000",
                       "--threads", "2", "--format", "json"});
}
BENCHMARK(BM_ThrPsa10kProcess)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_ThrPsa1MProcess(benchmark::State& state) {
  WholeProcess(state, {"run", "examples/thr/thr.model.yaml", "--psa", "1000000", "--wtp", "0:50000:100",
                       "--threads", "2", "--quiet", "--format", "json"});
}
BENCHMARK(BM_ThrPsa1MProcess)->Unit(benchmark::kSecond)->UseRealTime()->Iterations(1)->Repetitions(3);

void BM_ThrEvppiEach10kProcess(benchmark::State& state) {
  WholeProcess(state, {"run", "examples/thr/thr.model.yaml", "--psa", "10000", "--wtp", "2000,5000,10000",
                       "--evppi", "each", "--threads", "2", "--format", "json"});
}
BENCHMARK(BM_ThrEvppiEach10kProcess)->Unit(benchmark::kMillisecond)->UseRealTime();

// DESIGN §8: `vaglio evaluate` on the example dossier with 10,000 PSA draws. The example
// criteria set asks for 1,000; a copy asking for 10,000 is written to a temporary file.
void BM_EvaluateDemo10kProcess(benchmark::State& state) {
  vaglio::engine::DiskFileSystem fs;
  std::string error;
  std::string text = fs.Read(std::string(VAGLIO_SOURCE_DIR) + "/examples/np1/irccs.criteria.yaml", &error).value_or("");
  const std::string from = "psa_draws: 1000\n";
  const size_t at = text.find(from);
  if (at == std::string::npos) {
    state.SkipWithError("the example criteria set no longer says psa_draws: 1000");
    return;
  }
  text.replace(at, from.size(), "psa_draws: 10000\n");
  char path[] = "/tmp/vaglio-bench-criteria-XXXXXX.yaml";
  const int fd = mkstemps(path, 5);
  if (fd < 0 || write(fd, text.data(), text.size()) != static_cast<ssize_t>(text.size())) {
    state.SkipWithError("cannot write the temporary criteria set");
    return;
  }
  close(fd);
  WholeProcess(state, {"evaluate", "examples/np1/np1.dossier.yaml", "--criteria", path, "--scores",
                       "examples/np1/np1.scores.yaml", "--threads", "2"});
  unlink(path);
}
BENCHMARK(BM_EvaluateDemo10kProcess)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
