// The ONVIF PTZ service over real HTTP, driven by the gSOAP PTZBindingProxy generated from the same
// WSDLs (UsernameToken from gSOAP's WS-Security plugin), against a smart-linkage PTZ camera started
// in-process on a simulated motor: status MOVING then IDLE at the target, field-of-view moves,
// continuous moves that time out, presets that survive a restart, the faults of bad input, and the
// PTZ configuration the media profiles carry (Media and Media2), taken out and put back.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <thread>

#include <unistd.h>

#include "soapDeviceBindingProxy.h"
#include "soapMedia2BindingProxy.h"
#include "soapMediaBindingProxy.h"
#include "soapPTZBindingProxy.h"

#include "device/camera/camera.hpp"
#include "device/core/realtime_clock.hpp"
#include "sim/ptz_motor_model.hpp"
#include "sim/road_scene_source.hpp"
#include "tests/support/loopback_camera.hpp"
#include "tests/support/onvif_client.hpp"

namespace camrig {
namespace {

using namespace std::chrono_literals;

constexpr const char* k_password = "Admin1234";
constexpr const char* k_profile = "Profile_101";

class OnvifPtzOverHttp : public ::testing::Test {
 protected:
  void SetUp() override {
    profile = *core::DeviceProfile::builtin("smart-linkage-ptz");
    data_directory = std::filesystem::temp_directory_path() / ("camrig_onvif_ptz_" + std::to_string(::getpid()));
    std::filesystem::remove_all(data_directory);
    for (const auto& channel : profile.channels)
      sources.push_back(std::make_unique<sim::RoadSceneSource>(
          sim::RoadSceneOptions{channel.sensor, static_cast<std::uint64_t>(channel.id), 2}, clock,
          [this](hal::Nanos deadline, std::stop_token stop) { return clock.sleep_until(deadline, stop); }));
    sim::PtzMotorOptions motor_options;
    motor_options.horizontal_fov_degrees = 60;
    motor = std::make_unique<sim::PtzMotorModel>(clock, motor_options);
    http_port = test::free_tcp_port();
    start();
  }

  void TearDown() override {
    device.reset();
    std::filesystem::remove_all(data_directory);
  }

  void start() {
    camera::CameraHardware hardware;
    hardware.clock = &clock;
    for (std::size_t i = 0; i < profile.channels.size(); ++i) hardware.video_sources[profile.channels[i].id] = sources[i].get();
    hardware.ptz_heads[1] = {motor.get(), 60, 16.0 / 9.0};
    const auto options = test::loopback_camera_options(http_port, test::free_tcp_port(), k_password, data_directory.string());
    auto started = camera::Camera::start(profile, hardware, options);
    ASSERT_TRUE(started) << started.error().message;
    device = std::move(*started);
    endpoint = "http://127.0.0.1:" + std::to_string(http_port) + "/onvif/ptz_service";
    test::onvif::aim(proxy.soap, proxy.soap_endpoint, endpoint);
  }

  void sign() { ASSERT_EQ(test::onvif::sign(proxy.soap, "admin", k_password), SOAP_OK); }

  std::string fault_subcode() { return test::onvif::fault_subcode(proxy.soap); }

  tt__PTZStatus status() {
    _tptz__GetStatus request;
    request.ProfileToken = k_profile;
    _tptz__GetStatusResponse response;
    sign();
    EXPECT_EQ(proxy.GetStatus(&request, response), SOAP_OK) << fault_subcode();
    if (!response.PTZStatus || !response.PTZStatus->Position || !response.PTZStatus->MoveStatus) {
      ADD_FAILURE() << "GetStatus without position or move status";
      return {};
    }
    return *response.PTZStatus;
  }

  test::ProcessResult isapi(const std::string& method, const std::string& path, const std::string& body = "") {
    return test::onvif::isapi(http_port, "admin", k_password, method, path, body);
  }

  static bool moving(const tt__PTZStatus& status) {
    return status.MoveStatus && status.MoveStatus->PanTilt && *status.MoveStatus->PanTilt == tt__MoveStatus__MOVING;
  }

  // Polls GetStatus until the motor reports IDLE (the device is realtime: the move takes wall time).
  tt__PTZStatus wait_idle() {
    const auto deadline = std::chrono::steady_clock::now() + 15s;
    auto current = status();
    while (moving(current) && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(50ms);
      current = status();
    }
    EXPECT_FALSE(moving(current)) << "still moving after 15 s";
    return current;
  }

