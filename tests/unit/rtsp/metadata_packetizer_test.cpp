#include "device/rtsp/metadata_packetizer.hpp"

#include <string>

#include <gtest/gtest.h>

#include "device/rtsp/sdp.hpp"

namespace camrig::rtsp {
namespace {

std::uint16_t sequence_of(const RtpPacket& packet) {
  const auto header = packet.rtp_header();
  return static_cast<std::uint16_t>(header[2] << 8 | header[3]);
}

std::uint32_t timestamp_of(const RtpPacket& packet) {
  const auto h = packet.rtp_header();
  return static_cast<std::uint32_t>(h[4]) << 24 | static_cast<std::uint32_t>(h[5]) << 16 |
         static_cast<std::uint32_t>(h[6]) << 8 | h[7];
}

TEST(MetadataPacketizer, SplitsADocumentOverPacketsAndMarksItsLastOne) {
  RtpSetup setup;
  setup.mtu = 112;  // 100 payload bytes per packet
  setup.first_sequence = 65534;
  setup.payload_type = 96;  // replaced by the metadata type
  MetadataPacketizer packetizer(setup);
  std::string document(250, 'x');
  for (std::size_t i = 0; i < document.size(); ++i) document[i] = static_cast<char>('a' + i % 26);
  const std::span bytes(reinterpret_cast<const std::uint8_t*>(document.data()), document.size());
  std::vector<RtpPacket> packets;
  packetizer.packetize(bytes, std::chrono::milliseconds(40), packets);

  ASSERT_EQ(packets.size(), 3u);
  std::string joined;
  for (std::size_t i = 0; i < packets.size(); ++i) {
    EXPECT_LE(packets[i].size(), setup.mtu);
    EXPECT_EQ(packets[i].rtp_header()[1] & 0x7f, kMetadataPayloadType);
    EXPECT_EQ(packets[i].marker(), i + 1 == packets.size()) << "packet " << i;
    EXPECT_EQ(timestamp_of(packets[i]), 3600u) << "all packets of a document share its 90 kHz time";
    joined.append(reinterpret_cast<const char*>(packets[i].payload.data()), packets[i].payload.size());
  }
  EXPECT_EQ(joined, document);
  EXPECT_EQ(sequence_of(packets[0]), 65534);
  EXPECT_EQ(sequence_of(packets[2]), 0) << "sequence numbers wrap";

  // The next document continues the sequence and fits in one marked packet.
  packets.clear();
  packetizer.packetize(bytes.first(10), std::chrono::milliseconds(80), packets);
  ASSERT_EQ(packets.size(), 1u);
  EXPECT_TRUE(packets[0].marker());
  EXPECT_EQ(sequence_of(packets[0]), 1);
  EXPECT_EQ(timestamp_of(packets[0]), 7200u);
}

TEST(MetadataPacketizer, AnEmptyDocumentAddsNothing) {
  MetadataPacketizer packetizer(RtpSetup{});
  std::vector<RtpPacket> packets;
  packetizer.packetize(std::span<const std::uint8_t>(), std::chrono::milliseconds(0), packets);
  EXPECT_TRUE(packets.empty());
}

media::StreamDescription h264_description() {
  media::StreamDescription description;
  description.parameter_sets = {{0x67, 0x42, 0xC0, 0x1E, 0xD9}, {0x68, 0xCE, 0x38, 0x80}};
  return description;
}

TEST(MetadataSdp, AddsAnOnvifMetadataTrackAfterTheVideo) {
  auto sdp = make_sdp(h264_description(), SdpOrigin{}, true);
  ASSERT_TRUE(sdp.ok()) << sdp.error().message;
  const auto pt = std::to_string(kMetadataPayloadType);
  const auto application = sdp->find("m=application 0 RTP/AVP " + pt + "\r\n");
  ASSERT_NE(application, std::string::npos) << *sdp;
  EXPECT_LT(sdp->find("m=video"), application);
  EXPECT_LT(sdp->find("a=control:trackID=1\r\n"), application) << "the video's control stays in its section";
  EXPECT_NE(sdp->find("a=rtpmap:" + pt + " VND.ONVIF.metadata/90000\r\n", application), std::string::npos);
  EXPECT_NE(sdp->find("a=control:trackID=2\r\n", application), std::string::npos);
}

TEST(MetadataSdp, HasNoMetadataTrackUnlessAsked) {
  auto sdp = make_sdp(h264_description(), SdpOrigin{});
  ASSERT_TRUE(sdp.ok());
  EXPECT_EQ(sdp->find("m=application"), std::string::npos);
  EXPECT_EQ(sdp->find("VND.ONVIF.metadata"), std::string::npos);
}

}  // namespace
}  // namespace camrig::rtsp
