// GStreamer's RTSP client (rtspsrc via gst-launch-1.0) against a running camera: it logs in with
// the camera's admin account, decodes the sub stream over each transport it offers (UDP, TCP, UDP
// multicast, RTSP tunnelled in HTTP) and writes raw I420 frames to a file. The byte count gives
// the frames decoded at the stream's size; the caps gst-launch prints (-v) give decoder, size and
// frame rate. Multicast runs in the binary's own network namespace (multicast_loopback_namespace.hpp).
#include <unistd.h>

#include <filesystem>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "device/camera/camera.hpp"
#include "device/core/realtime_clock.hpp"
#include "device/security/authenticator.hpp"
#include "sim/road_scene_source.hpp"
#include "tests/support/process.hpp"
#include "tests/unit/rtsp/multicast_loopback_namespace.hpp"
#include "tests/unit/rtsp/raw_rtsp_client.hpp"

namespace camrig {
namespace {

using namespace std::chrono_literals;

constexpr const char* kPassword = "Camrig-gst-1";
constexpr int kWidth = 640;
constexpr int kHeight = 360;
constexpr int kFrameRate = 15;
constexpr int kFrames = 10;

const auto* const g_namespace = ::testing::AddGlobalTestEnvironment(new test::MulticastLoopbackNamespace);

std::uint16_t multicast_port() { return static_cast<std::uint16_t>(44000 + (::getpid() % 1000) * 2); }

//! Why the camera refuses the Digest answer GStreamer 1.22 sends (RFC 2069: no qop, nc or
//! cnonce), or empty when it accepts it.
std::string refusal_of_digest_without_qop(std::uint16_t port, const std::string& url) {
  rtsp::test::RawRtspClient client(port);
  const auto challenge = client.request("DESCRIBE", url);
  if (!challenge || challenge->status != 401) return "no challenge to DESCRIBE";
  const auto value = challenge->header("www-authenticate");
  auto parameters = security::parse_digest_parameters(std::string_view(value).substr(value.find(' ') + 1));
  if (!parameters) return "unreadable challenge: " + value;
  const auto& realm = (*parameters)["realm"];
  const auto& nonce = (*parameters)["nonce"];
  const auto md5 = security::DigestAlgorithm::md5;
  const auto ha1 = security::digest_hex(md5, "admin:" + realm + ":" + kPassword);
  const auto response = security::digest_hex(md5, ha1 + ":" + nonce + ":" + security::digest_hex(md5, "DESCRIBE:" + url));
  const auto reply = client.request("DESCRIBE", url,
                                    "Authorization: Digest username=\"admin\", realm=\"" + realm + "\", nonce=\"" + nonce +
                                        "\", uri=\"" + url + "\", response=\"" + response + "\"\r\n");
  if (!reply) return "no reply to DESCRIBE";
  return reply->status == 200 ? std::string() : std::to_string(reply->status) + " " + reply->body;
}

class GstreamerClient : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto profile = core::DeviceProfile::builtin("network-camera");
    ASSERT_TRUE(profile) << profile.error().message;
    source_ = std::make_unique<sim::RoadSceneSource>(
        sim::RoadSceneOptions{{1280, 720, {kFrameRate, 1}}, 5, 3}, *clock_,
        [](hal::Nanos deadline, std::stop_token stop) { return clock_->sleep_until(deadline, stop); });
    rtsp_port_ = test::free_tcp_port();
    camera::CameraOptions options;
    options.settings = {{"network.rtsp_port", std::to_string(rtsp_port_)},
                        {"network.http_port", std::to_string(test::free_tcp_port())},
                        {"stream.101.resolution", "1280x720"},
                        {"stream.101.frame_rate", "5"},
                        {"stream.102.resolution", std::to_string(kWidth) + "x" + std::to_string(kHeight)},
                        {"stream.102.frame_rate", std::to_string(kFrameRate)},
                        {"stream.102.i_frame_interval", std::to_string(kFrameRate)},
                        {"stream.102.multicast_address", "239.255.44.1"},
                        {"stream.102.multicast_video_port", std::to_string(multicast_port())}};
    options.rtsp_bind_address = "127.0.0.1";
    options.http_bind_address = "127.0.0.1";
    options.admin_password = kPassword;
    auto camera = camera::Camera::start(*profile, {clock_.get(), {{1, source_.get()}}}, options);
    ASSERT_TRUE(camera) << camera.error().message;
    camera_ = std::move(*camera);
  }

