// The ONVIF Media (Profile S) and Media2 (Profile T) services over real HTTP, driven by the gSOAP
// MediaBindingProxy / Media2BindingProxy generated from the same WSDLs, against a camera started
// in-process: what they change is read back through ISAPI and in the RTSP stream (ffprobe).
#include <unistd.h>

#include <filesystem>
#include <map>

#include <gtest/gtest.h>

#include "soapDeviceBindingProxy.h"
#include "soapMedia2BindingProxy.h"
#include "soapMediaBindingProxy.h"

#include "device/camera/camera.hpp"
#include "device/core/realtime_clock.hpp"
#include "sim/road_scene_source.hpp"
#include "tests/support/loopback_camera.hpp"
#include "tests/support/onvif_client.hpp"

namespace camrig {
namespace {

using namespace std::chrono_literals;

constexpr const char* k_password = "Admin1234";

struct ProbedStream {
  std::string codec;
  int width = 0;
  int height = 0;
};

class OnvifMediaOverHttp : public ::testing::Test {
 protected:
  void SetUp() override {
    profile = *core::DeviceProfile::builtin("network-camera");
    http_port = test::free_tcp_port();
    rtsp_port = test::free_tcp_port();
    start_camera("");
    base = "http://127.0.0.1:" + std::to_string(http_port);
    media_endpoint = base + "/onvif/media_service";
    media2_endpoint = base + "/onvif/media2_service";
    device_endpoint = base + "/onvif/device_service";
    test::onvif::aim(media.soap, media.soap_endpoint, media_endpoint);
    test::onvif::aim(media2.soap, media2.soap_endpoint, media2_endpoint);
    test::onvif::aim(device_proxy.soap, device_proxy.soap_endpoint, device_endpoint);
  }

  //! A camera on the same ports, with its configuration in `data_directory` (empty: in memory).
  void start_camera(const std::string& data_directory) {
    device.reset();
    source = std::make_unique<sim::RoadSceneSource>(
        sim::RoadSceneOptions{profile.channels[0].sensor, 5, 4}, clock,
        [this](hal::Nanos deadline, std::stop_token stop) { return clock.sleep_until(deadline, stop); });
    const auto options = test::loopback_camera_options(http_port, rtsp_port, k_password, data_directory);
    auto started = camera::Camera::start(profile, {&clock, {{1, source.get()}}}, options);
    ASSERT_TRUE(started) << started.error().message;
    device = std::move(*started);
  }

  static void sign(struct soap* soap, const char* user = "admin", const char* password = k_password) {
    ASSERT_EQ(test::onvif::sign(soap, user, password), SOAP_OK);
  }

  static std::string fault_subcode(struct soap* soap) { return test::onvif::fault_subcode(soap); }
  static std::string detail_subcode(struct soap* soap) { return test::onvif::detail_subcode(soap); }

  test::ProcessResult isapi_get(const std::string& path) {
    return test::onvif::isapi(http_port, "admin", k_password, "GET", path);
  }

  //! What an RTSP client sees of the stream at `uri` (DESCRIBE, then the first pictures).
  static ProbedStream probe(const std::string& uri) {
    const std::string authority = std::string("admin:") + k_password + "@";
    const std::string with_login = "rtsp://" + authority + uri.substr(std::string("rtsp://").size());
    const auto result = test::run_process({"ffprobe", "-v", "error", "-rtsp_transport", "tcp", "-select_streams", "v:0",
                                           "-show_entries", "stream=codec_name,width,height", "-of", "csv=p=0", with_login},
                                          30s);
    ProbedStream stream;
    const auto first = result.out.find(',');
    const auto second = result.out.find(',', first + 1);
    if (first == std::string::npos || second == std::string::npos) return stream;
    stream.codec = result.out.substr(0, first);
    stream.width = std::atoi(result.out.substr(first + 1, second - first - 1).c_str());
    stream.height = std::atoi(result.out.substr(second + 1).c_str());
    return stream;
  }

  //! The stream as a client joining now sees it: the encoder takes a new size at its next
  //! picture, so a client that connected just before may still get the old one.
  static ProbedStream probe_until(const std::string& uri, int width, int height) {
    ProbedStream stream;
    for (int attempt = 0; attempt < 5; ++attempt) {
      stream = probe(uri);
      if (stream.width == width && stream.height == height) break;
    }
    return stream;
  }

