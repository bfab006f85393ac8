// Where the parts that analytics look for sit on an actor: licence plates on a vehicle's front
// and rear, the face on a person's head. The renderer draws them here and the ground truth
// reports their boxes from here, so the two can never disagree.
#pragma once

#include <array>
#include <optional>

#include "sim/world/camera_model.hpp"
#include "sim/world/world_snapshot.hpp"

namespace camrig::sim {

//! Plate size in metres for a format: US 305 x 152 mm, EU 520 x 110 mm.
Vec2 plate_size(PlateFormat format);

//! Height of the plate's centre above the ground on a vehicle of this kind.
double plate_height(ActorKind kind);

//! The plate's four corners in world space, as seen from outside the vehicle: top-left,
//! top-right, bottom-right, bottom-left. nullopt when the actor has no plate on that end
//! (motorcycles carry a rear plate only).
std::optional<std::array<Vec3, 4>> plate_corners(const Actor& vehicle, bool front);

//! A person's face: centre of the face's front plane, its width and height (metres), and
//! whether it faces `camera` closely enough to be seen as a frontal face (within 30 degrees).
//! The face looks along the heading turned by the head turn; `yaw` is its horizontal angle from
//! the line to the camera, degrees, positive when turned to the person's right (the image's left).
struct Face {
  Vec3 centre;
  double width = 0.16;
  double height = 0.22;
  bool frontal = false;
  double yaw = 0;
};
std::optional<Face> face_of(const Actor& person, const CameraModel& camera);

//! Image box of a world quadrilateral or of a face, clipped to the frame; nullopt when behind
//! the camera or outside the frame.
std::optional<ImageBox> image_box(const std::array<Vec3, 4>& corners, const CameraModel& camera);
std::optional<ImageBox> image_box(const Face& face, const CameraModel& camera);

}  // namespace camrig::sim
