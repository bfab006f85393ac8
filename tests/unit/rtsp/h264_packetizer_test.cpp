#include "device/rtsp/h264_packetizer.hpp"

#include <gtest/gtest.h>

#include <numeric>

namespace camrig::rtsp {
namespace {

using namespace std::chrono_literals;

std::vector<std::uint8_t> nal(std::uint8_t header, std::size_t size) {
  std::vector<std::uint8_t> unit(size);
  unit[0] = header;
  // Never 0x00 so that no start code appears inside the unit.
  for (std::size_t i = 1; i < size; ++i) unit[i] = static_cast<std::uint8_t>(1 + i % 251);
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

std::uint16_t sequence_of(const RtpPacket& packet) {
  const auto header = packet.rtp_header();
  return static_cast<std::uint16_t>(header[2] << 8 | header[3]);
}

std::uint32_t timestamp_of(const RtpPacket& packet) {
  const auto h = packet.rtp_header();
  return static_cast<std::uint32_t>(h[4]) << 24 | static_cast<std::uint32_t>(h[5]) << 16 |
         static_cast<std::uint32_t>(h[6]) << 8 | h[7];
}

H264Packetizer make_h264(std::uint16_t first_sequence = 65534) {
  return H264Packetizer({.ssrc = 0xdeadbeef, .first_sequence = first_sequence, .timestamp_offset = 1000, .mtu = 1400});
}

TEST(H264Packetizer, AnEncodedPacketIsCutAtTheNalUnitsTheEncoderFoundWithoutAnotherScan) {
  media::EncodedPacket packet;
  packet.data = annex_b({nal(0x67, 20), nal(0x68, 6), nal(0x65, 3000)});
  packet.timestamp = 1s;
  packet.nal_units = {{4, 20}, {28, 6}, {38, 3000}};
  auto scanned = make_h264();
  auto cut = make_h264();
  std::vector<RtpPacket> by_scan;
  std::vector<RtpPacket> by_ranges;
  scanned.packetize(packet.data, packet.timestamp, by_scan);
  static_cast<Packetizer&>(cut).packetize(packet, by_ranges);
  ASSERT_EQ(by_ranges.size(), by_scan.size());
  for (std::size_t i = 0; i < by_scan.size(); ++i) {
    EXPECT_EQ(by_ranges[i].payload.data(), by_scan[i].payload.data()) << i;
    EXPECT_EQ(by_ranges[i].payload.size(), by_scan[i].payload.size()) << i;
    EXPECT_EQ(by_ranges[i].header_size, by_scan[i].header_size) << i;
  }
  // The ranges are what counts: a packet that names only its slice sends only the slice.
  packet.nal_units = {{38, 3000}};
  std::vector<RtpPacket> slice_only;
  static_cast<Packetizer&>(cut).packetize(packet, slice_only);
  EXPECT_EQ(slice_only.size(), by_scan.size() - 2);
  EXPECT_EQ(slice_only.front().payload.data(), packet.data.data() + 38 + 1) << "the FU-A payload after the NAL header";
}

TEST(H264Packetizer, SendsSmallUnitsAsSingleNalPackets) {
  auto packetizer = make_h264();
  const auto sps = nal(0x67, 20);
  const auto pps = nal(0x68, 6);
  const auto slice = nal(0x41, 900);
  const auto access_unit = annex_b({sps, pps, slice});
  std::vector<RtpPacket> packets;
  packetizer.packetize(access_unit, 1s, packets);
  ASSERT_EQ(packets.size(), 3u);
  EXPECT_EQ(std::vector<std::uint8_t>(packets[2].payload.begin(), packets[2].payload.end()), slice);
  for (const auto& packet : packets) {
    const auto h = packet.rtp_header();
    EXPECT_EQ(h[0], 0x80);
    EXPECT_EQ(h[1] & 0x7f, 96);
    EXPECT_EQ(packet.header_size, 12);
    // The payload is a view into the access unit, not a copy.
    EXPECT_GE(packet.payload.data(), access_unit.data());
    EXPECT_LE(packet.payload.data() + packet.payload.size(), access_unit.data() + access_unit.size());
  }
  // Sequence numbers run on across the 16-bit wrap.
  EXPECT_EQ(sequence_of(packets[0]), 65534);
  EXPECT_EQ(sequence_of(packets[1]), 65535);
  EXPECT_EQ(sequence_of(packets[2]), 0);
}

TEST(H264Packetizer, FragmentsLargeUnitsAsFuAAndReassemblesThem) {
  auto packetizer = make_h264();
  const auto idr = nal(0x65, 5000);
  const auto access_unit = annex_b({idr});
  std::vector<RtpPacket> packets;
  packetizer.packetize(access_unit, 2s, packets);
  ASSERT_EQ(packets.size(), 4u);  // 4999 bytes in fragments of 1386

  std::vector<std::uint8_t> rebuilt;
  for (std::size_t i = 0; i < packets.size(); ++i) {
    const auto h = packets[i].rtp_header();
    ASSERT_EQ(packets[i].header_size, 14);
    EXPECT_LE(packets[i].size(), 1400u);
    const std::uint8_t indicator = h[12];
    const std::uint8_t fu_header = h[13];
    EXPECT_EQ(indicator & 0x1f, 28);
    EXPECT_EQ(indicator & 0xe0, 0x65 & 0xe0);
    EXPECT_EQ(fu_header & 0x1f, 5);
    EXPECT_EQ((fu_header & 0x80) != 0, i == 0) << "S bit on fragment " << i;
    EXPECT_EQ((fu_header & 0x40) != 0, i + 1 == packets.size()) << "E bit on fragment " << i;
    if (i == 0) rebuilt.push_back(static_cast<std::uint8_t>((indicator & 0xe0) | (fu_header & 0x1f)));
    rebuilt.insert(rebuilt.end(), packets[i].payload.begin(), packets[i].payload.end());
  }
  EXPECT_EQ(rebuilt, idr);
}

TEST(H264Packetizer, MarksOnlyTheLastPacketOfAnAccessUnit) {
  auto packetizer = make_h264();
  const auto access_unit = annex_b({nal(0x67, 20), nal(0x68, 5), nal(0x65, 3000), nal(0x65, 100)});
  std::vector<RtpPacket> packets;
  packetizer.packetize(access_unit, 0s, packets);
  ASSERT_GT(packets.size(), 3u);
  for (std::size_t i = 0; i < packets.size(); ++i) EXPECT_EQ(packets[i].marker(), i + 1 == packets.size()) << i;
}

TEST(H264Packetizer, StampsPacketsAt90kHzFromTheDeviceClock) {
  auto packetizer = make_h264();
  std::vector<RtpPacket> first;
  std::vector<RtpPacket> second;
  packetizer.packetize(annex_b({nal(0x65, 3000)}), 10s, first);
  packetizer.packetize(annex_b({nal(0x41, 100)}), 10s + 40ms, second);
  for (const auto& packet : first) EXPECT_EQ(timestamp_of(packet), 1000u + 900'000u);
  EXPECT_EQ(timestamp_of(second[0]) - timestamp_of(first[0]), 3600u);  // 40 ms at 90 kHz
  EXPECT_EQ(packetizer.rtp_timestamp(10s), 901'000u);
  // Sequence numbers continue across access units.
  EXPECT_EQ(sequence_of(second[0]), static_cast<std::uint16_t>(sequence_of(first.back()) + 1));
}

}  // namespace
}  // namespace camrig::rtsp
