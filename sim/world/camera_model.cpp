#include "sim/world/camera_model.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <numbers>

namespace camrig::sim {
namespace {

double radians(double degrees) { return degrees * std::numbers::pi / 180.0; }

}  // namespace

CameraModel::CameraModel(const CameraPose& pose) : pose_(pose) {
  pose_.horizontal_fov_degrees = std::clamp(pose_.horizontal_fov_degrees, 1.0, 170.0);
  pose_.width = std::max(pose_.width, 2);
  pose_.height = std::max(pose_.height, 2);
  focal_ = (pose_.width / 2.0) / std::tan(radians(pose_.horizontal_fov_degrees) / 2.0);
  const double pan = radians(pose_.pan_degrees);
  const double tilt = radians(pose_.tilt_degrees);
  forward_ = {std::sin(pan) * std::cos(tilt), std::cos(pan) * std::cos(tilt), -std::sin(tilt)};
  right_ = {std::cos(pan), -std::sin(pan), 0};
  up_ = cross(right_, forward_);
}

double CameraModel::vertical_fov_degrees() const {
  return 2.0 * std::atan((pose_.height / 2.0) / focal_) * 180.0 / std::numbers::pi;
}

Vec3 CameraModel::to_camera(Vec3 world) const {
  const Vec3 d = world - pose_.position;
  return {dot(d, right_), dot(d, up_), dot(d, forward_)};
}

std::optional<Pixel> CameraModel::project(Vec3 world) const {
  const Vec3 c = to_camera(world);
  if (c.z < near_plane) return std::nullopt;
  return Pixel{pose_.width / 2.0 + focal_ * c.x / c.z, pose_.height / 2.0 - focal_ * c.y / c.z};
}

Vec3 CameraModel::ray(Pixel pixel) const {
  const double x = (pixel.x - pose_.width / 2.0) / focal_;
  const double y = (pose_.height / 2.0 - pixel.y) / focal_;
  const Vec3 d = right_ * x + up_ * y + forward_;
  return d * (1.0 / length(d));
}

std::optional<Vec2> CameraModel::ground_point(Pixel pixel) const {
  const Vec3 d = ray(pixel);
  if (d.z >= -1e-9) return std::nullopt;
  const double t = -pose_.position.z / d.z;
  if (t <= 0) return std::nullopt;
  return Vec2{pose_.position.x + d.x * t, pose_.position.y + d.y * t};
}

std::optional<ImageBox> CameraModel::box_of(Vec3 centre, double heading, double length, double width, double height,
                                            double* visible_fraction) const {
  if (visible_fraction) *visible_fraction = 0;
  const Vec2 along = heading_vector(heading) * (length / 2.0);
  const Vec2 across = Vec2{along.y, -along.x} * (width / std::max(length, 1e-9));
  std::array<Vec3, 8> corners{};
  for (int i = 0; i < 8; ++i) {
    const double a = (i & 1) ? 1.0 : -1.0;
    const double b = (i & 2) ? 1.0 : -1.0;
    corners[i] = {centre.x + along.x * a + across.x * b, centre.y + along.y * a + across.y * b,
                  centre.z + ((i & 4) ? height : 0.0)};
  }
  // Project the corners in front of the camera and, for each edge that crosses the near plane,
  // the point where it does: the hull of those bounds the visible part of the box.
  double left = 1e300, top = 1e300, right = -1e300, bottom = -1e300;
  bool any = false;
  auto add = [&](Vec3 world) {
    if (const auto p = project(world)) {
      left = std::min(left, p->x);
      right = std::max(right, p->x);
      top = std::min(top, p->y);
      bottom = std::max(bottom, p->y);
      any = true;
    }
  };
  for (const auto& corner : corners) add(corner);
  for (int i = 0; i < 8; ++i) {
    for (int bit = 1; bit < 8; bit <<= 1) {
      const int j = i | bit;
      if (j == i) continue;
      const double zi = to_camera(corners[i]).z - near_plane;
      const double zj = to_camera(corners[j]).z - near_plane;
      if ((zi < 0) != (zj < 0)) {
        const double t = zi / (zi - zj);
        add(corners[i] + (corners[j] - corners[i]) * (t + (zi < 0 ? 1e-9 : -1e-9)));
      }
    }
  }
  if (!any) return std::nullopt;
  const double full = std::max(right - left, 0.0) * std::max(bottom - top, 0.0);
  const double cl = std::clamp(left, 0.0, double(pose_.width));
  const double cr = std::clamp(right, 0.0, double(pose_.width));
  const double ct = std::clamp(top, 0.0, double(pose_.height));
  const double cb = std::clamp(bottom, 0.0, double(pose_.height));
  ImageBox box{static_cast<int>(std::floor(cl)), static_cast<int>(std::floor(ct)), 0, 0};
  box.width = static_cast<int>(std::ceil(cr)) - box.x;
  box.height = static_cast<int>(std::ceil(cb)) - box.y;
  if (box.empty()) return std::nullopt;
  if (visible_fraction) *visible_fraction = full > 0 ? ((cr - cl) * (cb - ct)) / full : 0;
  return box;
}

}  // namespace camrig::sim
