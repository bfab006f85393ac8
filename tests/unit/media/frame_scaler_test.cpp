#include "device/media/frame_scaler.hpp"

#include <algorithm>
#include <cstring>

#include <gtest/gtest.h>

namespace camrig::media {
namespace {

std::shared_ptr<hal::VideoFrame> flat_frame(int width, int height, std::uint8_t luma, std::uint8_t u, std::uint8_t v) {
  auto frame = std::make_shared<hal::VideoFrame>(width, height);
  std::memset(frame->plane(0), luma, static_cast<std::size_t>(width) * height);
  std::memset(frame->plane(1), u, static_cast<std::size_t>(width / 2) * (height / 2));
  std::memset(frame->plane(2), v, static_cast<std::size_t>(width / 2) * (height / 2));
  return frame;
}

TEST(FrameScaler, OutputHasTheRequestedSizeAndTheInputsTimestampAndSequence) {
  auto scaler = FrameScaler::create(640, 360);
  ASSERT_TRUE(scaler.ok()) << scaler.error().message;
  auto input = flat_frame(1920, 1080, 100, 90, 170);
  input->timestamp = hal::Nanos{123'456'789};
  input->sequence = 42;
  auto output = scaler->scale(*input);
  ASSERT_TRUE(output.ok()) << output.error().message;
  EXPECT_EQ((*output)->width(), 640);
  EXPECT_EQ((*output)->height(), 360);
  EXPECT_EQ((*output)->timestamp, input->timestamp);
  EXPECT_EQ((*output)->sequence, 42u);
  EXPECT_NE(output->get(), input.get());
}

TEST(FrameScaler, FlatFrameKeepsItsLevelsIncludingFullRangeExtremes) {
  auto scaler = FrameScaler::create(320, 180);
  ASSERT_TRUE(scaler.ok());
  for (const std::uint8_t level : {std::uint8_t{0}, std::uint8_t{128}, std::uint8_t{255}}) {
    auto output = scaler->scale(*flat_frame(1280, 720, level, 60, 200));
    ASSERT_TRUE(output.ok());
    const auto& frame = **output;
    const auto* luma = frame.plane(0);
    const auto [low, high] = std::minmax_element(luma, luma + 320 * 180);
    EXPECT_NEAR(*low, level, 1);
    EXPECT_NEAR(*high, level, 1);
    const auto [u_low, u_high] = std::minmax_element(frame.plane(1), frame.plane(1) + 160 * 90);
    const auto [v_low, v_high] = std::minmax_element(frame.plane(2), frame.plane(2) + 160 * 90);
    EXPECT_NEAR(*u_low, 60, 1);
    EXPECT_NEAR(*u_high, 60, 1);
    EXPECT_NEAR(*v_low, 200, 1);
    EXPECT_NEAR(*v_high, 200, 1);
  }
}

TEST(FrameScaler, LeftAndRightHalvesStayApart) {
  // A frame dark on the left and bright on the right keeps that layout after scaling.
  auto input = flat_frame(1280, 720, 20, 128, 128);
  for (int row = 0; row < 720; ++row) std::memset(input->plane(0) + row * 1280 + 640, 230, 640);
  auto scaler = FrameScaler::create(640, 360);
  ASSERT_TRUE(scaler.ok());
  auto output = scaler->scale(*input);
  ASSERT_TRUE(output.ok());
  const auto* luma = (*output)->plane(0);
  EXPECT_NEAR(luma[180 * 640 + 100], 20, 2);
  EXPECT_NEAR(luma[180 * 640 + 540], 230, 2);
}

TEST(FrameScaler, FollowsAChangeOfInputSize) {
  auto scaler = FrameScaler::create(320, 180);
  ASSERT_TRUE(scaler.ok());
  EXPECT_TRUE(scaler->scale(*flat_frame(1920, 1080, 50, 128, 128)).ok());
  auto output = scaler->scale(*flat_frame(640, 360, 80, 128, 128));
  ASSERT_TRUE(output.ok());
  EXPECT_NEAR((*output)->plane(0)[0], 80, 1);
}

TEST(FrameScaler, RejectsOddOrEmptyTargetSizes) {
  EXPECT_EQ(FrameScaler::create(641, 360).error().code, ErrorCode::out_of_range);
  EXPECT_EQ(FrameScaler::create(0, 360).error().code, ErrorCode::out_of_range);
  EXPECT_FALSE(FrameScaler::create(640, -2).ok());
}

}  // namespace
}  // namespace camrig::media
