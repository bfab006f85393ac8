// ISAPI Event resources through the router, without sockets: EventTrigger (linkage, alarm type),
// Schedule, httpHosts, the output Delay, and the alertStream response header.
#include <gtest/gtest.h>
#include <pugixml.hpp>

#include "device/core/config_schema.hpp"
#include "device/isapi/isapi.hpp"
#include "device/isapi/xml.hpp"
#include "sim/virtual_inputs.hpp"
#include "sim/virtual_relays.hpp"
#include "tests/support/lockstep_test_clock.hpp"

namespace camrig::isapi {
namespace {

using http::beast_http::status;
using http::beast_http::verb;
using namespace std::chrono_literals;

constexpr const char* k_admin = "YWRtaW46QWRtaW4xMjM0";  // admin:Admin1234

struct Parsed {
  status http_status;
  pugi::xml_document doc;
  std::string body;
  http::Reply reply;
};

class EventResourcesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    profile = *core::DeviceProfile::builtin("network-camera");
    config = core::ConfigService::open(*core::ConfigSchema::builtin(), profile, ":memory:", &bus).value();
    accounts = security::UserAccounts::open(":memory:", profile.device.model,
                                            security::PasswordPolicy::for_profile(profile.name))
                   .value();
    ASSERT_TRUE(accounts->activate("Admin1234"));
    lock = std::make_unique<security::IllegalLoginLock>(clock, [] { return security::IllegalLoginLockSettings{}; });
    security::AuthenticatorOptions options;
    options.basic_enabled = [] { return true; };
    authenticator = std::make_unique<security::Authenticator>(*accounts, *lock, clock, options);
    events = std::make_unique<events::EventService>(clock, bus, *config, profile, &inputs, &relays,
                                                    [] { return events::DeviceIdentity{}; });
    DeviceServices services;
    services.profile = &profile;
    services.config = config.get();
    services.accounts = accounts.get();
    services.events = events.get();
    add_routes(router, services);
  }

  std::unique_ptr<Parsed> send(verb method, const std::string& target, const std::string& body = {}) {
    http::Request request{method, target, 11};
    request.set(http::beast_http::field::authorization, std::string("Basic ") + k_admin);
    request.body() = body;
    auto parsed = std::make_unique<Parsed>();
    parsed->reply = router.handle(request, "192.0.2.7", authenticator.get());
    parsed->http_status = parsed->reply.response.result();
    parsed->body = parsed->reply.response.body();
    parsed->doc.load_string(parsed->body.c_str());
    return parsed;
  }
  static std::string text(const Parsed& parsed, std::initializer_list<std::string_view> path) {
    return text_at(parsed.doc.document_element(), path).value_or("<absent>");
  }

  test::LockstepTestClock clock;
  core::EventBus bus;
  core::DeviceProfile profile;
  sim::VirtualInputs inputs{clock, 1};
  sim::VirtualRelays relays{clock, 1};
  std::unique_ptr<core::ConfigService> config;
  std::unique_ptr<security::UserAccounts> accounts;
  std::unique_ptr<security::IllegalLoginLock> lock;
  std::unique_ptr<security::Authenticator> authenticator;
  std::unique_ptr<events::EventService> events;
  http::Router router;
};

TEST_F(EventResourcesTest, TriggerLinkageIsSetAndReadBack) {
  const auto before = send(verb::get, "/ISAPI/Event/triggers/IO-1");
  ASSERT_EQ(before->http_status, status::ok) << before->body;
  EXPECT_EQ(text(*before, {"enabled"}), "false");
  EXPECT_EQ(text(*before, {"alarmType"}), "NO");
  EXPECT_EQ(text(*before, {"inputIOPortID"}), "1");

  const auto put = send(verb::put, "/ISAPI/Event/triggers/IO-1",
                        "<EventTrigger><enabled>true</enabled><alarmType>NC</alarmType><EventTriggerNotificationList>"
                        "<EventTriggerNotification><notificationMethod>center</notificationMethod></EventTriggerNotification>"
                        "<EventTriggerNotification><notificationMethod>IO</notificationMethod><outputIOPortID>1</outputIOPortID>"
                        "</EventTriggerNotification><EventTriggerNotification><notificationMethod>beep</notificationMethod>"
                        "</EventTriggerNotification></EventTriggerNotificationList></EventTrigger>");
  ASSERT_EQ(put->http_status, status::ok) << put->body;
  const auto settings = *events->engine().settings("IO-1");
  EXPECT_TRUE(settings.enabled);
  EXPECT_EQ(settings.sensor, events::SensorType::normally_closed);
  EXPECT_TRUE(settings.linkage.notify_center);
  EXPECT_TRUE(settings.linkage.audible_warning);
  EXPECT_EQ(settings.linkage.alarm_outputs, std::vector<int>{1});

  const auto after = send(verb::get, "/ISAPI/Event/triggers/IO-1");
  EXPECT_NE(after->body.find("<outputIOPortID>1</outputIOPortID>"), std::string::npos) << after->body;
  EXPECT_NE(after->body.find("<notificationMethod>center</notificationMethod>"), std::string::npos);
}

