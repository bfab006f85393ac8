#include "device/media/video_encoder.hpp"

#include <algorithm>
#include <cmath>

#include <gtest/gtest.h>

#include "device/media/annex_b.hpp"
#include "sim/road_scene_source.hpp"
#include "tests/unit/media/test_decoder.hpp"
#include "tests/support/lockstep_test_clock.hpp"

namespace camrig::media {
namespace {

using test::LockstepTestClock;
using testing::TestDecoder;

StreamSettings h264(int width, int height) {
  StreamSettings settings;
  settings.codec = VideoCodec::h264;
  settings.width = width;
  settings.height = height;
  settings.frame_rate = {25, 1};
  settings.max_bitrate_kbps = width >= 1280 ? 4096 : 1024;
  settings.i_frame_interval = 25;
  settings.encoding_profile = "main";
  return settings;
}

class Scene {
 public:
  Scene(int width, int height, std::uint64_t seed = 7)
      : source_(sim::RoadSceneOptions{{width, height, {25, 1}}, seed, 4}, clock_, {}) {}
  hal::VideoFramePtr frame(std::uint64_t index) { return source_.render(index, clock_.wall_time()); }

 private:
  LockstepTestClock clock_;
  sim::RoadSceneSource source_;
};

std::vector<int> nal_types(VideoCodec codec, const EncodedPacket& packet) {
  std::vector<int> types;
  for (const auto& unit : split_annex_b(packet.data)) types.push_back(nal_unit_type(codec, unit));
  return types;
}

bool contains(const std::vector<int>& values, int value) {
  return std::find(values.begin(), values.end(), value) != values.end();
}

std::vector<EncodedPacketPtr> encode_frames(VideoEncoder& encoder, Scene& scene, int count, int force_at = -1) {
  std::vector<EncodedPacketPtr> packets;
  for (int i = 0; i < count; ++i) {
    auto encoded = encoder.encode(scene.frame(static_cast<std::uint64_t>(i)), i == force_at);
    EXPECT_TRUE(encoded.ok()) << (encoded.ok() ? "" : encoded.error().message);
    if (!encoded) break;
    for (auto& packet : encoded.value()) packets.push_back(packet);
  }
  return packets;
}

void expect_decodes_at(VideoCodec codec, const std::vector<EncodedPacketPtr>& packets, int width, int height) {
  TestDecoder decoder(codec);
  std::size_t pictures = 0;
  for (const auto& packet : packets) {
    for (const auto& picture : decoder.decode(packet->data)) {
      EXPECT_EQ(picture.width, width);
      EXPECT_EQ(picture.height, height);
      ++pictures;
    }
  }
  pictures += decoder.flush().size();
  EXPECT_EQ(decoder.errors(), 0);
  EXPECT_EQ(pictures, packets.size());
}

class H264Sizes : public ::testing::TestWithParam<std::pair<int, int>> {};

TEST_P(H264Sizes, ProducesDecodableAccessUnitsStartingWithKeyframeAndParameterSets) {
  const auto [width, height] = GetParam();
  auto encoder = VideoEncoder::open(h264(width, height));
  ASSERT_TRUE(encoder.ok()) << encoder.error().message;
  Scene scene(width, height);
  const auto packets = encode_frames(**encoder, scene, 10);
  ASSERT_EQ(packets.size(), 10u);  // low latency: one packet per frame, at once

  const auto first = nal_types(VideoCodec::h264, *packets.front());
  EXPECT_TRUE(packets.front()->keyframe);
  EXPECT_TRUE(contains(first, nal::h264_sps));
  EXPECT_TRUE(contains(first, nal::h264_pps));
  EXPECT_TRUE(contains(first, nal::h264_idr));
  // Annex B: every access unit starts with a start code.
  EXPECT_TRUE(packets.front()->data.size() > 4 && packets.front()->data[0] == 0 && packets.front()->data[1] == 0);
  for (std::size_t i = 0; i < packets.size(); ++i) {
    EXPECT_EQ(packets[i]->timestamp, hal::Nanos{static_cast<std::int64_t>(i) * 40'000'000});
    EXPECT_EQ(packets[i]->sequence, i);
    // The NAL units are cut once here, exactly where a start-code scan finds them.
    std::vector<NalUnitRange> scanned;
    for (const auto unit : split_annex_b(packets[i]->data))
      scanned.push_back({static_cast<std::uint32_t>(unit.data() - packets[i]->data.data()), static_cast<std::uint32_t>(unit.size())});
    EXPECT_EQ(packets[i]->nal_units, scanned) << "packet " << i;
    EXPECT_FALSE(packets[i]->nal_units.empty());
  }
  expect_decodes_at(VideoCodec::h264, packets, width, height);
}

INSTANTIATE_TEST_SUITE_P(MainAndSub, H264Sizes, ::testing::Values(std::pair{1920, 1080}, std::pair{640, 360}));

TEST(VideoEncoder, DescriptionCarriesSpsAndPpsWithoutStartCodes) {
  auto encoder = VideoEncoder::open(h264(640, 360));
  ASSERT_TRUE(encoder.ok()) << encoder.error().message;
  const auto& description = (*encoder)->description();
  EXPECT_EQ(description.codec, VideoCodec::h264);
  EXPECT_EQ(description.width, 640);
  EXPECT_EQ(description.height, 360);
  EXPECT_EQ(description.frame_rate, (hal::Rational{25, 1}));
  ASSERT_EQ(description.parameter_sets.size(), 2u);
  EXPECT_EQ(nal_unit_type(VideoCodec::h264, description.parameter_sets[0]), nal::h264_sps);
  EXPECT_EQ(nal_unit_type(VideoCodec::h264, description.parameter_sets[1]), nal::h264_pps);
  // profile_idc 77 = Main.
  EXPECT_EQ(description.parameter_sets[0][1], 77);
}

TEST(VideoEncoder, ProfileSettingReachesTheSps) {
  for (const auto& [profile, profile_idc] : {std::pair{"baseline", 66}, std::pair{"high", 100}}) {
    auto settings = h264(640, 360);
    settings.encoding_profile = profile;
    auto encoder = VideoEncoder::open(settings);
    ASSERT_TRUE(encoder.ok()) << encoder.error().message;
    EXPECT_EQ((*encoder)->description().parameter_sets[0][1], profile_idc) << profile;
  }
}

TEST(VideoEncoder, ForcedKeyframeIsAnIdrWithParameterSetsInBand) {
  auto encoder = VideoEncoder::open(h264(640, 360));
  ASSERT_TRUE(encoder.ok()) << encoder.error().message;
  Scene scene(640, 360);
  const auto packets = encode_frames(**encoder, scene, 10, /*force_at=*/7);
  ASSERT_EQ(packets.size(), 10u);
  for (std::size_t i = 1; i < packets.size(); ++i) EXPECT_EQ(packets[i]->keyframe, i == 7) << "frame " << i;
  const auto types = nal_types(VideoCodec::h264, *packets[7]);
  EXPECT_TRUE(contains(types, nal::h264_idr));
  EXPECT_TRUE(contains(types, nal::h264_sps));
  EXPECT_TRUE(contains(types, nal::h264_pps));

  // A client joining at the forced keyframe decodes from it alone.
  TestDecoder late_joiner(VideoCodec::h264);
  std::size_t pictures = 0;
  for (std::size_t i = 7; i < packets.size(); ++i) pictures += late_joiner.decode(packets[i]->data).size();
  EXPECT_EQ(pictures, 3u);
  EXPECT_EQ(late_joiner.errors(), 0);
}

TEST(VideoEncoder, GopLengthEqualsIFrameInterval) {
  auto settings = h264(320, 180);
  settings.i_frame_interval = 12;
  auto encoder = VideoEncoder::open(settings);
  ASSERT_TRUE(encoder.ok()) << encoder.error().message;
  Scene scene(320, 180);
  const auto packets = encode_frames(**encoder, scene, 40);
  ASSERT_EQ(packets.size(), 40u);
  std::vector<std::size_t> keyframes;
  for (std::size_t i = 0; i < packets.size(); ++i) {
    if (packets[i]->keyframe) keyframes.push_back(i);
  }
  EXPECT_EQ(keyframes, (std::vector<std::size_t>{0, 12, 24, 36}));
  for (const auto index : keyframes) {
    EXPECT_TRUE(contains(nal_types(VideoCodec::h264, *packets[index]), nal::h264_sps)) << "keyframe " << index;
  }
}

TEST(VideoEncoder, SmartCodecLengthensTheGop) {
  auto settings = h264(320, 180);
  settings.i_frame_interval = 25;
  settings.smart_codec = true;
  settings.max_average_bitrate_kbps = 256;
  auto encoder = VideoEncoder::open(settings);
  ASSERT_TRUE(encoder.ok()) << encoder.error().message;
  EXPECT_EQ((*encoder)->gop_length(), 100);
}

TEST(VideoEncoder, ConstantBitrateStaysWithinThirtyPercentOfTarget) {
  auto settings = h264(1280, 720);
  settings.max_bitrate_kbps = 2048;
  settings.bitrate_type = BitrateType::constant;
  settings.i_frame_interval = 50;
  auto encoder = VideoEncoder::open(settings);
  ASSERT_TRUE(encoder.ok()) << encoder.error().message;
  Scene scene(1280, 720);
  const auto packets = encode_frames(**encoder, scene, 100);
  ASSERT_EQ(packets.size(), 100u);
  std::size_t bytes = 0;
  for (const auto& packet : packets) bytes += packet->data.size();
  const double kbps = bytes * 8.0 / (100.0 / 25.0) / 1000.0;
  EXPECT_NEAR(kbps, 2048.0, 2048.0 * 0.3);
}

TEST(VideoEncoder, HigherVideoQualitySpendsMoreBits) {
  auto total_bytes = [](int quality) {
    auto settings = h264(640, 360);
    settings.bitrate_type = BitrateType::variable;
    settings.video_quality = quality;
    settings.max_bitrate_kbps = 16384;
    auto encoder = VideoEncoder::open(settings);
    EXPECT_TRUE(encoder.ok()) << encoder.error().message;
    if (!encoder) return std::size_t{0};
    Scene scene(640, 360);
    std::size_t bytes = 0;
    for (const auto& packet : encode_frames(**encoder, scene, 20)) bytes += packet->data.size();
    return bytes;
  };
  EXPECT_GT(total_bytes(6), total_bytes(1) * 2);
}

TEST(VideoEncoder, H265OpensWithVpsSpsPpsAndDecodes) {
  auto settings = h264(640, 360);
  settings.codec = VideoCodec::h265;
  auto encoder = VideoEncoder::open(settings);
  ASSERT_TRUE(encoder.ok()) << encoder.error().message;
  const auto& sets = (*encoder)->description().parameter_sets;
  ASSERT_EQ(sets.size(), 3u);
  EXPECT_EQ(nal_unit_type(VideoCodec::h265, sets[0]), nal::h265_vps);
  EXPECT_EQ(nal_unit_type(VideoCodec::h265, sets[1]), nal::h265_sps);
  EXPECT_EQ(nal_unit_type(VideoCodec::h265, sets[2]), nal::h265_pps);
  Scene scene(640, 360);
  const auto packets = encode_frames(**encoder, scene, 5);
  ASSERT_EQ(packets.size(), 5u);
  EXPECT_TRUE(packets.front()->keyframe);
  EXPECT_TRUE(contains(nal_types(VideoCodec::h265, *packets.front()), nal::h265_vps));
  expect_decodes_at(VideoCodec::h265, packets, 640, 360);
}

TEST(VideoEncoder, MjpegEncodesSharedFramesThatOutliveTheCaller) {
  auto settings = h264(640, 360);
  settings.codec = VideoCodec::mjpeg;
  auto encoder = VideoEncoder::open(settings);
  ASSERT_TRUE(encoder.ok()) << encoder.error().message;
  EXPECT_TRUE((*encoder)->description().parameter_sets.empty());
  Scene scene(640, 360);
  std::vector<EncodedPacketPtr> packets;
  for (std::uint64_t i = 0; i < 5; ++i) {
    // The only reference to the frame is handed over: the codec must keep it alive itself.
    auto encoded = (*encoder)->encode(scene.frame(i), false);
    ASSERT_TRUE(encoded.ok()) << encoded.error().message;
    for (auto& packet : encoded.value()) packets.push_back(packet);
  }
  ASSERT_EQ(packets.size(), 5u);
  for (const auto& packet : packets) {
    EXPECT_TRUE(packet->keyframe);
    ASSERT_GE(packet->data.size(), 4u);
    EXPECT_EQ(packet->data[0], 0xFF);  // SOI marker
    EXPECT_EQ(packet->data[1], 0xD8);
    EXPECT_TRUE(packet->nal_units.empty());
  }
  expect_decodes_at(VideoCodec::mjpeg, packets, 640, 360);
}

TEST(VideoEncoder, CopyingOverloadEncodesTheSamePicture) {
  auto encoder = VideoEncoder::open(h264(320, 180));
  ASSERT_TRUE(encoder.ok()) << encoder.error().message;
  Scene scene(320, 180);
  const auto frame = scene.frame(3);
  auto encoded = (*encoder)->encode(*frame, false);
  ASSERT_TRUE(encoded.ok()) << encoded.error().message;
  ASSERT_EQ(encoded->size(), 1u);
  EXPECT_EQ(encoded->front()->timestamp, frame->timestamp);
  expect_decodes_at(VideoCodec::h264, encoded.value(), 320, 180);
}

TEST(VideoEncoder, RejectsInvalidSettingsWithAnError) {
  auto odd = h264(641, 360);
  auto zero_rate = h264(640, 360);
  zero_rate.frame_rate = {0, 1};
  auto unknown_profile = h264(640, 360);
  unknown_profile.encoding_profile = "extended-plus";
  auto h265_high = h264(640, 360);
  h265_high.codec = VideoCodec::h265;
  h265_high.encoding_profile = "high";
  auto no_gop = h264(640, 360);
  no_gop.i_frame_interval = 0;
  auto negative = h264(-2, 360);
  for (const auto& [settings, code] : {std::pair{odd, ErrorCode::out_of_range},
                                       std::pair{zero_rate, ErrorCode::out_of_range},
                                       std::pair{unknown_profile, ErrorCode::invalid_argument},
                                       std::pair{h265_high, ErrorCode::invalid_argument},
                                       std::pair{no_gop, ErrorCode::out_of_range},
                                       std::pair{negative, ErrorCode::out_of_range}}) {
    auto encoder = VideoEncoder::open(settings);
    ASSERT_FALSE(encoder.ok());
    EXPECT_EQ(encoder.error().code, code) << encoder.error().message;
    EXPECT_FALSE(encoder.error().message.empty());
  }
}

TEST(VideoEncoder, FrameOfTheWrongSizeIsAnErrorNotACrash) {
  auto encoder = VideoEncoder::open(h264(320, 180));
  ASSERT_TRUE(encoder.ok()) << encoder.error().message;
  Scene scene(640, 360);
  auto encoded = (*encoder)->encode(scene.frame(0), false);
  ASSERT_FALSE(encoded.ok());
  EXPECT_EQ(encoded.error().code, ErrorCode::invalid_argument);
  auto null_frame = (*encoder)->encode(hal::VideoFramePtr{}, false);
  EXPECT_FALSE(null_frame.ok());
}

}  // namespace
}  // namespace camrig::media