  std::string stream_uri(const std::string& profile_token) {
    _trt__GetStreamUri request;
    tt__StreamSetup setup_request;
    tt__Transport transport;
    transport.Protocol = tt__TransportProtocol__RTSP;
    setup_request.Stream = tt__StreamType__RTP_Unicast;
    setup_request.Transport = &transport;
    request.StreamSetup = &setup_request;
    request.ProfileToken = profile_token;
    _trt__GetStreamUriResponse response;
    sign(media.soap);
    EXPECT_EQ(media.GetStreamUri(&request, response), SOAP_OK) << fault_subcode(media.soap);
    return response.MediaUri ? response.MediaUri->Uri : std::string();
  }

  tt__VideoEncoderConfiguration* encoder(const std::string& token) {
    _trt__GetVideoEncoderConfiguration request;
    request.ConfigurationToken = token;
    auto* response = soap_new__trt__GetVideoEncoderConfigurationResponse(media.soap);
    sign(media.soap);
    EXPECT_EQ(media.GetVideoEncoderConfiguration(&request, *response), SOAP_OK) << fault_subcode(media.soap);
    return response->Configuration;
  }

  core::RealtimeClock clock{std::chrono::system_clock::now()};
  core::DeviceProfile profile;
  std::unique_ptr<sim::RoadSceneSource> source;
  std::unique_ptr<camera::Camera> device;
  int http_port = 0;
  int rtsp_port = 0;
  std::string base;
  std::string media_endpoint;
  std::string media2_endpoint;
  std::string device_endpoint;
  MediaBindingProxy media{SOAP_C_UTFSTRING};
  Media2BindingProxy media2{SOAP_C_UTFSTRING};
  DeviceBindingProxy device_proxy{SOAP_C_UTFSTRING};
};

TEST_F(OnvifMediaOverHttp, ProfilesAreTheExistingStreamsAndTheirUrisPlay) {
  _trt__GetProfiles request;
  _trt__GetProfilesResponse response;
  sign(media.soap);
  ASSERT_EQ(media.GetProfiles(&request, response), SOAP_OK) << fault_subcode(media.soap);
  std::vector<std::string> tokens;
  for (const auto* p : response.Profiles) tokens.push_back(p->token);
  // Main, sub and third stream; the custom stream slots 104-106 are not added.
  EXPECT_EQ(tokens, (std::vector<std::string>{"Profile_101", "Profile_102", "Profile_103"}));
  const auto* sub = response.Profiles[1];
  ASSERT_TRUE(sub->VideoEncoderConfiguration && sub->VideoSourceConfiguration);
  EXPECT_EQ(sub->VideoEncoderConfiguration->token, "VideoEncoder_102");
  EXPECT_EQ(sub->VideoEncoderConfiguration->Encoding, tt__VideoEncoding__H264);
  EXPECT_EQ(sub->VideoEncoderConfiguration->Resolution->Width, 640);
  EXPECT_EQ(sub->VideoEncoderConfiguration->Resolution->Height, 360);
  EXPECT_EQ(sub->VideoSourceConfiguration->SourceToken, "VideoSource_1");

  const auto uri = stream_uri("Profile_102");
  EXPECT_EQ(uri, "rtsp://127.0.0.1:" + std::to_string(rtsp_port) + "/Streaming/Channels/102");
  const auto probed = probe(uri);
  EXPECT_EQ(probed.codec, "h264");
  EXPECT_EQ(probed.width, 640);
  EXPECT_EQ(probed.height, 360);

  _tr2__GetStreamUri request2;
  request2.Protocol = "RtspOverHttp";
  request2.ProfileToken = "Profile_102";
  _tr2__GetStreamUriResponse response2;
  sign(media2.soap);
  ASSERT_EQ(media2.GetStreamUri(&request2, response2), SOAP_OK) << fault_subcode(media2.soap);
  EXPECT_EQ(response2.Uri, uri) << "the HTTP tunnel shares the RTSP port";

  // Multicast needs a group first, as ISAPI's multicast settings give it.
  request2.Protocol = "RtspMulticast";
  sign(media2.soap);
  ASSERT_EQ(media2.GetStreamUri(&request2, response2), SOAP_CLI_FAULT);
  EXPECT_EQ(fault_subcode(media2.soap), "ter:InvalidArgVal");
  EXPECT_EQ(detail_subcode(media2.soap), "ter:InvalidStreamSetup");

  _trt__GetStreamUri missing;
  missing.ProfileToken = "Profile_999";
  _trt__GetStreamUriResponse missing_response;
  sign(media.soap);
  ASSERT_EQ(media.GetStreamUri(&missing, missing_response), SOAP_CLI_FAULT);
  EXPECT_EQ(detail_subcode(media.soap), "ter:NoProfile");
}

TEST_F(OnvifMediaOverHttp, ACameraWithoutAPtzDriveHasNoPtzConfigurationInItsProfiles) {
  _trt__GetProfiles request;
  _trt__GetProfilesResponse response;
  sign(media.soap);
  ASSERT_EQ(media.GetProfiles(&request, response), SOAP_OK) << fault_subcode(media.soap);
  for (const auto* listed : response.Profiles) EXPECT_FALSE(listed->PTZConfiguration) << listed->token;

  _trt__AddPTZConfiguration add;
  add.ProfileToken = "Profile_101";
  add.ConfigurationToken = "PTZConfig_1";
  _trt__AddPTZConfigurationResponse added;
  sign(media.soap);
  ASSERT_EQ(media.AddPTZConfiguration(&add, added), SOAP_CLI_FAULT);
  EXPECT_EQ(detail_subcode(media.soap), "ter:NoConfig");

  _tr2__RemoveConfiguration remove;
  remove.ProfileToken = "Profile_101";
  tr2__ConfigurationRef reference;
  reference.Type = "PTZ";
  remove.Configuration.push_back(&reference);
  _tr2__RemoveConfigurationResponse removed;
  sign(media2.soap);
  EXPECT_EQ(media2.RemoveConfiguration(&remove, removed), SOAP_OK) << "nothing to take out is done already";
}

TEST_F(OnvifMediaOverHttp, SetVideoEncoderConfigurationChangesTheStreamAsAnIsapiPutWould) {
  auto* configuration = encoder("VideoEncoder_102");
  ASSERT_NE(configuration, nullptr);
  configuration->Resolution->Width = 320;
  configuration->Resolution->Height = 240;
  configuration->RateControl->BitrateLimit = 768;
  _trt__SetVideoEncoderConfiguration set;
  set.Configuration = configuration;
  set.ForcePersistence = true;
  _trt__SetVideoEncoderConfigurationResponse set_response;
  sign(media.soap);
  ASSERT_EQ(media.SetVideoEncoderConfiguration(&set, set_response), SOAP_OK) << fault_subcode(media.soap);

  const auto isapi = isapi_get("/ISAPI/Streaming/channels/102");
  EXPECT_NE(isapi.out.find("<videoResolutionWidth>320</videoResolutionWidth>"), std::string::npos) << isapi.out;
  EXPECT_NE(isapi.out.find("<videoResolutionHeight>240</videoResolutionHeight>"), std::string::npos) << isapi.out;
  EXPECT_NE(isapi.out.find("<vbrUpperCap>768</vbrUpperCap>"), std::string::npos) << isapi.out;
  const auto probed = probe_until(stream_uri("Profile_102"), 320, 240);
  EXPECT_EQ(probed.width, 320);
  EXPECT_EQ(probed.height, 240);

  // Media2 offers H.265, which Media 1 cannot name.
  tr2__GetConfiguration get;
  std::string token = "VideoEncoder_102";
  get.ConfigurationToken = &token;
  _tr2__GetVideoEncoderConfigurationsResponse got;
  sign(media2.soap);
  ASSERT_EQ(media2.GetVideoEncoderConfigurations(&get, got), SOAP_OK) << fault_subcode(media2.soap);
  ASSERT_EQ(got.Configurations.size(), 1u);
  auto* configuration2 = got.Configurations[0];
  EXPECT_EQ(configuration2->Encoding, "H264");
  EXPECT_EQ(configuration2->Resolution->Width, 320);
  configuration2->Encoding = "H265";
  _tr2__SetVideoEncoderConfiguration set2;
  set2.Configuration = configuration2;
  tr2__SetConfigurationResponse set2_response;
  sign(media2.soap);
  ASSERT_EQ(media2.SetVideoEncoderConfiguration(&set2, set2_response), SOAP_OK) << fault_subcode(media2.soap);
  EXPECT_NE(isapi_get("/ISAPI/Streaming/channels/102").out.find("<videoCodecType>H.265</videoCodecType>"), std::string::npos);
  ProbedStream hevc;
  for (int attempt = 0; attempt < 5 && hevc.codec != "hevc"; ++attempt) hevc = probe(stream_uri("Profile_102"));
  EXPECT_EQ(hevc.codec, "hevc");
  EXPECT_EQ(hevc.width, 320);

  // Media 1 cannot describe an H.265 encoder: it is no configuration there.
  _trt__GetVideoEncoderConfiguration request;
  request.ConfigurationToken = "VideoEncoder_102";
  _trt__GetVideoEncoderConfigurationResponse response;
  sign(media.soap);
  ASSERT_EQ(media.GetVideoEncoderConfiguration(&request, response), SOAP_CLI_FAULT);
  EXPECT_EQ(detail_subcode(media.soap), "ter:NoConfig");
}

TEST_F(OnvifMediaOverHttp, ASizeTheStreamDoesNotOfferIsConfigModifyAndChangesNothing) {
  auto* configuration = encoder("VideoEncoder_101");
  ASSERT_NE(configuration, nullptr);
  configuration->Resolution->Width = 1000;
  configuration->Resolution->Height = 1000;
  _trt__SetVideoEncoderConfiguration set;
  set.Configuration = configuration;
  _trt__SetVideoEncoderConfigurationResponse set_response;
  sign(media.soap);
  ASSERT_EQ(media.SetVideoEncoderConfiguration(&set, set_response), SOAP_CLI_FAULT);
  EXPECT_EQ(fault_subcode(media.soap), "ter:InvalidArgVal");
  EXPECT_EQ(detail_subcode(media.soap), "ter:ConfigModify");
  const char* reason = soap_fault_string(media.soap);
  EXPECT_NE(std::string(reason ? reason : "").find("1000x1000"), std::string::npos) << (reason ? reason : "");
  EXPECT_NE(isapi_get("/ISAPI/Streaming/channels/101").out.find("<videoResolutionWidth>1920</videoResolutionWidth>"),
            std::string::npos);

  // The options list what the stream takes.
  _trt__GetVideoEncoderConfigurationOptions options_request;
  std::string token = "VideoEncoder_101";
  options_request.ConfigurationToken = &token;
  _trt__GetVideoEncoderConfigurationOptionsResponse options;
  sign(media.soap);
  ASSERT_EQ(media.GetVideoEncoderConfigurationOptions(&options_request, options), SOAP_OK) << fault_subcode(media.soap);
  ASSERT_TRUE(options.Options && options.Options->H264);
  std::vector<std::string> sizes;
  for (const auto* size : options.Options->H264->ResolutionsAvailable)
    sizes.push_back(std::to_string(size->Width) + "x" + std::to_string(size->Height));
  EXPECT_EQ(sizes, (std::vector<std::string>{"1920x1080", "1280x960", "1280x720"}));
  EXPECT_EQ(options.Options->H264->FrameRateRange->Max, 25);

  // Media2: the sub stream offers H.264, H.265 and JPEG.
  tr2__GetConfiguration get;
  std::string sub = "VideoEncoder_102";
  get.ConfigurationToken = &sub;
  _tr2__GetVideoEncoderConfigurationOptionsResponse options2;
  sign(media2.soap);
  ASSERT_EQ(media2.GetVideoEncoderConfigurationOptions(&get, options2), SOAP_OK) << fault_subcode(media2.soap);
  std::vector<std::string> encodings;
  for (const auto* option : options2.Options) encodings.push_back(option->Encoding);
  EXPECT_EQ(encodings, (std::vector<std::string>{"H264", "H265", "JPEG"}));
}

TEST_F(OnvifMediaOverHttp, AUserMayWatchButNotChangeTheEncoder) {
  _tds__CreateUsers create;
  tt__User user;
  user.Username = "viewer";
  std::string password = "Viewer-pass-1";
  user.Password = &password;
  user.UserLevel = tt__UserLevel__User;
  create.User.push_back(&user);
  _tds__CreateUsersResponse created;
  sign(device_proxy.soap);
  ASSERT_EQ(device_proxy.CreateUsers(&create, created), SOAP_OK) << fault_subcode(device_proxy.soap);

  _trt__GetProfiles request;
  _trt__GetProfilesResponse response;
  sign(media.soap, "viewer", password.c_str());
  ASSERT_EQ(media.GetProfiles(&request, response), SOAP_OK) << fault_subcode(media.soap);

  auto* configuration = encoder("VideoEncoder_101");
  ASSERT_NE(configuration, nullptr);
  configuration->RateControl->FrameRateLimit = 10;
  _trt__SetVideoEncoderConfiguration set;
  set.Configuration = configuration;
  _trt__SetVideoEncoderConfigurationResponse set_response;
  sign(media.soap, "viewer", password.c_str());
  EXPECT_NE(media.SetVideoEncoderConfiguration(&set, set_response), SOAP_OK);
  EXPECT_EQ(fault_subcode(media.soap), "ter:NotAuthorized");
  EXPECT_NE(isapi_get("/ISAPI/Streaming/channels/101").out.find("<maxFrameRate>2500</maxFrameRate>"), std::string::npos);

  _tr2__SetSynchronizationPoint sync;
  sync.ProfileToken = "Profile_101";
  _tr2__SetSynchronizationPointResponse synced;
  sign(media2.soap, "viewer", password.c_str());
  EXPECT_NE(media2.SetSynchronizationPoint(&sync, synced), SOAP_OK);
  EXPECT_EQ(fault_subcode(media2.soap), "ter:NotAuthorized");
  sign(media2.soap);
  EXPECT_EQ(media2.SetSynchronizationPoint(&sync, synced), SOAP_OK) << fault_subcode(media2.soap);
}

TEST_F(OnvifMediaOverHttp, OsdsAreTheOverlaysIsapiShows) {
  _trt__GetOSDs get;
  std::string source_configuration = "VideoSourceConfig_1";
  get.ConfigurationToken = &source_configuration;
  _trt__GetOSDsResponse shown;
  sign(media.soap);
  ASSERT_EQ(media.GetOSDs(&get, shown), SOAP_OK) << fault_subcode(media.soap);
  std::vector<std::string> tokens;
  for (const auto* osd : shown.OSDs) tokens.push_back(osd->token);
  EXPECT_EQ(tokens, (std::vector<std::string>{"OSD_1_Name", "OSD_1_Date"}));

  tt__OSDConfiguration osd;
  tt__OSDReference reference;
  reference.__item = source_configuration;
  osd.VideoSourceConfigurationToken = &reference;
  osd.Type = tt__OSDType__Text;
  tt__OSDPosConfiguration position;
  position.Type = "Custom";
  tt__Vector pos;
  pos.x = 0.0f;   // the middle
  pos.y = -0.5f;  // three quarters down
  position.Pos = &pos;
  osd.Position = &position;
  tt__OSDTextConfiguration text;
  text.Type = "Plain";
  std::string words = "Gate 3";
  text.PlainText = &words;
  osd.TextString = &text;
  _trt__CreateOSD create;
  create.OSD = &osd;
  _trt__CreateOSDResponse created;
  sign(media.soap);
  ASSERT_EQ(media.CreateOSD(&create, created), SOAP_OK) << fault_subcode(media.soap);
  EXPECT_EQ(created.OSDToken, "OSD_1_Text1");
  const auto overlays = isapi_get("/ISAPI/System/Video/inputs/channels/1/overlays").out;
  const auto first_text = overlays.find("<TextOverlay>");
  ASSERT_NE(first_text, std::string::npos) << overlays;
  const auto first_text_end = overlays.find("</TextOverlay>", first_text);
  const auto line = overlays.substr(first_text, first_text_end - first_text);
  EXPECT_NE(line.find("<enabled>true</enabled>"), std::string::npos) << line;
  EXPECT_NE(line.find("<displayText>Gate 3</displayText>"), std::string::npos) << line;

  _trt__DeleteOSD remove;
  remove.OSDToken = created.OSDToken;
  _trt__DeleteOSDResponse removed;
  sign(media.soap);
  ASSERT_EQ(media.DeleteOSD(&remove, removed), SOAP_OK) << fault_subcode(media.soap);
  sign(media.soap);
  ASSERT_EQ(media.DeleteOSD(&remove, removed), SOAP_CLI_FAULT) << "deleted already";
  EXPECT_EQ(detail_subcode(media.soap), "ter:NoConfig");
  _trt__GetOSDsResponse after;
  sign(media.soap);
  ASSERT_EQ(media.GetOSDs(&get, after), SOAP_OK) << fault_subcode(media.soap);
  EXPECT_EQ(after.OSDs.size(), 2u);

  // A position outside the picture is the overlay settings' range error.
  tt__OSDConfiguration* name = shown.OSDs[0];
  name->Position->Pos->x = 3.0f;
  _trt__SetOSD set;
  set.OSD = name;
  _trt__SetOSDResponse set_response;
  sign(media.soap);
  ASSERT_EQ(media.SetOSD(&set, set_response), SOAP_CLI_FAULT);
  EXPECT_EQ(detail_subcode(media.soap), "ter:ConfigModify");
}

TEST_F(OnvifMediaOverHttp, MadeProfilesHoldAStreamAndFixedOnesStay) {
  _tr2__CreateProfile create;
  create.Name = "NVR sub";
  tr2__ConfigurationRef source_ref;
  source_ref.Type = "VideoSource";
  std::string source_token = "VideoSourceConfig_1";
  source_ref.Token = &source_token;
  tr2__ConfigurationRef encoder_ref;
  encoder_ref.Type = "VideoEncoder";
  std::string encoder_token = "VideoEncoder_102";
  encoder_ref.Token = &encoder_token;
  create.Configuration = {&source_ref, &encoder_ref};
  _tr2__CreateProfileResponse created;
  sign(media2.soap);
  ASSERT_EQ(media2.CreateProfile(&create, created), SOAP_OK) << fault_subcode(media2.soap);
  EXPECT_EQ(created.Token, "UserProfile_1");

  // Seen over Media 1 too, with the stream's URI.
  _trt__GetProfile get;
  get.ProfileToken = created.Token;
  _trt__GetProfileResponse got;
  sign(media.soap);
  ASSERT_EQ(media.GetProfile(&get, got), SOAP_OK) << fault_subcode(media.soap);
  ASSERT_TRUE(got.Profile && got.Profile->VideoEncoderConfiguration);
  EXPECT_EQ(got.Profile->Name, "NVR sub");
  EXPECT_FALSE(*got.Profile->fixed);
  EXPECT_EQ(got.Profile->VideoEncoderConfiguration->token, "VideoEncoder_102");
  EXPECT_EQ(stream_uri(created.Token), "rtsp://127.0.0.1:" + std::to_string(rtsp_port) + "/Streaming/Channels/102");

  _trt__RemoveVideoEncoderConfiguration remove;
  remove.ProfileToken = created.Token;
  _trt__RemoveVideoEncoderConfigurationResponse removed;
  sign(media.soap);
  ASSERT_EQ(media.RemoveVideoEncoderConfiguration(&remove, removed), SOAP_OK) << fault_subcode(media.soap);
  _trt__GetStreamUri uri_request;
  uri_request.ProfileToken = created.Token;
  _trt__GetStreamUriResponse uri;
  sign(media.soap);
  ASSERT_EQ(media.GetStreamUri(&uri_request, uri), SOAP_SVR_FAULT) << "nothing to stream";
  EXPECT_EQ(detail_subcode(media.soap), "ter:IncompleteConfiguration");

  _trt__DeleteProfile fixed;
  fixed.ProfileToken = "Profile_101";
  _trt__DeleteProfileResponse deleted;
  sign(media.soap);
  ASSERT_EQ(media.DeleteProfile(&fixed, deleted), SOAP_SVR_FAULT);
  EXPECT_EQ(detail_subcode(media.soap), "ter:DeletionOfFixedProfile");

  _tr2__DeleteProfile made;
  made.Token = created.Token;
  _tr2__DeleteProfileResponse made_deleted;
  sign(media2.soap);
  ASSERT_EQ(media2.DeleteProfile(&made, made_deleted), SOAP_OK) << fault_subcode(media2.soap);
  sign(media.soap);
  ASSERT_EQ(media.GetProfile(&get, got), SOAP_CLI_FAULT);
  EXPECT_EQ(detail_subcode(media.soap), "ter:NoProfile");
}

TEST_F(OnvifMediaOverHttp, EncoderChangesAndMadeProfilesSurviveARestart) {
  const auto directory = std::filesystem::temp_directory_path() /
                         ("camrig-onvif-media-" + std::to_string(::getpid()) + "-" + std::to_string(rtsp_port));
  std::filesystem::create_directories(directory);
  start_camera(directory.string());

  auto* configuration = encoder("VideoEncoder_101");
  ASSERT_NE(configuration, nullptr);
  configuration->Resolution->Width = 1280;
  configuration->Resolution->Height = 720;
  _trt__SetVideoEncoderConfiguration set;
  set.Configuration = configuration;
  set.ForcePersistence = true;
  _trt__SetVideoEncoderConfigurationResponse set_response;
  sign(media.soap);
  ASSERT_EQ(media.SetVideoEncoderConfiguration(&set, set_response), SOAP_OK) << fault_subcode(media.soap);
  _trt__CreateProfile create;
  create.Name = "kept";
  _trt__CreateProfileResponse created;
  sign(media.soap);
  ASSERT_EQ(media.CreateProfile(&create, created), SOAP_OK) << fault_subcode(media.soap);

  start_camera(directory.string());
  auto* after = encoder("VideoEncoder_101");
  ASSERT_NE(after, nullptr);
  EXPECT_EQ(after->Resolution->Width, 1280);
  EXPECT_EQ(after->Resolution->Height, 720);
  _trt__GetProfiles request;
  _trt__GetProfilesResponse response;
  sign(media.soap);
  ASSERT_EQ(media.GetProfiles(&request, response), SOAP_OK) << fault_subcode(media.soap);
  ASSERT_EQ(response.Profiles.size(), 4u);
  EXPECT_EQ(response.Profiles.back()->token, "UserProfile_1");
  EXPECT_EQ(response.Profiles.back()->Name, "kept");
  device.reset();
  std::filesystem::remove_all(directory);
}

TEST_F(OnvifMediaOverHttp, SnapshotUriIsTheIsapiPictureAndServicesAreListed) {
  _trt__GetSnapshotUri request;
  request.ProfileToken = "Profile_101";
  _trt__GetSnapshotUriResponse response;
  sign(media.soap);
  ASSERT_EQ(media.GetSnapshotUri(&request, response), SOAP_OK) << fault_subcode(media.soap);
  ASSERT_TRUE(response.MediaUri);
  EXPECT_EQ(response.MediaUri->Uri, base + "/ISAPI/Streaming/channels/101/picture");
  const auto picture = test::run_process({"curl", "-s", "-S", "--max-time", "20", "--digest", "-u",
                                          std::string("admin:") + k_password, "-o", "/dev/null", "-w",
                                          "%{http_code} %{content_type}", response.MediaUri->Uri},
                                         30s);
  EXPECT_EQ(picture.out, "200 image/jpeg") << picture.err;

  _tds__GetServices services_request;
  _tds__GetServicesResponse services;
  ASSERT_EQ(device_proxy.GetServices(&services_request, services), SOAP_OK) << fault_subcode(device_proxy.soap);
  std::map<std::string, std::string> addresses;
  for (const auto* service : services.Service) addresses[service->Namespace] = service->XAddr;
  EXPECT_EQ(addresses["http://www.onvif.org/ver10/media/wsdl"], media_endpoint);
  EXPECT_EQ(addresses["http://www.onvif.org/ver20/media/wsdl"], media2_endpoint);

  _tds__GetCapabilities capabilities_request;
  capabilities_request.Category.push_back(tt__CapabilityCategory__Media);
  _tds__GetCapabilitiesResponse capabilities;
  ASSERT_EQ(device_proxy.GetCapabilities(&capabilities_request, capabilities), SOAP_OK) << fault_subcode(device_proxy.soap);
  ASSERT_TRUE(capabilities.Capabilities && capabilities.Capabilities->Media);
  EXPECT_EQ(capabilities.Capabilities->Media->XAddr, media_endpoint);

  _tr2__GetVideoEncoderInstances instances_request;
  instances_request.ConfigurationToken = "VideoSourceConfig_1";
  _tr2__GetVideoEncoderInstancesResponse instances;
  sign(media2.soap);
  ASSERT_EQ(media2.GetVideoEncoderInstances(&instances_request, instances), SOAP_OK) << fault_subcode(media2.soap);
  ASSERT_TRUE(instances.Info);
  EXPECT_EQ(instances.Info->Total, 3) << "main, sub and third stream";
}

}  // namespace
}  // namespace camrig
