// ISAPI resources end to end through the router: activation gate, DeviceInfo, StreamingChannel
// mapping to stream.<id>.* and back, users, and ResponseStatus for every kind of refusal.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <pugixml.hpp>

#include "device/core/config_schema.hpp"
#include "device/isapi/isapi.hpp"
#include "device/isapi/xml.hpp"
#include "tests/support/lockstep_test_clock.hpp"

namespace camrig::isapi {
namespace {

using http::beast_http::status;
using http::beast_http::verb;

constexpr const char* k_admin = "YWRtaW46QWRtaW4xMjM0";     // admin:Admin1234
constexpr const char* k_viewer = "dmlld2VyOlZpZXdlcjEyMw==";  // viewer:Viewer123

struct Parsed {
  status http_status;
  pugi::xml_document doc;
  std::string body;
  std::string text(std::initializer_list<std::string_view> path) const {
    return text_at(doc.document_element(), path).value_or("<absent>");
  }
};

class IsapiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    profile = *core::DeviceProfile::builtin("network-camera");
    auto schema = core::ConfigSchema::builtin();
    ASSERT_TRUE(schema);
    auto opened_config = core::ConfigService::open(*schema, profile, ":memory:", nullptr);
    ASSERT_TRUE(opened_config);
    config = std::move(*opened_config);
    auto opened = security::UserAccounts::open(":memory:", profile.device.model, security::PasswordPolicy::for_profile(profile.name));
    ASSERT_TRUE(opened);
    accounts = std::move(*opened);
    lock = std::make_unique<security::IllegalLoginLock>(clock, [] { return security::IllegalLoginLockSettings{}; });
    security::AuthenticatorOptions options;
    options.basic_enabled = [] { return true; };
    authenticator = std::make_unique<security::Authenticator>(*accounts, *lock, clock, options);
    add_routes(router, {&profile, config.get(), accounts.get()});
  }

  std::unique_ptr<Parsed> send(verb method, const std::string& target, const std::string& body = {},
                               const std::string& basic = k_admin) {
    http::Request request{method, target, 11};
    if (!basic.empty()) request.set(http::beast_http::field::authorization, std::string("Basic ") + basic);
    request.body() = body;
    auto reply = router.handle(request, "192.0.2.7", authenticator.get());
    auto parsed = std::make_unique<Parsed>();
    parsed->http_status = reply.response.result();
    parsed->body = reply.response.body();
    parsed->doc.load_string(parsed->body.c_str());
    return parsed;
  }

  void activate() {
    ASSERT_TRUE(accounts->activate("Admin1234"));
    ASSERT_TRUE(accounts->add("viewer", "Viewer123", security::UserLevel::user));
  }

  test::LockstepTestClock clock;
  core::DeviceProfile profile;
  std::unique_ptr<core::ConfigService> config;
  std::unique_ptr<security::UserAccounts> accounts;
  std::unique_ptr<security::IllegalLoginLock> lock;
  std::unique_ptr<security::Authenticator> authenticator;
  http::Router router;
};

TEST_F(IsapiTest, BeforeActivationOnlyActivateAndDeviceInfoAnswer) {
  const auto channels = send(verb::get, "/ISAPI/Streaming/channels", {}, {});
  EXPECT_EQ(channels->http_status, status::forbidden);
  EXPECT_EQ(channels->text({"subStatusCode"}), "notActivated");
  EXPECT_EQ(channels->text({"statusCode"}), "4");
  EXPECT_EQ(channels->text({"requestURL"}), "/ISAPI/Streaming/channels");

  const auto info = send(verb::get, "/ISAPI/System/deviceInfo", {}, {});
  EXPECT_EQ(info->http_status, status::ok);
  EXPECT_EQ(info->text({"model"}), "CR-NC2043");
  EXPECT_EQ(info->text({"activated"}), "false");
  EXPECT_STREQ(info->doc.document_element().attribute("xmlns").value(), k_namespace);
}

TEST_F(IsapiTest, ActivationChecksThePasswordRuleAndHappensOnce) {
  const auto weak = send(verb::put, "/ISAPI/System/activate", "<ActivateInfo><password>abc</password></ActivateInfo>", {});
  EXPECT_EQ(weak->http_status, status::bad_request);
  EXPECT_EQ(weak->text({"subStatusCode"}), "badParameters");
  EXPECT_NE(weak->text({"errorMsg"}).find("8 to 16 characters"), std::string::npos) << weak->body;

  const auto good = send(verb::put, "/ISAPI/System/activate",
                         "<ActivateInfo xmlns=\"http://www.hikvision.com/ver20/XMLSchema\"><password>Admin1234</password></ActivateInfo>", {});
  EXPECT_EQ(good->http_status, status::ok) << good->body;
  EXPECT_EQ(good->text({"statusString"}), "OK");
  EXPECT_TRUE(accounts->activated());

  const auto again = send(verb::put, "/ISAPI/System/activate", "<ActivateInfo><password>Other1234</password></ActivateInfo>", {});
  EXPECT_EQ(again->http_status, status::forbidden);
  EXPECT_EQ(again->text({"subStatusCode"}), "invalidOperation");
  EXPECT_EQ(send(verb::get, "/ISAPI/System/deviceInfo", {}, {})->http_status, status::unauthorized)
      << "after activation device information needs a login";
}

