// Real clients against the RTSP server: ffprobe and ffmpeg read the product's encoder output
// (the simulated road scene) published through a stream hub, over TCP-interleaved and UDP
// transport and tunnelled through HTTP, for each codec the camera streams: H.264 (RFC 6184), H.265 (RFC 7798) and MJPEG
// (RFC 2435), and over UDP multicast.
//
// The binary runs in its own network namespace with a multicast route on loopback
// (multicast_loopback_namespace.hpp). Without the permission for it the multicast tests skip
// and say why; the server test covers multicast with a receiver joined on 127.0.0.1.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <ostream>
#include <future>
#include <thread>

#include "device/core/realtime_clock.hpp"
#include "device/media/annex_b.hpp"
#include "device/media/video_encoder.hpp"
#include "device/rtsp/jpeg_packetizer.hpp"
#include "device/rtsp/server.hpp"
#include "sim/road_scene_source.hpp"
#include "tests/support/process.hpp"
#include "tests/unit/rtsp/multicast_loopback_namespace.hpp"


namespace camrig::media {
//! Names the codec in ctest's test list instead of its bytes.
void PrintTo(VideoCodec codec, std::ostream* out) { *out << to_string(codec); }
}  // namespace camrig::media

namespace camrig::rtsp {
namespace {

using namespace std::chrono_literals;

constexpr int kWidth = 1280;
constexpr int kHeight = 720;
constexpr int kFrameRate = 25;
constexpr const char* kGroup = "239.255.43.1";
constexpr std::uint16_t kGroupPort = 41000;

const auto* const g_namespace = ::testing::AddGlobalTestEnvironment(new camrig::test::MulticastLoopbackNamespace);

media::StreamSettings encoder_settings(media::VideoCodec codec) {
  media::StreamSettings settings;
  settings.codec = codec;
  settings.width = kWidth;
  settings.height = kHeight;
  settings.frame_rate = {kFrameRate, 1};
  settings.i_frame_interval = kFrameRate;  // a keyframe every second
  settings.bitrate_type = media::BitrateType::constant;
  settings.max_bitrate_kbps = 2048;
  return settings;
}

//! The codec_name ffprobe reports for a codec.
std::string ffprobe_name(media::VideoCodec codec) {
  switch (codec) {
    case media::VideoCodec::h264: return "h264";
    case media::VideoCodec::h265: return "hevc";
    case media::VideoCodec::mjpeg: return "mjpeg";
  }
  return {};
}

class FfmpegClients : public ::testing::TestWithParam<media::VideoCodec> {
 protected:
  void SetUp() override {
    codec_ = GetParam();
    hub_ = std::make_shared<media::StreamHub>();
    auto encoder = media::VideoEncoder::open(encoder_settings(codec_));
    ASSERT_TRUE(encoder.ok()) << encoder.error().message;
    hub_->set_description((*encoder)->description());
    encoder_thread_ = std::jthread(
        [this, encoder = std::move(*encoder)](std::stop_token stop) { run_encoder(*encoder, stop); });
    ServerOptions options;
    options.bind_address = "127.0.0.1";
    options.port = 0;
    options.multicast = [](int id) -> std::optional<MulticastGroup> {
      if (id != 101) return std::nullopt;
      return MulticastGroup{kGroup, kGroupPort, 1};
    };
    server_ = std::make_unique<Server>(io_, options, [this](int id) { return id == 101 ? hub_ : nullptr; }, clock_);
    auto started = server_->start();
    ASSERT_TRUE(started.ok()) << started.error().message;
    io_done_ = std::async(std::launch::async, [this] { io_.run(); });
  }

  void TearDown() override {
    server_->stop();
    if (io_done_.valid()) {
      EXPECT_EQ(io_done_.wait_for(5s), std::future_status::ready);
      io_.stop();
      io_done_.wait();
    }
    encoder_thread_.request_stop();
    if (encoder_thread_.joinable()) encoder_thread_.join();
    EXPECT_TRUE(headers_in_band_) << "keyframes must carry the parameter sets in band";
    EXPECT_TRUE(jpeg_fits_rtp_) << "the JPEGs must be baseline with standard Huffman tables (RFC 2435)";
  }

