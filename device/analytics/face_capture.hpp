// Face capture (network camera 10.2): finds frontal faces with the face detector's cascade, follows
// each face across frames as a face track, grades every sighting, and captures the best pictures
// of a track by the rule's best shot / quick shot / capture times / threshold / filtering time,
// drops captures that repeat a face captured lately (remove duplicated faces), and sends each as
// one face_capture event carrying the face picture and the background picture with their overlays.
// Sightings turned further than the facial posture filter allows are tracked but never captured;
// with Upload Feature on, a capture carries what its face's pixels tell (face_features, expression).
// With Face Exposure on, it reports the faces' brightness to the channel's exposure gain stage.
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
#include "device/media/image/face_exposure.hpp"

namespace camrig::analytics {

//! "Target Picture Settings": how much of the person the face picture shows around the face.
enum class TargetPicture { head, half_body, full_body };
//! "Background Picture Settings": the background picture's resolution; `source` is the sensor's.
enum class BackgroundResolution { source, r1920x1080, r1280x720, r704x576 };
//! The items the "Text Overlay" can show on captured pictures, in the order the list gives.
enum class PictureText { device_number, camera_info, face_score };

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
  //! "Display Target info. on Alarm Picture": the face box drawn on the background picture.
  bool target_info_on_picture = false;
  BackgroundResolution background_resolution = BackgroundResolution::source;
  //! "Camera": Device No. and Camera Info., up to 32 printable ASCII characters each.
  std::string device_number;
  std::string camera_info;
  //! "Text Overlay": items written on both pictures, in this order; empty: no text.
  std::vector<PictureText> text_overlay;
  // Capture parameters.
  bool best_shot = true;
  int capture_times = 1;        //!< pictures per face track, 1..10
  int capture_threshold = 30;   //!< least face quality (0..100) for any capture
  bool quick_shot = false;
  int quick_shot_threshold = 70;
  int max_capture_interval = 5;  //!< seconds between quick shots of one face, 1..60
  int filtering_time = 0;        //!< seconds a face must stay before it is captured, 0..100
  // Remove Duplicated Faces.
  bool remove_duplicates = false;
  int duplicate_similarity = 85;         //!< 0..100: a capture more similar to a kept face is dropped
  int duplicate_grading_threshold = 60;  //!< 0..100: only captures graded above are compared and kept
  int duplicate_update_time = 60;        //!< seconds a face stays in the library, 1..3600
  //! "Upload Feature": each capture carries the face's attributes (glasses from face_features,
  //! expression smile/neutral from face_expression; gender is reported "unknown").
  bool upload_features = false;
  //! "Facial Posture Filter": faces turned further than this (degrees, left or right) are not
  //! captured, 0..90; 90 lets every face the detector finds through.
  int posture_filter = 45;
  //! "Face Exposure": while faces are seen the picture's exposure is set for them (the channel's
  //! media::image::FaceExposure). Needs WDR off and the manual iris (rules in face_capture.json).
  bool face_exposure = false;
  int reference_brightness = 50;  //!< "Reference Brightness" 0..100: the faces' wanted brightness
  int minimum_duration = 60;      //!< "Minimum Duration": seconds the exposure is held after the faces left, 1..3600
};

inline constexpr int kMaxFaceCaptureShieldRegions = 4;
inline constexpr std::size_t kMaxFaceCaptureTextLength = 32;
//! Faces the duplicates removing library keeps at most; the oldest leaves first.
inline constexpr std::size_t kDuplicateLibrarySize = 64;
//! The pupil distance of a face as a share of its detected width (the cascade's box).
inline constexpr double kPupilDistancePerFaceWidth = 0.4;

Result<void> validate(const FaceCaptureSettings& settings);
//! The channel's settings from `channel.<id>.face_capture.*` (schema device/core/schema/face_capture.json).
Result<FaceCaptureSettings> face_capture_settings_from_config(const core::ConfigService& config, int channel);
//! Stores every setting as one change; validated first, so nothing is stored when one is wrong.
Result<void> store_face_capture_settings(core::ConfigService& config, int channel, const FaceCaptureSettings& settings);
bool is_face_capture_key(std::string_view key);
std::string_view to_string(TargetPicture picture);
std::string_view to_string(BackgroundResolution resolution);
std::string_view to_string(PictureText item);
std::optional<BackgroundResolution> background_resolution_from_string(std::string_view name);
std::optional<PictureText> picture_text_from_string(std::string_view name);