TEST_F(IsapiTest, DeviceInfoAsJson) {
  activate();
  const auto info = send(verb::get, "/ISAPI/System/deviceInfo?format=json");
  ASSERT_EQ(info->http_status, status::ok);
  const auto doc = nlohmann::json::parse(info->body);
  EXPECT_EQ(doc["DeviceInfo"]["serialNumber"], profile.device.serial_number);
}

TEST_F(IsapiTest, StreamingChannelShowsTheConfiguration) {
  activate();
  const auto channel = send(verb::get, "/ISAPI/Streaming/channels/101");
  ASSERT_EQ(channel->http_status, status::ok) << channel->body;
  EXPECT_EQ(channel->text({"id"}), "101");
  EXPECT_EQ(channel->text({"Video", "videoCodecType"}), "H.264");
  EXPECT_EQ(channel->text({"Video", "videoResolutionWidth"}), "1920");
  EXPECT_EQ(channel->text({"Video", "videoResolutionHeight"}), "1080");
  EXPECT_EQ(channel->text({"Video", "maxFrameRate"}), "2500");
  EXPECT_EQ(channel->text({"Video", "videoQualityControlType"}), "VBR");
  EXPECT_EQ(channel->text({"Video", "fixedQuality"}), "80");
  EXPECT_EQ(channel->text({"Video", "H264Profile"}), "High");
  const auto list = send(verb::get, "/ISAPI/Streaming/channels");
  EXPECT_EQ(list->doc.document_element().select_nodes("StreamingChannel").size(), 2u);
  EXPECT_EQ(send(verb::get, "/ISAPI/Streaming/channels/999")->http_status, status::not_found);
}

TEST_F(IsapiTest, PutOfTheReadDocumentWithOneChangeChangesOnlyThat) {
  activate();
  auto channel = send(verb::get, "/ISAPI/Streaming/channels/101");
  auto video = child(channel->doc.document_element(), "Video");
  child(video, "videoResolutionWidth").text() = 1280;
  child(video, "videoResolutionHeight").text() = 720;
  child(video, "maxFrameRate").text() = 1000;
  std::ostringstream body;
  channel->doc.save(body);
  const auto put = send(verb::put, "/ISAPI/Streaming/channels/101", body.str());
  EXPECT_EQ(put->http_status, status::ok) << put->body;
  EXPECT_EQ(config->get_string("stream.101.resolution"), "1280x720");
  EXPECT_EQ(config->get_int("stream.101.frame_rate"), 10);
  EXPECT_EQ(config->get_string("stream.101.video_quality"), "higher");
}

TEST_F(IsapiTest, BadXmlIsInvalidXmlFormat) {
  activate();
  const auto put = send(verb::put, "/ISAPI/Streaming/channels/101", "<StreamingChannel><Video>");
  EXPECT_EQ(put->http_status, status::bad_request);
  EXPECT_EQ(put->text({"statusCode"}), "5");
  EXPECT_EQ(put->text({"statusString"}), "Invalid XML Format");
  EXPECT_EQ(put->text({"subStatusCode"}), "badXmlFormat");
  const auto wrong_root = send(verb::put, "/ISAPI/Streaming/channels/101", "<DeviceInfo/>");
  EXPECT_EQ(wrong_root->text({"subStatusCode"}), "badXmlFormat");
}

TEST_F(IsapiTest, OutOfRangeValueIsInvalidXmlContentNamingTheParameter) {
  activate();
  const auto put = send(verb::put, "/ISAPI/Streaming/channels/101",
                        "<StreamingChannel><Video><maxFrameRate>6000</maxFrameRate></Video></StreamingChannel>");
  EXPECT_EQ(put->http_status, status::bad_request);
  EXPECT_EQ(put->text({"statusCode"}), "6");
  EXPECT_EQ(put->text({"subStatusCode"}), "badParameters");
  EXPECT_NE(put->text({"errorMsg"}).find("Frame Rate"), std::string::npos) << put->body;
  EXPECT_EQ(config->get_int("stream.101.frame_rate"), 25);

  const auto resolution = send(verb::put, "/ISAPI/Streaming/channels/102",
                               "<StreamingChannel><Video><videoResolutionWidth>1920</videoResolutionWidth>"
                               "<videoResolutionHeight>1080</videoResolutionHeight></Video></StreamingChannel>");
  EXPECT_EQ(resolution->http_status, status::bad_request) << resolution->body;
}