TEST_F(EventResourcesTest, BadTriggersAreRefusedWithTheReason) {
  const auto method = send(verb::put, "/ISAPI/Event/triggers/IO-1",
                           "<EventTrigger><EventTriggerNotificationList><EventTriggerNotification>"
                           "<notificationMethod>fax</notificationMethod></EventTriggerNotification>"
                           "</EventTriggerNotificationList></EventTrigger>");
  EXPECT_EQ(method->http_status, status::bad_request);
  EXPECT_NE(method->body.find("fax"), std::string::npos) << method->body;
  const auto output = send(verb::put, "/ISAPI/Event/triggers/IO-1",
                           "<EventTrigger><EventTriggerNotificationList><EventTriggerNotification>"
                           "<notificationMethod>IO</notificationMethod><outputIOPortID>2</outputIOPortID>"
                           "</EventTriggerNotification></EventTriggerNotificationList></EventTrigger>");
  EXPECT_EQ(output->http_status, status::bad_request);
  EXPECT_NE(output->body.find("alarm output 2 does not exist"), std::string::npos) << output->body;
  EXPECT_EQ(send(verb::get, "/ISAPI/Event/triggers/IO-7")->http_status, status::not_found);
}

TEST_F(EventResourcesTest, ScheduleIsSetValidatedAndReadBack) {
  const auto put = send(verb::put, "/ISAPI/Event/schedules/VMD-1",
                        "<Schedule><TimeBlockList><TimeBlock><dayOfWeek>7</dayOfWeek><TimeRange>"
                        "<beginTime>22:00:00</beginTime><endTime>24:00:00</endTime></TimeRange></TimeBlock>"
                        "</TimeBlockList></Schedule>");
  ASSERT_EQ(put->http_status, status::ok) << put->body;
  const auto got = send(verb::get, "/ISAPI/Event/schedules/VMD-1");
  EXPECT_EQ(text(*got, {"TimeBlockList", "TimeBlock", "dayOfWeek"}), "7");
  EXPECT_EQ(text(*got, {"TimeBlockList", "TimeBlock", "TimeRange", "beginTime"}), "22:00:00");
  EXPECT_EQ(text(*got, {"TimeBlockList", "TimeBlock", "TimeRange", "endTime"}), "24:00:00");

  const auto reversed = send(verb::put, "/ISAPI/Event/schedules/VMD-1",
                             "<Schedule><TimeBlockList><TimeBlock><dayOfWeek>2</dayOfWeek><TimeRange>"
                             "<beginTime>18:00:00</beginTime><endTime>08:00:00</endTime></TimeRange></TimeBlock>"
                             "</TimeBlockList></Schedule>");
  EXPECT_EQ(reversed->http_status, status::bad_request);
  EXPECT_NE(reversed->body.find("Tuesday 18:00:00-08:00:00: the start must be before the end"), std::string::npos)
      << reversed->body;
}

TEST_F(EventResourcesTest, HttpHostsAreSetAndListed) {
  const auto caps = send(verb::get, "/ISAPI/Event/notification/httpHosts/capabilities");
  EXPECT_EQ(text(*caps, {"hostNumber"}), "3");
  const auto put = send(verb::put, "/ISAPI/Event/notification/httpHosts",
                        "<HttpHostNotificationList><HttpHostNotification><id>1</id><url>/alarm</url>"
                        "<protocolType>HTTPS</protocolType><parameterFormatType>JSON</parameterFormatType>"
                        "<addressingFormatType>ipaddress</addressingFormatType><ipAddress>192.0.2.50</ipAddress>"
                        "<portNo>8443</portNo></HttpHostNotification></HttpHostNotificationList>");
  ASSERT_EQ(put->http_status, status::ok) << put->body;
  const auto host = send(verb::get, "/ISAPI/Event/notification/httpHosts/1");
  EXPECT_EQ(text(*host, {"ipAddress"}), "192.0.2.50");
  EXPECT_EQ(text(*host, {"protocolType"}), "HTTPS");
  EXPECT_EQ(text(*host, {"parameterFormatType"}), "JSON");
  EXPECT_EQ(text(*host, {"portNo"}), "8443");
  const auto unset = send(verb::get, "/ISAPI/Event/notification/httpHosts/2");
  EXPECT_EQ(text(*unset, {"ipAddress"}), "0.0.0.0");  // never an empty element
  const auto fourth = send(verb::put, "/ISAPI/Event/notification/httpHosts/4",
                           "<HttpHostNotification><id>4</id><ipAddress>192.0.2.51</ipAddress></HttpHostNotification>");
  EXPECT_EQ(fourth->http_status, status::not_found);
}

TEST_F(EventResourcesTest, OutputDelayIsOneOfTheManualsValues) {
  const auto odd = send(verb::put, "/ISAPI/System/IO/outputs/1",
                        "<IOOutputPort><PowerOnState><outputState>pulse</outputState><pulseDuration>7000</pulseDuration>"
                        "</PowerOnState></IOOutputPort>");
  EXPECT_EQ(odd->http_status, status::bad_request);
  const auto put = send(verb::put, "/ISAPI/System/IO/outputs/1",
                        "<IOOutputPort><outputName>siren</outputName><PowerOnState><outputState>pulse</outputState>"
                        "<pulseDuration>60000</pulseDuration></PowerOnState></IOOutputPort>");
  ASSERT_EQ(put->http_status, status::ok) << put->body;
  const auto settings = *events->engine().outputs().settings(1);
  EXPECT_EQ(settings.name, "siren");
  EXPECT_EQ(settings.delay, std::optional<std::chrono::seconds>(60s));
}

TEST_F(EventResourcesTest, AlertStreamAnswersAMultipartStream) {
  const auto stream = send(verb::get, "/ISAPI/Event/notification/alertStream");
  ASSERT_EQ(stream->http_status, status::ok) << stream->body;
  EXPECT_EQ(stream->reply.response[http::beast_http::field::content_type], "multipart/mixed; boundary=boundary");
  ASSERT_TRUE(stream->reply.stream);
  EXPECT_EQ(events->alert_streams().clients().size(), 1u);
  stream->reply.stream->close();
}

}  // namespace
}  // namespace camrig::isapi
