#ifndef VAGLIO_ENGINE_LOAD_CSV_H_
#define VAGLIO_ENGINE_LOAD_CSV_H_

#include <string>
#include <string_view>
#include <vector>

#include "engine/diagnostics.h"

namespace vaglio::engine {

/// A CSV file read by RFC 4180 rules (comma separator, fields optionally in double quotes
/// with "" for a quote, LF or CRLF line ends). The first row is the header. Blank lines
/// are skipped. A small reader of our own: the Debian CSV libraries are C APIs that give
/// no line numbers for errors, which every message here needs.
struct CsvTable {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
  std::vector<int> row_lines;  // 1-based line of each row
  std::vector<std::vector<int>> cell_columns;  // 1-based column where each field starts
};

/// Parses `text`; a malformed file (unterminated quote, a row with a different number of
/// fields than the header) adds diagnostics and returns what could be read.
CsvTable ParseCsv(std::string_view text, const std::string& file, Diagnostics* diag);

}  // namespace vaglio::engine

#endif  // VAGLIO_ENGINE_LOAD_CSV_H_
