#include "sim/world/actor_parts.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace camrig::sim {

const char* to_string(ActorKind kind) {
  switch (kind) {
    case ActorKind::car: return "car";
    case ActorKind::van: return "van";
    case ActorKind::truck: return "truck";
    case ActorKind::motorcycle: return "motorcycle";
    case ActorKind::person: return "person";
    case ActorKind::bag: return "bag";
    case ActorKind::box: return "box";
  }
  return "unknown";
}

Vec2 plate_size(PlateFormat format) {
  return format == PlateFormat::us ? Vec2{0.305, 0.152} : Vec2{0.520, 0.110};
}

double plate_height(ActorKind kind) {
  switch (kind) {
    case ActorKind::van: return 0.60;
    case ActorKind::truck: return 0.75;
    case ActorKind::motorcycle: return 0.70;
    default: return 0.50;
  }
}

std::optional<std::array<Vec3, 4>> plate_corners(const Actor& vehicle, bool front) {
  if (!is_vehicle(vehicle.kind) || !vehicle.plate) return std::nullopt;
  if (front && (!vehicle.plate->front || vehicle.kind == ActorKind::motorcycle)) return std::nullopt;
  if (!front && !vehicle.plate->rear) return std::nullopt;
  const Vec2 along = heading_vector(vehicle.heading);
  // Seen from outside, "right" on the front plate is the vehicle's left and vice versa: the
  // viewer looks along -outward, whose right-hand side is (-outward.y, outward.x).
  const Vec2 outward = front ? along : along * -1.0;
  const Vec2 right{-outward.y, outward.x};
  const Vec2 size = plate_size(vehicle.plate->format);
  const Vec2 centre = Vec2{vehicle.position.x, vehicle.position.y} + outward * (vehicle.length / 2.0 + 0.01);
  const double z = vehicle.position.z + plate_height(vehicle.kind);
  auto corner = [&](double sx, double sy) {
    const Vec2 p = centre + right * (sx * size.x / 2.0);
    return Vec3{p.x, p.y, z + sy * size.y / 2.0};
  };
  return std::array<Vec3, 4>{corner(-1, 1), corner(1, 1), corner(1, -1), corner(-1, -1)};
}

std::optional<Face> face_of(const Actor& person, const CameraModel& camera) {
  if (person.kind != ActorKind::person) return std::nullopt;
  Face face;
  const Vec2 facing = heading_vector(person.heading + person.head_turn);
  const double head_depth = 0.10;
  face.centre = {person.position.x + facing.x * head_depth, person.position.y + facing.y * head_depth,
                 person.position.z + person.height - 0.13};
  const Vec3 to_camera = camera.pose().position - face.centre;
  const double horizontal = std::hypot(to_camera.x, to_camera.y);
  if (horizontal > 1e-9) {
    const double cosine = (facing.x * to_camera.x + facing.y * to_camera.y) / horizontal;
    face.frontal = cosine >= std::cos(30.0 * std::numbers::pi / 180.0);
    // Headings turn clockwise seen from above: the face's heading less the heading towards the
    // camera is a turn to the person's right.
    const double sine = (facing.x * to_camera.y - facing.y * to_camera.x) / horizontal;
    face.yaw = std::atan2(sine, cosine) * 180.0 / std::numbers::pi;
  }
  return face;
}

std::optional<ImageBox> image_box(const std::array<Vec3, 4>& corners, const CameraModel& camera) {
  double left = 1e300, top = 1e300, right = -1e300, bottom = -1e300;
  for (const auto& corner : corners) {
    const auto p = camera.project(corner);
    if (!p) return std::nullopt;
    left = std::min(left, p->x);
    right = std::max(right, p->x);
    top = std::min(top, p->y);
    bottom = std::max(bottom, p->y);
  }
  const auto& pose = camera.pose();
  ImageBox box;
  box.x = static_cast<int>(std::floor(std::clamp(left, 0.0, double(pose.width))));
  box.y = static_cast<int>(std::floor(std::clamp(top, 0.0, double(pose.height))));
  box.width = static_cast<int>(std::ceil(std::clamp(right, 0.0, double(pose.width)))) - box.x;
  box.height = static_cast<int>(std::ceil(std::clamp(bottom, 0.0, double(pose.height)))) - box.y;
  if (box.empty()) return std::nullopt;
  return box;
}

std::optional<ImageBox> image_box(const Face& face, const CameraModel& camera) {
  // The face plane is upright and turned towards the camera's horizontal direction.
  const Vec3 to_camera = camera.pose().position - face.centre;
  const double horizontal = std::hypot(to_camera.x, to_camera.y);
  const Vec2 towards = horizontal > 1e-9 ? Vec2{to_camera.x / horizontal, to_camera.y / horizontal} : Vec2{0, -1};
  const Vec2 side{towards.y, -towards.x};
  auto corner = [&](double sx, double sy) {
    return Vec3{face.centre.x + side.x * sx * face.width / 2.0, face.centre.y + side.y * sx * face.width / 2.0,
                face.centre.z + sy * face.height / 2.0};
  };
  return image_box(std::array<Vec3, 4>{corner(-1, 1), corner(1, 1), corner(1, -1), corner(-1, -1)}, camera);
}

}  // namespace camrig::sim