//! The face's quality grade 0..100 on the sensor's luma: size against the capture range, sharpness
//! and exposure. What the capture threshold and quick shot threshold compare with.
int grade_face(const cv::Mat& luma, const cv::Rect& face, const FaceCaptureSettings& settings);
//! The face picture's rectangle around `face` in a `frame`-sized picture, per the target picture.
cv::Rect target_picture_rect(const cv::Rect& face, cv::Size frame, TargetPicture picture);
//! The text overlay's line for one capture: the items in order, two spaces apart; empty without items.
std::string picture_text(const FaceCaptureSettings& settings, int face_quality);
//! The pictures of one capture of `face` (sensor pixels) in `frame`, as the settings ask: the face
//! picture ("face": the target picture frame, JPEG quality 90) when Face Picture is on, the
//! background ("scene": the whole frame at the background resolution and quality, with the face
//! box when target info is on) when Background Upload is on; the text overlay on both.
std::vector<events::PictureRef> capture_pictures(const hal::VideoFrame& frame, const cv::Rect& face, int face_quality,
                                                 const FaceCaptureSettings& settings);
//! How alike two faces (BGR) look, 0..100: the correlation of their lumas, each scaled to 24x24
//! and normalised for brightness and contrast, lowered by the difference of their mean chroma.
int face_similarity(const cv::Mat& face_a, const cv::Mat& face_b);

//! The faces' mean luma (0..255), weighted by their areas, over each face box's middle (without the
//! hair and background at its corners): what face exposure steers to the reference brightness.
double face_brightness(const cv::Mat& luma, const std::vector<cv::Rect>& faces);

//! OpenCV's stock smile cascade (package opencv-data), for the expression of Upload Feature.
inline constexpr const char* kSmileCascade = "/usr/share/opencv4/haarcascades/haarcascade_smile.xml";
//! "smile" when `smiles` finds a smiling mouth, centred, between half and 0.95 of the height of `face`
//! (a face detector box, picture pixels) on the picture's luma, else "neutral".
std::string_view face_expression(const cv::Mat& luma, const cv::Rect& face, cv::CascadeClassifier& smiles);

//! What the face capture tells from a face's own pixels: the posture filter's angle and the
//! "Upload Feature" attributes it can measure.
struct FaceFeatures {
  //! Horizontal turn of the face, degrees, positive when turned to the person's right (the image's
  //! left): from how far the eyes sit off the centre of the head's skin outline.
  double yaw = 0;
  //! Dark frames across the eye band: a dark bridge between the eyes where the nose is bright.
  bool glasses = false;
  //! False when the eyes or the skin outline could not be found: no posture, no attributes.
  bool measured = false;
};
//! The features of `face` (a face detector box, sensor pixels) on the sensor's luma.
FaceFeatures face_features(const cv::Mat& luma, const cv::Rect& face);

//! Remove Duplicated Faces: the faces captured lately, which a face of another track must not repeat.
class DuplicateFaceLibrary {
 public:
  //! True when `face` (BGR) is a duplicate to drop: graded above the grading threshold and more
  //! similar than the threshold to a face another track left within the update time. A face graded
  //! above the threshold that is no duplicate joins the library.
  bool is_duplicate(const cv::Mat& face, int grade, std::uint64_t track, hal::Nanos time, const FaceCaptureSettings& s);
  std::size_t size() const { return entries_.size(); }

 private:
  struct Entry {
    cv::Mat descriptor;
    std::uint64_t track = 0;
    hal::Nanos time{0};
  };
  std::vector<Entry> entries_;  //!< oldest first
};

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
  //! The channel's exposure gain stage, which Face Exposure steers (configured from the settings
  //! now and on every change). Without one, Face Exposure changes nothing.
  void set_face_exposure(std::shared_ptr<media::image::FaceExposure> exposure);

 private:
  FaceCapture(FaceCaptureSettings settings, std::shared_ptr<FaceDetector> faces, std::shared_ptr<cv::CascadeClassifier> smiles)
      : settings_(std::move(settings)), faces_(std::move(faces)), smiles_(std::move(smiles)) {}
  //! The exposure's settings from the face capture's (face exposure works only while faces are looked for).
  static media::image::FaceExposureSettings exposure_settings(const FaceCaptureSettings& s);

  struct Shot {
    int quality = -1;
    cv::Rect box;
    hal::VideoFramePtr frame;
    hal::Nanos time{0};
    FaceFeatures features;
    double exposure_gain = 1.0;  //!< face exposure's gain on the streams when the face was seen
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
  //! Sends the capture unless it repeats a face of the duplicates removing library.
  void capture(const Track& track, const Shot& shot, const FaceCaptureSettings& s, int channel, const EventSink& sink);
  void finish(Track& track, const FaceCaptureSettings& s, int channel, const EventSink& sink);

  mutable std::mutex mutex_;
  FaceCaptureSettings settings_;
  std::shared_ptr<FaceDetector> faces_;
  std::shared_ptr<media::image::FaceExposure> exposure_;
  // Analytics thread only.
  std::shared_ptr<cv::CascadeClassifier> smiles_;
  std::vector<Track> tracks_;
  std::uint64_t next_track_ = 1;
  DuplicateFaceLibrary duplicates_;
  const core::ConfigService* config_ = nullptr;
  int channel_ = 0;
  std::shared_ptr<core::Mailbox<core::ConfigChanged>> changes_;
  std::uint64_t dropped_ = 0;
};

}  // namespace camrig::analytics
