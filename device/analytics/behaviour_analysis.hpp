// The behaviour rules of one channel as one detector: it owns the object tracker (run once per
// frame) and evaluates every line-crossing, intrusion, region entrance/exiting, unattended
// baggage and object removal rule on its tracks and static objects, submitting their events.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <tuple>

#include "device/analytics/behaviour_settings.hpp"
#include "device/analytics/detector.hpp"
#include "device/analytics/object_tracker.hpp"

namespace camrig::core {
class ConfigService;
class EventBus;
}  // namespace camrig::core

namespace camrig::analytics {

//! Asked at the start of each frame, on the analytics thread: new settings, or nothing when they
//! did not change. Must not block.
using BehaviourSettingsSource = std::function<std::optional<BehaviourSettings>()>;

class BehaviourAnalysis final : public Detector {
 public:
  explicit BehaviourAnalysis(BehaviourSettings settings = {}, ObjectTrackerOptions tracker = {});

  std::string_view name() const override { return "behaviour rules"; }
  void analyse(const AnalysisFrame& frame, const EventSink& sink) override;

  //! From any thread; applies from the next frame. Settings must be valid (validate()).
  void set_settings(BehaviourSettings settings);
  BehaviourSettings settings() const;
  void set_settings_source(BehaviourSettingsSource source);
  //! Asked each frame on the analytics thread: true keeps the tracker running while no rule is
  //! enabled (a metadata stream describes the objects). Set before frames flow; must not block.
  void set_tracking_wanted(std::function<bool()> wanted) { tracking_wanted_ = std::move(wanted); }

  //! For tests and benchmarks, on the analytics thread only.
  const ObjectTracker& tracker() const { return tracker_; }

 private:
  struct TargetState {
    int side = 0;            //!< lines: 0 unknown, -1 side A, +1 side B
    bool settled = true;     //!< lines: clearly across since the last flip
    bool known = false;      //!< regions: inside/outside decided
    bool inside = false;
    hal::Nanos inside_since{0};
    bool alarm = false;      //!< intrusion: active event sent
    bool seen = false;       //!< touched this frame
    int pending = 0;         //!< frames in a row the target looked changed (across, in or out)
  };
  //! (family, rule id, track id); family is 0 for lines, 1 + RegionKind for regions.
  using StateKey = std::tuple<int, int, std::uint64_t>;

  bool wanted(const Track& track, const TargetFilter& targets, const SizeFilter& size) const;
  void run_lines(const AnalysisFrame& frame, const Track& track, const EventSink& sink);
  void run_regions(const AnalysisFrame& frame, const Track& track, const EventSink& sink);
  void run_static(const AnalysisFrame& frame, const EventSink& sink);
  events::Event event_of(events::EventKind kind, const AnalysisFrame& frame, int rule, const cv::Rect2d& box,
                         std::string object_class, std::optional<std::uint64_t> track) const;

  mutable std::mutex settings_mutex_;
  BehaviourSettings pending_;
  bool has_pending_ = false;
  BehaviourSettingsSource source_;
  std::function<bool()> tracking_wanted_;

  BehaviourSettings settings_;  //!< the analytics thread's copy
  bool any_enabled_ = false;
  ObjectTracker tracker_;
  std::map<StateKey, TargetState> states_;
  std::set<std::tuple<int, int, std::uint64_t>> static_fired_;  //!< (kind, rule, static object id)
};

//! A settings source reading the channel's rules from the configuration now and again after
//! every change of its key (core::ConfigChanged on the bus). Stored values are validated by the
//! API that writes them; a value that does not parse leaves the rules as they were.
BehaviourSettingsSource config_settings_source(core::ConfigService& config, core::EventBus& bus, int channel);

}  // namespace camrig::analytics
