// Regions of interest reach x264 as quantiser offsets: the region decodes closer to the source
// than the same region without ROI, and the rest of the picture is not improved.
#include <cmath>

#include <gtest/gtest.h>

#include "device/media/video_encoder.hpp"
#include "tests/unit/media/test_decoder.hpp"

namespace camrig::media {
namespace {

using testing::TestDecoder;

constexpr int k_width = 320;
constexpr int k_height = 192;

// Fine moving texture: expensive to code, so the quantiser visibly decides its quality.
hal::VideoFramePtr textured_frame(int index) {
  auto frame = std::make_shared<hal::VideoFrame>(k_width, k_height);
  std::uint32_t state = 12345u + static_cast<std::uint32_t>(index) * 7919u;
  for (int i = 0; i < k_width * k_height; ++i) {
    state = state * 1664525u + 1013904223u;
    frame->plane(0)[i] = static_cast<std::uint8_t>(64 + ((state >> 24) & 127));
  }
  std::fill_n(frame->plane(1), k_width * k_height / 2, std::uint8_t{128});
  frame->timestamp = std::chrono::milliseconds(40 * index);
  return frame;
}

double psnr(const std::vector<std::uint8_t>& decoded, const hal::VideoFrame& source, int x0, int x1) {
  double error = 0;
  int count = 0;
  for (int y = 0; y < k_height; ++y)
    for (int x = x0; x < x1; ++x, ++count) {
      const double difference = decoded[static_cast<std::size_t>(y * k_width + x)] - source.plane(0)[y * k_width + x];
      error += difference * difference;
    }
  return 10 * std::log10(255.0 * 255.0 / std::max(error / count, 1e-9));
}

struct Outcome {
  double inside = 0;   // PSNR of the left third (the ROI when one is set)
  double outside = 0;  // PSNR of the right third
};

Outcome encode_with(VideoCodec codec, std::vector<RoiRegion> regions) {
  StreamSettings settings;
  settings.codec = codec;
  settings.width = k_width;
  settings.height = k_height;
  settings.bitrate_type = BitrateType::variable;
  settings.video_quality = 2;
  settings.max_bitrate_kbps = 16384;
  settings.i_frame_interval = 25;
  settings.roi_regions = std::move(regions);
  auto encoder = VideoEncoder::open(settings);
  EXPECT_TRUE(encoder) << encoder.error().message;
  if (!encoder) return {};
  TestDecoder decoder(codec);
  Outcome outcome;
  constexpr int k_frames = 4;
  int decoded_frames = 0;
  for (int i = 0; i < k_frames; ++i) {
    const auto frame = textured_frame(i);
    auto packets = (*encoder)->encode(frame, false);
    EXPECT_TRUE(packets) << packets.error().message;
    if (!packets) return {};
    for (const auto& packet : *packets)
      for (const auto& picture : decoder.decode(packet->data)) {
        outcome.inside += psnr(picture.luma, *textured_frame(decoded_frames), 0, k_width / 3);
        outcome.outside += psnr(picture.luma, *textured_frame(decoded_frames), 2 * k_width / 3, k_width);
        ++decoded_frames;
      }
  }
  EXPECT_EQ(decoded_frames, k_frames);
  outcome.inside /= std::max(decoded_frames, 1);
  outcome.outside /= std::max(decoded_frames, 1);
  return outcome;
}

TEST(RoiEncoding, H264RegionOfInterestDecodesCloserToTheSourceThanWithoutRoi) {
  const auto plain = encode_with(VideoCodec::h264, {});
  const auto with_roi = encode_with(VideoCodec::h264, {RoiRegion{0.0, 0.0, 1.0 / 3, 1.0, 6}});
  EXPECT_GT(with_roi.inside, plain.inside + 1.0) << "ROI " << with_roi.inside << " dB vs " << plain.inside << " dB";
  EXPECT_LT(with_roi.outside, plain.outside + 0.5);
}

TEST(RoiEncoding, H264HigherLevelGivesAClearerRegion) {
  const auto low = encode_with(VideoCodec::h264, {RoiRegion{0.0, 0.0, 1.0 / 3, 1.0, 1}});
  const auto high = encode_with(VideoCodec::h264, {RoiRegion{0.0, 0.0, 1.0 / 3, 1.0, 6}});
  EXPECT_GT(high.inside, low.inside);
}

// libx265 (3.5, through libavcodec 5.1) takes the regions without a measurable effect on the
// quantiser; the stream must still encode and decode with them.
TEST(RoiEncoding, H265WithRegionsStillEncodesEveryFrame) {
  const auto with_roi = encode_with(VideoCodec::h265, {RoiRegion{0.0, 0.0, 1.0 / 3, 1.0, 6}});
  EXPECT_GT(with_roi.inside, 15.0);
}

}  // namespace
}  // namespace camrig::media
