// Draws a world snapshot as a camera sees it, straight into an I420 frame: the scene layout in
// perspective, vehicles with licence plates in a real font, people with faces that a stock face
// detector finds, left objects, the barrier arm, then light, weather, sensor noise and what
// happens to the lens. Deterministic: the same snapshot, camera and seed give the same bytes.
//
// CONTRACT (used by the world video source and benchmarks; extend, do not break):
//   SceneRenderer(layout, seed); render(snapshot, camera, frame)
#pragma once

#include <cstdint>
#include <memory>

#include "device/hal/video_frame.hpp"
#include "sim/world/camera_model.hpp"
#include "sim/world/world_snapshot.hpp"

namespace camrig::sim {

class SceneRenderer {
 public:
  //! `frame_rate` sets the frame interval that weather.motion_blur (the shutter) is a fraction of.
  SceneRenderer(const SceneLayout& layout, std::uint64_t seed, double frame_rate = 25.0);
  ~SceneRenderer();
  SceneRenderer(const SceneRenderer&) = delete;
  SceneRenderer& operator=(const SceneRenderer&) = delete;

  //! `frame` must have the camera pose's size (a frame of another size is drawn at its own size).
  //! The static scene is cached per camera pose. Not reentrant: one renderer per channel.
  void render(const WorldSnapshot& snapshot, const CameraModel& camera, hal::VideoFrame& frame);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace camrig::sim
