// VLC (cvlc) against a running camera, as a user plays it headless. Debian's VLC has no RTSP
// client (its live555 module is not packaged; rtsp:// reaches only the SAT>IP module, and its RTP
// module needs live555 to read an SDP for H.264's dynamic payload type), so it plays the camera's
// MJPEG live view over HTTP (/ISAPI/Streaming/channels/<id>/httpPreview): VLC logs in with the
// URL's credentials, decodes every picture and re-encodes it to a file that ffprobe reads back
// (size, pictures, rate). The RTSP test runs where VLC has live555 and skips, saying so, elsewhere.
// VLC refuses to run as root, so as root it runs as the unprivileged "nobody" account (setpriv).
#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "device/camera/camera.hpp"
#include "device/core/realtime_clock.hpp"
#include "sim/road_scene_source.hpp"
#include "tests/support/process.hpp"

namespace camrig {
namespace {

using namespace std::chrono_literals;

constexpr const char* kPassword = "Camrig-vlc-1";
constexpr int kWidth = 640;
constexpr int kHeight = 360;
constexpr int kFrameRate = 15;

//! A folder VLC may write to whichever account it runs as.
class SharedDirectory {
 public:
  SharedDirectory() : path_(std::filesystem::temp_directory_path() / ("camrig-vlc-" + std::to_string(::getpid()))) {
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
    std::filesystem::permissions(path_, std::filesystem::perms::all);
  }
  ~SharedDirectory() { std::filesystem::remove_all(path_); }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

//! `vlc` with `arguments`, as an unprivileged account when the test runs as root.
std::vector<std::string> vlc_command(const SharedDirectory& home, const std::string& program,
                                     const std::vector<std::string>& arguments) {
  std::vector<std::string> argv{"env", "HOME=" + home.path().string()};
  if (::geteuid() == 0) argv.insert(argv.end(), {"setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"});
  argv.push_back(program);
  argv.insert(argv.end(), arguments.begin(), arguments.end());
  return argv;
}

std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

class VlcClient : public ::testing::Test {
 protected:
  //! A camera whose sub stream (102) is 640x360 at 15 fps in `codec`; its main stream is kept cheap.
  void start(const std::string& codec, std::vector<std::pair<std::string, std::string>> settings = {}) {
    auto profile = core::DeviceProfile::builtin("network-camera");
    ASSERT_TRUE(profile) << profile.error().message;
    source_ = std::make_unique<sim::RoadSceneSource>(
        sim::RoadSceneOptions{{1280, 720, {kFrameRate, 1}}, 5, 3}, clock_,
        [this](hal::Nanos deadline, std::stop_token stop) { return clock_.sleep_until(deadline, stop); });
    rtsp_port_ = test::free_tcp_port();
    http_port_ = test::free_tcp_port();
    camera::CameraOptions options;
    options.settings = {{"network.rtsp_port", std::to_string(rtsp_port_)},
                        {"network.http_port", std::to_string(http_port_)},
                        {"stream.101.resolution", "1280x720"},
                        {"stream.101.frame_rate", "5"},
                        {"stream.102.video_codec", codec},
                        {"stream.102.resolution", std::to_string(kWidth) + "x" + std::to_string(kHeight)},
                        {"stream.102.frame_rate", std::to_string(kFrameRate)}};
    options.settings.insert(options.settings.end(), settings.begin(), settings.end());
    options.rtsp_bind_address = "127.0.0.1";
    options.http_bind_address = "127.0.0.1";
    options.admin_password = kPassword;
    auto camera = camera::Camera::start(*profile, {&clock_, {{1, source_.get()}}}, options);
    ASSERT_TRUE(camera) << camera.error().message;
    camera_ = std::move(*camera);
  }

