// Behaviour rule resources (/ISAPI/Smart/LineDetection, FieldDetection, ...) through the router:
// documents map to the channel's stored rules on the 1000 x 1000 bottom-left screen and back, a
// PUT changes only the items it lists, and bad values are refused with a message.
#include <gtest/gtest.h>
#include <pugixml.hpp>

#include "device/analytics/behaviour_settings.hpp"
#include "device/core/config_schema.hpp"
#include "device/isapi/isapi.hpp"
#include "device/isapi/xml.hpp"
#include "tests/support/lockstep_test_clock.hpp"

namespace camrig::isapi {
namespace {

using http::beast_http::status;
using http::beast_http::verb;

constexpr const char* k_admin = "YWRtaW46QWRtaW4xMjM0";  // admin:Admin1234

class AnalyticsRulesResourcesTest : public ::testing::Test {
 protected:
  void SetUp() override { open("network-camera"); }

  void open(const std::string& profile_name) {
    profile = *core::DeviceProfile::builtin(profile_name);
    auto schema = core::ConfigSchema::builtin();
    ASSERT_TRUE(schema) << schema.error().message;
    auto opened_config = core::ConfigService::open(*schema, profile, ":memory:", nullptr);
    ASSERT_TRUE(opened_config) << opened_config.error().message;
    config = std::move(*opened_config);
    auto opened = security::UserAccounts::open(":memory:", profile.device.model,
                                               security::PasswordPolicy::for_profile(profile.name));
    ASSERT_TRUE(opened);
    accounts = std::move(*opened);
    ASSERT_TRUE(accounts->activate("Admin1234"));
    lock = std::make_unique<security::IllegalLoginLock>(clock, [] { return security::IllegalLoginLockSettings{}; });
    security::AuthenticatorOptions options;
    options.basic_enabled = [] { return true; };
    authenticator = std::make_unique<security::Authenticator>(*accounts, *lock, clock, options);
    router = std::make_unique<http::Router>();
    DeviceServices services;
    services.profile = &profile;
    services.config = config.get();
    services.accounts = accounts.get();
    add_routes(*router, services);
  }

  std::pair<status, std::string> send(verb method, const std::string& target, const std::string& body = {}) {
    http::Request request{method, target, 11};
    request.set(http::beast_http::field::authorization, std::string("Basic ") + k_admin);
    request.body() = body;
    auto reply = router->handle(request, "192.0.2.7", authenticator.get());
    return {reply.response.result(), reply.response.body()};
  }

  analytics::BehaviourSettings stored() const {
    auto settings = analytics::parse_behaviour_settings(config->get_string(analytics::behaviour_settings_key(1)));
    EXPECT_TRUE(settings) << settings.error().message;
    return settings ? *settings : analytics::BehaviourSettings{};
  }

