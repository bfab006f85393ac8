#include "device/media/image/image_processor.hpp"

#include <chrono>
#include <cmath>
#include <ctime>
#include <iostream>

#include <gtest/gtest.h>

#include "tests/support/lockstep_test_clock.hpp"
#include "tests/unit/media/image_test_support.hpp"

namespace camrig::media::image {
namespace {

using test::gradient_frame;
using test::make_frame;

std::uint8_t at(const hal::VideoFrame& frame, int plane, int x, int y) {
  return frame.plane(plane)[static_cast<std::ptrdiff_t>(y) * frame.stride(plane) + x];
}

double mean_luma(const hal::VideoFrame& frame) {
  double sum = 0;
  for (int i = 0; i < frame.width() * frame.height(); ++i) sum += frame.plane(0)[i];
  return sum / (frame.width() * frame.height());
}

double luma_deviation(const hal::VideoFrame& frame) {
  const double mean = mean_luma(frame);
  double sum = 0;
  for (int i = 0; i < frame.width() * frame.height(); ++i) sum += std::pow(frame.plane(0)[i] - mean, 2);
  return std::sqrt(sum / (frame.width() * frame.height()));
}

TEST(ImageProcessor, NeutralSettingsPassTheSensorFrameThroughUncopied) {
  ImageProcessor processor(nullptr);
  const hal::VideoFramePtr frame = gradient_frame(64, 48);
  EXPECT_EQ(processor.process(frame).get(), frame.get());
}

TEST(ImageProcessor, MirrorMovesEveryPixelExactly) {
  const hal::VideoFramePtr input = gradient_frame(64, 48);
  for (const auto mirror : {Mirror::left_right, Mirror::up_down, Mirror::center}) {
    ImageSettings settings;
    settings.adjustments.mirror = mirror;
    ImageProcessor processor(nullptr, settings);
    const auto output = processor.process(input);
    ASSERT_NE(output.get(), input.get());
    EXPECT_EQ(output->timestamp, input->timestamp);
    for (int plane = 0; plane < 3; ++plane) {
      const int width = plane == 0 ? 64 : 32, height = plane == 0 ? 48 : 24;
      for (int y = 0; y < height; ++y)
        for (int x = 0; x < width; ++x) {
          const int sx = mirror != Mirror::up_down ? width - 1 - x : x;
          const int sy = mirror != Mirror::left_right ? height - 1 - y : y;
          ASSERT_EQ(at(*output, plane, x, y), at(*input, plane, sx, sy)) << "plane " << plane << " at " << x << "," << y;
        }
    }
  }
}

TEST(ImageProcessor, RotateTurnsEveryPlane90DegreesCounterclockwiseAndMasksApplyToTheTurnedPicture) {
  // Not a multiple of the tile size, with chroma that differs per pixel.
  auto input = std::make_shared<hal::VideoFrame>(80, 46);
  for (int plane = 0; plane < 3; ++plane)
    for (int y = 0; y < (plane ? 23 : 46); ++y)
      for (int x = 0; x < (plane ? 40 : 80); ++x)
        input->plane(plane)[y * input->stride(plane) + x] = static_cast<std::uint8_t>((x * 5 + y * 11 + plane * 17) % 251);
  input->timestamp = hal::Nanos(1234);
  ImageSettings settings;
  settings.adjustments.rotate = true;
  ImageProcessor processor(nullptr, settings);
  const auto output = processor.process(input);
  ASSERT_EQ(output->width(), 46);
  ASSERT_EQ(output->height(), 80);
  EXPECT_EQ(output->timestamp, input->timestamp);
  for (int plane = 0; plane < 3; ++plane) {
    const int source_width = plane ? 40 : 80;
    for (int y = 0; y < (plane ? 40 : 80); ++y)
      for (int x = 0; x < (plane ? 23 : 46); ++x)
        ASSERT_EQ(at(*output, plane, x, y), at(*input, plane, source_width - 1 - y, x)) << "plane " << plane << " at " << x << "," << y;
  }
  // The top-right corner of the sensor is the top-left corner of what the user sees.
  EXPECT_EQ(at(*output, 0, 0, 0), at(*input, 0, 79, 0));

  settings.privacy_mask.enabled = true;
  settings.privacy_mask.region_enabled[0] = true;
  settings.privacy_mask.regions[0] = {0.0, 0.0, 1.0, 0.5};
  processor.apply(settings);
  const auto masked = processor.process(input);
  ASSERT_EQ(masked->height(), 80);
  EXPECT_EQ(at(*masked, 0, 20, 10), at(*masked, 0, 40, 30)) << "the upper half of the turned picture is one colour";
  EXPECT_EQ(at(*masked, 0, 20, 70), at(*input, 0, 79 - 70, 20)) << "the lower half is the picture";
}

TEST(ImageProcessor, PrivacyMaskBlanksItsRegionUniformlyAndNothingElse) {
  const hal::VideoFramePtr input = gradient_frame(200, 100);
  ImageSettings settings;
  settings.privacy_mask.enabled = true;
  settings.privacy_mask.region_enabled[1] = true;
  settings.privacy_mask.regions[1] = {0.25, 0.5, 0.5, 0.3};  // x 50..150, y 50..80
  settings.privacy_mask.regions[2] = {0.0, 0.0, 1.0, 1.0};   // drawn but not enabled
  ImageProcessor processor(nullptr, settings);
  const auto output = processor.process(input);
  for (int y = 0; y < 100; ++y)
    for (int x = 0; x < 200; ++x) {
      const bool masked = x >= 50 && x < 150 && y >= 50 && y < 80;
      ASSERT_EQ(at(*output, 0, x, y), masked ? 0 : at(*input, 0, x, y)) << x << "," << y;
      if (x % 2 == 0 && y % 2 == 0) {
        ASSERT_EQ(at(*output, 1, x / 2, y / 2), masked ? 128 : at(*input, 1, x / 2, y / 2)) << x << "," << y;
      }
    }
  // The master switch turns every region off.
  settings.privacy_mask.enabled = false;
  processor.apply(settings);
  EXPECT_EQ(processor.process(input).get(), input.get());
}

TEST(ImageProcessor, OverlayPicturePixelsMatchTheBmp) {
  auto picture = parse_bmp(test::make_bmp(10, 6, [](int x, int y) { return static_cast<std::uint32_t>(x * 20 << 16 | y * 40 << 8 | 90); }));
  ASSERT_TRUE(picture) << picture.error().message;
  ImageSettings settings;
  settings.overlay_picture = {true, 0.5, 0.25, std::make_shared<const BmpImage>(*picture)};
  ImageProcessor processor(nullptr, settings);
  const hal::VideoFramePtr input = gradient_frame(64, 48);
  const auto output = processor.process(input);
  for (int y = 0; y < 48; ++y)
    for (int x = 0; x < 64; ++x) {
      const bool covered = x >= 32 && x < 42 && y >= 12 && y < 18;
      ASSERT_EQ(at(*output, 0, x, y), covered ? picture->y[static_cast<std::size_t>((y - 12) * 10 + x - 32)] : at(*input, 0, x, y));
    }
  EXPECT_EQ(at(*output, 1, 16, 6), picture->u[0]);
  EXPECT_EQ(at(*output, 2, 20, 8), picture->v[2 * 5 + 4]);

  // Placed at the far corner it is moved back inside the frame, never cut.
  settings.overlay_picture.x = 1.0;
  settings.overlay_picture.y = 1.0;
  processor.apply(settings);
  const auto corner = processor.process(input);
  EXPECT_EQ(at(*corner, 0, 63, 47), picture->y.back());
}

TEST(ImageProcessor, BrightnessAndContrastAreMonotone) {
  const hal::VideoFramePtr input = gradient_frame(128, 64);
  double previous_mean = -1, previous_spread = -1;
  for (const int level : {0, 25, 50, 75, 100}) {
    ImageSettings settings;
    settings.adjustments.brightness = level;
    const auto bright = ImageProcessor(nullptr, settings).process(input);
    EXPECT_GT(mean_luma(*bright), previous_mean) << "brightness " << level;
    previous_mean = mean_luma(*bright);

    settings = {};
    settings.adjustments.contrast = level;
    const auto contrast = ImageProcessor(nullptr, settings).process(input);
    EXPECT_GT(luma_deviation(*contrast), previous_spread) << "contrast " << level;
    previous_spread = luma_deviation(*contrast);
  }
}

TEST(ImageProcessor, ToneMappingLiftsShadowsAndTamesHighlights) {
  Adjustments neutral;
  const auto flat = luma_curve(neutral);
  for (int value = 0; value < 256; ++value) EXPECT_EQ(flat[static_cast<std::size_t>(value)], value);
  Adjustments wdr = neutral;
  wdr.wdr = true;
  wdr.wdr_level = 80;
  EXPECT_GT(luma_curve(wdr)[40], 60);
  Adjustments blc = neutral;
  blc.blc = true;
  EXPECT_GT(luma_curve(blc)[60], 80);
  Adjustments hlc = neutral;
  hlc.hlc = true;
  hlc.hlc_level = 100;
  EXPECT_LT(luma_curve(hlc)[250], 200);
  EXPECT_EQ(luma_curve(hlc)[100], 100);  // below the knee nothing moves
  for (const auto& adjustments : {wdr, blc, hlc}) {
    const auto curve = luma_curve(adjustments);
    for (std::size_t value = 1; value < 256; ++value) EXPECT_GE(curve[value], curve[value - 1]);
  }
}

TEST(ImageProcessor, SaturationZeroAndNightModeMakeTheFrameGrey) {
  const hal::VideoFramePtr input = make_frame(64, 48, [](int x, int) { return static_cast<std::uint8_t>(x); }, 60, 200);
  for (const bool night : {false, true}) {
    ImageSettings settings;
    if (night) settings.adjustments.day_night = DayNight::night;
    else settings.adjustments.saturation = 0;
    ImageProcessor processor(nullptr, settings);
    const auto output = processor.process(input);
    EXPECT_EQ(processor.night(), night);
    for (int i = 0; i < 32 * 24; ++i) {
      ASSERT_EQ(output->plane(1)[i], 128);
      ASSERT_EQ(output->plane(2)[i], 128);
    }
    for (int i = 0; i < 64 * 48; ++i) ASSERT_EQ(output->plane(0)[i], input->plane(0)[i]);
  }
}

TEST(ImageProcessor, ScheduledDayNightFollowsTheClock) {
  camrig::test::LockstepTestClock clock;  // 12:00 UTC at now() == 0
  ImageSettings settings;
  settings.adjustments.day_night = DayNight::scheduled;
  settings.adjustments.day_start_minute = 6 * 60;
  settings.adjustments.day_end_minute = 18 * 60;
  ImageProcessor processor(&clock, settings);
  auto frame = gradient_frame(32, 16);
  processor.process(frame);
  EXPECT_FALSE(processor.night());
  clock.advance_to(std::chrono::hours(7));  // 19:00
  frame->timestamp = clock.now();
  processor.process(frame);
  EXPECT_TRUE(processor.night());
}

TEST(ImageProcessor, AutomaticDayNightFollowsSceneBrightness) {
  ImageSettings settings;
  settings.adjustments.day_night = DayNight::automatic;
  ImageProcessor processor(nullptr, settings);
  const hal::VideoFramePtr dark = make_frame(64, 48, [](int, int) { return std::uint8_t{10}; });
  const hal::VideoFramePtr bright = make_frame(64, 48, [](int, int) { return std::uint8_t{200}; });
  processor.process(bright);
  EXPECT_FALSE(processor.night());
  for (int i = 0; i < 30; ++i) processor.process(dark);
  EXPECT_TRUE(processor.night());
  for (int i = 0; i < 30; ++i) processor.process(bright);
  EXPECT_FALSE(processor.night());
}

TEST(ImageProcessor, SharpnessRaisesEdgeContrastAndLowSharpnessBlurs) {
  // A vertical edge: dark left half, bright right half.
  const hal::VideoFramePtr input = make_frame(64, 16, [](int x, int) { return std::uint8_t(x < 32 ? 80 : 160); });
  ImageSettings settings;
  settings.adjustments.sharpness = 100;
  const auto sharp = ImageProcessor(nullptr, settings).process(input);
  EXPECT_LT(at(*sharp, 0, 31, 8), 80);
  EXPECT_GT(at(*sharp, 0, 32, 8), 160);
  settings.adjustments.sharpness = 0;
  const auto soft = ImageProcessor(nullptr, settings).process(input);
  EXPECT_GT(at(*soft, 0, 31, 8), 80);
  EXPECT_LT(at(*soft, 0, 32, 8), 160);
  EXPECT_EQ(at(*soft, 0, 10, 8), 80);
}

TEST(ImageProcessor, OsdTextLandsWhereItIsSetAndNewSettingsApplyFromTheNextFrame) {
  const hal::VideoFramePtr input = make_frame(320, 180, [](int, int) { return std::uint8_t{90}; });
  ImageSettings settings;
  settings.osd.texts[3] = {true, "Lane 2", 0.5, 0.5};
  settings.osd.font_size = 16;
  settings.osd.self_adaptive_colour = false;
  settings.osd.colour_rgb = 0xFFFFFF;
  ImageProcessor processor(nullptr, settings);
  auto output = processor.process(input);
  int changed_left = 0, changed_right = 0;
  for (int y = 0; y < 180; ++y)
    for (int x = 0; x < 320; ++x)
      if (at(*output, 0, x, y) != 90) {
        ASSERT_GE(y, 90);
        ASSERT_LT(y, 90 + 24);
        (x >= 160 ? changed_right : changed_left) += 1;
      }
  EXPECT_EQ(changed_left, 0);
  EXPECT_GT(changed_right, 50);

  settings.osd.texts[3].enabled = false;
  processor.apply(settings);
  EXPECT_EQ(processor.process(input).get(), input.get());
}

// Not a timing assertion: the figure for the report, every function on at 1080p.
TEST(ImageProcessor, CostPerFrameWithEverythingOnAt1080p) {
  camrig::test::LockstepTestClock clock;
  ImageSettings settings;
  settings.adjustments = {60, 55, 40, 70, Mirror::center, DayNight::day, 360, 1080, true, 60, false, true, 50};
  settings.osd.channel_name = {true, "Camera 01", 0.02, 0.9};
  settings.osd.show_date = true;
  settings.osd.show_week = true;
  settings.osd.date_x = 0.02;
  settings.osd.date_y = 0.02;
  settings.osd.texts[0] = {true, "Entrance north", 0.6, 0.8};
  settings.osd.texts[1] = {true, "Lane 2", 0.6, 0.86};
  settings.privacy_mask.enabled = true;
  for (std::size_t i = 0; i < 4; ++i) {
    settings.privacy_mask.region_enabled[i] = true;
    settings.privacy_mask.regions[i] = {0.1 + 0.2 * static_cast<double>(i), 0.3, 0.1, 0.1};
  }
  auto picture = parse_bmp(test::make_bmp(128, 128, [](int x, int y) { return static_cast<std::uint32_t>(x << 16 | y << 8); }));
  ASSERT_TRUE(picture);
  settings.overlay_picture = {true, 0.9, 0.05, std::make_shared<const BmpImage>(*picture)};
  ImageProcessor processor(&clock, settings);
  const hal::VideoFramePtr input = gradient_frame(1920, 1080);
  processor.process(input);  // glyph cache warm-up
  constexpr int k_frames = 10;
  // Processor time, not wall time: the figure should not depend on what else the machine runs.
  const auto started = std::clock();
  for (int i = 0; i < k_frames; ++i) processor.process(input);
  const double all_ms = static_cast<double>(std::clock() - started) * 1000.0 / CLOCKS_PER_SEC;

  ImageSettings osd_only;
  osd_only.osd = settings.osd;
  processor.apply(osd_only);
  processor.process(input);
  auto opened = OsdRenderer::open();
  ASSERT_TRUE(opened);
  OsdRenderer& renderer = **opened;
  hal::VideoFrame canvas = *input;
  renderer.draw_osd(canvas, settings.osd, clock.wall_time());
  const auto osd_started = std::clock();
  for (int i = 0; i < k_frames; ++i) renderer.draw_osd(canvas, settings.osd, clock.wall_time());
  const double osd_ms = static_cast<double>(std::clock() - osd_started) * 1000.0 / CLOCKS_PER_SEC;
  std::cout << "image pipeline, everything on, 1920x1080: " << all_ms / k_frames
            << " ms/frame; OSD (date+name+2 lines): " << osd_ms / k_frames << " ms/frame (processor time)\n";
  SUCCEED();
}

}  // namespace
}  // namespace camrig::media::image
