#include "device/media/image/osd_renderer.hpp"

#include <chrono>

#include <gtest/gtest.h>

#include "tests/unit/media/image_test_support.hpp"

namespace camrig::media::image {
namespace {

using namespace std::chrono;

// Thursday 2026-01-01 20:05:09 UTC.
const hal::WallTime k_evening = hal::WallTime(sys_days(year{2026} / January / 1) + hours(20) + minutes(5) + seconds(9));

TEST(OsdDateLine, FollowsTheDateFormatClockAndWeekSettings) {
  OsdSettings osd;
  osd.date_format = "YYYY-MM-DD";
  EXPECT_EQ(compose_date_line(osd, k_evening), "2026-01-01 20:05:09");
  osd.date_format = "MM-DD-YYYY";
  osd.show_week = true;
  EXPECT_EQ(compose_date_line(osd, k_evening + days(30)), "01-31-2026 Sat 20:05:09");
  osd.date_format = "DD/MM/YYYY";
  osd.clock_12_hour = true;
  EXPECT_EQ(compose_date_line(osd, k_evening + days(30)), "31/01/2026 Sat 08:05:09 PM");
  EXPECT_EQ(compose_date_line(osd, k_evening - hours(20)), "01/01/2026 Thu 12:05:09 AM");
}

class OsdRendererTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = OsdRenderer::open();
    ASSERT_TRUE(opened) << opened.error().message;
    renderer_ = std::move(*opened);
  }
  std::unique_ptr<OsdRenderer> renderer_;
};

TEST_F(OsdRendererTest, MissingFontIsAClearError) {
  auto opened = OsdRenderer::open("/nonexistent/font.ttf");
  ASSERT_FALSE(opened);
  EXPECT_NE(opened.error().message.find("/nonexistent/font.ttf"), std::string::npos);
}

TEST_F(OsdRendererTest, TextPixelsAppearInItsBoxInTheChosenColourAndNowhereElse) {
  const auto original = test::make_frame(320, 240, [](int, int) { return std::uint8_t{100}; }, 128, 128);
  hal::VideoFrame frame = *original;
  const YuvColour red = yuv_from_rgb(0xFF0000);
  const auto box = renderer_->draw(frame, "Gate 1", 40, 60, 32, red);
  EXPECT_EQ(box.x, 40);
  EXPECT_EQ(box.y, 60);
  EXPECT_GT(box.width, 32 * 3);
  int inside_changed = 0, full_colour = 0;
  for (int y = 0; y < frame.height(); ++y)
    for (int x = 0; x < frame.width(); ++x) {
      const auto before = original->plane(0)[y * frame.width() + x];
      const auto after = frame.plane(0)[y * frame.width() + x];
      const bool inside = x >= box.x && x < box.x + box.width && y >= box.y && y < box.y + box.height;
      if (!inside) {
        ASSERT_EQ(after, before) << "pixel outside the text box changed at " << x << "," << y;
        continue;
      }
      if (after != before) ++inside_changed;
      if (after == red.y) ++full_colour;
    }
  EXPECT_GT(inside_changed, 200);
  EXPECT_GT(full_colour, 100);  // glyph cores carry exactly the chosen colour
  int red_chroma = 0;
  for (int y = 0; y < frame.height() / 2; ++y)
    for (int x = 0; x < frame.width() / 2; ++x)
      if (frame.plane(2)[y * frame.stride(2) + x] == red.v) ++red_chroma;
  EXPECT_GT(red_chroma, 20);
}

TEST_F(OsdRendererTest, LinesNearTheEdgeStayInsideThePicture) {
  auto frame = *test::make_frame(160, 120, [](int, int) { return std::uint8_t{0}; });
  const auto box = renderer_->draw(frame, "2026-01-01 20:05:09", 150, 118, 16, YuvColour{});
  EXPECT_LE(box.x + box.width, 160);
  EXPECT_LE(box.y + box.height, 120);
}

TEST_F(OsdRendererTest, SelfAdaptiveColourContrastsWithTheBackground) {
  OsdSettings osd;
  osd.channel_name = {true, "Camera 01", 0.1, 0.1};
  osd.self_adaptive_colour = true;
  osd.font_size = 32;
  auto bright = *test::make_frame(320, 240, [](int, int) { return std::uint8_t{220}; });
  renderer_->draw_osd(bright, osd, k_evening);
  auto dark = *test::make_frame(320, 240, [](int, int) { return std::uint8_t{20}; });
  renderer_->draw_osd(dark, osd, k_evening);
  int black = 0, white = 0;
  for (std::size_t i = 0; i < 320 * 240; ++i) {
    black += bright.plane(0)[i] == 0;
    white += dark.plane(0)[i] == 255;
  }
  EXPECT_GT(black, 100);
  EXPECT_GT(white, 100);
}

TEST_F(OsdRendererTest, NotTransparentModeFillsTheBoxAndFlashingHidesHalfOfEachSecond) {
  OsdSettings osd;
  osd.channel_name = {true, "AB", 0, 0};
  osd.self_adaptive_colour = false;
  osd.colour_rgb = 0xFFFFFF;
  osd.font_size = 32;
  osd.display_mode = OsdDisplayMode::not_transparent;
  auto boxed = *test::make_frame(320, 240, [](int, int) { return std::uint8_t{100}; });
  renderer_->draw_osd(boxed, osd, k_evening);
  const auto box = renderer_->measure("AB", 32);
  for (int y = 0; y < box.height; ++y)
    for (int x = 0; x < box.width; ++x) {
      const auto value = boxed.plane(0)[y * 320 + x];
      ASSERT_NE(value, 100) << "background left at " << x << "," << y;
    }

  osd.display_mode = OsdDisplayMode::transparent_flashing;
  auto shown = *test::make_frame(320, 240, [](int, int) { return std::uint8_t{100}; });
  auto hidden = shown;
  const auto untouched = shown;
  renderer_->draw_osd(shown, osd, k_evening + milliseconds(100));
  renderer_->draw_osd(hidden, osd, k_evening + milliseconds(600));
  EXPECT_NE(std::vector(shown.plane(0), shown.plane(0) + 320 * 240), std::vector(untouched.plane(0), untouched.plane(0) + 320 * 240));
  EXPECT_EQ(std::vector(hidden.plane(0), hidden.plane(0) + 320 * 240), std::vector(untouched.plane(0), untouched.plane(0) + 320 * 240));
}

TEST_F(OsdRendererTest, InvalidUtf8IsDrawnAsReplacementNotACrash) {
  auto frame = *test::make_frame(160, 120, [](int, int) { return std::uint8_t{0}; });
  const auto box = renderer_->draw(frame, std::string("A\xC3\x28\xE2\x82", 5), 0, 0, 16, YuvColour{});
  EXPECT_EQ(box.width, renderer_->measure("A?(??", 16).width);
}

}  // namespace
}  // namespace camrig::media::image
