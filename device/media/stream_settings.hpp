// The encoder-facing settings of one stream, resolved from the config service by the camera
// (device/camera). The media pipeline applies them to a running stream without a restart.
#pragma once

#include <string>
#include <vector>

#include "device/hal/video_frame.hpp"
#include "device/media/encoded_packet.hpp"

namespace camrig::media {

enum class BitrateType { constant, variable };

//! A fixed region of interest: normalised rectangle (0..1 from the top-left) and ROI level 1..6
//! (higher = clearer), encoded with a lower quantiser than the rest of the picture.
struct RoiRegion {
  double x = 0;
  double y = 0;
  double width = 0;
  double height = 0;
  int level = 3;
  friend bool operator==(const RoiRegion&, const RoiRegion&) = default;
};

struct StreamSettings {
  bool enabled = true;
  VideoCodec codec = VideoCodec::h264;
  //! H.264+ / H.265+: long GOP and bitrate averaging toward max_average_bitrate_kbps.
  bool smart_codec = false;
  int width = 1920;
  int height = 1080;
  hal::Rational frame_rate{25, 1};
  BitrateType bitrate_type = BitrateType::constant;
  int max_bitrate_kbps = 4096;
  int max_average_bitrate_kbps = 2048;
  //! 1 (lowest) .. 6 (highest); used with variable bitrate only.
  int video_quality = 4;
  //! Frames between two I-frames.
  int i_frame_interval = 50;
  //! "baseline", "main" or "high" (H.264); "main" (H.265).
  std::string encoding_profile = "main";
  bool svc = false;
  //! 1..100, higher = smoother bitrate (bigger VBV buffer).
  int smoothing = 50;
  //! Enabled fixed regions; H.264 and H.265 only (the camera leaves them empty otherwise).
  std::vector<RoiRegion> roi_regions;

  friend bool operator==(const StreamSettings&, const StreamSettings&) = default;
};

}  // namespace camrig::media
