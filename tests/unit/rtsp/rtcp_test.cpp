#include "device/rtsp/rtcp.hpp"

#include <gtest/gtest.h>

namespace camrig::rtsp {
namespace {

std::uint32_t word(const std::string& bytes, std::size_t offset) {
  const auto* p = reinterpret_cast<const std::uint8_t*>(bytes.data()) + offset;
  return static_cast<std::uint32_t>(p[0]) << 24 | static_cast<std::uint32_t>(p[1]) << 16 |
         static_cast<std::uint32_t>(p[2]) << 8 | p[3];
}

TEST(Rtcp, SenderReportCarriesNtpAndRtpTimeAndCounts) {
  SenderReport report;
  report.ssrc = 0x01020304;
  report.wall_time = hal::WallTime(std::chrono::seconds(1'700'000'000) + std::chrono::milliseconds(500));
  report.rtp_time = 123456;
  report.packet_count = 10;
  report.octet_count = 12000;
  const auto bytes = serialize(report);
  ASSERT_EQ(bytes.size() % 4, 0u);
  EXPECT_EQ(static_cast<std::uint8_t>(bytes[1]), 200);
  EXPECT_EQ(word(bytes, 4), 0x01020304u);
  EXPECT_EQ(word(bytes, 8), 1'700'000'000u + 2'208'988'800u);
  EXPECT_EQ(word(bytes, 12), 0x80000000u);  // half a second
  EXPECT_EQ(word(bytes, 16), 123456u);
  EXPECT_EQ(word(bytes, 20), 10u);
  EXPECT_EQ(word(bytes, 24), 12000u);
  EXPECT_EQ(static_cast<std::uint8_t>(bytes[29]), 202);  // SDES follows
  EXPECT_TRUE(is_rtcp(std::span(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size())));
}

TEST(Rtcp, RecognisesReceiverReportsAndRejectsOtherData) {
  const std::vector<std::uint8_t> receiver_report{0x80, 201, 0, 1, 0xaa, 0xbb, 0xcc, 0xdd};
  EXPECT_TRUE(is_rtcp(receiver_report));
  const std::vector<std::uint8_t> truncated{0x80, 201, 0, 5, 0xaa, 0xbb, 0xcc, 0xdd};
  EXPECT_FALSE(is_rtcp(truncated));
  const std::vector<std::uint8_t> rtp{0x80, 96, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0};
  EXPECT_FALSE(is_rtcp(rtp));
}

}  // namespace
}  // namespace camrig::rtsp