  //! Paced like a camera: one road-scene frame every 40 ms of the clock, stamped with its
  //! capture time.
  void run_encoder(media::VideoEncoder& encoder, std::stop_token stop) {
    const sim::RoadSceneSource scene(sim::RoadSceneOptions{{kWidth, kHeight, {kFrameRate, 1}}, 7, 4}, clock_, {});
    const auto start = clock_.now();
    for (std::uint64_t index = 0; !stop.stop_requested(); ++index) {
      const auto capture = start + static_cast<std::int64_t>(index) * hal::Nanos(1s) / kFrameRate;
      if (!clock_.sleep_until(capture, stop)) return;
      auto packets = encoder.encode(scene.render(index, clock_.wall_time()), hub_->take_keyframe_request(), capture);
      if (!packets) {
        ADD_FAILURE() << "encoding frame " << index << ": " << packets.error().message;
        return;
      }
      for (const auto& packet : packets.value()) {
        if (codec_ == media::VideoCodec::mjpeg) {
          // RFC 2435 receivers rebuild the headers with the standard Huffman tables.
          const auto jpeg = parse_jpeg(packet->data);
          jpeg_fits_rtp_ = jpeg_fits_rtp_ && jpeg.ok() && jpeg->standard_huffman_tables;
        } else if (packet->keyframe) {
          const int sps_type = codec_ == media::VideoCodec::h264 ? media::nal::h264_sps : media::nal::h265_sps;
          bool has_sps = false;
          for (const auto unit : media::split_annex_b(packet->data))
            has_sps = has_sps || media::nal_unit_type(codec_, unit) == sps_type;
          headers_in_band_ = headers_in_band_ && has_sps;
        }
        hub_->publish(packet);
      }
    }
  }

  std::string url() const { return "rtsp://127.0.0.1:" + std::to_string(server_->port()) + "/Streaming/Channels/101"; }

  void expect_ffmpeg_decodes(const std::string& transport) {
    const auto result = camrig::test::run_process(
        {"ffmpeg", "-nostdin", "-v", "error", "-rtsp_transport", transport, "-i", url(), "-frames:v", "50", "-f", "null", "-"},
        30s);
    EXPECT_FALSE(result.timed_out) << "ffmpeg over " << transport << " did not finish";
    EXPECT_EQ(result.exit_code, 0) << "ffmpeg over " << transport << ":\n" << result.err;
    // Any decoder complaint (a broken fragment, a wrong table) shows here at -v error.
    EXPECT_EQ(result.err, "") << "ffmpeg over " << transport;
  }

  void expect_ffprobe_describes(const std::string& transport) {
    const auto result = camrig::test::run_process(
        {"ffprobe", "-v", "error", "-rtsp_transport", transport, "-show_streams", "-of", "json", url()}, 30s);
    ASSERT_FALSE(result.timed_out) << "ffprobe did not finish";
    ASSERT_EQ(result.exit_code, 0) << result.err;
    const auto json = nlohmann::json::parse(result.out);
    ASSERT_EQ(json.at("streams").size(), 1u) << result.out;
    const auto& stream = json["streams"][0];
    EXPECT_EQ(stream.at("codec_name"), ffprobe_name(codec_));
    EXPECT_EQ(stream.at("width"), kWidth);
    EXPECT_EQ(stream.at("height"), kHeight);
    EXPECT_EQ(stream.at("r_frame_rate"), "25/1");
  }

  media::VideoCodec codec_ = media::VideoCodec::h264;
  core::RealtimeClock clock_{std::chrono::system_clock::now()};
  boost::asio::io_context io_;
  std::shared_ptr<media::StreamHub> hub_;
  std::jthread encoder_thread_;
  std::atomic<bool> headers_in_band_{true};
  std::atomic<bool> jpeg_fits_rtp_{true};
  std::unique_ptr<Server> server_;
  std::future<void> io_done_;
};

TEST_P(FfmpegClients, FfprobeSeesCodecSizeAndFrameRateOverTcp) { expect_ffprobe_describes("tcp"); }

TEST_P(FfmpegClients, FfprobeSeesCodecSizeAndFrameRateOverUdp) { expect_ffprobe_describes("udp"); }

TEST_P(FfmpegClients, FfmpegDecodesFiftyFramesOverTcp) { expect_ffmpeg_decodes("tcp"); }

TEST_P(FfmpegClients, FfmpegDecodesFiftyFramesOverUdp) { expect_ffmpeg_decodes("udp"); }

TEST_P(FfmpegClients, FfprobeSeesCodecSizeAndFrameRateOverHttpTunnel) { expect_ffprobe_describes("http"); }

TEST_P(FfmpegClients, FfmpegDecodesFiftyFramesOverHttpTunnel) { expect_ffmpeg_decodes("http"); }

TEST_P(FfmpegClients, FfmpegDecodesFiftyFramesOverUdpMulticast) {
  if (const auto& reason = camrig::test::MulticastLoopbackNamespace::unavailable(); !reason.empty()) GTEST_SKIP() << reason;
  expect_ffmpeg_decodes("udp_multicast");
}

INSTANTIATE_TEST_SUITE_P(Codecs, FfmpegClients,
                         ::testing::Values(media::VideoCodec::h264, media::VideoCodec::h265, media::VideoCodec::mjpeg),
                         [](const auto& test_param) { return ffprobe_name(test_param.param); });

}  // namespace
}  // namespace camrig::rtsp