  core::RealtimeClock clock_{std::chrono::system_clock::now()};
  std::unique_ptr<sim::RoadSceneSource> source_;
  std::unique_ptr<camera::Camera> camera_;
  int rtsp_port_ = 0;
  int http_port_ = 0;
};

TEST_F(VlcClient, DecodesTheMjpegLiveViewOverHttpAtItsSizeAndFrameRate) {
  SharedDirectory home;
  // VLC 3's HTTP access answers a Digest challenge with Basic when the credentials come from the
  // URL, so the camera allows Basic for the web as its "WEB Authentication" setting offers.
  ASSERT_NO_FATAL_FAILURE(start("MJPEG", {{"security.web_authentication", "digest/basic"}}));
  const auto recording = home.path() / "decoded.mkv";
  const auto log = home.path() / "vlc.log";
  const auto url = "http://admin:" + std::string(kPassword) + "@127.0.0.1:" + std::to_string(http_port_) +
                   "/ISAPI/Streaming/channels/102/httpPreview";
  // Decoding and re-encoding (MPEG-4 part 2, cheap) makes every picture in the file one VLC decoded.
  test::ChildProcess vlc(vlc_command(
      home, "cvlc",
      {"--intf", "dummy", "--vout", "dummy", "--no-audio", "--file-logging", "--logfile=" + log.string(), "--log-verbose=2",
       url, "--sout", "#transcode{vcodec=mp4v,vb=1500}:std{access=file,mux=mkv,dst=" + recording.string() + "}"}));
  ASSERT_TRUE(vlc.started());
  // A live view has no end and VLC's --run-time does not stop a transcoding input: watch for a
  // few seconds, then quit as Ctrl-C does, which closes the file properly.
  std::this_thread::sleep_for(5s);
  EXPECT_EQ(vlc.stop(SIGINT, 20s), 0);

  const auto vlc_log = read_text(log);
  EXPECT_NE(vlc_log.find("using demux module \"mjpeg\""), std::string::npos) << "VLC read a multipart JPEG stream:\n" << vlc_log;
  EXPECT_NE(vlc_log.find("codec (mjpeg) started"), std::string::npos) << "VLC decoded MJPEG:\n" << vlc_log;
  const auto probed = test::run_process(
      {"ffprobe", "-v", "error", "-count_frames", "-show_streams", "-show_format", "-of", "json", recording.string()}, 60s);
  ASSERT_EQ(probed.exit_code, 0) << "VLC wrote nothing readable:\n" << probed.err << vlc_log;
  const auto doc = nlohmann::json::parse(probed.out, nullptr, false);
  ASSERT_FALSE(doc.is_discarded());
  ASSERT_FALSE(doc.value("streams", nlohmann::json::array()).empty()) << probed.out;
  const auto& stream = doc["streams"][0];
  EXPECT_EQ(stream.value("width", 0), kWidth);
  EXPECT_EQ(stream.value("height", 0), kHeight);
  // MJPEG over HTTP carries no rate: VLC times each picture on arrival, so the rate is the
  // pictures over the time they span, within what a loaded machine's scheduling allows.
  const int pictures = std::stoi(stream.value("nb_read_frames", "0"));
  const double seconds = std::stod(doc["format"].value("duration", "0"));
  ASSERT_GT(pictures, 2 * kFrameRate) << "more than two seconds of pictures decoded";
  ASSERT_GT(seconds, 0.0);
  EXPECT_NEAR(pictures / seconds, kFrameRate, 2.5) << pictures << " pictures in " << seconds << " s";
}

TEST_F(VlcClient, PlaysTheRtspSubStreamWithItsCodecSizeAndFrameRate) {
  SharedDirectory home;
  const auto modules = test::run_process(vlc_command(home, "vlc", {"--list"}), 60s);
  ASSERT_EQ(modules.exit_code, 0) << modules.err;
  if (modules.out.find("live555") == std::string::npos)
    GTEST_SKIP() << "this VLC has no RTSP client (its live555 module is missing, as in Debian's packages); "
                    "rtsp:// URLs reach only its SAT>IP module, which expects MPEG-TS over RTP";

  ASSERT_NO_FATAL_FAILURE(start("H.264"));
  const auto recording = home.path() / "recording.ts";
  const auto url = "rtsp://admin:" + std::string(kPassword) + "@127.0.0.1:" + std::to_string(rtsp_port_) + "/Streaming/Channels/102";
  const auto played = test::run_process(
      vlc_command(home, "cvlc",
                  {"--intf", "dummy", "--play-and-exit", "--run-time", "4", "--no-audio", "--rtsp-tcp", url, "--sout",
                   "#std{access=file,mux=ts,dst=" + recording.string() + "}"}),
      60s);
  EXPECT_FALSE(played.timed_out);

  const auto probed = test::run_process(
      {"ffprobe", "-v", "error", "-count_frames", "-show_streams", "-of", "json", recording.string()}, 60s);
  ASSERT_EQ(probed.exit_code, 0) << "VLC recorded nothing readable:\n" << played.err << probed.err;
  const auto doc = nlohmann::json::parse(probed.out, nullptr, false);
  ASSERT_FALSE(doc.is_discarded());
  ASSERT_FALSE(doc.value("streams", nlohmann::json::array()).empty()) << probed.out;
  const auto& stream = doc["streams"][0];
  EXPECT_EQ(stream.value("codec_name", ""), "h264");
  EXPECT_EQ(stream.value("width", 0), kWidth);
  EXPECT_EQ(stream.value("height", 0), kHeight);
  EXPECT_EQ(stream.value("r_frame_rate", ""), std::to_string(kFrameRate) + "/1");
  EXPECT_GT(std::stoi(stream.value("nb_read_frames", "0")), kFrameRate) << "more than a second of video decoded";
}

}  // namespace
}  // namespace camrig
