#ifndef VAGLIO_ENGINE_HASH_H_
#define VAGLIO_ENGINE_HASH_H_

#include <string>
#include <string_view>

namespace vaglio::engine {

/// SHA-256 of `bytes` as 64 lowercase hex digits (libsodium).
std::string Sha256Hex(std::string_view bytes);

}  // namespace vaglio::engine

#endif  // VAGLIO_ENGINE_HASH_H_
