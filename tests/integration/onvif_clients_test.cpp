// Real ONVIF clients against a smart-linkage PTZ camera started in-process: the npm `onvif`
// package (tests/clients/node/onvif_client.js) connects, reads device information, services,
// stream and snapshot URIs over Media2 and Media, sets imaging, moves the PTZ head and sees a relay
// change on a pull point; the gSOAP MediaBindingProxy generated from the camera's WSDLs asks for a
// stream URI. ffmpeg then decodes frames from each URI the clients were given.
#include <gtest/gtest.h>

#include <filesystem>

#include <nlohmann/json.hpp>

#include "soapMediaBindingProxy.h"

#include "device/camera/camera.hpp"
#include "device/core/realtime_clock.hpp"
#include "sim/ptz_motor_model.hpp"
#include "sim/road_scene_source.hpp"
#include "sim/virtual_inputs.hpp"
#include "sim/virtual_relays.hpp"
#include "tests/support/loopback_camera.hpp"
#include "tests/support/onvif_client.hpp"
#include "tests/support/rtsp_play.hpp"

#ifndef CAMRIG_NODE_CLIENT_DIR
#error "CAMRIG_NODE_CLIENT_DIR must name tests/clients/node"
#endif

namespace camrig {
namespace {

using namespace std::chrono_literals;

constexpr const char* k_password = "Admin1234";

class OnvifRealClients : public ::testing::Test {
 protected:
  void SetUp() override {
    profile = *core::DeviceProfile::builtin("smart-linkage-ptz");
    for (const auto& channel : profile.channels)
      sources.push_back(std::make_unique<sim::RoadSceneSource>(
          sim::RoadSceneOptions{channel.sensor, static_cast<std::uint64_t>(channel.id), 2}, clock,
          [this](hal::Nanos deadline, std::stop_token stop) { return clock.sleep_until(deadline, stop); }));
    sim::PtzMotorOptions motor_options;
    motor_options.horizontal_fov_degrees = 60;
    motor = std::make_unique<sim::PtzMotorModel>(clock, motor_options);
    camera::CameraHardware hardware;
    hardware.clock = &clock;
    for (std::size_t i = 0; i < profile.channels.size(); ++i) hardware.video_sources[profile.channels[i].id] = sources[i].get();
    hardware.ptz_heads[1] = {motor.get(), 60, 16.0 / 9.0};
    hardware.inputs = &inputs;
    hardware.relays = &relays;
    http_port = test::free_tcp_port();
    rtsp_port = test::free_tcp_port();
    auto started = camera::Camera::start(profile, hardware, test::loopback_camera_options(http_port, rtsp_port, k_password));
    ASSERT_TRUE(started) << started.error().message;
    device = std::move(*started);
  }

  //! ffmpeg decodes a few frames of `uri` (with the admin's credentials put in): "" or why not.
  static std::string play(const std::string& uri) { return test::play_rtsp(uri, "admin", k_password); }

