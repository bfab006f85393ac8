#include "device/analytics/plates/plate_recognition.hpp"

#include <algorithm>
#include <cmath>
#include <ctime>
#include <utility>

#include <opencv2/imgproc.hpp>

#include "device/analytics/plates/plate_layout.hpp"
#include "device/analytics/plates/plate_localiser.hpp"
#include "device/analytics/plates/plate_ocr.hpp"
#include "device/core/log.hpp"

namespace camrig::analytics {

namespace {

// Reads shorter than this are fragments (a plate half out of the picture, a split field).
constexpr std::size_t kMinPlateLength = 4;
// A finished pass stays this long beyond the trigger window for triggers that look back.
constexpr hal::Nanos kHistory = std::chrono::seconds(3);
// The same text again within this time is the same vehicle pass.
constexpr hal::Nanos kSamePass = std::chrono::seconds(4);

std::vector<cv::Point2f> to_pixels(const std::vector<NormalisedPoint>& polygon, int width, int height) {
  std::vector<cv::Point2f> points;
  for (const auto& p : polygon) {
    points.emplace_back(static_cast<float>(p.x * width), static_cast<float>(p.y * height));
  }
  return points;
}

bool inside(const std::vector<cv::Point2f>& polygon, cv::Point2f point) {
  return polygon.size() >= 3 && cv::pointPolygonTest(polygon, point, false) >= 0;
}

cv::Point2f centre(const cv::Rect& r) {
  return {static_cast<float>(r.x + r.width / 2.0), static_cast<float>(r.y + r.height / 2.0)};
}

double overlap(const cv::Rect& a, const cv::Rect& b) {
  const double i = (a & b).area();
  const double u = a.area() + b.area() - i;
  return u > 0 ? i / u : 0;
}

// A colour name from the mean chroma of a frame region; low saturation gives grey levels.
std::string colour_name(const hal::VideoFrame& frame, cv::Rect box) {
  box &= cv::Rect(0, 0, frame.width(), frame.height());
  const cv::Rect half(box.x / 2, box.y / 2, box.width / 2, box.height / 2);
  if (half.width < 1 || half.height < 1) return "";
  const cv::Mat y(frame.height(), frame.width(), CV_8UC1, const_cast<std::uint8_t*>(frame.plane(0)),
                  static_cast<std::size_t>(frame.stride(0)));
  const cv::Mat u(frame.height() / 2, frame.width() / 2, CV_8UC1, const_cast<std::uint8_t*>(frame.plane(1)),
                  static_cast<std::size_t>(frame.stride(1)));
  const cv::Mat v(frame.height() / 2, frame.width() / 2, CV_8UC1, const_cast<std::uint8_t*>(frame.plane(2)),
                  static_cast<std::size_t>(frame.stride(2)));
  const double luma = cv::mean(y(box))[0];
  const double cb = cv::mean(u(half))[0] - 128, cr = cv::mean(v(half))[0] - 128;
  if (std::hypot(cb, cr) < 15) {
    if (luma > 170) return "white";
    if (luma > 110) return "silver";
    if (luma > 60) return "grey";
    return "black";
  }
  const double angle = std::atan2(cr, cb) * 180 / 3.14159265358979;
  if (angle >= 60 && angle < 140) return "red";
  if (angle >= 140 || angle < -160) return "yellow";
  if (angle >= -160 && angle < -90) return "green";
  return "blue";
}

// A vehicle passes through the picture; a blob that stays where it appeared is none (the place a
// stopped vehicle has just left, light changing on one spot).
bool travelled(const cv::Rect& first, const cv::Rect& last) {
  if (first.empty() || last.empty()) return false;
  const cv::Point2f d = centre(last) - centre(first);
  return std::hypot(d.x, d.y) >= 0.5 * std::max(first.height, last.height);
}

// Whether a plate at `at` is back where a plate that moved from `first` to `last` came from, by
// more than a plate's height: the plate of the vehicle behind, not the same plate further on
// (nor a fragment of it at the picture's edge).
bool behind(const cv::Rect& first, const cv::Rect& last, cv::Point2f at) {
  const float travel = centre(last).y - centre(first).y;
  if (std::abs(travel) < 1) return false;
  return (at.y - centre(last).y) * (travel > 0 ? 1.0f : -1.0f) < -static_cast<float>(last.height);
}

traffic::PixelBox to_box(const cv::Rect& r) { return {r.x, r.y, r.width, r.height}; }

std::chrono::nanoseconds thread_cpu_time() {
  timespec now{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
  return std::chrono::seconds(now.tv_sec) + std::chrono::nanoseconds(now.tv_nsec);
}

}  // namespace

PlateRecognition::PlateRecognition(PlateRecognitionOptions options, traffic::PlateReadSink sink)
    : options_(std::move(options)), sink_(std::move(sink)) {
  auto ocr = plates::PlateOcr::create(options_.tessdata);
  if (ocr) ocr_ = std::move(*ocr);
  else log::get("plates")->error("channel {}: plate recognition is off: {}", options_.channel, ocr.error().message);
}

PlateRecognition::~PlateRecognition() = default;

void PlateRecognition::configure(PlateRecognitionSettings settings) {
  if (auto valid = validate(settings); !valid) {
    log::get("plates")->warn("channel {}: plate recognition settings refused: {}", options_.channel,
                             valid.error().message);
    return;
  }
  std::lock_guard lock(settings_mutex_);
  settings_ = std::move(settings);
}

void PlateRecognition::trigger(traffic::CaptureTrigger trigger, hal::Nanos at) {
  std::lock_guard lock(triggers_mutex_);
  triggers_.push_back({trigger, at});
}

PlateRecognitionCounters PlateRecognition::counters() const {
  std::lock_guard lock(counters_mutex_);
  return counters_;
}

void PlateRecognition::analyse(const AnalysisFrame& frame, const EventSink&) {
  const auto began = std::chrono::steady_clock::now();
  const auto cpu_began = thread_cpu_time();
  PlateRecognitionSettings settings;
  {
    std::lock_guard lock(settings_mutex_);
    settings = settings_;
  }
  if (!frame.full) return;
  last_frame_ = frame.full;
  if (!settings.enabled || !ocr_) {
    answer_triggers(frame, settings);
    return;
  }
  const hal::VideoFrame& full = *frame.full;
  const cv::Mat luma(full.height(), full.width(), CV_8UC1, const_cast<std::uint8_t*>(full.plane(0)),
                     static_cast<std::size_t>(full.stride(0)));
  const auto capture = to_pixels(settings.capture_area, full.width(), full.height());
  std::vector<std::vector<cv::Point2f>> shields;
  for (const auto& shield : settings.shield_areas) shields.push_back(to_pixels(shield, full.width(), full.height()));
  const cv::Rect capture_box = cv::boundingRect(capture) & cv::Rect(0, 0, full.width(), full.height());

  // Vehicles: blobs of vehicle size whose centre is in the capture area.
  std::vector<cv::Rect> vehicles;
  for (const auto& box : vehicle_finder_.find(frame, settings.min_vehicle_fraction)) {
    if (inside(capture, centre(box))) vehicles.push_back(box);
  }

  // An empty lane (no vehicle in the capture area, no open track, no loop trigger waiting) is
  // searched on every other frame: a plate that appears is still found within two frame periods
  // (67 ms at 30 fps, well inside the 500 ms budget for a result), every frame is searched once
  // something is there, and the idle lane costs half. The search is most of the recognition's
  // time (issue 8: a 60 s gate-lane run spent 17 % of its CPU in it).
  bool waiting = false;
  {
    std::lock_guard lock(triggers_mutex_);
    waiting = !triggers_.empty();
  }
  const bool idle = vehicles.empty() && tracks_.empty() && !waiting;
  if (idle && searched_last_idle_frame_) {
    searched_last_idle_frame_ = false;
    std::lock_guard lock(counters_mutex_);
    ++counters_.frames;
    counters_.busy += std::chrono::steady_clock::now() - began;
    counters_.cpu += thread_cpu_time() - cpu_began;
    return;
  }
  searched_last_idle_frame_ = idle;

  // Plates are searched in the whole capture area, not only on the foreground vehicles: at night
  // a dark car on a dark road (the model has learnt the colours of the cars before it) shows
  // only its lamps, and its plate would be found just before it leaves (issue 7: 3 of 12 night
  // passes unread). It costs about twice the localisation time per frame.
  const plates::PlateSizeLimits limits{settings.min_plate_width, settings.max_plate_width};
  std::vector<plates::PlateCandidate> candidates;
  for (auto& c : plates::find_plates(luma, capture_box, limits)) {
    const cv::Point2f at = centre(c.box);
    if (!inside(capture, at)) continue;
    if (std::any_of(shields.begin(), shields.end(), [&](const auto& s) { return inside(s, at); })) continue;
    candidates.push_back(std::move(c));
  }

  std::vector<std::pair<cv::Rect, plates::OcrRead>> reads;
  const auto ocr_began = std::chrono::steady_clock::now();
  for (const auto& c : candidates) {
    plates::OcrRead read = ocr_->read(c.line);
    if (read.text.size() < kMinPlateLength) continue;
    // With the region's layouts known, a read of no layout's length is a fragment of a plate.
    if (!settings.plate_layouts.empty() &&
        std::none_of(settings.plate_layouts.begin(), settings.plate_layouts.end(),
                     [&](const std::string& layout) { return layout.size() == read.text.size(); })) {
      continue;
    }
    plates::apply_layouts(read, settings.plate_layouts);
    double mean = 0;
    for (double v : read.confidence) mean += v;
    if (mean / static_cast<double>(read.confidence.size()) < settings.min_read_confidence) continue;
    reads.emplace_back(c.box, std::move(read));
  }
  const auto ocr_time = std::chrono::steady_clock::now() - ocr_began;
  const std::size_t read_count = reads.size();

  update_tracks(frame, settings, vehicles, std::move(reads));
  finish_tracks(frame.time, settings);
  answer_triggers(frame, settings);

  std::lock_guard lock(counters_mutex_);
  ++counters_.frames;
  counters_.candidates += candidates.size();
  counters_.reads += read_count;
  counters_.ocr_busy += ocr_time;
  counters_.busy += std::chrono::steady_clock::now() - began;
  counters_.cpu += thread_cpu_time() - cpu_began;
}

void PlateRecognition::update_tracks(const AnalysisFrame& frame, const PlateRecognitionSettings& settings,
                                     const std::vector<cv::Rect>& vehicles,
                                     std::vector<std::pair<cv::Rect, plates::OcrRead>> reads) {
  const hal::Nanos now = frame.time;
  auto new_track = [&]() -> Track& {
    Track t;
    t.id = next_track_++;
    t.first_seen = t.last_seen = now;
    tracks_.push_back(std::move(t));
    return tracks_.back();
  };

  // Room for every track this frame can add, so the pointers below stay valid.
  tracks_.reserve(tracks_.size() + vehicles.size() + reads.size());
  // Vehicles follow the track whose last vehicle box overlaps most.
  std::vector<Track*> vehicle_track(vehicles.size(), nullptr);
  std::vector<bool> taken(tracks_.size(), false);
  for (std::size_t v = 0; v < vehicles.size(); ++v) {
    double best = 0.1;
    int chosen = -1;
    for (std::size_t t = 0; t < tracks_.size(); ++t) {
      if (taken[t] || tracks_[t].vehicle.empty()) continue;
      const double o = overlap(tracks_[t].vehicle, vehicles[v]);
      if (o > best) best = o, chosen = static_cast<int>(t);
    }
    if (chosen >= 0) taken[static_cast<std::size_t>(chosen)] = true;
    vehicle_track[v] = chosen >= 0 ? &tracks_[static_cast<std::size_t>(chosen)] : nullptr;
  }
  // A blob that lies mostly inside a vehicle's last box is a part of it that split off (windows,
  // a shadow): a new track would end as a second, unlicensed vehicle.
  for (std::size_t v = 0; v < vehicles.size(); ++v) {
    if (vehicle_track[v]) continue;
    int most = vehicles[v].area() / 2;
    for (auto& t : tracks_) {
      if (t.vehicle.empty()) continue;
      const int shared = (t.vehicle & vehicles[v]).area();
      if (shared > most) most = shared, vehicle_track[v] = &t;
    }
  }
  for (std::size_t v = 0; v < vehicles.size(); ++v) {
    Track& t = vehicle_track[v] ? *vehicle_track[v] : new_track();
    vehicle_track[v] = &t;
    if (t.first_vehicle.empty()) t.first_vehicle = vehicles[v];
    if (t.vehicle_seen == now) {
      t.vehicle |= vehicles[v];
      continue;
    }
    t.vehicle = vehicles[v];
    t.vehicle_seen = t.last_seen = now;
    ++t.vehicle_frames;
  }

  for (auto& [box, read] : reads) {
    const cv::Point2f at = centre(box);
    // The plate continues the track whose plate was last seen nearest (vehicle blobs split and
    // merge, plates do not).
    Track* track = nullptr;
    double best = 1e18;
    for (auto& t : tracks_) {
      if (t.merged || t.plate.empty() || t.plate_seen == now) continue;
      const cv::Point2f d = centre(t.plate) - at;
      const double dist = std::hypot(d.x, d.y);
      if (dist < 1.5 * std::max(box.width, t.plate.width) && dist < best) best = dist, track = &t;
    }
    // The vehicle the plate sits on: of the vehicle boxes around it, the one followed longest (a
    // blob that just split off is not a vehicle of its own). A plate sits in the lower half of its
    // vehicle; one higher up in a box is on the vehicle behind, seen past it (a rider in front of
    // a car), and would end that vehicle's pass with a fragment of the plate.
    Track* carrier = nullptr;
    for (std::size_t v = 0; v < vehicles.size(); ++v) {
      if (!vehicles[v].contains(at) || vehicle_track[v]->merged) continue;
      if (at.y < static_cast<float>(vehicles[v].y) + static_cast<float>(vehicles[v].height) / 2) continue;
      if (!carrier || vehicle_track[v]->vehicle_frames > carrier->vehicle_frames) carrier = vehicle_track[v];
    }
    if (track && carrier && carrier != track && carrier->plate.empty() && track->vehicle_seen != now &&
        track->first_read <= carrier->first_seen + settings.settle_time) {
      // The plate was read before its vehicle stood out of the background (or after the vehicle's
      // blob was lost and found again): the vehicle joins its plate, one pass, not two.
      absorb(*track, *carrier);
      for (auto& assigned : vehicle_track) {
        if (assigned == carrier) assigned = track;
      }
    } else if (!track && carrier && carrier->plate_seen != now) {
      if (!carrier->plate.empty() && now - carrier->plate_seen >= settings.lost_time &&
          behind(carrier->first_plate, carrier->plate, at)) {
        // The vehicle box around this plate follows a track whose plate has left: its blob took
        // in the vehicle behind (blobs merge and split) and carried on with it. That vehicle is
        // this plate's, a pass of its own; left with the old track, its reads would be lost.
        track = &new_track();
        track->vehicle = track->first_vehicle = carrier->vehicle;
        track->vehicle_seen = now;
        track->vehicle_frames = 1;
        carrier->vehicle = {};
        for (auto& assigned : vehicle_track) {
          if (assigned == carrier) assigned = track;
        }
      } else {
        // A plate no track continues joins the vehicle it sits on (its own plate, unread for a
        // moment, counts as found again further on).
        track = carrier;
      }
    }
    if (!track) {
      // Two reads side by side on one line in one frame are the halves of one plate (split at the
      // picture's edge): the second one joins the track that took the first.
      for (auto& other : tracks_) {
        if (other.merged || other.plate_seen != now) continue;
        const cv::Point2f d = centre(other.plate) - at;
        if (std::abs(d.y) < static_cast<float>(std::max(box.height, other.plate.height)) &&
            std::abs(d.x) < 1.5f * static_cast<float>(std::max(box.width, other.plate.width))) {
          track = &other;
          break;
        }
      }
    }
    if (!track) track = &new_track();
    Track& t = *track;
    if (t.first_plate.empty()) t.first_read = now;
    // Another vehicle box around this plate that appeared after the plate's track began is the same
    // vehicle seen apart from it: it is not an unlicensed vehicle.
    for (std::size_t v = 0; v < vehicles.size(); ++v) {
      if (vehicle_track[v] != &t && vehicles[v].contains(at) && vehicle_track[v]->first_seen >= t.first_read) {
        vehicle_track[v]->plate_inside = true;
      }
    }
    if (t.first_plate.empty()) t.first_plate = box;
    t.plate = box;
    t.plate_seen = t.last_seen = now;
    double score = 0;
    for (double c : read.confidence) score += c;
    score /= static_cast<double>(read.confidence.size());
    // Later frames show the plate larger: prefer them on equal confidence.
    score += 1e-4 * box.width;
    if (score > t.best_score) {
      t.best_score = score;
      t.best_time = now;
      t.best_plate = box;
      t.best_vehicle = t.vehicle;
      t.best_frame = frame.full;
    }
    t.observations.push_back({now, read});
    t.vote.add(std::move(read));
  }

  // A vehicle box that overlaps the box of a vehicle with a plate is a part of that vehicle seen
  // apart (its blob split, or it was followed before its plate could be read): not unlicensed.
  for (auto& t : tracks_) {
    if (t.merged || t.vehicle_seen != now || !t.vote.empty()) continue;
    for (const auto& other : tracks_) {
      if (&other == &t || other.merged || other.vote.empty() || other.vehicle_seen != now) continue;
      const int smaller = std::min(t.vehicle.area(), other.vehicle.area());
      if ((t.vehicle & other.vehicle).area() * 4 >= smaller) t.plate_inside = true;
    }
  }
}

void PlateRecognition::absorb(Track& into, Track& from) {
  into.vehicle = from.vehicle;
  into.vehicle_seen = from.vehicle_seen;
  into.vehicle_frames += from.vehicle_frames;
  if (into.first_vehicle.empty()) into.first_vehicle = from.first_vehicle;
  if (into.best_vehicle.empty()) into.best_vehicle = from.vehicle;
  into.first_seen = std::min(into.first_seen, from.first_seen);
  into.last_seen = std::max(into.last_seen, from.last_seen);
  from.merged = true;
  from.vehicle = {};
}

void PlateRecognition::finish_tracks(hal::Nanos now, const PlateRecognitionSettings& settings) {
  for (auto& t : tracks_) {
    if (t.emitted || t.merged) continue;
    const bool lost = now - t.last_seen >= settings.lost_time;
    if (!t.vote.empty()) {
      const plates::VotedPlate voted = t.vote.result();
      if (voted.agreeing >= settings.confirm_reads || now - t.first_read >= settings.settle_time || lost) {
        t.emitted = true;
        // A vehicle whose track broke (occlusion, a missed frame) is still one pass.
        const bool repeat = std::any_of(recent_plates_.begin(), recent_plates_.end(), [&](const auto& r) {
          return r.first == voted.text && now - r.second < kSamePass;
        });
        if (!repeat) {
          recent_plates_.emplace_back(voted.text, now);
          emit(make_read(t, voted));
        }
      }
    } else if (lost && t.vehicle_frames >= settings.unlicensed_frames && !t.plate_inside &&
               travelled(t.first_vehicle, t.vehicle)) {
      t.emitted = true;
      emit(make_read(t, {}));
    }
  }
  for (auto it = tracks_.begin(); it != tracks_.end();) {
    if (it->merged || now - it->last_seen >= settings.lost_time) {
      if (!it->merged && !it->observations.empty()) finished_.push_back(std::move(*it));
      it = tracks_.erase(it);
    } else {
      ++it;
    }
  }
  while (!recent_plates_.empty() && now - recent_plates_.front().second >= kSamePass) recent_plates_.pop_front();
  while (!finished_.empty() && now - finished_.front().last_seen > settings.trigger_window + kHistory) {
    finished_.pop_front();
  }
}

void PlateRecognition::answer_triggers(const AnalysisFrame& frame, const PlateRecognitionSettings& settings) {
  std::vector<PendingTrigger> due;
  {
    std::lock_guard lock(triggers_mutex_);
    if (triggers_.empty()) return;
    due.swap(triggers_);
  }
  const hal::Nanos now = frame.time;
  const hal::Nanos window = settings.trigger_window;
  std::vector<PendingTrigger> later;
  for (const auto& pending : due) {
    // The best-supported vehicle in the window: its reads in the window, voted.
    const Track* best = nullptr;
    plates::VotedPlate best_vote;
    double best_weight = 0;
    auto consider = [&](const Track& t) {
      plates::PlateVote vote;
      double weight = 0;
      for (const auto& o : t.observations) {
        if (o.time < pending.at - window || o.time > pending.at + window) continue;
        for (double c : o.read.confidence) weight += c;
        vote.add(o.read);
      }
      if (vote.empty() || weight <= best_weight) return;
      best = &t;
      best_weight = weight;
      best_vote = vote.result();
    };
    for (const auto& t : tracks_) consider(t);
    for (const auto& t : finished_) consider(t);
    const bool window_seen = now >= pending.at + window;
    const bool confirmed = now >= pending.at && best && best_vote.agreeing >= settings.confirm_reads;
    if (!window_seen && !confirmed) {
      later.push_back(pending);
      continue;
    }
    traffic::PlateRead read;
    if (best) {
      read = make_read(*best, best_vote);
    } else {
      read.channel = options_.channel;
      read.time = frame.time;
      read.frame = frame.full;
    }
    read.trigger = pending.trigger;
    emit(std::move(read));
  }
  if (!later.empty()) {
    std::lock_guard lock(triggers_mutex_);
    triggers_.insert(triggers_.begin(), later.begin(), later.end());
  }
}

traffic::PlateRead PlateRecognition::make_read(const Track& t, const plates::VotedPlate& voted) const {
  traffic::PlateRead read;
  read.channel = options_.channel;
  read.plate = voted.text;
  read.confidence = voted.overall;
  read.character_confidence = voted.confidence;
  read.frames_voted = voted.reads;
  read.trigger = traffic::CaptureTrigger::video;
  if (t.best_frame) {
    read.frame = t.best_frame;
    read.time = t.best_time;
    read.plate_box = to_box(t.best_plate);
    if (!t.best_vehicle.empty()) read.vehicle_box = to_box(t.best_vehicle);
  } else {
    read.frame = last_frame_;
    read.time = t.last_seen;
    if (!t.vehicle.empty()) read.vehicle_box = to_box(t.vehicle);
  }
  if (read.frame) {
    if (read.vehicle_box) {
      // The bonnet or boot: the middle band of the vehicle, below the windows, above the plate.
      const auto& v = *read.vehicle_box;
      read.vehicle_colour = colour_name(*read.frame, cv::Rect(v.x + v.width / 4, v.y + v.height * 45 / 100,
                                                              v.width / 2, v.height / 10));
    }
    if (!t.best_plate.empty()) read.plate_colour = colour_name(*read.frame, t.best_plate);
  }
  // Approaching vehicles grow in the picture and move down it; leaving ones shrink and rise.
  const cv::Rect first = !t.first_plate.empty() ? t.first_plate : t.first_vehicle;
  const cv::Rect last = !t.first_plate.empty() ? t.plate : t.vehicle;
  if (!first.empty() && !last.empty()) {
    const double growth = static_cast<double>(last.width) / first.width;
    const double drop = static_cast<double>((last.y + last.height) - (first.y + first.height)) / std::max(1, first.height);
    if (growth > 1.05 || (growth >= 0.95 && drop > 0.2)) read.direction = traffic::VehicleDirection::approaching;
    else if (growth < 0.95 || drop < -0.2) read.direction = traffic::VehicleDirection::leaving;
  }
  return read;
}

void PlateRecognition::emit(traffic::PlateRead read) {
  read.id = next_read_++;
  {
    std::lock_guard lock(counters_mutex_);
    ++counters_.reported;
  }
  if (sink_) sink_(read);
}

}  // namespace camrig::analytics
