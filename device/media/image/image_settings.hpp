// The picture settings of one video channel, applied to the raw frame before any stream encodes
// it (network camera manual 4.6–4.9): display adjustments, mirror, day/night, tone mapping,
// OSD, privacy masks, the overlay picture and the face exposure gain. Resolved from the config
// service by the camera.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "device/media/image/bmp_image.hpp"
#include "device/media/image/face_exposure.hpp"

namespace camrig::media::image {

enum class Mirror { off, left_right, up_down, center };
//! Night is black and white; auto follows the scene's brightness; scheduled is day between
//! day_start and day_end (minutes of the day, device wall time).
enum class DayNight { day, night, automatic, scheduled };

//! A rectangle in normalised picture coordinates: 0..1 from the top-left corner.
struct NormalizedRect {
  double x = 0;
  double y = 0;
  double width = 0;
  double height = 0;
  friend bool operator==(const NormalizedRect&, const NormalizedRect&) = default;
};

struct Adjustments {
  int brightness = 50;  //!< 0..100 each; 50 leaves the picture unchanged
  int contrast = 50;
  int saturation = 50;
  int sharpness = 50;
  Mirror mirror = Mirror::off;
  DayNight day_night = DayNight::day;
  int day_start_minute = 6 * 60;
  int day_end_minute = 18 * 60;
  bool wdr = false;
  int wdr_level = 50;  //!< 0..100
  bool blc = false;
  bool hlc = false;
  int hlc_level = 50;  //!< 0..100
  //! Rotate (corridor view): the picture turns 90° counterclockwise, 1280x720 becomes 720x1280.
  bool rotate = false;
  friend bool operator==(const Adjustments&, const Adjustments&) = default;
};

enum class OsdDisplayMode { transparent, transparent_flashing, not_transparent, not_transparent_flashing };

//! One line of the OSD at its top-left corner.
struct OsdLine {
  bool enabled = false;
  std::string text;
  double x = 0;
  double y = 0;
  friend bool operator==(const OsdLine&, const OsdLine&) = default;
};

//! Custom text lines of the OSD; the count Hikvision's general models offer.
inline constexpr int k_osd_text_lines = 8;
inline constexpr int k_privacy_mask_regions = 4;

struct OsdSettings {
  OsdLine channel_name;
  bool show_date = false;
  double date_x = 0;
  double date_y = 0;
  //! "YYYY-MM-DD", "MM-DD-YYYY", "DD-MM-YYYY" or the same with '/'.
  std::string date_format = "YYYY-MM-DD";
  bool clock_12_hour = false;
  bool show_week = false;
  std::array<OsdLine, k_osd_text_lines> texts{};
  //! Pixel height of the characters; 0 = automatic (follows the picture height).
  int font_size = 0;
  //! Black or white, whichever stands out from the picture under each line.
  bool self_adaptive_colour = true;
  std::uint32_t colour_rgb = 0xFFFFFF;
  OsdDisplayMode display_mode = OsdDisplayMode::transparent;
  friend bool operator==(const OsdSettings&, const OsdSettings&) = default;
};

struct PrivacyMaskSettings {
  bool enabled = false;
  std::array<bool, k_privacy_mask_regions> region_enabled{};
  std::array<NormalizedRect, k_privacy_mask_regions> regions{};
  friend bool operator==(const PrivacyMaskSettings&, const PrivacyMaskSettings&) = default;
};

struct OverlayPictureSettings {
  bool enabled = false;
  double x = 0;
  double y = 0;
  //! Null while no picture is uploaded.
  std::shared_ptr<const BmpImage> picture;
  friend bool operator==(const OverlayPictureSettings&, const OverlayPictureSettings&) = default;
};

struct ImageSettings {
  Adjustments adjustments;
  OsdSettings osd;
  PrivacyMaskSettings privacy_mask;
  OverlayPictureSettings overlay_picture;
  //! The channel's face exposure gain, steered by its face capture; null on channels without one.
  //! Not applied while WDR is on (the manuals' rule: face exposure needs WDR off).
  std::shared_ptr<FaceExposure> face_exposure;
  friend bool operator==(const ImageSettings&, const ImageSettings&) = default;
};

}  // namespace camrig::media::image
