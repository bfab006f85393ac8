// The ONVIF Analytics service (Profile M) and the profiles' analytics and metadata configurations
// over real HTTP, through the gSOAP RuleEngineBindingProxy / MediaBindingProxy generated from the
// camera's WSDLs, against one network camera started in-process for the whole suite: rules made
// over ONVIF are the line-crossing lines and intrusion regions ISAPI's Smart resources show, at
// coordinates converted between ONVIF's -1..1 (y up) and ISAPI's 0..1000 (from the bottom-left).
#include <unistd.h>

#include <cctype>
#include <tuple>

#include <gtest/gtest.h>

#include "soapMedia2BindingProxy.h"
#include "soapMediaBindingProxy.h"
#include "soapRuleEngineBindingProxy.h"

#include "device/camera/camera.hpp"
#include "device/core/realtime_clock.hpp"
#include "sim/road_scene_source.hpp"
#include "tests/support/loopback_camera.hpp"
#include "tests/support/onvif_client.hpp"

namespace camrig {
namespace {

constexpr const char* k_password = "Admin1234";
constexpr const char* k_configuration = "VideoAnalyticsConfig_1";

//! One camera for every test here: each test leaves the rules it made deleted.
struct SharedCamera {
  SharedCamera() {
    profile = *core::DeviceProfile::builtin("network-camera");
    source = std::make_unique<sim::RoadSceneSource>(
        sim::RoadSceneOptions{profile.channels[0].sensor, 5, 2}, clock,
        [this](hal::Nanos deadline, std::stop_token stop) { return clock.sleep_until(deadline, stop); });
    http_port = test::free_tcp_port();
    const auto options = test::loopback_camera_options(http_port, test::free_tcp_port(), k_password);
    auto started = camera::Camera::start(profile, {&clock, {{1, source.get()}}}, options);
    if (started) device = std::move(*started);
    else error = started.error().message;
  }

  core::RealtimeClock clock{std::chrono::system_clock::now()};
  core::DeviceProfile profile;
  std::unique_ptr<sim::RoadSceneSource> source;
  std::unique_ptr<camera::Camera> device;
  std::string error;
  int http_port = 0;
};

class OnvifAnalyticsOverHttp : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { shared = new SharedCamera(); }
  static void TearDownTestSuite() {
    delete shared;
    shared = nullptr;
  }

  void SetUp() override {
    ASSERT_TRUE(shared->device) << shared->error;
    const std::string base = "http://127.0.0.1:" + std::to_string(shared->http_port);
    analytics_endpoint = base + "/onvif/analytics_service";
    media_endpoint = base + "/onvif/media_service";
    media2_endpoint = base + "/onvif/media2_service";
    test::onvif::aim(analytics.soap, analytics.soap_endpoint, analytics_endpoint);
    test::onvif::aim(media.soap, media.soap_endpoint, media_endpoint);
    test::onvif::aim(media2.soap, media2.soap_endpoint, media2_endpoint);
  }

  static void sign(struct soap* soap) { ASSERT_EQ(test::onvif::sign(soap, "admin", k_password), SOAP_OK); }
  static std::string subcodes(struct soap* soap) {
    return test::onvif::fault_subcode(soap) + " " + test::onvif::detail_subcode(soap);
  }

  //! The document without the indentation between its elements.
  std::string isapi_get(const std::string& path) {
    const auto xml = test::onvif::isapi(shared->http_port, "admin", k_password, "GET", path).out;
    std::string compact;
    for (std::size_t i = 0; i < xml.size(); ++i) {
      if (xml[i] == '>') {
        compact += '>';
        std::size_t next = i + 1;
        while (next < xml.size() && std::isspace(static_cast<unsigned char>(xml[next]))) ++next;
        if (next < xml.size() && xml[next] == '<') i = next - 1;
        continue;
      }
      compact += xml[i];
    }
    return compact;
  }
  std::string isapi_put(const std::string& path, const std::string& body) {
    return test::onvif::isapi(shared->http_port, "admin", k_password, "PUT", path, body).out;
  }

