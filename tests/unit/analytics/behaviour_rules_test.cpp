// Accuracy of the behaviour rules (line crossing, intrusion, region entrance/exiting, unattended
// baggage, object removal) on the simulated world: rendered frames go through VideoAnalytics and
// BehaviourAnalysis, whose lines and regions are the world's own projected with its camera model,
// and the rules' events are matched with the world's ground-truth events in a time window.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "device/analytics/behaviour_analysis.hpp"
#include "tests/support/analytics_rig.hpp"

namespace camrig::analytics {
namespace {

using events::EventKind;
using events::EventState;

using test::Mark;
using test::Score;
using test::seconds_of;

constexpr hal::VideoFormat k_format{640, 360, {25, 2}};

//! One run of a world description through one channel's analytics with the behaviour rules.
class WorldRun : public test::AnalyticsRig {
 public:
  explicit WorldRun(const std::string& yaml) : test::AnalyticsRig(yaml, k_format) { add(rules); }
  std::shared_ptr<BehaviourAnalysis> rules = std::make_shared<BehaviourAnalysis>();
};

std::vector<Mark> detected(const WorldRun& run, EventKind kind, EventState state) {
  std::vector<Mark> out;
  for (const auto& e : run.events) {
    if (e.kind != kind || e.state != state) continue;
    std::string label = std::to_string(e.rule);
    if (kind == EventKind::line_crossing) label += e.description.ends_with("A->B") ? " A->B" : " B->A";
    out.push_back({seconds_of(e.device_time), label});
  }
  return out;
}

std::string join(const std::vector<Mark>& marks) {
  std::string out;
  for (const auto& m : marks) out += (out.empty() ? "" : ", ") + std::to_string(m.time).substr(0, 5) + " " + m.label;
  return out;
}

Score report(const char* what, const std::vector<Mark>& truth, const std::vector<Mark>& found, double before,
             double after) {
  const Score s = test::score(truth, found, before, after);
  std::printf("%s: %zu truth, %zu detected, TP %d FP %d FN %d, F1 %.3f\n  truth    [%s]\n  detected [%s]\n", what,
              truth.size(), found.size(), s.true_positives, s.false_positives, s.false_negatives, s.f1(),
              join(truth).c_str(), join(found).c_str());
  return s;
}

// A plaza seen from 6 m up: people walking to and from the camera across a line, vehicles
// driving across the picture over a second line, and people passing through or loitering in a
// zone on the right. Streams are laid out and timed so their targets do not overlap in the
// picture (the tracker has no appearance model to part two people walking one behind the other).
constexpr const char* k_people_scene = R"(
seed: 3
scene: {type: plaza, plaza_size: 60, start_y: 0}
cameras: [{position: [0, 0], height: 6, tilt: 24, fov: 60, resolution: [640, 360]}]
weather: {sensor_noise: 2}
lines:
  - {name: walkway, a: [-5, 14], b: [1, 14]}
  - {name: street, a: [-2, 27], b: [-2, 36], a_side: right}
regions:
  - {name: zone, polygon: [[4, 12], [9, 12], [9, 19], [4, 19]]}
actors:
  - {kind: person, path: [[-2.5, 6], [-2.5, 18]], speed: 1.5, spawn: 0, every: 6}
  - {kind: person, path: [[-0.5, 18], [-0.5, 6]], speed: 1.4, spawn: 3, every: 6}
  - {kind: car, path: [[-30, 31], [30, 31]], speed: 8, spawn: 1, every: 9}
  - {kind: van, path: [[30, 34], [-30, 34]], speed: 7, spawn: 5, every: 9}
  - {kind: person, path: [[2.5, 17.5], [11, 17.5]], speed: 2, spawn: 11, every: 14}
  - {kind: person, path: [[6.5, 9], [6.5, 13.5], [7.5, 16], [5.5, 17], [6.5, 13.5], [6.5, 9]], speed: 1.4, spawn: 0, every: 14}
)";

TEST(BehaviourRulesTest, LineCrossingIntrusionAndRegionRulesMatchTheWorld) {
  WorldRun run(k_people_scene);
  BehaviourSettings settings;
  settings.lines = {run.line("walkway", 1), run.line("street", 2)};
  settings.of(RegionKind::region_entrance) = {run.region("zone", 1)};
  settings.of(RegionKind::region_exiting) = {run.region("zone", 1)};
  constexpr int k_intrusion_threshold = 4;
  settings.of(RegionKind::intrusion) = {run.region("zone", 1, k_intrusion_threshold)};
  ASSERT_TRUE(validate(settings)) << validate(settings).error().message;
  run.rules->set_settings(settings);
  constexpr double k_seconds = 48;
  run.run(k_seconds);

  // Truth up to 2 s before the end (later detections may not have happened yet).
  // An intrusion is due for every stay longer than the threshold (with a margin for where a
  // box's foot is against the actor's footprint centre), also for a stay still going on.
  std::vector<Mark> lines, entrances, exits, intrusions;
  std::map<std::uint32_t, double> entered;
  const auto stay = [&](std::uint32_t actor, double until) {
    if (entered.contains(actor) && until - entered[actor] >= k_intrusion_threshold + 0.5 &&
        entered[actor] + k_intrusion_threshold <= k_seconds - 2)
      intrusions.push_back({entered[actor] + k_intrusion_threshold, "1"});
    entered.erase(actor);
  };
  for (const auto& e : run.truth) {
    const double t = seconds_of(e.time);
    if (e.kind == "region_entrance") entered[e.actor] = t;
    if (e.kind == "region_exit") stay(e.actor, t);
    if (t > k_seconds - 2) continue;
    if (e.kind == "line_crossing") lines.push_back({t, (e.name == "walkway" ? "1 " : "2 ") + e.direction});
    if (e.kind == "region_entrance") entrances.push_back({t, "1"});
    if (e.kind == "region_exit") exits.push_back({t, "1"});
  }
  while (!entered.empty()) stay(entered.begin()->first, k_seconds);
  std::sort(intrusions.begin(), intrusions.end(), [](const Mark& a, const Mark& b) { return a.time < b.time; });
  // Detections up to the end: a late truth may be matched by a detection just after it.
  const auto line_score = report("line crossing", lines, detected(run, EventKind::line_crossing, EventState::pulse), 1.0, 1.5);
  const auto entrance_score =
      report("region entrance", entrances, detected(run, EventKind::region_entrance, EventState::pulse), 1.0, 1.5);
  const auto exit_score = report("region exiting", exits, detected(run, EventKind::region_exiting, EventState::pulse), 1.0, 1.5);
  const auto intrusion_score =
      report("intrusion", intrusions, detected(run, EventKind::intrusion, EventState::active), 1.0, 1.5);
  RecordProperty("line_crossing_f1", std::to_string(line_score.f1()));
  RecordProperty("region_entrance_f1", std::to_string(entrance_score.f1()));
  RecordProperty("region_exiting_f1", std::to_string(exit_score.f1()));
  RecordProperty("intrusion_f1", std::to_string(intrusion_score.f1()));
  EXPECT_GE(lines.size(), 20u);
  EXPECT_GE(entrances.size(), 6u);
  EXPECT_GE(intrusions.size(), 3u);
  // Issue 6 asks for 0.95 on all four. Two walkers in a row on one path come out as one tall
  // blob now and then; the tracker splits it so neither loses its crossing (0.979 now).
  EXPECT_GE(line_score.f1(), 0.95);
  EXPECT_GE(entrance_score.f1(), 0.95);
  EXPECT_GE(exit_score.f1(), 0.95);
  EXPECT_GE(intrusion_score.f1(), 0.95);
  // Every track id the rules reported is a confirmed target with a class.
  for (const auto& e : run.events) {
    if (e.state == EventState::inactive) continue;
    ASSERT_TRUE(e.target && e.target->box);
    if (e.kind == EventKind::line_crossing) {
      EXPECT_TRUE(e.target->track_id.has_value());
      EXPECT_FALSE(e.target->object_class.empty());
    }
  }
}

// Bags and boxes on a plaza: some put down and picked up again (some before the baggage
// threshold), two lying there from the start and taken away (a hole in the learnt scene), and
// people walking behind them.
constexpr const char* k_objects_scene = R"(
seed: 5
scene: {type: plaza, plaza_size: 60, start_y: 0}
cameras: [{position: [0, 0], height: 6, tilt: 24, fov: 60, resolution: [640, 360]}]
weather: {sensor_noise: 2}
regions:
  - {name: hall, polygon: [[-9, 8], [9, 8], [9, 19], [-9, 19]]}
actors:
  - {kind: bag, colour: black, position: [-4, 12], spawn: 3, removed: 12, every: 20}
  - {kind: bag, colour: red, position: [3, 10], spawn: 6, removed: 9, every: 20}
  - {kind: box, colour: brown, position: [5, 16], spawn: 0, removed: 15}
  - {kind: box, colour: blue, position: [-2, 17.5], spawn: 0, removed: 25}
  - {kind: bag, colour: blue, position: [0, 13.5], spawn: 14, removed: 30}
  - {kind: bag, colour: black, position: [-6.5, 15.5], spawn: 5, removed: 15, every: 15}
  - {kind: box, colour: white, position: [6.5, 11.5], spawn: 8, removed: 18, every: 16}
  - {kind: person, path: [[-14, 23], [14, 23]], speed: 1.4, spawn: 1, every: 9}
)";

