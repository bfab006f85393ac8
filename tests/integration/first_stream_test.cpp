// The first streaming camera, end to end: the camrig command serves the network-camera
// profile's main and sub stream over RTSP, and ffprobe/ffmpeg read them as configured.
#include <signal.h>

#include <filesystem>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "device/camera/camera.hpp"
#include "device/core/realtime_clock.hpp"
#include "sim/road_scene_source.hpp"
#include "tests/support/process.hpp"

namespace camrig {
namespace {

using namespace std::chrono_literals;

struct ProbedStream {
  std::string codec;
  int width = 0;
  int height = 0;
  std::string frame_rate;
  std::string error;
};

ProbedStream probe(const std::string& url) {
  const auto result = test::run_process(
      {"ffprobe", "-v", "error", "-rtsp_transport", "tcp", "-show_streams", "-of", "json", url}, 30s);
  ProbedStream probed;
  if (result.exit_code != 0) {
    probed.error = "ffprobe exit " + std::to_string(result.exit_code) + ": " + result.err;
    return probed;
  }
  const auto doc = nlohmann::json::parse(result.out, nullptr, false);
  if (doc.is_discarded() || !doc.contains("streams") || doc["streams"].size() != 1) {
    probed.error = "unexpected ffprobe output: " + result.out;
    return probed;
  }
  const auto& stream = doc["streams"][0];
  probed.codec = stream.value("codec_name", "");
  probed.width = stream.value("width", 0);
  probed.height = stream.value("height", 0);
  probed.frame_rate = stream.value("r_frame_rate", "");
  if (!result.err.empty()) probed.error = "ffprobe reported: " + result.err;
  return probed;
}

class TempDirectory {
 public:
  TempDirectory() {
    path_ = std::filesystem::temp_directory_path() /
            ("camrig-it-" + std::to_string(::getpid()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~TempDirectory() { std::filesystem::remove_all(path_); }
  std::string string() const { return path_.string(); }

 private:
  std::filesystem::path path_;
};

TEST(CamrigDevice, ServesMainAndSubStreamThatFfprobeAndFfmpegReadAsConfigured) {
  TempDirectory data;
  const auto port = std::to_string(test::free_tcp_port());
  test::ChildProcess device({CAMRIG_BINARY, "device", "--profile", "network-camera", "--rtsp-port", port,
                             "--http-port", std::to_string(test::free_tcp_port()), "--data-dir", data.string(),
                             "--seed", "7", "--admin-password", "Camrig-demo-1"});
  ASSERT_TRUE(device.started());
  ASSERT_TRUE(device.wait_for_output("Ctrl-C", 30s)) << device.output();
  const auto base = "rtsp://127.0.0.1:" + port + "/Streaming/Channels/";
  EXPECT_NE(device.output().find(base + "101"), std::string::npos) << device.output();
  EXPECT_NE(device.output().find(base + "102"), std::string::npos) << device.output();

  // RTSP needs a login like every other interface but OPTIONS.
  const auto login = "rtsp://admin:Camrig-demo-1@127.0.0.1:" + port + "/Streaming/Channels/";
  const auto main = probe(login + "101");
  EXPECT_EQ(main.error, "");
  EXPECT_EQ(main.codec, "h264");
  EXPECT_EQ(main.width, 1920);
  EXPECT_EQ(main.height, 1080);
  EXPECT_EQ(main.frame_rate, "25/1");

  const auto sub = probe(login + "102");
  EXPECT_EQ(sub.error, "");
  EXPECT_EQ(sub.codec, "h264");
  EXPECT_EQ(sub.width, 640);
  EXPECT_EQ(sub.height, 360);
  EXPECT_EQ(sub.frame_rate, "25/1");

  for (const auto* stream : {"101", "102"}) {
    const auto decoded = test::run_process(
        {"ffmpeg", "-nostdin", "-v", "error", "-rtsp_transport", "tcp", "-i", login + stream, "-frames:v", "50",
         "-f", "null", "-"},
        60s);
    EXPECT_EQ(decoded.exit_code, 0) << stream << ": " << decoded.err;
    EXPECT_EQ(decoded.err, "") << stream << ": decoding reported errors";
  }

  EXPECT_EQ(device.stop(SIGINT, 15s), 0) << "Ctrl-C must stop the device cleanly";
}

TEST(CamrigDevice, ConfigurationChangeReachesTheRunningStream) {
  auto profile = core::DeviceProfile::builtin("network-camera");
  ASSERT_TRUE(profile);
  core::RealtimeClock clock(std::chrono::system_clock::now());
  sim::RoadSceneSource source({profile->channels[0].sensor, 3, 4}, clock,
                              [&](hal::Nanos deadline, std::stop_token stop) { return clock.sleep_until(deadline, stop); });
  camera::CameraOptions options;
  const auto port = test::free_tcp_port();
  options.settings = {{"network.rtsp_port", std::to_string(port)},
                      {"network.http_port", std::to_string(test::free_tcp_port())}};
  options.rtsp_bind_address = "127.0.0.1";
  options.http_bind_address = "127.0.0.1";
  options.admin_password = "Camrig-demo-1";
  auto camera = camera::Camera::start(*profile, {&clock, {{1, &source}}}, options);
  ASSERT_TRUE(camera) << camera.error().message;

  const auto url = "rtsp://admin:Camrig-demo-1@127.0.0.1:" + std::to_string(port) + "/Streaming/Channels/101";
  ASSERT_EQ(probe(url).width, 1920);
  ASSERT_TRUE((*camera)->config().apply({{"stream.101.resolution", std::string("1280x720")},
                                         {"stream.101.frame_rate", std::int64_t{10}}}));
  ProbedStream after;
  for (int attempt = 0; attempt < 20 && after.width != 1280; ++attempt) {
    std::this_thread::sleep_for(100ms);
    after = probe(url);
  }
  EXPECT_EQ(after.error, "");
  EXPECT_EQ(after.width, 1280);
  EXPECT_EQ(after.height, 720);
  EXPECT_EQ(after.frame_rate, "10/1");
}

TEST(CamrigCommand, RefusesBadArgumentsWithAClearMessage) {
  const auto unknown = test::run_process({CAMRIG_BINARY, "device", "--profile", "doorbell"}, 30s);
  EXPECT_NE(unknown.exit_code, 0);
  EXPECT_NE(unknown.err.find("unknown device profile 'doorbell'"), std::string::npos) << unknown.err;
  EXPECT_NE(unknown.err.find("lpr-camera"), std::string::npos) << "names the known profiles";

  const auto port = test::run_process({CAMRIG_BINARY, "device", "--rtsp-port", "70000"}, 30s);
  EXPECT_NE(port.exit_code, 0);
  EXPECT_NE(port.err.find("--rtsp-port"), std::string::npos) << port.err;

  const auto both = test::run_process({CAMRIG_BINARY, "device", "--realtime", "--lockstep"}, 30s);
  EXPECT_NE(both.exit_code, 0);
  EXPECT_NE(both.err.find("excludes"), std::string::npos) << both.err;

  const auto time = test::run_process({CAMRIG_BINARY, "device", "--start-time", "yesterday"}, 30s);
  EXPECT_NE(time.exit_code, 0);
  EXPECT_NE(time.err.find("--start-time"), std::string::npos) << time.err;

  const auto none = test::run_process({CAMRIG_BINARY}, 30s);
  EXPECT_NE(none.exit_code, 0);
}

TEST(CamrigCommand, EverySubcommandHasHelp) {
  for (const auto& args : std::vector<std::vector<std::string>>{{"--help"}, {"device", "--help"}, {"version", "--help"}}) {
    std::vector<std::string> argv{CAMRIG_BINARY};
    argv.insert(argv.end(), args.begin(), args.end());
    const auto result = test::run_process(argv, 30s);
    EXPECT_EQ(result.exit_code, 0) << args.front();
    EXPECT_NE(result.out.find("Usage"), std::string::npos) << result.out;
  }
}

TEST(CamrigCommand, VersionNamesTheBuiltInProfiles) {
  const auto result = test::run_process({CAMRIG_BINARY, "version"}, 30s);
  EXPECT_EQ(result.exit_code, 0);
  EXPECT_NE(result.out.find("camrig 0."), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("smart-linkage-ptz"), std::string::npos) << result.out;
}

TEST(CamrigCommand, LockstepRunStopsAtItsDurationOfDeviceTime) {
  TempDirectory data;
  const auto port = std::to_string(test::free_tcp_port());
  const auto result = test::run_process({CAMRIG_BINARY, "device", "--lockstep", "--duration", "4", "--rtsp-port", port,
                                         "--http-port", std::to_string(test::free_tcp_port()), "--data-dir", data.string(), "--start-time", "2026-01-01T08:00:00Z",
                                         "--log-level", "warn"},
                                        120s);
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(result.out.find("lockstep world"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("duration reached"), std::string::npos) << result.out;
}

}  // namespace
}  // namespace camrig
