// A camera channel looking at the simulated world: paces to each frame's time on the device
// clock, moves the shared world to it, takes a snapshot and renders it through a fixed pose or
// the pose a PTZ motor is at. Owns nothing of the world, the renderer or the motor.
#pragma once

#include <cstdint>
#include <functional>
#include <mutex>
#include <stop_token>

#include "device/hal/clock.hpp"
#include "device/hal/ptz_motor.hpp"
#include "device/hal/video_source.hpp"
#include "sim/render/scene_renderer.hpp"
#include "sim/road_scene_source.hpp"
#include "sim/world/camera_model.hpp"
#include "sim/world/world.hpp"

namespace camrig::sim {

//! One world shared by several channels: advancing and snapshotting happen under one lock, so
//! each channel sees a consistent instant.
class SharedWorld {
 public:
  //! `world` must outlive this object.
  explicit SharedWorld(World& world) : world_(world) {}

  //! Moves the world to `time` unless it is already past it (a slower channel then gets the
  //! current instant) and returns the snapshot.
  WorldSnapshot advance_and_snapshot(hal::Nanos time);

 private:
  World& world_;
  std::mutex mutex_;
};

//! Called on the reading thread after each frame is rendered: frame index, what the world looked
//! like and the camera that saw it (pose and tamper offsets as rendered).
using GroundTruthCallback =
    std::function<void(std::uint64_t frame_index, const WorldSnapshot& snapshot, const CameraModel& camera)>;

class WorldVideoSource final : public hal::VideoSource {
 public:
  //! A fixed camera at `pose` (its size is replaced by the format's). Throws std::invalid_argument
  //! for a size that is not positive and even or a frame rate that is not positive. Every
  //! reference must outlive the source; an empty `pacer` renders as fast as frames are read.
  WorldVideoSource(SharedWorld& world, SceneRenderer& renderer, CameraPose pose, hal::VideoFormat format,
                   FramePacer pacer);

  //! A PTZ camera: `base` gives the position, the pan of the motor's zero, the field of view at
  //! ×1 (narrowed by zoom as the motor model computes it); the motor's pan is added to the base
  //! pan and its tilt (negative down) becomes the pose's tilt (positive down).
  WorldVideoSource(SharedWorld& world, SceneRenderer& renderer, const hal::PtzMotor& motor, CameraPose base,
                   hal::VideoFormat format, FramePacer pacer);

  hal::VideoFormat format() const override { return format_; }

  //! Frame n carries timestamp n / fps and sequence n and shows the world at that time.
  hal::VideoFramePtr read(std::stop_token stop) override;

  //! Capture time of frame `index` on the device clock.
  hal::Nanos frame_time(std::uint64_t index) const;
  //! The pose a frame would be rendered from now (the motor's current position for PTZ).
  CameraPose current_pose() const;

  void on_ground_truth(GroundTruthCallback callback) { ground_truth_ = std::move(callback); }

 private:
  SharedWorld& world_;
  SceneRenderer& renderer_;
  const hal::PtzMotor* motor_ = nullptr;
  CameraPose pose_;
  hal::VideoFormat format_;
  FramePacer pacer_;
  GroundTruthCallback ground_truth_;
  std::uint64_t next_index_ = 0;
};

}  // namespace camrig::sim
