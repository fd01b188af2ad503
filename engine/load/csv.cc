#include "engine/load/csv.h"

namespace vaglio::engine {

CsvTable ParseCsv(std::string_view text, const std::string& file, Diagnostics* diag) {
  CsvTable t;
  std::vector<std::string> fields;
  std::string field;
  int line = 1, row_line = 1;
  bool in_quotes = false, row_has_content = false;
  size_t i = 0;
  if (text.substr(0, 3) == "\xEF\xBB\xBF") i = 3;  // UTF-8 byte order mark
  auto end_row = [&]() {
    fields.push_back(std::move(field));
    field.clear();
    if (row_has_content) {
      if (t.header.empty()) {
        t.header = std::move(fields);
      } else {
        if (fields.size() != t.header.size()) {
          diag->Error(file, {row_line, 1, 0}, "",
                      "row has " + std::to_string(fields.size()) + " fields, but the header has " +
                          std::to_string(t.header.size()));
        } else {
          t.rows.push_back(std::move(fields));
          t.row_lines.push_back(row_line);
        }
      }
    }
    fields.clear();
    row_has_content = false;
  };
  for (; i < text.size(); ++i) {
    const char c = text[i];
    if (in_quotes) {
      if (c == '"') {
        if (i + 1 < text.size() && text[i + 1] == '"') {
          field += '"';
          ++i;
        } else {
          in_quotes = false;
        }
      } else {
        if (c == '\n') ++line;
        field += c;
      }
      continue;
    }
    if (c == '"' && field.empty()) {
      in_quotes = true;
      row_has_content = true;
    } else if (c == ',') {
      fields.push_back(std::move(field));
      field.clear();
      row_has_content = true;
    } else if (c == '\n' || c == '\r') {
      if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
      end_row();
      ++line;
      row_line = line;
    } else {
      field += c;
      if (c != ' ' && c != '\t') row_has_content = true;
    }
  }
  if (in_quotes) {
    diag->Error(file, {row_line, 1, 0}, "", "a quoted field is not closed before the end of the file");
  } else if (row_has_content || !field.empty()) {
    end_row();
  }
  if (t.header.empty()) diag->Error(file, {1, 1, 0}, "", "the file is empty, but must start with a header row");
  return t;
}

}  // namespace vaglio::engine
