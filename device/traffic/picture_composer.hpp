// The LPR event pictures of one plate read: scene snapshot(s) with the picture OSD bar and the plate
// overlay, the plate cutout and the vehicle-body cutout, as JPEGs at the snapshot size and quality
// settings (LPR manual "Configure Snapshot Parameters", "Configure Picture OSD", "Cutouts").
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "device/core/config_service.hpp"
#include "device/core/result.hpp"
#include "device/hal/video_frame.hpp"
#include "device/traffic/picture_osd.hpp"
#include "device/traffic/plate_read.hpp"

namespace camrig::media::image {
class OsdRenderer;
}

namespace camrig::traffic {

struct PictureSettings {
  std::optional<std::pair<int, int>> resolution;  //!< scene width x height; unset = the sensor's
  int max_size_kb = 512;                          //!< "Size": the largest JPEG, 50..1024 KB
  int quality = 90;                               //!< first JPEG quality tried (Low 50, Medium 70, High 90)
  PictureOsdSettings osd;
  bool plate_cutout = true;
  bool vehicle_cutout = false;
  bool plate_overlay = false;
  double overlay_x = 0.7, overlay_y = 0.05, overlay_width = 0.25, overlay_height = 0.08;  //!< 0..1 of the scene
  int snapshots = 1;                              //!< Snapshot Quantity, 1 or 2

  //! From `pictures.*` and `traffic.capture.snapshot_quantity`.
  static Result<PictureSettings> from_config(const core::ConfigService& config);
};

//! One composed picture. `kind` is "scene", "scene2", "plate" or "vehicle".
struct ComposedPicture {
  std::string kind;
  std::vector<std::uint8_t> jpeg;
  int width = 0;
  int height = 0;
  //! The part of the source frame the picture shows (the whole frame for scenes).
  PixelBox source;
};

class PictureComposer {
 public:
  //! Opens the OSD font (DejaVu Sans Mono, as the video OSD); the error names a missing font.
  static Result<std::unique_ptr<PictureComposer>> open();
  ~PictureComposer();
  PictureComposer(const PictureComposer&) = delete;
  PictureComposer& operator=(const PictureComposer&) = delete;

  //! The pictures of `read` (its frame must be set). The second scene of Snapshot Quantity 2
  //! comes from `later_frame` (a frame after the read), or from the read's frame when there is none.
  //! Safe from any thread; pictures are composed one at a time.
  Result<std::vector<ComposedPicture>> compose(const PlateRead& read, const PictureSettings& settings,
                                               const PictureFacts& facts, const hal::VideoFramePtr& later_frame = nullptr);

  //! The OSD bar's height for a scene `width` pixels wide (0 without a bar).
  int bar_height(const PictureSettings& settings, const PictureFacts& facts, int width);

 private:
  PictureComposer() = default;
  struct BoxLines {
    const TitleBox* box = nullptr;
    int size = 0;
    int line_height = 0;
    std::vector<std::string> lines;
  };
  std::vector<BoxLines> layout(const PictureSettings& settings, const PictureFacts& facts, int width);
  static int bar_for(const PictureSettings& settings, const std::vector<BoxLines>& laid);
  Result<ComposedPicture> scene(const hal::VideoFrame& frame, const PlateRead& read, const PictureSettings& settings,
                                const PictureFacts& facts, std::string kind);

  std::unique_ptr<media::image::OsdRenderer> renderer_;
  std::mutex mutex_;
};

//! The plate cutout's box: the plate with a margin, inside the frame, even-aligned.
PixelBox plate_cutout_box(const PixelBox& plate, int frame_width, int frame_height);
//! The vehicle-body cutout's box: the vehicle's box when recognition gave one, else a body-sized
//! box around the plate; inside the frame, even-aligned.
PixelBox vehicle_cutout_box(const PlateRead& read, int frame_width, int frame_height);
//! A JPEG of an I420 picture at `quality`, lowered step by step until it fits `max_bytes`.
Result<std::vector<std::uint8_t>> encode_jpeg(const hal::VideoFrame& picture, int quality, std::size_t max_bytes);

}  // namespace camrig::traffic