  //! A rule with one element item of points "<tt:Point x=.. y=../>..." in a tt:Polyline/tt:Polygon.
  tt__Config* rule(const std::string& name, const std::string& type, const std::string& item, const std::string& element,
                   const std::vector<std::pair<double, double>>& points) {
    auto* config = soap_new_tt__Config(analytics.soap);
    config->Name = name;
    config->Type = type;
    config->Parameters = soap_new_tt__ItemList(analytics.soap);
    std::string xml = "<tt:" + element + ">";
    for (const auto& [x, y] : points) xml += "<tt:Point x=\"" + std::to_string(x) + "\" y=\"" + std::to_string(y) + "\"/>";
    xml += "</tt:" + element + ">";
    _tt__ItemList_ElementItem geometry;
    geometry.Name = item;
    geometry.__any = soap_strdup(analytics.soap, xml.c_str());
    config->Parameters->ElementItem.push_back(geometry);
    return config;
  }

  tt__Config* line(const std::string& name, std::vector<std::pair<double, double>> points) {
    return rule(name, "tt:LineDetector", "Segments", "Polyline", points);
  }

  int create(std::vector<tt__Config*> rules) {
    _tan__CreateRules request;
    request.ConfigurationToken = k_configuration;
    request.Rule = std::move(rules);
    _tan__CreateRulesResponse response;
    sign(analytics.soap);
    return analytics.CreateRules(&request, response);
  }

  int modify(std::vector<tt__Config*> rules) {
    _tan__ModifyRules request;
    request.ConfigurationToken = k_configuration;
    request.Rule = std::move(rules);
    _tan__ModifyRulesResponse response;
    sign(analytics.soap);
    return analytics.ModifyRules(&request, response);
  }

  int remove(std::vector<std::string> names) {
    _tan__DeleteRules request;
    request.ConfigurationToken = k_configuration;
    request.RuleName = std::move(names);
    _tan__DeleteRulesResponse response;
    sign(analytics.soap);
    return analytics.DeleteRules(&request, response);
  }

  //! Name and type of every rule, and the element item's literal XML.
  std::vector<std::tuple<std::string, std::string, std::string>> rules() {
    _tan__GetRules request;
    request.ConfigurationToken = k_configuration;
    _tan__GetRulesResponse response;
    sign(analytics.soap);
    EXPECT_EQ(analytics.GetRules(&request, response), SOAP_OK) << subcodes(analytics.soap);
    std::vector<std::tuple<std::string, std::string, std::string>> result;
    for (const auto* r : response.Rule) {
      std::string geometry;
      if (r->Parameters && !r->Parameters->ElementItem.empty() && r->Parameters->ElementItem[0].__any)
        geometry = r->Parameters->ElementItem[0].__any;
      result.emplace_back(r->Name, r->Type, geometry);
    }
    return result;
  }

