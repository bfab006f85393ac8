#include "device/analytics/face_detector.hpp"

#include <algorithm>

#include <opencv2/imgproc.hpp>

namespace camrig::analytics {

namespace {

constexpr int kCascadeWindow = 24;  // haarcascade_frontalface_default's training size
// Search regions reach this far beyond a moving blob (share of its size), and further up: the
// head often separates from the body's blob or sits above it.
constexpr double kRegionMargin = 0.25;
constexpr double kRegionMarginAbove = 0.6;
// A face not seen for this long is new when it shows again.
constexpr auto kForgetAfter = std::chrono::milliseconds(1500);

double overlap(const cv::Rect& a, const cv::Rect& b) {
  const double inter = (a & b).area();
  return inter <= 0 ? 0.0 : inter / static_cast<double>(a.area() + b.area() - inter);
}

// A face found lately is searched for again around where it was (this share of its size on
// each side), moving or not: the background model takes a person who stops into the background
// within seconds, and a face must not vanish because its owner stands still.
constexpr double kFollowMargin = 0.75;

// Moving blobs of the foreground, grown by the margin, and the places of faces found lately, in
// full-size pixels, overlaps merged.
std::vector<cv::Rect> search_regions(const AnalysisFrame& frame, int min_face, const std::vector<cv::Rect>& recent) {
  cv::Mat labels, stats, centroids;
  const int count = cv::connectedComponentsWithStats(frame.foreground, labels, stats, centroids, 8, CV_32S);
  const double scale = frame.scale();
  const cv::Rect bounds(0, 0, frame.full->width(), frame.full->height());
  const double least_side = min_face / scale / 3.0;  // a face's blob is no thinner than a third of it
  std::vector<cv::Rect> regions;
  for (int i = 1; i < count; ++i) {
    const int w = stats.at<int>(i, cv::CC_STAT_WIDTH), h = stats.at<int>(i, cv::CC_STAT_HEIGHT);
    if (w < least_side || h < least_side) continue;
    const double x = stats.at<int>(i, cv::CC_STAT_LEFT), y = stats.at<int>(i, cv::CC_STAT_TOP);
    const double mx = w * kRegionMargin, my = h * kRegionMargin;
    const double above = h * kRegionMarginAbove;
    const cv::Rect grown(cvFloor((x - mx) * scale), cvFloor((y - above) * scale), cvCeil((w + 2 * mx) * scale),
                         cvCeil((h + above + my) * scale));
    regions.push_back(grown & bounds);
  }
  for (const cv::Rect& face : recent) {
    const int mx = cvCeil(face.width * kFollowMargin), my = cvCeil(face.height * kFollowMargin);
    regions.push_back(cv::Rect(face.x - mx, face.y - my, face.width + 2 * mx, face.height + 2 * my) & bounds);
  }
  for (bool merged = true; merged;) {
    merged = false;
    for (std::size_t i = 0; i < regions.size() && !merged; ++i) {
      for (std::size_t j = i + 1; j < regions.size(); ++j) {
        if ((regions[i] & regions[j]).area() > 0) {
          regions[i] |= regions[j];
          regions.erase(regions.begin() + static_cast<std::ptrdiff_t>(j));
          merged = true;
          break;
        }
      }
    }
  }
  return regions;
}

}  // namespace

Result<void> validate(const FaceSettings& s) {
  if (s.sensitivity < 0 || s.sensitivity > 100) return Error{ErrorCode::out_of_range, "face sensitivity must be 0..100"};
  if (s.min_size < kCascadeWindow || s.max_size > 2160 || s.min_size > s.max_size)
    return Error{ErrorCode::out_of_range, "face sizes must satisfy 24 <= minimum <= maximum <= 2160 pixels"};
  if (s.shield_regions.size() > static_cast<std::size_t>(kMaxFaceShieldRegions))
    return Error{ErrorCode::out_of_range, "face detection takes at most 4 shield regions"};
  for (const auto& region : s.shield_regions)
    if (auto r = validate_polygon(region, "a shield region"); !r) return r;
  return {};
}

Result<std::shared_ptr<FaceDetector>> FaceDetector::create(FaceSettings settings, const std::string& cascade_path) {
  if (auto r = validate(settings); !r) return r.error();
  std::shared_ptr<FaceDetector> detector(new FaceDetector(std::move(settings)));
  if (!detector->cascade_.load(cascade_path))
    return Error{ErrorCode::unavailable, "cannot load the face cascade " + cascade_path + " (install opencv-data)"};
  return detector;
}

Result<void> FaceDetector::configure(const FaceSettings& settings) {
  if (auto r = validate(settings); !r) return r;
  std::lock_guard lock(mutex_);
  settings_ = settings;
  return {};
}

FaceSettings FaceDetector::settings() const {
  std::lock_guard lock(mutex_);
  return settings_;
}

std::vector<cv::Rect> FaceDetector::detect(const AnalysisFrame& frame) {
  const FaceSettings s = settings();
  std::vector<cv::Rect> faces;
  if (!s.enabled || s.sensitivity == 0 || !frame.background_ready() || !frame.full) return faces;
  const auto& full = *frame.full;
  const cv::Mat luma(full.height(), full.width(), CV_8UC1, const_cast<std::uint8_t*>(full.plane(0)),
                     static_cast<std::size_t>(full.stride(0)));
  // Scaled so the smallest wanted face just fills the cascade window: no time spent on smaller.
  const double factor = std::min(1.0, static_cast<double>(kCascadeWindow) / s.min_size);
  const int neighbours = 2 + (100 - s.sensitivity + 12) / 25;  // 2 at 100 .. 6 near 0
  const int largest = std::max(kCascadeWindow, cvFloor(s.max_size * factor));
  std::vector<cv::Rect> recent;
  {
    std::lock_guard lock(mutex_);
    std::erase_if(found_, [&](const Seen& f) { return frame.time - f.last > kForgetAfter; });
    for (const auto& f : found_) recent.push_back(f.box);
  }
  for (const cv::Rect& region : search_regions(frame, s.min_size, recent)) {
    cv::Mat crop;
    cv::resize(luma(region), crop, cv::Size(), factor, factor, cv::INTER_AREA);
    if (crop.cols < kCascadeWindow || crop.rows < kCascadeWindow) continue;
    std::vector<cv::Rect> found;
    cascade_.detectMultiScale(crop, found, 1.1, neighbours, 0, cv::Size(kCascadeWindow, kCascadeWindow),
                              cv::Size(largest, largest));
    for (const auto& f : found) {
      const cv::Rect box(region.x + cvRound(f.x / factor), region.y + cvRound(f.y / factor), cvRound(f.width / factor),
                         cvRound(f.height / factor));
      if (box.width < s.min_size || box.width > s.max_size) continue;
      const cv::Point2f centre((box.x + box.width / 2.0f) / full.width(), (box.y + box.height / 2.0f) / full.height());
      const bool shielded = std::any_of(s.shield_regions.begin(), s.shield_regions.end(), [&](const auto& shield) {
        return cv::pointPolygonTest(shield, centre, false) >= 0;
      });
      if (!shielded) faces.push_back(box);
    }
  }
  std::lock_guard lock(mutex_);
  for (const auto& face : faces) {
    std::erase_if(found_, [&](const Seen& f) { return overlap(f.box, face) > 0.1; });
    found_.push_back({face, frame.time});
  }
  return faces;
}

void FaceDetector::analyse(const AnalysisFrame& frame, const EventSink& sink) {
  const auto faces = detect(frame);
  std::vector<cv::Rect> fresh;
  {
    std::lock_guard lock(mutex_);
    std::erase_if(seen_, [&](const Seen& s) { return frame.time - s.last > kForgetAfter; });
    for (const auto& face : faces) {
      auto it = std::find_if(seen_.begin(), seen_.end(), [&](const Seen& s) {
        return overlap(s.box, face) > 0.1 || s.box.contains((face.tl() + face.br()) / 2);
      });
      if (it == seen_.end()) {
        seen_.push_back({face, frame.time});
        fresh.push_back(face);
      } else {
        *it = {face, frame.time};
      }
    }
  }
  const double w = frame.full ? frame.full->width() : 1, h = frame.full ? frame.full->height() : 1;
  for (const auto& face : fresh) {
    events::Event event;
    event.kind = events::EventKind::face_detection;
    event.channel = frame.channel;
    event.state = events::EventState::pulse;
    event.device_time = frame.time;
    events::Target target;
    target.box = events::Box{face.x / w, face.y / h, face.width / w, face.height / h};
    event.target = target;
    sink(std::move(event));
  }
}

}  // namespace camrig::analytics
