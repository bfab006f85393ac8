#include "device/analytics/video_loss_detector.hpp"

#include <opencv2/core.hpp>

namespace camrig::analytics {

Result<void> validate(const VideoLossSettings& s) {
  if (!(s.frozen_seconds >= 0.5 && s.frozen_seconds <= 60))
    return Error{ErrorCode::out_of_range, "video loss time must be 0.5..60 s"};
  return {};
}

VideoLossDetector::VideoLossDetector(VideoLossSettings settings) : settings_(std::move(settings)) {}

Result<void> VideoLossDetector::configure(const VideoLossSettings& settings) {
  if (auto r = validate(settings); !r) return r;
  std::lock_guard lock(mutex_);
  settings_ = settings;
  return {};
}

VideoLossSettings VideoLossDetector::settings() const {
  std::lock_guard lock(mutex_);
  return settings_;
}

bool VideoLossDetector::active() const {
  std::lock_guard lock(mutex_);
  return active_;
}

void VideoLossDetector::no_frames(int channel, hal::Nanos now, hal::Nanos silence, const EventSink& sink) {
  {
    std::lock_guard lock(mutex_);
    const auto limit = hal::Nanos{static_cast<std::int64_t>(settings_.frozen_seconds * 1e9)};
    if (!settings_.enabled || active_ || silence < limit) return;
    active_ = true;
  }
  events::Event event;
  event.kind = events::EventKind::video_loss;
  event.channel = channel;
  event.state = events::EventState::active;
  event.device_time = now;
  sink(std::move(event));
}

void VideoLossDetector::analyse(const AnalysisFrame& frame, const EventSink& sink) {
  std::unique_lock lock(mutex_);
  std::optional<events::EventState> state;
  if (!settings_.enabled) {
    if (active_) state = events::EventState::inactive;
    active_ = false;
    previous_.release();
  } else {
    const bool same = previous_.size() == frame.luma.size() && cv::norm(previous_, frame.luma, cv::NORM_INF) == 0;
    if (!same) {
      unchanged_since_ = frame.time;
      frame.luma.copyTo(previous_);
    }
    const auto limit = hal::Nanos{static_cast<std::int64_t>(settings_.frozen_seconds * 1e9)};
    if (!active_ && same && frame.time - unchanged_since_ >= limit) {
      active_ = true;
      state = events::EventState::active;
    } else if (active_ && !same) {
      active_ = false;
      state = events::EventState::inactive;
    }
  }
  lock.unlock();
  if (!state) return;
  events::Event event;
  event.kind = events::EventKind::video_loss;
  event.channel = frame.channel;
  event.state = *state;
  event.device_time = frame.time;
  sink(std::move(event));
}

}  // namespace camrig::analytics
