// Notifications as a real camera shows them: alert dateTime in device local time with its offset,
// and the event engine following its stored settings when they change behind it (Restore,
// Default, configuration import) instead of running on with the old sources.
#include <thread>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "device/core/config_schema.hpp"
#include "device/events/alert_document.hpp"
#include "device/events/event_service.hpp"
#include "device/events/settings_codec.hpp"
#include "sim/virtual_inputs.hpp"
#include "sim/virtual_relays.hpp"
#include "tests/support/lockstep_test_clock.hpp"

namespace camrig::events {
namespace {

using namespace std::chrono_literals;

Event motion_at(hal::WallTime at) {
  Event event;
  event.kind = EventKind::motion;
  event.channel = 1;
  event.wall_time = at;
  event.active_post_count = 1;
  return event;
}

TEST(AlertTime, DateTimeIsLocalTimeWithTheZonesOffset) {
  const hal::WallTime at{test::LockstepTestClock::k_wall_origin};  // 2024-03-01 12:00:00 UTC
  DeviceIdentity device;
  EXPECT_NE(alert_xml(motion_at(at), device).find("<dateTime>2024-03-01T12:00:00+00:00</dateTime>"), std::string::npos);
  device.utc_offset = [](hal::WallTime) { return std::chrono::seconds(8h); };
  EXPECT_NE(alert_xml(motion_at(at), device).find("<dateTime>2024-03-01T20:00:00+08:00</dateTime>"), std::string::npos);
  device.utc_offset = [](hal::WallTime) { return -std::chrono::seconds(5h + 30min); };
  EXPECT_EQ(nlohmann::json::parse(alert_json(motion_at(at), device))["dateTime"], "2024-03-01T06:30:00-05:30");
  // The offset is the one at the event's time (DST), not at the time of sending.
  device.utc_offset = [at](hal::WallTime when) { return when < at ? std::chrono::seconds(1h) : std::chrono::seconds(2h); };
  EXPECT_EQ(iso8601(at - 1h, device.utc_offset(at - 1h)), "2024-03-01T12:00:00+01:00");
  EXPECT_EQ(alert_time(at, device), "2024-03-01T14:00:00+02:00");
}

class EventReloadTest : public ::testing::Test {
 protected:
  void SetUp() override {
    profile = *core::DeviceProfile::builtin("network-camera");
    config = core::ConfigService::open(*core::ConfigSchema::builtin(), profile, ":memory:", &bus).value();
    events = std::make_unique<EventService>(clock, bus, *config, profile, &inputs, &relays, [] { return DeviceIdentity{}; });
    events->start();
  }
  void TearDown() override { events->stop(); }

  // The reload runs on the service's own thread after the change notice.
  template <class Condition>
  static bool eventually(Condition condition) {
    for (int i = 0; i < 400; ++i) {
      if (condition()) return true;
      std::this_thread::sleep_for(5ms);
    }
    return condition();
  }

