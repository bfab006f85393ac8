#include <chrono>
#include <vector>

#include <gtest/gtest.h>

#include "sim/virtual_inputs.hpp"
#include "sim/virtual_relays.hpp"
#include "tests/support/lockstep_test_clock.hpp"

namespace camrig::sim {
namespace {

using namespace std::chrono_literals;
using test::LockstepTestClock;

struct Edge {
  int index;
  bool closed;
  hal::Nanos at;
};

TEST(VirtualInputs, NormallyOpenSensorClosesWhileActive) {
  LockstepTestClock clock;
  VirtualInputs inputs(clock, 2);
  std::vector<Edge> edges;
  inputs.on_edge([&](int index, bool closed, hal::Nanos at) { edges.push_back({index, closed, at}); });
  ASSERT_TRUE(inputs.attach(0, {SensorKind::pir, Wiring::normally_open, "PIR hall"}));
  EXPECT_FALSE(inputs.closed(0));
  EXPECT_TRUE(edges.empty());

  clock.advance_to(1500ms);
  ASSERT_TRUE(inputs.set_active(0, true));
  EXPECT_TRUE(inputs.closed(0));
  clock.advance_to(2250ms);
  ASSERT_TRUE(inputs.set_active(0, false));
  EXPECT_FALSE(inputs.closed(0));

  ASSERT_EQ(edges.size(), 2u);
  EXPECT_EQ(edges[0].index, 0);
  EXPECT_TRUE(edges[0].closed);
  EXPECT_EQ(edges[0].at, 1500ms);
  EXPECT_FALSE(edges[1].closed);
  EXPECT_EQ(edges[1].at, 2250ms);
  EXPECT_EQ(inputs.edge_count(0), 2);
}

TEST(VirtualInputs, NormallyClosedDoorContactOpensWhenDoorOpens) {
  LockstepTestClock clock;
  VirtualInputs inputs(clock, 2);
  std::vector<Edge> edges;
  inputs.on_edge([&](int index, bool closed, hal::Nanos at) { edges.push_back({index, closed, at}); });
  // Attaching a normally-closed contact closes the circuit: that is a real edge.
  ASSERT_TRUE(inputs.attach(1, {SensorKind::door_contact, Wiring::normally_closed, "door"}));
  EXPECT_TRUE(inputs.closed(1));
  ASSERT_EQ(edges.size(), 1u);
  EXPECT_TRUE(edges[0].closed);

  clock.advance_to(3s);
  ASSERT_TRUE(inputs.set_active(1, true));  // door opened
  EXPECT_FALSE(inputs.closed(1));
  EXPECT_TRUE(inputs.active(1));
  ASSERT_EQ(edges.size(), 2u);
  EXPECT_EQ(edges[1].index, 1);
  EXPECT_FALSE(edges[1].closed);
  EXPECT_EQ(edges[1].at, 3s);
}

TEST(VirtualInputs, RepeatedStateIsNotAnEdge) {
  LockstepTestClock clock;
  VirtualInputs inputs(clock, 1);
  int calls = 0;
  inputs.on_edge([&](int, bool, hal::Nanos) { ++calls; });
  ASSERT_TRUE(inputs.attach(0, {SensorKind::loop_detector, Wiring::normally_open, "loop 1"}));
  ASSERT_TRUE(inputs.set_active(0, true));
  ASSERT_TRUE(inputs.set_active(0, true));
  EXPECT_EQ(calls, 1);
}

TEST(VirtualInputs, BadIndexFailsAndReadsOpen) {
  LockstepTestClock clock;
  VirtualInputs inputs(clock, 2);
  auto result = inputs.set_active(2, true);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, ErrorCode::out_of_range);
  EXPECT_FALSE(inputs.closed(-1));
  EXPECT_EQ(inputs.count(), 2);
}

TEST(VirtualInputs, EmptyHandlerStopsNotifications) {
  LockstepTestClock clock;
  VirtualInputs inputs(clock, 1);
  int calls = 0;
  inputs.on_edge([&](int, bool, hal::Nanos) { ++calls; });
  ASSERT_TRUE(inputs.set_active(0, true));
  inputs.on_edge({});
  ASSERT_TRUE(inputs.set_active(0, false));
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(inputs.edge_count(0), 2);
}

TEST(VirtualRelays, RecordsChangesWithClockTime) {
  LockstepTestClock clock;
  VirtualRelays relays(clock, 2);
  clock.advance_to(1s);
  ASSERT_TRUE(relays.set(0, true));
  ASSERT_TRUE(relays.set(0, true));  // no change, no record
  clock.advance_to(1500ms);
  ASSERT_TRUE(relays.set(1, true));
  clock.advance_to(3s);
  ASSERT_TRUE(relays.set(0, false));

  const std::vector<RelayChange> expected{{1s, 0, true}, {1500ms, 1, true}, {3s, 0, false}};
  EXPECT_EQ(relays.history(), expected);
  EXPECT_FALSE(relays.closed(0));
  EXPECT_TRUE(relays.closed(1));

  const auto pulses0 = relays.pulses(0);
  ASSERT_EQ(pulses0.size(), 1u);
  EXPECT_EQ(pulses0[0].start, 1s);
  EXPECT_EQ(pulses0[0].width(), hal::Nanos(2s));
  const auto pulses1 = relays.pulses(1);
  ASSERT_EQ(pulses1.size(), 1u);
  EXPECT_FALSE(pulses1[0].end.has_value());

  relays.clear_history();
  EXPECT_TRUE(relays.history().empty());
}

TEST(VirtualRelays, ListenersSeeEveryChangeUntilRemoved) {
  LockstepTestClock clock;
  VirtualRelays relays(clock, 2);
  std::vector<RelayChange> seen;
  const auto id = relays.add_listener([&](const RelayChange& change) {
    // Listeners run outside the relays' lock: reading back is allowed.
    EXPECT_EQ(relays.closed(change.index), change.closed);
    seen.push_back(change);
  });
  clock.advance_to(200ms);
  ASSERT_TRUE(relays.set(1, true));
  relays.remove_listener(id);
  ASSERT_TRUE(relays.set(1, false));
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0], (RelayChange{200ms, 1, true}));
}

TEST(VirtualRelays, BadIndexFails) {
  LockstepTestClock clock;
  VirtualRelays relays(clock, 2);
  auto result = relays.set(5, true);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, ErrorCode::out_of_range);
  EXPECT_TRUE(relays.history().empty());
}

}  // namespace
}  // namespace camrig::sim