  static SharedCamera* shared;
  std::string analytics_endpoint;
  std::string media_endpoint;
  std::string media2_endpoint;
  RuleEngineBindingProxy analytics{SOAP_C_UTFSTRING};
  MediaBindingProxy media{SOAP_C_UTFSTRING};
  Media2BindingProxy media2{SOAP_C_UTFSTRING};
};

SharedCamera* OnvifAnalyticsOverHttp::shared = nullptr;

TEST_F(OnvifAnalyticsOverHttp, SupportedRulesAreTheLineAndFieldDetectorsOfTheBehaviourRules) {
  _tan__GetSupportedRules request;
  request.ConfigurationToken = k_configuration;
  _tan__GetSupportedRulesResponse response;
  sign(analytics.soap);
  ASSERT_EQ(analytics.GetSupportedRules(&request, response), SOAP_OK) << subcodes(analytics.soap);
  ASSERT_TRUE(response.SupportedRules);
  std::vector<std::string> types;
  for (const auto* description : response.SupportedRules->RuleDescription) {
    types.push_back(description->Name);
    ASSERT_TRUE(description->Parameters);
    ASSERT_EQ(description->Parameters->ElementItemDescription.size(), 1u);
  }
  EXPECT_EQ(types, (std::vector<std::string>{"tt:LineDetector", "tt:FieldDetector"}));

  request.ConfigurationToken = "VideoAnalyticsConfig_9";
  sign(analytics.soap);
  EXPECT_NE(analytics.GetSupportedRules(&request, response), SOAP_OK);
  EXPECT_EQ(subcodes(analytics.soap), "ter:InvalidArgVal ter:NoConfig");
}

TEST_F(OnvifAnalyticsOverHttp, ALineMadeOverOnvifIsIsapisLineAtTheConvertedCoordinates) {
  ASSERT_EQ(create({line("Gate", {{-0.5, 0.5}, {0.5, -0.5}})}), SOAP_OK) << subcodes(analytics.soap);
  auto xml = isapi_get("/ISAPI/Smart/LineDetection/1");
  // ONVIF (-0.5, 0.5) is a quarter in from the left and the top: ISAPI counts y from the bottom.
  EXPECT_NE(xml.find("<id>1</id><enabled>true</enabled>"), std::string::npos) << xml;
  EXPECT_NE(xml.find("<Coordinates><positionX>250</positionX><positionY>750</positionY></Coordinates>"
                     "<Coordinates><positionX>750</positionX><positionY>250</positionY></Coordinates>"),
            std::string::npos)
      << xml;
  auto listed = rules();
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(std::get<0>(listed[0]), "Gate");
  EXPECT_EQ(std::get<1>(listed[0]), "tt:LineDetector");
  EXPECT_NE(std::get<2>(listed[0]).find("<tt:Point x=\"-0.5\" y=\"0.5\"/><tt:Point x=\"0.5\" y=\"-0.5\"/>"), std::string::npos)
      << std::get<2>(listed[0]);

  ASSERT_EQ(modify({line("Gate", {{0.0, 0.8}, {0.0, -0.8}})}), SOAP_OK) << subcodes(analytics.soap);
  xml = isapi_get("/ISAPI/Smart/LineDetection/1");
  EXPECT_NE(xml.find("<Coordinates><positionX>500</positionX><positionY>900</positionY></Coordinates>"
                     "<Coordinates><positionX>500</positionX><positionY>100</positionY></Coordinates>"),
            std::string::npos)
      << xml;

  ASSERT_EQ(remove({"Gate"}), SOAP_OK) << subcodes(analytics.soap);
  EXPECT_TRUE(rules().empty());
  xml = isapi_get("/ISAPI/Smart/LineDetection/1");
  EXPECT_NE(xml.find("<LineItem><id>1</id><enabled>false</enabled>"), std::string::npos) << xml;
}

TEST_F(OnvifAnalyticsOverHttp, AnIntrusionRegionMadeOnIsapiIsAFieldDetectorAndAFieldMadeOverOnvifIsARegion) {
  const auto answer = isapi_put("/ISAPI/Smart/FieldDetection/1",
                                "<FieldDetection><FieldDetectionRegionList><FieldDetectionRegion><id>2</id><enabled>true</enabled>"
                                "<RegionCoordinatesList>"
                                "<RegionCoordinates><positionX>0</positionX><positionY>1000</positionY></RegionCoordinates>"
                                "<RegionCoordinates><positionX>500</positionX><positionY>1000</positionY></RegionCoordinates>"
                                "<RegionCoordinates><positionX>500</positionX><positionY>500</positionY></RegionCoordinates>"
                                "</RegionCoordinatesList></FieldDetectionRegion></FieldDetectionRegionList></FieldDetection>");
  ASSERT_NE(answer.find("<statusCode>1</statusCode>"), std::string::npos) << answer;
  auto listed = rules();
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(std::get<0>(listed[0]), "Intrusion_2");
  EXPECT_EQ(std::get<1>(listed[0]), "tt:FieldDetector");
  EXPECT_NE(std::get<2>(listed[0]).find("<tt:Point x=\"-1\" y=\"1\"/><tt:Point x=\"0\" y=\"1\"/><tt:Point x=\"0\" y=\"0\"/>"),
            std::string::npos)
      << std::get<2>(listed[0]);

  ASSERT_EQ(create({rule("Yard", "tt:FieldDetector", "Field", "Polygon", {{0.0, 0.0}, {1.0, 0.0}, {1.0, -1.0}, {0.0, -1.0}})}), SOAP_OK)
      << subcodes(analytics.soap);
  const auto xml = isapi_get("/ISAPI/Smart/FieldDetection/1");
  // The first free region slot; a field detector reports at once.
  EXPECT_NE(xml.find("<FieldDetectionRegion><id>1</id><enabled>true</enabled><sensitivityLevel>50</sensitivityLevel>"
                     "<timeThreshold>0</timeThreshold>"),
            std::string::npos)
      << xml;
  EXPECT_NE(xml.find("<RegionCoordinates><positionX>500</positionX><positionY>500</positionY></RegionCoordinates>"
                     "<RegionCoordinates><positionX>1000</positionX><positionY>500</positionY></RegionCoordinates>"
                     "<RegionCoordinates><positionX>1000</positionX><positionY>0</positionY></RegionCoordinates>"),
            std::string::npos)
      << xml;
  ASSERT_EQ(remove({"Yard", "Intrusion_2"}), SOAP_OK) << subcodes(analytics.soap);
  EXPECT_TRUE(rules().empty());
}

TEST_F(OnvifAnalyticsOverHttp, BadRulesAreRefusedWithOnvifsSubcodesAndChangeNothing) {
  EXPECT_NE(create({line("Far", {{-0.5, 0.0}, {1.5, 0.0}})}), SOAP_OK);
  EXPECT_EQ(subcodes(analytics.soap), "ter:InvalidArgVal ter:InvalidRule");
  EXPECT_NE(create({rule("Odd", "tt:LoiteringDetector", "Field", "Polygon", {{0, 0}, {1, 0}, {1, 1}})}), SOAP_OK);
  EXPECT_EQ(subcodes(analytics.soap), "ter:InvalidArgVal ter:InvalidRule");
  EXPECT_NE(create({line("Bent", {{-0.5, 0.0}, {0.0, 0.5}, {0.5, 0.0}})}), SOAP_OK);
  EXPECT_EQ(subcodes(analytics.soap), "ter:InvalidArgVal ter:InvalidRule");
  EXPECT_NE(modify({line("Nobody", {{-0.5, 0.0}, {0.5, 0.0}})}), SOAP_OK);
  EXPECT_EQ(subcodes(analytics.soap), "ter:InvalidArgs ter:RuleNotExistent");
  EXPECT_NE(remove({"Nobody"}), SOAP_OK);
  EXPECT_EQ(subcodes(analytics.soap), "ter:InvalidArgs ter:RuleNotExistent");
  EXPECT_TRUE(rules().empty());

  ASSERT_EQ(create({line("L1", {{-0.5, 0.0}, {0.5, 0.0}}), line("L2", {{-0.5, 0.1}, {0.5, 0.1}}),
                    line("L3", {{-0.5, 0.2}, {0.5, 0.2}}), line("L4", {{-0.5, 0.3}, {0.5, 0.3}})}),
            SOAP_OK)
      << subcodes(analytics.soap);
  EXPECT_NE(create({line("L1", {{-0.5, 0.4}, {0.5, 0.4}})}), SOAP_OK);
  EXPECT_EQ(subcodes(analytics.soap), "ter:InvalidArgs ter:RuleAlreadyExistent");
  EXPECT_NE(create({line("L5", {{-0.5, 0.4}, {0.5, 0.4}})}), SOAP_OK);
  EXPECT_EQ(subcodes(analytics.soap), "ter:Action ter:TooManyRules");
  EXPECT_EQ(rules().size(), 4u);
  ASSERT_EQ(remove({"L1", "L2", "L3", "L4"}), SOAP_OK) << subcodes(analytics.soap);
}

TEST_F(OnvifAnalyticsOverHttp, AnalyticsModulesAreTheMotionAndTamperDetectorsWithTheirSensitivity) {
  _tan__GetAnalyticsModules request;
  request.ConfigurationToken = k_configuration;
  _tan__GetAnalyticsModulesResponse response;
  sign(analytics.soap);
  ASSERT_EQ(analytics.GetAnalyticsModules(&request, response), SOAP_OK) << subcodes(analytics.soap);
  ASSERT_EQ(response.AnalyticsModule.size(), 2u);
  EXPECT_EQ(response.AnalyticsModule[0]->Name, "MotionDetection");
  EXPECT_EQ(response.AnalyticsModule[0]->Type, "tt:CellMotionEngine");
  ASSERT_TRUE(response.AnalyticsModule[0]->Parameters);
  ASSERT_EQ(response.AnalyticsModule[0]->Parameters->SimpleItem.size(), 1u);
  EXPECT_EQ(response.AnalyticsModule[0]->Parameters->SimpleItem[0].Value, "50");

  _tan__ModifyAnalyticsModules modify_request;
  modify_request.ConfigurationToken = k_configuration;
  auto* motion = response.AnalyticsModule[0];
  motion->Parameters->SimpleItem[0].Value = "80";
  modify_request.AnalyticsModule = {motion};
  _tan__ModifyAnalyticsModulesResponse modify_response;
  sign(analytics.soap);
  ASSERT_EQ(analytics.ModifyAnalyticsModules(&modify_request, modify_response), SOAP_OK) << subcodes(analytics.soap);
  EXPECT_EQ(shared->device->config().get_int("channel.1.motion.sensitivity"), 80);

  _tan__GetAnalyticsModuleOptions options_request;
  options_request.ConfigurationToken = k_configuration;
  std::string tamper_type = "tt:TamperEngine";
  options_request.Type = &tamper_type;
  _tan__GetAnalyticsModuleOptionsResponse options;
  sign(analytics.soap);
  ASSERT_EQ(analytics.GetAnalyticsModuleOptions(&options_request, options), SOAP_OK) << subcodes(analytics.soap);
  ASSERT_EQ(options.Options.size(), 1u);
  EXPECT_EQ(options.Options[0]->Name, "Sensitivity");
  ASSERT_TRUE(options.Options[0]->__any);
  EXPECT_NE(std::string(options.Options[0]->__any).find("<tt:Min>0</tt:Min><tt:Max>100</tt:Max>"), std::string::npos)
      << options.Options[0]->__any;

  motion->Parameters->SimpleItem[0].Value = "180";
  sign(analytics.soap);
  EXPECT_NE(analytics.ModifyAnalyticsModules(&modify_request, modify_response), SOAP_OK);
  EXPECT_EQ(subcodes(analytics.soap), "ter:InvalidArgVal ter:InvalidModule");
  EXPECT_EQ(shared->device->config().get_int("channel.1.motion.sensitivity"), 80);
}

TEST_F(OnvifAnalyticsOverHttp, MetadataAddedToAStreamsProfileSwitchesItsMetadataTrackOn) {
  EXPECT_FALSE(shared->device->config().get_bool("stream.101.metadata.enabled"));
  _trt__AddMetadataConfiguration add;
  add.ProfileToken = "Profile_101";
  add.ConfigurationToken = "MetadataConfig_1";
  _trt__AddMetadataConfigurationResponse added;
  sign(media.soap);
  ASSERT_EQ(media.AddMetadataConfiguration(&add, added), SOAP_OK) << subcodes(media.soap);
  EXPECT_TRUE(shared->device->config().get_bool("stream.101.metadata.enabled"));
  EXPECT_FALSE(shared->device->config().get_bool("stream.102.metadata.enabled"));

  _trt__GetProfiles get;
  _trt__GetProfilesResponse profiles;
  sign(media.soap);
  ASSERT_EQ(media.GetProfiles(&get, profiles), SOAP_OK) << subcodes(media.soap);
  bool seen = false;
  for (const auto* p : profiles.Profiles) {
    if (p->token == "Profile_101") {
      seen = true;
      ASSERT_TRUE(p->MetadataConfiguration);
      EXPECT_EQ(p->MetadataConfiguration->token, "MetadataConfig_1");
      ASSERT_TRUE(p->VideoAnalyticsConfiguration) << "a stream's profile holds its channel's analytics by default";
      EXPECT_EQ(p->VideoAnalyticsConfiguration->token, k_configuration);
    } else if (p->token == "Profile_102") {
      EXPECT_FALSE(p->MetadataConfiguration);
    }
  }
  EXPECT_TRUE(seen);

  // Analytics off, events on: both streams of the channel follow.
  _trt__SetMetadataConfiguration set;
  tt__MetadataConfiguration configuration;
  configuration.token = "MetadataConfig_1";
  configuration.Name = "metadata";
  bool no_analytics = false;
  configuration.Analytics = &no_analytics;
  tt__EventSubscription events;
  configuration.Events = &events;
  configuration.SessionTimeout = "PT60S";
  set.Configuration = &configuration;
  set.ForcePersistence = true;
  _trt__SetMetadataConfigurationResponse set_response;
  sign(media.soap);
  ASSERT_EQ(media.SetMetadataConfiguration(&set, set_response), SOAP_OK) << subcodes(media.soap);
  EXPECT_FALSE(shared->device->config().get_bool("stream.101.metadata.analytics"));
  EXPECT_FALSE(shared->device->config().get_bool("stream.102.metadata.analytics"));
  EXPECT_TRUE(shared->device->config().get_bool("stream.101.metadata.events"));

  _trt__RemoveMetadataConfiguration remove_request;
  remove_request.ProfileToken = "Profile_101";
  _trt__RemoveMetadataConfigurationResponse removed;
  sign(media.soap);
  ASSERT_EQ(media.RemoveMetadataConfiguration(&remove_request, removed), SOAP_OK) << subcodes(media.soap);
  EXPECT_FALSE(shared->device->config().get_bool("stream.101.metadata.enabled"));

  add.ConfigurationToken = "MetadataConfig_7";
  sign(media.soap);
  EXPECT_NE(media.AddMetadataConfiguration(&add, added), SOAP_OK);
  EXPECT_EQ(subcodes(media.soap), "ter:InvalidArgVal ter:NoConfig");
}

TEST_F(OnvifAnalyticsOverHttp, AStreamsProfileGivesUpAndTakesBackItsAnalyticsConfiguration) {
  const auto analytics_of = [this](const char* token) {
    _trt__GetProfile request;
    request.ProfileToken = token;
    _trt__GetProfileResponse response;
    sign(media.soap);
    EXPECT_EQ(media.GetProfile(&request, response), SOAP_OK) << subcodes(media.soap);
    return response.Profile && response.Profile->VideoAnalyticsConfiguration;
  };
  _trt__RemoveVideoAnalyticsConfiguration remove_request;
  remove_request.ProfileToken = "Profile_102";
  _trt__RemoveVideoAnalyticsConfigurationResponse removed;
  sign(media.soap);
  ASSERT_EQ(media.RemoveVideoAnalyticsConfiguration(&remove_request, removed), SOAP_OK) << subcodes(media.soap);
  EXPECT_FALSE(analytics_of("Profile_102"));
  EXPECT_TRUE(analytics_of("Profile_101"));

  _trt__AddVideoAnalyticsConfiguration add;
  add.ProfileToken = "Profile_102";
  add.ConfigurationToken = k_configuration;
  _trt__AddVideoAnalyticsConfigurationResponse added;
  sign(media.soap);
  ASSERT_EQ(media.AddVideoAnalyticsConfiguration(&add, added), SOAP_OK) << subcodes(media.soap);
  EXPECT_TRUE(analytics_of("Profile_102"));
}

TEST_F(OnvifAnalyticsOverHttp, Media2AddsAndRemovesMetadataAndAnalyticsByConfigurationType) {
  const auto configurations_of = [this](const char* token) {
    _tr2__GetProfiles request;
    std::string wanted = token;
    request.Token = &wanted;
    request.Type = {"All"};
    auto* response = soap_new__tr2__GetProfilesResponse(media2.soap);
    sign(media2.soap);
    EXPECT_EQ(media2.GetProfiles(&request, *response), SOAP_OK) << subcodes(media2.soap);
    return response->Profiles.size() == 1 ? response->Profiles[0]->Configurations : nullptr;
  };
  _tr2__AddConfiguration add;
  add.ProfileToken = "Profile_102";
  tr2__ConfigurationRef metadata;
  metadata.Type = "Metadata";
  std::string metadata_token = "MetadataConfig_1";
  metadata.Token = &metadata_token;
  add.Configuration = {&metadata};
  _tr2__AddConfigurationResponse added;
  sign(media2.soap);
  ASSERT_EQ(media2.AddConfiguration(&add, added), SOAP_OK) << subcodes(media2.soap);
  EXPECT_TRUE(shared->device->config().get_bool("stream.102.metadata.enabled"));
  auto* configurations = configurations_of("Profile_102");
  ASSERT_TRUE(configurations);
  ASSERT_TRUE(configurations->Metadata);
  EXPECT_EQ(configurations->Metadata->token, "MetadataConfig_1");
  ASSERT_TRUE(configurations->Analytics);
  EXPECT_EQ(configurations->Analytics->token, k_configuration);

  _tr2__RemoveConfiguration remove_request;
  remove_request.ProfileToken = "Profile_102";
  tr2__ConfigurationRef analytics_reference;
  analytics_reference.Type = "Analytics";
  remove_request.Configuration = {&metadata, &analytics_reference};
  _tr2__RemoveConfigurationResponse removed;
  sign(media2.soap);
  ASSERT_EQ(media2.RemoveConfiguration(&remove_request, removed), SOAP_OK) << subcodes(media2.soap);
  EXPECT_FALSE(shared->device->config().get_bool("stream.102.metadata.enabled"));
  configurations = configurations_of("Profile_102");
  ASSERT_TRUE(configurations);
  EXPECT_FALSE(configurations->Metadata);
  EXPECT_FALSE(configurations->Analytics);

  std::string analytics_token = k_configuration;
  analytics_reference.Token = &analytics_token;
  add.Configuration = {&analytics_reference};
  sign(media2.soap);
  ASSERT_EQ(media2.AddConfiguration(&add, added), SOAP_OK) << subcodes(media2.soap);
  configurations = configurations_of("Profile_102");
  ASSERT_TRUE(configurations);
  EXPECT_TRUE(configurations->Analytics);

  // A made profile holds a video source and an encoder only.
  _tr2__CreateProfile create;
  create.Name = "mine";
  _tr2__CreateProfileResponse created;
  sign(media2.soap);
  ASSERT_EQ(media2.CreateProfile(&create, created), SOAP_OK) << subcodes(media2.soap);
  add.ProfileToken = created.Token;
  add.Configuration = {&metadata};
  sign(media2.soap);
  EXPECT_NE(media2.AddConfiguration(&add, added), SOAP_OK);
  EXPECT_EQ(subcodes(media2.soap), "ter:Action ter:ConfigurationConflict");
  _tr2__DeleteProfile delete_request;
  delete_request.Token = created.Token;
  _tr2__DeleteProfileResponse deleted;
  sign(media2.soap);
  EXPECT_EQ(media2.DeleteProfile(&delete_request, deleted), SOAP_OK) << subcodes(media2.soap);
}

}  // namespace
}  // namespace camrig
