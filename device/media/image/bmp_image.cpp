#include "device/media/image/bmp_image.hpp"

#include "device/core/base64.hpp"

#include <algorithm>
#include <cstdlib>
#include <string>

namespace camrig::media::image {
namespace {

constexpr const char* k_rule = "the picture to overlay has to be in BMP format with 24-bit, and the maximum picture size is 128 x 128 pixel";

Error refuse(const std::string& reason) { return make_error(ErrorCode::invalid_argument, reason + ": " + k_rule); }

std::uint32_t u32(std::span<const std::uint8_t> data, std::size_t at) {
  return data[at] | (data[at + 1] << 8) | (data[at + 2] << 16) | (static_cast<std::uint32_t>(data[at + 3]) << 24);
}
std::uint16_t u16(std::span<const std::uint8_t> data, std::size_t at) {
  return static_cast<std::uint16_t>(data[at] | (data[at + 1] << 8));
}

std::uint8_t clamp_byte(int value) { return static_cast<std::uint8_t>(std::clamp(value, 0, 255)); }

}  // namespace

Result<BmpImage> parse_bmp(std::span<const std::uint8_t> file) {
  constexpr std::size_t k_file_header = 14;
  constexpr std::size_t k_info_header = 40;
  if (file.size() < k_file_header + k_info_header || file[0] != 'B' || file[1] != 'M')
    return refuse("the file is not a BMP picture");
  const std::uint32_t data_offset = u32(file, 10);
  const std::uint32_t header_size = u32(file, 14);
  if (header_size < k_info_header || header_size > file.size() - k_file_header)
    return refuse("the BMP header is damaged or of an unsupported version");
  const auto width = static_cast<std::int32_t>(u32(file, 18));
  const auto signed_height = static_cast<std::int32_t>(u32(file, 22));
  const std::uint16_t bits = u16(file, 28);
  const std::uint32_t compression = u32(file, 30);
  if (bits != 24) return refuse("the picture has " + std::to_string(bits) + " bits per pixel");
  if (compression != 0) return refuse("the picture is compressed");
  if (signed_height == INT32_MIN) return refuse("the picture height is invalid");
  const int height = std::abs(signed_height);
  if (width <= 0 || height <= 0) return refuse("the picture is empty");
  if (width > k_overlay_picture_max_size || height > k_overlay_picture_max_size)
    return refuse("the picture is " + std::to_string(width) + " x " + std::to_string(height) + " pixel");
  const std::size_t row_bytes = (static_cast<std::size_t>(width) * 3 + 3) / 4 * 4;
  const std::size_t pixel_bytes = row_bytes * static_cast<std::size_t>(height);
  if (data_offset < k_file_header + header_size || data_offset > file.size() || file.size() - data_offset < pixel_bytes)
    return refuse("the file is truncated");

  BmpImage image;
  image.width = width;
  image.height = height;
  image.y.resize(static_cast<std::size_t>(width) * height);
  const int chroma_width = (width + 1) / 2;
  const int chroma_height = (height + 1) / 2;
  std::vector<int> u_sum(static_cast<std::size_t>(chroma_width) * chroma_height);
  std::vector<int> v_sum(u_sum.size());
  std::vector<int> count(u_sum.size());
  // Rows are stored bottom-up unless the height is negative.
  for (int row = 0; row < height; ++row) {
    const int stored_row = signed_height > 0 ? height - 1 - row : row;
    const auto* pixel = file.data() + data_offset + row_bytes * static_cast<std::size_t>(stored_row);
    for (int column = 0; column < width; ++column, pixel += 3) {
      const int b = pixel[0], g = pixel[1], r = pixel[2];
      // Full-range BT.601, as the sensor delivers.
      image.y[static_cast<std::size_t>(row) * width + column] = clamp_byte((77 * r + 150 * g + 29 * b + 128) >> 8);
      const auto chroma = static_cast<std::size_t>(row / 2) * chroma_width + column / 2;
      u_sum[chroma] += ((-43 * r - 85 * g + 128 * b + 128) >> 8) + 128;
      v_sum[chroma] += ((128 * r - 107 * g - 21 * b + 128) >> 8) + 128;
      ++count[chroma];
    }
  }
  image.u.resize(u_sum.size());
  image.v.resize(v_sum.size());
  for (std::size_t i = 0; i < u_sum.size(); ++i) {
    image.u[i] = clamp_byte(u_sum[i] / count[i]);
    image.v[i] = clamp_byte(v_sum[i] / count[i]);
  }
  return image;
}

std::string bmp_to_config_text(std::span<const std::uint8_t> file) { return core::base64_encode(file); }

Result<std::vector<std::uint8_t>> bmp_from_config_text(std::string_view text) {
  const auto bytes = core::base64_decode(text);
  if (!bytes) return make_error(ErrorCode::invalid_argument, "the stored overlay picture is not base64 text");
  return std::vector<std::uint8_t>(bytes->begin(), bytes->end());
}

}  // namespace camrig::media::image
