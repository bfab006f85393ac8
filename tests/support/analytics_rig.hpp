// The accuracy rig of the analytics tests: a world description rendered frame by frame through one
// channel's VideoAnalytics, its ground truth (world events, per-frame snapshots) collected beside
// the detectors' events, and the F1 score that matches the two in a time window.
#pragma once

#include <algorithm>
#include <functional>
#include <memory>
#include <stdexcept>
#include <stop_token>
#include <string>
#include <utility>
#include <vector>

#include "device/analytics/behaviour_settings.hpp"
#include "device/analytics/video_analytics.hpp"
#include "sim/world/world_description.hpp"
#include "sim/world_video_source.hpp"

namespace camrig::test {

inline double seconds_of(hal::Nanos t) { return static_cast<double>(t.count()) / 1e9; }

class AnalyticsRig {
 public:
  //! The world's first camera, rendered at `format` (its pose takes the format's size).
  AnalyticsRig(const std::string& yaml, hal::VideoFormat format) : format_(format) {
    auto description = sim::parse_world_description(yaml, "test scene");
    if (!description) throw std::runtime_error(description.error().message);
    description_ = *description;
    auto world = sim::World::create(*description);
    if (!world) throw std::runtime_error(world.error().message);
    world_ = std::move(*world);
    world_->on_event([this](const sim::WorldEvent& e) { truth.push_back(e); });
    shared_ = std::make_unique<sim::SharedWorld>(*world_);
    renderer_ = std::make_unique<sim::SceneRenderer>(world_->layout(), description->seed, format.frame_rate.value());
    auto pose = world_->cameras().at(0);
    pose.width = format.width;
    pose.height = format.height;
    camera_ = std::make_unique<sim::CameraModel>(pose);
    source_ = std::make_unique<sim::WorldVideoSource>(*shared_, *renderer_, pose, format, sim::FramePacer{});
    analytics_ = std::make_unique<analytics::VideoAnalytics>(
        analytics::VideoAnalyticsOptions{}, [this](events::Event e) { events.push_back(std::move(e)); });
  }

  void add(std::shared_ptr<analytics::Detector> detector) { analytics_->add(std::move(detector)); }

  using Filter = std::function<hal::VideoFramePtr(hal::VideoFramePtr)>;

  //! Reads frames until `seconds` of world time; `on_frame` sees each frame's ground truth first
  //! and `filter` may replace the frame (a frozen sensor).
  void run(double seconds, const sim::GroundTruthCallback& on_frame = {}, const Filter& filter = {}) {
    if (on_frame) source_->on_ground_truth(on_frame);
    std::stop_source stop;
    while (true) {
      auto frame = source_->read(stop.get_token());
      if (!frame) break;
      if (filter) frame = filter(frame);
      analytics_->process(frame);
      if (seconds_of(frame->timestamp) >= seconds) break;
    }
  }

  //! The world's line `name` as a rule, its A side kept: the world's A side is projected and the
  //! end points swapped when it lands on the picture's B side (right of a -> b).
  analytics::LineRule line(const std::string& name, int id) const {
    for (const auto& l : description_.lines) {
      if (l.name != name) continue;
      analytics::LineRule rule;
      rule.id = id;
      rule.enabled = true;
      rule.a = picture(l.a);
      rule.b = picture(l.b);
      const sim::Vec2 d = l.b - l.a;
      const sim::Vec2 left{-d.y, d.x};
      const double s = (l.a_on_left ? 0.2 : -0.2);
      const analytics::Point side = picture({(l.a.x + l.b.x) / 2 + left.x * s, (l.a.y + l.b.y) / 2 + left.y * s});
      const double cross = (rule.b.x - rule.a.x) * (side.y - rule.a.y) - (rule.b.y - rule.a.y) * (side.x - rule.a.x);
      if (cross > 0) std::swap(rule.a, rule.b);
      return rule;
    }
    throw std::runtime_error("no line " + name);
  }

  //! The world's region `name` as a rule's polygon.
  analytics::RegionRule region(const std::string& name, int id, int threshold = 0) const {
    for (const auto& r : description_.regions) {
      if (r.name != name) continue;
      analytics::RegionRule rule;
      rule.id = id;
      rule.enabled = true;
      rule.threshold = threshold;
      for (const auto& p : r.polygon) rule.polygon.push_back(picture(p));
      return rule;
    }
    throw std::runtime_error("no region " + name);
  }

  std::vector<events::Event> events;
  std::vector<sim::WorldEvent> truth;

 private:
  analytics::Point picture(sim::Vec2 ground) const {
    const auto pixel = camera_->project({ground.x, ground.y, 0});
    if (!pixel) throw std::runtime_error("a rule point is behind the camera");
    return {std::clamp(pixel->x / format_.width, 0.0, 1.0), std::clamp(pixel->y / format_.height, 0.0, 1.0)};
  }

  hal::VideoFormat format_;
  sim::WorldDescription description_;
  std::unique_ptr<sim::World> world_;
  std::unique_ptr<sim::SharedWorld> shared_;
  std::unique_ptr<sim::SceneRenderer> renderer_;
  std::unique_ptr<sim::CameraModel> camera_;
  std::unique_ptr<sim::WorldVideoSource> source_;
  std::unique_ptr<analytics::VideoAnalytics> analytics_;
};

struct Score {
  int true_positives = 0, false_positives = 0, false_negatives = 0;
  double f1() const {
    const int d = 2 * true_positives + false_positives + false_negatives;
    return d == 0 ? 1.0 : 2.0 * true_positives / d;
  }
};

//! A truth or detected instant with its label (a rule id and direction, or empty).
struct Mark {
  double time = 0;
  std::string label;
};

//! Each truth mark is matched by the first unused detection with the same label within
//! [t - before, t + after]; detections left over are false positives.
inline Score score(const std::vector<Mark>& truth, const std::vector<Mark>& detected, double before, double after) {
  Score s;
  std::vector<bool> used(detected.size(), false);
  for (const auto& t : truth) {
    bool hit = false;
    for (std::size_t i = 0; i < detected.size() && !hit; ++i) {
      const auto& d = detected[i];
      if (!used[i] && d.label == t.label && d.time >= t.time - before && d.time <= t.time + after) used[i] = hit = true;
    }
    hit ? ++s.true_positives : ++s.false_negatives;
  }
  s.false_positives = static_cast<int>(std::count(used.begin(), used.end(), false));
  return s;
}

//! Unlabelled instants: each truth is matched by the first unused detection within [t, t + window].
inline Score score(const std::vector<double>& truth, const std::vector<double>& detected, double window) {
  std::vector<Mark> t, d;
  for (double x : truth) t.push_back({x, {}});
  for (double x : detected) d.push_back({x, {}});
  return score(t, d, 0.0, window);
}

}  // namespace camrig::test
