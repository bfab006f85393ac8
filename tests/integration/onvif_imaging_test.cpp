// The ONVIF Imaging service over real HTTP through the gSOAP ImagingBindingProxy, against a network
// camera started in-process: settings set over ONVIF are what ISAPI's /ISAPI/Image reports and
// survive a restart; the schema's ranges give both the options and the ter:InvalidArgVal faults.
#include <gtest/gtest.h>

#include <filesystem>

#include <unistd.h>

#include "soapImagingBindingProxy.h"

#include "device/camera/camera.hpp"
#include "device/core/realtime_clock.hpp"
#include "sim/road_scene_source.hpp"
#include "tests/support/loopback_camera.hpp"
#include "tests/support/onvif_client.hpp"

namespace camrig {
namespace {

using namespace std::chrono_literals;

constexpr const char* k_password = "Admin1234";

class OnvifImagingOverHttp : public ::testing::Test {
 protected:
  void SetUp() override {
    profile = *core::DeviceProfile::builtin("network-camera");
    data_directory = std::filesystem::temp_directory_path() / ("camrig_onvif_imaging_" + std::to_string(::getpid()));
    std::filesystem::remove_all(data_directory);
    source = std::make_unique<sim::RoadSceneSource>(
        sim::RoadSceneOptions{profile.channels[0].sensor, 5, 2}, clock,
        [this](hal::Nanos deadline, std::stop_token stop) { return clock.sleep_until(deadline, stop); });
    http_port = test::free_tcp_port();
    start();
  }

  void TearDown() override {
    device.reset();
    std::filesystem::remove_all(data_directory);
  }

  void start() {
    const auto options = test::loopback_camera_options(http_port, test::free_tcp_port(), k_password, data_directory.string());
    auto started = camera::Camera::start(profile, {&clock, {{1, source.get()}}}, options);
    ASSERT_TRUE(started) << started.error().message;
    device = std::move(*started);
    endpoint = "http://127.0.0.1:" + std::to_string(http_port) + "/onvif/imaging_service";
    test::onvif::aim(proxy.soap, proxy.soap_endpoint, endpoint);
  }

  void sign() { ASSERT_EQ(test::onvif::sign(proxy.soap, "admin", k_password), SOAP_OK); }

  std::string fault_subcode() { return test::onvif::fault_subcode(proxy.soap); }

  std::string isapi_image() { return test::onvif::isapi(http_port, "admin", k_password, "GET", "/ISAPI/Image/channels/1").out; }

  tt__ImagingSettings20 settings() {
    _timg__GetImagingSettings request;
    request.VideoSourceToken = "VideoSource_1";
    _timg__GetImagingSettingsResponse response;
    sign();
    EXPECT_EQ(proxy.GetImagingSettings(&request, response), SOAP_OK) << fault_subcode();
    if (!response.ImagingSettings) {
      ADD_FAILURE() << "no ImagingSettings";
      return {};
    }
    return *response.ImagingSettings;
  }

