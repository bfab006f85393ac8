// Face capture (network camera 10.2): finds frontal faces with the face detector's cascade, follows
// each face across frames as a face track, grades every sighting, and captures the best pictures
// of a track by the rule's best shot / quick shot / capture times / threshold / filtering time,
// as one face_capture event carrying the face cutout and the background picture.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "device/analytics/face_detector.hpp"
#include "device/core/config_service.hpp"
#include "device/core/event_bus.hpp"

namespace camrig::analytics {

//! "Target Picture Settings": how much of the person the face picture shows around the face.
enum class TargetPicture { head, half_body, full_body };

struct FaceCaptureSettings {
  bool enabled = false;
  //! Pupil distance limits in sensor pixels; a face's pupils are taken as 0.4 of its width.
  int min_pupil_distance = 20;
  int max_pupil_distance = 200;
  //! Faces are captured only with their centre inside the area and outside every shield region.
  NormalisedPolygon detection_area{{0, 0}, {1, 0}, {1, 1}, {0, 1}};
  std::vector<NormalisedPolygon> shield_regions;  //!< up to 4
  // Overlay and capture.
  TargetPicture target_picture = TargetPicture::head;
  bool background_upload = true;
  int background_quality = 80;  //!< JPEG quality 10..100
  bool face_picture_upload = true;
  // Capture parameters.
  bool best_shot = true;
  int capture_times = 1;        //!< pictures per face track, 1..10
  int capture_threshold = 30;   //!< least face quality (0..100) for any capture
  bool quick_shot = false;
  int quick_shot_threshold = 70;
  int max_capture_interval = 5;  //!< seconds between quick shots of one face, 1..60
  int filtering_time = 0;        //!< seconds a face must stay before it is captured, 0..100
};

inline constexpr int kMaxFaceCaptureShieldRegions = 4;
//! The pupil distance of a face as a share of its detected width (the cascade's box).
inline constexpr double kPupilDistancePerFaceWidth = 0.4;

Result<void> validate(const FaceCaptureSettings& settings);
//! The channel's settings from `channel.<id>.face_capture.*` (schema device/core/schema/face_capture.json).
Result<FaceCaptureSettings> face_capture_settings_from_config(const core::ConfigService& config, int channel);
//! Stores every setting as one change; validated first, so nothing is stored when one is wrong.
Result<void> store_face_capture_settings(core::ConfigService& config, int channel, const FaceCaptureSettings& settings);
bool is_face_capture_key(std::string_view key);
std::string_view to_string(TargetPicture picture);

//! The face's quality grade 0..100 on the sensor's luma: size against the capture range, sharpness
//! and exposure. What the capture threshold and quick shot threshold compare with.
int grade_face(const cv::Mat& luma, const cv::Rect& face, const FaceCaptureSettings& settings);
//! The face picture's rectangle around `face` in a `frame`-sized picture, per the target picture.
cv::Rect target_picture_rect(const cv::Rect& face, cv::Size frame, TargetPicture picture);

class FaceCapture final : public Detector {
 public:
  //! Fails with unavailable when the cascade file cannot be loaded (package opencv-data).
  static Result<std::shared_ptr<FaceCapture>> create(FaceCaptureSettings settings = {},
                                                     const std::string& cascade_path = kFrontalFaceCascade);
  //! Configured from the channel's stored settings and reconfigured at the next frame after a change;
  //! `config` and `bus` must outlive the detector.
  static Result<std::shared_ptr<FaceCapture>> from_config(const core::ConfigService& config, core::EventBus& bus,
                                                          int channel);

  std::string_view name() const override { return "face capture"; }
  void analyse(const AnalysisFrame& frame, const EventSink& sink) override;

  Result<void> configure(const FaceCaptureSettings& settings);
  FaceCaptureSettings settings() const;

 private:
  FaceCapture(FaceCaptureSettings settings, std::shared_ptr<FaceDetector> faces)
      : settings_(std::move(settings)), faces_(std::move(faces)) {}

  struct Shot {
    int quality = -1;
    cv::Rect box;
    hal::VideoFramePtr frame;
    hal::Nanos time{0};
  };
  struct Track {
    std::uint64_t id = 0;
    cv::Rect box;
    //! Per second: the face centre's motion and the face width's growth, for matching after a gap.
    cv::Point2d velocity;
    double growth = 0;
    hal::Nanos first_seen{0};
    hal::Nanos last_seen{0};
    Shot best;                  //!< best sighting not yet captured
    int captures = 0;
    int best_captured = -1;     //!< quality of the best picture captured so far
    std::optional<hal::Nanos> last_capture;
  };

  //! Where the track's face should be at `at`, from its last sighting, motion and growth.
  static cv::Rect predicted_box(const Track& track, hal::Nanos at);
  void reload();
  void capture(const Track& track, const Shot& shot, const FaceCaptureSettings& s, int channel, const EventSink& sink);
  void finish(Track& track, const FaceCaptureSettings& s, int channel, const EventSink& sink);

  mutable std::mutex mutex_;
  FaceCaptureSettings settings_;
  std::shared_ptr<FaceDetector> faces_;
  // Analytics thread only.
  std::vector<Track> tracks_;
  std::uint64_t next_track_ = 1;
  const core::ConfigService* config_ = nullptr;
  int channel_ = 0;
  std::shared_ptr<core::Mailbox<core::ConfigChanged>> changes_;
  std::uint64_t dropped_ = 0;
};

}  // namespace camrig::analytics
