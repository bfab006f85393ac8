// The image pipeline of one channel, run once per sensor frame before any stream encodes it:
// face exposure gain and tone curve (brightness, contrast, WDR, BLC, HLC) and mirror in one copy
// pass, saturation and day/night on chroma, rotate, sharpness, privacy masks, the overlay picture, then the OSD on top
// (masks, overlay and OSD are placed on the picture as seen, after rotation).
// Owns the channel's current image settings; new ones take effect from the next frame.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>

#include "device/hal/clock.hpp"
#include "device/hal/video_frame.hpp"
#include "device/media/image/image_settings.hpp"
#include "device/media/image/osd_renderer.hpp"

namespace camrig::media::image {

class ImageProcessor {
 public:
  //! `clock` gives the wall time shown by the OSD and used by scheduled day/night; it must
  //! outlive the processor. Without one, a frame's device timestamp counts from 1970.
  explicit ImageProcessor(const hal::Clock* clock, ImageSettings settings = {});
  ~ImageProcessor();
  ImageProcessor(const ImageProcessor&) = delete;
  ImageProcessor& operator=(const ImageProcessor&) = delete;

  //! Callable from any thread; the whole set takes effect together on the next frame.
  void apply(ImageSettings settings);
  ImageSettings settings() const;

  //! The frame the streams encode: `frame` itself when the settings leave it unchanged, else a
  //! processed copy (the sensor's frame is shared read-only). Called from one thread at a time.
  hal::VideoFramePtr process(const hal::VideoFramePtr& frame);

  //! Time spent on the last frame, on the device clock (zero without a clock).
  hal::Nanos last_duration() const { return hal::Nanos(last_duration_ns_.load()); }
  //! True while night (black and white) mode is in effect.
  bool night() const { return night_.load(); }

 private:
  void take_new_settings();
  //! The face exposure gain of `frame` folded into the luma and chroma curves.
  void apply_exposure_gain(const hal::VideoFrame& frame);
  bool night_at(const hal::VideoFrame& frame, hal::WallTime wall_time);
  bool leaves_unchanged() const;
  void copy_with_tone_and_mirror(const hal::VideoFrame& source, hal::VideoFrame& target, bool night) const;
  void sharpen(hal::VideoFrame& frame);
  void mask(hal::VideoFrame& frame) const;
  void overlay(hal::VideoFrame& frame) const;

  const hal::Clock* clock_;
  mutable std::mutex mutex_;
  ImageSettings requested_;
  bool changed_ = true;

  // Worker-thread state.
  ImageSettings active_;
  // The settings' own curves; the applied ones add the face exposure gain in front of them.
  std::array<std::uint8_t, 256> settings_luma_curve_{};
  std::array<std::uint8_t, 256> settings_chroma_curve_{};
  std::array<std::uint8_t, 256> luma_curve_{};
  std::array<std::uint8_t, 256> chroma_curve_{};
  bool identity_curves_ = true;
  double exposure_gain_ = 1.0;  // the gain folded into the applied curves
  bool curves_stale_ = true;
  std::unique_ptr<OsdRenderer> osd_;
  bool osd_unavailable_ = false;
  double mean_luma_ = 128;  // smoothed scene brightness, for automatic day/night
  std::vector<std::uint8_t> row_buffer_;
  std::atomic<std::int64_t> last_duration_ns_{0};
  std::atomic<bool> night_{false};
};

//! `frame` turned 90° counterclockwise: width and height swap (both must be even).
std::shared_ptr<hal::VideoFrame> rotated_counterclockwise(const hal::VideoFrame& frame);

//! The luma tone curve of `adjustments`: brightness, contrast and WDR/BLC/HLC tone mapping.
std::array<std::uint8_t, 256> luma_curve(const Adjustments& adjustments);

}  // namespace camrig::media::image