// The config service reports every refused change of one apply() as invalid_argument.
TEST_F(IsapiTest, ChangeRefusedByACombinationRuleNamesTheRule) {
  activate();
  ASSERT_TRUE(config->set_text("stream.101.video_codec", "H.264+"));
  const auto put = send(verb::put, "/ISAPI/Streaming/channels/101",
                        "<StreamingChannel><Video><fixedQuality>100</fixedQuality></Video></StreamingChannel>");
  // Refused by the state of another setting, not by the value itself.
  EXPECT_EQ(put->http_status, status::forbidden) << put->body;
  EXPECT_EQ(put->text({"subStatusCode"}), "invalidOperation");
  EXPECT_NE(put->text({"errorMsg"}).find("H.264+"), std::string::npos) << put->body;
}

TEST_F(IsapiTest, ResponseStatusAsJson) {
  activate();
  const auto put = send(verb::put, "/ISAPI/Streaming/channels/101?format=json", "not xml");
  const auto doc = nlohmann::json::parse(put->body);
  EXPECT_EQ(doc["statusCode"], 5);
  EXPECT_EQ(doc["subStatusCode"], "badXmlFormat");
  EXPECT_EQ(doc["requestURL"], "/ISAPI/Streaming/channels/101");
}

TEST_F(IsapiTest, UserLevelLacksParameterSettings) {
  activate();
  const auto get = send(verb::get, "/ISAPI/Streaming/channels/101", {}, k_viewer);
  EXPECT_EQ(get->http_status, status::forbidden);
  EXPECT_EQ(get->text({"subStatusCode"}), "lowPrivilege");
}

TEST_F(IsapiTest, AdministratorManagesUsersAndUsersChangeOnlyTheirOwnPassword) {
  activate();
  const auto added = send(verb::post, "/ISAPI/Security/users",
                          "<User><userName>op1</userName><password>Operat0r1</password><userLevel>Operator</userLevel></User>");
  ASSERT_EQ(added->http_status, status::ok) << added->body;
  const auto id = added->text({"id"});
  EXPECT_EQ(accounts->find("op1")->level, security::UserLevel::operator_level);

  const auto list = send(verb::get, "/ISAPI/Security/users");
  EXPECT_EQ(list->doc.document_element().select_nodes("User").size(), 3u);

  const auto weak = send(verb::post, "/ISAPI/Security/users", "<User><userName>op2</userName><password>short</password></User>");
  EXPECT_EQ(weak->http_status, status::bad_request);
  const auto duplicate = send(verb::post, "/ISAPI/Security/users", "<User><userName>op1</userName><password>Operat0r2</password></User>");
  EXPECT_EQ(duplicate->text({"subStatusCode"}), "nameExist");

  EXPECT_EQ(send(verb::post, "/ISAPI/Security/users", "<User><userName>x</userName><password>Passw0rd1</password></User>", k_viewer)
                ->http_status,
            status::forbidden);
  const auto viewer_id = std::to_string(accounts->find("viewer")->id);
  EXPECT_EQ(send(verb::put, "/ISAPI/Security/users/" + viewer_id, "<User><password>NewViewer1</password></User>", k_viewer)->http_status,
            status::ok);
  EXPECT_TRUE(accounts->verify_password("viewer", "NewViewer1"));
  EXPECT_EQ(send(verb::put, "/ISAPI/Security/users/1", "<User><password>Hacked1234</password></User>", "dmlld2VyOk5ld1ZpZXdlcjE=")
                ->http_status,
            status::forbidden)
      << "a User cannot change the administrator";

  const auto delete_admin = send(verb::delete_, "/ISAPI/Security/users/1");
  EXPECT_EQ(delete_admin->http_status, status::forbidden);
  EXPECT_NE(delete_admin->text({"errorMsg"}).find("cannot be deleted"), std::string::npos);
  EXPECT_EQ(send(verb::delete_, "/ISAPI/Security/users/" + id)->http_status, status::ok);
  EXPECT_FALSE(accounts->find("op1"));
}

TEST_F(IsapiTest, UserCheckNamesTheAccount) {
  activate();
  const auto check = send(verb::get, "/ISAPI/Security/userCheck", {}, k_viewer);
  EXPECT_EQ(check->http_status, status::ok);
  EXPECT_EQ(check->text({"statusValue"}), "200");
  EXPECT_EQ(check->text({"userLevel"}), "User");
  const auto unauthorized = send(verb::get, "/ISAPI/Security/userCheck", {}, {});
  EXPECT_EQ(unauthorized->http_status, status::unauthorized);
  EXPECT_EQ(unauthorized->text({"subStatusCode"}), "unAuthorized");
}

}  // namespace
}  // namespace camrig::isapi
