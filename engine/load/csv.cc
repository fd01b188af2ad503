#include "engine/load/csv.h"

namespace vaglio::engine {

CsvTable ParseCsv(std::string_view text, const std::string& file, Diagnostics* diag) {
  CsvTable t;
  std::vector<std::string> fields;
  std::vector<int> starts;  // column of each field of the current row
  std::string field;
  int line = 1, row_line = 1, col = 1;
  int field_start = 1;
  bool in_quotes = false, row_has_content = false;
  size_t i = 0;
  if (text.substr(0, 3) == "\xEF\xBB\xBF") i = 3;  // UTF-8 byte order mark
  auto end_row = [&]() {
    fields.push_back(std::move(field));
    starts.push_back(field_start);
    field.clear();
    if (row_has_content) {
      if (t.header.empty()) {
        t.header = std::move(fields);
      } else {
        if (fields.size() != t.header.size()) {
          diag->Error(file, {row_line, 1, 0}, "",
                      "row has " + std::to_string(fields.size()) + (fields.size() == 1 ? " field" : " fields") +
                          ", but the header has " + std::to_string(t.header.size()));
        } else {
          t.rows.push_back(std::move(fields));
          t.row_lines.push_back(row_line);
          t.cell_columns.push_back(starts);
        }
      }
    }
    fields.clear();
    starts.clear();
    row_has_content = false;
  };
  for (; i < text.size(); ++i, ++col) {
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
      starts.push_back(field_start);
      field_start = col + 1;
      field.clear();
      row_has_content = true;
    } else if (c == '\n' || c == '\r') {
      if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
      end_row();
      ++line;
      row_line = line;
      col = 0;
      field_start = 1;
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
