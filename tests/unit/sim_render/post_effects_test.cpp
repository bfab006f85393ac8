// The sensor-noise row of sim/render/post_effects: its vector body and its scalar tail give the
// same pixels, its spread is the asked sigma, and it saturates instead of wrapping.
#include <cmath>
#include <cstdint>
#include <numeric>
#include <vector>

#include <gtest/gtest.h>

#include "sim/render/post_effects.hpp"

namespace camrig::sim::render {
namespace {

std::vector<std::uint8_t> noisy_row(int width, std::uint8_t level, double sigma, std::uint64_t hash) {
  std::vector<std::uint8_t> row(static_cast<std::size_t>(width), level);
  add_noise_row(row.data(), width, sigma, hash);
  return row;
}

TEST(AddNoiseRow, EveryPixelIsTheSameWhateverPartOfTheLoopDrawsIt) {
  // Widths that end inside a 16-pixel step leave the last pixels to the scalar loop; each row is
  // a prefix of the longest one, so pixel i must not depend on which loop computed it.
  const auto longest = noisy_row(9000, 128, 3.7, 0xabcdef12345ULL);
  for (int width : {1, 7, 15, 16, 17, 31, 33, 100, 8191, 8192, 8193}) {
    const auto row = noisy_row(width, 128, 3.7, 0xabcdef12345ULL);
    for (int i = 0; i < width; ++i)
      ASSERT_EQ(row[static_cast<std::size_t>(i)], longest[static_cast<std::size_t>(i)]) << "width " << width << " pixel " << i;
  }
}

TEST(AddNoiseRow, SpreadIsSigmaAroundTheLevel) {
  for (double sigma : {0.6, 2.0, 4.0}) {
    const auto row = noisy_row(8000, 128, sigma, 42);
    const double mean = std::accumulate(row.begin(), row.end(), 0.0) / static_cast<double>(row.size());
    double variance = 0;
    for (auto v : row) variance += (v - mean) * (v - mean);
    variance /= static_cast<double>(row.size());
    EXPECT_NEAR(mean, 128.0, 0.1) << "sigma " << sigma;
    // The noise is rounded to whole levels: sigma^2 + 1/12 for the rounding.
    EXPECT_NEAR(std::sqrt(variance), std::sqrt(sigma * sigma + 1.0 / 12), 0.08 * sigma) << "sigma " << sigma;
  }
}

TEST(AddNoiseRow, BlackAndWhiteSaturateInsteadOfWrapping) {
  const auto black = noisy_row(4000, 0, 4.0, 7);
  const auto white = noisy_row(4000, 255, 4.0, 7);
  int dark = 0, bright = 0;
  for (std::size_t i = 0; i < black.size(); ++i) {
    EXPECT_LT(black[i], 40) << i;
    EXPECT_GT(white[i], 215) << i;
    dark += black[i] == 0;
    bright += white[i] == 255;
  }
  // About half of the noise is negative: clipped at 0 on black, and positive clipped at 255 on white.
  EXPECT_GT(dark, 1500);
  EXPECT_GT(bright, 1500);
}

TEST(AddNoiseRow, ZeroSigmaLeavesTheRow) {
  const auto row = noisy_row(100, 77, 0.0, 9);
  for (auto v : row) EXPECT_EQ(v, 77);
}

}  // namespace
}  // namespace camrig::sim::render
