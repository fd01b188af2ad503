#include "engine/load/yaml_proto.h"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/message.h>

#include <cctype>
#include <tuple>
#include <charconv>
#include <map>
#include <vector>

#include "models/number.h"
#include "models/text.h"
#include "options.pb.h"

namespace vaglio::engine {
namespace {

namespace pb = google::protobuf;
using models::DidYouMeanSuffix;

std::string UpperSnake(std::string_view camel) {
  std::string out;
  for (size_t i = 0; i < camel.size(); ++i) {
    const char c = camel[i];
    if (std::isupper(static_cast<unsigned char>(c)) && i > 0) out += '_';
    out += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  return out;
}

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// YAML names of an enum's values: COUNTING_LIFE_TABLE -> "life_table"; value 0 excluded.
std::vector<std::pair<std::string, int>> EnumNames(const pb::EnumDescriptor* e) {
  const std::string prefix = UpperSnake(e->name()) + "_";
  std::vector<std::pair<std::string, int>> out;
  for (int i = 0; i < e->value_count(); ++i) {
    const pb::EnumValueDescriptor* v = e->value(i);
    if (v->number() == 0) continue;
    std::string n = v->name();
    if (n.rfind(prefix, 0) == 0) n = n.substr(prefix.size());
    out.push_back({Lower(n), v->number()});
  }
  return out;
}

class Converter {
 public:
  Converter(std::string_view text, const std::string& file, SourceMap* map, Diagnostics* diag)
      : file_(file), map_(map), diag_(diag) {
    size_t start = 0;
    while (start <= text.size()) {
      const size_t end = text.find('\n', start);
      lines_.push_back(text.substr(start, end == std::string_view::npos ? text.size() - start : end - start));
      if (end == std::string_view::npos) break;
      start = end + 1;
    }
  }

  void Message(const YAML::Node& node, pb::Message* msg, const std::string& path,
               const std::string& key_field = "");

 private:
  SourceLocation Loc(const YAML::Node& n) const {
    const YAML::Mark m = n.Mark();
    SourceLocation loc;
    if (m.line < 0) return loc;
    loc.line = m.line + 1;
    loc.column = m.column + 1;
    if (n.IsScalar() && static_cast<size_t>(m.line) < lines_.size()) {
      const std::string_view line = lines_[static_cast<size_t>(m.line)];
      const std::string& s = n.Scalar();
      const size_t col = static_cast<size_t>(m.column);
      if (col < line.size() && (line[col] == '|' || line[col] == '>')) {
        // A block scalar: its text starts on the next line, after the indentation.
        const size_t next = static_cast<size_t>(m.line) + 1;
        if (next < lines_.size()) {
          const std::string_view body = lines_[next];
          const size_t at = body.find_first_not_of(' ');
          const std::string_view first = at == std::string_view::npos ? "" : body.substr(at);
          if (!first.empty() && s.compare(0, first.size(), first) == 0) {
            loc.text_line = static_cast<int>(next) + 1;
            loc.text_column = static_cast<int>(at) + 1;
            loc.text_length = static_cast<int>(first.size());
          }
        }
      } else if (col < line.size() && s.find('\n') == std::string::npos) {
        const size_t at = (line[col] == '"' || line[col] == '\'') ? col + 1 : col;
        if (line.substr(at, s.size()) == s) {
          loc.text_line = loc.line;
          loc.text_column = static_cast<int>(at) + 1;
          loc.text_length = static_cast<int>(s.size());
        }
      }
    }
    return loc;
  }

  void Err(const YAML::Node& n, const std::string& path, std::string msg) {
    diag_->Error(file_, Loc(n), path, std::move(msg));
  }

  static std::string Found(const YAML::Node& n) {
    if (n.IsNull()) return "nothing";
    if (n.IsMap()) return "a mapping";
    if (n.IsSequence()) return "a list";
    return "'" + n.Scalar() + "'";
  }

  static std::string Expected(const pb::FieldDescriptor* f, bool element = false) {
    if (f->is_repeated() && !element) {
      if (f->cpp_type() == pb::FieldDescriptor::CPPTYPE_MESSAGE &&
          !f->options().GetExtension(schemas::yaml).key().empty()) {
        return "a mapping of name: entry";
      }
      return "a list";
    }
    switch (f->cpp_type()) {
      case pb::FieldDescriptor::CPPTYPE_DOUBLE:
      case pb::FieldDescriptor::CPPTYPE_FLOAT:
        return "a number";
      case pb::FieldDescriptor::CPPTYPE_INT32:
      case pb::FieldDescriptor::CPPTYPE_INT64:
      case pb::FieldDescriptor::CPPTYPE_UINT32:
      case pb::FieldDescriptor::CPPTYPE_UINT64:
        return "a whole number";
      case pb::FieldDescriptor::CPPTYPE_BOOL:
        return "true or false";
      case pb::FieldDescriptor::CPPTYPE_STRING:
        return "text";
      case pb::FieldDescriptor::CPPTYPE_ENUM: {
        std::vector<std::string> names;
        for (auto& [n, v] : EnumNames(f->enum_type())) names.push_back(n);
        return "one of " + models::QuotedList(names);
      }
      case pb::FieldDescriptor::CPPTYPE_MESSAGE:
        return "a mapping";
    }
    return "?";
  }

  // Records a key's location; reports a duplicate.
  bool Record(const YAML::Node& key, const YAML::Node& value, const std::string& path,
              std::map<std::string, int>* seen) {
    const std::string k = key.Scalar();
    auto [it, fresh] = seen->insert({k, key.Mark().line + 1});
    if (!fresh) {
      Err(key, path, "duplicate key '" + k + "' (first at line " + std::to_string(it->second) + ")");
      return false;
    }
    SourceLocation loc = Loc(value);
    if (value.IsNull() || loc.line == 0) loc = Loc(key);
    map_->Set(path, loc);
    return true;
  }

  void Field(const YAML::Node& v, pb::Message* msg, const pb::FieldDescriptor* f, const std::string& path);
  void Scalar(const YAML::Node& v, pb::Message* msg, const pb::FieldDescriptor* f, const std::string& path);

  std::string file_;
  SourceMap* map_;
  Diagnostics* diag_;
  std::vector<std::string_view> lines_;
};

void Converter::Message(const YAML::Node& node, pb::Message* msg, const std::string& path,
                        const std::string& key_field) {
  const pb::Descriptor* desc = msg->GetDescriptor();
  const pb::Reflection* refl = msg->GetReflection();
  const schemas::YamlMessage& opts = desc->options().GetExtension(schemas::yaml_message);
  if (node.IsNull()) return;  // `key:` with nothing: an empty entry
  if (node.IsScalar()) {
    if (!opts.scalar().empty()) {
      Scalar(node, msg, desc->FindFieldByName(opts.scalar()), path);
      return;
    }
    if (opts.scalar_names_member() && desc->oneof_decl_count() > 0) {
      const pb::OneofDescriptor* o = desc->oneof_decl(0);
      std::vector<std::string> names;
      for (int i = 0; i < o->field_count(); ++i) {
        names.push_back(o->field(i)->name());
        if (o->field(i)->name() == node.Scalar()) {
          refl->MutableMessage(msg, o->field(i));
          return;
        }
      }
      Err(node, path, "found " + Found(node) + ", but must be one of " + models::QuotedList(names) +
                          DidYouMeanSuffix(node.Scalar(), names));
      return;
    }
    Err(node, path, "found " + Found(node) + ", but must be a mapping");
    return;
  }
  if (node.IsSequence()) {
    if (!opts.sequence().empty()) {
      Field(node, msg, desc->FindFieldByName(opts.sequence()), path);
      return;
    }
    Err(node, path, "found a list, but must be a mapping");
    return;
  }
  std::map<std::string, int> seen;
  std::map<const pb::OneofDescriptor*, std::string> oneof_seen;
  const pb::FieldDescriptor* rest = opts.rest().empty() ? nullptr : desc->FindFieldByName(opts.rest());
  for (auto it = node.begin(); it != node.end(); ++it) {
    // Copies: the iterator yields a temporary pair whose members die with the statement.
    const YAML::Node key = it->first;
    const YAML::Node value = it->second;
    if (!key.IsScalar()) {
      Err(key, path, "found " + Found(key) + " as a key, but keys must be names");
      continue;
    }
    const std::string k = key.Scalar();
    const std::string fpath = JoinPath(path, k);
    if (!Record(key, value, fpath, &seen)) continue;
    const pb::FieldDescriptor* f = desc->FindFieldByName(k);
    if (f != nullptr && (f->name() == key_field || (rest != nullptr && f == rest))) f = nullptr;
    if (f == nullptr && rest != nullptr) {
      pb::Message* entry = refl->AddMessage(msg, rest);
      const std::string& kf = rest->options().GetExtension(schemas::yaml).key();
      entry->GetReflection()->SetString(entry, entry->GetDescriptor()->FindFieldByName(kf), k);
      Message(value, entry, fpath, kf);
      continue;
    }
    if (f == nullptr) {
      std::vector<std::string> names;
      for (int i = 0; i < desc->field_count(); ++i) {
        if (desc->field(i)->name() != key_field) names.push_back(desc->field(i)->name());
      }
      std::string hint = DidYouMeanSuffix(k, names);
      if (hint.empty()) hint = names.empty() ? "; this entry takes no keys" : "; expected one of " + models::QuotedList(names);
      Err(key, fpath, "unknown key '" + k + "'" + hint);
      continue;
    }
    if (const pb::OneofDescriptor* o = f->real_containing_oneof()) {
      auto [prev, fresh] = oneof_seen.insert({o, k});
      if (!fresh) {
        Err(key, fpath, "'" + prev->second + "' and '" + k + "' are both given, but only one may be");
        continue;
      }
    }
    Field(value, msg, f, fpath);
  }
  for (int i = 0; i < desc->field_count(); ++i) {
    const pb::FieldDescriptor* f = desc->field(i);
    if (f->options().GetExtension(schemas::yaml).required() && !seen.count(f->name())) {
      Err(node, JoinPath(path, f->name()), "is missing, but is required");
    }
  }
}

void Converter::Field(const YAML::Node& v, pb::Message* msg, const pb::FieldDescriptor* f,
                      const std::string& path) {
  const pb::Reflection* refl = msg->GetReflection();
  const bool is_msg = f->cpp_type() == pb::FieldDescriptor::CPPTYPE_MESSAGE;
  if (!f->is_repeated()) {
    if (is_msg) {
      Message(v, refl->MutableMessage(msg, f), path);
    } else {
      Scalar(v, msg, f, path);
    }
    return;
  }
  const std::string& key_field = f->options().GetExtension(schemas::yaml).key();
  if (v.IsNull()) return;
  if (is_msg && !key_field.empty()) {
    if (!v.IsMap()) {
      Err(v, path, "found " + Found(v) + ", but must be " + Expected(f));
      return;
    }
    std::map<std::string, int> seen;
    for (auto it = v.begin(); it != v.end(); ++it) {
      const YAML::Node key = it->first;
      const YAML::Node value = it->second;
      if (!key.IsScalar()) {
        Err(key, path, "found " + Found(key) + " as a key, but keys must be names");
        continue;
      }
      const std::string k = key.Scalar();
      const std::string epath = JoinPath(path, k);
      if (!Record(key, value, epath, &seen)) continue;
      pb::Message* entry = refl->AddMessage(msg, f);
      entry->GetReflection()->SetString(entry, entry->GetDescriptor()->FindFieldByName(key_field), k);
      Message(value, entry, epath, key_field);
    }
    return;
  }
  if (!v.IsSequence()) {
    Err(v, path, "found " + Found(v) + ", but must be " + Expected(f));
    return;
  }
  for (size_t i = 0; i < v.size(); ++i) {
    const YAML::Node item = v[i];
    const std::string ipath = IndexPath(path, i);
    map_->Set(ipath, Loc(item));
    if (is_msg) {
      Message(item, refl->AddMessage(msg, f), ipath);
    } else {
      Scalar(item, msg, f, ipath);
    }
  }
}

void Converter::Scalar(const YAML::Node& v, pb::Message* msg, const pb::FieldDescriptor* f,
                       const std::string& path) {
  const pb::Reflection* refl = msg->GetReflection();
  const bool rep = f->is_repeated();
  if (!v.IsScalar()) {
    Err(v, path, "found " + Found(v) + ", but must be " + Expected(f, true));
    return;
  }
  const std::string& s = v.Scalar();
  auto bad = [&]() { Err(v, path, "found " + Found(v) + ", but must be " + Expected(f, true)); };
  switch (f->cpp_type()) {
    case pb::FieldDescriptor::CPPTYPE_DOUBLE:
    case pb::FieldDescriptor::CPPTYPE_FLOAT: {
      const std::optional<double> d = models::ParseNumber(s);
      if (!d) return bad();
      if (f->cpp_type() == pb::FieldDescriptor::CPPTYPE_FLOAT) {
        rep ? refl->AddFloat(msg, f, static_cast<float>(*d)) : refl->SetFloat(msg, f, static_cast<float>(*d));
      } else {
        rep ? refl->AddDouble(msg, f, *d) : refl->SetDouble(msg, f, *d);
      }
      return;
    }
    case pb::FieldDescriptor::CPPTYPE_INT32:
    case pb::FieldDescriptor::CPPTYPE_INT64:
    case pb::FieldDescriptor::CPPTYPE_UINT32:
    case pb::FieldDescriptor::CPPTYPE_UINT64: {
      const std::string_view t = models::Trim(s);
      long long n = 0;
      auto res = std::from_chars(t.data(), t.data() + t.size(), n);
      if (res.ec == std::errc::result_out_of_range) {
        return Err(v, path, "found " + Found(v) + ", but must be a whole number no larger than 2147483647");
      }
      if (res.ec != std::errc() || res.ptr != t.data() + t.size()) return bad();
      switch (f->cpp_type()) {
        case pb::FieldDescriptor::CPPTYPE_INT32:
          if (n > INT32_MAX) {
            return Err(v, path, "found " + Found(v) + ", but must be a whole number no larger than 2147483647");
          }
          if (n < INT32_MIN) {
            return Err(v, path, "found " + Found(v) + ", but must be a whole number no smaller than -2147483648");
          }
          rep ? refl->AddInt32(msg, f, static_cast<int32_t>(n)) : refl->SetInt32(msg, f, static_cast<int32_t>(n));
          return;
        case pb::FieldDescriptor::CPPTYPE_INT64:
          rep ? refl->AddInt64(msg, f, n) : refl->SetInt64(msg, f, n);
          return;
        case pb::FieldDescriptor::CPPTYPE_UINT32:
          if (n < 0 || n > UINT32_MAX) return bad();
          rep ? refl->AddUInt32(msg, f, static_cast<uint32_t>(n)) : refl->SetUInt32(msg, f, static_cast<uint32_t>(n));
          return;
        default:
          if (n < 0) return bad();
          rep ? refl->AddUInt64(msg, f, static_cast<uint64_t>(n)) : refl->SetUInt64(msg, f, static_cast<uint64_t>(n));
          return;
      }
    }
    case pb::FieldDescriptor::CPPTYPE_BOOL: {
      if (s != "true" && s != "false") return bad();
      rep ? refl->AddBool(msg, f, s == "true") : refl->SetBool(msg, f, s == "true");
      return;
    }
    case pb::FieldDescriptor::CPPTYPE_STRING:
      rep ? refl->AddString(msg, f, s) : refl->SetString(msg, f, s);
      return;
    case pb::FieldDescriptor::CPPTYPE_ENUM: {
      const auto names = EnumNames(f->enum_type());
      for (const auto& [n, num] : names) {
        if (n == s) {
          rep ? refl->AddEnumValue(msg, f, num) : refl->SetEnumValue(msg, f, num);
          return;
        }
      }
      std::vector<std::string> ns;
      for (const auto& [n, num] : names) ns.push_back(n);
      Err(v, path, "found " + Found(v) + ", but must be one of " + models::QuotedList(ns) +
                       DidYouMeanSuffix(s, ns));
      return;
    }
    case pb::FieldDescriptor::CPPTYPE_MESSAGE:
      Message(v, rep ? refl->AddMessage(msg, f) : refl->MutableMessage(msg, f), path);
      return;
  }
}

}  // namespace

namespace {

// What a light scan of the text finds before yaml-cpp parses it: yaml-cpp reports a tab
// in the indentation as "illegal map value" somewhere else, takes an unclosed quote to the
// end of the file without an error, and reports an unclosed '{' or '[' on a later line.
struct PreScan {
  int tab_line = 0;                           // first line indented with a tab
  SourceLocation unclosed_quote;              // opening quote never closed
  std::vector<std::pair<char, SourceLocation>> open_brackets;  // unmatched, in order
};

PreScan ScanYamlText(std::string_view text) {
  PreScan r;
  int line = 1, col = 1;
  bool at_line_start = true, in_comment = false;
  char quote = 0;
  SourceLocation quote_at;
  char prev = '\n';  // previous significant character on the line ('\n' at its start)
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '\n') {
      ++line;
      col = 1;
      at_line_start = true;
      in_comment = false;
      if (!quote) prev = '\n';
      continue;
    }
    if (at_line_start && !quote) {
      if (c == ' ') {
        ++col;
        continue;
      }
      if (c == '\t') {
        if (r.tab_line == 0) r.tab_line = line;
        ++col;
        continue;
      }
      at_line_start = false;
    }
    if (in_comment) {
      ++col;
      continue;
    }
    if (quote == '"') {
      if (c == '\\') {
        ++i;
        col += 2;
        continue;
      }
      if (c == '"') quote = 0;
      ++col;
      continue;
    }
    if (quote == '\'') {
      if (c == '\'') {
        if (i + 1 < text.size() && text[i + 1] == '\'') {
          ++i;
          col += 2;
          continue;
        }
        quote = 0;
      }
      ++col;
      continue;
    }
    // A quote or bracket opens only where a scalar starts: after ': ', '- ', a flow
    // indicator or at the start of a line (an apostrophe inside "Crohn's" opens nothing).
    const bool scalar_start = prev == '\n' || prev == ':' || prev == '-' || prev == '[' || prev == '{' || prev == ',';
    if (c == '#' && (col == 1 || text[i - 1] == ' ' || text[i - 1] == '\t')) {
      in_comment = true;
    } else if ((c == '"' || c == '\'') && scalar_start) {
      quote = c;
      quote_at = {line, col, 0};
    } else if ((c == '{' || c == '[') && scalar_start) {
      r.open_brackets.push_back({c, {line, col, 0}});
    } else if ((c == '}' || c == ']') && !r.open_brackets.empty()) {
      r.open_brackets.pop_back();
    }
    if (c != ' ' && c != '\t') prev = c;
    // ':' and '-' count as indicators only when followed by a space.
    if ((c == ':' || c == '-') && !(i + 1 < text.size() && (text[i + 1] == ' ' || text[i + 1] == '\n'))) prev = 'x';
    ++col;
  }
  if (quote) r.unclosed_quote = quote_at;
  return r;
}

}  // namespace