  // `speed` as a fraction of the maximum: slow moves stay observable as MOVING on a loaded machine.
  int absolute_move(float x, float y, float zoom, float speed = 1.0f) {
    _tptz__AbsoluteMove request;
    request.ProfileToken = k_profile;
    tt__PTZVector position;
    tt__Vector2D pan_tilt;
    pan_tilt.x = x;
    pan_tilt.y = y;
    tt__Vector1D zoom_value;
    zoom_value.x = zoom;
    position.PanTilt = &pan_tilt;
    position.Zoom = &zoom_value;
    request.Position = &position;
    tt__PTZSpeed move_speed;
    tt__Vector2D pan_tilt_speed;
    pan_tilt_speed.x = pan_tilt_speed.y = speed;
    move_speed.PanTilt = &pan_tilt_speed;
    request.Speed = &move_speed;
    _tptz__AbsoluteMoveResponse response;
    sign();
    return proxy.AbsoluteMove(&request, response);
  }

  core::RealtimeClock clock{std::chrono::system_clock::now()};
  core::DeviceProfile profile;
  std::filesystem::path data_directory;
  std::vector<std::unique_ptr<sim::RoadSceneSource>> sources;
  std::unique_ptr<sim::PtzMotorModel> motor;
  std::unique_ptr<camera::Camera> device;
  int http_port = 0;
  std::string endpoint;
  PTZBindingProxy proxy{SOAP_C_UTFSTRING};
};

TEST_F(OnvifPtzOverHttp, NodeAndConfigurationDescribeTheGenericSpacesAndTheDeviceListsTheService) {
  _tptz__GetNodes nodes_request;
  _tptz__GetNodesResponse nodes;
  sign();
  ASSERT_EQ(proxy.GetNodes(&nodes_request, nodes), SOAP_OK) << fault_subcode();
  ASSERT_EQ(nodes.PTZNode.size(), 1u) << "only the PTZ channel has a drive";
  EXPECT_EQ(nodes.PTZNode[0]->token, "PTZNode_1");
  EXPECT_TRUE(nodes.PTZNode[0]->HomeSupported);
  ASSERT_TRUE(nodes.PTZNode[0]->SupportedPTZSpaces);
  const auto& relative = nodes.PTZNode[0]->SupportedPTZSpaces->RelativePanTiltTranslationSpace;
  EXPECT_TRUE(std::any_of(relative.begin(), relative.end(), [](const tt__Space2DDescription* space) {
    return space->URI == "http://www.onvif.org/ver10/tptz/PanTiltSpaces/TranslationSpaceFov";
  }));

  _tptz__GetConfigurationOptions options_request;
  options_request.ConfigurationToken = "PTZConfig_1";
  _tptz__GetConfigurationOptionsResponse options;
  sign();
  ASSERT_EQ(proxy.GetConfigurationOptions(&options_request, options), SOAP_OK) << fault_subcode();
  ASSERT_TRUE(options.PTZConfigurationOptions && options.PTZConfigurationOptions->Spaces);

  _tptz__GetConfiguration configuration_request;
  configuration_request.PTZConfigurationToken = "PTZConfig_9";
  _tptz__GetConfigurationResponse configuration;
  sign();
  EXPECT_EQ(proxy.GetConfiguration(&configuration_request, configuration), SOAP_CLI_FAULT);
  EXPECT_EQ(fault_subcode(), "ter:InvalidArgVal");

  DeviceBindingProxy device_proxy{SOAP_C_UTFSTRING};
  const std::string device_endpoint = "http://127.0.0.1:" + std::to_string(http_port) + "/onvif/device_service";
  device_proxy.soap_endpoint = device_endpoint.c_str();
  _tds__GetServices services_request;
  _tds__GetServicesResponse services;
  ASSERT_EQ(device_proxy.GetServices(&services_request, services), SOAP_OK);
  EXPECT_TRUE(std::any_of(services.Service.begin(), services.Service.end(), [&](const tds__Service* service) {
    return service->Namespace == "http://www.onvif.org/ver20/ptz/wsdl" && service->XAddr == endpoint;
  }));
}

TEST_F(OnvifPtzOverHttp, AbsoluteMoveIsMovingThenIdleAtTheTarget) {
  // Generic space: pan 0.5 = 90°, tilt 0 = the middle of -90°..0°, zoom 0.1 of ×1..×30.
  ASSERT_EQ(absolute_move(0.5f, 0.0f, 0.1f, 0.2f), SOAP_OK) << fault_subcode();
  EXPECT_TRUE(moving(status())) << "a 90° pan at a fifth of the speed takes the motor almost 4 s";
  const auto arrived = wait_idle();
  ASSERT_TRUE(arrived.Position->PanTilt && arrived.Position->Zoom);
  EXPECT_NEAR(arrived.Position->PanTilt->x, 0.5, 1e-3);
  EXPECT_NEAR(arrived.Position->PanTilt->y, 0.0, 1e-3);
  EXPECT_NEAR(arrived.Position->Zoom->x, 0.1, 1e-3);
  EXPECT_NEAR(motor->position().pan_degrees, 90.0, 1e-3) << "the motor itself is there";
  EXPECT_NEAR(motor->position().tilt_degrees, -45.0, 1e-3);

  EXPECT_EQ(absolute_move(1.5f, 0.0f, 0.0f), SOAP_CLI_FAULT);
  EXPECT_EQ(fault_subcode(), "ter:InvalidArgVal");
  EXPECT_FALSE(moving(status())) << "a refused move does not start";
}

TEST_F(OnvifPtzOverHttp, RelativeMoveInTheFieldOfViewCentresTheClickedPoint) {
  ASSERT_EQ(absolute_move(0.0f, 0.0f, 0.0f), SOAP_OK) << fault_subcode();
  wait_idle();
  _tptz__RelativeMove request;
  request.ProfileToken = k_profile;
  tt__PTZVector translation;
  tt__Vector2D pan_tilt;
  pan_tilt.x = 0.5f;  // a point halfway to the right edge of the picture
  pan_tilt.y = 0.0f;
  std::string fov_space = "http://www.onvif.org/ver10/tptz/PanTiltSpaces/TranslationSpaceFov";
  pan_tilt.space = &fov_space;
  translation.PanTilt = &pan_tilt;
  request.Translation = &translation;
  _tptz__RelativeMoveResponse response;
  sign();
  ASSERT_EQ(proxy.RelativeMove(&request, response), SOAP_OK) << fault_subcode();
  wait_idle();
  EXPECT_NEAR(motor->position().pan_degrees, 15.0, 1e-3) << "a quarter of the 60° view at ×1";

  pan_tilt.x = 4.0f;
  sign();
  EXPECT_EQ(proxy.RelativeMove(&request, response), SOAP_CLI_FAULT);
  EXPECT_EQ(fault_subcode(), "ter:InvalidArgVal");
}

TEST_F(OnvifPtzOverHttp, ContinuousMoveStopsAtItsTimeout) {
  _tptz__ContinuousMove request;
  request.ProfileToken = k_profile;
  tt__PTZSpeed velocity;
  tt__Vector2D pan_tilt;
  pan_tilt.x = 0.5f;
  pan_tilt.y = 0.0f;
  velocity.PanTilt = &pan_tilt;
  request.Velocity = &velocity;
  std::string timeout = "PT1S";
  request.Timeout = &timeout;
  _tptz__ContinuousMoveResponse response;
  sign();
  ASSERT_EQ(proxy.ContinuousMove(&request, response), SOAP_OK) << fault_subcode();
  EXPECT_TRUE(moving(status()));
  wait_idle();
  const double stopped_at = motor->position().pan_degrees;
  EXPECT_GT(stopped_at, 5.0);
  EXPECT_LT(stopped_at, 90.0) << "stopped by the timeout (60°/s for 1 s, then braking), not left panning";

  pan_tilt.x = 3.0f;
  sign();
  EXPECT_EQ(proxy.ContinuousMove(&request, response), SOAP_CLI_FAULT);
  EXPECT_EQ(fault_subcode(), "ter:InvalidArgVal");
  timeout = "five seconds";
  pan_tilt.x = 0.5f;
  sign();
  EXPECT_EQ(proxy.ContinuousMove(&request, response), SOAP_CLI_FAULT);
  EXPECT_EQ(fault_subcode(), "ter:InvalidArgVal");

  // Stop ends a continuous move without a timeout.
  request.Timeout = nullptr;
  sign();
  ASSERT_EQ(proxy.ContinuousMove(&request, response), SOAP_OK) << fault_subcode();
  _tptz__Stop stop;
  stop.ProfileToken = k_profile;
  _tptz__StopResponse stop_response;
  sign();
  ASSERT_EQ(proxy.Stop(&stop, stop_response), SOAP_OK) << fault_subcode();
  wait_idle();
}

TEST_F(OnvifPtzOverHttp, PresetAndHomeSurviveARestartAndGotoReturnsThere) {
  ASSERT_EQ(absolute_move(-0.25f, -0.5f, 0.2f), SOAP_OK) << fault_subcode();
  wait_idle();
  const auto at_preset = motor->position();
  _tptz__SetPreset set;
  set.ProfileToken = k_profile;
  std::string name = "gate";
  set.PresetName = &name;
  _tptz__SetPresetResponse set_response;
  sign();
  ASSERT_EQ(proxy.SetPreset(&set, set_response), SOAP_OK) << fault_subcode();
  const std::string token = set_response.PresetToken;
  const auto listed = isapi("GET", "/ISAPI/PTZCtrl/channels/1/presets").out;
  EXPECT_NE(listed.find("<presetName>gate</presetName>"), std::string::npos) << "the same preset on ISAPI: " << listed;
  _tptz__SetHomePosition set_home;
  set_home.ProfileToken = k_profile;
  _tptz__SetHomePositionResponse set_home_response;
  sign();
  ASSERT_EQ(proxy.SetHomePosition(&set_home, set_home_response), SOAP_OK) << fault_subcode();

  device.reset();
  start();

  _tptz__GetPresets list;
  list.ProfileToken = k_profile;
  _tptz__GetPresetsResponse presets;
  sign();
  ASSERT_EQ(proxy.GetPresets(&list, presets), SOAP_OK) << fault_subcode();
  ASSERT_EQ(presets.Preset.size(), 1u);
  ASSERT_TRUE(presets.Preset[0]->token && presets.Preset[0]->Name);
  EXPECT_EQ(*presets.Preset[0]->token, token);
  EXPECT_EQ(*presets.Preset[0]->Name, "gate");

  ASSERT_EQ(absolute_move(0.5f, 0.5f, 0.0f), SOAP_OK) << fault_subcode();
  wait_idle();
  _tptz__GotoPreset go;
  go.ProfileToken = k_profile;
  go.PresetToken = token;
  tt__PTZSpeed go_speed;
  tt__Vector2D go_pan_tilt_speed;
  go_pan_tilt_speed.x = go_pan_tilt_speed.y = 0.2f;
  go_speed.PanTilt = &go_pan_tilt_speed;
  go.Speed = &go_speed;
  _tptz__GotoPresetResponse go_response;
  sign();
  ASSERT_EQ(proxy.GotoPreset(&go, go_response), SOAP_OK) << fault_subcode();
  EXPECT_TRUE(moving(status()));
  wait_idle();
  EXPECT_NEAR(motor->position().pan_degrees, at_preset.pan_degrees, 1e-3);
  EXPECT_NEAR(motor->position().tilt_degrees, at_preset.tilt_degrees, 1e-3);
  EXPECT_NEAR(motor->position().zoom, at_preset.zoom, 1e-3);

  ASSERT_EQ(absolute_move(0.0f, 0.0f, 0.0f), SOAP_OK) << fault_subcode();
  wait_idle();
  _tptz__GotoHomePosition home;
  home.ProfileToken = k_profile;
  _tptz__GotoHomePositionResponse home_response;
  sign();
  ASSERT_EQ(proxy.GotoHomePosition(&home, home_response), SOAP_OK) << fault_subcode();
  wait_idle();
  EXPECT_NEAR(motor->position().pan_degrees, at_preset.pan_degrees, 1e-3);

  _tptz__RemovePreset remove;
  remove.ProfileToken = k_profile;
  remove.PresetToken = token;
  _tptz__RemovePresetResponse remove_response;
  sign();
  ASSERT_EQ(proxy.RemovePreset(&remove, remove_response), SOAP_OK) << fault_subcode();
  sign();
  EXPECT_EQ(proxy.GotoPreset(&go, go_response), SOAP_CLI_FAULT) << "removed";
  EXPECT_EQ(fault_subcode(), "ter:InvalidArgVal");
  std::string special = "33";
  set.PresetToken = &special;
  sign();
  EXPECT_EQ(proxy.SetPreset(&set, set_response), SOAP_CLI_FAULT) << "special presets are call-only";
  EXPECT_EQ(fault_subcode(), "ter:InvalidArgVal");
}

TEST_F(OnvifPtzOverHttp, IsapiMovesTheSameHeadAndCallsPresetsSetThere) {
  const auto moved = isapi("PUT", "/ISAPI/PTZCtrl/channels/1/absolute",
                           "<PTZData><AbsoluteHigh><elevation>300</elevation><azimuth>1800</azimuth>"
                           "<absoluteZoom>20</absoluteZoom></AbsoluteHigh></PTZData>");
  EXPECT_NE(moved.out.find("<statusCode>1</statusCode>"), std::string::npos) << moved.out;
  const auto arrived = wait_idle();
  EXPECT_NEAR(motor->position().pan_degrees, 180.0, 1e-3);
  EXPECT_NEAR(motor->position().tilt_degrees, -30.0, 1e-3);
  EXPECT_NEAR(arrived.Position->PanTilt->x, 1.0, 1e-3) << "ONVIF sees the ISAPI move";
  const auto status_document = isapi("GET", "/ISAPI/PTZCtrl/channels/1/status").out;
  EXPECT_NE(status_document.find("<azimuth>1800</azimuth>"), std::string::npos) << status_document;

  const auto set = isapi("PUT", "/ISAPI/PTZCtrl/channels/1/presets/3", "<PTZPreset><id>3</id><presetName>dock</presetName></PTZPreset>");
  EXPECT_NE(set.out.find("<statusCode>1</statusCode>"), std::string::npos) << set.out;
  ASSERT_EQ(absolute_move(0.0f, 0.0f, 0.0f), SOAP_OK) << fault_subcode();
  wait_idle();
  _tptz__GotoPreset go;
  go.ProfileToken = k_profile;
  go.PresetToken = "3";
  _tptz__GotoPresetResponse go_response;
  sign();
  ASSERT_EQ(proxy.GotoPreset(&go, go_response), SOAP_OK) << fault_subcode();
  wait_idle();
  EXPECT_NEAR(motor->position().pan_degrees, 180.0, 1e-3);

  const auto refused = isapi("PUT", "/ISAPI/PTZCtrl/channels/1/absolute",
                             "<PTZData><AbsoluteHigh><elevation>-300</elevation></AbsoluteHigh></PTZData>");
  EXPECT_NE(refused.out.find("<statusCode>6</statusCode>"), std::string::npos) << "tilt above the horizon: " << refused.out;
  const auto special = isapi("PUT", "/ISAPI/PTZCtrl/channels/1/presets/40", "");
  EXPECT_EQ(special.out.find("<statusCode>1</statusCode>"), std::string::npos) << special.out;
}

TEST_F(OnvifPtzOverHttp, ThePanoramicChannelHasNoPtzAndMovesNeedCredentials) {
  _tptz__GetStatus request;
  request.ProfileToken = "Profile_201";
  _tptz__GetStatusResponse response;
  sign();
  EXPECT_EQ(proxy.GetStatus(&request, response), SOAP_CLI_FAULT);
  EXPECT_EQ(fault_subcode(), "ter:InvalidArgVal");
  request.ProfileToken = "Profile_999";
  sign();
  EXPECT_EQ(proxy.GetStatus(&request, response), SOAP_CLI_FAULT);
  EXPECT_EQ(fault_subcode(), "ter:InvalidArgVal");

  _tptz__AbsoluteMove move;
  move.ProfileToken = k_profile;
  _tptz__AbsoluteMoveResponse move_response;
  EXPECT_NE(proxy.AbsoluteMove(&move, move_response), SOAP_OK) << "no credentials";
  EXPECT_EQ(proxy.soap->status, 401);
}

TEST_F(OnvifPtzOverHttp, MediaProfilesCarryThePtzConfigurationWhichClientsTakeOutAndPutBack) {
  MediaBindingProxy media{SOAP_C_UTFSTRING};
  const std::string media_endpoint = "http://127.0.0.1:" + std::to_string(http_port) + "/onvif/media_service";
  Media2BindingProxy media2{SOAP_C_UTFSTRING};
  const std::string media2_endpoint = "http://127.0.0.1:" + std::to_string(http_port) + "/onvif/media2_service";
  const auto aim_media = [&] {
    test::onvif::aim(media.soap, media.soap_endpoint, media_endpoint);
    test::onvif::aim(media2.soap, media2.soap_endpoint, media2_endpoint);
  };
  aim_media();
  const auto ptz_of = [&](const std::string& token) -> std::string {
    _trt__GetProfile request;
    request.ProfileToken = token;
    _trt__GetProfileResponse response;
    EXPECT_EQ(test::onvif::sign(media.soap, "admin", k_password), SOAP_OK);
    EXPECT_EQ(media.GetProfile(&request, response), SOAP_OK) << test::onvif::fault_subcode(media.soap);
    if (!response.Profile || !response.Profile->PTZConfiguration) return "";
    return response.Profile->PTZConfiguration->token + "@" + response.Profile->PTZConfiguration->NodeToken;
  };

  // GetProfiles: the PTZ channel's profiles hold its configuration, the panoramic channel's none.
  _trt__GetProfiles profiles_request;
  _trt__GetProfilesResponse profiles;
  ASSERT_EQ(test::onvif::sign(media.soap, "admin", k_password), SOAP_OK);
  ASSERT_EQ(media.GetProfiles(&profiles_request, profiles), SOAP_OK) << test::onvif::fault_subcode(media.soap);
  const auto on_ptz_channel = [](const std::string& token) { return token.rfind("Profile_1", 0) == 0; };
  const auto ptz_profiles = std::count_if(profiles.Profiles.begin(), profiles.Profiles.end(),
                                          [&](const tt__Profile* listed) { return on_ptz_channel(listed->token); });
  ASSERT_GE(ptz_profiles, 2) << "main and sub stream of the PTZ channel";
  for (const auto* listed : profiles.Profiles) {
    EXPECT_EQ(listed->PTZConfiguration != nullptr, on_ptz_channel(listed->token)) << listed->token;
    if (!listed->PTZConfiguration) continue;
    EXPECT_EQ(listed->PTZConfiguration->token, "PTZConfig_1");
    EXPECT_EQ(listed->PTZConfiguration->NodeToken, "PTZNode_1");
    EXPECT_EQ(listed->PTZConfiguration->UseCount, ptz_profiles);
  }

  _tptz__GetCompatibleConfigurations compatible_request;
  compatible_request.ProfileToken = "Profile_201";
  _tptz__GetCompatibleConfigurationsResponse compatible;
  sign();
  ASSERT_EQ(proxy.GetCompatibleConfigurations(&compatible_request, compatible), SOAP_OK) << fault_subcode();
  EXPECT_TRUE(compatible.PTZConfiguration.empty()) << "the panoramic channel has no drive";
  compatible_request.ProfileToken = k_profile;
  sign();
  ASSERT_EQ(proxy.GetCompatibleConfigurations(&compatible_request, compatible), SOAP_OK) << fault_subcode();
  ASSERT_EQ(compatible.PTZConfiguration.size(), 1u);
  EXPECT_EQ(compatible.PTZConfiguration[0]->token, "PTZConfig_1");

  // Taken out: the profile no longer moves the head.
  _trt__RemovePTZConfiguration remove;
  remove.ProfileToken = k_profile;
  _trt__RemovePTZConfigurationResponse removed;
  ASSERT_EQ(test::onvif::sign(media.soap, "admin", k_password), SOAP_OK);
  ASSERT_EQ(media.RemovePTZConfiguration(&remove, removed), SOAP_OK) << test::onvif::fault_subcode(media.soap);
  EXPECT_EQ(ptz_of(k_profile), "");
  EXPECT_EQ(ptz_of("Profile_102"), "PTZConfig_1@PTZNode_1");
  _tptz__GetStatus status_request;
  status_request.ProfileToken = k_profile;
  _tptz__GetStatusResponse status_response;
  sign();
  EXPECT_EQ(proxy.GetStatus(&status_request, status_response), SOAP_CLI_FAULT);
  EXPECT_EQ(fault_subcode(), "ter:InvalidArgVal");
  EXPECT_EQ(test::onvif::detail_subcode(proxy.soap), "ter:NoPTZProfile");

  // Refused: another channel's profile, and a configuration that does not exist.
  _trt__AddPTZConfiguration add;
  add.ProfileToken = "Profile_201";
  add.ConfigurationToken = "PTZConfig_1";
  _trt__AddPTZConfigurationResponse added;
  ASSERT_EQ(test::onvif::sign(media.soap, "admin", k_password), SOAP_OK);
  EXPECT_NE(media.AddPTZConfiguration(&add, added), SOAP_OK);
  EXPECT_EQ(test::onvif::detail_subcode(media.soap), "ter:ConfigurationConflict");
  add.ProfileToken = k_profile;
  add.ConfigurationToken = "PTZConfig_9";
  ASSERT_EQ(test::onvif::sign(media.soap, "admin", k_password), SOAP_OK);
  EXPECT_NE(media.AddPTZConfiguration(&add, added), SOAP_OK);
  EXPECT_EQ(test::onvif::detail_subcode(media.soap), "ter:NoConfig");

  // Kept across a restart; Media2 shows the same and puts it back.
  device.reset();
  start();
  aim_media();
  EXPECT_EQ(ptz_of(k_profile), "") << "the removal is stored";
  _tr2__GetProfiles media2_request;
  media2_request.Type = {"PTZ"};
  _tr2__GetProfilesResponse media2_profiles;
  ASSERT_EQ(test::onvif::sign(media2.soap, "admin", k_password), SOAP_OK);
  ASSERT_EQ(media2.GetProfiles(&media2_request, media2_profiles), SOAP_OK) << test::onvif::fault_subcode(media2.soap);
  for (const auto* listed : media2_profiles.Profiles) {
    ASSERT_TRUE(listed->Configurations);
    EXPECT_EQ(listed->Configurations->PTZ != nullptr, on_ptz_channel(listed->token) && listed->token != k_profile)
        << listed->token;
    EXPECT_FALSE(listed->Configurations->VideoSource) << "only the types asked for";
  }
  _tr2__AddConfiguration add2;
  add2.ProfileToken = k_profile;
  tr2__ConfigurationRef reference;
  reference.Type = "PTZ";
  std::string ptz_token = "PTZConfig_1";
  reference.Token = &ptz_token;
  add2.Configuration.push_back(&reference);
  _tr2__AddConfigurationResponse added2;
  ASSERT_EQ(test::onvif::sign(media2.soap, "admin", k_password), SOAP_OK);
  ASSERT_EQ(media2.AddConfiguration(&add2, added2), SOAP_OK) << test::onvif::fault_subcode(media2.soap);
  EXPECT_EQ(ptz_of(k_profile), "PTZConfig_1@PTZNode_1");
  sign();
  EXPECT_EQ(proxy.GetStatus(&status_request, status_response), SOAP_OK) << fault_subcode();

  // A made profile holds it once given, and a profile made again under the same token starts without.
  _trt__CreateProfile create;
  create.Name = "tour";
  std::string made = "Tour";
  create.Token = &made;
  _trt__CreateProfileResponse created;
  ASSERT_EQ(test::onvif::sign(media.soap, "admin", k_password), SOAP_OK);
  ASSERT_EQ(media.CreateProfile(&create, created), SOAP_OK) << test::onvif::fault_subcode(media.soap);
  EXPECT_EQ(ptz_of(made), "");
  add.ProfileToken = made;
  add.ConfigurationToken = "PTZConfig_1";
  ASSERT_EQ(test::onvif::sign(media.soap, "admin", k_password), SOAP_OK);
  ASSERT_EQ(media.AddPTZConfiguration(&add, added), SOAP_OK) << test::onvif::fault_subcode(media.soap);
  EXPECT_EQ(ptz_of(made), "PTZConfig_1@PTZNode_1");
  _trt__DeleteProfile remove_profile;
  remove_profile.ProfileToken = made;
  _trt__DeleteProfileResponse deleted;
  ASSERT_EQ(test::onvif::sign(media.soap, "admin", k_password), SOAP_OK);
  ASSERT_EQ(media.DeleteProfile(&remove_profile, deleted), SOAP_OK) << test::onvif::fault_subcode(media.soap);
  ASSERT_EQ(test::onvif::sign(media.soap, "admin", k_password), SOAP_OK);
  ASSERT_EQ(media.CreateProfile(&create, created), SOAP_OK) << test::onvif::fault_subcode(media.soap);
  EXPECT_EQ(ptz_of(made), "");
}

}  // namespace
}  // namespace camrig