  core::RealtimeClock clock{std::chrono::system_clock::now()};
  sim::VirtualInputs inputs{clock, 7};
  sim::VirtualRelays relays{clock, 2};
  core::DeviceProfile profile;
  std::vector<std::unique_ptr<sim::RoadSceneSource>> sources;
  std::unique_ptr<sim::PtzMotorModel> motor;
  std::unique_ptr<camera::Camera> device;
  int http_port = 0;
  int rtsp_port = 0;
};

TEST_F(OnvifRealClients, NpmOnvifPackageUsesEveryServiceAndItsStreamPlays) {
  const std::filesystem::path client_dir = CAMRIG_NODE_CLIENT_DIR;
  if (test::run_process({"node", "--version"}, 10s).exit_code != 0)
    GTEST_SKIP() << "node is not installed (scripts/install-deps.sh installs nodejs and npm)";
  if (!std::filesystem::exists(client_dir / "node_modules" / "onvif" / "package.json"))
    GTEST_SKIP() << "the npm onvif package is not installed: run `npm ci` in " << client_dir.string()
                 << " (scripts/install-deps.sh does)";

  const auto run = test::run_process({"node", (client_dir / "onvif_client.js").string(), "127.0.0.1",
                                      std::to_string(http_port), "admin", k_password},
                                     90s);
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  const auto report = nlohmann::json::parse(run.out, nullptr, false);
  ASSERT_FALSE(report.is_discarded()) << run.out;

  EXPECT_EQ(report["deviceInformation"]["model"], profile.device.model);
  EXPECT_EQ(report["deviceInformation"]["serialNumber"], profile.device.serial_number);
  for (const char* service : {"device", "events", "deviceIO", "media", "media2", "ptz", "imaging"})
    EXPECT_NE(std::find(report["services"].begin(), report["services"].end(), service), report["services"].end())
        << service << " not in GetServices: " << report["services"];
  for (const char* capability : {"device", "events", "imaging", "media", "PTZ"})
    EXPECT_NE(std::find(report["capabilities"].begin(), report["capabilities"].end(), capability),
              report["capabilities"].end())
        << capability << " not in GetCapabilities: " << report["capabilities"];

  ASSERT_TRUE(report["media2Support"].get<bool>()) << "the package uses Media2 when GetServices lists it";
  const std::string rtsp_base = "rtsp://127.0.0.1:" + std::to_string(rtsp_port) + "/";
  for (const char* media : {"media2", "media"}) {
    const auto& part = report[media];
    EXPECT_EQ(part["profiles"][0], "Profile_101") << media;
    const std::string stream = part["streamUri"].get<std::string>();
    EXPECT_EQ(stream, rtsp_base + "Streaming/Channels/101") << media;
    EXPECT_EQ(part["snapshotUri"], "http://127.0.0.1:" + std::to_string(http_port) + "/ISAPI/Streaming/channels/101/picture")
        << media;
  }
  EXPECT_EQ(play(report["media"]["streamUri"].get<std::string>()), "");

  const auto& imaging = report["imaging"];
  EXPECT_EQ(imaging["after"], imaging["set"]) << imaging;
  const auto isapi = test::onvif::isapi(http_port, "admin", k_password, "GET", "/ISAPI/Image/channels/1/color");
  EXPECT_NE(isapi.out.find("<brightnessLevel>" + std::to_string(imaging["set"].get<int>()) + "</brightnessLevel>"),
            std::string::npos)
      << isapi.out << isapi.err;

  const auto& ptz = report["ptz"];
  EXPECT_EQ(ptz["status"]["moveStatus"]["panTilt"], "IDLE") << ptz;
  EXPECT_NEAR(ptz["status"]["position"]["x"].get<double>(), 0.25, 0.01) << ptz;
  EXPECT_NEAR(ptz["status"]["position"]["y"].get<double>(), -0.2, 0.01) << ptz;

  bool relay_changed = false;
  for (const auto& message : report["events"])
    relay_changed |= message["topic"] == "tns1:Device/Trigger/Relay" && message["operation"] == "Changed" &&
                     message["source"]["Value"] == "AlarmOut_1" && message["data"]["Value"] == "active";
  EXPECT_TRUE(relay_changed) << report["events"];
  // Relay 1 is monostable (Delay 5 s): it closed for the client and may have opened again since.
  EXPECT_FALSE(relays.pulses(0).empty()) << "SetRelayOutputState from the client closed relay 1";
}

TEST_F(OnvifRealClients, GsoapProxyStreamUriPlays) {
  MediaBindingProxy proxy{SOAP_C_UTFSTRING};
  const auto endpoint = "http://127.0.0.1:" + std::to_string(http_port) + "/onvif/media_service";
  test::onvif::aim(proxy.soap, proxy.soap_endpoint, endpoint);
  for (const char* token : {"Profile_102", "Profile_201"}) {
    _trt__GetStreamUri request;
    tt__StreamSetup setup;
    tt__Transport transport;
    transport.Protocol = tt__TransportProtocol__RTSP;
    setup.Stream = tt__StreamType__RTP_Unicast;
    setup.Transport = &transport;
    request.StreamSetup = &setup;
    request.ProfileToken = token;
    _trt__GetStreamUriResponse response;
    ASSERT_EQ(test::onvif::sign(proxy.soap, "admin", k_password), SOAP_OK);
    ASSERT_EQ(proxy.GetStreamUri(&request, response), SOAP_OK) << test::onvif::fault_subcode(proxy.soap);
    ASSERT_TRUE(response.MediaUri);
    const auto stream_id = std::string(token).substr(std::string("Profile_").size());
    EXPECT_EQ(response.MediaUri->Uri, "rtsp://127.0.0.1:" + std::to_string(rtsp_port) + "/Streaming/Channels/" + stream_id);
    EXPECT_EQ(play(response.MediaUri->Uri), "") << token;
  }
}

}  // namespace
}  // namespace camrig
