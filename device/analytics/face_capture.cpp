#include "device/analytics/face_capture.hpp"

#include <algorithm>
#include <cmath>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

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

double overlap(const cv::Rect& a, const cv::Rect& b) {
  const double inter = (a & b).area();
  return inter <= 0 ? 0.0 : inter / static_cast<double>(a.area() + b.area() - inter);
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

}  // namespace

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
  std::shared_ptr<FaceCapture> capture(new FaceCapture(FaceCaptureSettings{}, std::move(*faces)));
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
  return {};
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
  const FaceCaptureSettings s = settings();
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
    const int quality = grade_face(luma, face, s);
    if (quality > track.best.quality) track.best = {quality, face, frame.full, frame.time};

    // Quick shot: a good enough face is captured at once, then again only when it has improved
    // and the max. capture interval has passed.
    const bool stayed = frame.time - track.first_seen >= std::chrono::seconds(s.filtering_time);
    if (s.quick_shot && stayed && track.captures < s.capture_times && quality >= s.quick_shot_threshold &&
        quality >= s.capture_threshold && quality > track.best_captured &&
        (!track.last_capture || frame.time - *track.last_capture >= std::chrono::seconds(s.max_capture_interval))) {
      capture(track, {quality, face, frame.full, frame.time}, s, frame.channel, sink);
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
  const auto& full = *shot.frame;
  const int width = full.width(), height = full.height();
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
  event.target = target;
  if (s.face_picture_upload || s.background_upload) {
    // The frame is one contiguous I420 buffer (hal::VideoFrame).
    const cv::Mat i420(height * 3 / 2, width, CV_8UC1, const_cast<std::uint8_t*>(full.plane(0)));
    cv::Mat bgr;
    cv::cvtColor(i420, bgr, cv::COLOR_YUV2BGR_I420);
    auto add = [&](const char* kind, const cv::Mat& picture, int quality) {
      auto jpeg = jpeg_of(picture, quality);
      if (!jpeg) {
        log::get("analytics")->error("channel {}: {}", channel, jpeg.error().message);
        return;
      }
      events::PictureRef ref;
      ref.kind = kind;
      ref.jpeg = std::make_shared<const std::string>(std::move(*jpeg));
      event.pictures.push_back(std::move(ref));
    };
    if (s.face_picture_upload) add("face", bgr(target_picture_rect(shot.box, {width, height}, s.target_picture)), 90);
    if (s.background_upload) add("scene", bgr, s.background_quality);
  }
  sink(std::move(event));
}

}  // namespace camrig::analytics
