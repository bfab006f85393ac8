// ISAPI resources end to end through the router: activation gate, DeviceInfo, StreamingChannel
// mapping to stream.<id>.* and back, users, and ResponseStatus for every kind of refusal.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <pugixml.hpp>

#include "device/isapi/xml.hpp"
#include "tests/support/isapi_harness.hpp"

namespace camrig::isapi {
namespace {

using http::beast_http::status;
using http::beast_http::verb;

constexpr const char* k_admin = test::k_admin_basic;
constexpr const char* k_viewer = test::k_viewer_basic;

class IsapiTest : public ::testing::Test, protected test::IsapiHarness {
 protected:
  void SetUp() override {
    open_device("network-camera", {}, /*activate=*/false);
    route(services());
  }

  std::unique_ptr<test::IsapiAnswer> send(verb method, const std::string& target, const std::string& body = {},
                                          const std::string& basic = k_admin) {
    return send_as(basic, method, target, body);
  }

  void activate() {
    ASSERT_TRUE(accounts->activate("Admin1234"));
    add_viewer();
  }
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
  EXPECT_EQ(list->doc.document_element().select_nodes("StreamingChannel").size(), 3u) << "main, sub and third stream";
  EXPECT_EQ(send(verb::get, "/ISAPI/Streaming/channels/103")->text({"enabled"}), "false");
  EXPECT_EQ(send(verb::get, "/ISAPI/Streaming/channels/999")->http_status, status::not_found);
  EXPECT_EQ(send(verb::get, "/ISAPI/Streaming/channels/104")->http_status, status::not_found)
      << "a custom stream slot not added is not a stream";
}

TEST_F(IsapiTest, CustomStreamsAreAddedNamedAndDeletedWithTheManualsNameRule) {
  activate();
  const auto custom = [](const std::string& inner) {
    return "<StreamingChannel xmlns=\"http://www.hikvision.com/ver20/XMLSchema\">" + inner + "</StreamingChannel>";
  };
  auto added = send(verb::post, "/ISAPI/Streaming/channels",
                    custom("<channelName>Gate overview</channelName><Video><videoInputChannelID>1</videoInputChannelID>"
                           "<videoCodecType>H.265</videoCodecType><videoResolutionWidth>1280</videoResolutionWidth>"
                           "<videoResolutionHeight>720</videoResolutionHeight></Video>"));
  ASSERT_EQ(added->http_status, status::ok) << added->body;
  EXPECT_EQ(added->text({"id"}), "104");
  EXPECT_TRUE(config->get_bool("stream.104.custom.added"));
  auto channel = send(verb::get, "/ISAPI/Streaming/channels/104");
  ASSERT_EQ(channel->http_status, status::ok) << channel->body;
  EXPECT_EQ(channel->text({"channelName"}), "Gate overview");
  EXPECT_EQ(channel->text({"Video", "videoCodecType"}), "H.265");
  EXPECT_EQ(channel->text({"Video", "videoResolutionWidth"}), "1280");
  EXPECT_EQ(send(verb::get, "/ISAPI/Streaming/channels")->doc.document_element().select_nodes("StreamingChannel").size(), 4u);

  // The manual: up to 32 letters and symbols, except &, <, >, ' and ".
  auto refused = send(verb::post, "/ISAPI/Streaming/channels", custom("<channelName>" + std::string(33, 'a') + "</channelName>"));
  EXPECT_EQ(refused->http_status, status::bad_request);
  EXPECT_NE(refused->body.find("32"), std::string::npos) << refused->body;
  refused = send(verb::put, "/ISAPI/Streaming/channels/104", custom("<channelName>Tom &amp; Jerry</channelName>"));
  EXPECT_EQ(refused->http_status, status::bad_request);
  EXPECT_NE(refused->body.find("must not contain"), std::string::npos) << refused->body;
  EXPECT_EQ(config->get_string("stream.104.custom.name"), "Gate overview");
  EXPECT_FALSE(config->get_bool("stream.105.custom.added")) << "a refused addition adds nothing";
  auto renamed = send(verb::put, "/ISAPI/Streaming/channels/104", custom("<channelName>" + std::string(32, 'b') + "</channelName>"));
  EXPECT_EQ(renamed->http_status, status::ok) << renamed->body;

  // Three slots; the fourth is refused; a custom stream is above the main stream never.
  EXPECT_EQ(send(verb::post, "/ISAPI/Streaming/channels", custom(""))->text({"id"}), "105");
  EXPECT_EQ(config->get_string("stream.105.custom.name"), "Custom Stream 2") << "named by the device when no name is given";
  EXPECT_EQ(send(verb::post, "/ISAPI/Streaming/channels", custom(""))->text({"id"}), "106");
  const auto full = send(verb::post, "/ISAPI/Streaming/channels", custom(""));
  EXPECT_EQ(full->http_status, status::bad_request);
  EXPECT_NE(full->body.find("delete one first"), std::string::npos) << full->body;

  const auto main_refused = send(verb::delete_, "/ISAPI/Streaming/channels/101");
  EXPECT_EQ(main_refused->http_status, status::forbidden);
  EXPECT_NE(main_refused->body.find("not a custom stream"), std::string::npos) << main_refused->body;
  const auto deleted = send(verb::delete_, "/ISAPI/Streaming/channels/104");
  ASSERT_EQ(deleted->http_status, status::ok) << deleted->body;
  EXPECT_FALSE(config->get_bool("stream.104.custom.added"));
  EXPECT_EQ(config->get_string("stream.104.video_codec"), "H.264") << "a deleted stream's slot is back to its defaults";
  EXPECT_EQ(send(verb::get, "/ISAPI/Streaming/channels/104")->http_status, status::not_found);
  EXPECT_EQ(send(verb::delete_, "/ISAPI/Streaming/channels/104")->http_status, status::not_found);
  EXPECT_EQ(send(verb::post, "/ISAPI/Streaming/channels", custom(""))->text({"id"}), "104") << "the freed slot is reused";
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

// xs:boolean everywhere: true, false, 1 and 0 are taken; anything else is refused naming the
// element, and nothing of the document is stored.
TEST_F(IsapiTest, ABooleanElementTakesXsBooleanAndRefusesAnythingElseNamingIt) {
  activate();
  ASSERT_TRUE(config->set_text("stream.101.video_codec", "H.264"));
  const auto banana = send(verb::put, "/ISAPI/Streaming/channels/101",
                           "<StreamingChannel><Video><maxFrameRate>1000</maxFrameRate>"
                           "<SmartCodec><enabled>banana</enabled></SmartCodec></Video></StreamingChannel>");
  EXPECT_EQ(banana->http_status, status::bad_request) << banana->body;
  EXPECT_NE(banana->text({"errorMsg"}).find("<enabled> must be true or false (got 'banana')"), std::string::npos) << banana->body;
  EXPECT_EQ(config->get_string("stream.101.video_codec"), "H.264");
  EXPECT_EQ(config->get_int("stream.101.frame_rate"), 25) << "a refused document stores nothing";

  const auto one = send(verb::put, "/ISAPI/Streaming/channels/101",
                        "<StreamingChannel><Video><SmartCodec><enabled>1</enabled></SmartCodec></Video></StreamingChannel>");
  EXPECT_EQ(one->http_status, status::ok) << one->body;
  EXPECT_EQ(config->get_string("stream.101.video_codec"), "H.264+");
  const auto zero = send(verb::put, "/ISAPI/Streaming/channels/101",
                         "<StreamingChannel><Video><SmartCodec><enabled>0</enabled></SmartCodec></Video></StreamingChannel>");
  EXPECT_EQ(zero->http_status, status::ok) << zero->body;
  EXPECT_EQ(config->get_string("stream.101.video_codec"), "H.264");

  const auto lock = send(verb::put, "/ISAPI/Security/illegalLoginLock",
                         "<IllegalLoginLock><enabled>yes</enabled></IllegalLoginLock>");
  EXPECT_EQ(lock->http_status, status::bad_request) << lock->body;
  EXPECT_NE(lock->text({"errorMsg"}).find("<enabled>"), std::string::npos) << lock->body;
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

TEST_F(IsapiTest, ServerLevelRefusalsAreResponseStatusDocuments) {
  http::Request too_large{verb::put, "/ISAPI/Streaming/channels/101?format=json", 11};
  const auto json = router->refusal(too_large, "192.0.2.7",
                                   make_error(ErrorCode::out_of_range, "the request body is over 1048576 bytes"),
                                   status::payload_too_large);
  EXPECT_EQ(json.result(), status::payload_too_large);
  EXPECT_FALSE(json.keep_alive());
  const auto doc = nlohmann::json::parse(json.body());
  EXPECT_EQ(doc["requestURL"], "/ISAPI/Streaming/channels/101");
  EXPECT_EQ(doc["errorMsg"], "the request body is over 1048576 bytes");

  http::Request malformed{verb::get, "/", 11};
  const auto xml = router->refusal(malformed, "192.0.2.7", make_error(ErrorCode::invalid_argument, "malformed HTTP request"),
                                  status::bad_request);
  EXPECT_EQ(xml.result(), status::bad_request);
  pugi::xml_document parsed;
  ASSERT_TRUE(parsed.load_string(xml.body().c_str()));
  EXPECT_STREQ(parsed.document_element().name(), "ResponseStatus");
  EXPECT_EQ(text_at(parsed.document_element(), {"subStatusCode"}).value_or(""), "badParameters");
}

TEST_F(IsapiTest, SerialPortSettingsAreReadAndWrittenThroughTheConfigService) {
  activate();
  const auto list = send(verb::get, "/ISAPI/System/Serial/ports");
  ASSERT_EQ(list->http_status, status::ok) << list->body;
  EXPECT_EQ(list->text({"SerialPort", "serialPortType"}), "RS485");
  EXPECT_EQ(list->text({"SerialPort", "baudRate"}), "9600");

  const auto put = send(verb::put, "/ISAPI/System/Serial/ports/1",
                        "<SerialPort><id>1</id><baudRate>38400</baudRate><dataBits>7</dataBits><parityType>odd</parityType>"
                        "<stopBits>2</stopBits><flowCtrl>software</flowCtrl><workMode>transparent</workMode></SerialPort>");
  ASSERT_EQ(put->http_status, status::ok) << put->body;
  EXPECT_EQ(config->get_string("serial.1.baud_rate"), "38400");
  EXPECT_EQ(config->get_int("serial.1.data_bits"), 7);
  EXPECT_EQ(config->get_int("serial.1.stop_bits"), 2);
  const auto port = send(verb::get, "/ISAPI/System/Serial/ports/1");
  EXPECT_EQ(port->text({"parityType"}), "odd");
  EXPECT_EQ(port->text({"flowCtrl"}), "software");
  EXPECT_EQ(port->text({"workMode"}), "transparent");

  const auto bad = send(verb::put, "/ISAPI/System/Serial/ports/1", "<SerialPort><baudRate>12345</baudRate></SerialPort>");
  EXPECT_EQ(bad->http_status, status::bad_request);
  EXPECT_NE(bad->text({"errorMsg"}).find("baud_rate"), std::string::npos) << bad->body;
  EXPECT_EQ(config->get_string("serial.1.baud_rate"), "38400") << "nothing changed";
  EXPECT_EQ(send(verb::put, "/ISAPI/System/Serial/ports/1", "<SerialPort><dataBits>eight</dataBits></SerialPort>")->http_status,
            status::bad_request);
  const auto missing = send(verb::get, "/ISAPI/System/Serial/ports/2");
  EXPECT_EQ(missing->http_status, status::not_found);
  EXPECT_EQ(missing->text({"subStatusCode"}), "notSupport");
}

TEST_F(IsapiTest, ADeviceWithoutSerialPortsAnswersNotSupport) {
  activate();
  profile.capabilities.rs485_ports = 0;  // the routes read the profile on every request
  const auto list = send(verb::get, "/ISAPI/System/Serial/ports");
  EXPECT_EQ(list->http_status, status::not_found);
  EXPECT_EQ(list->text({"subStatusCode"}), "notSupport");
  EXPECT_EQ(send(verb::get, "/ISAPI/System/Serial/ports/1")->text({"subStatusCode"}), "notSupport");
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
