// The blocklist alarm's Send Email linkage: a blocklisted vehicle's mail reaches an SMTP server
// naming the plate; allowed vehicles, a disabled alarm or "Send Email" off send nothing.
#include <gtest/gtest.h>

#include "device/core/config_schema.hpp"
#include "device/events/email_notifier.hpp"
#include "device/traffic/input_tap.hpp"
#include "device/traffic/lpr_service.hpp"
#include "sim/virtual_inputs.hpp"
#include "sim/virtual_relays.hpp"
#include "tests/support/lockstep_test_clock.hpp"
#include "tests/support/smtp_test_server.hpp"

namespace camrig::traffic {
namespace {

using namespace std::chrono_literals;

class BlocklistEmailTest : public ::testing::Test {
 protected:
  void SetUp() override {
    profile = *core::DeviceProfile::builtin("lpr-camera");
    auto schema = core::ConfigSchema::builtin();
    ASSERT_TRUE(schema) << schema.error().message;
    config = std::move(core::ConfigService::open(*schema, profile, ":memory:", nullptr).value());
    plates = std::move(PlateList::open(":memory:", clock).value());
    engine = std::make_unique<events::EventEngine>(clock, bus, &tap, &relays);
    engine->start();
    LprServiceParts parts;
    parts.clock = &clock;
    parts.config = config.get();
    parts.plates = plates.get();
    parts.relays = &relays;
    parts.engine = engine.get();
    parts.send_email = [this](const events::Event& event) {
      mailed.push_back(event);
      if (notifier) notifier->notify(event);
    };
    service = std::make_unique<LprService>(std::move(parts));
    service->start();
    for (const auto& [key, value] : std::vector<std::pair<const char*, const char*>>{
             {"traffic.capture.mode", "video"},
             {"traffic.capture.same_plate_delay", "0"},
             {"traffic.blocklist_alarm.enabled", "true"},
             {"traffic.blocklist_alarm.send_email", "true"}})
      ASSERT_TRUE(config->set_text(key, value)) << key;
    PlateEntry bad;
    bad.plate = "BAD001";
    bad.list = ListType::blocklist;
    ASSERT_TRUE(plates->add(bad));
    PlateEntry good;
    good.plate = "GOOD01";
    ASSERT_TRUE(plates->add(good));
  }
  void TearDown() override {
    notifier.reset();
    service.reset();
    engine.reset();
  }
  void pass(const std::string& plate) {
    PlateRead read;
    read.id = ++read_ids;
    read.plate = plate;
    read.confidence = 0.9;
    read.trigger = CaptureTrigger::video;
    read.direction = VehicleDirection::approaching;
    read.time = clock.now() + std::chrono::nanoseconds(read_ids);
    service->submit(read);
  }

  test::LockstepTestClock clock;
  core::EventBus bus;
  sim::VirtualInputs inputs{clock, 2};
  InputTap tap{inputs};
  sim::VirtualRelays relays{clock, 2};
  core::DeviceProfile profile;
  std::unique_ptr<core::ConfigService> config;
  std::unique_ptr<PlateList> plates;
  std::unique_ptr<events::EventEngine> engine;
  std::unique_ptr<LprService> service;
  std::unique_ptr<events::EmailNotifier> notifier;
  std::vector<events::Event> mailed;
  std::uint64_t read_ids = 0;
};

TEST_F(BlocklistEmailTest, ABlocklistedVehicleIsMailedWithItsPlate) {
  test::SmtpTestServer server({});
  events::EmailSettings settings;
  settings.smtp.server = "127.0.0.1";
  settings.smtp.port = server.port();
  settings.sender = {"Camera", "camera@site.test"};
  settings.receivers = {{"Guard", "guard@site.test"}};
  notifier = std::make_unique<events::EmailNotifier>(clock, [settings] { return settings; });
  pass("GOOD01");
  pass("BAD001");
  ASSERT_TRUE(server.wait_for_mails(1, 10s));
  const auto mails = server.mails();
  ASSERT_EQ(mails.size(), 1u);
  EXPECT_NE(mails[0].data.find("Blocklist vehicle BAD001"), std::string::npos) << mails[0].data;
  EXPECT_EQ(mails[0].rcpt_to, (std::vector<std::string>{"guard@site.test"}));
}

TEST_F(BlocklistEmailTest, NoMailWhenSendEmailOrTheAlarmIsOff) {
  ASSERT_TRUE(config->set_text("traffic.blocklist_alarm.send_email", "false"));
  pass("BAD001");
  ASSERT_TRUE(config->set_text("traffic.blocklist_alarm.send_email", "true"));
  ASSERT_TRUE(config->set_text("traffic.blocklist_alarm.enabled", "false"));
  pass("BAD001");
  EXPECT_TRUE(mailed.empty());
  ASSERT_TRUE(config->set_text("traffic.blocklist_alarm.enabled", "true"));
  pass("BAD001");
  ASSERT_EQ(mailed.size(), 1u);
  EXPECT_EQ(mailed[0].kind, events::EventKind::vehicle_detection);
  EXPECT_EQ(mailed[0].target->plate, "BAD001");
}

}  // namespace
}  // namespace camrig::traffic
