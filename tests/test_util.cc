#include "tests/test_util.h"

#include "engine/expr/value.h"
#include "engine/run.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

extern char** environ;

namespace vaglio::testing {

std::string SourcePath(const std::string& relative) { return std::string(VAGLIO_SOURCE_DIR) + "/" + relative; }

TempDir::TempDir(const std::string& prefix) {
  std::string tmpl = "/tmp/vaglio-" + prefix + "-XXXXXX";
  if (mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("cannot make a directory like " + tmpl);
  path_ = tmpl;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

std::string DateAfter(const std::string& from, int days) {
  const std::optional<int32_t> day = engine::expr::ParseDate(from);
  if (!day) throw std::invalid_argument("not a date: " + from);
  return engine::expr::FormatDate(*day + days);
}

namespace {

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

CliResult RunVaglio(const std::vector<std::string>& args) {
  char out_tmpl[] = "/tmp/vaglio-test-out-XXXXXX";
  char err_tmpl[] = "/tmp/vaglio-test-err-XXXXXX";
  const int out_fd = mkstemp(out_tmpl), err_fd = mkstemp(err_tmpl);
  if (out_fd < 0 || err_fd < 0) throw std::runtime_error("mkstemp failed");
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, out_fd, 1);
  posix_spawn_file_actions_adddup2(&fa, err_fd, 2);
  posix_spawn_file_actions_addchdir_np(&fa, VAGLIO_SOURCE_DIR);
  std::vector<std::string> argv_s = {VAGLIO_BIN};
  argv_s.insert(argv_s.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& a : argv_s) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = 0;
  const int rc = posix_spawn(&pid, VAGLIO_BIN, &fa, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  CliResult r;
  if (rc == 0) {
    int status = 0;
    waitpid(pid, &status, 0);
    r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }
  close(out_fd);
  close(err_fd);
  r.out = ReadAll(out_tmpl);
  r.err = ReadAll(err_tmpl);
  unlink(out_tmpl);
  unlink(err_tmpl);
  return r;
}

std::optional<engine::LoadedModel> LoadModelText(const std::string& text, engine::Diagnostics* diag,
                                                 const std::string& name) {
  engine::MemoryFileSystem fs;
  fs.Add(name, text);
  return engine::LoadModel(fs, name, diag);
}

std::string LoadErrors(const std::string& text, const std::string& name) {
  engine::Diagnostics diag;
  auto m = LoadModelText(text, &diag, name);
  return diag.Format();
}

std::string RunErrors(const std::string& text, const std::string& name) {
  engine::Diagnostics diag;
  auto m = LoadModelText(text, &diag, name);
  if (m) (void)engine::RunBaseCase(*m, {}, &diag);
  return diag.Format();
}

}  // namespace vaglio::testing
