#ifndef VAGLIO_ENGINE_LOAD_YAML_PROTO_H_
#define VAGLIO_ENGINE_LOAD_YAML_PROTO_H_

#include <optional>
#include <string>
#include <string_view>

#include <yaml-cpp/yaml.h>

#include "engine/diagnostics.h"

namespace google::protobuf {
class Message;
}

namespace vaglio::engine {

/// Parses YAML text. On a syntax error adds one diagnostic and returns nothing.
std::optional<YAML::Node> ParseYaml(std::string_view text, const std::string& file,
                                    Diagnostics* diag);

/// Fills `msg` from `node` by the message's descriptor and the YAML options of
/// schemas/options.proto. Checks types, enum names, required and unknown keys (with a
/// "did you mean"), duplicate keys and one-of choices, and records the location of every
/// key path in `map`. Every problem found is added to `diag`; conversion goes on past
/// errors so that all of a file's problems are reported at once. `text` is the file's
/// text, used to locate positions inside one-line scalars.
void YamlToProto(const YAML::Node& node, std::string_view text, const std::string& file,
                 google::protobuf::Message* msg, SourceMap* map, Diagnostics* diag);

}  // namespace vaglio::engine

#endif  // VAGLIO_ENGINE_LOAD_YAML_PROTO_H_
