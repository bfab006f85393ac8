// Illegal login lock timing on the device clock, and its parameters from the config service.
#include <gtest/gtest.h>

#include "device/core/config_schema.hpp"
#include "device/core/config_service.hpp"
#include "device/security/illegal_login_lock.hpp"
#include "tests/support/lockstep_test_clock.hpp"

namespace camrig::security {
namespace {

using namespace std::chrono_literals;

TEST(IllegalLoginLock, SevenFailedAdminLoginsLockTheAddressForThirtyMinutes) {
  test::LockstepTestClock clock;
  IllegalLoginLock lock(clock, [] { return IllegalLoginLockSettings{}; });
  for (int i = 1; i < 7; ++i) EXPECT_FALSE(lock.record_failure("10.0.0.5", "admin")) << i;
  EXPECT_FALSE(lock.locked_for("10.0.0.5"));
  EXPECT_TRUE(lock.record_failure("10.0.0.5", "admin"));
  ASSERT_TRUE(lock.locked_for("10.0.0.5"));
  EXPECT_EQ(*lock.locked_for("10.0.0.5"), 30min);
  EXPECT_FALSE(lock.locked_for("10.0.0.6")) << "another address is not locked";
  clock.advance_to(30min - 1s);
  EXPECT_TRUE(lock.locked_for("10.0.0.5"));
  clock.advance_to(30min);
  EXPECT_FALSE(lock.locked_for("10.0.0.5"));
  EXPECT_FALSE(lock.record_failure("10.0.0.5", "admin")) << "the count starts over after the lock";
}

TEST(IllegalLoginLock, FiveFailedOperatorOrUserLoginsLock) {
  test::LockstepTestClock clock;
  IllegalLoginLock lock(clock, [] { return IllegalLoginLockSettings{}; });
  for (int i = 1; i < 5; ++i) EXPECT_FALSE(lock.record_failure("10.0.0.5", "viewer")) << i;
  EXPECT_TRUE(lock.record_failure("10.0.0.5", "viewer"));
}

TEST(IllegalLoginLock, SuccessClearsTheCountAndDisabledLockNeverLocks) {
  test::LockstepTestClock clock;
  IllegalLoginLockSettings settings;
  IllegalLoginLock lock(clock, [&] { return settings; });
  for (int i = 0; i < 4; ++i) lock.record_failure("10.0.0.5", "viewer");
  lock.record_success("10.0.0.5");
  for (int i = 0; i < 4; ++i) EXPECT_FALSE(lock.record_failure("10.0.0.5", "viewer"));
  settings.enabled = false;
  for (int i = 0; i < 20; ++i) EXPECT_FALSE(lock.record_failure("10.0.0.7", "admin"));
  EXPECT_FALSE(lock.locked_for("10.0.0.7"));
}

TEST(IllegalLoginLock, SettingsComeFromTheConfigServicePerProfile) {
  auto schema = core::ConfigSchema::builtin();
  ASSERT_TRUE(schema) << schema.error().message;
  auto network = core::DeviceProfile::builtin("network-camera");
  auto config = core::ConfigService::open(*schema, *network, ":memory:", nullptr);
  ASSERT_TRUE(config) << config.error().message;
  auto settings = IllegalLoginLockSettings::from_config(**config);
  EXPECT_EQ(settings.admin_attempts, 7);
  EXPECT_EQ(settings.user_attempts, 5);
  EXPECT_EQ(settings.locking_duration, 30min);

  auto lpr = core::DeviceProfile::builtin("lpr-camera");
  auto lpr_config = core::ConfigService::open(*schema, *lpr, ":memory:", nullptr);
  ASSERT_TRUE(lpr_config);
  EXPECT_FALSE((*lpr_config)->set_text("security.illegal_login_lock.attempts", "11")) << "LPR: 3 to 10";
  ASSERT_TRUE((*lpr_config)->set_text("security.illegal_login_lock.attempts", "3"));
  settings = IllegalLoginLockSettings::from_config(**lpr_config);
  EXPECT_EQ(settings.admin_attempts, 3);
  EXPECT_EQ(settings.user_attempts, 3);
}

// A log that keeps what is appended; the lock's reporting is what is tested, not the store.
class RecordingLog : public storage::SystemLog {
 public:
  Result<std::uint64_t> append(storage::LogEntry entry) override {
    entry.id = entries.size() + 1;
    entries.push_back(std::move(entry));
    return entries.back().id;
  }
  Result<storage::LogPage> search(const storage::LogQuery&) const override { return storage::LogPage{entries, entries.size()}; }
  std::vector<storage::LogEntry> entries;
};

TEST(IllegalLoginLock, ALockIsLoggedAndPublishedOnce) {
  test::LockstepTestClock clock;
  RecordingLog log;
  core::EventBus bus;
  auto events = bus.subscribe<IllegalLoginEvent>();
  IllegalLoginLock lock(clock, [] { return IllegalLoginLockSettings{}; });
  lock.set_reporting(&log, &bus);
  clock.advance_to(90s);
  for (int i = 0; i < 4; ++i) lock.record_failure("10.0.0.5", "viewer");
  EXPECT_TRUE(log.entries.empty()) << "failures below the limit are not a lock";
  ASSERT_TRUE(lock.record_failure("10.0.0.5", "viewer"));
  lock.record_failure("10.0.0.5", "viewer");  // while locked: not counted, not reported again

  ASSERT_EQ(log.entries.size(), 1u);
  EXPECT_EQ(log.entries[0].major, storage::LogMajor::exception);
  EXPECT_EQ(log.entries[0].minor, "Illegal Login");
  EXPECT_EQ(log.entries[0].user, "viewer");
  EXPECT_EQ(log.entries[0].remote_address, "10.0.0.5");
  EXPECT_EQ(log.entries[0].time, hal::WallTime{test::LockstepTestClock::k_wall_origin + 90s});
  auto event = events->try_pop();
  ASSERT_TRUE(event);
  EXPECT_EQ(event->address, "10.0.0.5");
  EXPECT_EQ(event->user, "viewer");
  EXPECT_EQ(event->time, log.entries[0].time);
  EXPECT_FALSE(events->try_pop());
}

}  // namespace
}  // namespace camrig::security
