#ifndef VAGLIO_ENGINE_TEXT_TABLE_H_
#define VAGLIO_ENGINE_TEXT_TABLE_H_

#include <string>
#include <vector>

namespace vaglio::engine {

/// A plain-text table with columns padded to their widest cell; the first column is
/// left-aligned, the others right-aligned (numbers).
class TextTable {
 public:
  void Header(std::vector<std::string> cells) { header_ = std::move(cells); }
  void Row(std::vector<std::string> cells) { rows_.push_back(std::move(cells)); }
  std::string Render() const;

 private:
  std::vector<std::string> header_;
  std::vector<std::vector<std::string>> rows_;
};

}  // namespace vaglio::engine

#endif  // VAGLIO_ENGINE_TEXT_TABLE_H_
