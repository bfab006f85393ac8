#include "sim/sd_card_model.hpp"

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "tests/support/lockstep_test_clock.hpp"

namespace camrig::sim {
namespace {

using namespace std::chrono_literals;
using test::LockstepTestClock;

std::vector<std::uint8_t> bytes(std::size_t n, std::uint8_t value = 0xAB) { return std::vector<std::uint8_t>(n, value); }

SdCardOptions small_card() {
  SdCardOptions options;
  options.capacity_bytes = 10'000;
  options.write_bytes_per_second = 1'000'000;  // 1 MB/s: 1 byte per microsecond
  options.allocation_unit_bytes = 1;
  return options;
}

TEST(SdCardModel, WritesReadsAndAccountsCapacity) {
  LockstepTestClock clock;
  SdCardModel card(clock, small_card());
  auto status = card.status();
  EXPECT_EQ(status.state, hal::MediumState::ready);
  EXPECT_EQ(status.capacity_bytes, 10'000u);
  EXPECT_EQ(status.free_bytes, 10'000u);

  ASSERT_TRUE(card.write("pictures/a.jpg", bytes(3000), false));
  ASSERT_TRUE(card.write("pictures/a.jpg", bytes(1000, 1), true));
  ASSERT_TRUE(card.write("logs/system.log", bytes(500), false));
  EXPECT_EQ(card.status().free_bytes, 10'000u - 4500u);
  auto data = card.read("pictures/a.jpg");
  ASSERT_TRUE(data);
  ASSERT_EQ(data->size(), 4000u);
  EXPECT_EQ(data->back(), 1);

  // Overwrite shrinks, remove frees.
  ASSERT_TRUE(card.write("pictures/a.jpg", bytes(100), false));
  EXPECT_EQ(card.status().free_bytes, 10'000u - 600u);
  ASSERT_TRUE(card.remove("logs/system.log"));
  EXPECT_EQ(card.status().free_bytes, 10'000u - 100u);
  EXPECT_EQ(card.remove("logs/system.log").error().code, ErrorCode::not_found);
  EXPECT_EQ(card.read("nope").error().code, ErrorCode::not_found);

  // The last byte fits; one more does not.
  ASSERT_TRUE(card.write("big.bin", bytes(9900), false));
  EXPECT_EQ(card.status().free_bytes, 0u);
  auto full = card.write("more.bin", bytes(1), false);
  ASSERT_FALSE(full);
  EXPECT_EQ(full.error().code, ErrorCode::unavailable);
  EXPECT_NE(full.error().message.find("full"), std::string::npos);
  EXPECT_FALSE(card.read("more.bin"));
}

TEST(SdCardModel, AllocationUnitsRoundUp) {
  LockstepTestClock clock;
  auto options = small_card();
  options.allocation_unit_bytes = 1024;
  SdCardModel card(clock, options);
  ASSERT_TRUE(card.write("a", bytes(1), false));
  EXPECT_EQ(card.used_bytes(), 1024u);
  ASSERT_TRUE(card.write("a", bytes(1024), true));  // 1025 bytes: two units
  EXPECT_EQ(card.used_bytes(), 2048u);
  EXPECT_EQ(card.status().free_bytes, 10'000u - 2048u);
}

TEST(SdCardModel, ListsFilesUnderADirectory) {
  LockstepTestClock clock;
  SdCardModel card(clock, small_card());
  ASSERT_TRUE(card.write("rec/b.mp4", bytes(2), false));
  ASSERT_TRUE(card.write("rec/a.mp4", bytes(1), false));
  ASSERT_TRUE(card.write("rec/2024/c.mp4", bytes(3), false));
  ASSERT_TRUE(card.write("record.txt", bytes(4), false));
  const auto rec = card.list("rec");
  ASSERT_EQ(rec.size(), 3u);
  EXPECT_EQ(rec[0].path, "rec/2024/c.mp4");
  EXPECT_EQ(rec[1].path, "rec/a.mp4");
  EXPECT_EQ(rec[2].size_bytes, 2u);
  EXPECT_EQ(card.list("").size(), 4u);
  EXPECT_EQ(card.list("/rec/").size(), 3u);
}

TEST(SdCardModel, RejectsBadPaths) {
  LockstepTestClock clock;
  SdCardModel card(clock, small_card());
  for (const char* path : {"", "/abs", "a//b", "../x", "a/./b", "dir/"}) {
    auto result = card.write(path, bytes(1), false);
    ASSERT_FALSE(result) << path;
    EXPECT_EQ(result.error().code, ErrorCode::invalid_argument) << path;
  }
  ASSERT_TRUE(card.write("a/b", bytes(1), false));
  EXPECT_EQ(card.write("a", bytes(1), false).error().code, ErrorCode::already_exists);
  EXPECT_EQ(card.write("a/b/c", bytes(1), false).error().code, ErrorCode::already_exists);
}

TEST(SdCardModel, WritesTakeTimeAtTheBandwidthAndQueue) {
  LockstepTestClock clock;
  SdCardModel card(clock, small_card());
  clock.advance_to(1s);
  ASSERT_TRUE(card.write("a", bytes(2000), false));  // 2 ms at 1 MB/s
  auto timing = card.last_write();
  EXPECT_EQ(timing.started, 1s);
  EXPECT_EQ(timing.duration, 2ms);
  EXPECT_EQ(timing.completes, 1002ms);
  EXPECT_TRUE(card.busy());
  // Readable at once: the choice is "apply now, report the time".
  EXPECT_TRUE(card.read("a"));

  clock.advance_to(1001ms);
  ASSERT_TRUE(card.write("b", bytes(1000), false));  // queued behind the first
  EXPECT_EQ(card.last_write().started, 1002ms);
  EXPECT_EQ(card.busy_until(), 1003ms);
  clock.advance_to(1003ms);
  EXPECT_FALSE(card.busy());
}

TEST(SdCardModel, BacklogLimitRefusesWritesUntilTheCardCatchesUp) {
  LockstepTestClock clock;
  auto options = small_card();
  options.max_backlog = 5ms;
  SdCardModel card(clock, options);
  ASSERT_TRUE(card.write("a", bytes(6000), false));  // 6 ms pending
  auto busy = card.write("b", bytes(10), false);
  ASSERT_FALSE(busy);
  EXPECT_EQ(busy.error().code, ErrorCode::unavailable);
  EXPECT_NE(busy.error().message.find("busy"), std::string::npos);
  clock.advance_to(1ms);
  EXPECT_TRUE(card.write("b", bytes(10), false));
}

TEST(SdCardModel, RemovedCardFailsEverythingAndComesBackWithItsFiles) {
  LockstepTestClock clock;
  SdCardModel card(clock, small_card());
  ASSERT_TRUE(card.write("keep.jpg", bytes(10), false));
  card.eject();
  const auto status = card.status();
  EXPECT_EQ(status.state, hal::MediumState::absent);
  EXPECT_EQ(status.capacity_bytes, 0u);
  EXPECT_EQ(status.free_bytes, 0u);
  EXPECT_EQ(card.write("x", bytes(1), false).error().code, ErrorCode::unavailable);
  EXPECT_EQ(card.read("keep.jpg").error().code, ErrorCode::unavailable);
  EXPECT_EQ(card.remove("keep.jpg").error().code, ErrorCode::unavailable);
  EXPECT_EQ(card.format().error().code, ErrorCode::unavailable);
  EXPECT_TRUE(card.list("").empty());
  card.insert();
  EXPECT_EQ(card.status().state, hal::MediumState::ready);
  EXPECT_TRUE(card.read("keep.jpg"));
}

TEST(SdCardModel, FullFaultZeroesFreeSpaceAndRecovers) {
  LockstepTestClock clock;
  SdCardModel card(clock, small_card());
  card.set_full(true);
  EXPECT_EQ(card.status().free_bytes, 0u);
  EXPECT_EQ(card.status().state, hal::MediumState::ready);
  auto result = card.write("a", bytes(1), false);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, ErrorCode::unavailable);
  EXPECT_EQ(result.error().message, "memory card full: 0 bytes free");
  card.set_full(false);
  EXPECT_EQ(card.status().free_bytes, 10'000u);
  EXPECT_TRUE(card.write("a", bytes(1), false));
}

TEST(SdCardModel, InjectedWriteErrorsFailTheNextWritesOnly) {
  LockstepTestClock clock;
  SdCardModel card(clock, small_card());
  card.fail_next_writes(2);
  EXPECT_EQ(card.write("a", bytes(5), false).error().code, ErrorCode::io_error);
  EXPECT_EQ(card.write("a", bytes(5), false).error().code, ErrorCode::io_error);
  EXPECT_FALSE(card.read("a"));
  EXPECT_EQ(card.used_bytes(), 0u);
  EXPECT_TRUE(card.write("a", bytes(5), false));
  EXPECT_EQ(card.used_bytes(), 5u);
}

TEST(SdCardModel, ReadOnlyCardReadsButRefusesChanges) {
  LockstepTestClock clock;
  SdCardModel card(clock, small_card());
  ASSERT_TRUE(card.write("a", bytes(5), false));
  card.set_read_only(true);
  EXPECT_EQ(card.status().state, hal::MediumState::read_only);
  EXPECT_TRUE(card.read("a"));
  EXPECT_EQ(card.write("b", bytes(1), false).error().code, ErrorCode::permission_denied);
  EXPECT_EQ(card.remove("a").error().code, ErrorCode::permission_denied);
  EXPECT_EQ(card.format().error().code, ErrorCode::permission_denied);
  card.set_read_only(false);
  EXPECT_TRUE(card.write("b", bytes(1), false));
}

TEST(SdCardModel, BrokenCardReportsErrorAndRecovers) {
  LockstepTestClock clock;
  SdCardModel card(clock, small_card());
  card.set_broken(true);
  EXPECT_EQ(card.status().state, hal::MediumState::error);
  EXPECT_EQ(card.write("a", bytes(1), false).error().code, ErrorCode::io_error);
  card.set_broken(false);
  EXPECT_TRUE(card.write("a", bytes(1), false));
}

TEST(SdCardModel, UnformattedCardNeedsFormat) {
  LockstepTestClock clock;
  auto options = small_card();
  options.formatted = false;
  SdCardModel card(clock, options);
  EXPECT_EQ(card.status().state, hal::MediumState::unformatted);
  EXPECT_EQ(card.write("a", bytes(1), false).error().code, ErrorCode::unavailable);
  ASSERT_TRUE(card.format());
  EXPECT_EQ(card.status().state, hal::MediumState::ready);
  ASSERT_TRUE(card.write("a", bytes(1), false));
  ASSERT_TRUE(card.format());
  EXPECT_TRUE(card.list("").empty());
  EXPECT_EQ(card.status().free_bytes, 10'000u);
}

}  // namespace
}  // namespace camrig::sim
