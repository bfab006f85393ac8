#include "sim/world_video_source.hpp"

#include <stdexcept>
#include <string>
#include <utility>

#include "sim/ptz_motor_model.hpp"

namespace camrig::sim {

WorldSnapshot SharedWorld::advance_and_snapshot(hal::Nanos time) {
  std::lock_guard lock(mutex_);
  if (time >= world_.time()) world_.advance_to(time);
  return world_.snapshot();
}

namespace {

void check_format(const hal::VideoFormat& format) {
  if (format.width <= 0 || format.height <= 0 || format.width % 2 != 0 || format.height % 2 != 0) {
    throw std::invalid_argument("world video size " + std::to_string(format.width) + "x" +
                                std::to_string(format.height) + " must be positive and even in both directions");
  }
  if (format.frame_rate.num <= 0 || format.frame_rate.den <= 0) {
    throw std::invalid_argument("world video frame rate " + std::to_string(format.frame_rate.num) + "/" +
                                std::to_string(format.frame_rate.den) + " must be positive");
  }
}

}  // namespace

WorldVideoSource::WorldVideoSource(SharedWorld& world, SceneRenderer& renderer, CameraPose pose,
                                   hal::VideoFormat format, FramePacer pacer)
    : world_(world), renderer_(renderer), pose_(pose), format_(format), pacer_(std::move(pacer)) {
  check_format(format_);
  pose_.width = format_.width;
  pose_.height = format_.height;
}

WorldVideoSource::WorldVideoSource(SharedWorld& world, SceneRenderer& renderer, const hal::PtzMotor& motor,
                                   CameraPose base, hal::VideoFormat format, FramePacer pacer)
    : WorldVideoSource(world, renderer, base, format, std::move(pacer)) {
  motor_ = &motor;
}

hal::Nanos WorldVideoSource::frame_time(std::uint64_t index) const {
  // index * den / num seconds, split so that the product cannot overflow for any real run.
  const auto num = static_cast<std::uint64_t>(format_.frame_rate.num);
  const auto den = static_cast<std::uint64_t>(format_.frame_rate.den);
  constexpr std::uint64_t second = 1'000'000'000;
  return hal::Nanos{static_cast<std::int64_t>((index / num) * den * second + (index % num) * den * second / num)};
}

CameraPose WorldVideoSource::current_pose() const {
  CameraPose pose = pose_;
  if (motor_ != nullptr) {
    const hal::PtzPosition at = motor_->position();
    pose.pan_degrees = pose_.pan_degrees + at.pan_degrees;
    pose.tilt_degrees = -at.tilt_degrees;
    // The same optics as the motor model reports to the device, so 3D positioning agrees.
    pose.horizontal_fov_degrees = PtzMotorModel::fov_at_zoom(pose_.horizontal_fov_degrees, at.zoom);
  }
  return pose;
}

hal::VideoFramePtr WorldVideoSource::read(std::stop_token stop) {
  if (stop.stop_requested()) return nullptr;
  const std::uint64_t index = next_index_;
  const hal::Nanos time = frame_time(index);
  if (pacer_ && !pacer_(time, stop)) return nullptr;
  if (stop.stop_requested()) return nullptr;
  ++next_index_;
  const WorldSnapshot snapshot = world_.advance_and_snapshot(time);
  const CameraModel camera(current_pose());
  auto frame = std::make_shared<hal::VideoFrame>(format_.width, format_.height);
  renderer_.render(snapshot, camera, *frame);
  frame->timestamp = time;
  frame->sequence = index;
  if (ground_truth_) {
    // Report the camera as rendered: tamper moves it.
    CameraPose seen = camera.pose();
    seen.pan_degrees += snapshot.effects.pan_offset_degrees;
    seen.tilt_degrees += snapshot.effects.tilt_offset_degrees;
    ground_truth_(index, snapshot, CameraModel(seen));
  }
  return frame;
}

}  // namespace camrig::sim
