// The overlay picture (network camera manual 4.9): a 24-bit BMP of at most 128 × 128 pixels,
// parsed once on upload and kept as I420-ready planes so blending it costs a copy per frame.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "device/core/result.hpp"

namespace camrig::media::image {

inline constexpr int k_overlay_picture_max_size = 128;

struct BmpImage {
  int width = 0;
  int height = 0;
  //! Top row first, width × height luma; chroma of each 2 × 2 block, (width+1)/2 × (height+1)/2.
  std::vector<std::uint8_t> y;
  std::vector<std::uint8_t> u;
  std::vector<std::uint8_t> v;
  friend bool operator==(const BmpImage&, const BmpImage&) = default;
};

//! Accepts an uncompressed 24-bit BMP up to 128 × 128; any other file is refused with the reason.
Result<BmpImage> parse_bmp(std::span<const std::uint8_t> file);

//! The uploaded file as the config service keeps it (base64 text), and back.
std::string bmp_to_config_text(std::span<const std::uint8_t> file);
Result<std::vector<std::uint8_t>> bmp_from_config_text(std::string_view text);

}  // namespace camrig::media::image
