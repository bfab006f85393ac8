// The event engine in a running camera over real HTTP: the linkage and schedule of alarm input 1
// set with curl --digest, then `curl -N` reading the alertStream while a simulated door contact
// opens and closes, the linked relay switching, and the idle heartbeat.
#include <signal.h>

#include <gtest/gtest.h>

#include "device/camera/camera.hpp"
#include "device/core/realtime_clock.hpp"
#include "sim/road_scene_source.hpp"
#include "sim/virtual_inputs.hpp"
#include "sim/virtual_relays.hpp"
#include "tests/support/process.hpp"

namespace camrig {
namespace {

using namespace std::chrono_literals;

constexpr const char* k_credentials = "admin:Admin1234";

class EventsOverHttp : public ::testing::Test {
 protected:
  void SetUp() override {
    profile = *core::DeviceProfile::builtin("network-camera");
    // A small picture: this test is about events, not video.
    source = std::make_unique<sim::RoadSceneSource>(
        sim::RoadSceneOptions{{320, 240, {5, 1}}, 1, 1}, clock,
        [this](hal::Nanos deadline, std::stop_token stop) { return clock.sleep_until(deadline, stop); });
    camera::CameraOptions options;
    http_port = test::free_tcp_port();
    options.settings = {{"network.rtsp_port", std::to_string(test::free_tcp_port())},
                        {"network.http_port", std::to_string(http_port)},
                        {"events.alert_stream.heartbeat_interval", "1"}};
    options.rtsp_bind_address = "127.0.0.1";
    options.http_bind_address = "127.0.0.1";
    options.admin_password = "Admin1234";
    camera::CameraHardware hardware{&clock, {{1, source.get()}}};
    hardware.inputs = &inputs;
    hardware.relays = &relays;
    auto started = camera::Camera::start(profile, hardware, options);
    ASSERT_TRUE(started) << started.error().message;
    device = std::move(*started);
  }

  std::string url(const std::string& path) const { return "http://127.0.0.1:" + std::to_string(http_port) + path; }

  // The body, then the HTTP status on the last line.
  std::pair<int, std::string> put(const std::string& path, const std::string& body) {
    const auto result = test::run_process({"curl", "-s", "-S", "--digest", "-u", k_credentials, "-X", "PUT", "-w", "\n%{http_code}",
                                           "-H", "Content-Type: application/xml", "--data-binary", body, url(path)},
                                          20s);
    const auto newline = result.out.rfind('\n');
    if (result.exit_code != 0 || newline == std::string::npos) return {0, result.err};
    return {std::stoi(result.out.substr(newline + 1)), result.out.substr(0, newline)};
  }

  core::RealtimeClock clock{std::chrono::system_clock::now()};
  core::DeviceProfile profile;
  sim::VirtualInputs inputs{clock, 1};
  sim::VirtualRelays relays{clock, 1};
  std::unique_ptr<sim::RoadSceneSource> source;
  std::unique_ptr<camera::Camera> device;
  int http_port = 0;
};

TEST_F(EventsOverHttp, AlarmInputReachesTheAlertStreamAndTheLinkedOutput) {
  const auto [schedule_status, schedule_body] =
      put("/ISAPI/Event/schedules/IO-1",
          "<Schedule><id>IO-1</id><TimeBlockList>"
          "<TimeBlock><dayOfWeek>1</dayOfWeek><TimeRange><beginTime>08:00:00</beginTime><endTime>12:00:00</endTime></TimeRange></TimeBlock>"
          "<TimeBlock><dayOfWeek>1</dayOfWeek><TimeRange><beginTime>11:00:00</beginTime><endTime>13:00:00</endTime></TimeRange></TimeBlock>"
          "</TimeBlockList></Schedule>");
  EXPECT_EQ(schedule_status, 400) << schedule_body;
  EXPECT_NE(schedule_body.find("overlap"), std::string::npos) << schedule_body;

  const auto [trigger_status, trigger_body] =
      put("/ISAPI/Event/triggers/IO-1",
          "<EventTrigger><id>IO-1</id><enabled>true</enabled><alarmType>NO</alarmType><EventTriggerNotificationList>"
          "<EventTriggerNotification><id>center</id><notificationMethod>center</notificationMethod></EventTriggerNotification>"
          "<EventTriggerNotification><id>IO-1</id><notificationMethod>IO</notificationMethod><outputIOPortID>1</outputIOPortID>"
          "</EventTriggerNotification></EventTriggerNotificationList></EventTrigger>");
  ASSERT_EQ(trigger_status, 200) << trigger_body;

  test::ChildProcess stream({"curl", "-s", "-i", "-N", "--digest", "-u", k_credentials, "--max-time", "30",
                             url("/ISAPI/Event/notification/alertStream")});
  ASSERT_TRUE(stream.started());
  // The heartbeat (every second here) shows the stream is open before the contact changes.
  const auto heartbeat = stream.wait_for_output("<eventType>videoloss</eventType>", 10s);
  ASSERT_TRUE(heartbeat) << stream.output();
  EXPECT_NE(heartbeat->find("Content-Type: multipart/mixed; boundary=boundary"), std::string::npos) << *heartbeat;
  EXPECT_NE(heartbeat->find("<eventState>inactive</eventState>"), std::string::npos);

  ASSERT_TRUE(inputs.attach(0, {sim::SensorKind::door_contact, sim::Wiring::normally_open, "door"}));
  ASSERT_TRUE(inputs.set_active(0, true));
  EXPECT_TRUE(relays.closed(0));
  const auto active = stream.wait_for_output("<eventType>IO</eventType>", 10s);
  ASSERT_TRUE(active) << stream.output();
  // The IO alert itself, not a heartbeat that may have followed it.
  const auto io_at = active->find("<eventType>IO</eventType>");
  const auto alert_start = active->rfind("<EventNotificationAlert", io_at);
  const auto alert = active->substr(alert_start, active->find("</EventNotificationAlert>", io_at) - alert_start);
  EXPECT_NE(alert.find("<eventState>active</eventState>"), std::string::npos) << alert;
  EXPECT_NE(alert.find("<activePostCount>1</activePostCount>"), std::string::npos) << alert;
  EXPECT_NE(alert.find("<inputIOPortID>1</inputIOPortID>"), std::string::npos) << alert;
  EXPECT_NE(alert.find("<portNo>" + std::to_string(http_port) + "</portNo>"), std::string::npos) << alert;

  ASSERT_TRUE(inputs.set_active(0, false));
  const auto ended = stream.wait_for_output("<activePostCount>2</activePostCount>", 10s);
  ASSERT_TRUE(ended) << stream.output();
  const auto end_at = ended->find("<activePostCount>2</activePostCount>");
  const auto end_alert = ended->substr(end_at, ended->find("</EventNotificationAlert>", end_at) - end_at);
  EXPECT_NE(end_alert.find("<eventType>IO</eventType>"), std::string::npos) << end_alert;
  EXPECT_NE(end_alert.find("<eventState>inactive</eventState>"), std::string::npos) << end_alert;
  stream.stop(SIGTERM, 5s);
}

}  // namespace
}  // namespace camrig
