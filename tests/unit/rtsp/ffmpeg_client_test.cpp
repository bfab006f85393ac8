// Real clients against the RTSP server: ffprobe and ffmpeg read the product's H.264 encoder
// output (the simulated road scene) published through a stream hub, over TCP-interleaved and
// UDP transport.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <future>
#include <thread>

#include "device/core/realtime_clock.hpp"
#include "device/media/annex_b.hpp"
#include "device/media/video_encoder.hpp"
#include "device/rtsp/h264_packetizer.hpp"
#include "device/rtsp/server.hpp"
#include "sim/road_scene_source.hpp"
#include "tests/support/process.hpp"

namespace camrig::rtsp {
namespace {

using namespace std::chrono_literals;

constexpr int kWidth = 1280;
constexpr int kHeight = 720;
constexpr int kFrameRate = 25;

media::StreamSettings h264_settings() {
  media::StreamSettings settings;
  settings.codec = media::VideoCodec::h264;
  settings.width = kWidth;
  settings.height = kHeight;
  settings.frame_rate = {kFrameRate, 1};
  settings.i_frame_interval = kFrameRate;  // a keyframe every second
  settings.bitrate_type = media::BitrateType::constant;
  settings.max_bitrate_kbps = 2048;
  return settings;
}

class FfmpegClients : public ::testing::Test {
 protected:
  void SetUp() override {
    hub_ = std::make_shared<media::StreamHub>();
    auto encoder = media::VideoEncoder::open(h264_settings());
    ASSERT_TRUE(encoder.ok()) << encoder.error().message;
    hub_->set_description((*encoder)->description());
    encoder_thread_ = std::jthread(
        [this, encoder = std::move(*encoder)](std::stop_token stop) { run_encoder(*encoder, stop); });
    ServerOptions options;
    options.bind_address = "127.0.0.1";
    options.port = 0;
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
    EXPECT_TRUE(headers_in_band_) << "keyframes must carry SPS/PPS in band";
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
        if (packet->keyframe) {
          bool has_sps = false;
          for (const auto unit : media::split_annex_b(packet->data))
            has_sps = has_sps || media::nal_unit_type(media::VideoCodec::h264, unit) == media::nal::h264_sps;
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
  }

  core::RealtimeClock clock_{std::chrono::system_clock::now()};
  boost::asio::io_context io_;
  std::shared_ptr<media::StreamHub> hub_;
  std::jthread encoder_thread_;
  std::atomic<bool> headers_in_band_{true};
  std::unique_ptr<Server> server_;
  std::future<void> io_done_;
};

TEST_F(FfmpegClients, FfprobeSeesH264WithSizeAndFrameRate) {
  const auto result = camrig::test::run_process(
      {"ffprobe", "-v", "error", "-rtsp_transport", "tcp", "-show_streams", "-of", "json", url()}, 30s);
  ASSERT_FALSE(result.timed_out) << "ffprobe did not finish";
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const auto json = nlohmann::json::parse(result.out);
  ASSERT_EQ(json.at("streams").size(), 1u) << result.out;
  const auto& stream = json["streams"][0];
  EXPECT_EQ(stream.at("codec_name"), "h264");
  EXPECT_EQ(stream.at("width"), kWidth);
  EXPECT_EQ(stream.at("height"), kHeight);
  EXPECT_EQ(stream.at("r_frame_rate"), "25/1");
}

TEST_F(FfmpegClients, FfmpegDecodesFiftyFramesOverTcp) { expect_ffmpeg_decodes("tcp"); }

TEST_F(FfmpegClients, FfmpegDecodesFiftyFramesOverUdp) { expect_ffmpeg_decodes("udp"); }

}  // namespace
}  // namespace camrig::rtsp
