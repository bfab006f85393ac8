#include "device/analytics/face_detector.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <utility>

#include <opencv2/imgproc.hpp>

#include "device/analytics/box_overlap.hpp"

namespace camrig::analytics {

namespace {

constexpr int kCascadeWindow = 24;  // haarcascade_frontalface_default's training size
// Search regions reach this far beyond a moving blob (share of its size), and further up: the
// head often separates from the body's blob or sits above it.
constexpr double kRegionMargin = 0.25;
constexpr double kRegionMarginAbove = 0.6;
// A face not seen for this long is new when it shows again.
constexpr auto kForgetAfter = std::chrono::milliseconds(1500);

// A face found lately is searched for again around where it was (this share of its size on
// each side), moving or not: the background model takes a person who stops into the background
// within seconds, and a face must not vanish because its owner stands still. Between two analysed
// frames a face changes size by far less than these bounds, so it is looked for at its own scale
// only: the picture is scaled so that the smallest size looked for fills the cascade's window.
constexpr double kFollowMargin = 0.75;
constexpr double kFollowSmallest = 0.7;
constexpr double kFollowLargest = 1.5;

// Cascade work on moving blobs per frame, in pixels of the scaled crops (the cascade's cost grows
// with them: roughly 3 ms per 10,000 on one core of the bench machine). Each blob is searched one
// octave of face sizes at a time (the larger ones on a crop scaled down further, a quarter of the
// pixels per octave), and an octave of a large blob in overlapping tiles; pieces beyond the budget
// are searched on the next frames, the stalest first. A walking person's blob at 1080p is
// 3,000-30,000, so a street scene keeps within the budget; a crowd close to the camera takes more,
// as every piece is searched at least once in so many frames (0.32 s at 12.5 fps). A face once
// found is followed every frame outside the budget.
constexpr double kBlobBudget = 6000;
constexpr double kTileBudget = 6000;
constexpr double kFramesPerPass = 4;

// Search coverage is kept on cells of this many full-size pixels a side; a cell unsearched for
// this many frames is as stale as one never searched.
constexpr int kCoverageCell = 16;
constexpr std::int32_t kStalest = 64;
// A standing person is about 7.5 face heights tall and a search region reaches 1.85 times the
// blob's height: octaves with faces below 1/16 of the region are the less likely ones.
constexpr double kFacesPerBlobHeight = 16;

// An octave reaches one scale step into the next one, so a face at the boundary has the
// neighbouring detections the cascade's grouping needs in at least one of them.
constexpr double kOctaveReach = 2.2;

// The foreground is cut into blobs on cells of this many analysis pixels a side: a search region
// needs no finer edges than that, and labelling 16 times fewer pixels is the bulk of the saving.
constexpr int kBlobCell = 4;

// The cascade's scale step within an octave (OpenCV's usual one; 1.2 drops the recall of the face
// accuracy test from 0.98 to 0.74).
constexpr double kScaleStep = 1.1;

// A cell is set when any of its pixels is.
cv::Mat foreground_cells(const cv::Mat& foreground) {
  const int cols = (foreground.cols + kBlobCell - 1) / kBlobCell, rows = (foreground.rows + kBlobCell - 1) / kBlobCell;
  cv::Mat cells(rows, cols, CV_8UC1, cv::Scalar(0));
  for (int y = 0; y < foreground.rows; ++y) {
    const std::uint8_t* in = foreground.ptr<std::uint8_t>(y);
    std::uint8_t* out = cells.ptr<std::uint8_t>(y / kBlobCell);
    for (int x = 0; x < foreground.cols; ++x) out[x / kBlobCell] |= in[x];
  }
  return cells;
}

// Moving blobs of the foreground, grown by the margin, in full-size pixels, overlaps merged.
std::vector<cv::Rect> blob_regions(const AnalysisFrame& frame, int min_face) {
  cv::Mat labels, stats, centroids;
  const int count = cv::connectedComponentsWithStats(foreground_cells(frame.foreground), labels, stats, centroids, 8, CV_32S);
  const double scale = frame.scale();
  const cv::Rect bounds(0, 0, frame.full->width(), frame.full->height());
  const double least_side = min_face / scale / 3.0;  // a face's blob is no thinner than a third of it
  std::vector<cv::Rect> regions;
  const cv::Rect mask_bounds(0, 0, frame.foreground.cols, frame.foreground.rows);
  for (int i = 1; i < count; ++i) {
    // The blob's pixels within its cells give its exact box.
    const cv::Rect cells(stats.at<int>(i, cv::CC_STAT_LEFT) * kBlobCell, stats.at<int>(i, cv::CC_STAT_TOP) * kBlobCell,
                         stats.at<int>(i, cv::CC_STAT_WIDTH) * kBlobCell, stats.at<int>(i, cv::CC_STAT_HEIGHT) * kBlobCell);
    const cv::Rect inner = cv::boundingRect(frame.foreground(cells & mask_bounds));
    const double w = inner.width, h = inner.height;
    if (w < least_side || h < least_side) continue;
    const double x = cells.x + inner.x, y = cells.y + inner.y;
    const double mx = w * kRegionMargin, my = h * kRegionMargin;
    const double above = h * kRegionMarginAbove;
    const cv::Rect grown(cvFloor((x - mx) * scale), cvFloor((y - above) * scale), cvCeil((w + 2 * mx) * scale),
                         cvCeil((h + above + my) * scale));
    if (const cv::Rect region = grown & bounds; !region.empty()) regions.push_back(region);
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

// The crop scaled by `factor` (<= 1): whole halvings by pixel averaging (OpenCV's fast path),
// the rest bilinear, so the cascade sees the noise averaged as with an area resize of the whole
// factor at a fraction of its cost.
void scaled_crop(const cv::Mat& crop, double factor, cv::Mat& out) {
  const cv::Size target(std::max(1, cvRound(crop.cols * factor)), std::max(1, cvRound(crop.rows * factor)));
  cv::Mat source = crop;
  while (source.cols >= 2 * target.width && source.rows >= 2 * target.height) {
    cv::Mat halved;
    cv::resize(source, halved, cv::Size(source.cols / 2, source.rows / 2), 0, 0, cv::INTER_AREA);
    source = halved;
  }
  if (source.size() == target) out = source;
  else cv::resize(source, out, target, 0, 0, cv::INTER_LINEAR);
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
  if (answer_ && answer_->time == frame.time && answer_->sequence == frame.sequence) return answer_->faces;
  const FaceSettings s = settings();
  std::vector<cv::Rect> faces;
  if (!s.enabled || s.sensitivity == 0 || !frame.background_ready() || !frame.full) return faces;
  const auto& full = *frame.full;
  const cv::Mat luma(full.height(), full.width(), CV_8UC1, const_cast<std::uint8_t*>(full.plane(0)),
                     static_cast<std::size_t>(full.stride(0)));
  const cv::Rect bounds(0, 0, full.width(), full.height());
  const int neighbours = 2 + (100 - s.sensitivity + 12) / 25;  // 2 at 100 .. 6 near 0
  // Faces from `smallest` to `largest` full-size pixels in `region`, the crop scaled so the
  // smallest just fills the cascade window: no time spent on smaller ones.
  cv::Mat crop;
  const auto search = [&](const cv::Rect& region, double smallest, double largest) {
    if (region.width < smallest || region.height < smallest) return;
    const double factor = std::min(1.0, kCascadeWindow / smallest);
    scaled_crop(luma(region), factor, crop);
    const int widest = std::max(kCascadeWindow, cvFloor(largest * factor));
    if (crop.cols < kCascadeWindow || crop.rows < kCascadeWindow) return;
    std::vector<cv::Rect> found;
    cascade_.detectMultiScale(crop, found, kScaleStep, neighbours, 0, cv::Size(kCascadeWindow, kCascadeWindow),
                              cv::Size(widest, widest));
    const double fx = static_cast<double>(region.width) / crop.cols, fy = static_cast<double>(region.height) / crop.rows;
    for (const auto& f : found) {
      const cv::Rect box(region.x + cvRound(f.x * fx), region.y + cvRound(f.y * fy), cvRound(f.width * fx),
                         cvRound(f.height * fy));
      if (box.width < s.min_size || box.width > s.max_size) continue;
      const cv::Point2f centre((box.x + box.width / 2.0f) / full.width(), (box.y + box.height / 2.0f) / full.height());
      const bool shielded = std::any_of(s.shield_regions.begin(), s.shield_regions.end(), [&](const auto& shield) {
        return cv::pointPolygonTest(shield, centre, false) >= 0;
      });
      // The same face from a follow search and a blob search: the first one stays.
      const bool known = std::any_of(faces.begin(), faces.end(), [&](const cv::Rect& b) { return overlap(b, box) > 0.3; });
      if (!shielded && !known) faces.push_back(box);
    }
  };

  std::vector<cv::Rect> recent;
  {
    std::lock_guard lock(mutex_);
    std::erase_if(found_, [&](const Seen& f) { return frame.time - f.last > kForgetAfter; });
    for (const auto& f : found_) recent.push_back(f.box);
  }
  for (const cv::Rect& face : recent) {
    const double smallest = std::max<double>(s.min_size, face.width * kFollowSmallest);
    const double largest = std::min<double>(s.max_size, face.width * kFollowLargest);
    if (smallest > largest) continue;
    const int mx = cvCeil(face.width * kFollowMargin), my = cvCeil(face.height * kFollowMargin);
    search(cv::Rect(face.x - mx, face.y - my, face.width + 2 * mx, face.height + 2 * my) & bounds, smallest, largest);
  }

  // Blob pieces, the stalest first: a piece's age is the mean over its cells of the frames since
  // the cell was last searched for faces of its octave, so a blob that moves inherits what was
  // searched where it now is. Faces sit at the top of a person's blob and are no smaller than
  // about an eighth of it: pieces there age faster.
  ++frames_;
  const cv::Size cells((full.width() + kCoverageCell - 1) / kCoverageCell, (full.height() + kCoverageCell - 1) / kCoverageCell);
  const auto cells_of = [&](const cv::Rect& box) {
    return cv::Rect(box.x / kCoverageCell, box.y / kCoverageCell, std::max(1, box.width / kCoverageCell),
                    std::max(1, box.height / kCoverageCell)) & cv::Rect(0, 0, cells.width, cells.height);
  };
  struct Piece {
    cv::Rect box;
    int octave = 0;
    double smallest = 0, largest = 0, cost = 0, priority = 0;
  };
  std::vector<Piece> pieces;
  for (const cv::Rect& region : blob_regions(frame, s.min_size)) {
    for (int octave = 0;; ++octave) {
      const double smallest = s.min_size * std::pow(2.0, octave);
      if (smallest > s.max_size || smallest > std::min(region.width, region.height)) break;
      const double largest = std::min<double>(s.max_size, smallest * kOctaveReach);
      const double factor = std::min(1.0, kCascadeWindow / smallest);
      if (searched_.size() <= static_cast<std::size_t>(octave)) searched_.resize(octave + 1);
      cv::Mat& coverage = searched_[static_cast<std::size_t>(octave)];
      if (coverage.size() != cells) coverage = cv::Mat(cells, CV_32S, cv::Scalar(frames_ - kStalest));
      // Tiles overlap by the octave's largest face, so every face is whole in one of them; a
      // tile is at least twice that, or the overlap would cost more than the split spreads.
      const int shared = cvCeil(largest);
      int columns = 1, rows = 1;
      const auto tile = [&](int length, int parts) { return (length + (parts - 1) * shared + parts - 1) / parts; };
      while (tile(region.width, columns) * tile(region.height, rows) * factor * factor > kTileBudget) {
        const bool split_x = tile(region.width, columns + 1) >= 2 * shared;
        const bool split_y = tile(region.height, rows + 1) >= 2 * shared;
        if (!split_x && !split_y) break;
        if (split_x && (!split_y || tile(region.width, columns) >= tile(region.height, rows))) ++columns;
        else ++rows;
      }
      const int tile_width = tile(region.width, columns), tile_height = tile(region.height, rows);
      const auto offset = [&](int i, int parts, int length, int size) {
        return i == parts - 1 ? length - size : i * (size - shared);
      };
      const bool likely_size = largest * kFacesPerBlobHeight >= region.height;
      for (int row = 0; row < rows; ++row) {
        for (int column = 0; column < columns; ++column) {
          const cv::Rect box = cv::Rect(region.x + offset(column, columns, region.width, tile_width),
                                        region.y + offset(row, rows, region.height, tile_height), tile_width, tile_height) &
                               bounds;
          double age = 0;
          const cv::Rect c = cells_of(box);
          for (int y = c.y; y < c.br().y; ++y)
            for (int x = c.x; x < c.br().x; ++x) age += std::min(kStalest, frames_ - coverage.at<std::int32_t>(y, x));
          age /= std::max(1, c.area());
          const bool likely_place = row == 0;
          pieces.push_back({box, octave, smallest, largest, box.area() * factor * factor,
                            age * (likely_size ? 2 : 1) * (likely_place ? 2 : 1)});
        }
      }
    }
  }
  std::stable_sort(pieces.begin(), pieces.end(), [](const Piece& a, const Piece& b) { return a.priority > b.priority; });
  double total = 0;
  for (const auto& piece : pieces) total += piece.cost;
  const double budget = std::max(kBlobBudget, total / kFramesPerPass);
  double spent = 0;
  for (const auto& piece : pieces) {
    if (spent > 0 && spent + piece.cost > budget) continue;
    spent += piece.cost;
    search(piece.box, piece.smallest, piece.largest);
    searched_[static_cast<std::size_t>(piece.octave)](cells_of(piece.box)).setTo(frames_);
  }

  {
    std::lock_guard lock(mutex_);
    for (const auto& face : faces) {
      std::erase_if(found_, [&](const Seen& f) { return overlap(f.box, face) > 0.1; });
      found_.push_back({face, frame.time});
    }
  }
  answer_ = Answer{frame.time, frame.sequence, faces};
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
