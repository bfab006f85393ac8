// One encoded stream of a channel (e.g. "101" main, "102" sub): frame-rate decimation, scaling
// from the sensor size, encoding and publishing to the stream's hub. Owns the stream's current
// settings and applies new ones to the running stream on the next frame, without a restart.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "device/hal/clock.hpp"
#include "device/hal/video_frame.hpp"
#include "device/media/frame_scaler.hpp"
#include "device/media/stream_hub.hpp"
#include "device/media/stream_settings.hpp"
#include "device/media/frame_consumer.hpp"
#include "device/media/video_encoder.hpp"

namespace camrig::media {

struct StreamCounters {
  std::uint64_t frames_in = 0;       //!< frames offered to the stream
  std::uint64_t frames_encoded = 0;  //!< frames that produced packets
  std::uint64_t frames_skipped = 0;  //!< dropped by frame-rate decimation or a disabled stream
  std::uint64_t frames_failed = 0;   //!< lost to a scaling or encoding error
  hal::Nanos last_encode_duration{0};  //!< scale + encode of the last frame, on the device clock
};

class StreamPipeline : public FrameConsumer {
 public:
  //! `clock` must outlive the pipeline. Without a `hub` the pipeline creates its own.
  StreamPipeline(std::string id, StreamSettings settings, const hal::Clock& clock,
                 std::shared_ptr<StreamHub> hub = nullptr);

  StreamPipeline(const StreamPipeline&) = delete;
  StreamPipeline& operator=(const StreamPipeline&) = delete;

  //! Stream id as clients address it ("101").
  const std::string& id() const { return id_; }
  const std::shared_ptr<StreamHub>& hub() const { return hub_; }

  //! Settings take effect on the next frame; a change of anything the encoder depends on reopens
  //! it, and the hub then carries a new description. Callable from any thread.
  void apply(const StreamSettings& settings);
  //! The settings most recently applied (possibly not yet in effect).
  StreamSettings settings() const;

  //! Decimates, scales, encodes and publishes one sensor frame. Called from one thread at a
  //! time (the stream's worker). Errors are logged once per failure episode and never thrown:
  //! the next frame tries again, reopening the encoder if needed.
  void process(const hal::VideoFramePtr& frame) override;

  StreamCounters counters() const;

 private:
  // Takes settings handed over by apply(); rebuilds what they change.
  void take_new_settings();
  //! The presentation time of the frame captured at `timestamp` if the stream keeps it.
  std::optional<hal::Nanos> keep_for_frame_rate(hal::Nanos timestamp);
  bool ensure_encoder();
  void report_failure(const std::string& message);

  const std::string id_;
  const hal::Clock& clock_;
  const std::shared_ptr<StreamHub> hub_;

  mutable std::mutex settings_mutex_;
  StreamSettings requested_;
  bool settings_changed_ = false;

  // Worker-thread state.
  StreamSettings active_;
  std::unique_ptr<VideoEncoder> encoder_;
  std::optional<FrameScaler> scaler_;
  bool failing_ = false;      // an error was logged; stays quiet until a frame succeeds again
  std::optional<hal::Nanos> next_due_;  // ideal time of the next kept frame
  std::optional<hal::Nanos> last_input_;

  std::atomic<std::uint64_t> frames_in_{0};
  std::atomic<std::uint64_t> frames_encoded_{0};
  std::atomic<std::uint64_t> frames_skipped_{0};
  std::atomic<std::uint64_t> frames_failed_{0};
  std::atomic<std::int64_t> last_encode_ns_{0};
};

}  // namespace camrig::media
