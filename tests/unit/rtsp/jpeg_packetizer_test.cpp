#include "device/rtsp/jpeg_packetizer.hpp"

#include <gtest/gtest.h>

namespace camrig::rtsp {
namespace {

using namespace std::chrono_literals;

void segment(std::vector<std::uint8_t>& out, std::uint8_t marker, const std::vector<std::uint8_t>& body) {
  const auto length = body.size() + 2;
  out.insert(out.end(), {0xff, marker, static_cast<std::uint8_t>(length >> 8), static_cast<std::uint8_t>(length)});
  out.insert(out.end(), body.begin(), body.end());
}

//! A JPEG with the layout libavcodec's mjpeg encoder writes: APP0, DQT (two tables), SOF0,
//! standard DHT (DC luma only here), optional DRI, SOS, scan, EOI.
std::vector<std::uint8_t> jpeg(int width, int height, std::uint8_t luma_sampling, std::size_t scan_size,
                               std::uint16_t restart_interval = 0) {
  std::vector<std::uint8_t> out{0xff, 0xd8};
  segment(out, 0xe0, {'J', 'F', 'I', 'F', 0, 1, 2, 0, 0, 1, 0, 1, 0, 0});
  std::vector<std::uint8_t> dqt;
  for (std::uint8_t id = 0; id < 2; ++id) {
    dqt.push_back(id);
    for (int i = 0; i < 64; ++i) dqt.push_back(static_cast<std::uint8_t>(id * 100 + i + 1));
  }
  segment(out, 0xdb, dqt);
  segment(out, 0xc0, {8, static_cast<std::uint8_t>(height >> 8), static_cast<std::uint8_t>(height),
                      static_cast<std::uint8_t>(width >> 8), static_cast<std::uint8_t>(width), 3,
                      1, luma_sampling, 0, 2, 0x11, 1, 3, 0x11, 1});
  segment(out, 0xc4, {0x00, 0, 1, 5, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11});
  if (restart_interval)
    segment(out, 0xdd, {static_cast<std::uint8_t>(restart_interval >> 8), static_cast<std::uint8_t>(restart_interval)});
  segment(out, 0xda, {3, 1, 0x00, 2, 0x11, 3, 0x11, 0, 63, 0});
  for (std::size_t i = 0; i < scan_size; ++i) out.push_back(static_cast<std::uint8_t>(i % 255));  // never 0xff
  out.insert(out.end(), {0xff, 0xd9});
  return out;
}

std::uint32_t fragment_offset(const RtpPacket& packet) {
  const auto h = packet.rtp_header();
  return static_cast<std::uint32_t>(h[13]) << 16 | static_cast<std::uint32_t>(h[14]) << 8 | h[15];
}

TEST(JpegParser, ReadsTypeSizeTablesAndScan) {
  const auto image = jpeg(1280, 720, 0x22, 5000);
  auto frame = parse_jpeg(image);
  ASSERT_TRUE(frame.ok()) << frame.error().message;
  EXPECT_EQ(frame->type, 1);  // 4:2:0
  EXPECT_EQ(frame->width, 1280);
  EXPECT_EQ(frame->height, 720);
  EXPECT_EQ(frame->restart_interval, 0);
  EXPECT_EQ(frame->quantization_tables[0], 1);
  EXPECT_EQ(frame->quantization_tables[63], 64);
  EXPECT_EQ(frame->quantization_tables[64], 101);
  EXPECT_EQ(frame->scan.size(), 5000u);
  EXPECT_EQ(frame->scan.data() + frame->scan.size() + 2, image.data() + image.size());
  EXPECT_TRUE(frame->standard_huffman_tables);
}

TEST(JpegParser, AddsSixtyFourToTheTypeWithRestartMarkersAndKnows422) {
  auto frame = parse_jpeg(jpeg(640, 480, 0x21, 100, 40));
  ASSERT_TRUE(frame.ok()) << frame.error().message;
  EXPECT_EQ(frame->type, 64);
  EXPECT_EQ(frame->restart_interval, 40);
}

TEST(JpegParser, RefusesWhatRtpJpegCannotCarry) {
  EXPECT_EQ(parse_jpeg(jpeg(4096, 2160, 0x22, 10)).error().code, ErrorCode::out_of_range);
  EXPECT_EQ(parse_jpeg(jpeg(640, 480, 0x11, 10)).error().code, ErrorCode::out_of_range);  // 4:4:4
  const std::vector<std::uint8_t> not_jpeg{0x00, 0x00, 0x00, 0x01, 0x65};
  EXPECT_EQ(parse_jpeg(not_jpeg).error().code, ErrorCode::invalid_argument);
  auto truncated = jpeg(640, 480, 0x22, 10);
  truncated.resize(40);
  EXPECT_FALSE(parse_jpeg(truncated).ok());
}

TEST(JpegParser, NoticesNonStandardHuffmanTables) {
  auto image = jpeg(640, 480, 0x22, 10);
  // The DHT segment's last DC value changes from 11 to 12 (an optimised table looks like this).
  for (std::size_t i = 0; i + 32 < image.size(); ++i)
    if (image[i] == 0xff && image[i + 1] == 0xc4) { image[i + 32] = 12; break; }
  auto frame = parse_jpeg(image);
  ASSERT_TRUE(frame.ok()) << frame.error().message;
  EXPECT_FALSE(frame->standard_huffman_tables);
}

TEST(JpegPacketizer, FragmentsTheScanWithTablesInTheFirstPacketOnly) {
  auto packetizer = make_packetizer(media::VideoCodec::mjpeg, {.ssrc = 7, .first_sequence = 1, .mtu = 1400});
  ASSERT_NE(dynamic_cast<JpegPacketizer*>(packetizer.get()), nullptr);
  EXPECT_EQ(packetizer->payload_type(), 26);
  const auto image = jpeg(1280, 720, 0x22, 4000);
  std::vector<RtpPacket> packets;
  packetizer->packetize(image, 1s, packets);
  ASSERT_EQ(packets.size(), 3u);  // 4000 bytes: 1248 in the first packet, 1380 in the others

  std::vector<std::uint8_t> rebuilt;
  for (std::size_t i = 0; i < packets.size(); ++i) {
    const auto& packet = packets[i];
    const auto h = packet.rtp_header();
    EXPECT_LE(packet.size(), 1400u);
    EXPECT_EQ(h[1] & 0x7f, 26);
    EXPECT_EQ(packet.marker(), i + 1 == packets.size());
    EXPECT_EQ(h[12], 0) << "type-specific";
    EXPECT_EQ(fragment_offset(packet), rebuilt.size());
    EXPECT_EQ(h[16], 1) << "type 4:2:0";
    EXPECT_EQ(h[17], 255) << "Q with in-band tables";
    EXPECT_EQ(h[18], 1280 / 8);
    EXPECT_EQ(h[19], 720 / 8);
    if (i == 0) {
      ASSERT_EQ(packet.header_size, 12 + 8 + 4 + 128);
      EXPECT_EQ(h[20], 0) << "MBZ";
      EXPECT_EQ(h[21], 0) << "precision";
      EXPECT_EQ(h[22] << 8 | h[23], 128) << "table length";
      EXPECT_EQ(h[24], 1);
      EXPECT_EQ(h[24 + 64], 101);
    } else {
      EXPECT_EQ(packet.header_size, 12 + 8);
    }
    rebuilt.insert(rebuilt.end(), packet.payload.begin(), packet.payload.end());
  }
  const auto frame = parse_jpeg(image);
  EXPECT_EQ(rebuilt, std::vector<std::uint8_t>(frame->scan.begin(), frame->scan.end()));
}

TEST(JpegPacketizer, CarriesTheRestartHeaderInEveryPacket) {
  auto packetizer = make_packetizer(media::VideoCodec::mjpeg, {.mtu = 500});
  std::vector<RtpPacket> packets;
  packetizer->packetize(jpeg(640, 480, 0x22, 2000, 40), 0s, packets);
  ASSERT_GT(packets.size(), 2u);
  for (const auto& packet : packets) {
    const auto h = packet.rtp_header();
    EXPECT_LE(packet.size(), 500u);
    EXPECT_EQ(h[16], 65);
    EXPECT_EQ(h[20] << 8 | h[21], 40) << "restart interval";
    EXPECT_EQ(h[22], 0xff);
    EXPECT_EQ(h[23], 0xff);
  }
  EXPECT_EQ(packets[0].header_size, 12 + 8 + 4 + 4 + 128);
}

TEST(JpegPacketizer, SendsNothingForDataItCannotParse) {
  auto packetizer = make_packetizer(media::VideoCodec::mjpeg, {});
  std::vector<RtpPacket> packets;
  const std::vector<std::uint8_t> garbage(100, 0x42);
  packetizer->packetize(garbage, 0s, packets);
  EXPECT_TRUE(packets.empty());
}

}  // namespace
}  // namespace camrig::rtsp
