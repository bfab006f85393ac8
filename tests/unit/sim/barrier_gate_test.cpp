#include "sim/barrier_gate.hpp"

#include <chrono>
#include <stdexcept>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "device/core/realtime_clock.hpp"
#include "tests/support/lockstep_test_clock.hpp"

namespace camrig::sim {
namespace {

using namespace std::chrono_literals;
using test::LockstepTestClock;

constexpr int k_open = 0;
constexpr int k_close = 1;

struct Rig {
  LockstepTestClock clock;
  VirtualRelays relays{clock, 2};
  BarrierGate gate{clock, relays, BarrierGateOptions{k_open, k_close, 100ms, 4s, 2s, true}};

  // A pulse of `width` on `relay` starting now; the clock ends at the pulse's end.
  void pulse(int relay, hal::Nanos width) {
    ASSERT_TRUE(relays.set(relay, true));
    clock.advance_to(clock.now() + width);
    ASSERT_TRUE(relays.set(relay, false));
  }
};

TEST(BarrierGate, StartsClosedAndNotPassable) {
  Rig rig;
  EXPECT_EQ(rig.gate.state(), BarrierState::closed);
  EXPECT_DOUBLE_EQ(rig.gate.position(), 0.0);
  EXPECT_FALSE(rig.gate.is_passable());
}

TEST(BarrierGate, OpenPulseOpensInOpeningTimeAfterTheDebounce) {
  Rig rig;
  rig.clock.advance_to(1s);
  rig.pulse(k_open, 500ms);  // 1.0 s .. 1.5 s; motion starts at 1.1 s
  EXPECT_EQ(rig.gate.state(), BarrierState::opening);
  EXPECT_NEAR(rig.gate.position(), 0.4 / 4.0, 1e-9);
  rig.clock.advance_to(3100ms);
  EXPECT_NEAR(rig.gate.position(), 0.5, 1e-9);
  EXPECT_FALSE(rig.gate.is_passable());
  rig.clock.advance_to(5100ms - 1ns);
  EXPECT_EQ(rig.gate.state(), BarrierState::opening);
  rig.clock.advance_to(5100ms);
  EXPECT_EQ(rig.gate.state(), BarrierState::open);
  EXPECT_TRUE(rig.gate.is_passable());
  EXPECT_DOUBLE_EQ(rig.gate.position(), 1.0);

  const std::vector<BarrierTransition> expected{
      {0s, BarrierState::closed}, {1100ms, BarrierState::opening}, {5100ms, BarrierState::open}};
  EXPECT_EQ(rig.gate.transitions(), expected);
}

TEST(BarrierGate, PulseShorterThanMinimumIsIgnored) {
  Rig rig;
  rig.pulse(k_open, 99ms);
  rig.clock.advance_to(10s);
  EXPECT_EQ(rig.gate.state(), BarrierState::closed);
  EXPECT_EQ(rig.gate.transitions().size(), 1u);
}

TEST(BarrierGate, ClosePulseClosesInClosingTime) {
  Rig rig;
  rig.pulse(k_open, 200ms);
  rig.clock.advance_to(10s);
  ASSERT_TRUE(rig.gate.is_passable());
  rig.pulse(k_close, 200ms);  // 10.0 .. 10.2 s, motion from 10.1 s
  EXPECT_EQ(rig.gate.state(), BarrierState::closing);
  rig.clock.advance_to(11100ms);
  EXPECT_NEAR(rig.gate.position(), 0.5, 1e-9);
  rig.clock.advance_to(12100ms);
  EXPECT_EQ(rig.gate.state(), BarrierState::closed);
  EXPECT_DOUBLE_EQ(rig.gate.position(), 0.0);
}

TEST(BarrierGate, CloseWhileOpeningReversesFromWhereTheBoomIs) {
  Rig rig;
  rig.pulse(k_open, 100ms);  // opening from 0.1 s, 4 s stroke
  rig.clock.advance_to(1700ms);  // position 0.4
  ASSERT_NEAR(rig.gate.position(), 0.4, 1e-9);
  rig.pulse(k_close, 100ms);  // effective at 1.8 s, position 0.425
  EXPECT_EQ(rig.gate.state(), BarrierState::closing);
  const double from = 1.7 / 4.0;
  // Closing from `from` takes from * 2 s.
  const auto closed_at = 1800ms + hal::Nanos(static_cast<long long>(from * 2e9 + 0.5));
  rig.clock.advance_to(closed_at - 1ms);
  EXPECT_EQ(rig.gate.state(), BarrierState::closing);
  EXPECT_GT(rig.gate.position(), 0.0);
  rig.clock.advance_to(closed_at);
  EXPECT_EQ(rig.gate.state(), BarrierState::closed);

  // And open while closing reverses again.
  rig.pulse(k_open, 100ms);
  rig.clock.advance_to(rig.clock.now() + 1s);
  rig.pulse(k_close, 100ms);
  EXPECT_EQ(rig.gate.state(), BarrierState::closing);
  rig.pulse(k_open, 100ms);
  EXPECT_EQ(rig.gate.state(), BarrierState::opening);
}

TEST(BarrierGate, RepeatedOpenDoesNotRestartTheMotion) {
  Rig rig;
  rig.pulse(k_open, 100ms);
  rig.clock.advance_to(2s);
  rig.pulse(k_open, 100ms);
  rig.clock.advance_to(4100ms);
  EXPECT_TRUE(rig.gate.is_passable());
  EXPECT_EQ(rig.gate.transitions().size(), 3u);
}

TEST(BarrierGate, AlwaysOpenHoldRefusesClose) {
  Rig rig;
  rig.gate.set_always_open(true);
  EXPECT_EQ(rig.gate.state(), BarrierState::opening);
  rig.clock.advance_to(4s);
  EXPECT_TRUE(rig.gate.is_passable());
  rig.pulse(k_close, 500ms);
  rig.clock.advance_to(10s);
  EXPECT_TRUE(rig.gate.is_passable());
  EXPECT_EQ(rig.gate.ignored_close_commands(), 1);

  // Releasing the hold leaves it up until a close command.
  rig.gate.set_always_open(false);
  rig.clock.advance_to(20s);
  EXPECT_TRUE(rig.gate.is_passable());
  rig.pulse(k_close, 100ms);
  rig.clock.advance_to(23s);
  EXPECT_EQ(rig.gate.state(), BarrierState::closed);
}

TEST(BarrierGate, HeldOpenPortHoldsTheBoomUp) {
  Rig rig;
  ASSERT_TRUE(rig.relays.set(k_open, true));  // held
  rig.clock.advance_to(6s);
  EXPECT_TRUE(rig.gate.is_passable());
  EXPECT_TRUE(rig.gate.always_open());
  rig.pulse(k_close, 200ms);
  rig.clock.advance_to(9s);
  EXPECT_TRUE(rig.gate.is_passable());
  ASSERT_TRUE(rig.relays.set(k_open, false));
  EXPECT_FALSE(rig.gate.always_open());
  rig.pulse(k_close, 200ms);
  rig.clock.advance_to(12s);
  EXPECT_EQ(rig.gate.state(), BarrierState::closed);
}

TEST(BarrierGate, SettableTimesApplyToTheNextMotion) {
  Rig rig;
  ASSERT_TRUE(rig.gate.set_opening_time(1s));
  EXPECT_FALSE(rig.gate.set_closing_time(0s));
  rig.gate.command_open();
  rig.clock.advance_to(1s);
  EXPECT_TRUE(rig.gate.is_passable());
  rig.gate.command_close();
  rig.clock.advance_to(3s);
  EXPECT_EQ(rig.gate.state(), BarrierState::closed);
}

TEST(BarrierGate, ListenerSeesTransitionsAtTheirClockTime) {
  Rig rig;
  std::vector<BarrierTransition> seen;
  rig.gate.set_listener([&](const BarrierTransition& t) { seen.push_back(t); });
  rig.pulse(k_open, 100ms);
  rig.clock.advance_to(10s);
  const std::vector<BarrierTransition> expected{{100ms, BarrierState::opening}, {4100ms, BarrierState::open}};
  EXPECT_EQ(seen, expected);
}

// On a realtime clock the debounce and arrival timers run on the clock's own thread.
TEST(BarrierGate, WorksOnARealtimeClock) {
  core::RealtimeClock clock(hal::WallTime{});
  VirtualRelays relays(clock, 2);
  BarrierGate gate(clock, relays, BarrierGateOptions{0, 1, 2ms, 20ms, 20ms, true});
  ASSERT_TRUE(relays.set(0, true));
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  while (!gate.is_passable() && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(1ms);
  EXPECT_TRUE(gate.is_passable());
  ASSERT_TRUE(relays.set(0, false));
  ASSERT_TRUE(relays.set(1, true));
  // state() follows the clock at once; the transition log is written by the clock's timer thread,
  // which a loaded machine may run late: wait for the log.
  while (gate.transitions().size() < 5 && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(1ms);
  EXPECT_EQ(gate.state(), BarrierState::closed);
  const auto log = gate.transitions();
  ASSERT_EQ(log.size(), 5u);
  EXPECT_EQ(log.back().state, BarrierState::closed);
  EXPECT_GE(log[2].at - log[1].at, 20ms);  // opening took the full stroke
}

TEST(BarrierGate, RejectsBadWiring) {
  LockstepTestClock clock;
  VirtualRelays relays(clock, 2);
  EXPECT_THROW(BarrierGate(clock, relays, BarrierGateOptions{0, 0}), std::invalid_argument);
  EXPECT_THROW(BarrierGate(clock, relays, BarrierGateOptions{0, 2}), std::invalid_argument);
}

}  // namespace
}  // namespace camrig::sim
