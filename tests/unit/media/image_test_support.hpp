// Frames and BMP files built in memory for the image pipeline tests.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "device/hal/video_frame.hpp"

namespace camrig::media::image::test {

//! An I420 frame whose luma is `luma(x, y)` and chroma `u`/`v` everywhere.
inline std::shared_ptr<hal::VideoFrame> make_frame(int width, int height, const std::function<std::uint8_t(int, int)>& luma,
                                                   std::uint8_t u = 128, std::uint8_t v = 128) {
  auto frame = std::make_shared<hal::VideoFrame>(width, height);
  for (int y = 0; y < height; ++y)
    for (int x = 0; x < width; ++x) frame->plane(0)[y * width + x] = luma(x, y);
  for (int y = 0; y < height / 2; ++y)
    for (int x = 0; x < width / 2; ++x) {
      frame->plane(1)[y * (width / 2) + x] = static_cast<std::uint8_t>(u + (x + y) % 7);
      frame->plane(2)[y * (width / 2) + x] = static_cast<std::uint8_t>(v - (x * 3 + y) % 5);
    }
  return frame;
}

//! A gradient that differs in every column and row, so any misplaced pixel shows.
inline std::shared_ptr<hal::VideoFrame> gradient_frame(int width, int height) {
  return make_frame(width, height, [](int x, int y) { return static_cast<std::uint8_t>((x * 7 + y * 3) % 251); });
}

//! A BMP file: `bits` per pixel, `rgb(x, y)` per pixel (top row first), bottom-up unless `top_down`.
inline std::vector<std::uint8_t> make_bmp(int width, int height, const std::function<std::uint32_t(int, int)>& rgb,
                                          int bits = 24, bool top_down = false) {
  const int bytes_per_pixel = bits / 8;
  const int row_bytes = (width * bytes_per_pixel + 3) / 4 * 4;
  const std::uint32_t data_offset = 54;
  const std::uint32_t file_size = data_offset + static_cast<std::uint32_t>(row_bytes * height);
  std::vector<std::uint8_t> file(file_size, 0);
  const auto put32 = [&](std::size_t at, std::uint32_t value) {
    for (int i = 0; i < 4; ++i) file[at + static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(value >> (8 * i));
  };
  file[0] = 'B';
  file[1] = 'M';
  put32(2, file_size);
  put32(10, data_offset);
  put32(14, 40);
  put32(18, static_cast<std::uint32_t>(width));
  put32(22, static_cast<std::uint32_t>(top_down ? -height : height));
  file[26] = 1;
  file[28] = static_cast<std::uint8_t>(bits);
  for (int y = 0; y < height; ++y) {
    const int stored = top_down ? y : height - 1 - y;
    for (int x = 0; x < width; ++x) {
      const auto colour = rgb(x, y);
      auto* pixel = file.data() + data_offset + static_cast<std::size_t>(stored * row_bytes + x * bytes_per_pixel);
      pixel[0] = static_cast<std::uint8_t>(colour);
      if (bytes_per_pixel > 1) pixel[1] = static_cast<std::uint8_t>(colour >> 8);
      if (bytes_per_pixel > 2) pixel[2] = static_cast<std::uint8_t>(colour >> 16);
    }
  }
  return file;
}

}  // namespace camrig::media::image::test
