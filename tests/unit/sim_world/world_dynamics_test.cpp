#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "sim/barrier_gate.hpp"
#include "sim/virtual_inputs.hpp"
#include "sim/virtual_relays.hpp"
#include "sim/world/world.hpp"
#include "tests/support/lockstep_test_clock.hpp"

namespace camrig::sim {
namespace {

using namespace std::chrono_literals;
using test::LockstepTestClock;

WorldDescription parse(const std::string& text) {
  auto parsed = parse_world_description(text, "test.yaml");
  EXPECT_TRUE(parsed) << parsed.error().message;
  return parsed ? *parsed : WorldDescription{};
}

struct Harness {
  std::unique_ptr<World> world;
  std::vector<WorldEvent> events;

  explicit Harness(const WorldDescription& d, WorldIo io = {}) {
    auto created = World::create(d, io);
    EXPECT_TRUE(created) << created.error().message;
    world = std::move(*created);
    world->on_event([this](const WorldEvent& e) { events.push_back(e); });
  }

  std::vector<WorldEvent> of_kind(const std::string& kind) const {
    std::vector<WorldEvent> out;
    for (const auto& e : events)
      if (e.kind == kind) out.push_back(e);
    return out;
  }
};

const Actor* find(const WorldSnapshot& s, ActorKind kind, int nth = 0) {
  for (const auto& a : s.actors)
    if (a.kind == kind && nth-- == 0) return &a;
  return nullptr;
}

const char* k_two_walkers = R"(
scene: {type: plaza}
cameras: [{}]
lines: [{name: gate, a: [-2, 0], b: [2, 0], a_side: left}]
regions: [{name: square, polygon: [[-1, 2], [1, 2], [1, 4], [-1, 4]]}]
actors:
  - {name: north, kind: person, speed: 1, path: [[0, -5], [0, 6]]}
  - {name: south, kind: person, speed: 1, spawn: 20, path: [[0, 6], [0, -5]]}
)";

TEST(WorldDynamics, LineCrossingDirectionBothWays) {
  Harness run(parse(k_two_walkers));
  run.world->advance_to(40s);
  const auto crossings = run.of_kind("line_crossing");
  ASSERT_EQ(crossings.size(), 2u);
  // Side A is left of a->b (a->b runs along +x, so A is +y): walking north goes from B to A.
  EXPECT_EQ(crossings[0].direction, "B->A");
  EXPECT_EQ(crossings[0].name, "gate");
  EXPECT_EQ(crossings[0].actor, 1u);
  EXPECT_EQ(crossings[1].direction, "A->B");
  EXPECT_EQ(crossings[1].actor, 2u);
  // The first walker reaches y = 0 after 5 m at 1 m/s (plus the start from rest).
  EXPECT_NEAR(std::chrono::duration<double>(crossings[0].time).count(), 5.3, 0.2);
}

TEST(WorldDynamics, RegionEntranceAndExit) {
  Harness run(parse(k_two_walkers));
  run.world->advance_to(19s);
  const auto enter = run.of_kind("region_entrance");
  const auto exit = run.of_kind("region_exit");
  ASSERT_EQ(enter.size(), 1u);
  ASSERT_EQ(exit.size(), 1u);
  EXPECT_EQ(enter[0].name, "square");
  EXPECT_EQ(enter[0].actor, 1u);
  // 2 m across the region at 1 m/s.
  EXPECT_NEAR(std::chrono::duration<double>(exit[0].time - enter[0].time).count(), 2.0, 0.05);
  // Both walkers have left the world at the ends of their paths.
  run.world->advance_to(40s);
  EXPECT_TRUE(run.world->snapshot().actors.empty());
}

TEST(WorldDynamics, LoopDrivesAlarmInputsNormallyOpenAndClosed) {
  LockstepTestClock clock;
  VirtualInputs inputs(clock, 2);
  Harness run(parse(R"(
scene: {type: road, lanes: 1}
cameras: [{}]
loops:
  - {name: no loop, polygon: [[-1, 20], [1, 20], [1, 22], [-1, 22]], input: 0, wiring: NO}
  - {name: nc loop, polygon: [[-1, 20], [1, 20], [1, 22], [-1, 22]], input: 1, wiring: NC}
actors:
  - {kind: car, lane: 0, speed: 10}
)"),
          WorldIo{&inputs, nullptr});
  EXPECT_EQ(inputs.sensor(0).kind, SensorKind::loop_detector);
  EXPECT_EQ(inputs.sensor(1).wiring, Wiring::normally_closed);
  EXPECT_FALSE(inputs.closed(0));
  EXPECT_TRUE(inputs.closed(1));
  // Attaching the NC loop already changed its terminal's level once.
  const int edges_before[] = {inputs.edge_count(0), inputs.edge_count(1)};
  bool seen_occupied = false;
  for (hal::Nanos t = 0s; t < 30s; t += 100ms) {
    run.world->advance_to(t);
    const auto snap = run.world->snapshot();
    const Actor* car = find(snap, ActorKind::car);
    // Occupied exactly while the 4.5 m car overlaps y 20..22.
    const bool over = car && car->position.y - 2.25 <= 22 && car->position.y + 2.25 >= 20;
    EXPECT_EQ(inputs.active(0), over) << "car at " << (car ? car->position.y : -1);
    EXPECT_EQ(inputs.closed(0), over);
    EXPECT_EQ(inputs.closed(1), !over);
    seen_occupied = seen_occupied || over;
  }
  EXPECT_TRUE(seen_occupied);
  EXPECT_EQ(inputs.edge_count(0) - edges_before[0], 2);
  EXPECT_EQ(inputs.edge_count(1) - edges_before[1], 2);
  const auto occupied = run.of_kind("loop_occupied");
  const auto vacated = run.of_kind("loop_vacated");
  ASSERT_EQ(occupied.size(), 2u);  // one per loop
  ASSERT_EQ(vacated.size(), 2u);
  EXPECT_EQ(occupied[0].name, "no loop");
  EXPECT_EQ(occupied[0].actor, 1u);
  EXPECT_EQ(vacated[0].actor, 1u);
  EXPECT_LT(occupied[0].time, vacated[0].time);
}

TEST(WorldDynamics, LoopOnAMissingInputIsRefused) {
  LockstepTestClock clock;
  VirtualInputs inputs(clock, 1);
  auto created = World::create(parse(R"(
scene: {type: road}
cameras: [{}]
loops: [{name: far loop, polygon: [[0, 0], [1, 0], [1, 1]], input: 3}]
)"),
                               WorldIo{&inputs, nullptr});
  ASSERT_FALSE(created);
  EXPECT_NE(created.error().message.find("loop 'far loop' drives alarm input 3"), std::string::npos)
      << created.error().message;
}

TEST(WorldDynamics, VehiclesQueueAtAClosedBarrierAndDriveOnWhenItOpens) {
  LockstepTestClock clock;
  VirtualRelays relays(clock, 2);
  BarrierGate gate(clock, relays);
  Harness run(parse(R"(
scene: {type: gate_lane, barrier_y: 12, end_y: 100}
cameras: [{}]
actors:
  - {name: first, kind: car, lane: 0, speed: 8, plate: {text: FIRST1}}
  - {name: second, kind: car, lane: 0, speed: 8, spawn: 3}
)"),
          WorldIo{nullptr, &gate});
  auto advance = [&](hal::Nanos t) {
    for (hal::Nanos now = run.world->time(); now < t; now += 10ms) {
      clock.advance_to(now + 10ms);
      run.world->advance_to(now + 10ms);
    }
  };
  advance(30s);
  auto snap = run.world->snapshot();
  EXPECT_DOUBLE_EQ(snap.barrier_position, 0.0);
  ASSERT_EQ(snap.actors.size(), 2u);
  const Actor& first = snap.actors[0];
  const Actor& second = snap.actors[1];
  // The first stops with its bumper about 1 m before the arm; the second keeps a gap behind it.
  EXPECT_NEAR(first.position.y - first.length / 2, 13.0, 0.1);
  EXPECT_NEAR(first.velocity.y, 0.0, 1e-9);
  const double gap = (second.position.y - second.length / 2) - (first.position.y + first.length / 2);
  EXPECT_GT(gap, 1.5);
  EXPECT_LT(gap, 3.5);
  EXPECT_NEAR(second.velocity.y, 0.0, 1e-9);

  gate.command_open();
  advance(32s);  // still opening: nobody moves
  EXPECT_NEAR(run.world->snapshot().actors[0].position.y, first.position.y, 1e-9);
  advance(45s);
  snap = run.world->snapshot();
  EXPECT_DOUBLE_EQ(snap.barrier_position, 1.0);
  for (const auto& a : snap.actors) EXPECT_LT(a.position.y, 12.0) << a.id;
  advance(60s);
  EXPECT_TRUE(run.world->snapshot().actors.empty());
}

TEST(WorldDynamics, AQueueBackToTheEntryHoldsBackNewVehicles) {
  LockstepTestClock clock;
  VirtualRelays relays(clock, 2);
  BarrierGate gate(clock, relays);  // never opened
  Harness run(parse(R"(
scene: {type: gate_lane, barrier_y: 12, end_y: 50}
cameras: [{}]
actors: [{kind: car, lane: 0, speed: 6, every: 0.5, count: 20}]
)"),
              WorldIo{nullptr, &gate});
  std::uint32_t highest = 0;
  for (hal::Nanos t = 0s; t <= 60s; t += 100ms) {
    run.world->advance_to(t);
    const auto snap = run.world->snapshot();
    for (std::size_t i = 1; i < snap.actors.size(); ++i) {
      const double gap = std::abs(snap.actors[i].position.y - snap.actors[i - 1].position.y) - 4.5;
      ASSERT_GT(gap, 1.0) << "cars " << snap.actors[i - 1].id << " and " << snap.actors[i].id << " at " << t.count();
    }
    for (const auto& a : snap.actors) highest = std::max(highest, a.id);
  }
  // 38 m of lane before the stop point hold 5 cars at 7 m each; the rest wait to enter.
  EXPECT_GE(highest, 5u);
  EXPECT_LE(highest, 6u);
  EXPECT_EQ(run.world->snapshot().actors.size(), highest);
}

TEST(WorldDynamics, RespawnsOnItsPeriodUpToCount) {
  Harness run(parse(R"(
scene: {type: plaza}
cameras: [{}]
actors: [{kind: person, speed: 2, path: [[0, 0], [0, 3]], every: 2, count: 3}]
)"));
  run.world->advance_to(0s);
  ASSERT_EQ(run.world->snapshot().actors.size(), 1u);  // due at 0: there from the first frame
  std::set<std::uint32_t> ids;
  for (hal::Nanos t = 0s; t <= 20s; t += 50ms) {
    run.world->advance_to(t);
    for (const auto& a : run.world->snapshot().actors) ids.insert(a.id);
  }
  EXPECT_EQ(ids, (std::set<std::uint32_t>{1, 2, 3}));
  EXPECT_TRUE(run.world->snapshot().actors.empty());
}

TEST(WorldDynamics, APersonWithAnAppearanceComesBackWithTheSameFace) {
  Harness run(parse(R"(
scene: {type: plaza}
cameras: [{}]
actors:
  - {kind: person, speed: 2, path: [[0, 0], [0, 3]], every: 2, count: 2, appearance: 77}
  - {kind: person, speed: 2, path: [[2, 0], [2, 3]], every: 2, count: 2}
)"));
  std::map<std::uint32_t, std::uint64_t> faces;  // actor -> appearance
  for (hal::Nanos t = 0s; t <= 10s; t += 50ms) {
    run.world->advance_to(t);
    for (const auto& a : run.world->snapshot().actors) faces[a.id] = a.appearance;
  }
  ASSERT_EQ(faces.size(), 4u);
  EXPECT_EQ(std::count_if(faces.begin(), faces.end(), [](const auto& f) { return f.second == 77; }), 2);
  std::set<std::uint64_t> others;
  for (const auto& [id, face] : faces)
    if (face != 77) others.insert(face);
  EXPECT_EQ(others.size(), 2u) << "without an appearance every spawn is someone new";
}

TEST(WorldDynamics, WithoutAGateTheBarrierIsUpAndTrafficFlows) {
  Harness run(parse(R"(
scene: {type: gate_lane, barrier_y: 12, end_y: 60}
cameras: [{}]
actors: [{kind: car, lane: 0, speed: 8}]
)"));
  run.world->advance_to(8s);
  const auto snap = run.world->snapshot();
  EXPECT_DOUBLE_EQ(snap.barrier_position, 1.0);
  ASSERT_EQ(snap.actors.size(), 1u);
  EXPECT_LT(snap.actors[0].position.y, 12.0);
}

TEST(WorldDynamics, StopsWaitsAndReverses) {
  Harness run(parse(R"(
scene: {type: road, lanes: 1}
cameras: [{}]
actors:
  - kind: car
    speed: 5
    path: [[0, 40], {at: [0, 20], wait: 3}, {at: [0, 30], reverse: true, speed: 2}]
)"));
  run.world->advance_to(7s);
  const Actor before = run.world->snapshot().actors.at(0);
  EXPECT_NEAR(before.position.y, 20.0, 0.01);  // 20 m at 5 m/s with acceleration and braking
  EXPECT_NEAR(std::cos(before.heading), -1.0, 1e-6);  // bonnet towards -y
  run.world->advance_to(8s);
  EXPECT_NEAR(run.world->snapshot().actors.at(0).position.y, 20.0, 0.01);  // still waiting
  run.world->advance_to(14s);
  const Actor reversing = run.world->snapshot().actors.at(0);
  EXPECT_GT(reversing.position.y, 22.0);
  EXPECT_GT(reversing.velocity.y, 0.5);               // moving towards +y ...
  EXPECT_NEAR(std::cos(reversing.heading), -1.0, 1e-6);  // ... while still facing -y
  run.world->advance_to(30s);
  EXPECT_TRUE(run.world->snapshot().actors.empty());
}

TEST(WorldDynamics, PeopleWalkWithGaitPhaseAndFacing) {
  Harness run(parse(R"(
scene: {type: plaza}
cameras: [{}]
actors:
  - {kind: person, speed: 1.5, path: [[0, 20], [0, 0]]}
  - {kind: person, speed: 1.5, facing: backwards, path: [[3, 20], [3, 0]]}
)"));
  run.world->advance_to(4s);
  const auto snap = run.world->snapshot();
  ASSERT_EQ(snap.actors.size(), 2u);
  EXPECT_NEAR(std::cos(snap.actors[0].heading), -1.0, 1e-6);  // facing the way it walks (-y)
  EXPECT_NEAR(std::cos(snap.actors[1].heading), 1.0, 1e-6);
  EXPECT_NEAR(snap.actors[0].velocity.y, -1.5, 1e-9);
  EXPECT_GE(snap.actors[0].walk_phase, 0.0);
  EXPECT_LT(snap.actors[0].walk_phase, 1.0);
  run.world->advance_to(4500ms);
  EXPECT_NE(run.world->snapshot().actors[0].walk_phase, snap.actors[0].walk_phase);
  EXPECT_GT(snap.actors[0].height, 1.5);
}

TEST(WorldDynamics, ObjectsLeftAndRemovedAndSceneEvents) {
  Harness run(parse(R"(
scene: {type: plaza}
cameras: [{}]
lighting: {mode: day}
actors:
  - {name: left bag, kind: bag, position: [1, 10], spawn: 2, removed: 5}
events:
  - {at: 1, kind: light_switch, mode: night_ir, level: 0.5}
  - {at: 3, kind: camera_covered, amount: 0.8}
  - {at: 4, kind: camera_uncovered}
  - {at: 4, kind: camera_moved, pan: 10, tilt: -3}
  - {at: 6, kind: defocus, pixels: 5}
)"));
  run.world->advance_to(3500ms);
  auto snap = run.world->snapshot();
  ASSERT_EQ(snap.actors.size(), 1u);
  EXPECT_EQ(snap.actors[0].kind, ActorKind::bag);
  EXPECT_EQ(snap.actors[0].position, (Vec3{1, 10, 0}));
  EXPECT_EQ(snap.lighting.mode, LightingMode::night_ir);
  EXPECT_DOUBLE_EQ(snap.lighting.level, 0.5);
  EXPECT_DOUBLE_EQ(snap.effects.covered, 0.8);
  run.world->advance_to(10s);
  snap = run.world->snapshot();
  EXPECT_TRUE(snap.actors.empty());
  EXPECT_DOUBLE_EQ(snap.effects.covered, 0.0);
  EXPECT_DOUBLE_EQ(snap.effects.pan_offset_degrees, 10.0);
  EXPECT_DOUBLE_EQ(snap.effects.tilt_offset_degrees, -3.0);
  EXPECT_DOUBLE_EQ(snap.effects.defocus_pixels, 5.0);
  std::vector<std::string> kinds;
  for (const auto& e : run.events) kinds.push_back(fmt::format("{}@{}", e.kind, e.time.count() / 1000000));
  EXPECT_EQ(kinds, (std::vector<std::string>{"light_switch@1000", "object_left@2000", "camera_covered@3000",
                                             "camera_uncovered@4000", "camera_moved@4000", "object_removed@5000",
                                             "defocus@6000"}));
}

// FNV-1a over everything a snapshot and the events say, printed with full precision.
std::uint64_t run_hash(std::uint64_t seed, hal::Nanos duration) {
  auto description = builtin_scene("default");
  EXPECT_TRUE(description);
  description->seed = seed;
  Harness run(*description);
  std::string text;
  for (hal::Nanos t = 0s; t <= duration; t += 40ms) {
    run.world->advance_to(t);
    const auto snap = run.world->snapshot();
    text += fmt::format("{};", snap.time.count());
    for (const auto& a : snap.actors)
      text += fmt::format("{} {} {:.17g} {:.17g} {:.17g} {} {} {} {};", a.id, to_string(a.kind), a.position.x,
                          a.position.y, a.heading, a.appearance, a.colour.r, a.plate ? a.plate->text : "",
                          a.walk_phase);
  }
  for (const auto& e : run.events) text += fmt::format("{} {} {} {} {};", e.time.count(), e.kind, e.name, e.actor, e.direction);
  std::uint64_t hash = 1469598103934665603ULL;
  for (const unsigned char c : text) hash = (hash ^ c) * 1099511628211ULL;
  return hash;
}

TEST(WorldDynamics, SameSeedSameRunOtherSeedOtherRun) {
  const auto a = run_hash(7, 60s);
  EXPECT_EQ(a, run_hash(7, 60s));
  EXPECT_NE(a, run_hash(8, 60s));
}

TEST(WorldDynamics, AdvancingInBigOrSmallStepsIsTheSame) {
  auto description = builtin_scene("network-camera");
  ASSERT_TRUE(description);
  Harness coarse(*description), fine(*description);
  coarse.world->advance_to(30s);
  for (hal::Nanos t = 0s; t <= 30s; t += 33ms) fine.world->advance_to(t);
  fine.world->advance_to(30s);
  const auto a = coarse.world->snapshot(), b = fine.world->snapshot();
  ASSERT_EQ(a.actors.size(), b.actors.size());
  ASSERT_FALSE(a.actors.empty());
  for (std::size_t i = 0; i < a.actors.size(); ++i) EXPECT_EQ(a.actors[i].position, b.actors[i].position);
  EXPECT_EQ(coarse.events.size(), fine.events.size());
}

}  // namespace
}  // namespace camrig::sim