  static void TearDownTestSuite() {
    camera_.reset();
    source_.reset();
  }

  void SetUp() override { ASSERT_TRUE(camera_); }

  static std::string url(const std::string& scheme) {
    return scheme + "://127.0.0.1:" + std::to_string(rtsp_port_) + "/Streaming/Channels/102";
  }

  //! Decodes kFrames frames with rtspsrc restricted to `protocols` and checks what came out.
  void expect_decodes(const std::string& scheme, const std::string& protocols) {
    const auto file = std::filesystem::temp_directory_path() /
                      ("camrig-gst-" + std::to_string(::getpid()) + "-" + protocols + ".yuv");
    std::filesystem::remove(file);
    std::vector<std::string> argv{"gst-launch-1.0", "-v", "rtspsrc", "location=" + url(scheme), "user-id=admin",
                                  std::string("user-pw=") + kPassword, "latency=0"};
    if (!protocols.empty()) argv.push_back("protocols=" + protocols);
    // identity lets kFrames buffers through and then ends the stream.
    for (const auto* element : {"!", "decodebin", "!", "videoconvert", "!", "video/x-raw,format=I420", "!", "identity"})
      argv.emplace_back(element);
    argv.push_back("eos-after=" + std::to_string(kFrames + 1));
    argv.insert(argv.end(), {"!", "filesink", "location=" + file.string()});

    auto result = test::run_process(argv, 60s);
    // rtspsrc may send PAUSE before TEARDOWN while the pipeline shuts down after EOS; on a loaded
    // machine it has been seen to fail that with "Received end-of-file" after every frame was
    // decoded. One more run tells a shutdown race in the client from a camera that drops players:
    // the second run must pass on its own.
    if (result.exit_code != 0 && result.out.find("Got EOS from element") != std::string::npos &&
        result.err.find("gst_rtspsrc_pause") != std::string::npos) {
      std::cerr << "gst-launch failed its shutdown after EOS; running it once more:\n" << result.err << '\n';
      result = test::run_process(argv, 60s);
    }
    EXPECT_FALSE(result.timed_out) << protocols;
    EXPECT_EQ(result.exit_code, 0) << result.out << result.err;
    EXPECT_NE(result.out.find("Got EOS from element"), std::string::npos) << result.out;
    EXPECT_NE(result.out.find("avdec_h264"), std::string::npos) << "decoded as H.264:\n" << result.out;
    const auto size = "width=(int)" + std::to_string(kWidth) + ", height=(int)" + std::to_string(kHeight);
    EXPECT_NE(result.out.find(size), std::string::npos) << result.out;
    const auto rate = "framerate=(fraction)" + std::to_string(kFrameRate) + "/1";
    EXPECT_NE(result.out.find(rate), std::string::npos) << result.out;
    std::error_code ec;
    const auto bytes = std::filesystem::file_size(file, ec);
    EXPECT_FALSE(ec) << ec.message();
    EXPECT_EQ(bytes, static_cast<std::uintmax_t>(kFrames) * kWidth * kHeight * 3 / 2) << kFrames << " whole I420 frames";
    std::filesystem::remove(file);
  }

  static inline std::unique_ptr<core::RealtimeClock> clock_ =
      std::make_unique<core::RealtimeClock>(std::chrono::system_clock::now());
  static inline std::unique_ptr<sim::RoadSceneSource> source_;
  static inline std::unique_ptr<camera::Camera> camera_;
  static inline int rtsp_port_ = 0;
};

TEST_F(GstreamerClient, AcceptsTheDigestFormGstreamerSends) {
  EXPECT_EQ(refusal_of_digest_without_qop(static_cast<std::uint16_t>(rtsp_port_), url("rtsp")), "");
}

TEST_F(GstreamerClient, DecodesTheSubStreamOverUdp) { expect_decodes("rtsp", "udp"); }

TEST_F(GstreamerClient, DecodesTheSubStreamOverTcp) { expect_decodes("rtsp", "tcp"); }

TEST_F(GstreamerClient, DecodesTheSubStreamOverUdpMulticast) {
  if (const auto& reason = test::MulticastLoopbackNamespace::unavailable(); !reason.empty()) GTEST_SKIP() << reason;
  expect_decodes("rtsp", "udp-mcast");
}

// rtsph:// is GStreamer's name for RTSP tunnelled through HTTP (the "http" transport).
TEST_F(GstreamerClient, DecodesTheSubStreamTunnelledThroughHttp) { expect_decodes("rtsph", ""); }

}  // namespace
}  // namespace camrig
