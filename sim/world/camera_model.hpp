// The simulated camera's optics: a pinhole at a pose in the world (position, pan, tilt, field of
// view) with square pixels and no lens distortion. Projects world points to pixels and pixels back
// to the ground; the renderer and the ground truth both use it, so boxes match pixels exactly.
#pragma once

#include <optional>

#include "sim/world/geometry.hpp"

namespace camrig::sim {

struct CameraPose {
  Vec3 position{0, 0, 6};            //!< metres; z is the mounting height
  double pan_degrees = 0;            //!< 0 looks along +y, positive turns right (towards +x)
  double tilt_degrees = 20;          //!< positive looks down
  double horizontal_fov_degrees = 60;  //!< (0, 180)
  int width = 1920;                  //!< pixels
  int height = 1080;
};

class CameraModel {
 public:
  //! Fields out of range are clamped: fov to [1, 170] degrees, size to at least 2x2.
  explicit CameraModel(const CameraPose& pose);

  const CameraPose& pose() const { return pose_; }
  double focal_pixels() const { return focal_; }
  double vertical_fov_degrees() const;

  //! Camera-space coordinates of a world point: x right, y up, z forward (depth, metres).
  Vec3 to_camera(Vec3 world) const;
  //! Pixel of a world point; nullopt when the point is closer than `near_plane` in front of the
  //! camera (behind it or at the lens). The pixel may lie outside the frame.
  std::optional<Pixel> project(Vec3 world) const;
  //! Where the ray through a pixel meets the ground (z = 0); nullopt above the horizon.
  std::optional<Vec2> ground_point(Pixel pixel) const;
  //! Unit world direction of the ray through a pixel.
  Vec3 ray(Pixel pixel) const;

  //! Image box of an upright box standing on the ground (centre of its footprint `centre`,
  //! `heading`, length along the heading, width across, height up), clipped to the frame;
  //! nullopt when no corner is in front of the camera or the clipped box is empty.
  //! `visible_fraction`, when given, receives the clipped area over the unclipped area (0..1).
  std::optional<ImageBox> box_of(Vec3 centre, double heading, double length, double width, double height,
                                 double* visible_fraction = nullptr) const;

  static constexpr double near_plane = 0.1;

 private:
  CameraPose pose_;
  double focal_ = 1;
  Vec3 right_, up_, forward_;
};

}  // namespace camrig::sim
