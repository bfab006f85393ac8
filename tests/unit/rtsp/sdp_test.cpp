#include "device/rtsp/sdp.hpp"

#include <gtest/gtest.h>

namespace camrig::rtsp {
namespace {

media::StreamDescription known_description() {
  media::StreamDescription description;
  description.codec = media::VideoCodec::h264;
  description.width = 1280;
  description.height = 720;
  description.frame_rate = {25, 1};
  description.parameter_sets = {{0x67, 0x42, 0xC0, 0x1E, 0xD9, 0x00, 0xA0, 0x47, 0xFE, 0xC8}, {0x68, 0xCE, 0x38, 0x80}};
  return description;
}

TEST(Sdp, DescribesAnH264StreamFromItsParameterSets) {
  auto sdp = make_sdp(known_description(), SdpOrigin{42, 1, "192.0.2.1"});
  ASSERT_TRUE(sdp.ok()) << sdp.error().message;
  const auto& text = *sdp;
  for (const char* line : {"v=0\r\n", "o=- 42 1 IN IP4 192.0.2.1\r\n", "s=", "t=0 0\r\n", "c=IN IP4 0.0.0.0\r\n",
                           "a=control:*\r\n", "a=range:npt=0-\r\n", "m=video 0 RTP/AVP 96\r\n",
                           "a=rtpmap:96 H264/90000\r\n",
                           "a=fmtp:96 packetization-mode=1;profile-level-id=42C01E;"
                           "sprop-parameter-sets=Z0LAHtkAoEf+yA==,aM44gA==\r\n",
                           "a=framerate:25\r\n", "a=control:trackID=1\r\n"})
    EXPECT_NE(text.find(line), std::string::npos) << "missing " << line << " in\n" << text;
  // Session-level attributes come before the media section.
  EXPECT_LT(text.find("a=control:*"), text.find("m=video"));
}

TEST(Sdp, WritesFractionalFrameRates) {
  auto description = known_description();
  description.frame_rate = {30000, 1001};
  auto sdp = make_sdp(description, {});
  ASSERT_TRUE(sdp.ok());
  EXPECT_NE(sdp->find("a=framerate:29.970\r\n"), std::string::npos);
}

TEST(Sdp, RefusesH264WithoutParameterSets) {
  auto description = known_description();
  description.parameter_sets.pop_back();
  auto sdp = make_sdp(description, {});
  ASSERT_FALSE(sdp.ok());
  EXPECT_EQ(sdp.error().code, ErrorCode::invalid_argument);
}

media::StreamDescription h265_description() {
  auto description = known_description();
  description.codec = media::VideoCodec::h265;
  // NAL unit headers: VPS type 32 (0x40 0x01), SPS 33 (0x42 0x01), PPS 34 (0x44 0x01).
  description.parameter_sets = {{0x40, 0x01, 0x0C, 0x01}, {0x42, 0x01, 0x01, 0x01, 0x60}, {0x44, 0x01, 0xC1, 0x72}};
  return description;
}

TEST(Sdp, DescribesAnH265StreamWithItsParameterSets) {
  auto sdp = make_sdp(h265_description(), SdpOrigin{42, 1, "192.0.2.1"});
  ASSERT_TRUE(sdp.ok()) << sdp.error().message;
  for (const char* line : {"m=video 0 RTP/AVP 96\r\n", "a=rtpmap:96 H265/90000\r\n",
                           "a=fmtp:96 sprop-vps=QAEMAQ==;sprop-sps=QgEBAWA=;sprop-pps=RAHBcg==\r\n",
                           "a=framerate:25\r\n", "a=control:trackID=1\r\n"})
    EXPECT_NE(sdp->find(line), std::string::npos) << "missing " << line << " in\n" << *sdp;
}

TEST(Sdp, RefusesH265WithoutVps) {
  auto description = h265_description();
  description.parameter_sets.erase(description.parameter_sets.begin());
  auto sdp = make_sdp(description, {});
  ASSERT_FALSE(sdp.ok());
  EXPECT_EQ(sdp.error().code, ErrorCode::invalid_argument);
}

TEST(Sdp, DescribesAJpegStreamWithStaticPayloadType26) {
  auto description = known_description();
  description.codec = media::VideoCodec::mjpeg;
  description.parameter_sets.clear();
  auto sdp = make_sdp(description, {});
  ASSERT_TRUE(sdp.ok()) << sdp.error().message;
  EXPECT_NE(sdp->find("m=video 0 RTP/AVP 26\r\n"), std::string::npos) << *sdp;
  EXPECT_NE(sdp->find("a=rtpmap:26 JPEG/90000\r\n"), std::string::npos) << *sdp;
  EXPECT_EQ(sdp->find("a=fmtp"), std::string::npos) << *sdp;
}

}  // namespace
}  // namespace camrig::rtsp
