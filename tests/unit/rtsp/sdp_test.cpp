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

TEST(Sdp, RefusesCodecsWithoutAPayloader) {
  auto description = known_description();
  description.codec = media::VideoCodec::mjpeg;
  auto sdp = make_sdp(description, {});
  ASSERT_FALSE(sdp.ok());
  EXPECT_EQ(sdp.error().code, ErrorCode::out_of_range);
}

TEST(Sdp, Base64MatchesRfc4648Vectors) {
  const auto encode = [](std::string_view text) {
    return base64_encode(std::span(reinterpret_cast<const std::uint8_t*>(text.data()), text.size()));
  };
  EXPECT_EQ(encode(""), "");
  EXPECT_EQ(encode("f"), "Zg==");
  EXPECT_EQ(encode("fo"), "Zm8=");
  EXPECT_EQ(encode("foo"), "Zm9v");
  EXPECT_EQ(encode("foob"), "Zm9vYg==");
  EXPECT_EQ(encode("fooba"), "Zm9vYmE=");
  EXPECT_EQ(encode("foobar"), "Zm9vYmFy");
}

}  // namespace
}  // namespace camrig::rtsp
