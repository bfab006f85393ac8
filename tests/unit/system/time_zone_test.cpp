// Hikvision time zone strings, DST switch points (northern and southern rules, the last week)
// and the local time text that ISAPI shows and accepts.
#include <gtest/gtest.h>

#include "device/system/time_zone.hpp"

namespace camrig::system {
namespace {

using namespace std::chrono;

hal::WallTime utc(int y, unsigned mo, unsigned d, int h, int mi = 0) {
  return hal::WallTime(sys_days(year(y) / month(mo) / day(d)) + hours(h) + minutes(mi));
}

TEST(TimeZone, ParsesPosixSignedOffsetsAsHikvisionWritesThem) {
  auto beijing = parse_time_zone("CST-8:00:00");
  ASSERT_TRUE(beijing);
  EXPECT_EQ(beijing->utc_offset, hours(8));
  EXPECT_FALSE(beijing->dst);
  auto newfoundland = parse_time_zone("CST+3:30:00");
  ASSERT_TRUE(newfoundland);
  EXPECT_EQ(newfoundland->utc_offset, -(hours(3) + minutes(30)));
  EXPECT_EQ(format_time_zone(*beijing), "CST-8:00:00");
  EXPECT_EQ(format_time_zone(*newfoundland), "CST+3:30:00");
}

TEST(TimeZone, RoundTripsTheDaylightSavingPart) {
  const std::string text = "CST-1:00:00DST00:30:00,M3.5.0/02:00:00,M10.5.0/03:00:00";
  auto zone = parse_time_zone(text);
  ASSERT_TRUE(zone) << zone.error().message;
  ASSERT_TRUE(zone->dst);
  EXPECT_EQ(zone->dst->bias, minutes(30));
  EXPECT_EQ(zone->dst->start, (DstRule{3, 5, 0, hours(2)}));
  EXPECT_EQ(format_time_zone(*zone), text);
}

TEST(TimeZone, RefusesMalformedTextWithTheExpectedForm) {
  for (const char* text : {"", "-8:00:00", "CST", "CST-8:00:00DST", "CST-15:00:00", "CST-8:00:00DST01:00:00,M13.1.0,M10.5.0",
                           "CST-8:00:00DST01:00:00,M4.1.0/02:00:00"}) {
    auto zone = parse_time_zone(text);
    ASSERT_FALSE(zone) << text;
    EXPECT_NE(zone.error().message.find("CST-8:00:00"), std::string::npos);
  }
  EXPECT_FALSE(parse_dst_rule("M4.6.0"));
}

TEST(TimeZone, DaylightSavingAppliesBetweenTheRules) {
  // Central Europe: UTC+1, +1 h from the last Sunday of March 02:00 to the last Sunday of October 03:00.
  auto zone = *parse_time_zone("CET-1:00:00DST01:00:00,M3.5.0/02:00:00,M10.5.0/03:00:00");
  EXPECT_EQ(local_offset(zone, utc(2026, 3, 29, 0, 59)), hours(1));  // 01:59 local, before the switch
  EXPECT_EQ(local_offset(zone, utc(2026, 3, 29, 1, 0)), hours(2));   // 02:00 local becomes 03:00
  EXPECT_EQ(local_offset(zone, utc(2026, 7, 1, 12)), hours(2));
  EXPECT_EQ(local_offset(zone, utc(2026, 10, 25, 0, 59)), hours(2));
  EXPECT_EQ(local_offset(zone, utc(2026, 10, 25, 1, 0)), hours(1));  // 03:00 daylight time is 02:00 standard
  EXPECT_EQ(local_offset(zone, utc(2026, 12, 1, 12)), hours(1));
}

TEST(TimeZone, SouthernHemisphereRulesWrapTheYearEnd) {
  // Sydney: UTC+10, +1 h from the first Sunday of October to the first Sunday of April.
  auto zone = *parse_time_zone("AEST-10:00:00DST01:00:00,M10.1.0/02:00:00,M4.1.0/03:00:00");
  EXPECT_EQ(local_offset(zone, utc(2026, 1, 15, 0)), hours(11));
  EXPECT_EQ(local_offset(zone, utc(2026, 6, 15, 0)), hours(10));
  EXPECT_EQ(local_offset(zone, utc(2026, 12, 15, 0)), hours(11));
}

TEST(LocalTime, FormatsWithTheOffsetInEffect) {
  auto zone = *parse_time_zone("CST-8:00:00");
  EXPECT_EQ(format_local_time(zone, utc(2026, 1, 1, 8)), "2026-01-01T16:00:00+08:00");
  auto west = *parse_time_zone("EST+5:00:00");
  EXPECT_EQ(format_local_time(west, utc(2026, 1, 1, 3)), "2025-12-31T22:00:00-05:00");
}

TEST(LocalTime, ParsesLocalZuluAndOffsetForms) {
  auto zone = *parse_time_zone("CST-8:00:00");
  EXPECT_EQ(*parse_local_time(zone, "2026-01-01T16:00:00"), utc(2026, 1, 1, 8));
  EXPECT_EQ(*parse_local_time(zone, "2026-01-01T16:00:00Z"), utc(2026, 1, 1, 16));
  EXPECT_EQ(*parse_local_time(zone, "2026-01-01T16:00:00-05:00"), utc(2026, 1, 1, 21));
  EXPECT_EQ(*parse_local_time(zone, "2026-01-01T16:00:00+0530"), utc(2026, 1, 1, 10, 30));
  for (const char* bad : {"2026-02-30T10:00:00", "yesterday", "2026-01-01T25:00:00", "2026-01-01T10:00:00+8"})
    EXPECT_FALSE(parse_local_time(zone, bad)) << bad;
}

}  // namespace
}  // namespace camrig::system
