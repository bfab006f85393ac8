#include "device/media/stream_pipeline.hpp"

#include <utility>

#include "device/core/log.hpp"

namespace camrig::media {

namespace {

hal::Nanos frame_interval(const hal::Rational& rate) {
  // A non-positive rate cannot open an encoder (validate_encoder_settings() says why); until the
  // user fixes it, keep every frame rather than divide by zero.
  if (rate.num <= 0 || rate.den <= 0) return hal::Nanos{0};
  return hal::Nanos{std::int64_t{1'000'000'000} * rate.den / rate.num};
}

}  // namespace

StreamPipeline::StreamPipeline(std::string id, StreamSettings settings, const hal::Clock& clock,
                               std::shared_ptr<StreamHub> hub)
    : id_(std::move(id)),
      clock_(clock),
      hub_(hub ? std::move(hub) : std::make_shared<StreamHub>()),
      requested_(settings),
      active_(std::move(settings)) {}

void StreamPipeline::apply(const StreamSettings& settings) {
  std::lock_guard lock(settings_mutex_);
  requested_ = settings;
  settings_changed_ = true;
}

StreamSettings StreamPipeline::settings() const {
  std::lock_guard lock(settings_mutex_);
  return requested_;
}

StreamCounters StreamPipeline::counters() const {
  StreamCounters counters;
  counters.frames_in = frames_in_.load();
  counters.frames_encoded = frames_encoded_.load();
  counters.frames_skipped = frames_skipped_.load();
  counters.frames_failed = frames_failed_.load();
  counters.last_encode_duration = hal::Nanos{last_encode_ns_.load()};
  return counters;
}

void StreamPipeline::take_new_settings() {
  StreamSettings next;
  {
    std::lock_guard lock(settings_mutex_);
    if (!settings_changed_) return;
    settings_changed_ = false;
    next = requested_;
  }
  if (next == active_) return;
  const bool rate_changed = next.frame_rate != active_.frame_rate;
  active_ = std::move(next);
  // Any change reopens the encoder: x264 cannot change size, profile or GOP in place, and a
  // reopened encoder starts with an IDR that carries the new parameter sets.
  encoder_.reset();
  if (scaler_ && (scaler_->width() != active_.width || scaler_->height() != active_.height)) scaler_.reset();
  if (rate_changed) {
    next_due_.reset();
    last_input_.reset();
  }
  // New settings get a fresh chance to report their own problem.
  failing_ = false;
}

std::optional<hal::Nanos> StreamPipeline::keep_for_frame_rate(hal::Nanos timestamp) {
  const hal::Nanos interval = frame_interval(active_.frame_rate);
  const std::optional<hal::Nanos> previous = std::exchange(last_input_, timestamp);
  // Start, a source that restarted its clock, or a gap longer than an output interval: keep
  // this frame and measure the next interval from it.
  if (!next_due_ || (previous && timestamp < *previous) || timestamp >= *next_due_ + interval) {
    next_due_ = timestamp + interval;
    return timestamp;
  }
  // Keep the sensor frame nearest to the due time: this one, unless the next one (one sensor
  // period later) would be closer. The kept frame is presented at the due time, so the stream's
  // timestamps are regular at its own rate (as its SPS says) while the sensor's grid differs.
  const hal::Nanos half_period = previous ? (timestamp - *previous) / 2 : hal::Nanos{0};
  if (timestamp + half_period >= *next_due_) {
    return std::exchange(*next_due_, *next_due_ + interval);
  }
  return std::nullopt;
}

void StreamPipeline::report_failure(const std::string& message) {
  if (failing_) return;
  failing_ = true;
  log::get("media")->error("stream {}: {}; retrying with the next frame", id_, message);
}

bool StreamPipeline::ensure_encoder() {
  if (encoder_) return true;
  auto opened = VideoEncoder::open(active_);
  if (!opened) {
    report_failure("cannot open the encoder: " + opened.error().message);
    return false;
  }
  encoder_ = std::move(opened.value());
  hub_->set_description(encoder_->description());
  log::get("media")->info("stream {}: {} {}x{} @ {}/{} fps opened", id_, to_string(active_.codec), active_.width,
                          active_.height, active_.frame_rate.num, active_.frame_rate.den);
  return true;
}

void StreamPipeline::process(const hal::VideoFramePtr& frame) {
  if (!frame) return;
  frames_in_.fetch_add(1);
  take_new_settings();
  const auto presentation_time = active_.enabled ? keep_for_frame_rate(frame->timestamp) : std::nullopt;
  if (!presentation_time) {
    frames_skipped_.fetch_add(1);
    return;
  }
  if (!ensure_encoder()) {
    frames_failed_.fetch_add(1);
    return;
  }

  const hal::Nanos started = clock_.now();
  hal::VideoFramePtr input = frame;
  if (frame->width() != active_.width || frame->height() != active_.height) {
    if (!scaler_) {
      auto created = FrameScaler::create(active_.width, active_.height);
      if (!created) {
        report_failure(created.error().message);
        frames_failed_.fetch_add(1);
        return;
      }
      scaler_.emplace(std::move(created.value()));
    }
    auto scaled = scaler_->scale(*frame);
    if (!scaled) {
      report_failure(scaled.error().message);
      frames_failed_.fetch_add(1);
      return;
    }
    input = std::move(scaled.value());
  } else {
    scaler_.reset();
  }

  // Read the hub's request only for a frame that is really encoded, so it is never lost.
  const bool keyframe = hub_->take_keyframe_request();
  auto packets = encoder_->encode(input, keyframe, presentation_time);
  if (!packets) {
    report_failure(packets.error().message);
    // A codec that failed mid-stream is in an unknown state: start over with a fresh one.
    encoder_.reset();
    frames_failed_.fetch_add(1);
    return;
  }
  for (const auto& packet : packets.value()) hub_->publish(packet);
  last_encode_ns_.store((clock_.now() - started).count());
  frames_encoded_.fetch_add(1);
  if (failing_) {
    failing_ = false;
    log::get("media")->info("stream {}: encoding again", id_);
  }
}

}  // namespace camrig::media