std::optional<YAML::Node> ParseYaml(std::string_view text, const std::string& file,
                                    Diagnostics* diag) {
  const PreScan scan = ScanYamlText(text);
  if (scan.tab_line > 0) {
    diag->Error(file, {scan.tab_line, 1, 0}, "",
                "YAML syntax error: found a tab in the indentation, but YAML must be indented with spaces");
    return std::nullopt;
  }
  if (scan.unclosed_quote.line > 0) {
    diag->Error(file, scan.unclosed_quote, "",
                "YAML syntax error: the quoted text is not closed before the end of the file");
    return std::nullopt;
  }
  try {
    return YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    SourceLocation loc;
    if (e.mark.line >= 0) {
      loc.line = e.mark.line + 1;
      loc.column = e.mark.column + 1;
    }
    const bool map_flow = e.msg.find("end of map flow not found") != std::string::npos;
    const bool seq_flow = e.msg.find("end of sequence flow not found") != std::string::npos;
    if (map_flow || seq_flow) {
      const char open = map_flow ? '{' : '[';
      // The innermost bracket of that kind still open before the place of the error.
      for (auto it = scan.open_brackets.rbegin(); it != scan.open_brackets.rend(); ++it) {
        if (it->first == open && std::tie(it->second.line, it->second.column) <= std::tie(loc.line, loc.column)) {
          diag->Error(file, it->second, "",
                      std::string("YAML syntax error: '") + open + "' is not closed, but must be closed with '" +
                          (map_flow ? '}' : ']') + "'");
          return std::nullopt;
        }
      }
    }
    diag->Error(file, loc, "", "YAML syntax error: " + e.msg);
    return std::nullopt;
  }
}

void YamlToProto(const YAML::Node& node, std::string_view text, const std::string& file,
                 google::protobuf::Message* msg, SourceMap* map, Diagnostics* diag) {
  Converter c(text, file, map, diag);
  map->Set("", {1, 1, 0});  // problems with the whole file, and missing top-level keys
  if (!node.IsMap()) {
    diag->Error(file, {1, 1, 0}, "",
                node.IsNull()       ? "the file is empty, but must be a YAML mapping"
                : node.IsSequence() ? "the file is a list, but must be a YAML mapping of keys to values"
                                    : "the file is text, but must be a YAML mapping of keys to values");
    return;
  }
  c.Message(node, msg, "");
}

}  // namespace vaglio::engine
