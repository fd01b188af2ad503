#ifndef VAGLIO_ENGINE_IO_H_
#define VAGLIO_ENGINE_IO_H_

#include <map>
#include <optional>
#include <string>

/// File access behind a small interface, so engine tests run on in-memory files.
namespace vaglio::engine {

class FileSystem {
 public:
  virtual ~FileSystem() = default;
  /// The whole file, or nothing with `*error` set to a reason ("No such file or directory").
  virtual std::optional<std::string> Read(const std::string& path, std::string* error) const = 0;
  /// Writes the whole file atomically (a temporary file renamed over the target), so a
  /// failure never leaves a half-written file. Returns false with `*error` set.
  virtual bool Write(const std::string& path, const std::string& contents, std::string* error) = 0;
  /// Creates a directory and its parents if missing. Returns false with `*error` set.
  virtual bool MakeDirectories(const std::string& path, std::string* error) = 0;
};

class DiskFileSystem : public FileSystem {
 public:
  std::optional<std::string> Read(const std::string& path, std::string* error) const override;
  bool Write(const std::string& path, const std::string& contents, std::string* error) override;
  bool MakeDirectories(const std::string& path, std::string* error) override;
};

class MemoryFileSystem : public FileSystem {
 public:
  void Add(const std::string& path, std::string contents) { files_[path] = std::move(contents); }
  std::optional<std::string> Read(const std::string& path, std::string* error) const override;
  bool Write(const std::string& path, const std::string& contents, std::string* error) override;
  bool MakeDirectories(const std::string&, std::string*) override { return true; }
  const std::map<std::string, std::string>& files() const { return files_; }

 private:
  std::map<std::string, std::string> files_;
};

/// `relative` resolved against the directory of `base_file` ("a/b.yaml", "t.csv" -> "a/t.csv");
/// absolute paths are returned unchanged.
std::string ResolveRelative(const std::string& base_file, const std::string& relative);

}  // namespace vaglio::engine

#endif  // VAGLIO_ENGINE_IO_H_
