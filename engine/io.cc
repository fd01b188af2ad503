#include "engine/io.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace vaglio::engine {

std::optional<std::string> DiskFileSystem::Read(const std::string& path, std::string* error) const {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    *error = "is a directory";
    return std::nullopt;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    *error = std::strerror(errno);
    return std::nullopt;
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) {
    *error = "read error";
    return std::nullopt;
  }
  return ss.str();
}

bool DiskFileSystem::Write(const std::string& path, const std::string& contents, std::string* error) {
  const std::string tmp = path + ".tmp-vaglio";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) {
      *error = std::strerror(errno);
      return false;
    }
    out << contents;
    out.flush();
    if (!out) {
      *error = std::strerror(errno);
      std::remove(tmp.c_str());
      return false;
    }
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    *error = std::strerror(errno);
    std::remove(tmp.c_str());
    return false;
  }
  return true;
}

bool DiskFileSystem::MakeDirectories(const std::string& path, std::string* error) {
  std::error_code ec;
  std::filesystem::create_directories(path, ec);
  if (ec) {
    *error = ec.message();
    return false;
  }
  return true;
}

std::optional<std::string> MemoryFileSystem::Read(const std::string& path, std::string* error) const {
  auto it = files_.find(path);
  if (it == files_.end()) {
    *error = "No such file or directory";
    return std::nullopt;
  }
  return it->second;
}

bool MemoryFileSystem::Write(const std::string& path, const std::string& contents, std::string*) {
  files_[path] = contents;
  return true;
}

std::string ResolveRelative(const std::string& base_file, const std::string& relative) {
  std::filesystem::path rel(relative);
  if (rel.is_absolute()) return relative;
  const std::filesystem::path dir = std::filesystem::path(base_file).parent_path();
  return dir.empty() ? relative : (dir / rel).lexically_normal().string();
}

}  // namespace vaglio::engine
