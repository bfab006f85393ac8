// The Debian client onvif-util (onvif-tools, libonvif 1.4) against a camera started in-process: it
// finds cameras only by WS-Discovery, with its own multicast loop turned off, so the camera and the
// client each get a private network namespace joined by a veth pair (the test process itself moves
// into the camera's, multicast_loopback_namespace.hpp), the camera serving ONVIF on port 80 as a
// real one does. onvif-util finds it, logs in with a UsernameToken, reads its services and media
// profiles and gets a stream URI, which ffmpeg then plays from the client's namespace. Needs root
// or unprivileged user namespaces: skipped otherwise.
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "device/camera/camera.hpp"
#include "device/core/realtime_clock.hpp"
#include "sim/road_scene_source.hpp"
#include "tests/support/loopback_camera.hpp"
#include "tests/support/process.hpp"
#include "tests/support/rtsp_play.hpp"
#include "tests/unit/rtsp/multicast_loopback_namespace.hpp"

namespace camrig {
namespace {

using namespace std::chrono_literals;

// The camera's namespace: the whole test binary's, made before any thread starts.
const auto* const g_namespace = ::testing::AddGlobalTestEnvironment(new test::MulticastLoopbackNamespace);

constexpr const char* k_password = "Admin1234";
constexpr const char* k_camera_address = "10.77.0.1";
constexpr const char* k_client_address = "10.77.0.2";

//! Runs a command, or says what failed.
std::string run(const std::vector<std::string>& argv) {
  const auto result = test::run_process(argv, 20s);
  if (result.exit_code == 0) return "";
  std::string command;
  for (const auto& part : argv) command += part + " ";
  return command + "failed: " + result.err;
}

class OnvifUtilClient : public ::testing::Test {
 protected:
  void SetUp() override {
    if (test::run_process({"onvif-util", "-h"}, 10s).exit_code != 0)
      GTEST_SKIP() << "onvif-util is not installed (Debian package onvif-tools; scripts/install-deps.sh installs it)";
    if (const auto& reason = test::MulticastLoopbackNamespace::unavailable(); !reason.empty())
      GTEST_SKIP() << reason << " (onvif-util needs the camera on port 80, reached by WS-Discovery)";
    // The client's namespace lives as long as this process, which prints its pid and waits.
    client_namespace = std::make_unique<test::ChildProcess>(
        std::vector<std::string>{"unshare", "--net", "sh", "-c", "echo namespace $$; exec sleep 600"});
    const auto announced = client_namespace->wait_for_output("namespace ", 10s);
    ASSERT_TRUE(announced) << "unshare --net did not start";
    const auto at = announced->find("namespace ");
    client_pid = announced->substr(at + 10, announced->find('\n', at) - at - 10);
    ASSERT_EQ(run({"ip", "link", "add", "camera0", "type", "veth", "peer", "name", "client0", "netns", client_pid}), "");
    ASSERT_EQ(run({"ip", "addr", "add", std::string(k_camera_address) + "/24", "dev", "camera0"}), "");
    ASSERT_EQ(run({"ip", "link", "set", "camera0", "up"}), "");
    ASSERT_EQ(run(in_client({"sh", "-c",
                             "ip link set lo up && ip addr add " + std::string(k_client_address) +
                                 "/24 dev client0 && ip link set client0 up && ip route add 224.0.0.0/4 dev client0"})),
              "");

    profile = *core::DeviceProfile::builtin("network-camera");
    source = std::make_unique<sim::RoadSceneSource>(
        sim::RoadSceneOptions{profile.channels[0].sensor, 5, 2}, clock,
        [this](hal::Nanos deadline, std::stop_token stop) { return clock.sleep_until(deadline, stop); });
    auto options = test::loopback_camera_options(80, 554, k_password);
    options.http_bind_address = k_camera_address;
    options.rtsp_bind_address = k_camera_address;
    options.discovery = onvif::DiscoveryOptions{};
    options.discovery->interface_address = k_camera_address;
    auto started = camera::Camera::start(profile, {&clock, {{1, source.get()}}}, options);
    ASSERT_TRUE(started) << started.error().message;
    device = std::move(*started);
  }

