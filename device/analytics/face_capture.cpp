#include "device/analytics/face_capture.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "device/analytics/box_overlap.hpp"
#include "device/analytics/scene_detectors.hpp"
#include "device/core/log.hpp"

namespace camrig::analytics {

namespace {

// A face not seen for this long has left: its track ends and its best shot is taken. Long enough
// for a face to pass behind someone walking ahead of it.
constexpr auto kTrackLostAfter = std::chrono::milliseconds(3000);
// Laplacian energy per unit of contrast at which a face counts as fully sharp (rendered faces
// reach ~0.5 when in focus and small; blur halves it).
constexpr double kSharpFace = 0.45;

std::string key(int channel, std::string_view field) {
  return "channel." + std::to_string(channel) + ".face_capture." + std::string(field);
}

cv::Point2d centre_of(const cv::Rect& box) { return {box.x + box.width / 2.0, box.y + box.height / 2.0}; }

cv::Point2f normalised_centre(const cv::Rect& box, int width, int height) {
  return {(box.x + box.width / 2.0f) / static_cast<float>(width), (box.y + box.height / 2.0f) / static_cast<float>(height)};
}

Result<std::string> jpeg_of(const cv::Mat& bgr, int quality) {
  std::vector<std::uint8_t> out;
  if (!cv::imencode(".jpg", bgr, out, {cv::IMWRITE_JPEG_QUALITY, quality}))
    return Error{ErrorCode::internal, "the face capture picture could not be encoded as JPEG"};
  return std::string(out.begin(), out.end());
}

// The text overlay as stored: item names in order, comma-separated ("device_number,camera_info").
Result<std::vector<PictureText>> parse_text_overlay(std::string_view text) {
  std::vector<PictureText> items;
  while (!text.empty()) {
    const auto comma = text.find(',');
    const auto name = text.substr(0, comma);
    const auto item = picture_text_from_string(name);
    if (!item)
      return Error{ErrorCode::invalid_argument, "the text overlay item '" + std::string(name) +
                                                    "' is none of device_number, camera_info, face_score"};
    items.push_back(*item);
    text = comma == text.npos ? std::string_view() : text.substr(comma + 1);
  }
  return items;
}

std::string text_overlay_text(const std::vector<PictureText>& items) {
  std::string text;
  for (const auto item : items) text += (text.empty() ? "" : ",") + std::string(to_string(item));
  return text;
}

// The text at the top left of a picture, light on a dark band, sized to the picture's height so it
// reads the same on a head shot and on the background.
void draw_text(cv::Mat& bgr, const std::string& text) {
  if (text.empty()) return;
  const double scale = std::max(0.4, bgr.rows / 40.0 / 22.0);
  const int thickness = std::max(1, cvRound(scale * 1.5));
  int baseline = 0;
  const auto size = cv::getTextSize(text, cv::FONT_HERSHEY_SIMPLEX, scale, thickness, &baseline);
  const int margin = std::max(2, size.height / 4);
  const cv::Rect band = cv::Rect(0, 0, size.width + 2 * margin, size.height + baseline + 2 * margin) &
                        cv::Rect(0, 0, bgr.cols, bgr.rows);
  bgr(band).setTo(cv::Scalar(0, 0, 0));
  cv::putText(bgr, text, {margin, margin + size.height}, cv::FONT_HERSHEY_SIMPLEX, scale, cv::Scalar(255, 255, 255),
              thickness, cv::LINE_AA);
}

cv::Size background_size(BackgroundResolution resolution, cv::Size source) {
  cv::Size wanted = source;
  if (resolution == BackgroundResolution::r1920x1080) wanted = {1920, 1080};
  if (resolution == BackgroundResolution::r1280x720) wanted = {1280, 720};
  if (resolution == BackgroundResolution::r704x576) wanted = {704, 576};
  // Never enlarged: that would only cost bandwidth.
  return wanted.width > source.width || wanted.height > source.height ? source : wanted;
}

// Luma structure at 24x24 (normalised), then the face's mean chroma (skin and hair tone), which
// the structure alone misses: faces are alike in their light and dark layout.
cv::Mat face_descriptor(const cv::Mat& face_bgr) {
  // The inner face only (eyes, nose, mouth, cheeks): the detector's box corners hold hair and
  // whatever is behind the head, which changes from one visit to the next. On rendered walkers
  // the whole box scored one face seen on two visits 81 (under the default threshold of 85) and
  // two people up to 64; the inner face scores 92-93 and at most 46
  // (tests/unit/analytics/face_capture_test.cpp).
  const cv::Mat inner =
      face_bgr(cv::Rect(face_bgr.cols * 14 / 100, face_bgr.rows * 12 / 100, std::max(1, face_bgr.cols * 72 / 100),
                        std::max(1, face_bgr.rows * 82 / 100)));
  cv::Mat ycrcb, small, descriptor;
  cv::cvtColor(inner, ycrcb, cv::COLOR_BGR2YCrCb);
  const cv::Scalar tone = cv::mean(ycrcb);
  cv::Mat luma;
  cv::extractChannel(ycrcb, luma, 0);
  cv::resize(luma, small, cv::Size(24, 24), 0, 0, cv::INTER_AREA);
  // Blurred, so a box a few pixels off between two sightings of one face still correlates.
  cv::GaussianBlur(small, small, cv::Size(5, 5), 1.5);
  small.convertTo(descriptor, CV_32F);
  descriptor -= cv::mean(descriptor)[0];
  const double norm = cv::norm(descriptor);
  if (norm > 1e-6) descriptor /= norm;
  descriptor = descriptor.reshape(1, 1);
  cv::hconcat(descriptor, cv::Mat(1, 2, CV_32F, cv::Scalar(0)), descriptor);
  descriptor.at<float>(0, 576) = static_cast<float>(tone[1]);
  descriptor.at<float>(0, 577) = static_cast<float>(tone[2]);
  return descriptor;
}

// Sizes in the face box's own scale: the box is resampled to kFeatureWidth pixels wide.
constexpr int kFeatureWidth = 64;
// Skin reaches this far beyond the box on each side of a turned head (share of the box width).
constexpr double kFeatureSide = 0.35;
// The eyes' midpoint moves off the skin outline's centre by this share of the outline's half
// width per unit of sin(yaw): eyes sit ~21 degrees round a head whose skin outline is ~1.1 face
// half-widths wide. On rendered heads turned -25..25 degrees the estimate is off by 1.3 degrees on
// average, 6.4 at most (tests/unit/analytics/face_features_test.cpp).
constexpr double kEyeShiftPerSine = 0.845;

// A face's glasses darken the bridge between the eyes to this share below the cheeks' skin or
// more; without glasses the nose bridge there stays within ~0.4 (0.24..0.37 on rendered faces,
// 0.53..0.77 with glasses).
constexpr double kGlassesBridgeDarkness = 0.45;

// The expression's search: the face's lower half at this width, and the overlapping detections the
// smile cascade must agree on (it finds a smile-like pattern in many neutral mouths at fewer).
constexpr int kSmileFaceWidth = 96;
constexpr int kSmileNeighbours = 16;

// A chroma difference of kToneApart (in 8-bit Cr/Cb units) or more makes two faces unalike.
constexpr double kToneApart = 12.0;

// A copy of `frame` as the streams show it under face exposure: luma scaled from black, chroma from
// grey, as the image processor's gain stage does.
hal::VideoFramePtr exposed(const hal::VideoFrame& frame, double gain) {
  auto out = std::make_shared<hal::VideoFrame>(frame.width(), frame.height());
  cv::Mat luma_table(1, 256, CV_8UC1), chroma_table(1, 256, CV_8UC1);
  for (int value = 0; value < 256; ++value) {
    luma_table.at<std::uint8_t>(value) = cv::saturate_cast<std::uint8_t>(value * gain);
    chroma_table.at<std::uint8_t>(value) = cv::saturate_cast<std::uint8_t>(128 + (value - 128) * gain);
  }
  for (int plane = 0; plane < 3; ++plane) {
    const int width = plane == 0 ? frame.width() : frame.width() / 2;
    const int height = plane == 0 ? frame.height() : frame.height() / 2;
    const cv::Mat in(height, width, CV_8UC1, const_cast<std::uint8_t*>(frame.plane(plane)),
                     static_cast<std::size_t>(frame.stride(plane)));
    cv::Mat to(height, width, CV_8UC1, out->plane(plane), static_cast<std::size_t>(out->stride(plane)));
    cv::LUT(in, plane == 0 ? luma_table : chroma_table, to);
  }
  out->timestamp = frame.timestamp;
  out->sequence = frame.sequence;
  return out;
}

int similarity_of(const cv::Mat& a, const cv::Mat& b) {
  const double structure = std::clamp(a.colRange(0, 576).dot(b.colRange(0, 576)), 0.0, 1.0);
  const double tone = std::hypot(a.at<float>(0, 576) - b.at<float>(0, 576), a.at<float>(0, 577) - b.at<float>(0, 577));
  return static_cast<int>(std::lround(structure * std::max(0.0, 1.0 - tone / kToneApart) * 100.0));
}

}  // namespace

std::string_view to_string(BackgroundResolution resolution) {
  switch (resolution) {
    case BackgroundResolution::source: return "source";
    case BackgroundResolution::r1920x1080: return "1920x1080";
    case BackgroundResolution::r1280x720: return "1280x720";
    case BackgroundResolution::r704x576: return "704x576";
  }
  return "source";
}

std::optional<BackgroundResolution> background_resolution_from_string(std::string_view name) {
  for (auto r : {BackgroundResolution::source, BackgroundResolution::r1920x1080, BackgroundResolution::r1280x720,
                 BackgroundResolution::r704x576})
    if (to_string(r) == name) return r;
  return std::nullopt;
}

std::string_view to_string(PictureText item) {
  switch (item) {
    case PictureText::device_number: return "device_number";
    case PictureText::camera_info: return "camera_info";
    case PictureText::face_score: return "face_score";
  }
  return "device_number";
}

std::optional<PictureText> picture_text_from_string(std::string_view name) {
  for (auto item : {PictureText::device_number, PictureText::camera_info, PictureText::face_score})
    if (to_string(item) == name) return item;
  return std::nullopt;
}

std::string_view to_string(TargetPicture picture) {
  switch (picture) {
    case TargetPicture::head: return "head";
    case TargetPicture::half_body: return "half_body";
    case TargetPicture::full_body: return "full_body";
  }
  return "head";
}

Result<void> validate(const FaceCaptureSettings& s) {
  if (s.min_pupil_distance < 10 || s.max_pupil_distance > 800 || s.min_pupil_distance > s.max_pupil_distance)
    return Error{ErrorCode::out_of_range, "pupil distances must satisfy 10 <= minimum <= maximum <= 800 pixels"};
  if (auto r = validate_polygon(s.detection_area, "the face capture detection area"); !r) return r;
  if (s.shield_regions.size() > static_cast<std::size_t>(kMaxFaceCaptureShieldRegions))
    return Error{ErrorCode::out_of_range, "face capture takes at most 4 shield regions"};
  for (const auto& region : s.shield_regions)
    if (auto r = validate_polygon(region, "a shield region"); !r) return r;
  if (s.background_quality < 10 || s.background_quality > 100)
    return Error{ErrorCode::out_of_range, "the background picture quality must be 10..100"};
  if (s.capture_times < 1 || s.capture_times > 10) return Error{ErrorCode::out_of_range, "capture times must be 1..10"};
  if (s.capture_threshold < 0 || s.capture_threshold > 100 || s.quick_shot_threshold < 0 || s.quick_shot_threshold > 100)
    return Error{ErrorCode::out_of_range, "the capture and quick shot thresholds must be 0..100"};
  if (s.max_capture_interval < 1 || s.max_capture_interval > 60)
    return Error{ErrorCode::out_of_range, "the max. capture interval must be 1..60 seconds"};
  if (s.filtering_time < 0 || s.filtering_time > 100)
    return Error{ErrorCode::out_of_range, "the face filtering time must be 0..100 seconds"};
  // The pictures' text is drawn with OpenCV's Hershey font, which has ASCII glyphs only.
  for (const auto& [text, what] : {std::pair{&s.device_number, "Device No."}, std::pair{&s.camera_info, "Camera Info."}}) {
    if (text->size() > kMaxFaceCaptureTextLength ||
        std::any_of(text->begin(), text->end(), [](char c) { return c < 0x20 || c > 0x7e; }))
      return Error{ErrorCode::invalid_argument,
                   std::string(what) + " takes up to 32 printable ASCII characters (letters, digits, punctuation, spaces)"};
  }
  for (std::size_t i = 0; i < s.text_overlay.size(); ++i)
    if (std::find(s.text_overlay.begin(), s.text_overlay.begin() + static_cast<std::ptrdiff_t>(i), s.text_overlay[i]) !=
        s.text_overlay.begin() + static_cast<std::ptrdiff_t>(i))
      return Error{ErrorCode::invalid_argument, "the text overlay lists " + std::string(to_string(s.text_overlay[i])) + " twice"};
  if (s.duplicate_similarity < 0 || s.duplicate_similarity > 100 || s.duplicate_grading_threshold < 0 ||
      s.duplicate_grading_threshold > 100)
    return Error{ErrorCode::out_of_range, "the duplicates removing similarity and grading thresholds must be 0..100"};
  if (s.duplicate_update_time < 1 || s.duplicate_update_time > 3600)
    return Error{ErrorCode::out_of_range, "the duplicates removing library update time must be 1..3600 seconds"};
  if (s.posture_filter < 0 || s.posture_filter > 90)
    return Error{ErrorCode::out_of_range, "the facial posture filter must be 0..90 degrees"};
  if (s.reference_brightness < 0 || s.reference_brightness > 100)
    return Error{ErrorCode::out_of_range, "the face exposure reference brightness must be 0..100"};
  if (s.minimum_duration < 1 || s.minimum_duration > 3600)
    return Error{ErrorCode::out_of_range, "the face exposure minimum duration must be 1..3600 seconds"};
  if (!s.best_shot && !s.quick_shot)
    return Error{ErrorCode::invalid_argument, "turn on best shot or quick shot: without either no face is ever captured"};
  return {};
}

bool is_face_capture_key(std::string_view k) { return k.starts_with("channel.") && k.find(".face_capture.") != k.npos; }

Result<FaceCaptureSettings> face_capture_settings_from_config(const core::ConfigService& config, int channel) {
  auto integer = [&](std::string_view field) { return static_cast<int>(config.get_int(key(channel, field))); };
  FaceCaptureSettings s;
  s.enabled = config.get_bool(key(channel, "enabled"));
  s.min_pupil_distance = integer("min_pupil_distance");
  s.max_pupil_distance = integer("max_pupil_distance");
  auto area = parse_polygons(config.get_string(key(channel, "detection_area")), "the face capture detection area");
  if (!area) return area.error();
  if (area->size() != 1)
    return Error{ErrorCode::invalid_argument, "the face capture detection area is exactly one polygon"};
  s.detection_area = area->front();
  auto shields = parse_polygons(config.get_string(key(channel, "shield_regions")), "face capture shield regions");
  if (!shields) return shields.error();
  s.shield_regions = std::move(*shields);
  const auto target = config.get_string(key(channel, "target_picture"));
  s.target_picture = target == "half_body" ? TargetPicture::half_body
                     : target == "full_body" ? TargetPicture::full_body
                                             : TargetPicture::head;
  s.background_upload = config.get_bool(key(channel, "background_upload"));
  s.background_quality = integer("background_quality");
  s.face_picture_upload = config.get_bool(key(channel, "face_picture_upload"));
  s.best_shot = config.get_bool(key(channel, "best_shot"));
  s.capture_times = integer("capture_times");
  s.capture_threshold = integer("capture_threshold");
  s.quick_shot = config.get_bool(key(channel, "quick_shot"));
  s.quick_shot_threshold = integer("quick_shot_threshold");
  s.max_capture_interval = integer("max_capture_interval");
  s.filtering_time = integer("filtering_time");
  s.target_info_on_picture = config.get_bool(key(channel, "target_info_on_picture"));
  s.background_resolution =
      background_resolution_from_string(config.get_string(key(channel, "background_resolution"))).value_or(BackgroundResolution::source);
  s.device_number = config.get_string(key(channel, "device_number"));
  s.camera_info = config.get_string(key(channel, "camera_info"));
  auto items = parse_text_overlay(config.get_string(key(channel, "text_overlay")));
  if (!items) return items.error();
  s.text_overlay = std::move(*items);
  s.remove_duplicates = config.get_bool(key(channel, "remove_duplicates"));
  s.duplicate_similarity = integer("duplicate_similarity");
  s.duplicate_grading_threshold = integer("duplicate_grading_threshold");
  s.duplicate_update_time = integer("duplicate_update_time");
  s.upload_features = config.get_bool(key(channel, "upload_features"));
  s.posture_filter = integer("posture_filter");
  s.face_exposure = config.get_bool(key(channel, "face_exposure"));
  s.reference_brightness = integer("reference_brightness");
  s.minimum_duration = integer("minimum_duration");
  if (auto r = validate(s); !r) return r.error();
  return s;
}

Result<void> store_face_capture_settings(core::ConfigService& config, int channel, const FaceCaptureSettings& s) {
  if (auto r = validate(s); !r) return r;
  using I = std::int64_t;
  return config.apply({
      {key(channel, "enabled"), s.enabled},
      {key(channel, "min_pupil_distance"), I{s.min_pupil_distance}},
      {key(channel, "max_pupil_distance"), I{s.max_pupil_distance}},
      {key(channel, "detection_area"), polygons_to_json({s.detection_area})},
      {key(channel, "shield_regions"), polygons_to_json(s.shield_regions)},
      {key(channel, "target_picture"), std::string(to_string(s.target_picture))},
      {key(channel, "background_upload"), s.background_upload},
      {key(channel, "background_quality"), I{s.background_quality}},
      {key(channel, "face_picture_upload"), s.face_picture_upload},
      {key(channel, "best_shot"), s.best_shot},
      {key(channel, "capture_times"), I{s.capture_times}},
      {key(channel, "capture_threshold"), I{s.capture_threshold}},
      {key(channel, "quick_shot"), s.quick_shot},
      {key(channel, "quick_shot_threshold"), I{s.quick_shot_threshold}},
      {key(channel, "max_capture_interval"), I{s.max_capture_interval}},
      {key(channel, "filtering_time"), I{s.filtering_time}},
      {key(channel, "target_info_on_picture"), s.target_info_on_picture},
      {key(channel, "background_resolution"), std::string(to_string(s.background_resolution))},
      {key(channel, "device_number"), s.device_number},
      {key(channel, "camera_info"), s.camera_info},
      {key(channel, "text_overlay"), text_overlay_text(s.text_overlay)},
      {key(channel, "remove_duplicates"), s.remove_duplicates},
      {key(channel, "duplicate_similarity"), I{s.duplicate_similarity}},
      {key(channel, "duplicate_grading_threshold"), I{s.duplicate_grading_threshold}},
      {key(channel, "duplicate_update_time"), I{s.duplicate_update_time}},
      {key(channel, "upload_features"), s.upload_features},
      {key(channel, "posture_filter"), I{s.posture_filter}},
      {key(channel, "face_exposure"), s.face_exposure},
      {key(channel, "reference_brightness"), I{s.reference_brightness}},
      {key(channel, "minimum_duration"), I{s.minimum_duration}},
  });
}

int grade_face(const cv::Mat& luma, const cv::Rect& face, const FaceCaptureSettings& s) {
  const cv::Rect inside = face & cv::Rect(0, 0, luma.cols, luma.rows);
  if (inside.area() < 16) return 0;
  // A face cut by the picture's edge is not a whole face.
  const double whole = static_cast<double>(inside.area()) / face.area();
  const double pupils = face.width * kPupilDistancePerFaceWidth;
  // Larger within the capture range is better; twice the minimum is as good as it gets.
  const double size = std::clamp((pupils - s.min_pupil_distance) / std::max(1.0, double(s.min_pupil_distance)) + 0.5, 0.0, 1.0);
  // Sharpness and exposure are judged on the face at a fixed size, so they do not depend on its size.
  cv::Mat sample, laplacian;
  cv::resize(luma(inside), sample, cv::Size(48, 48), 0, 0, cv::INTER_AREA);
  cv::Laplacian(sample, laplacian, CV_32F);
  cv::Scalar mean, deviation;
  cv::meanStdDev(sample, mean, deviation);
  const double energy = cv::mean(cv::abs(laplacian))[0];
  const double sharp = std::clamp(energy / (deviation[0] + 8.0) / kSharpFace, 0.0, 1.0);
  const double exposure = 1.0 - std::min(1.0, std::abs(mean[0] - 128.0) / 128.0);
  const double grade = 100.0 * whole * (0.4 * size + 0.4 * sharp + 0.2 * exposure);
  return static_cast<int>(std::lround(std::clamp(grade, 0.0, 100.0)));
}

// The shapes follow the manual's names: a head shot is the face with hair and chin, a half-body shot
// reaches to the waist, a full-body shot to the feet (a standing person is about 7.5 faces tall).
cv::Rect target_picture_rect(const cv::Rect& face, cv::Size frame, TargetPicture picture) {
  double width = 2.0, above = 0.6, below = 1.4;  // in face widths / heights
  if (picture == TargetPicture::half_body) width = 3.0, above = 0.8, below = 3.5;
  if (picture == TargetPicture::full_body) width = 4.0, above = 1.0, below = 7.5;
  const double cx = face.x + face.width / 2.0;
  cv::Rect rect(cvFloor(cx - face.width * width / 2), cvFloor(face.y - face.height * above), cvCeil(face.width * width),
                cvCeil(face.height * (above + below)));
  return rect & cv::Rect(0, 0, frame.width, frame.height);
}

Result<std::shared_ptr<FaceCapture>> FaceCapture::create(FaceCaptureSettings settings, const std::string& cascade_path) {
  if (auto r = validate(settings); !r) return r.error();
  auto faces = FaceDetector::create({}, cascade_path);
  if (!faces) return faces.error();
  auto smiles = std::make_shared<cv::CascadeClassifier>();
  if (!smiles->load(kSmileCascade))
    return Error{ErrorCode::unavailable, std::string("the smile cascade ") + kSmileCascade +
                                             " cannot be loaded; install the package opencv-data"};
  std::shared_ptr<FaceCapture> capture(new FaceCapture(FaceCaptureSettings{}, std::move(*faces), std::move(smiles)));
  if (auto r = capture->configure(settings); !r) return r.error();
  return capture;
}

Result<std::shared_ptr<FaceCapture>> FaceCapture::from_config(const core::ConfigService& config, core::EventBus& bus,
                                                              int channel) {
  auto capture = create();
  if (!capture) return capture.error();
  auto& self = **capture;
  self.config_ = &config;
  self.channel_ = channel;
  self.changes_ = bus.subscribe<core::ConfigChanged>(16);
  self.reload();
  return capture;
}

void FaceCapture::reload() {
  if (!config_ || !config_->spec(key(channel_, "enabled"))) return;
  auto settings = face_capture_settings_from_config(*config_, channel_);
  if (!settings) {
    log::get("analytics")->warn("channel {}: face capture settings ignored: {}", channel_, settings.error().message);
    return;
  }
  (void)configure(*settings);  // validated above
}

Result<void> FaceCapture::configure(const FaceCaptureSettings& s) {
  if (auto r = validate(s); !r) return r;
  // The detector finds every face the pupil limits allow; the area and shields are applied here,
  // after tracking, so a face crossing into a shield region keeps its track.
  FaceSettings detection;
  detection.enabled = s.enabled;
  detection.min_size = std::max(24, static_cast<int>(std::ceil(s.min_pupil_distance / kPupilDistancePerFaceWidth)));
  detection.max_size = std::min(2160, static_cast<int>(std::floor(s.max_pupil_distance / kPupilDistancePerFaceWidth)));
  detection.max_size = std::max(detection.max_size, detection.min_size);
  if (auto r = faces_->configure(detection); !r) return r;
  std::lock_guard lock(mutex_);
  settings_ = s;
  if (exposure_) exposure_->configure(exposure_settings(s));
  return {};
}

media::image::FaceExposureSettings FaceCapture::exposure_settings(const FaceCaptureSettings& s) {
  return {s.enabled && s.face_exposure, s.reference_brightness, s.minimum_duration};
}

void FaceCapture::set_face_exposure(std::shared_ptr<media::image::FaceExposure> exposure) {
  std::lock_guard lock(mutex_);
  exposure_ = std::move(exposure);
  if (exposure_) exposure_->configure(exposure_settings(settings_));
}

cv::Rect FaceCapture::predicted_box(const Track& track, hal::Nanos at) {
  if (track.last_seen == hal::Nanos{0} || at <= track.last_seen) return track.box;
  const double dt = std::chrono::duration<double>(at - track.last_seen).count();
  const cv::Point2d centre = centre_of(track.box) + track.velocity * dt;
  const double scale = std::clamp((track.box.width + track.growth * dt) / std::max(1, track.box.width), 0.5, 2.0);
  const double w = track.box.width * scale, h = track.box.height * scale;
  return {cvRound(centre.x - w / 2), cvRound(centre.y - h / 2), cvRound(w), cvRound(h)};
}

FaceCaptureSettings FaceCapture::settings() const {
  std::lock_guard lock(mutex_);
  return settings_;
}

void FaceCapture::analyse(const AnalysisFrame& frame, const EventSink& sink) {
  if (changes_) {
    bool changed = false;
    while (auto change = changes_->try_pop())
      changed = changed || std::any_of(change->keys.begin(), change->keys.end(), [](const std::string& k) {
                  return is_face_capture_key(k);
                });
    if (const auto dropped = changes_->dropped(); dropped != dropped_) changed = true, dropped_ = dropped;
    if (changed) reload();
  }
  FaceCaptureSettings s;
  std::shared_ptr<media::image::FaceExposure> exposure;
  {
    std::lock_guard lock(mutex_);
    s = settings_;
    exposure = exposure_;
  }
  if (!s.enabled) {
    tracks_.clear();
    return;
  }
  if (!frame.full) return;
  const int width = frame.full->width(), height = frame.full->height();
  const cv::Mat luma(height, width, CV_8UC1, const_cast<std::uint8_t*>(frame.full->plane(0)),
                     static_cast<std::size_t>(frame.full->stride(0)));

  std::vector<cv::Rect> faces;
  for (const auto& face : faces_->detect(frame)) {
    const auto centre = normalised_centre(face, width, height);
    if (cv::pointPolygonTest(s.detection_area, centre, false) < 0) continue;
    const bool shielded = std::any_of(s.shield_regions.begin(), s.shield_regions.end(),
                                      [&](const auto& shield) { return cv::pointPolygonTest(shield, centre, false) >= 0; });
    if (!shielded) faces.push_back(face);
  }
  // Measured on the sensor's picture, which the gain does not change: see FaceExposure.
  if (exposure && s.face_exposure && !faces.empty()) exposure->faces_measured(face_brightness(luma, faces), frame.time);
  const double gain = exposure && s.face_exposure ? exposure->gain() : 1.0;

  // Each face continues the track it overlaps most; the rest start new tracks.
  std::vector<bool> continued(tracks_.size(), false);
  for (const auto& face : faces) {
    std::size_t best = tracks_.size();
    double best_overlap = 0;
    for (std::size_t i = 0; i < tracks_.size(); ++i) {
      if (continued[i]) continue;
      const cv::Rect expected = predicted_box(tracks_[i], frame.time);
      const double size_ratio = static_cast<double>(face.width) / std::max(1, expected.width);
      if (size_ratio < 0.6 || size_ratio > 1.6) continue;
      const double o = expected.contains((face.tl() + face.br()) / 2) ? std::max(0.11, overlap(expected, face))
                                                                     : overlap(expected, face);
      if (o > 0.1 && o > best_overlap) best = i, best_overlap = o;
    }
    if (best == tracks_.size()) {
      Track track;
      track.id = next_track_++;
      track.first_seen = frame.time;
      track.box = face;
      tracks_.push_back(std::move(track));
      continued.push_back(false);
    }
    auto& track = tracks_[best];
    continued[best] = true;
    if (track.last_seen != hal::Nanos{0} && frame.time > track.last_seen) {
      // Smoothed, as single detections jitter by a few pixels.
      const double dt = std::chrono::duration<double>(frame.time - track.last_seen).count();
      const cv::Point2d moved = (centre_of(face) - centre_of(track.box)) * (1.0 / dt);
      track.velocity = track.velocity * 0.6 + moved * 0.4;
      track.growth = track.growth * 0.6 + (face.width - track.box.width) / dt * 0.4;
    }
    track.box = face;
    track.last_seen = frame.time;
    // A face turned too far keeps its track (it may turn back) but is no candidate for a picture.
    // When the turn cannot be measured the face is let through: the filter only drops what it sees.
    const FaceFeatures features = face_features(luma, face);
    if (features.measured && std::abs(features.yaw) > s.posture_filter) continue;
    const int quality = grade_face(luma, face, s);
    if (quality > track.best.quality) track.best = {quality, face, frame.full, frame.time, features, gain};

    // Quick shot: a good enough face is captured at once, then again only when it has improved
    // and the max. capture interval has passed.
    const bool stayed = frame.time - track.first_seen >= std::chrono::seconds(s.filtering_time);
    if (s.quick_shot && stayed && track.captures < s.capture_times && quality >= s.quick_shot_threshold &&
        quality >= s.capture_threshold && quality > track.best_captured &&
        (!track.last_capture || frame.time - *track.last_capture >= std::chrono::seconds(s.max_capture_interval))) {
      capture(track, {quality, face, frame.full, frame.time, features, gain}, s, frame.channel, sink);
      ++track.captures;
      track.best_captured = quality;
      track.last_capture = frame.time;
      track.best = {};
    }
  }
  for (auto& track : tracks_)
    if (frame.time - track.last_seen > kTrackLostAfter) finish(track, s, frame.channel, sink);
  std::erase_if(tracks_, [&](const Track& t) { return frame.time - t.last_seen > kTrackLostAfter; });
}

// Best shot: when the face has left, its best sighting is captured if it is good enough, beats
// every quick shot already sent and the face stayed at least the filtering time.
void FaceCapture::finish(Track& track, const FaceCaptureSettings& s, int channel, const EventSink& sink) {
  if (!s.best_shot || !track.best.frame || track.captures >= s.capture_times) return;
  if (track.last_seen - track.first_seen < std::chrono::seconds(s.filtering_time)) return;
  if (track.best.quality < s.capture_threshold || track.best.quality <= track.best_captured) return;
  capture(track, track.best, s, channel, sink);
  ++track.captures;
}

void FaceCapture::capture(const Track& track, const Shot& shot, const FaceCaptureSettings& s, int channel,
                          const EventSink& sink) {
  // The pictures show the face as the streams did: under face exposure, with the gain of the moment.
  const auto pictured = shot.exposure_gain != 1.0 ? exposed(*shot.frame, shot.exposure_gain) : shot.frame;
  const auto& full = *pictured;
  const int width = full.width(), height = full.height();
  if (s.remove_duplicates) {
    // The frame is one contiguous I420 buffer (hal::VideoFrame).
    const cv::Mat i420(height * 3 / 2, width, CV_8UC1, const_cast<std::uint8_t*>(full.plane(0)));
    cv::Mat bgr;
    cv::cvtColor(i420, bgr, cv::COLOR_YUV2BGR_I420);
    if (duplicates_.is_duplicate(bgr(shot.box & cv::Rect(0, 0, width, height)), shot.quality, track.id, shot.time, s)) {
      log::get("analytics")->debug("channel {}: face track {} repeats a face captured lately; not captured", channel, track.id);
      return;
    }
  }
  events::Event event;
  event.kind = events::EventKind::face_capture;
  event.channel = channel;
  event.state = events::EventState::pulse;
  event.device_time = shot.time;
  events::Target target;
  target.box = events::Box{shot.box.x / double(width), shot.box.y / double(height), shot.box.width / double(width),
                           shot.box.height / double(height)};
  target.object_class = "human";
  target.track_id = track.id;
  target.face_quality = shot.quality;
  if (s.upload_features) {
    events::FaceAttributes attributes;
    if (shot.features.measured) attributes.glasses = shot.features.glasses ? "yes" : "no";
    const cv::Mat luma(height, width, CV_8UC1, const_cast<std::uint8_t*>(full.plane(0)), static_cast<std::size_t>(full.stride(0)));
    attributes.expression = std::string(face_expression(luma, shot.box, *smiles_));
    target.face_attributes = attributes;
  }
  event.target = target;
  event.pictures = capture_pictures(full, shot.box, shot.quality, s);
  sink(std::move(event));
}

std::string picture_text(const FaceCaptureSettings& s, int face_quality) {
  std::string text;
  for (const auto item : s.text_overlay) {
    const std::string value = item == PictureText::device_number ? s.device_number
                              : item == PictureText::camera_info ? s.camera_info
                                                                 : "Face score " + std::to_string(face_quality);
    if (value.empty()) continue;
    text += (text.empty() ? "" : "  ") + value;
  }
  return text;
}

std::vector<events::PictureRef> capture_pictures(const hal::VideoFrame& full, const cv::Rect& face, int face_quality,
                                                 const FaceCaptureSettings& s) {
  std::vector<events::PictureRef> pictures;
  if (!s.face_picture_upload && !s.background_upload) return pictures;
  const int width = full.width(), height = full.height();
  // The frame is one contiguous I420 buffer (hal::VideoFrame).
  const cv::Mat i420(height * 3 / 2, width, CV_8UC1, const_cast<std::uint8_t*>(full.plane(0)));
  cv::Mat bgr;
  cv::cvtColor(i420, bgr, cv::COLOR_YUV2BGR_I420);
  const auto text = picture_text(s, face_quality);
  auto add = [&](const char* kind, const cv::Mat& picture, int quality) {
    auto jpeg = jpeg_of(picture, quality);
    if (!jpeg) {
      log::get("analytics")->error("{}", jpeg.error().message);
      return;
    }
    events::PictureRef ref;
    ref.kind = kind;
    ref.jpeg = std::make_shared<const std::string>(std::move(*jpeg));
    pictures.push_back(std::move(ref));
  };
  if (s.face_picture_upload) {
    cv::Mat picture = bgr(target_picture_rect(face, {width, height}, s.target_picture)).clone();
    draw_text(picture, text);
    add("face", picture, 90);
  }
  if (s.background_upload) {
    cv::Mat picture = bgr;
    if (s.target_info_on_picture) {
      const int thickness = std::max(2, width / 640);
      cv::rectangle(picture, face, cv::Scalar(0, 0, 255), thickness);
    }
    const auto size = background_size(s.background_resolution, {width, height});
    if (size != picture.size()) cv::resize(picture, picture, size, 0, 0, cv::INTER_AREA);
    draw_text(picture, text);
    add("scene", picture, s.background_quality);
  }
  return pictures;
}

double face_brightness(const cv::Mat& luma, const std::vector<cv::Rect>& faces) {
  double sum = 0, area = 0;
  for (const auto& face : faces) {
    // The cascade's box runs from the brows to the chin; its corners are hair and background.
    const cv::Rect middle = cv::Rect(face.x + face.width / 5, face.y + face.height / 5, face.width * 3 / 5,
                                     face.height * 7 / 10) &
                            cv::Rect(0, 0, luma.cols, luma.rows);
    if (middle.area() <= 0) continue;
    sum += cv::mean(luma(middle))[0] * middle.area();
    area += middle.area();
  }
  return area > 0 ? sum / area : 0.0;
}

std::string_view face_expression(const cv::Mat& luma, const cv::Rect& face, cv::CascadeClassifier& smiles) {
  // The mouth lies in the lower half of the box, above its bottom edge: the chin's curved outline
  // against a dark neck looks like a smile to the cascade. Scaled to a fixed size so that one set
  // of search sizes fits every face.
  const cv::Rect lower = cv::Rect(face.x, face.y + face.height / 2, face.width, face.height * 9 / 20) &
                         cv::Rect(0, 0, luma.cols, luma.rows);
  if (lower.width < 16 || lower.height < 8) return "neutral";
  cv::Mat mouth;
  const double scale = static_cast<double>(kSmileFaceWidth) / lower.width;
  cv::resize(luma(lower), mouth, cv::Size(kSmileFaceWidth, std::max(1, cvRound(lower.height * scale))), 0, 0, cv::INTER_AREA);
  cv::equalizeHist(mouth, mouth);
  std::vector<cv::Rect> found;
  smiles.detectMultiScale(mouth, found, 1.1, kSmileNeighbours, 0, cv::Size(kSmileFaceWidth / 4, kSmileFaceWidth / 8),
                          cv::Size(kSmileFaceWidth * 3 / 4, kSmileFaceWidth * 3 / 8));
  // A smile is a mouth under the nose: centred, not a cheek's or the jaw's shading.
  const bool smiling = std::any_of(found.begin(), found.end(), [](const cv::Rect& r) {
    return std::abs(r.x + r.width / 2 - kSmileFaceWidth / 2) < kSmileFaceWidth / 6;
  });
  return smiling ? "smile" : "neutral";
}

int face_similarity(const cv::Mat& a, const cv::Mat& b) {
  if (a.empty() || b.empty()) return 0;
  return similarity_of(face_descriptor(a), face_descriptor(b));
}

// The head's skin outline stays put while the eyes move round it as the face turns, so the turn is
// read from how far the eyes' midpoint sits off the outline's centre on the cheek rows. The skin
// ends where the luma leaves the cheeks' tone by 30 %: side shading, hair and background.
FaceFeatures face_features(const cv::Mat& luma, const cv::Rect& face) {
  FaceFeatures out;
  if (face.width < 16 || face.height < 16) return out;
  const int side = cvRound(face.width * kFeatureSide);
  const cv::Rect wanted(face.x - side, face.y, face.width + 2 * side, face.height);
  const cv::Rect inside = wanted & cv::Rect(0, 0, luma.cols, luma.rows);
  if (inside != wanted) return out;  // a face at the picture's edge has no whole outline
  const double scale = static_cast<double>(kFeatureWidth) / face.width;
  cv::Mat crop;
  const cv::Size size(cvRound(inside.width * scale), kFeatureWidth * face.height / face.width);
  cv::resize(luma(inside), crop, size, 0, 0, cv::INTER_AREA);
  cv::GaussianBlur(crop, crop, cv::Size(3, 3), 0.8);
  cv::Mat f;
  crop.convertTo(f, CV_32F);
  const int x0 = cvRound(side * scale), x1 = x0 + kFeatureWidth, h = f.rows;
  const int cx = (x0 + x1) / 2;
  // The eye row: the darkest row of the upper face.
  int eye_row = -1;
  double darkest = 1e9;
  for (int y = h * 20 / 100; y <= h * 55 / 100; ++y) {
    const double m = cv::mean(f(cv::Range(y, y + 1), cv::Range(x0 + kFeatureWidth / 6, x1 - kFeatureWidth / 6)))[0];
    if (m < darkest) darkest = m, eye_row = y;
  }
  if (eye_row < 3 || eye_row + 3 >= h) return out;
  cv::Mat band;
  cv::reduce(f(cv::Range(eye_row - 2, eye_row + 3), cv::Range::all()), band, 0, cv::REDUCE_AVG);
  auto darkest_column = [&](int from, int to) {
    int best = from;
    for (int x = from; x < to; ++x)
      if (band.at<float>(0, x) < band.at<float>(0, best)) best = x;
    return best;
  };
  const int reach = kFeatureWidth * 22 / 100, gap = kFeatureWidth / 32;
  const int left_eye = darkest_column(x0 + reach, cx - gap);
  const int right_eye = darkest_column(cx + gap, x1 - reach);
  // A minimum on the search's edge is hair or background, not an eye.
  if (left_eye == x0 + reach || left_eye == cx - gap - 1 || right_eye == cx + gap || right_eye == x1 - reach - 1)
    return out;
  const double eyes = (left_eye + right_eye) / 2.0;
  // Skin tone from the cheeks under both eyes.
  const int cheek0 = std::min(h - 1, eye_row + h * 15 / 100), cheek1 = std::min(h, eye_row + h * 28 / 100);
  if (cheek1 - cheek0 < 2) return out;
  std::vector<float> cheeks;
  for (const int x : {left_eye, right_eye})
    for (int y = cheek0; y < cheek1; ++y)
      for (int dx = -2; dx <= 2; ++dx) cheeks.push_back(f.at<float>(y, std::clamp(x + dx, 0, f.cols - 1)));
  std::nth_element(cheeks.begin(), cheeks.begin() + cheeks.size() / 2, cheeks.end());
  const double skin = cheeks[cheeks.size() / 2];
  const double tolerance = std::max(14.0, 0.3 * skin);
  // The skin outline on the cheek rows: from between the eyes out to where the skin ends.
  double left = 0, right = 0;
  int rows = 0, open = 0;
  for (int y = cheek0; y < cheek1; ++y) {
    auto edge = [&](int step) {
      int x = cvRound(eyes), misses = 0, last = x;
      while (x + step >= 0 && x + step < f.cols) {
        x += step;
        if (std::abs(f.at<float>(y, x) - skin) > tolerance) {
          if (++misses >= 2) break;
        } else {
          misses = 0, last = x;
        }
      }
      return last;
    };
    const int l = edge(-1), r = edge(1);
    // Skin up to the region's edge: the background matches the skin there, no outline is seen.
    open += l == 0 || r == f.cols - 1;
    left += l, right += r, ++rows;
  }
  if (open * 2 > rows) return out;
  left /= rows, right /= rows;
  const double half = (right - left) / 2.0;
  if (half < kFeatureWidth / 4.0) return out;
  const double shift = (eyes - (left + right) / 2.0) / half;
  out.yaw = -std::asin(std::clamp(shift / kEyeShiftPerSine, -1.0, 1.0)) * 180.0 / std::numbers::pi;
  // Glasses: the bridge between the eyes, just above their row, against the skin.
  double bridge = 1e9;
  for (int y = std::max(0, eye_row - 4); y <= eye_row + 1; ++y)
    for (int x = cvRound(eyes) - 2; x <= cvRound(eyes) + 2; ++x) bridge = std::min<double>(bridge, f.at<float>(y, x));
  const double bridge_dark = 1.0 - bridge / std::max(1.0, skin);
  out.glasses = bridge_dark > kGlassesBridgeDarkness;
  out.measured = true;
  return out;
}

bool DuplicateFaceLibrary::is_duplicate(const cv::Mat& face, int grade, std::uint64_t track, hal::Nanos time,
                                        const FaceCaptureSettings& s) {
  std::erase_if(entries_, [&](const Entry& e) { return time - e.time > std::chrono::seconds(s.duplicate_update_time); });
  // A poor picture is neither compared nor kept: it would match anything blurred alike.
  if (grade <= s.duplicate_grading_threshold || face.empty()) return false;
  const auto descriptor = face_descriptor(face);
  for (const auto& entry : entries_)
    if (entry.track != track && similarity_of(descriptor, entry.descriptor) > s.duplicate_similarity) return true;
  if (entries_.size() >= kDuplicateLibrarySize) entries_.erase(entries_.begin());
  entries_.push_back({descriptor, track, time});
  return false;
}

}  // namespace camrig::analytics
