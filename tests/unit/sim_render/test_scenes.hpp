// Hand-built scenes for the renderer's tests: a gate lane with walls, a barrier and actors, so
// the tests do not depend on the world's motion.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "device/hal/video_frame.hpp"
#include "sim/world/camera_model.hpp"
#include "sim/world/world_snapshot.hpp"

namespace camrig::sim::test {

inline SceneLayout gate_layout() {
  SceneLayout layout;
  layout.type = SceneType::gate_lane;
  layout.ground.push_back({Surface::asphalt, {{-4, -5}, {4, -5}, {4, 80}, {-4, 80}}});
  layout.ground.push_back({Surface::sidewalk, {{-7, -5}, {-4, -5}, {-4, 80}, {-7, 80}}});
  layout.ground.push_back({Surface::grass, {{4, -5}, {12, -5}, {12, 80}, {4, 80}}});
  layout.ground.push_back({Surface::stop_line, {{-4, 14}, {0, 14}, {0, 14.4}, {-4, 14.4}}});
  layout.ground.push_back({Surface::loop_marking, {{-3, 16}, {-1, 16}, {-1, 18}, {-3, 18}}});
  for (int i = 0; i < 12; ++i) {
    const double y = 2.0 + i * 6.0;
    layout.ground.push_back({Surface::lane_marking, {{-0.07, y}, {0.07, y}, {0.07, y + 3}, {-0.07, y + 3}}});
  }
  Wall wall;
  wall.a = {-7.5, 30};
  wall.b = {-7.5, 10};
  wall.height = 4;
  wall.door = Wall::Door{6, 1.2, 2.2};
  layout.walls.push_back(wall);
  layout.walls.push_back({{-20, 60}, {20, 60}, 6, {120, 120, 130}, std::nullopt});
  layout.barrier = BarrierGeometry{{4.2, 13}, -1.5707963, 4.0, 1.0};
  return layout;
}

inline CameraPose gate_camera() {
  CameraPose pose;
  pose.position = {0, 0, 4};
  pose.tilt_degrees = 12;
  pose.horizontal_fov_degrees = 40;
  return pose;
}

inline Actor make_car(std::uint32_t id, Vec3 position, double heading, Rgb colour, std::string plate,
                      PlateFormat format = PlateFormat::eu) {
  Actor a;
  a.id = id;
  a.kind = ActorKind::car;
  a.position = position;
  a.heading = heading;
  a.colour = colour;
  a.plate = Plate{std::move(plate), format, true, true};
  a.appearance = id * 7919u;
  return a;
}

inline Actor make_person(std::uint32_t id, Vec3 position, double heading, std::uint64_t appearance,
                         double walk_phase = 0.0) {
  Actor a;
  a.id = id;
  a.kind = ActorKind::person;
  a.position = position;
  a.heading = heading;
  a.length = 0.3;
  a.width = 0.5;
  a.height = 1.75;
  a.colour = {static_cast<std::uint8_t>(40 + appearance * 37 % 180), static_cast<std::uint8_t>(60 + appearance * 53 % 150),
              static_cast<std::uint8_t>(50 + appearance * 91 % 170)};
  a.appearance = appearance;
  a.walk_phase = walk_phase;
  return a;
}

//! A busy gate-lane scene: cars with plates, people walking, a bag, a van, a truck and a motorcycle.
inline WorldSnapshot busy_snapshot(double seconds) {
  WorldSnapshot s;
  s.time = hal::Nanos{static_cast<std::int64_t>(seconds * 1e9)};
  const double pi = 3.14159265358979;
  s.actors.push_back(make_car(1, {-2, 12 + 2 * seconds, 0}, pi, {200, 30, 30}, "AB-123-CD"));
  s.actors.push_back(make_car(2, {2, 30 - 3 * seconds, 0}, pi, {30, 60, 180}, "7ABC123", PlateFormat::us));
  s.actors.push_back(make_car(3, {-2, 40, 0}, 0, {230, 230, 230}, "B MW 1234"));
  Actor van = make_car(4, {2.2, 45, 0}, pi, {240, 240, 235}, "VAN-42-X");
  van.kind = ActorKind::van;
  van.length = 5.2;
  van.height = 2.3;
  s.actors.push_back(van);
  Actor truck = make_car(5, {-2.2, 52, 0}, 0, {30, 110, 60}, "TR-900-K");
  truck.kind = ActorKind::truck;
  truck.length = 9;
  truck.width = 2.5;
  truck.height = 3.6;
  s.actors.push_back(truck);
  Actor bike = make_car(6, {1.5, 22, 0}, pi, {20, 20, 20}, "M-77");
  bike.kind = ActorKind::motorcycle;
  bike.length = 2.1;
  bike.width = 0.8;
  bike.height = 1.4;
  bike.velocity = {0, -6, 0};
  s.actors.push_back(bike);
  s.actors.push_back(make_person(7, {-5, 9, 0}, pi, 11, seconds * 0.9));
  s.actors.push_back(make_person(8, {-5.5, 18, 0}, 0.3 + pi, 12, seconds * 0.9 + 0.5));
  s.actors.push_back(make_person(9, {5, 11, 0}, pi / 2, 13, seconds));
  Actor bag;
  bag.id = 10;
  bag.kind = ActorKind::bag;
  bag.position = {-5.8, 7, 0};
  bag.length = 0.45;
  bag.width = 0.2;
  bag.height = 0.35;
  bag.colour = {90, 50, 30};
  s.actors.push_back(bag);
  s.actors[0].velocity = {0, 2, 0};
  s.actors[1].velocity = {0, -3, 0};
  return s;
}

}  // namespace camrig::sim::test
