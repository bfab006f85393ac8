#include "device/analytics/object_tracker.hpp"

#include <algorithm>
#include <cmath>
#include <tuple>

#include <opencv2/imgproc.hpp>

#include "device/analytics/seconds.hpp"

namespace camrig::analytics {

namespace {

// The reference learns the empty scene over about 4 s (at 12.5 fps), following light changes;
// while the shared model is still learning, it learns everything faster.
constexpr double kReferenceRate = 0.02;
constexpr double kReferenceWarmupRate = 0.1;
// Luma difference that counts as changed against the reference (sensor noise is a few levels).
constexpr double kChangedLevel = 18.0;
// A static object is gone once its changed part falls below this share of what it was, for
// this long.
constexpr double kPresentShare = 0.45;
constexpr double kGoneAfterSeconds = 1.0;
// After this long a static object becomes part of the background (and taking it away later is
// a removal of its own).
constexpr double kAbsorbAfterSeconds = 600.0;
// Gone objects are kept for the longest removal threshold, so the rules can time them.
constexpr double kForgetGoneAfterSeconds = 3700.0;
// A new static candidate where a moving track was born this recently is a vehicle or person
// that stood still and drove or walked off, not a removed object.
constexpr double kVacatedWindowSeconds = 20.0;

// The whole-picture search for changes the shared model missed runs on every 4th frame.
constexpr int kCandidateEvery = 4;
constexpr double kLostMemorySeconds = 10.0;
// Steps of the completion of partial targets from the reference (each reaches 5 pixels further
// up and down, 2 sideways).
constexpr int kCompletionSteps = 4;
// Splitting a stacked blob (split_stacked): a whole upright figure is at least this many times
// taller than wide; the blob must have grown this much beyond the target's usual height; the
// target keeps at least this share of its height and the other figure has at least that one.
constexpr double kSlenderRatio = 2.2;
constexpr double kGrownRatio = 1.4;
constexpr double kOwnShare = 0.75;
constexpr double kLeastOtherShare = 0.4;
constexpr int kSplitAfterHits = 5;
constexpr double kLeastSplitHeight = 16;

cv::Point2d bottom_centre(const cv::Rect2d& b) { return {b.x + b.width / 2, b.y + b.height}; }

double iou(const cv::Rect2d& a, const cv::Rect2d& b) {
  const double inter = (a & b).area();
  const double uni = a.area() + b.area() - inter;
  return uni > 0 ? inter / uni : 0.0;
}

double gradient_energy(const cv::Mat& image) {
  cv::Mat gx, gy;
  cv::Sobel(image, gx, CV_32F, 1, 0);
  cv::Sobel(image, gy, CV_32F, 0, 1);
  return cv::sum(cv::abs(gx))[0] + cv::sum(cv::abs(gy))[0];
}

double changed_share(const cv::Mat& luma, const cv::Mat& reference, const cv::Rect& box) {
  if (box.area() <= 0) return 0.0;
  cv::Mat current;
  luma(box).convertTo(current, CV_32F);
  cv::Mat diff;
  cv::absdiff(current, reference(box), diff);
  return static_cast<double>(cv::countNonZero(diff > kChangedLevel)) / box.area();
}

}  // namespace

std::string_view to_string(ObjectClass object_class) {
  switch (object_class) {
    case ObjectClass::human: return "human";
    case ObjectClass::vehicle: return "vehicle";
    case ObjectClass::unknown: return "unknown";
  }
  return "unknown";
}

// Shape says most about the class at these sizes: an upright person is at least one and a half
// times taller than wide, a vehicle from any side is not.
ObjectClass class_of(const cv::Rect2d& box) {
  if (box.width <= 0) return ObjectClass::unknown;
  const double ratio = box.height / box.width;
  if (ratio >= 1.5) return ObjectClass::human;
  if (ratio <= 1.2) return ObjectClass::vehicle;
  return ObjectClass::unknown;
}

ObjectTracker::ObjectTracker(ObjectTrackerOptions options) : options_(options) {}

void ObjectTracker::reset() {
  tracks_.clear();
  statics_.clear();
  reference_.release();
  candidates_.clear();
  lost_.clear();
  have_time_ = false;
}

void ObjectTracker::update(const AnalysisFrame& frame) {
  if (frame.luma.empty()) return;
  if (frame.luma.size() != size_) {
    reset();
    size_ = frame.luma.size();
  }
  if (reference_.empty() || !frame.background_ready()) {
    update_reference(frame.luma, cv::Mat());
    return;
  }
  const cv::Mat moving = completed_foreground(frame, frame.foreground.clone());
  cv::Mat foreground = sustained_foreground(frame);
  cv::bitwise_or(foreground, moving, foreground);
  associate(blobs_of(foreground), foreground, frame.time);
  promote_static(frame.luma, frame.time);
  if (++frames_ % kCandidateEvery == 0) find_unseen_static(frame.luma, frame.time);
  follow_static(frame.luma, frame.time);
  // Frozen under the completed moving targets too: learning the parts the shared model missed
  // would teach the reference a trail along every busy path. Not under what only the reference
  // itself sustains, so its errors fade.
  update_reference(frame.luma, moving);
}

cv::Mat ObjectTracker::sustained_foreground(const AnalysisFrame& frame) {
  // The shared model learns a target that stands still into the background within seconds; the
  // slow reference still sees it. Only where a confirmed target is expected, so the reference's
  // own slips (light, ghosts) never start new targets.
  cv::Mat sustained = frame.foreground.clone();
  const double dt = have_time_ ? std::max(0.0, to_seconds(frame.time - last_time_)) : 0.0;
  const cv::Rect frame_rect(0, 0, size_.width, size_.height);
  cv::Mat current, diff;
  for (const Track& track : tracks_) {
    if (!track.confirmed || track.is_static) continue;
    const cv::Rect2d& b = track.box;
    // Within the predicted box only: the sustained part can keep a target, never grow it.
    const cv::Rect area =
        cv::Rect(cv::Rect2d(b.x + track.velocity.x * dt, b.y + track.velocity.y * dt, b.width, b.height)) & frame_rect;
    if (area.area() <= 0) continue;
    frame.luma(area).convertTo(current, CV_32F);
    cv::absdiff(current, reference_(area), diff);
    cv::Mat changed = diff > kChangedLevel;
    cv::Mat target = sustained(area);
    cv::bitwise_or(target, changed, target);
  }
  return sustained;
}

cv::Mat ObjectTracker::completed_foreground(const AnalysisFrame& frame, cv::Mat foreground) {
  // Targets walking one after another along the same path teach the shared model their colours
  // (legs in dark trousers cover a walkway pixel a third of the time), so it shows only parts of
  // the next one: a shirt without legs, whose foot point is wrong. The reference, frozen under
  // everything that moves, still sees the whole target: changed pixels connected to the
  // foreground complete it. Only connected ones, so the reference's own slips never start targets.
  reference_.convertTo(reference_u8_, CV_8U);
  cv::absdiff(frame.luma, reference_u8_, changed_);
  cv::threshold(changed_, changed_, kChangedLevel, 255, cv::THRESH_BINARY);
  // Static objects belong to the static-object search, not to the targets passing them.
  const cv::Rect frame_rect(0, 0, size_.width, size_.height);
  for (const auto& object : statics_)
    if (object.present) changed_(object.box & frame_rect).setTo(0);
  for (const Track& track : tracks_)
    if (track.is_static) changed_(cv::Rect(track.box) & frame_rect).setTo(0);
  // Tall steps: what is missing of an upright target is above or below the part that was seen.
  static const cv::Mat kernel = cv::getStructuringElement(cv::MORPH_RECT, cv::Size(5, 11));
  for (int step = 0; step < kCompletionSteps; ++step) {
    cv::dilate(foreground, grown_, kernel);
    cv::bitwise_and(grown_, changed_, grown_);
    cv::bitwise_or(foreground, grown_, foreground);
  }
  return foreground;
}

std::vector<cv::Rect> ObjectTracker::blobs_of(const cv::Mat& foreground) {
  // Closing with a tall kernel joins a person's legs, body and head, which the background model
  // often splits where clothes match the ground.
  static const cv::Mat kernel = cv::getStructuringElement(cv::MORPH_RECT, cv::Size(5, 9));
  cv::Mat closed;
  cv::morphologyEx(foreground, closed, cv::MORPH_CLOSE, kernel);
  cv::Mat labels, stats, centroids;
  const int count = cv::connectedComponentsWithStats(closed, labels, stats, centroids, 8, CV_32S);
  std::vector<cv::Rect> boxes;
  for (int i = 1; i < count; ++i) {
    if (stats.at<int>(i, cv::CC_STAT_AREA) < options_.min_blob_area) continue;
    boxes.emplace_back(stats.at<int>(i, cv::CC_STAT_LEFT), stats.at<int>(i, cv::CC_STAT_TOP),
                       stats.at<int>(i, cv::CC_STAT_WIDTH), stats.at<int>(i, cv::CC_STAT_HEIGHT));
  }
  // Parts that still touch or nest after closing belong to one object.
  for (bool merged = true; merged;) {
    merged = false;
    for (std::size_t i = 0; i < boxes.size() && !merged; ++i) {
      for (std::size_t j = i + 1; j < boxes.size() && !merged; ++j) {
        const cv::Rect grown(boxes[i].x - 2, boxes[i].y - 2, boxes[i].width + 4, boxes[i].height + 4);
        // Stacked parts (head and body, body and legs) with a gap between them: one upright thing.
        const int overlap_x = std::min(boxes[i].br().x, boxes[j].br().x) - std::max(boxes[i].x, boxes[j].x);
        const int gap_y = std::max(boxes[i].y, boxes[j].y) - std::min(boxes[i].br().y, boxes[j].br().y);
        // Of like width: a person walking below a passing car is not part of it.
        const int narrow = std::min(boxes[i].width, boxes[j].width);
        const bool stacked = overlap_x >= 0.5 * narrow && std::max(boxes[i].width, boxes[j].width) <= 2 * narrow &&
                             gap_y <= 0.5 * std::max(boxes[i].height, boxes[j].height);
        if ((grown & boxes[j]).area() > 0 || stacked) {
          boxes[i] |= boxes[j];
          boxes.erase(boxes.begin() + static_cast<std::ptrdiff_t>(j));
          merged = true;
        }
      }
    }
  }
  return boxes;
}

void ObjectTracker::split_stacked(std::vector<cv::Rect>& blobs, const std::vector<cv::Rect2d>& predicted,
                                  const cv::Mat& foreground) const {
  // Two people one behind the other on one path come out as one tall blob (head of the near one
  // below the feet of the far one), and the track of the first would jump to the second when the
  // first leaves. A whole, upright target whose blob grew far beyond its usual height keeps its
  // own part; the part across an empty band of rows becomes a blob of its own when it is a whole
  // upright figure too. Pieces of one person (a shirt, legs) are not that slender, so a target
  // completed from its parts is left whole.
  const cv::Rect frame_rect(0, 0, size_.width, size_.height);
  cv::Mat rows;
  for (std::size_t t = 0; t < tracks_.size(); ++t) {
    const Track& track = tracks_[t];
    const cv::Size2d usual = track.usual_size;
    if (!track.confirmed || track.missed > 0 || track.hits < kSplitAfterHits || track.is_static) continue;
    if (usual.height < kSlenderRatio * usual.width || usual.height < kLeastSplitHeight) continue;
    const cv::Rect2d& p = predicted[t];
    std::size_t best = blobs.size();
    double best_overlap = 0;
    for (std::size_t b = 0; b < blobs.size(); ++b) {
      const double overlap = (cv::Rect2d(blobs[b]) & p).area();
      if (overlap > best_overlap) best = b, best_overlap = overlap;
    }
    if (best == blobs.size() || best_overlap < 0.5 * p.area()) continue;
    const cv::Rect blob = blobs[best] & frame_rect;
    if (blob.height <= kGrownRatio * usual.height + 4 || blob.width > 2 * usual.width + 4) continue;
    cv::reduce(foreground(blob), rows, 1, cv::REDUCE_SUM, CV_32S);
    // At most one pixel in this row and the next: a band between two figures, not a thin waist.
    const auto empty = [&](int y) {
      return y > blob.y && y + 1 < blob.br().y && rows.at<int>(y - blob.y) <= 255 && rows.at<int>(y + 1 - blob.y) <= 255;
    };
    // The band nearest to the target's own top (a second figure above) or bottom (below).
    const int own_top = static_cast<int>(p.y), own_bottom = static_cast<int>(p.y + p.height);
    const int margin = static_cast<int>(0.25 * p.height);
    int cut = -1;
    if (own_top - blob.y > kLeastOtherShare * usual.height) {
      for (int y = std::min(own_top + margin, blob.br().y - 1); y > blob.y && cut < 0; --y)
        if (empty(y)) cut = y;
    } else if (blob.br().y - own_bottom > kLeastOtherShare * usual.height) {
      for (int y = std::max(own_bottom - margin, blob.y + 1); y < blob.br().y && cut < 0; ++y)
        if (empty(y)) cut = y;
    }
    if (cut < 0) continue;
    // Each figure without the thin trail a busy path leaves in the empty-scene reference.
    const auto figure = [&](int top, int bottom) {
      int widest = 0;
      for (int y = top; y < bottom; ++y) widest = std::max(widest, rows.at<int>(y - blob.y) / 255);
      const int solid = std::max(2, widest / 4) * 255;
      while (top < bottom && rows.at<int>(top - blob.y) < solid) ++top;
      while (bottom > top && rows.at<int>(bottom - 1 - blob.y) < solid) --bottom;
      if (bottom <= top) return cv::Rect();
      const cv::Rect band(blob.x, top, blob.width, bottom - top);
      return cv::boundingRect(foreground(band)) + band.tl();
    };
    const cv::Rect a = figure(blob.y, cut), b = figure(cut, blob.br().y);
    if (a.area() <= 0 || b.area() <= 0) continue;
    const bool own_is_upper = own_top - blob.y <= kLeastOtherShare * usual.height;
    const cv::Rect& own = own_is_upper ? a : b;
    const cv::Rect& other = own_is_upper ? b : a;
    if (own.height < kOwnShare * usual.height) continue;
    if (other.height < kLeastOtherShare * usual.height || other.height < kSlenderRatio * other.width) continue;
    blobs[best] = own;
    blobs.push_back(other);
  }
}

void ObjectTracker::associate(const std::vector<cv::Rect>& found, const cv::Mat& foreground, hal::Nanos time) {
  const double dt = have_time_ ? std::max(1e-3, to_seconds(time - last_time_)) : 0.08;
  last_time_ = time;
  have_time_ = true;

  std::vector<cv::Rect2d> predicted(tracks_.size());
  for (std::size_t t = 0; t < tracks_.size(); ++t) {
    predicted[t] = tracks_[t].box;
    predicted[t].x += tracks_[t].velocity.x * dt;
    predicted[t].y += tracks_[t].velocity.y * dt;
  }
  std::vector<cv::Rect> blobs = found;
  split_stacked(blobs, predicted, foreground);
  // Pieces of one target (a person whose clothes match the ground in places) lie inside its
  // predicted box: join them before matching, so the target keeps its whole box.
  std::vector<cv::Rect> joined = blobs;
  std::vector<bool> was_joined(blobs.size(), false);
  for (std::size_t t = 0; t < tracks_.size(); ++t) {
    if (!tracks_[t].confirmed || tracks_[t].missed > 0) continue;
    const cv::Rect2d& p = predicted[t];
    const cv::Rect2d area(p.x - 0.15 * p.width, p.y - 0.15 * p.height, p.width * 1.3, p.height * 1.3);
    std::vector<std::size_t> inside;
    for (std::size_t b = 0; b < joined.size(); ++b) {
      const cv::Rect2d blob(joined[b]);
      if ((blob & area).area() >= 0.6 * blob.area()) inside.push_back(b);
    }
    if (inside.size() < 2) continue;
    cv::Rect merged = joined[inside[0]];
    for (std::size_t k = 1; k < inside.size(); ++k) merged |= joined[inside[k]];
    // More than this target (it met another one): leave the pieces apart.
    const cv::Size2d usual = tracks_[t].usual_size;
    if (merged.width > 1.25 * usual.width + 2 || merged.height > 1.25 * usual.height + 2) continue;
    for (std::size_t k = inside.size(); k-- > 0;) {
      joined.erase(joined.begin() + static_cast<std::ptrdiff_t>(inside[k]));
      was_joined.erase(was_joined.begin() + static_cast<std::ptrdiff_t>(inside[k]));
    }
    joined.push_back(merged);
    was_joined.push_back(true);
  }
  const std::vector<cv::Rect>& blobs_now = joined;
  // Greedy matching on overlap, then on centre distance relative to the object's size.
  std::vector<std::tuple<double, std::size_t, std::size_t>> pairs;
  for (std::size_t t = 0; t < tracks_.size(); ++t) {
    const cv::Point2d pc(predicted[t].x + predicted[t].width / 2, predicted[t].y + predicted[t].height / 2);
    const double extent = std::max({predicted[t].width, predicted[t].height, 8.0});
    for (std::size_t b = 0; b < blobs_now.size(); ++b) {
      const cv::Rect2d blob(blobs_now[b]);
      const double overlap = iou(predicted[t], blob);
      const cv::Point2d bc(blob.x + blob.width / 2, blob.y + blob.height / 2);
      const double distance = std::hypot(pc.x - bc.x, pc.y - bc.y) / extent;
      if (overlap < 0.05 && distance > 0.8) continue;
      pairs.emplace_back(overlap - 0.5 * distance, t, b);
    }
  }
  std::sort(pairs.begin(), pairs.end(), [](const auto& x, const auto& y) { return std::get<0>(x) > std::get<0>(y); });
  std::vector<bool> track_used(tracks_.size(), false), blob_used(blobs_now.size(), false);
  for (const auto& [score, t, b] : pairs) {
    if (track_used[t] || blob_used[b]) continue;
    track_used[t] = blob_used[b] = true;
    Track& track = tracks_[t];
    const cv::Rect2d blob(blobs_now[b]);
    const double since = std::max(1e-3, to_seconds(time - track.last_seen));
    const cv::Point2d old_c(track.box.x + track.box.width / 2, track.box.y + track.box.height / 2);
    const cv::Point2d new_c(blob.x + blob.width / 2, blob.y + blob.height / 2);
    const cv::Point2d measured((new_c.x - old_c.x) / since, (new_c.y - old_c.y) / since);
    // A box that changed size a lot (a blob split or joined) moved its centre by more than the
    // target did: keep the old velocity then.
    const double size_ratio = blob.area() / std::max(1.0, track.box.area());
    if (size_ratio > 0.6 && size_ratio < 1.7)
      track.velocity = track.hits > 1 ? track.velocity * 0.6 + measured * 0.4 : measured;
    if (!was_joined[b] || track.usual_size.area() <= 0) {
      track.usual_size = track.usual_size.area() <= 0
                             ? blob.size()
                             : cv::Size2d(track.usual_size.width * 0.7 + blob.width * 0.3,
                                          track.usual_size.height * 0.7 + blob.height * 0.3);
    }
    track.box = blob;
    ++track.hits;
    track.missed = 0;
    track.last_seen = time;
    const cv::Point2d foot = bottom_centre(blob);
    track.travelled = std::max(track.travelled, std::hypot(foot.x - track.origin.x, foot.y - track.origin.y));
    if (track.hits >= options_.confirm_hits) track.confirmed = true;
    // The class settles once and only changes on clear evidence, so events of one target agree.
    const ObjectClass seen = class_of(blob);
    if (track.object_class == ObjectClass::unknown || (seen != ObjectClass::unknown && track.hits < 8))
      track.object_class = seen == ObjectClass::unknown ? track.object_class : seen;
  }
  const cv::Rect2d frame_rect(0, 0, size_.width, size_.height);
  for (std::size_t t = 0; t < tracks_.size(); ++t) {
    if (track_used[t]) continue;
    Track& track = tracks_[t];
    ++track.missed;
    track.box = predicted[t];
  }
  std::erase_if(tracks_, [&](const Track& track) {
    if (track.missed == 0) return false;
    if (!track.confirmed) return true;
    const bool gone =
        to_seconds(time - track.last_seen) > options_.max_coast_seconds || (track.box & frame_rect).area() <= 0;
    if (gone && !track.is_static) lost_.emplace_back(cv::Rect(track.box) & cv::Rect(frame_rect), time);
    return gone;
  });
  std::erase_if(lost_, [&](const auto& lost) { return to_seconds(time - lost.second) > kLostMemorySeconds; });
  for (std::size_t b = 0; b < blobs_now.size(); ++b) {
    if (blob_used[b]) continue;
    Track track;
    track.id = next_id_++;
    track.box = cv::Rect2d(blobs_now[b]);
    track.hits = 1;
    track.first_seen = track.last_seen = time;
    track.origin = bottom_centre(track.box);
    track.usual_size = track.box.size();
    track.object_class = class_of(track.box);
    tracks_.push_back(track);
  }
}

void ObjectTracker::update_reference(const cv::Mat& luma, const cv::Mat& foreground) {
  if (reference_.empty()) {
    luma.convertTo(reference_, CV_32F);
    freeze_ = cv::Mat::zeros(luma.size(), CV_8UC1);
    return;
  }
  if (foreground.empty()) {
    cv::accumulateWeighted(luma, reference_, kReferenceWarmupRate);
    return;
  }
  // Nothing that moves or lies as a static object gets into the reference. A target that stops
  // fades into it a few seconds after the shared model let it go; freezing under every target
  // would keep a target made of a reference error alive for ever.
  foreground.copyTo(freeze_);
  const cv::Rect frame_rect(0, 0, size_.width, size_.height);
  for (const auto& s : statics_)
    if (s.present) freeze_(s.box & frame_rect).setTo(255);
  cv::Mat learn;
  cv::bitwise_not(freeze_, learn);
  cv::accumulateWeighted(luma, reference_, kReferenceRate, learn);
}

void ObjectTracker::promote_static(const cv::Mat& luma, hal::Nanos time) {
  const cv::Rect frame_rect(0, 0, size_.width, size_.height);
  for (Track& track : tracks_) {
    if (track.is_static || !track.confirmed || track.missed > 0) continue;
    if (to_seconds(time - track.first_seen) < options_.static_after_seconds) continue;
    if (track.travelled > options_.static_max_travel) continue;
    track.is_static = true;  // decided once, whatever the outcome
    if (track.object_class == ObjectClass::human) continue;  // someone standing still
    const cv::Rect box = cv::Rect(track.box) & frame_rect;
    if (box.area() <= 0) continue;
    bool vacated = false;
    for (const Track& other : tracks_) {
      if (&other == &track || other.travelled <= options_.static_max_travel) continue;
      if (to_seconds(time - other.first_seen) > kVacatedWindowSeconds) continue;
      const cv::Rect2d born(other.origin.x - other.box.width / 2, other.origin.y - other.box.height, other.box.width,
                            other.box.height);
      if ((born & cv::Rect2d(box)).area() > 0.3 * box.area()) vacated = true;
    }
    if (vacated || changed_share(luma, reference_, box) < 0.15) continue;
    add_static(luma, box, track.first_seen, time);
  }
}

void ObjectTracker::add_static(const cv::Mat& luma, const cv::Rect& box, hal::Nanos since, hal::Nanos time) {
  const cv::Rect frame_rect(0, 0, size_.width, size_.height);
  // Whichever picture has the object has its edges: the current one for a left object, the
  // reference for a removed one.
  const cv::Rect around = cv::Rect(box.x - 2, box.y - 2, box.width + 4, box.height + 4) & frame_rect;
  cv::Mat reference_u8;
  reference_(around).convertTo(reference_u8, CV_8U);
  StaticObject object;
  object.id = next_static_id_++;
  object.kind = gradient_energy(luma(around)) >= gradient_energy(reference_u8) ? StaticKind::left : StaticKind::removed;
  object.box = box;
  object.since = since;
  object.last_present = time;
  object.initial_share = changed_share(luma, reference_, box);
  statics_.push_back(object);
}

void ObjectTracker::find_unseen_static(const cv::Mat& luma, hal::Nanos time) {
  cv::Mat current, diff;
  luma.convertTo(current, CV_32F);
  cv::absdiff(current, reference_, diff);
  cv::Mat changed = diff > kChangedLevel;
  static const cv::Mat kernel = cv::getStructuringElement(cv::MORPH_RECT, cv::Size(3, 3));
  cv::morphologyEx(changed, changed, cv::MORPH_OPEN, kernel);
  // What targets and known static objects explain is not new.
  const cv::Rect frame_rect(0, 0, size_.width, size_.height);
  for (const Track& track : tracks_) changed(cv::Rect(track.box) & frame_rect).setTo(0);
  for (const auto& object : statics_)
    if (object.present) changed(object.box).setTo(0);
  for (const auto& lost : lost_) changed(lost.first).setTo(0);
  std::vector<std::pair<cv::Rect, hal::Nanos>> still;
  for (const cv::Rect& box : blobs_of(changed)) {
    hal::Nanos since = time;
    for (const auto& [old_box, old_since] : candidates_)
      if (iou(cv::Rect2d(old_box), cv::Rect2d(box)) > 0.5) since = std::min(since, old_since);
    const cv::Rect2d b(box);
    if (class_of(b) == ObjectClass::human) continue;
    if (to_seconds(time - since) >= options_.static_after_seconds) add_static(luma, box, since, time);
    else still.emplace_back(box, since);
  }
  candidates_ = std::move(still);
}

void ObjectTracker::follow_static(const cv::Mat& luma, hal::Nanos time) {
  for (auto& object : statics_) {
    if (!object.present) continue;
    if (changed_share(luma, reference_, object.box) >= kPresentShare * object.initial_share) {
      object.last_present = time;
    } else if (to_seconds(time - object.last_present) >= kGoneAfterSeconds) {
      object.present = false;
      object.gone_since = object.last_present;
    }
  }
  std::erase_if(statics_, [&](const StaticObject& object) {
    if (!object.present) return to_seconds(time - object.gone_since) > kForgetGoneAfterSeconds;
    if (to_seconds(time - object.since) < kAbsorbAfterSeconds) return false;
    luma(object.box).convertTo(reference_(object.box), CV_32F);
    return true;
  });
}

}  // namespace camrig::analytics