  test::LockstepTestClock clock;
  core::DeviceProfile profile;
  std::unique_ptr<core::ConfigService> config;
  std::unique_ptr<security::UserAccounts> accounts;
  std::unique_ptr<security::IllegalLoginLock> lock;
  std::unique_ptr<security::Authenticator> authenticator;
  std::unique_ptr<http::Router> router;
};

TEST_F(AnalyticsRulesResourcesTest, ALinePutIsStoredInPictureCoordinatesAndReadBack) {
  const auto [put_status, put_body] = send(verb::put, "/ISAPI/Smart/LineDetection/1", R"(
<LineDetection><enabled>true</enabled><LineItemList><LineItem>
  <id>2</id><enabled>true</enabled><sensitivityLevel>70</sensitivityLevel>
  <directionSensitivity>left-right</directionSensitivity><detectionTarget>human</detectionTarget>
  <CoordinatesList><Coordinates><positionX>100</positionX><positionY>750</positionY></Coordinates>
  <Coordinates><positionX>900</positionX><positionY>250</positionY></Coordinates></CoordinatesList>
  <SizeFilter><minWidth>10</minWidth><minHeight>20</minHeight><maxWidth>500</maxWidth><maxHeight>600</maxHeight></SizeFilter>
</LineItem></LineItemList></LineDetection>)");
  ASSERT_EQ(put_status, status::ok) << put_body;
  const auto settings = stored();
  ASSERT_EQ(settings.lines.size(), 1u);
  const auto& line = settings.lines[0];
  EXPECT_EQ(line.id, 2);
  EXPECT_TRUE(line.enabled);
  EXPECT_EQ(line.sensitivity, 70);
  EXPECT_EQ(line.direction, analytics::CrossingDirection::a_to_b);
  EXPECT_TRUE(line.targets.human);
  EXPECT_FALSE(line.targets.vehicle);
  // ISAPI's y grows upwards from the bottom; the rules' from the top.
  EXPECT_DOUBLE_EQ(line.a.x, 0.1);
  EXPECT_DOUBLE_EQ(line.a.y, 0.25);
  EXPECT_DOUBLE_EQ(line.b.y, 0.75);
  EXPECT_DOUBLE_EQ(line.size.min_height, 0.02);
  EXPECT_DOUBLE_EQ(line.size.max_width, 0.5);

  const auto [get_status, get_body] = send(verb::get, "/ISAPI/Smart/LineDetection/1");
  ASSERT_EQ(get_status, status::ok);
  pugi::xml_document doc;
  ASSERT_TRUE(doc.load_string(get_body.c_str()));
  int items = 0;
  for (auto item : child(doc.document_element(), "LineItemList").children()) {
    ++items;
    if (text_at(item, {"id"}) != std::optional<std::string>("2")) continue;
    EXPECT_EQ(text_at(item, {"directionSensitivity"}).value_or(""), "left-right");
    EXPECT_EQ(text_at(item, {"CoordinatesList", "Coordinates", "positionY"}).value_or(""), "750");
  }
  EXPECT_EQ(items, analytics::BehaviourSettings::max_lines);
}

TEST_F(AnalyticsRulesResourcesTest, RegionFamiliesKeepTheirOwnRegionsAndThresholds) {
  const auto region = [](const char* name, const char* extra) {
    return std::string("<") + name + "><" + name + "RegionList><" + name + "Region><id>1</id><enabled>true</enabled>" +
           extra + "<RegionCoordinatesList>" +
           "<RegionCoordinates><positionX>100</positionX><positionY>100</positionY></RegionCoordinates>" +
           "<RegionCoordinates><positionX>500</positionX><positionY>100</positionY></RegionCoordinates>" +
           "<RegionCoordinates><positionX>500</positionX><positionY>500</positionY></RegionCoordinates>" +
           "</RegionCoordinatesList></" + name + "Region></" + name + "RegionList></" + name + ">";
  };
  EXPECT_EQ(send(verb::put, "/ISAPI/Smart/FieldDetection/1", region("FieldDetection", "<timeThreshold>7</timeThreshold>")).first,
            status::ok);
  EXPECT_EQ(send(verb::put, "/ISAPI/Smart/attendedBaggage/1", region("AttendedBaggage", "<timeThreshold>30</timeThreshold>")).first,
            status::ok);
  EXPECT_EQ(send(verb::put, "/ISAPI/Smart/regionEntrance/1", region("RegionEntrance", "")).first, status::ok);
  const auto settings = stored();
  ASSERT_EQ(settings.of(analytics::RegionKind::intrusion).size(), 1u);
  EXPECT_EQ(settings.of(analytics::RegionKind::intrusion)[0].threshold, 7);
  ASSERT_EQ(settings.of(analytics::RegionKind::object_removal).size(), 1u);
  EXPECT_EQ(settings.of(analytics::RegionKind::object_removal)[0].threshold, 30);
  EXPECT_EQ(settings.of(analytics::RegionKind::region_entrance).size(), 1u);
  EXPECT_TRUE(settings.of(analytics::RegionKind::unattended_baggage).empty());
  EXPECT_DOUBLE_EQ(settings.of(analytics::RegionKind::intrusion)[0].polygon[2].y, 0.5);

  // Out of range: the intrusion threshold is 0..10 s, and a region needs three points.
  const auto [bad_status, bad_body] =
      send(verb::put, "/ISAPI/Smart/FieldDetection/1", region("FieldDetection", "<timeThreshold>11</timeThreshold>"));
  EXPECT_NE(bad_status, status::ok);
  EXPECT_NE(bad_body.find("timeThreshold"), std::string::npos) << bad_body;
  EXPECT_EQ(stored().of(analytics::RegionKind::intrusion)[0].threshold, 7);
  const auto [fifth_status, fifth_body] = send(verb::put, "/ISAPI/Smart/regionExiting/1",
                                               "<RegionExiting><RegionExitingRegionList><RegionExitingRegion><id>5</id>"
                                               "</RegionExitingRegion></RegionExitingRegionList></RegionExiting>");
  EXPECT_NE(fifth_status, status::ok) << fifth_body;
}

TEST_F(AnalyticsRulesResourcesTest, TheLprCameraHasNoBehaviourRules) {
  open("lpr-camera");
  EXPECT_EQ(send(verb::get, "/ISAPI/Smart/LineDetection/1").first, status::not_found);
}

}  // namespace
}  // namespace camrig::isapi