  core::RealtimeClock clock{std::chrono::system_clock::now()};
  core::DeviceProfile profile;
  std::filesystem::path data_directory;
  std::unique_ptr<sim::RoadSceneSource> source;
  std::unique_ptr<camera::Camera> device;
  int http_port = 0;
  std::string endpoint;
  ImagingBindingProxy proxy{SOAP_C_UTFSTRING};
};

TEST_F(OnvifImagingOverHttp, SettingsSetOverOnvifAreWhatIsapiReportsAndSurviveARestart) {
  const auto defaults = settings();
  ASSERT_TRUE(defaults.Brightness && defaults.IrCutFilter && defaults.WideDynamicRange);
  EXPECT_FLOAT_EQ(*defaults.Brightness, 50.0f);
  EXPECT_EQ(*defaults.IrCutFilter, tt__IrCutFilterMode__ON) << "day mode: the IR cut filter is in";

  _timg__SetImagingSettings set;
  set.VideoSourceToken = "VideoSource_1";
  tt__ImagingSettings20 wanted;
  float brightness = 70, sharpness = 35, wdr_level = 80;
  auto ir_cut = tt__IrCutFilterMode__OFF;
  tt__WideDynamicRange20 wdr;
  wdr.Mode = tt__WideDynamicMode__ON;
  wdr.Level = &wdr_level;
  wanted.Brightness = &brightness;
  wanted.Sharpness = &sharpness;
  wanted.IrCutFilter = &ir_cut;
  wanted.WideDynamicRange = &wdr;
  set.ImagingSettings = &wanted;
  _timg__SetImagingSettingsResponse set_response;
  sign();
  ASSERT_EQ(proxy.SetImagingSettings(&set, set_response), SOAP_OK) << fault_subcode();

  const auto isapi = isapi_image();
  EXPECT_NE(isapi.find("<brightnessLevel>70</brightnessLevel>"), std::string::npos) << isapi;
  EXPECT_NE(isapi.find("<SharpnessLevel>35</SharpnessLevel>"), std::string::npos) << isapi;
  EXPECT_NE(isapi.find("<IrcutFilterType>night</IrcutFilterType>"), std::string::npos) << isapi;
  EXPECT_NE(isapi.find("<mode>open</mode>"), std::string::npos) << isapi;
  EXPECT_NE(isapi.find("<WDRLevel>80</WDRLevel>"), std::string::npos) << isapi;

  device.reset();
  start();
  const auto after = settings();
  ASSERT_TRUE(after.Brightness && after.Sharpness && after.IrCutFilter && after.WideDynamicRange);
  EXPECT_FLOAT_EQ(*after.Brightness, 70.0f);
  EXPECT_FLOAT_EQ(*after.Sharpness, 35.0f);
  EXPECT_EQ(*after.IrCutFilter, tt__IrCutFilterMode__OFF);
  EXPECT_EQ(after.WideDynamicRange->Mode, tt__WideDynamicMode__ON);
}

TEST_F(OnvifImagingOverHttp, OutOfRangeValuesAreInvalidArgValAndChangeNothing) {
  _timg__GetOptions options_request;
  options_request.VideoSourceToken = "VideoSource_1";
  _timg__GetOptionsResponse options;
  sign();
  ASSERT_EQ(proxy.GetOptions(&options_request, options), SOAP_OK) << fault_subcode();
  ASSERT_TRUE(options.ImagingOptions && options.ImagingOptions->Brightness);
  EXPECT_FLOAT_EQ(options.ImagingOptions->Brightness->Min, 0.0f);
  EXPECT_FLOAT_EQ(options.ImagingOptions->Brightness->Max, 100.0f);
  EXPECT_EQ(options.ImagingOptions->IrCutFilterModes.size(), 3u);

  _timg__SetImagingSettings set;
  set.VideoSourceToken = "VideoSource_1";
  tt__ImagingSettings20 wanted;
  float contrast = 20, brightness = 150;
  wanted.Contrast = &contrast;
  wanted.Brightness = &brightness;
  set.ImagingSettings = &wanted;
  _timg__SetImagingSettingsResponse set_response;
  sign();
  ASSERT_EQ(proxy.SetImagingSettings(&set, set_response), SOAP_CLI_FAULT);
  EXPECT_EQ(fault_subcode(), "ter:InvalidArgVal");
  const auto unchanged = settings();
  ASSERT_TRUE(unchanged.Contrast && unchanged.Brightness);
  EXPECT_FLOAT_EQ(*unchanged.Contrast, 50.0f) << "all or nothing";
  EXPECT_FLOAT_EQ(*unchanged.Brightness, 50.0f);

  set.VideoSourceToken = "VideoSource_7";
  brightness = 60;
  sign();
  ASSERT_EQ(proxy.SetImagingSettings(&set, set_response), SOAP_CLI_FAULT);
  EXPECT_EQ(fault_subcode(), "ter:InvalidArgVal");
}

TEST_F(OnvifImagingOverHttp, FocusMovesAreNotSupportedWithTheReason) {
  _timg__Move move;
  move.VideoSourceToken = "VideoSource_1";
  tt__FocusMove focus;
  move.Focus = &focus;
  _timg__MoveResponse response;
  sign();
  ASSERT_EQ(proxy.Move(&move, response), SOAP_SVR_FAULT);
  EXPECT_EQ(fault_subcode(), "ter:ActionNotSupported");
  const char* reason = *soap_faultstring(proxy.soap);
  ASSERT_NE(reason, nullptr);
  EXPECT_NE(std::string(reason).find("focus"), std::string::npos) << reason;
}

}  // namespace
}  // namespace camrig
