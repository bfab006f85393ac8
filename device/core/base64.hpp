// Base64 (RFC 4648, standard alphabet, padded) for the protocols and files that carry bytes as
// text: RTSP sprop parameter sets, HTTP Basic credentials, stored pictures, configuration files.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace camrig::core {

std::string base64_encode(std::span<const std::uint8_t> bytes);
std::string base64_encode(std::string_view bytes);

//! The bytes of padded base64 text; nullopt for a length that is not a multiple of 4, a
//! character outside the alphabet, or padding anywhere but at the end.
std::optional<std::string> base64_decode(std::string_view text);

}  // namespace camrig::core
