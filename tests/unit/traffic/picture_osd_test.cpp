// The picture OSD's text: the manual's examples composed exactly (separator, prefix, suffix, with
// ms), delimiter quantity, per-item separators, line feed, word wrap, and the title box settings.
#include "device/traffic/picture_osd.hpp"

#include <gtest/gtest.h>

#include <chrono>

#include "device/core/config_schema.hpp"
#include "device/core/device_profile.hpp"

namespace camrig::traffic {
namespace {

using namespace std::chrono_literals;

PictureFacts facts() {
  PictureFacts f;
  // 2024-11-04 09:58:41.250 in the camera's zone.
  f.local_time = hal::WallTime(std::chrono::sys_days(std::chrono::year(2024) / 11 / 4).time_since_epoch() + 9h + 58min + 41s + 250ms);
  f.plate = "A12345";
  f.direction = "approaching";
  f.vehicle_colour = "white";
  f.confidence = 0.967;
  return f;
}

OsdItem item(OsdInfo info) {
  OsdItem i;
  i.info = info;
  return i;
}

TEST(PictureOsdTest, VerticalBarSeparatorComposesTheManualsExample) {
  TitleBox box;
  box.items = {item(OsdInfo::date), item(OsdInfo::plate)};
  EXPECT_EQ(compose_title_lines(box, *separator_text("vertical_bar"), facts()), std::vector<std::string>{"2024-11-04|A12345"});
}

TEST(PictureOsdTest, PrefixAndSuffixComposeTheManualsExamples) {
  auto time = item(OsdInfo::time);
  time.prefix = "Time of trigger: ";
  EXPECT_EQ(compose_item(time, facts()), "Time of trigger: 2024-11-04 09:58:41");
  time.prefix.clear();
  time.suffix = ": Time of trigger";
  EXPECT_EQ(compose_item(time, facts()), "2024-11-04 09:58:41: Time of trigger");
}

TEST(PictureOsdTest, TimeWithMillisecondsAndTheOtherInfoTypes) {
  auto time = item(OsdInfo::time);
  time.with_ms = true;
  EXPECT_EQ(compose_item(time, facts()), "2024-11-04 09:58:41.250");
  auto location = item(OsdInfo::location);
  location.content = "Gate 3 North";
  EXPECT_EQ(compose_item(location, facts()), "Gate 3 North");
  EXPECT_EQ(compose_item(item(OsdInfo::direction), facts()), "Approaching");
  EXPECT_EQ(compose_item(item(OsdInfo::vehicle_colour), facts()), "White");
  EXPECT_EQ(compose_item(item(OsdInfo::confidence), facts()), "97%");
  auto unlicensed = facts();
  unlicensed.plate.clear();
  unlicensed.direction = "leaving";
  EXPECT_EQ(compose_item(item(OsdInfo::plate), unlicensed), "Unlicensed");
  EXPECT_EQ(compose_item(item(OsdInfo::direction), unlicensed), "Departing");
}

TEST(PictureOsdTest, DelimiterQuantityItemSeparatorAndLineFeed) {
  TitleBox box;
  auto time = item(OsdInfo::time);
  time.delimiters = 2;
  auto plate = item(OsdInfo::plate);
  plate.separator = " ";
  auto location = item(OsdInfo::location);
  location.content = "Lane 1";
  location.line_feed = true;
  auto custom = item(OsdInfo::custom);
  custom.content = "Camrig";
  custom.delimiters = 0;
  box.items = {time, plate, location, custom, item(OsdInfo::direction)};
  EXPECT_EQ(compose_title_lines(box, "|", facts()),
            (std::vector<std::string>{"2024-11-04 09:58:41||A12345 Lane 1", "CamrigApproaching"}));
}

// Every character is 10 px wide in these tests, so widths read as character counts.
int ten_per_character(std::string_view text) { return static_cast<int>(text.size()) * 10; }

TEST(PictureOsdTest, WordWrapBreaksAfterTheSeparatorAndNoWrapCutsAtTheEdge) {
  const std::vector<std::string> line{"2024-11-04 09:58:41|A12345|Approaching"};
  EXPECT_EQ(fit_lines(line, 200, true, "|", ten_per_character),
            (std::vector<std::string>{"2024-11-04 09:58:41|", "A12345|Approaching"}));
  EXPECT_EQ(fit_lines(line, 120, true, "|", ten_per_character),
            (std::vector<std::string>{"2024-11-04", "09:58:41|", "A12345|", "Approaching"}));
  EXPECT_EQ(fit_lines(line, 200, false, "|", ten_per_character), std::vector<std::string>{"2024-11-04 09:58:41|"});
  // A word longer than the picture is broken mid-word rather than lost.
  EXPECT_EQ(fit_lines({"ABCDEFGH"}, 30, true, "|", ten_per_character), (std::vector<std::string>{"ABC", "DEF", "GH"}));
  EXPECT_EQ(fit_lines({"short"}, 200, true, "|", ten_per_character), std::vector<std::string>{"short"});
}

TEST(PictureOsdTest, TitleBoxesParseRoundTripAndRefuseBadSettings) {
  const auto parsed = parse_title_boxes(
      R"([{"x":0.1,"y":0.5,"font_size":24,"colour":"#FF0000","items":[{"info":"time","with_ms":true,"prefix":"T: "},)"
      R"({"info":"custom","content":"Gate","separator":"comma","delimiters":2,"line_feed":true}]}])");
  ASSERT_TRUE(parsed) << parsed.error().message;
  ASSERT_EQ(parsed->size(), 1u);
  const auto& box = parsed->front();
  EXPECT_EQ(box.font_size, 24);
  EXPECT_EQ(box.colour, 0xFF0000u);
  ASSERT_EQ(box.items.size(), 2u);
  EXPECT_TRUE(box.items[0].with_ms);
  EXPECT_EQ(box.items[1].separator, ",");
  EXPECT_EQ(box.items[1].delimiters, 2);
  const auto again = parse_title_boxes(title_boxes_json(*parsed));
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_EQ(title_boxes_json(*again), title_boxes_json(*parsed));

  std::string nine = "[";
  for (int i = 0; i < 9; ++i) nine += std::string(i ? "," : "") + R"({"items":[]})";
  nine += "]";
  const auto too_many = parse_title_boxes(nine);
  ASSERT_FALSE(too_many);
  EXPECT_NE(too_many.error().message.find("at most 8 title boxes"), std::string::npos);
  const auto unknown = parse_title_boxes(R"([{"items":[{"info":"speed"}]}])");
  ASSERT_FALSE(unknown);
  EXPECT_NE(unknown.error().message.find("title box 1 item 1"), std::string::npos);
  EXPECT_FALSE(parse_title_boxes(R"([{"items":[{"info":"plate","with_ms":true}]}])"));
  EXPECT_FALSE(parse_title_boxes(R"([{"items":[{"info":"plate","content":"x"}]}])"));
  EXPECT_FALSE(parse_title_boxes(R"([{"x":1.5,"items":[]}])"));
  EXPECT_FALSE(parse_title_boxes(R"([{"colour":"red","items":[]}])"));
  EXPECT_FALSE(parse_title_boxes("not json"));
}

TEST(PictureOsdTest, TheLprCamerasDefaultSettingsParse) {
  auto profile = core::DeviceProfile::builtin("lpr-camera");
  ASSERT_TRUE(profile);
  auto schema = core::ConfigSchema::builtin();
  ASSERT_TRUE(schema) << schema.error().message;
  auto config = core::ConfigService::open(*schema, *profile, ":memory:", nullptr);
  ASSERT_TRUE(config) << config.error().message;
  const auto settings = picture_osd_from_config(**config);
  ASSERT_TRUE(settings) << settings.error().message;
  EXPECT_EQ(settings->bar, OsdBar::below);
  EXPECT_EQ(settings->separator, "|");
  ASSERT_EQ(settings->boxes.size(), 1u);
  EXPECT_EQ(compose_title_lines(settings->boxes[0], settings->separator, facts()),
            std::vector<std::string>{"2024-11-04 09:58:41|A12345|Approaching"});
}

}  // namespace
}  // namespace camrig::traffic
