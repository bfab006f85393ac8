#include "device/analytics/behaviour_analysis.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <memory>
#include <utility>

#include "device/analytics/seconds.hpp"
#include "device/core/config_service.hpp"
#include "device/core/event_bus.hpp"
#include "device/core/log.hpp"

namespace camrig::analytics {

namespace {

// A target's ground contact is sampled at this many points along the bottom of its box, the part
// of it on a side of a line or inside a region is the share of these points. Static objects lie
// flat, so their whole box is sampled.
constexpr int kFootPoints = 9;
constexpr int kGridPoints = 5;
// After a line flip the target must be this far across before it can flip back, so a target
// standing on the line at a high sensitivity does not flicker A->B->A.
constexpr double kSettledShare = 0.75;
// A change of side or of inside/outside counts once it held this many analysed frames in a
// row: a box that jumps for a frame (a blob split, a leg) is not a crossing.
constexpr int kConfirmFrames = 3;
constexpr int kMatureHits = 5;

// Sensitivity = 100 - S1/ST x 100: the share S1/ST of the target that must be across/inside.
// At 100 one sample point is enough.
double required_share(int sensitivity, int points) {
  return std::clamp((100.0 - sensitivity) / 100.0, 1.0 / points, 1.0);
}

std::array<Point, kFootPoints> foot_points(const cv::Rect2d& box, cv::Size size) {
  std::array<Point, kFootPoints> points;
  const double y = (box.y + box.height - 0.5) / size.height;
  for (int i = 0; i < kFootPoints; ++i)
    points[static_cast<std::size_t>(i)] = {(box.x + box.width * (i + 0.5) / kFootPoints) / size.width, y};
  return points;
}

bool inside(const std::vector<Point>& polygon, Point p) {
  bool in = false;
  for (std::size_t i = 0, j = polygon.size() - 1; i < polygon.size(); j = i++) {
    const Point a = polygon[i], b = polygon[j];
    if ((a.y > p.y) != (b.y > p.y) && p.x < (b.x - a.x) * (p.y - a.y) / (b.y - a.y) + a.x) in = !in;
  }
  return in;
}

double share_inside(const std::vector<Point>& polygon, const cv::Rect2d& box, cv::Size size, bool whole_box) {
  int in = 0, all = 0;
  if (whole_box) {
    for (int r = 0; r < kGridPoints; ++r)
      for (int c = 0; c < kGridPoints; ++c, ++all)
        in += inside(polygon, {(box.x + box.width * (c + 0.5) / kGridPoints) / size.width,
                               (box.y + box.height * (r + 0.5) / kGridPoints) / size.height});
  } else {
    for (const Point p : foot_points(box, size)) in += inside(polygon, p), ++all;
  }
  return static_cast<double>(in) / all;
}

events::EventKind event_kind(RegionKind kind) {
  switch (kind) {
    case RegionKind::intrusion: return events::EventKind::intrusion;
    case RegionKind::region_entrance: return events::EventKind::region_entrance;
    case RegionKind::region_exiting: return events::EventKind::region_exiting;
    case RegionKind::unattended_baggage: return events::EventKind::unattended_baggage;
    case RegionKind::object_removal: return events::EventKind::object_removal;
  }
  return events::EventKind::intrusion;
}

}  // namespace

BehaviourAnalysis::BehaviourAnalysis(BehaviourSettings settings, ObjectTrackerOptions tracker) : tracker_(tracker) {
  set_settings(std::move(settings));
}

void BehaviourAnalysis::set_settings(BehaviourSettings settings) {
  std::lock_guard lock(settings_mutex_);
  pending_ = std::move(settings);
  has_pending_ = true;
}

BehaviourSettings BehaviourAnalysis::settings() const {
  std::lock_guard lock(settings_mutex_);
  return has_pending_ ? pending_ : settings_;
}

void BehaviourAnalysis::set_settings_source(BehaviourSettingsSource source) {
  std::lock_guard lock(settings_mutex_);
  source_ = std::move(source);
}

void BehaviourAnalysis::analyse(const AnalysisFrame& frame, const EventSink& sink) {
  {
    std::lock_guard lock(settings_mutex_);
    if (source_) {
      if (auto fresh = source_()) pending_ = std::move(*fresh), has_pending_ = true;
    }
    if (has_pending_) {
      // Lines and regions may have moved: every target's side and dwell starts afresh.
      settings_ = std::move(pending_);
      has_pending_ = false;
      any_enabled_ = std::any_of(settings_.lines.begin(), settings_.lines.end(), [](const LineRule& l) { return l.enabled; });
      for (const auto& rules : settings_.regions)
        any_enabled_ = any_enabled_ || std::any_of(rules.begin(), rules.end(), [](const RegionRule& r) { return r.enabled; });
      states_.clear();
      static_fired_.clear();
    }
  }
  if (!any_enabled_ && !(tracking_wanted_ && tracking_wanted_())) {
    // Nothing to look for: no tracking either, and a fresh start once a rule is switched on.
    if (!states_.empty() || !tracker_.tracks().empty() || !tracker_.static_objects().empty()) {
      tracker_.reset();
      states_.clear();
      static_fired_.clear();
    }
    return;
  }
  tracker_.update(frame);
  if (!frame.background_ready()) return;
  for (auto& [key, state] : states_) state.seen = false;
  for (const Track& track : tracker_.tracks()) {
    // A coasting track is a guess: it keeps its rule states but decides nothing.
    if (!track.confirmed || track.is_static) continue;
    // So is a box that just split or joined (its height far from the target's usual one), and a
    // target too young for its side or place to be known.
    const double height_ratio = track.box.height / std::max(1.0, track.usual_size.height);
    if (track.missed > 0 || track.hits < kMatureHits || height_ratio < 0.75 || height_ratio > 1.33) {
      for (auto& [key, state] : states_)
        if (std::get<2>(key) == track.id) state.seen = true;
      continue;
    }
    run_lines(frame, track, sink);
    run_regions(frame, track, sink);
  }
  // Targets that left the picture or were lost end their intrusion.
  for (auto it = states_.begin(); it != states_.end();) {
    if (it->second.seen) {
      ++it;
      continue;
    }
    if (it->second.alarm) {
      auto event = event_of(events::EventKind::intrusion, frame, std::get<1>(it->first), {}, "", std::get<2>(it->first));
      event.state = events::EventState::inactive;
      event.target.reset();
      sink(std::move(event));
    }
    it = states_.erase(it);
  }
  run_static(frame, sink);
}

bool BehaviourAnalysis::wanted(const Track& track, const TargetFilter& targets, const SizeFilter& size) const {
  const cv::Size frame = tracker_.frame_size();
  const double w = track.box.width / frame.width, h = track.box.height / frame.height;
  if (w < size.min_width || h < size.min_height || w > size.max_width || h > size.max_height) return false;
  if (!targets.human && !targets.vehicle) return true;
  return (targets.human && track.object_class == ObjectClass::human) ||
         (targets.vehicle && track.object_class == ObjectClass::vehicle);
}

void BehaviourAnalysis::run_lines(const AnalysisFrame& frame, const Track& track, const EventSink& sink) {
  const cv::Size size = tracker_.frame_size();
  const auto points = foot_points(track.box, size);
  for (const LineRule& line : settings_.lines) {
    if (!line.enabled) continue;
    const double dx = line.b.x - line.a.x, dy = line.b.y - line.a.y;
    const double length2 = dx * dx + dy * dy;
    int on_a = 0, on_b = 0;
    for (const Point p : points) {
      const double t = ((p.x - line.a.x) * dx + (p.y - line.a.y) * dy) / length2;
      if (t < 0 || t > 1) continue;  // beside the segment, not across it
      const double cross = dx * (p.y - line.a.y) - dy * (p.x - line.a.x);
      // Picture y points down: the left of a -> b has a negative cross product.
      if (cross < 0) ++on_a;
      else if (cross > 0) ++on_b;
    }
    const double share_a = static_cast<double>(on_a) / kFootPoints, share_b = static_cast<double>(on_b) / kFootPoints;
    TargetState& state = states_[{0, line.id, track.id}];
    state.seen = true;
    const double needed = required_share(line.sensitivity, kFootPoints);
    if (state.side == 0) {
      if (share_a >= 0.5 && on_b == 0) state.side = -1;
      else if (share_b >= 0.5 && on_a == 0) state.side = 1;
      continue;
    }
    const double across = state.side < 0 ? share_b : share_a;
    const double here = state.side < 0 ? share_a : share_b;
    if (!state.settled && here >= kSettledShare) state.settled = true;
    if (across < (state.settled ? needed : std::max(needed, kSettledShare))) {
      state.pending = 0;
      continue;
    }
    if (++state.pending < kConfirmFrames) continue;
    state.pending = 0;
    const bool a_to_b = state.side < 0;
    state.side = -state.side;
    state.settled = across >= kSettledShare;
    if (line.direction == CrossingDirection::a_to_b && !a_to_b) continue;
    if (line.direction == CrossingDirection::b_to_a && a_to_b) continue;
    if (!wanted(track, line.targets, line.size)) continue;
    auto event = event_of(events::EventKind::line_crossing, frame, line.id, track.box,
                          std::string(to_string(track.object_class)), track.id);
    event.description = a_to_b ? "Line crossing A->B" : "Line crossing B->A";
    sink(std::move(event));
  }
}

void BehaviourAnalysis::run_regions(const AnalysisFrame& frame, const Track& track, const EventSink& sink) {
  const cv::Size size = tracker_.frame_size();
  for (const RegionKind kind : {RegionKind::intrusion, RegionKind::region_entrance, RegionKind::region_exiting}) {
    for (const RegionRule& region : settings_.of(kind)) {
      if (!region.enabled) continue;
      const double share = share_inside(region.polygon, track.box, size, false);
      const double needed = required_share(region.sensitivity, kFootPoints);
      TargetState& state = states_[{1 + static_cast<int>(kind), region.id, track.id}];
      state.seen = true;
      const bool was_known = state.known, was_inside = state.inside;
      // Leaving takes clearly less than entering took, so a target on the border does not flicker.
      const bool now_in = share >= needed;
      const bool now_out = share < needed * 0.5 || share == 0;
      if (!was_known) {
        state.inside = now_in;
      } else if ((!was_inside && now_in) || (was_inside && now_out)) {
        if (++state.pending >= kConfirmFrames) state.inside = !was_inside, state.pending = 0;
      } else {
        state.pending = 0;
      }
      state.known = true;
      if (state.inside && (!was_known || !was_inside)) state.inside_since = frame.time;
      const bool entered = was_known && !was_inside && state.inside;
      const bool left = was_known && was_inside && !state.inside;
      const bool want = wanted(track, region.targets, region.size);
      const auto object_class = std::string(to_string(track.object_class));
      if (kind == RegionKind::region_entrance && entered && want)
        sink(event_of(events::EventKind::region_entrance, frame, region.id, track.box, object_class, track.id));
      if (kind == RegionKind::region_exiting && left && want)
        sink(event_of(events::EventKind::region_exiting, frame, region.id, track.box, object_class, track.id));
      if (kind != RegionKind::intrusion) continue;
      if (state.inside && !state.alarm && want && to_seconds(frame.time - state.inside_since) >= region.threshold) {
        auto event = event_of(events::EventKind::intrusion, frame, region.id, track.box, object_class, track.id);
        event.state = events::EventState::active;
        sink(std::move(event));
        state.alarm = true;
      } else if (!state.inside && state.alarm) {
        auto event = event_of(events::EventKind::intrusion, frame, region.id, track.box, object_class, track.id);
        event.state = events::EventState::inactive;
        sink(std::move(event));
        state.alarm = false;
      }
    }
  }
}

void BehaviourAnalysis::run_static(const AnalysisFrame& frame, const EventSink& sink) {
  const cv::Size size = tracker_.frame_size();
  for (const StaticObject& object : tracker_.static_objects()) {
    const cv::Rect2d box(object.box);
    const double w = box.width / size.width, h = box.height / size.height;
    for (const RegionKind kind : {RegionKind::unattended_baggage, RegionKind::object_removal}) {
      for (const RegionRule& region : settings_.of(kind)) {
        if (!region.enabled || static_fired_.contains({static_cast<int>(kind), region.id, object.id})) continue;
        const auto& s = region.size;
        if (w < s.min_width || h < s.min_height || w > s.max_width || h > s.max_height) continue;
        if (share_inside(region.polygon, box, size, true) < required_share(region.sensitivity, kGridPoints * kGridPoints))
          continue;
        bool due = false;
        if (kind == RegionKind::unattended_baggage)
          due = object.kind == StaticKind::left && object.present &&
                to_seconds(frame.time - object.since) >= region.threshold;
        else if (object.kind == StaticKind::removed)
          due = object.present && to_seconds(frame.time - object.since) >= region.threshold;
        else
          due = !object.present && to_seconds(frame.time - object.gone_since) >= region.threshold;
        if (!due) continue;
        static_fired_.insert({static_cast<int>(kind), region.id, object.id});
        sink(event_of(event_kind(kind), frame, region.id, box, "object", std::nullopt));
      }
    }
  }
}

events::Event BehaviourAnalysis::event_of(events::EventKind kind, const AnalysisFrame& frame, int rule,
                                          const cv::Rect2d& box, std::string object_class,
                                          std::optional<std::uint64_t> track) const {
  const cv::Size size = tracker_.frame_size();
  events::Event event;
  event.kind = kind;
  event.channel = frame.channel;
  event.rule = rule;
  event.state = events::EventState::pulse;
  event.device_time = frame.time;
  event.description = std::string(events::default_description(kind));
  events::Target target;
  if (size.width > 0 && size.height > 0)
    target.box = events::Box{box.x / size.width, box.y / size.height, box.width / size.width, box.height / size.height};
  target.object_class = std::move(object_class);
  target.track_id = track;
  event.target = std::move(target);
  return event;
}

BehaviourSettingsSource config_settings_source(core::ConfigService& config, core::EventBus& bus, int channel) {
  const std::string key = behaviour_settings_key(channel);
  if (!config.spec(key)) return {};
  auto changes = bus.subscribe<core::ConfigChanged>(16);
  auto first = std::make_shared<bool>(true);
  auto dropped = std::make_shared<std::uint64_t>(0);
  return [&config, changes, first, dropped, key]() -> std::optional<BehaviourSettings> {
    bool changed = std::exchange(*first, false);
    while (auto change = changes->try_pop())
      changed = changed || std::find(change->keys.begin(), change->keys.end(), key) != change->keys.end();
    // A burst of changes beyond the mailbox drops the oldest; rereading covers whatever was lost.
    if (const auto now_dropped = changes->dropped(); now_dropped != *dropped) changed = true, *dropped = now_dropped;
    if (!changed) return std::nullopt;
    auto parsed = parse_behaviour_settings(config.get_string(key));
    if (!parsed) {
      log::get("analytics")->warn("{} ignored: {}", key, parsed.error().message);
      return std::nullopt;
    }
    return std::move(*parsed);
  };
}

}  // namespace camrig::analytics