TEST(BehaviourRulesTest, UnattendedBaggageAndObjectRemovalMatchTheWorld) {
  WorldRun run(k_objects_scene);
  constexpr int k_threshold = 5;
  BehaviourSettings settings;
  settings.of(RegionKind::unattended_baggage) = {run.region("hall", 1, k_threshold)};
  settings.of(RegionKind::object_removal) = {run.region("hall", 1, k_threshold)};
  ASSERT_TRUE(validate(settings)) << validate(settings).error().message;
  run.rules->set_settings(settings);
  constexpr double k_seconds = 40;
  run.run(k_seconds);

  // Baggage is due threshold seconds after an object was put down (not the ones lying there
  // while the camera started), if it still lies then; a removal threshold seconds after it was
  // taken away.
  std::map<std::uint32_t, double> put_down;
  std::vector<Mark> baggage, removals;
  for (const auto& e : run.truth) {
    const double t = seconds_of(e.time);
    if (e.kind == "object_left" && t > 2.5) put_down[e.actor] = t;
    if (e.kind == "object_removed") {
      if (put_down.contains(e.actor) && t - put_down[e.actor] >= k_threshold + 0.5)
        baggage.push_back({put_down[e.actor] + k_threshold, "1"});
      put_down.erase(e.actor);
      if (t + k_threshold <= k_seconds - 2) removals.push_back({t + k_threshold, "1"});
    }
  }
  for (const auto& [actor, t] : put_down)
    if (t + k_threshold <= k_seconds - 2) baggage.push_back({t + k_threshold, "1"});
  std::sort(baggage.begin(), baggage.end(), [](const Mark& a, const Mark& b) { return a.time < b.time; });
  const auto baggage_score =
      report("unattended baggage", baggage, detected(run, EventKind::unattended_baggage, EventState::pulse), 0.5, 2.0);
  const auto removal_score =
      report("object removal", removals, detected(run, EventKind::object_removal, EventState::pulse), 0.5, 2.0);
  RecordProperty("unattended_baggage_f1", std::to_string(baggage_score.f1()));
  RecordProperty("object_removal_f1", std::to_string(removal_score.f1()));
  EXPECT_GE(baggage.size(), 6u);
  EXPECT_GE(removals.size(), 8u);
  EXPECT_GE(baggage_score.f1(), 0.9);
  EXPECT_GE(removal_score.f1(), 0.9);
}

}  // namespace
}  // namespace camrig::analytics
