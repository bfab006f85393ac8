// Face detection (network camera 6.2.4, face capture 10.2): OpenCV's stock frontal-face cascade
// on the full-size picture, but only around faces found lately (at their own scale, every frame)
// and around moving blobs (scaled so the smallest wanted face fills the cascade's window, the
// stalest first within a per-frame budget); min/max size and shield regions filter; one event per
// new face.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <opencv2/objdetect.hpp>

#include "device/analytics/detector.hpp"
#include "device/analytics/tamper_detector.hpp"
#include "device/core/result.hpp"

namespace camrig::analytics {

inline constexpr const char* kFrontalFaceCascade = "/usr/share/opencv4/haarcascades/haarcascade_frontalface_default.xml";
inline constexpr int kMaxFaceShieldRegions = 4;

struct FaceSettings {
  bool enabled = false;
  int sensitivity = 50;   //!< 0..100, 0 = off; lower needs a clearer face
  int min_size = 60;      //!< face width in full-size pixels, 24..max_size
  int max_size = 400;     //!< up to 2160
  std::vector<NormalisedPolygon> shield_regions;  //!< up to 4; faces centred inside are ignored
};

Result<void> validate(const FaceSettings& settings);

class FaceDetector final : public Detector {
 public:
  //! Fails with unavailable when the cascade file cannot be loaded (package opencv-data).
  static Result<std::shared_ptr<FaceDetector>> create(FaceSettings settings = {},
                                                      const std::string& cascade_path = kFrontalFaceCascade);

  std::string_view name() const override { return "face"; }
  void analyse(const AnalysisFrame& frame, const EventSink& sink) override;

  //! The faces in one frame (full-size pixels), filtered by the settings; empty when disabled
  //! or while the background model is still learning. Searches around the faces it found in the
  //! last 1.5 s on every frame, so a face stays found while its owner stands still, and around
  //! moving blobs within a budget of cascade work per frame: a blob not searched on this frame is
  //! on one of the next few. Asked again for the same frame, it answers the same faces.
  std::vector<cv::Rect> detect(const AnalysisFrame& frame);

  Result<void> configure(const FaceSettings& settings);
  FaceSettings settings() const;

 private:
  explicit FaceDetector(FaceSettings settings) : settings_(std::move(settings)) {}

  struct Seen {
    cv::Rect box;
    hal::Nanos last{0};
  };

  cv::CascadeClassifier cascade_;  // used on the analytics thread only
  mutable std::mutex mutex_;
  FaceSettings settings_;
  std::vector<Seen> seen_;  //!< faces reported recently, so one face gives one event
  std::vector<Seen> found_;  //!< faces detect() found recently: searched for again where they were
  // Analytics thread only:
  //! Per octave of face sizes (the minimum size times 2^octave and up), the frame on which each
  //! cell of the picture was last searched around a moving blob (CV_32S): the stalest go first.
  std::vector<cv::Mat> searched_;
  std::int32_t frames_ = 0;  //!< frames searched
  //! The last frame detect() answered and its faces.
  struct Answer {
    hal::Nanos time{0};
    std::uint64_t sequence = 0;
    std::vector<cv::Rect> faces;
  };
  std::optional<Answer> answer_;
};

}  // namespace camrig::analytics
