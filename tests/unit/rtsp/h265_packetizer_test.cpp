#include "device/rtsp/h265_packetizer.hpp"

#include <gtest/gtest.h>

namespace camrig::rtsp {
namespace {

using namespace std::chrono_literals;

//! A NAL unit of `type` with a two-byte header (LayerId 0, TID 1) and non-zero filler.
std::vector<std::uint8_t> nal(int type, std::size_t size) {
  std::vector<std::uint8_t> unit(size);
  unit[0] = static_cast<std::uint8_t>(type << 1);
  unit[1] = 0x01;
  for (std::size_t i = 2; i < size; ++i) unit[i] = static_cast<std::uint8_t>(1 + i % 251);
  return unit;
}

std::vector<std::uint8_t> annex_b(const std::vector<std::vector<std::uint8_t>>& units) {
  std::vector<std::uint8_t> out;
  for (const auto& unit : units) {
    out.insert(out.end(), {0, 0, 0, 1});
    out.insert(out.end(), unit.begin(), unit.end());
  }
  return out;
}

std::unique_ptr<Packetizer> make(std::size_t mtu = 1400) {
  return make_packetizer(media::VideoCodec::h265, {.ssrc = 0x01020304, .first_sequence = 100, .timestamp_offset = 0, .mtu = mtu});
}

TEST(H265Packetizer, IsChosenForH265WithDynamicPayloadType) {
  auto packetizer = make();
  EXPECT_NE(dynamic_cast<H265Packetizer*>(packetizer.get()), nullptr);
  EXPECT_EQ(packetizer->payload_type(), 96);
}

TEST(H265Packetizer, SendsSmallUnitsAsSingleNalUnitPackets) {
  auto packetizer = make();
  const auto vps = nal(32, 24);
  const auto sps = nal(33, 40);
  const auto pps = nal(34, 8);
  const auto slice = nal(1, 1000);
  const auto access_unit = annex_b({vps, sps, pps, slice});
  std::vector<RtpPacket> packets;
  packetizer->packetize(access_unit, 1s, packets);
  ASSERT_EQ(packets.size(), 4u);
  EXPECT_EQ(std::vector<std::uint8_t>(packets[0].payload.begin(), packets[0].payload.end()), vps);
  EXPECT_EQ(std::vector<std::uint8_t>(packets[3].payload.begin(), packets[3].payload.end()), slice);
  for (std::size_t i = 0; i < packets.size(); ++i) {
    EXPECT_EQ(packets[i].header_size, 12);
    EXPECT_EQ(packets[i].rtp_header()[1] & 0x7f, 96);
    EXPECT_EQ(packets[i].marker(), i == 3);
  }
}

TEST(H265Packetizer, FragmentsLargeUnitsWithTheTwoBytePayloadHeaderAndReassemblesThem) {
  auto packetizer = make();
  auto idr = nal(19, 5000);
  idr[1] = 0x0b;  // LayerId 1, TID 3: both must be copied into the payload header
  const auto access_unit = annex_b({nal(32, 20), idr});
  std::vector<RtpPacket> packets;
  packetizer->packetize(access_unit, 2s, packets);
  ASSERT_EQ(packets.size(), 1u + 4u);  // 4998 bytes after the NAL header, 1385 per fragment

  std::vector<std::uint8_t> rebuilt;
  for (std::size_t i = 1; i < packets.size(); ++i) {
    const auto h = packets[i].rtp_header();
    ASSERT_EQ(packets[i].header_size, 15);
    EXPECT_LE(packets[i].size(), 1400u);
    EXPECT_EQ((h[12] >> 1) & 0x3f, 49) << "FU payload header type";
    EXPECT_EQ(h[12] & 0x81, idr[0] & 0x81) << "F bit and LayerId high bit";
    EXPECT_EQ(h[13], idr[1]) << "LayerId low bits and TID";
    const std::uint8_t fu = h[14];
    EXPECT_EQ(fu & 0x3f, 19);
    EXPECT_EQ((fu & 0x80) != 0, i == 1) << "S bit on fragment " << i;
    EXPECT_EQ((fu & 0x40) != 0, i + 1 == packets.size()) << "E bit on fragment " << i;
    EXPECT_EQ(packets[i].marker(), i + 1 == packets.size());
    if (i == 1) {
      rebuilt.push_back(static_cast<std::uint8_t>((h[12] & 0x81) | ((fu & 0x3f) << 1)));
      rebuilt.push_back(h[13]);
    }
    rebuilt.insert(rebuilt.end(), packets[i].payload.begin(), packets[i].payload.end());
  }
  EXPECT_EQ(rebuilt, idr);
}

TEST(H265Packetizer, SequenceAndTimestampRunOnAcrossAccessUnits) {
  auto packetizer = make(600);
  std::vector<RtpPacket> first;
  std::vector<RtpPacket> second;
  packetizer->packetize(annex_b({nal(19, 3000)}), 10s, first);
  packetizer->packetize(annex_b({nal(1, 100)}), 10s + 40ms, second);
  for (const auto& packet : first) EXPECT_LE(packet.size(), 600u);
  const auto ts = [](const RtpPacket& p) {
    const auto h = p.rtp_header();
    return static_cast<std::uint32_t>(h[4]) << 24 | static_cast<std::uint32_t>(h[5]) << 16 | static_cast<std::uint32_t>(h[6]) << 8 | h[7];
  };
  const auto seq = [](const RtpPacket& p) { return static_cast<std::uint16_t>(p.rtp_header()[2] << 8 | p.rtp_header()[3]); };
  EXPECT_EQ(ts(second[0]) - ts(first[0]), 3600u);
  EXPECT_EQ(seq(first[0]), 100);
  EXPECT_EQ(seq(second[0]), static_cast<std::uint16_t>(seq(first.back()) + 1));
}

}  // namespace
}  // namespace camrig::rtsp
