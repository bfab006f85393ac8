#include "device/media/image/bmp_image.hpp"

#include <gtest/gtest.h>

#include "tests/unit/media/image_test_support.hpp"

namespace camrig::media::image {
namespace {

using test::make_bmp;

constexpr std::uint32_t k_red = 0xFF0000, k_green = 0x00FF00, k_blue = 0x0000FF, k_white = 0xFFFFFF;

std::uint32_t quadrants(int x, int y) {
  if (y < 2) return x < 2 ? k_red : k_green;
  return x < 2 ? k_blue : k_white;
}

TEST(BmpImage, Parses24BitBottomUpPictureTopRowFirst) {
  const auto file = make_bmp(4, 4, quadrants);
  auto image = parse_bmp(file);
  ASSERT_TRUE(image) << image.error().message;
  EXPECT_EQ(image->width, 4);
  EXPECT_EQ(image->height, 4);
  EXPECT_EQ(image->y[0], 77);                // red, top-left
  EXPECT_EQ(image->y[3], 149);               // green, top-right
  EXPECT_EQ(image->y[12], 29);               // blue, bottom-left
  EXPECT_EQ(image->y[15], 255);              // white, bottom-right
  ASSERT_EQ(image->v.size(), 4u);
  EXPECT_GT(image->v[0], 200);               // red has strong Cr
  EXPECT_GT(image->u[2], 200);               // blue has strong Cb
  EXPECT_EQ(image->u[3], 128);
  EXPECT_EQ(image->v[3], 128);
}

TEST(BmpImage, TopDownPictureGivesTheSamePlanes) {
  auto bottom_up = parse_bmp(make_bmp(5, 3, quadrants));
  auto top_down = parse_bmp(make_bmp(5, 3, quadrants, 24, true));
  ASSERT_TRUE(bottom_up);
  ASSERT_TRUE(top_down);
  EXPECT_EQ(*bottom_up, *top_down);
  EXPECT_EQ(bottom_up->u.size(), 6u);  // odd sizes round the chroma up
}

TEST(BmpImage, AcceptsTheLargestAllowedPicture) {
  EXPECT_TRUE(parse_bmp(make_bmp(128, 128, quadrants)));
}

TEST(BmpImage, RefusesOtherBitDepthsWithTheManualsRule) {
  for (const int bits : {8, 16, 32}) {
    auto image = parse_bmp(make_bmp(4, 4, quadrants, bits));
    ASSERT_FALSE(image) << bits;
    EXPECT_NE(image.error().message.find(std::to_string(bits) + " bits per pixel"), std::string::npos);
    EXPECT_NE(image.error().message.find("BMP format with 24-bit"), std::string::npos);
    EXPECT_NE(image.error().message.find("128 x 128"), std::string::npos);
  }
}

TEST(BmpImage, RefusesPicturesLargerThan128) {
  for (const auto& [width, height] : {std::pair{129, 10}, std::pair{10, 129}}) {
    auto image = parse_bmp(make_bmp(width, height, quadrants));
    ASSERT_FALSE(image);
    EXPECT_NE(image.error().message.find(std::to_string(width) + " x " + std::to_string(height)), std::string::npos);
  }
}

TEST(BmpImage, RefusesEveryTruncationWithoutCrashing) {
  const auto file = make_bmp(7, 5, quadrants);
  for (std::size_t size = 0; size < file.size(); ++size) {
    auto image = parse_bmp(std::span(file.data(), size));
    EXPECT_FALSE(image) << "accepted a file cut to " << size << " bytes";
  }
}

TEST(BmpImage, RefusesDamagedHeaders) {
  auto not_bmp = make_bmp(4, 4, quadrants);
  not_bmp[0] = 'P';
  EXPECT_FALSE(parse_bmp(not_bmp));

  auto compressed = make_bmp(4, 4, quadrants);
  compressed[30] = 1;
  auto refused = parse_bmp(compressed);
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message.find("compressed"), std::string::npos);

  auto far_offset = make_bmp(4, 4, quadrants);
  far_offset[13] = 0x7F;  // pixel data "starts" beyond the file
  EXPECT_FALSE(parse_bmp(far_offset));

  auto huge_header = make_bmp(4, 4, quadrants);
  huge_header[17] = 0x7F;
  EXPECT_FALSE(parse_bmp(huge_header));

  auto empty = make_bmp(4, 4, quadrants);
  for (int i = 18; i < 22; ++i) empty[static_cast<std::size_t>(i)] = 0;
  EXPECT_FALSE(parse_bmp(empty));
}

}  // namespace
}  // namespace camrig::media::image