  //! `argv` run in the client's network namespace.
  std::vector<std::string> in_client(std::vector<std::string> argv) const {
    argv.insert(argv.begin(), {"nsenter", "--target", client_pid, "--net"});
    return argv;
  }

  //! onvif-util logged in to the camera with `commands` on its standard input, one a second
  //! (libonvif makes a UsernameToken's Nonce from the second it is sent in). Run again when its
  //! discovery missed the camera: it listens 500 ms, as long as a camera may wait before answering.
  test::ProcessResult onvif_util(const std::vector<std::string>& commands) const {
    std::string script = "{ sleep 2";
    for (const auto& command : commands) script += "; echo '" + command + "'; sleep 1.2";
    script += "; echo quit; } | onvif-util -u admin -p " + std::string(k_password) + " " + k_camera_address;
    test::ProcessResult session;
    for (int attempt = 0; attempt < 3; ++attempt) {
      session = test::run_process(in_client({"sh", "-c", script}), 60s);
      if (session.out.find("found host") != std::string::npos) break;
    }
    return session;
  }

  core::RealtimeClock clock{std::chrono::system_clock::now()};
  core::DeviceProfile profile;
  std::unique_ptr<sim::RoadSceneSource> source;
  // The client's namespace outlives the camera, whose Bye at stop goes out through it.
  std::unique_ptr<test::ChildProcess> client_namespace;
  std::string client_pid;
  std::unique_ptr<camera::Camera> device;
};

TEST_F(OnvifUtilClient, FindsTheCameraByDiscoveryLogsInAndReadsItsServices) {
  const auto session = onvif_util({"get capabilities"});
  ASSERT_EQ(session.exit_code, 0) << session.out << session.err;
  const auto& out = session.out;
  EXPECT_NE(out.find("found host: " + std::string(k_camera_address)), std::string::npos) << out;
  // GetDeviceInformation, the first operation that needs the login.
  EXPECT_NE(out.find("successfully connected to host"), std::string::npos) << out;
  EXPECT_NE(out.find("serial: " + profile.device.serial_number), std::string::npos) << out;
  // libonvif keeps each service's XAddr from GetCapabilities as the request line it posts to it.
  EXPECT_NE(out.find("event_service:   POST /onvif/event_service HTTP/1.1"), std::string::npos) << out;
  EXPECT_NE(out.find("imaging_service: POST /onvif/imaging_service HTTP/1.1"), std::string::npos) << out;
  EXPECT_EQ(out.find("ERROR"), std::string::npos) << out;
}

// libonvif sends one UsernameToken for all the requests of a second (GetProfiles, then
// GetStreamUri for the chosen profile); the camera lets that repeat through (DECISIONS.md).
TEST_F(OnvifUtilClient, ReadsTheProfilesAndPlaysTheStreamUriItIsGiven) {
  const auto session = onvif_util({"get profiles", "get rtsp"});
  ASSERT_EQ(session.exit_code, 0) << session.out << session.err;
  const auto& out = session.out;
  ASSERT_NE(out.find("successfully connected to host"), std::string::npos) << out;
  // The main and sub streams of the one channel.
  for (const auto* token : {"Profile_101", "Profile_102"}) EXPECT_NE(out.find(token), std::string::npos) << token << "\n" << out;
  EXPECT_EQ(out.find("ERROR"), std::string::npos) << out;
  EXPECT_EQ(out.find("NotAuthorized"), std::string::npos) << out;

  const auto at = out.find("rtsp://");
  ASSERT_NE(at, std::string::npos) << out;
  const auto uri = out.substr(at, out.find_first_of(" \r\n", at) - at);
  EXPECT_TRUE(uri.starts_with("rtsp://" + std::string(k_camera_address) + ":554/")) << uri;
  // The URI is the client's to play: ffmpeg from the client's namespace, across the veth pair.
  EXPECT_EQ(test::play_rtsp(uri, "admin", k_password, in_client({})), "");
}

}  // namespace
}  // namespace camrig
