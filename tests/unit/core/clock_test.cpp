#include <atomic>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "device/core/lockstep_clock.hpp"
#include "device/core/realtime_clock.hpp"

namespace camrig::core {
namespace {

using namespace std::chrono_literals;

const hal::WallTime k_start = hal::WallTime{} + std::chrono::hours(24 * 365 * 50);

TEST(LockstepClock, StandsStillUntilAdvanced) {
  LockstepClock clock(k_start);
  EXPECT_EQ(clock.now(), 0ns);
  std::this_thread::sleep_for(5ms);
  EXPECT_EQ(clock.now(), 0ns);
  clock.advance_to(1500ms);
  EXPECT_EQ(clock.now(), 1500ms);
  EXPECT_EQ(clock.wall_time(), k_start + 1500ms);
}

TEST(LockstepClock, NeverMovesBackward) {
  LockstepClock clock(k_start);
  clock.advance_to(2s);
  clock.advance_to(1s);
  EXPECT_EQ(clock.now(), 2s);
}

TEST(LockstepClock, RunsDueTimersInDeadlineOrderAtTheirOwnTime) {
  LockstepClock clock(k_start);
  std::vector<std::pair<int, hal::Nanos>> fired;
  clock.call_at(300ms, [&] { fired.emplace_back(3, clock.now()); });
  clock.call_at(100ms, [&] { fired.emplace_back(1, clock.now()); });
  clock.call_at(100ms, [&] { fired.emplace_back(2, clock.now()); });  // same deadline: creation order
  clock.call_at(900ms, [&] { fired.emplace_back(9, clock.now()); });
  clock.advance_to(500ms);
  ASSERT_EQ(fired.size(), 3u);
  EXPECT_EQ(fired[0], std::make_pair(1, hal::Nanos(100ms)));
  EXPECT_EQ(fired[1], std::make_pair(2, hal::Nanos(100ms)));
  EXPECT_EQ(fired[2], std::make_pair(3, hal::Nanos(300ms)));
  EXPECT_EQ(clock.now(), 500ms);
}

TEST(LockstepClock, TimerSetByATimerFiresInTheSameAdvance) {
  LockstepClock clock(k_start);
  int count = 0;
  std::function<void()> tick = [&] {
    if (++count < 5) clock.call_at(clock.now() + 100ms, tick);
  };
  clock.call_at(100ms, tick);
  clock.advance_to(1s);
  EXPECT_EQ(count, 5);
}

TEST(LockstepClock, CancelledTimerNeverRuns) {
  LockstepClock clock(k_start);
  bool ran = false;
  const auto id = clock.call_at(100ms, [&] { ran = true; });
  EXPECT_TRUE(clock.cancel(id));
  EXPECT_FALSE(clock.cancel(id));
  clock.advance_to(1s);
  EXPECT_FALSE(ran);
}

TEST(LockstepClock, SleeperWakesWhenAnotherThreadAdvances) {
  LockstepClock clock(k_start);
  std::atomic<bool> woke{false};
  std::jthread sleeper([&](std::stop_token stop) {
    EXPECT_TRUE(clock.sleep_until(200ms, stop));
    woke = true;
  });
  clock.advance_to(100ms);
  std::this_thread::sleep_for(20ms);
  EXPECT_FALSE(woke);
  clock.advance_to(200ms);
  sleeper.join();
  EXPECT_TRUE(woke);
}

TEST(LockstepClock, SleeperReturnsFalseOnStop) {
  LockstepClock clock(k_start);
  std::jthread sleeper([&](std::stop_token stop) { EXPECT_FALSE(clock.sleep_until(1h, stop)); });
  sleeper.request_stop();
}

TEST(RealtimeClock, FollowsTheWallFromItsStartTime) {
  RealtimeClock clock(k_start);
  std::this_thread::sleep_for(30ms);
  const auto now = clock.now();
  EXPECT_GE(now, 30ms);
  EXPECT_LT(now, 2s);
  EXPECT_GE(clock.wall_time(), k_start + 30ms);
}

TEST(RealtimeClock, TimersFireNoEarlierThanTheirDeadlineAndInOrder) {
  RealtimeClock clock(k_start);
  std::mutex mutex;
  std::vector<int> order;
  std::atomic<int> done{0};
  const auto base = clock.now();
  clock.call_at(base + 60ms, [&] {
    EXPECT_GE(clock.now(), base + 60ms);
    std::lock_guard lock(mutex);
    order.push_back(2);
    ++done;
  });
  clock.call_at(base + 20ms, [&] {
    EXPECT_GE(clock.now(), base + 20ms);
    std::lock_guard lock(mutex);
    order.push_back(1);
    ++done;
  });
  while (done < 2) std::this_thread::sleep_for(1ms);
  EXPECT_EQ(order, (std::vector<int>{1, 2}));
}

TEST(RealtimeClock, EarlierTimerAddedLaterIsNotDelayedByALaterOne) {
  RealtimeClock clock(k_start);
  std::atomic<bool> early_fired{false};
  clock.call_at(clock.now() + 10s, [] {});
  clock.call_at(clock.now() + 10ms, [&] { early_fired = true; });
  for (int i = 0; i < 500 && !early_fired; ++i) std::this_thread::sleep_for(2ms);
  EXPECT_TRUE(early_fired);
}

TEST(RealtimeClock, SleepUntilWaitsAndStops) {
  RealtimeClock clock(k_start);
  std::stop_source never;
  const auto deadline = clock.now() + 20ms;
  EXPECT_TRUE(clock.sleep_until(deadline, never.get_token()));
  EXPECT_GE(clock.now(), deadline);
  std::stop_source stopped;
  stopped.request_stop();
  EXPECT_FALSE(clock.sleep_until(clock.now() + 1h, stopped.get_token()));
}

TEST(SystemClock, WallTimeIsTheSystemTime) {
  SystemClock clock;
  const auto difference = clock.wall_time() - std::chrono::system_clock::now();
  EXPECT_LT(std::chrono::abs(difference), 1s);
}

}  // namespace
}  // namespace camrig::core
