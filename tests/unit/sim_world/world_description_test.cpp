#include "sim/world/world_description.hpp"

#include <gtest/gtest.h>

#include "sim/world/scene_layouts.hpp"
#include "sim/world/world.hpp"

namespace camrig::sim {
namespace {

using namespace std::chrono_literals;

constexpr const char* k_full = R"(seed: 42
scene:
  type: gate_lane
  barrier_y: 10
  sidewalk_width: 2
cameras:
  - name: lpr
    position: [3, 0]
    height: 5
    pan: -6
    tilt: 20
    fov: 35
    resolution: [1280, 720]
    fps: 30
lighting: {mode: dusk, level: 0.8}
weather: {sensor_noise: 3, motion_blur: 0.5, rain: 0.2, fog: 0.1, compression_quality: 60}
lines:
  - {name: entry, a: [-2, 20], b: [2, 20], a_side: right}
regions:
  - {name: zone, polygon: [[0, 0], [1, 0], [1, 1]]}
loops:
  - {name: loop 1, polygon: [[-1, 11], [1, 11], [1, 14], [-1, 14]], input: 1, wiring: NC}
actors:
  - name: car one
    kind: car
    colour: "#102030"
    plate: {text: AB-123-CD, format: eu, front: false}
    spawn: 1.5
    every: 10
    jitter: 2
    count: 3
    path: [[0, 50], {at: [0, 12], wait: 4}, {at: [0, 40], reverse: true, speed: 3}]
  - {kind: person, path: [[-3, 30], [-3, 0]], facing: 90}
  - {kind: bag, position: [1, 2], spawn: 5, removed: 20}
  - {kind: van, lane: 0, queue: false}
events:
  - {at: 30, kind: light_switch, mode: night_ir}
  - {at: 10, kind: camera_covered, amount: 0.7}
  - {at: 12, kind: camera_moved, pan: 5, tilt: -2, name: knocked}
  - {at: 14, kind: defocus, pixels: 3}
)";

TEST(WorldDescription, ParsesEveryPart) {
  auto parsed = parse_world_description(k_full, "full.yaml");
  ASSERT_TRUE(parsed) << parsed.error().message;
  const WorldDescription& d = *parsed;
  EXPECT_EQ(d.source, "full.yaml");
  EXPECT_EQ(d.seed, 42u);
  EXPECT_EQ(parse_world_description("seed: 18446744073709551615\nscene: {type: road}\ncameras: [{}]", "s")->seed,
            18446744073709551615u);
  EXPECT_EQ(d.scene.type, SceneType::gate_lane);
  EXPECT_EQ(d.scene.lanes, 1);
  EXPECT_DOUBLE_EQ(d.scene.barrier_y, 10);
  ASSERT_EQ(d.cameras.size(), 1u);
  EXPECT_EQ(d.cameras[0].name, "lpr");
  EXPECT_DOUBLE_EQ(d.cameras[0].pose.position.z, 5);
  EXPECT_DOUBLE_EQ(d.cameras[0].pose.horizontal_fov_degrees, 35);
  EXPECT_EQ(d.cameras[0].pose.width, 1280);
  EXPECT_DOUBLE_EQ(d.cameras[0].fps, 30);
  EXPECT_EQ(d.lighting.mode, LightingMode::dusk);
  EXPECT_EQ(d.weather.compression_quality, 60);
  ASSERT_EQ(d.lines.size(), 1u);
  EXPECT_FALSE(d.lines[0].a_on_left);
  ASSERT_EQ(d.loops.size(), 1u);
  EXPECT_EQ(d.loops[0].wiring, Wiring::normally_closed);
  EXPECT_EQ(d.loops[0].input, 1);
  ASSERT_EQ(d.actors.size(), 4u);
  const ActorDescription& car = d.actors[0];
  EXPECT_EQ(car.name, "car one");
  EXPECT_EQ(car.colour, (Rgb{0x10, 0x20, 0x30}));
  ASSERT_TRUE(car.plate);
  EXPECT_EQ(car.plate->text, "AB-123-CD");
  EXPECT_FALSE(car.plate->front);
  EXPECT_EQ(car.spawn, 1500ms);
  EXPECT_EQ(car.every, 10s);
  EXPECT_EQ(car.count, 3);
  ASSERT_EQ(car.path.size(), 3u);
  EXPECT_EQ(car.path[1].wait, 4s);
  EXPECT_TRUE(car.path[2].reverse);
  EXPECT_EQ(car.path[2].speed, 3.0);
  EXPECT_EQ(d.actors[1].name, "actors[1]");
  EXPECT_EQ(d.actors[1].facing, Facing::fixed);
  EXPECT_DOUBLE_EQ(d.actors[1].speed, 1.4);
  EXPECT_EQ(d.actors[2].removed, std::optional<hal::Nanos>(20s));
  EXPECT_EQ(d.actors[3].lane, 0);
  EXPECT_FALSE(d.actors[3].queue);
  // Events come out in time order whatever the file's order.
  ASSERT_EQ(d.events.size(), 4u);
  EXPECT_EQ(d.events[0].kind, SceneEvent::Kind::camera_covered);
  EXPECT_EQ(d.events[1].name, "knocked");
  EXPECT_EQ(d.events[3].kind, SceneEvent::Kind::light_switch);
  EXPECT_EQ(d.events[3].mode, LightingMode::night_ir);
}

TEST(WorldDescription, JsonIsAcceptedToo) {
  auto parsed = parse_world_description(
      R"({"scene": {"type": "plaza"}, "cameras": [{"height": 8}], "actors": [{"kind": "person", "path": [[0, 0], [5, 5]]}]})",
      "world.json");
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_EQ(parsed->scene.type, SceneType::plaza);
  EXPECT_EQ(parsed->actors.size(), 1u);
}

// Each bad document, and what its error must say (file:line:column first).
struct BadCase {
  const char* text;
  const char* expected;
};

class WorldDescriptionErrors : public testing::TestWithParam<BadCase> {};

TEST_P(WorldDescriptionErrors, NameFileLineAndCulprit) {
  auto parsed = parse_world_description(GetParam().text, "bad.yaml");
  ASSERT_FALSE(parsed);
  EXPECT_EQ(parsed.error().code, ErrorCode::invalid_argument);
  EXPECT_NE(parsed.error().message.find(GetParam().expected), std::string::npos) << parsed.error().message;
}

INSTANTIATE_TEST_SUITE_P(
    Cases, WorldDescriptionErrors,
    testing::Values(
        BadCase{"scene: {type: road}\ncameras: [{}]\nactors:\n  - kind: car\n    spede: 3\n    lane: 0\n",
                "bad.yaml:5:5: unknown key 'spede' in actors[0]"},
        BadCase{"scene: {type: highway}\ncameras: [{}]\n", "bad.yaml:1:15: scene.type 'highway' is not one of"},
        BadCase{"scene:\n  type: road\ncameras:\n  - fov: wide\n", "bad.yaml:4:10: cameras[0].fov must be a number, not 'wide'"},
        BadCase{"scene: {type: road}\ncameras:\n  - fov: 200\n", "bad.yaml:3:10: cameras[0].fov = 200 is outside [1, 170]"},
        BadCase{"scene: {type: road}\n", "bad.yaml:1:1: 'cameras' must list at least one camera"},
        BadCase{"scene: {type: road}\ncameras: [{}]\nloops:\n  - {name: l, polygon: [[0, 0], [1, 1]], input: 0}\n",
                "bad.yaml:4:24: loops[0].polygon must be a list of at least 3 points"},
        BadCase{"scene: {type: road}\ncameras: [{}]\nloops:\n  - {name: l, polygon: [[0,0],[1,0],[1,1]], input: 0, wiring: "
                "XX}\n",
                "loops[0].wiring 'XX' is not one of: NO, NC"},
        BadCase{"scene: {type: road}\ncameras: [{}]\nactors:\n  - {kind: person}\n", "bad.yaml:4:5: actors[0] needs a path"},
        BadCase{"scene: {type: road}\ncameras: [{}]\nactors:\n  - {kind: person, plate: {text: X}, path: [[0,0],[1,1]]}\n",
                "only vehicles carry a plate"},
        BadCase{"scene: {type: road}\ncameras: [{}]\nactors:\n  - {kind: car, lane: 0, appearance: 7}\n",
                "only people turn their head, wear glasses or have an appearance"},
        BadCase{"scene: {type: road}\ncameras: [{}]\nactors:\n  - {kind: car, lane: 0, plate: {text: ab-12}}\n",
                "actors[0].plate.text 'ab-12' must be at most 12 upper-case"},
        BadCase{"scene: {type: road}\ncameras: [{}]\nlines:\n  - {name: x, a: [0, 0], b: [1, 0]}\n  - {name: x, a: [0, 1], b: "
                "[1, 1]}\n",
                "bad.yaml:5:5: lines[1] repeats the name 'x' of lines[0]"},
        BadCase{"scene: {type: road}\ncameras: [{}]\nevents:\n  - {at: 3, kind: defocus, mode: day}\n",
                "'mode' applies to light_switch events only"},
        BadCase{"seed: -1\nscene: {type: road}\ncameras: [{}]\n", "bad.yaml:1:7: seed must be a whole number"},
        BadCase{"seed: 1.5\nscene: {type: road}\ncameras: [{}]\n", "seed must be a whole number from 0 to 2^64-1, not '1.5'"},
        BadCase{"scene: {type: road\ncameras: [{}]\n", "bad.yaml:2:8: not valid YAML"}));

TEST(WorldDescription, MissingFileIsAnIoError) {
  auto loaded = load_world_description("/nonexistent/world.yaml");
  ASSERT_FALSE(loaded);
  EXPECT_EQ(loaded.error().code, ErrorCode::io_error);
  EXPECT_NE(loaded.error().message.find("/nonexistent/world.yaml"), std::string::npos);
}

TEST(WorldDescription, BuiltinScenesParseAndBuildWorlds) {
  const auto names = builtin_scene_names();
  EXPECT_EQ(names, (std::vector<std::string>{"default", "lpr-camera", "network-camera", "smart-linkage-ptz"}));
  for (const auto& name : names) {
    auto scene = builtin_scene(name);
    ASSERT_TRUE(scene) << name << ": " << scene.error().message;
    auto world = World::create(*scene);
    ASSERT_TRUE(world) << name << ": " << world.error().message;
    EXPECT_FALSE((*world)->layout().ground.empty()) << name;
    EXPECT_EQ((*world)->cameras().size(), scene->cameras.size());
    // The built-in scenes run for ever: actors keep coming after five minutes.
    (*world)->advance_to(std::chrono::minutes(5));
    EXPECT_FALSE((*world)->snapshot().actors.empty()) << name;
  }
  EXPECT_EQ(builtin_scene("nope").error().code, ErrorCode::not_found);
}

TEST(SceneLayouts, GateLaneHasLaneStopLineBarrierAndLoop) {
  auto parsed = parse_world_description(k_full, "full.yaml");
  ASSERT_TRUE(parsed);
  const SceneLayout layout = build_scene_layout(*parsed);
  EXPECT_EQ(layout.type, SceneType::gate_lane);
  ASSERT_TRUE(layout.barrier);
  // The arm spans the 3.5 m lane from a post beside it, at the barrier's y.
  EXPECT_DOUBLE_EQ(layout.barrier->pivot.y, 10);
  EXPECT_GT(layout.barrier->pivot.x, 1.75);
  EXPECT_GE(layout.barrier->arm_length, 3.5);
  auto count = [&](Surface s) {
    return std::count_if(layout.ground.begin(), layout.ground.end(), [&](const GroundPatch& p) { return p.surface == s; });
  };
  EXPECT_EQ(count(Surface::asphalt), 1);
  EXPECT_EQ(count(Surface::sidewalk), 2);
  EXPECT_EQ(count(Surface::stop_line), 1);
  EXPECT_EQ(count(Surface::loop_marking), 4);  // one saw-cut per side of the loop
  const auto lanes = lane_lines(parsed->scene);
  ASSERT_EQ(lanes.size(), 1u);
  EXPECT_EQ(lanes[0].direction, LaneDirection::towards);
  EXPECT_GT(lanes[0].start.y, lanes[0].end.y);
}

TEST(SceneLayouts, RoadLanesAndEntranceDoor) {
  WorldDescription road;
  road.scene.type = SceneType::road;
  road.scene.lanes = 4;
  const auto lanes = lane_lines(road.scene);
  ASSERT_EQ(lanes.size(), 4u);
  EXPECT_DOUBLE_EQ(lanes[1].start.x - lanes[0].start.x, 3.5);
  EXPECT_EQ(lanes[1].direction, LaneDirection::towards);
  EXPECT_EQ(lanes[2].direction, LaneDirection::away);

  WorldDescription entrance;
  entrance.scene.type = SceneType::building_entrance;
  entrance.scene.door_x = 2;
  const SceneLayout layout = build_scene_layout(entrance);
  ASSERT_EQ(layout.walls.size(), 1u);
  ASSERT_TRUE(layout.walls[0].door);
  EXPECT_DOUBLE_EQ(layout.walls[0].a.x + layout.walls[0].door->offset + layout.walls[0].door->width / 2, 2);
  EXPECT_FALSE(layout.barrier);
}

}  // namespace
}  // namespace camrig::sim