  test::LockstepTestClock clock;
  core::EventBus bus;
  core::DeviceProfile profile;
  sim::VirtualInputs inputs{clock, 1};
  sim::VirtualRelays relays{clock, 1};
  std::unique_ptr<core::ConfigService> config;
  std::unique_ptr<EventService> events;
};

TEST_F(EventReloadTest, RestoreAndDefaultReturnTheEngineToItsDefaults) {
  auto settings = *events->engine().settings("IO-1");
  ASSERT_FALSE(settings.enabled);
  const auto default_output_name = events->engine().outputs().settings(1)->name;
  settings.enabled = true;
  settings.linkage.alarm_outputs = {1};
  settings.linkage.send_email = true;
  ASSERT_TRUE(events->configure_source("IO-1", settings));
  ASSERT_TRUE(events->configure_output(1, {"siren", std::nullopt}));
  HttpHostSettings host;
  host.id = 1;
  host.address = "192.0.2.10";
  ASSERT_TRUE(events->configure_http_hosts({host}));

  ASSERT_TRUE(config->restore(core::RestoreMode::restore));
  EXPECT_TRUE(eventually([&] { return !events->engine().settings("IO-1")->enabled; }));
  EXPECT_TRUE(events->engine().settings("IO-1")->linkage.alarm_outputs.empty());
  EXPECT_FALSE(events->engine().settings("IO-1")->linkage.send_email);
  EXPECT_EQ(events->engine().settings("IO-1")->name, "Alarm Input 1");
  EXPECT_TRUE(eventually([&] { return events->engine().outputs().settings(1)->name == default_output_name; }));
  EXPECT_TRUE(eventually([&] { return events->http_hosts().settings().at(0).address.empty(); }));

  // After the reload the engine acts on the defaults: the input is disabled and drives no relay.
  ASSERT_TRUE(inputs.set_active(0, true));
  clock.advance_to(clock.now() + 1s);
  EXPECT_FALSE(relays.closed(0));
}

TEST_F(EventReloadTest, ImportedSettingsReachTheRunningEngine) {
  // A configuration import stores the sources' text as the file has it.
  auto imported = *events->engine().settings("VMD-1");
  imported.enabled = true;
  imported.linkage.notify_center = true;
  imported.event_interval = 7s;
  ASSERT_TRUE(config->set(k_sources_key, encode_sources({{"VMD-1", imported}})));
  EXPECT_TRUE(eventually([&] { return events->engine().settings("VMD-1")->event_interval == 7s; }));
  EXPECT_TRUE(events->engine().settings("VMD-1")->linkage.notify_center);

  // What the service stores itself is already applied and is kept as it is.
  auto settings = *events->engine().settings("IO-1");
  settings.enabled = true;
  ASSERT_TRUE(events->configure_source("IO-1", settings));
  std::this_thread::sleep_for(20ms);
  EXPECT_TRUE(events->engine().settings("IO-1")->enabled);
  EXPECT_EQ(events->engine().settings("VMD-1")->event_interval, 7s);
}

TEST_F(EventReloadTest, AlertStreamCarriesThePictureWhenTheLinkageUploadsIt) {
  int pictures_taken = 0;
  events->set_picture_provider([&](int channel) -> Result<std::string> {
    ++pictures_taken;
    return "\xff\xd8 picture of channel " + std::to_string(channel) + " \xff\xd9";
  });
  auto settings = *events->engine().settings("VMD-1");
  settings.linkage.notify_center = true;
  settings.linkage.upload = true;
  ASSERT_TRUE(events->configure_source("VMD-1", settings));
  auto tamper = *events->engine().settings("shelteralarm-1");
  tamper.linkage.notify_center = true;  // no picture asked for
  ASSERT_TRUE(events->configure_source("shelteralarm-1", tamper));
  auto first = std::make_shared<http::ResponseStream>(16);
  auto second = std::make_shared<http::ResponseStream>(16);
  events->alert_streams().open(first);
  events->alert_streams().open(second);

  Event event;
  event.kind = EventKind::motion;
  event.channel = 1;
  events->engine().submit(event);
  event.kind = EventKind::tamper;
  events->engine().submit(event);
  auto next = [](http::ResponseStream& stream) {
    for (int i = 0; i < 400; ++i) {
      bool finished = false;
      if (auto chunk = stream.take(finished)) return *chunk;
      std::this_thread::sleep_for(5ms);
    }
    return std::string("<nothing>");
  };
  const auto motion = next(*first);
  // The document names the picture; the picture follows as its own part with that Content-ID.
  const auto id_at = motion.find("<bkgUrl>cid:");
  ASSERT_NE(id_at, std::string::npos) << motion;
  const auto content_id = motion.substr(id_at + 12, motion.find("</bkgUrl>") - id_at - 12);
  EXPECT_NE(motion.find("<detectionPicturesNumber>1</detectionPicturesNumber>"), std::string::npos);
  const auto part = motion.find("--boundary\r\nContent-Disposition: form-data; name=\"VMDImage\"");
  ASSERT_NE(part, std::string::npos) << motion;
  const auto picture_part = motion.substr(part);
  EXPECT_NE(picture_part.find("Content-Type: image/jpeg\r\n"), std::string::npos);
  EXPECT_NE(picture_part.find("Content-ID: <" + content_id + ">\r\n"), std::string::npos) << picture_part;
  const std::string jpeg = "\xff\xd8 picture of channel 1 \xff\xd9";
  EXPECT_NE(picture_part.find("Content-Length: " + std::to_string(jpeg.size()) + "\r\nContent-ID: <" + content_id +
                              ">\r\n\r\n" + jpeg + "\r\n"),
            std::string::npos)
      << picture_part;
  // The second client gets the same picture, taken once.
  EXPECT_NE(next(*second).find("Content-ID: <" + content_id + ">"), std::string::npos);
  EXPECT_EQ(pictures_taken, 1);
  // Without "upload picture" the alert is the document alone, with no picture elements.
  const auto without = next(*first);
  EXPECT_NE(without.find("<eventType>shelteralarm</eventType>"), std::string::npos) << without;
  EXPECT_EQ(without.find("bkgUrl"), std::string::npos);
  EXPECT_EQ(without.find("image/jpeg"), std::string::npos);
}

}  // namespace
}  // namespace camrig::events
