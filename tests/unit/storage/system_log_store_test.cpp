// The SQLite system log: appends stamped on the device clock, search by time range, major and
// minor type with paging (newest first), trimming to the capacity, and persistence in a file.
#include <filesystem>

#include <gtest/gtest.h>

#include "device/storage/system_log_store.hpp"
#include "tests/support/lockstep_test_clock.hpp"

namespace camrig::storage {
namespace {

using std::chrono::seconds;

LogEntry entry(LogMajor major, std::string minor, std::string description = {}) {
  LogEntry e;
  e.major = major;
  e.minor = std::move(minor);
  e.description = std::move(description);
  return e;
}

class SystemLogStoreTest : public ::testing::Test {
 protected:
  std::unique_ptr<SqliteSystemLog> open(std::size_t capacity, const std::string& path = ":memory:") {
    auto log = SqliteSystemLog::open(path, capacity, clock);
    EXPECT_TRUE(log) << (log ? "" : log.error().message);
    return log ? std::move(*log) : nullptr;
  }
  test::LockstepTestClock clock;
};

TEST_F(SystemLogStoreTest, AppendStampsDeviceWallTimeAndSearchReturnsNewestFirst) {
  auto log = open(100);
  ASSERT_TRUE(log->append(entry(LogMajor::operation, "Remote: Login")));
  clock.advance_to(std::chrono::seconds(5));
  ASSERT_TRUE(log->append(entry(LogMajor::operation, "Remote: Reboot")));
  auto page = log->search({});
  ASSERT_TRUE(page);
  ASSERT_EQ(page->total, 2u);
  ASSERT_EQ(page->entries.size(), 2u);
  EXPECT_EQ(page->entries[0].minor, "Remote: Reboot");
  EXPECT_EQ(page->entries[0].time, hal::WallTime{test::LockstepTestClock::k_wall_origin + seconds(5)});
  EXPECT_EQ(page->entries[1].time, hal::WallTime{test::LockstepTestClock::k_wall_origin});
  EXPECT_GT(page->entries[0].id, page->entries[1].id);
}

TEST_F(SystemLogStoreTest, SearchFiltersByTimeRangeMajorAndMinor) {
  auto log = open(100);
  const hal::WallTime origin{test::LockstepTestClock::k_wall_origin};
  for (int i = 0; i < 10; ++i) {
    auto e = entry(i % 2 ? LogMajor::alarm : LogMajor::operation, i % 4 == 0 ? "Remote: Login" : "Other");
    e.time = origin + seconds(i * 10);
    ASSERT_TRUE(log->append(e));
  }
  LogQuery range;
  range.from = origin + seconds(20);
  range.to = origin + seconds(50);
  EXPECT_EQ(log->search(range)->total, 4u);  // 20, 30, 40, 50: both bounds inclusive
  LogQuery alarms;
  alarms.major = LogMajor::alarm;
  EXPECT_EQ(log->search(alarms)->total, 5u);
  LogQuery logins;
  logins.major = LogMajor::operation;
  logins.minor = "Remote: Login";
  auto found = log->search(logins);
  ASSERT_EQ(found->total, 3u);  // 0, 40, 80
  EXPECT_EQ(found->entries.front().time, origin + seconds(80));
}

TEST_F(SystemLogStoreTest, PagingCountsAllMatchesAndReturnsTheRequestedSlice) {
  auto log = open(100);
  for (int i = 0; i < 25; ++i) ASSERT_TRUE(log->append(entry(LogMajor::information, "x", std::to_string(i))));
  LogQuery query;
  query.offset = 20;
  query.limit = 10;
  auto page = log->search(query);
  EXPECT_EQ(page->total, 25u);
  ASSERT_EQ(page->entries.size(), 5u);
  EXPECT_EQ(page->entries.back().description, "0");
}

TEST_F(SystemLogStoreTest, KeepsOnlyTheNewestEntriesUpToTheCapacity) {
  auto log = open(1024);
  for (int i = 0; i < 1100; ++i) ASSERT_TRUE(log->append(entry(LogMajor::information, "x", std::to_string(i))));
  LogQuery query;
  query.limit = 2000;
  auto page = log->search(query);
  EXPECT_EQ(page->total, 1024u);
  EXPECT_EQ(page->entries.front().description, "1099");
  EXPECT_EQ(page->entries.back().description, "76");
}

TEST_F(SystemLogStoreTest, EntriesSurviveReopeningTheFile) {
  const auto path = std::filesystem::temp_directory_path() / ("camrig-log-" + std::to_string(::getpid()) + ".db");
  std::filesystem::remove(path);
  {
    auto log = open(10, path.string());
    auto e = entry(LogMajor::exception, "Illegal Login");
    e.user = "admin";
    e.remote_address = "192.0.2.7";
    ASSERT_TRUE(log->append(e));
  }
  {
    auto log = open(10, path.string());
    auto page = log->search({});
    ASSERT_EQ(page->total, 1u);
    EXPECT_EQ(page->entries[0].major, LogMajor::exception);
    EXPECT_EQ(page->entries[0].user, "admin");
    EXPECT_EQ(page->entries[0].remote_address, "192.0.2.7");
  }
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path.string() + suffix);
}

TEST_F(SystemLogStoreTest, ZeroCapacityIsRefused) {
  auto log = SqliteSystemLog::open(":memory:", 0, clock);
  ASSERT_FALSE(log);
  EXPECT_EQ(log.error().code, ErrorCode::invalid_argument);
}

TEST(LogMajor, ParsesTheManualsNamesInAnyCase) {
  EXPECT_EQ(log_major_from_string("operation"), LogMajor::operation);
  EXPECT_EQ(log_major_from_string("Alarm"), LogMajor::alarm);
  EXPECT_FALSE(log_major_from_string("warning"));
}

}  // namespace
}  // namespace camrig::storage
