// Event settings survive a restart: what one EventService stores through the config service (SQLite
// file) the next one loads, and bad stored text is refused with a clear error.
#include <filesystem>

#include <gtest/gtest.h>

#include "device/events/event_service.hpp"
#include "device/events/settings_codec.hpp"
#include "sim/virtual_inputs.hpp"
#include "sim/virtual_relays.hpp"
#include "tests/support/lockstep_test_clock.hpp"

namespace camrig::events {
namespace {

using namespace std::chrono_literals;

class EventServiceTest : public ::testing::Test {
 protected:
  EventServiceTest() {
    database = (std::filesystem::temp_directory_path() /
                ("camrig_events_" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) + "_" +
                 ::testing::UnitTest::GetInstance()->current_test_info()->name() + ".db"))
                   .string();
    std::filesystem::remove(database);
    profile = *core::DeviceProfile::builtin("lpr-camera");
  }
  ~EventServiceTest() override {
    for (const auto* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(database + suffix);
  }

  struct Device {
    std::unique_ptr<core::ConfigService> config;
    std::unique_ptr<EventService> events;
  };
  Device boot() {
    Device device;
    auto config = core::ConfigService::open(*core::ConfigSchema::builtin(), profile, database, &bus);
    EXPECT_TRUE(config) << config.error().message;
    device.config = std::move(*config);
    device.events = std::make_unique<EventService>(clock, bus, *device.config, profile, &inputs, &relays,
                                                   [] { return DeviceIdentity{}; });
    return device;
  }

  test::LockstepTestClock clock;
  core::EventBus bus;
  core::DeviceProfile profile;
  sim::VirtualInputs inputs{clock, 2};
  sim::VirtualRelays relays{clock, 2};
  std::string database;
};

TEST_F(EventServiceTest, SettingsAreStoredAndLoadedAtTheNextStart) {
  {
    auto device = boot();
    auto settings = *device.events->engine().settings("IO-2");
    settings.enabled = true;
    settings.sensor = SensorType::normally_closed;
    settings.event_interval = 30s;
    settings.linkage.alarm_outputs = {2};
    settings.linkage.notify_center = true;
    std::array<std::vector<TimePeriod>, 7> week;
    week[1] = {{8 * 60, 12 * 60}, {14 * 60, 18 * 60}};
    settings.schedule = *device.events->engine().make_schedule(week);
    ASSERT_TRUE(device.events->configure_source("IO-2", settings));
    ASSERT_TRUE(device.events->configure_output(2, {"barrier", std::nullopt}));
    HttpHostSettings host;
    host.id = 2;
    host.address = "192.0.2.10";
    host.port = 8088;
    host.url = "/alarms";
    host.format = AlertFormat::json;
    ASSERT_TRUE(device.events->configure_http_hosts({host}));
  }
  auto device = boot();
  const auto loaded = *device.events->engine().settings("IO-2");
  EXPECT_TRUE(loaded.enabled);
  EXPECT_EQ(loaded.sensor, SensorType::normally_closed);
  EXPECT_EQ(loaded.event_interval, 30s);
  EXPECT_EQ(loaded.linkage.alarm_outputs, std::vector<int>{2});
  EXPECT_TRUE(loaded.linkage.notify_center);
  EXPECT_EQ(loaded.schedule.days()[1], (std::vector<TimePeriod>{{8 * 60, 12 * 60}, {14 * 60, 18 * 60}}));
  EXPECT_TRUE(loaded.schedule.days()[0].empty());
  const auto output = *device.events->engine().outputs().settings(2);
  EXPECT_EQ(output.name, "barrier");
  EXPECT_FALSE(output.delay);
  const auto hosts = device.events->http_hosts().settings();
  EXPECT_EQ(hosts[1].address, "192.0.2.10");
  EXPECT_EQ(hosts[1].format, AlertFormat::json);
  EXPECT_TRUE(hosts[0].address.empty());
}

TEST_F(EventServiceTest, ARefusedChangeIsNotStored) {
  auto device = boot();
  auto settings = *device.events->engine().settings("IO-1");
  settings.event_interval = 500s;
  EXPECT_FALSE(device.events->configure_source("IO-1", settings));
  EXPECT_EQ(device.config->get_string(k_sources_key), "{}");
}

TEST(SettingsCodec, StoredSchedulesAreValidatedAgain) {
  // Seven periods on Monday: fine for the network camera (8), not for the LPR camera (6).
  std::string days = "[[";
  for (int i = 0; i < 7; ++i) days += (i ? "," : "") + std::string("[") + std::to_string(i * 60) + "," + std::to_string(i * 60 + 30) + "]";
  days += "],[],[],[],[],[],[]]";
  const std::string text =
      R"({"IO-1":{"enabled":true,"name":"","sensor":"NO","schedule":)" + days +
      R"(,"event_interval":0,"post_alarm":0,"linkage":{"center":false,"outputs":[],"flashing_light":false,"audible_warning":false,"email":false,"upload":false,"record":false}}})";
  EXPECT_TRUE(decode_sources(text, 8));
  const auto refused = decode_sources(text, 6);
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message.find("IO-1: Monday"), std::string::npos) << refused.error().message;
  EXPECT_FALSE(decode_sources("{not json", 8));
}

}  // namespace
}  // namespace camrig::events
