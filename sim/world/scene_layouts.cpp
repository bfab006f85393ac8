#include "sim/world/scene_layouts.hpp"

#include <cmath>
#include <numbers>

namespace camrig::sim {
namespace {

constexpr double k_marking_width = 0.15;  // lane and edge lines
constexpr double k_dash = 3.0;            // dashed lane divider: 3 m line, 6 m gap
constexpr double k_gap = 6.0;
constexpr double k_stop_line_depth = 0.4;
constexpr double k_loop_cut_width = 0.08;  // a loop's saw-cut, seen as a dark line

Polygon2 rect(double x0, double y0, double x1, double y1) { return {{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}}; }

double road_width(const SceneDescription& scene) { return scene.lanes * scene.lane_width; }
double road_left(const SceneDescription& scene) { return scene.centre_x - road_width(scene) / 2.0; }

LaneDirection direction_of(const SceneDescription& scene, int lane) {
  if (lane < static_cast<int>(scene.lane_directions.size())) return scene.lane_directions[lane];
  // Right-hand traffic: vehicles approaching a camera that looks along +y keep to its left.
  return lane < (scene.lanes + 1) / 2 ? LaneDirection::towards : LaneDirection::away;
}

void add_road(const SceneDescription& scene, SceneLayout& layout) {
  const double left = road_left(scene);
  const double right = left + road_width(scene);
  layout.ground.push_back({Surface::asphalt, rect(left, scene.start_y, right, scene.end_y)});
  if (scene.sidewalk_width > 0) {
    layout.ground.push_back({Surface::sidewalk, rect(left - scene.sidewalk_width, scene.start_y, left, scene.end_y)});
    layout.ground.push_back(
        {Surface::sidewalk, rect(right, scene.start_y, right + scene.sidewalk_width, scene.end_y)});
  }
  // Edge lines inset from the kerb.
  const double inset = 0.25;
  layout.ground.push_back(
      {Surface::lane_marking, rect(left + inset, scene.start_y, left + inset + k_marking_width, scene.end_y)});
  layout.ground.push_back(
      {Surface::lane_marking, rect(right - inset - k_marking_width, scene.start_y, right - inset, scene.end_y)});
  // Between lanes: solid where the direction changes, dashed between lanes going the same way.
  for (int lane = 1; lane < scene.lanes; ++lane) {
    const double x = left + lane * scene.lane_width - k_marking_width / 2.0;
    if (direction_of(scene, lane - 1) != direction_of(scene, lane)) {
      layout.ground.push_back({Surface::lane_marking, rect(x, scene.start_y, x + k_marking_width, scene.end_y)});
      continue;
    }
    for (double y = scene.start_y; y < scene.end_y; y += k_dash + k_gap)
      layout.ground.push_back(
          {Surface::lane_marking, rect(x, y, x + k_marking_width, std::min(y + k_dash, scene.end_y))});
  }
}

void add_gate(const SceneDescription& scene, SceneLayout& layout) {
  layout.barrier = barrier_geometry(scene);
  // The stop line sits 1 m before the boom for approaching traffic, over the lanes that approach.
  const double left = road_left(scene);
  for (int lane = 0; lane < scene.lanes; ++lane) {
    const double x0 = left + lane * scene.lane_width;
    const double y = direction_of(scene, lane) == LaneDirection::towards ? scene.barrier_y + 1.0
                                                                          : scene.barrier_y - 1.0 - k_stop_line_depth;
    layout.ground.push_back({Surface::stop_line, rect(x0 + 0.1, y, x0 + scene.lane_width - 0.1, y + k_stop_line_depth)});
  }
  // The island that carries the barrier post.
  const double right = left + road_width(scene);
  layout.ground.push_back({Surface::paving, rect(right, scene.barrier_y - 1.0, right + 0.8, scene.barrier_y + 1.0)});
}

void add_plaza(const SceneDescription& scene, SceneLayout& layout) {
  const double half = scene.plaza_size / 2.0;
  const double x0 = scene.centre_x - half, x1 = scene.centre_x + half;
  const double y0 = scene.start_y, y1 = scene.start_y + scene.plaza_size;
  layout.ground.push_back({Surface::paving, rect(x0, y0, x1, y1)});
  // Two planted beds break up the square; people walk around them.
  const double bed = std::min(4.0, scene.plaza_size / 8.0);
  layout.ground.push_back({Surface::grass, rect(x0 + bed, y1 - 3 * bed, x0 + 2 * bed, y1 - 2 * bed)});
  layout.ground.push_back({Surface::grass, rect(x1 - 2 * bed, y1 - 3 * bed, x1 - bed, y1 - 2 * bed)});
  layout.walls.push_back({{x0, y1}, {x1, y1}, 8.0, {170, 160, 150}, std::nullopt});
}

void add_entrance(const SceneDescription& scene, SceneLayout& layout) {
  const double half = scene.plaza_size / 2.0;
  const double x0 = scene.centre_x - half, x1 = scene.centre_x + half;
  layout.ground.push_back({Surface::paving, rect(x0, scene.start_y, x1, scene.wall_y)});
  // A sidewalk along the facade and a mat-like floor patch in front of the door.
  layout.ground.push_back({Surface::sidewalk, rect(x0, scene.wall_y - 3.0, x1, scene.wall_y)});
  layout.ground.push_back({Surface::floor, rect(scene.door_x - scene.door_width / 2.0 - 0.5, scene.wall_y - 1.5,
                                                scene.door_x + scene.door_width / 2.0 + 0.5, scene.wall_y)});
  Wall facade{{x0, scene.wall_y}, {x1, scene.wall_y}, 9.0, {185, 175, 160}, std::nullopt};
  facade.door = Wall::Door{scene.door_x - scene.door_width / 2.0 - x0, scene.door_width, 2.3};
  layout.walls.push_back(facade);
}

void add_loop_outline(const Polygon2& polygon, SceneLayout& layout) {
  for (std::size_t i = 0; i < polygon.size(); ++i) {
    const Vec2 a = polygon[i];
    const Vec2 b = polygon[(i + 1) % polygon.size()];
    const Vec2 d = b - a;
    const double len = std::hypot(d.x, d.y);
    if (len < 1e-9) continue;
    const Vec2 n = Vec2{-d.y, d.x} * (k_loop_cut_width / 2.0 / len);
    layout.ground.push_back({Surface::loop_marking, {a - n, b - n, b + n, a + n}});
  }
}

}  // namespace

std::vector<LaneLine> lane_lines(const SceneDescription& scene) {
  std::vector<LaneLine> lanes;
  if (scene.type != SceneType::road && scene.type != SceneType::gate_lane) return lanes;
  const double left = road_left(scene);
  for (int lane = 0; lane < scene.lanes; ++lane) {
    const double x = left + (lane + 0.5) * scene.lane_width;
    LaneLine line;
    line.width = scene.lane_width;
    line.direction = direction_of(scene, lane);
    line.start = {x, line.direction == LaneDirection::towards ? scene.end_y : scene.start_y};
    line.end = {x, line.direction == LaneDirection::towards ? scene.start_y : scene.end_y};
    lanes.push_back(line);
  }
  return lanes;
}

std::optional<BarrierGeometry> barrier_geometry(const SceneDescription& scene) {
  if (scene.type != SceneType::gate_lane) return std::nullopt;
  BarrierGeometry barrier;
  barrier.pivot = {road_left(scene) + road_width(scene) + 0.4, scene.barrier_y};
  barrier.heading = -std::numbers::pi / 2.0;  // the arm points across the lanes, towards -x
  barrier.arm_length = road_width(scene) + 0.3;
  barrier.pivot_height = 1.0;
  return barrier;
}

SceneLayout build_scene_layout(const WorldDescription& description) {
  const SceneDescription& scene = description.scene;
  SceneLayout layout;
  layout.type = scene.type;
  switch (scene.type) {
    case SceneType::road:
      add_road(scene, layout);
      break;
    case SceneType::gate_lane:
      add_road(scene, layout);
      add_gate(scene, layout);
      break;
    case SceneType::plaza:
      add_plaza(scene, layout);
      break;
    case SceneType::building_entrance:
      add_entrance(scene, layout);
      break;
  }
  for (const auto& loop : description.loops) add_loop_outline(loop.polygon, layout);
  return layout;
}

}  // namespace camrig::sim
