// VLC (cvlc) against a running camera: it logs in with the URL's credentials, plays the sub
// stream and records what it received to an MPEG-TS file, which ffprobe then reads back (codec,
// size, frame rate, frames decoded). VLC refuses to run as root, so as root the test runs it as
// the unprivileged "nobody" account with setpriv (util-linux). VLC's RTSP client is its live555
// module; builds without it (Debian's, where live555 is not packaged) cannot play RTSP at all,
// and the test skips saying so.
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <string>
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

TEST(VlcClient, PlaysTheSubStreamWithItsCodecSizeAndFrameRate) {
  SharedDirectory home;
  const auto modules = test::run_process(vlc_command(home, "vlc", {"--list"}), 60s);
  ASSERT_EQ(modules.exit_code, 0) << modules.err;
  if (modules.out.find("live555") == std::string::npos)
    GTEST_SKIP() << "this VLC has no RTSP client (its live555 module is missing, as in Debian's packages); "
                    "rtsp:// URLs reach only its SAT>IP module, which expects MPEG-TS over RTP";

  auto profile = core::DeviceProfile::builtin("network-camera");
  ASSERT_TRUE(profile) << profile.error().message;
  core::RealtimeClock clock(std::chrono::system_clock::now());
  sim::RoadSceneSource source({{1280, 720, {kFrameRate, 1}}, 5, 3}, clock,
                              [&](hal::Nanos deadline, std::stop_token stop) { return clock.sleep_until(deadline, stop); });
  const auto port = test::free_tcp_port();
  camera::CameraOptions options;
  options.settings = {{"network.rtsp_port", std::to_string(port)},
                      {"network.http_port", std::to_string(test::free_tcp_port())},
                      {"stream.101.resolution", "1280x720"},
                      {"stream.101.frame_rate", "5"},
                      {"stream.102.resolution", std::to_string(kWidth) + "x" + std::to_string(kHeight)},
                      {"stream.102.frame_rate", std::to_string(kFrameRate)}};
  options.rtsp_bind_address = "127.0.0.1";
  options.http_bind_address = "127.0.0.1";
  options.admin_password = kPassword;
  auto camera = camera::Camera::start(*profile, {&clock, {{1, &source}}}, options);
  ASSERT_TRUE(camera) << camera.error().message;

  const auto recording = home.path() / "recording.ts";
  const auto url = "rtsp://admin:" + std::string(kPassword) + "@127.0.0.1:" + std::to_string(port) + "/Streaming/Channels/102";
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
