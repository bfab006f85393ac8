// Accuracy of the scene detectors (motion, tamper, defocus, scene change, video loss, faces) on
// the simulated world: the camera's own rendered frames go through VideoAnalytics, and the
// detectors' events are matched with the world's ground truth (scene events, actor and face boxes).
#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <map>
#include <optional>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "device/analytics/defocus_detector.hpp"
#include "device/analytics/face_detector.hpp"
#include "device/analytics/motion_detector.hpp"
#include "device/analytics/scene_change_detector.hpp"
#include "device/analytics/tamper_detector.hpp"
#include "device/analytics/video_analytics.hpp"
#include "device/analytics/video_loss_detector.hpp"
#include "sim/world/actor_parts.hpp"
#include "sim/world/world_description.hpp"
#include "sim/world_video_source.hpp"
#include "tests/support/analytics_rig.hpp"
#include "tests/support/lockstep_test_clock.hpp"

namespace camrig::analytics {
namespace {

using events::Event;
using events::EventKind;
using events::EventState;

using test::Score;
using test::score;
using test::seconds_of;
using WorldRun = test::AnalyticsRig;

std::vector<double> truth_times(const WorldRun& run, const std::string& kind, const std::string& name = {}) {
  std::vector<double> out;
  for (const auto& e : run.truth)
    if (e.kind == kind && (name.empty() || e.name == name)) out.push_back(seconds_of(e.time));
  return out;
}

std::vector<double> detected_times(const WorldRun& run, EventKind kind, EventState state) {
  std::vector<double> out;
  for (const auto& e : run.events)
    if (e.kind == kind && e.state == state) out.push_back(seconds_of(e.device_time));
  return out;
}

std::string join(const std::vector<double>& times) {
  std::string out;
  for (double t : times) out += (out.empty() ? "" : " ") + std::to_string(t).substr(0, 5);
  return out;
}

// A road with people and cars, the light switched (dusk, dimmed, back), the lens covered twice,
// the focus lost twice and the camera turned away and back twice. 640x360 keeps the run short:
// the analytics work at 640 wide whatever the sensor size.
constexpr const char* k_tamper_scene = R"(
seed: 7
scene: {type: road, lanes: 2, sidewalk_width: 3}
cameras: [{position: [6, -2], height: 6, pan: -8, tilt: 14, fov: 70, resolution: [640, 360]}]
weather: {sensor_noise: 2}
actors:
  - {kind: car, lane: 0, speed: 11, spawn: 1, every: 7, jitter: 3}
  - {kind: car, lane: 1, speed: 12, spawn: 4, every: 9, jitter: 4}
  - {kind: person, path: [[-6, 2], [-6, 60]], spawn: 0, every: 10}
events:
  - {at: 8, kind: light_switch, mode: dusk}
  - {at: 12, kind: camera_covered, amount: 1}
  - {at: 16, kind: camera_uncovered}
  - {at: 20, kind: light_switch, mode: day, level: 1}
  - {at: 24, kind: defocus, pixels: 14, name: defocus on}
  - {at: 29, kind: defocus, pixels: 0, name: defocus off}
  - {at: 33, kind: camera_moved, pan: 14, tilt: 3}
  - {at: 40, kind: camera_moved, pan: 0, tilt: 0}
  - {at: 44, kind: light_switch, mode: day, level: 0.6}
  - {at: 48, kind: light_switch, mode: day, level: 1}
  - {at: 52, kind: camera_covered, amount: 1}
  - {at: 56, kind: camera_uncovered}
  - {at: 60, kind: defocus, pixels: 20, name: defocus on}
  - {at: 65, kind: defocus, pixels: 0, name: defocus off}
  - {at: 69, kind: camera_moved, pan: -16, tilt: 0}
  - {at: 76, kind: camera_moved, pan: 0, tilt: 0}
  - {at: 80, kind: light_switch, mode: dusk, level: 0.8}
  - {at: 85, kind: light_switch, mode: day, level: 1}
)";

TEST(SceneDetectorsTest, TamperDefocusAndSceneChangeMatchTheWorldsCameraEvents) {
  WorldRun run(k_tamper_scene, {640, 360, {25, 2}});
  TamperSettings tamper;
  tamper.enabled = true;
  DefocusSettings defocus;
  defocus.enabled = true;
  SceneChangeSettings scene;
  scene.enabled = true;
  auto scene_detector = std::make_shared<SceneChangeDetector>(scene);
  run.add(std::make_shared<TamperDetector>(tamper));
  run.add(std::make_shared<DefocusDetector>(defocus));
  run.add(scene_detector);
  run.run(90);

  // Detected within 3 s of the world's event (1 s confirmation plus margin).
  const auto tamper_score = score(truth_times(run, "camera_covered"),
                                  detected_times(run, EventKind::tamper, EventState::active), 3.0);
  const auto defocus_score = score(truth_times(run, "defocus", "defocus on"),
                                   detected_times(run, EventKind::defocus, EventState::active), 3.0);
  const auto scene_score = score(truth_times(run, "camera_moved"),
                                 detected_times(run, EventKind::scene_change, EventState::pulse), 3.0);
  std::printf("tamper: truth [%s] detected [%s] F1 %.3f\n", join(truth_times(run, "camera_covered")).c_str(),
              join(detected_times(run, EventKind::tamper, EventState::active)).c_str(), tamper_score.f1());
  std::printf("defocus: truth [%s] detected [%s] F1 %.3f\n", join(truth_times(run, "defocus", "defocus on")).c_str(),
              join(detected_times(run, EventKind::defocus, EventState::active)).c_str(), defocus_score.f1());
  std::printf("scene change: truth [%s] detected [%s] F1 %.3f\n", join(truth_times(run, "camera_moved")).c_str(),
              join(detected_times(run, EventKind::scene_change, EventState::pulse)).c_str(), scene_score.f1());
  RecordProperty("tamper_f1", std::to_string(tamper_score.f1()));
  RecordProperty("defocus_f1", std::to_string(defocus_score.f1()));
  RecordProperty("scene_change_f1", std::to_string(scene_score.f1()));
  EXPECT_EQ(truth_times(run, "camera_covered").size(), 2u);
  EXPECT_EQ(truth_times(run, "camera_moved").size(), 4u);
  EXPECT_GE(tamper_score.f1(), 0.95);
  EXPECT_GE(defocus_score.f1(), 0.95);
  EXPECT_GE(scene_score.f1(), 0.95);
  // Every alarm with a duration ends once the cause is gone.
  EXPECT_EQ(detected_times(run, EventKind::tamper, EventState::inactive).size(),
            detected_times(run, EventKind::tamper, EventState::active).size());
  EXPECT_EQ(detected_times(run, EventKind::defocus, EventState::inactive).size(),
            detected_times(run, EventKind::defocus, EventState::active).size());
}

//! Runs a detector with its own event list, beside the others on the same frames.
class Separate final : public Detector {
 public:
  explicit Separate(std::shared_ptr<Detector> inner) : inner_(std::move(inner)) {}
  std::string_view name() const override { return inner_->name(); }
  void analyse(const AnalysisFrame& frame, const EventSink&) override {
    inner_->analyse(frame, [this](Event e) { events.push_back(std::move(e)); });
  }
  std::vector<Event> events;

 private:
  std::shared_ptr<Detector> inner_;
};

//! The grid rows a person walking at `y` metres shows in: a drawn area small enough for one person
//! to reach the minimum proportion (1 % of the area).
MotionGrid walkway_rows(const sim::CameraModel& camera, double y) {
  const auto feet = camera.project({0.0, y, 0.0});
  const auto head = camera.project({0.0, y, 1.8});
  MotionGrid grid;
  if (!feet || !head) return grid;
  const int first = std::max(0, static_cast<int>(head->y / 360 * kMotionGridRows));
  const int last = std::min(kMotionGridRows - 1, static_cast<int>(feet->y / 360 * kMotionGridRows));
  for (int row = first; row <= last; ++row)
    for (int col = 0; col < kMotionGridColumns; ++col) grid.set(static_cast<std::size_t>(row * kMotionGridColumns + col));
  return grid;
}

// An empty road with sensor noise for 20 s, then one person crossing it.
constexpr const char* k_motion_scene = R"(
seed: 3
scene: {type: road, lanes: 2, sidewalk_width: 3}
cameras: [{position: [6, -2], height: 6, pan: -8, tilt: 14, fov: 70, resolution: [640, 360]}]
weather: {sensor_noise: 3}
actors:
  - {kind: person, path: [[-9, 18], [9, 18]], spawn: 20}
)";

// The same road in daylight with two people crossing it nearer the camera, 25 s apart.
constexpr const char* k_motion_scene_two_people = R"(
seed: 3
scene: {type: road, lanes: 2, sidewalk_width: 3}
cameras: [{position: [6, -2], height: 6, pan: -8, tilt: 14, fov: 70, resolution: [640, 360]}]
weather: {sensor_noise: 3}
actors:
  - {kind: person, path: [[-4, 8], [9, 8]], spawn: 3}
  - {kind: person, path: [[9, 8], [-4, 8]], spawn: 28}
)";

TEST(SceneDetectorsTest, MotionFollowsAMovingPersonAndStaysQuietOnANoisyStaticScene) {
  WorldRun run(k_motion_scene, {640, 360, {25, 2}});
  MotionSettings normal;
  normal.enabled = true;
  normal.grid = full_motion_grid();
  normal.sensitivity = 60;
  normal.hold_seconds = 1.0;
  MotionSettings off = normal;
  off.sensitivity = 0;
  MotionSettings sky = normal;  // only the top two rows, which show the sky
  sky.grid.reset();
  for (int c = 0; c < kMotionGridColumns * 2; ++c) sky.grid.set(static_cast<std::size_t>(c));
  MotionSettings expert = normal;
  expert.mode = MotionMode::expert;
  expert.areas = {{full_motion_grid(), {60, 50}, {60, 50}}};  // half the area must move: one person never does
  // Expert areas each with their own levels: the sky (area 1) never moves; the person's walkway as
  // area 2 (drawn once the camera is known) moves unless its sensitivity is 0.
  MotionSettings two_areas = expert;
  two_areas.areas = {{sky.grid, {60, 1}, {60, 1}}, {MotionGrid{}, {60, 1}, {60, 1}}};
  MotionSettings second_area_off = two_areas;
  second_area_off.areas[1].day.sensitivity = 0;
  auto two_areas_motion = std::make_shared<MotionDetector>(two_areas);
  auto second_area_off_motion = std::make_shared<MotionDetector>(second_area_off);
  auto two_areas_detector = std::make_shared<Separate>(two_areas_motion);
  auto second_area_off_detector = std::make_shared<Separate>(second_area_off_motion);
  run.add(two_areas_detector);
  run.add(second_area_off_detector);
  auto off_detector = std::make_shared<Separate>(std::make_shared<MotionDetector>(off));
  auto sky_detector = std::make_shared<Separate>(std::make_shared<MotionDetector>(sky));
  auto expert_detector = std::make_shared<Separate>(std::make_shared<MotionDetector>(expert));
  run.add(std::make_shared<MotionDetector>(normal));
  run.add(off_detector);
  run.add(sky_detector);
  run.add(expert_detector);
  double first_visible = -1, last_visible = -1;
  run.run(40, [&](std::uint64_t index, const sim::WorldSnapshot& snapshot, const sim::CameraModel& camera) {
    if (index == 0) {
      for (auto* settings : {&two_areas, &second_area_off}) settings->areas[1].grid = walkway_rows(camera, 18);
      ASSERT_TRUE(two_areas_motion->configure(two_areas) && second_area_off_motion->configure(second_area_off));
    }
    for (const auto& actor : snapshot.actors) {
      if (actor.kind != sim::ActorKind::person) continue;
      const double t = seconds_of(snapshot.time);
      // Visible once its feet are in the picture.
      const auto p = camera.project({actor.position.x, actor.position.y, 0.0});
      if (p && p->x >= 0 && p->x < 640 && p->y >= 0 && p->y < 360) {
        if (first_visible < 0) first_visible = t;
        last_visible = t;
      }
    }
  });
  const auto starts = detected_times(run, EventKind::motion, EventState::active);
  const auto ends = detected_times(run, EventKind::motion, EventState::inactive);
  std::printf("motion: person visible %.2f..%.2f s; active at [%s], inactive at [%s]\n", first_visible, last_visible,
              join(starts).c_str(), join(ends).c_str());
  ASSERT_GT(first_visible, 19.0);
  ASSERT_FALSE(starts.empty());
  EXPECT_GE(starts.front(), first_visible) << "motion on a static scene with noise";
  EXPECT_LE(starts.front(), first_visible + 1.0);
  ASSERT_FALSE(ends.empty());
  EXPECT_GE(ends.back(), last_visible);
  EXPECT_LE(ends.back(), last_visible + 2.5);
  EXPECT_EQ(starts.size(), ends.size());
  EXPECT_TRUE(off_detector->events.empty()) << "sensitivity 0 is off";
  EXPECT_TRUE(sky_detector->events.empty()) << "motion outside the drawn area";
  EXPECT_TRUE(expert_detector->events.empty()) << "below the expert proportion";
  EXPECT_TRUE(second_area_off_detector->events.empty()) << "an area's own sensitivity 0 turns that area off";
  ASSERT_FALSE(two_areas_detector->events.empty());
  const auto& first = two_areas_detector->events.front();
  EXPECT_EQ(first.state, EventState::active);
  EXPECT_EQ(first.rule, 2) << "the event names the expert area that moved";
  EXPECT_GE(seconds_of(first.device_time), first_visible);
  EXPECT_LE(seconds_of(first.device_time), last_visible);
}

// A car drives by, then a person walks by: motion with a detection target reports its own kind.
constexpr const char* k_targets_scene = R"(
seed: 4
scene: {type: road, lanes: 2, sidewalk_width: 3}
cameras: [{position: [6, -2], height: 6, pan: -8, tilt: 14, fov: 70, resolution: [640, 360]}]
weather: {sensor_noise: 3}
actors:
  - {kind: car, lane: 0, speed: 11, spawn: 3, count: 1}
  - {kind: person, path: [[-9, 18], [9, 18]], spawn: 20}
)";

TEST(SceneDetectorsTest, MotionWithADetectionTargetReportsOnlyThatKind) {
  WorldRun run(k_targets_scene, {640, 360, {25, 2}});
  MotionSettings human;
  human.enabled = true;
  human.grid = full_motion_grid();
  human.sensitivity = 60;
  human.hold_seconds = 1.0;
  human.target_human = true;
  MotionSettings vehicle = human;
  vehicle.target_human = false;
  vehicle.target_vehicle = true;
  auto human_detector = std::make_shared<Separate>(std::make_shared<MotionDetector>(human));
  auto vehicle_detector = std::make_shared<Separate>(std::make_shared<MotionDetector>(vehicle));
  run.add(human_detector);
  run.add(vehicle_detector);
  double car_gone = -1, person_seen = -1;
  run.run(25, [&](std::uint64_t, const sim::WorldSnapshot& snapshot, const sim::CameraModel& camera) {
    const double t = seconds_of(snapshot.time);
    for (const auto& actor : snapshot.actors) {
      const auto p = camera.project({actor.position.x, actor.position.y, 0.0});
      const bool visible = p && p->x >= 0 && p->x < 640 && p->y >= 0 && p->y < 360;
      if (actor.kind == sim::ActorKind::person && visible && person_seen < 0) person_seen = t;
      if (sim::is_vehicle(actor.kind) && visible) car_gone = t;
    }
  });
  const auto starts = [](const Separate& d) {
    std::vector<double> out;
    for (const auto& e : d.events)
      if (e.kind == EventKind::motion && e.state == EventState::active) out.push_back(seconds_of(e.device_time));
    return out;
  };
  const auto human_starts = starts(*human_detector), vehicle_starts = starts(*vehicle_detector);
  std::printf("motion targets: car seen until %.2f s, person from %.2f s; human at [%s], vehicle at [%s]\n", car_gone,
              person_seen, join(human_starts).c_str(), join(vehicle_starts).c_str());
  ASSERT_GT(car_gone, 0);
  ASSERT_GT(person_seen, car_gone);
  ASSERT_FALSE(human_starts.empty());
  EXPECT_GE(human_starts.front(), person_seen) << "a car is no human target";
  // Late: the shared model shows a person crossing far away in parts (a shirt is no upright shape)
  // for the first seconds. Held here so a regression shows.
  EXPECT_LE(human_starts.front(), person_seen + 5.0);
  ASSERT_FALSE(vehicle_starts.empty());
  EXPECT_LE(vehicle_starts.back(), car_gone) << "a person is no vehicle target";
}

// A person walks by in daylight; the lights go out (the camera switches to infrared, a
// monochrome picture); a second person walks by at night.
constexpr const char* k_day_night_scene = R"(
seed: 6
scene: {type: road, lanes: 2, sidewalk_width: 3}
cameras: [{position: [6, -2], height: 6, pan: -8, tilt: 14, fov: 70, resolution: [640, 360]}]
weather: {sensor_noise: 3}
actors:
  - {kind: person, path: [[-4, 8], [9, 8]], spawn: 3}
  - {kind: person, path: [[9, 8], [-4, 8]], spawn: 28}
events:
  - {at: 18, kind: light_switch, mode: night_ir}
)";

//! Motion starts of one detector.
std::vector<double> motion_starts(const Separate& detector) {
  std::vector<double> out;
  for (const auto& e : detector.events)
    if (e.kind == EventKind::motion && e.state == EventState::active) out.push_back(seconds_of(e.device_time));
  return out;
}

//! When each person's feet are in the picture: [first, last] per person, in spawn order.
struct Sightings {
  std::map<std::uint32_t, std::pair<double, double>> by_actor;
  void see(const sim::WorldSnapshot& snapshot, const sim::CameraModel& camera) {
    for (const auto& actor : snapshot.actors) {
      if (actor.kind != sim::ActorKind::person) continue;
      const auto p = camera.project({actor.position.x, actor.position.y, 0.0});
      if (!p || p->x < 0 || p->x >= 640 || p->y < 0 || p->y >= 360) continue;
      const double t = seconds_of(snapshot.time);
      auto [it, fresh] = by_actor.try_emplace(actor.id, t, t);
      it->second.second = t;
    }
  }
  std::vector<std::pair<double, double>> windows() const {
    std::vector<std::pair<double, double>> out;
    for (const auto& [id, window] : by_actor) out.push_back(window);
    return out;
  }
};


TEST(SceneDetectorsTest, ExpertModeUsesTheDaySettingsByDayAndTheNightOnesOnTheInfraredPicture) {
  WorldRun run(k_day_night_scene, {640, 360, {25, 2}});
  MotionSettings day_only;
  day_only.enabled = true;
  day_only.mode = MotionMode::expert;
  day_only.hold_seconds = 1.0;
  day_only.day_night = DayNightSwitch::automatic;
  day_only.areas = {{full_motion_grid(), {60, 1}, {0, 1}}};  // sensitivity 0: off at night
  MotionSettings night_only = day_only;
  night_only.areas[0].day = {0, 1};
  night_only.areas[0].night = {60, 1};
  MotionSettings switch_off = night_only;  // the switch off: the day settings (off) all the time
  switch_off.day_night = DayNightSwitch::off;
  auto day_motion = std::make_shared<MotionDetector>(day_only);
  auto night_motion = std::make_shared<MotionDetector>(night_only);
  auto day_detector = std::make_shared<Separate>(day_motion);
  auto night_detector = std::make_shared<Separate>(night_motion);
  auto off_motion = std::make_shared<MotionDetector>(switch_off);
  auto off_detector = std::make_shared<Separate>(off_motion);
  run.add(day_detector);
  run.add(night_detector);
  run.add(off_detector);
  Sightings people;
  std::vector<std::pair<double, bool>> night_flags;  // (time, night settings used), once a second
  run.run(44, [&](std::uint64_t index, const sim::WorldSnapshot& snapshot, const sim::CameraModel& camera) {
    if (index == 0) {
      for (auto* settings : {&day_only, &night_only, &switch_off}) settings->areas[0].grid = walkway_rows(camera, 8);
      ASSERT_TRUE(day_motion->configure(day_only) && night_motion->configure(night_only) && off_motion->configure(switch_off));
    }
    people.see(snapshot, camera);
    if (index % 25 == 24) night_flags.emplace_back(seconds_of(snapshot.time), night_motion->night());
  });
  const auto windows = people.windows();
  const auto day_starts = motion_starts(*day_detector), night_starts = motion_starts(*night_detector);
  std::printf("day/night: people visible [%.2f..%.2f] and [%.2f..%.2f], lights out at 18 s; day settings active at "
              "[%s], night settings active at [%s]\n",
              windows.at(0).first, windows.at(0).second, windows.at(1).first, windows.at(1).second,
              join(day_starts).c_str(), join(night_starts).c_str());
  ASSERT_EQ(windows.size(), 2u);
  ASSERT_LT(windows[0].second, 18.0);
  ASSERT_GT(windows[1].first, 18.0);
  // By day only the day settings see the first person.
  ASSERT_FALSE(day_starts.empty());
  for (double t : day_starts) {
    EXPECT_GE(t, windows[0].first);
    EXPECT_LE(t, windows[0].second + 1.0);
  }
  // At night only the night settings see the second one (the lights going out may count as
  // motion too: the whole picture changes).
  ASSERT_FALSE(night_starts.empty());
  for (double t : night_starts) EXPECT_GE(t, 18.0) << "night settings used by day";
  EXPECT_GE(night_starts.back(), windows[1].first);
  EXPECT_LE(night_starts.back(), windows[1].second + 1.0);
  EXPECT_TRUE(off_detector->events.empty()) << "with the switch off the day settings hold at night";
  for (const auto& [t, night] : night_flags)
    if (t < 17.5 || t > 18.5) {
      EXPECT_EQ(night, t > 18.0) << "at " << t << " s";
    }
}

TEST(SceneDetectorsTest, ExpertModeScheduledSwitchFollowsTheLocalTimeOfDay) {
  // Daylight all the time; the local clock reads 11:00 until 18 s of world time, then 21:00.
  WorldRun run(k_motion_scene_two_people, {640, 360, {25, 2}});
  double now = 0;
  const LocalMinuteSource local_time = [&now]() -> std::optional<int> { return now < 18.0 ? 11 * 60 : 21 * 60; };
  MotionSettings day_only;
  day_only.enabled = true;
  day_only.mode = MotionMode::expert;
  day_only.hold_seconds = 1.0;
  day_only.day_night = DayNightSwitch::scheduled;
  day_only.day_period = {7 * 60, 19 * 60};
  day_only.areas = {{full_motion_grid(), {60, 1}, {0, 1}}};
  MotionSettings night_only = day_only;
  night_only.areas[0].day = {0, 1};
  night_only.areas[0].night = {60, 1};
  auto day_motion = std::make_shared<MotionDetector>(day_only);
  auto night_motion = std::make_shared<MotionDetector>(night_only);
  day_motion->set_local_time(local_time);
  night_motion->set_local_time(local_time);
  auto day_detector = std::make_shared<Separate>(day_motion);
  auto night_detector = std::make_shared<Separate>(night_motion);
  run.add(day_detector);
  run.add(night_detector);
  Sightings people;
  run.run(44, [&](std::uint64_t index, const sim::WorldSnapshot& snapshot, const sim::CameraModel& camera) {
    if (index == 0) {
      for (auto* settings : {&day_only, &night_only}) settings->areas[0].grid = walkway_rows(camera, 8);
      ASSERT_TRUE(day_motion->configure(day_only) && night_motion->configure(night_only));
    }
    now = seconds_of(snapshot.time);
    people.see(snapshot, camera);
  });
  const auto windows = people.windows();
  const auto day_starts = motion_starts(*day_detector), night_starts = motion_starts(*night_detector);
  std::printf("scheduled switch: people visible [%.2f..%.2f] and [%.2f..%.2f], 21:00 from 18 s; day settings active at "
              "[%s], night settings active at [%s]\n",
              windows.at(0).first, windows.at(0).second, windows.at(1).first, windows.at(1).second,
              join(day_starts).c_str(), join(night_starts).c_str());
  ASSERT_EQ(windows.size(), 2u);
  // Each only while its own person walks by (a person far off may pause the motion for a moment).
  ASSERT_FALSE(day_starts.empty());
  EXPECT_LE(day_starts.front(), windows[0].first + 3.0);
  for (double t : day_starts) {
    EXPECT_GE(t, windows[0].first);
    EXPECT_LE(t, windows[0].second + 1.0);
  }
  ASSERT_FALSE(night_starts.empty());
  EXPECT_LE(night_starts.front(), windows[1].first + 3.0);
  for (double t : night_starts) {
    EXPECT_GE(t, windows[1].first);
    EXPECT_LE(t, windows[1].second + 1.0);
  }
  // Without a local time the day settings apply.
  MotionDetector unknown_time(night_only);
  EXPECT_FALSE(unknown_time.night());
}

TEST(SceneDetectorsTest, AFrozenPictureIsVideoLossUntilItMovesAgain) {
  WorldRun run(k_motion_scene, {640, 360, {25, 2}});
  VideoLossSettings settings;
  settings.enabled = true;
  settings.frozen_seconds = 2.0;
  run.add(std::make_shared<VideoLossDetector>(settings));
  hal::VideoFramePtr frozen;
  // The sensor hands out the picture of 4 s again and again until 9 s.
  run.run(12, {}, [&](hal::VideoFramePtr frame) {
    const double t = seconds_of(frame->timestamp);
    if (t < 4 || t >= 9) return frame;
    if (!frozen) frozen = frame;
    auto copy = std::make_shared<hal::VideoFrame>(*frozen);
    copy->timestamp = frame->timestamp;
    copy->sequence = frame->sequence;
    return hal::VideoFramePtr(copy);
  });
  const auto starts = detected_times(run, EventKind::video_loss, EventState::active);
  const auto ends = detected_times(run, EventKind::video_loss, EventState::inactive);
  std::printf("video loss: active at [%s], inactive at [%s]\n", join(starts).c_str(), join(ends).c_str());
  ASSERT_EQ(starts.size(), 1u);
  EXPECT_NEAR(starts[0], 6.0, 0.1);
  ASSERT_EQ(ends.size(), 1u);
  EXPECT_NEAR(ends[0], 9.0, 0.1);
}

TEST(SceneDetectorsTest, ASourceThatStopsDeliveringIsVideoLossUntilFramesComeAgain) {
  test::LockstepTestClock clock;
  VideoAnalyticsOptions options;
  options.clock = &clock;
  std::vector<Event> events;
  auto analytics = std::make_unique<VideoAnalytics>(options, [&](Event e) { events.push_back(std::move(e)); });
  VideoLossSettings settings;
  settings.enabled = true;
  settings.frozen_seconds = 2.0;
  analytics->add(std::make_shared<VideoLossDetector>(settings));
  cv::RNG rng(7);
  std::uint64_t sequence = 0;
  // A live sensor's noisy frames at 12.5 fps, the clock moving with them.
  const auto deliver = [&](double from, double to) {
    for (double t = from; t < to; t += 0.08) {
      const auto at = hal::Nanos{static_cast<std::int64_t>(t * 1e9)};
      clock.advance_to(at);
      auto frame = std::make_shared<hal::VideoFrame>(320, 180);
      cv::Mat pixels(1, static_cast<int>(frame->size_bytes()), CV_8UC1, frame->plane(0));
      rng.fill(pixels, cv::RNG::UNIFORM, 100, 110);
      frame->timestamp = at;
      frame->sequence = sequence++;
      analytics->process(frame);
    }
  };
  deliver(0, 3);
  // The source stops: no frame at all from about 2.92 s until 8 s.
  clock.advance_to(std::chrono::seconds(8));
  deliver(8, 9);
  const auto times = [&](EventState state) {
    std::vector<double> out;
    for (const auto& e : events)
      if (e.kind == EventKind::video_loss && e.state == state) out.push_back(seconds_of(e.device_time));
    return out;
  };
  const auto starts = times(EventState::active), ends = times(EventState::inactive);
  std::printf("source stopped: video loss active at [%s], inactive at [%s]\n", join(starts).c_str(), join(ends).c_str());
  ASSERT_EQ(starts.size(), 1u);
  // Silence is checked every 0.5 s: due 2 s after the last frame, raised at the next check.
  EXPECT_GE(starts[0], 2.92 + 2.0 - 0.01);
  EXPECT_LE(starts[0], 2.92 + 2.0 + 0.6);
  ASSERT_EQ(ends.size(), 1u);
  EXPECT_NEAR(ends[0], 8.0, 0.01);
  // Gone analytics leave no timer behind that could call into them.
  analytics.reset();
  clock.advance_to(std::chrono::seconds(12));
  EXPECT_EQ(times(EventState::active).size(), 1u);
}

// People walking up to a camera at head height, three abreast, one after another.
constexpr const char* k_face_scene = R"(
seed: 11
scene: {type: plaza, plaza_size: 40, start_y: -5}
cameras: [{position: [0, 0], height: 2.0, pan: 0, tilt: 4, fov: 40, resolution: [1280, 720]}]
weather: {sensor_noise: 2}
actors:
  - {kind: person, path: [[-1.3, 13], [-1.3, 1.2]], spawn: 2.5, every: 4, count: 6}
  - {kind: person, path: [[0.1, 14], [0.1, 1.2]], spawn: 3.5, every: 4.5, count: 5}
  - {kind: person, path: [[1.4, 13.5], [1.4, 1.2]], spawn: 4.2, every: 5, count: 5}
)";

//! Scores the face detector on each analysed frame against the ground-truth face boxes.
class FaceProbe final : public Detector {
 public:
  FaceProbe(std::shared_ptr<FaceDetector> plain, std::shared_ptr<FaceDetector> shielded)
      : plain_(std::move(plain)), shielded_(std::move(shielded)) {}
  std::string_view name() const override { return "face probe"; }
  void analyse(const AnalysisFrame& frame, const EventSink& sink) override {
    plain_->analyse(frame, sink);
    if (!frame.background_ready()) return;
    const auto found = plain_->detect(frame);
    ++frames;
    std::vector<bool> matched(found.size(), false);
    for (const auto& truth : wanted) {
      bool hit = false;
      for (std::size_t i = 0; i < found.size(); ++i) {
        const double inter = (found[i] & truth).area();
        if (inter / (found[i].area() + truth.area() - inter) >= 0.3) hit = matched[i] = true;
      }
      ++faces;
      found_faces += hit;
    }
    for (std::size_t i = 0; i < found.size(); ++i) {
      // Faces under 60 px, cut by the frame edge or turned are neither wanted nor false.
      const bool other_face = std::any_of(others.begin(), others.end(), [&](const cv::Rect& o) {
        return (found[i] & o).area() > 0;
      });
      false_detections += !matched[i] && !other_face;
    }
    for (const auto& box : shielded_->detect(frame)) shielded_in_left_half += box.x + box.width / 2 < 640;
    left_half_faces += std::count_if(found.begin(), found.end(), [](const cv::Rect& b) { return b.x + b.width / 2 < 640; });
  }

  std::vector<cv::Rect> wanted;  //!< frontal, >= 60 px, whole in the picture: must be found
  std::vector<cv::Rect> others;  //!< any other face box of the frame
  int frames = 0, faces = 0, found_faces = 0, false_detections = 0;
  int shielded_in_left_half = 0, left_half_faces = 0;

 private:
  std::shared_ptr<FaceDetector> plain_;
  std::shared_ptr<FaceDetector> shielded_;
};

TEST(SceneDetectorsTest, FacesOfPeopleWalkingUpAreFoundAtTheirGroundTruthBoxes) {
  WorldRun run(k_face_scene, {1280, 720, {25, 2}});
  FaceSettings settings;
  settings.enabled = true;
  settings.min_size = 50;  // a little below the 60 px that must be found: no misses at the edge
  auto plain = FaceDetector::create(settings);
  ASSERT_TRUE(plain) << plain.error().message;
  FaceSettings shield = settings;
  shield.shield_regions.push_back({{0, 0}, {0.5f, 0}, {0.5f, 1}, {0, 1}});
  auto shielded = FaceDetector::create(shield);
  ASSERT_TRUE(shielded) << shielded.error().message;
  auto probe = std::make_shared<FaceProbe>(*plain, *shielded);
  run.add(probe);
  int smallest = 1 << 30, largest = 0;
  run.run(26, [&](std::uint64_t, const sim::WorldSnapshot& snapshot, const sim::CameraModel& camera) {
    probe->wanted.clear();
    probe->others.clear();
    for (const auto& actor : snapshot.actors) {
      const auto face = sim::face_of(actor, camera);
      if (!face) continue;
      const auto box = sim::image_box(*face, camera);
      if (!box) continue;
      const cv::Rect rect(box->x, box->y, box->width, box->height);
      // A face cut by the frame's edge is no whole face: keep a margin.
      constexpr int margin = 8;
      const bool whole = rect.x >= margin && rect.y >= margin && rect.x + rect.width <= 1280 - margin &&
                         rect.y + rect.height <= 720 - margin;
      if (face->frontal && whole && rect.width >= 60) {
        probe->wanted.push_back(rect);
        smallest = std::min(smallest, rect.width);
        largest = std::max(largest, rect.width);
      } else {
        probe->others.push_back(rect);
      }
    }
  });
  const double recall = probe->faces == 0 ? 0.0 : static_cast<double>(probe->found_faces) / probe->faces;
  const double false_rate = probe->frames == 0 ? 1.0 : static_cast<double>(probe->false_detections) / probe->frames;
  const auto face_events = detected_times(run, EventKind::face_detection, EventState::pulse);
  std::printf("faces: %d frontal >= 60 px (%d..%d px) in %d frames: recall %.3f, false detections per frame %.3f, "
              "%zu face events; shield: %d of %d left-half faces kept\n",
              probe->faces, smallest, largest, probe->frames, recall, false_rate, face_events.size(),
              probe->shielded_in_left_half, probe->left_half_faces);
  RecordProperty("face_recall", std::to_string(recall));
  RecordProperty("face_false_per_frame", std::to_string(false_rate));
  EXPECT_GE(probe->faces, 100);
  EXPECT_GE(recall, 0.9);
  EXPECT_LE(false_rate, 0.05);
  EXPECT_GT(probe->left_half_faces, 0);
  EXPECT_EQ(probe->shielded_in_left_half, 0);
  // One event per person who showed a face, not one per frame.
  EXPECT_GE(face_events.size(), 10u);
  EXPECT_LE(face_events.size(), 24u);
}

// Someone walks up to the camera and stands there facing it for ten seconds, long after the
// background model has taken them into the background.
constexpr const char* k_standing_face_scene = R"(
seed: 12
scene: {type: plaza, plaza_size: 40, start_y: -5}
cameras: [{position: [0, 0], height: 2.0, pan: 0, tilt: 4, fov: 40, resolution: [1280, 720]}]
weather: {sensor_noise: 2}
actors:
  - {kind: person, path: [[0.3, 9], {at: [0.3, 3.5], wait: 10}, [6, 3.5]], facing: 180, spawn: 1, count: 1}
)";

TEST(SceneDetectorsTest, FaceOfSomeoneStandingStillStaysFound) {
  WorldRun run(k_standing_face_scene, {1280, 720, {25, 2}});
  FaceSettings settings;
  settings.enabled = true;
  settings.min_size = 50;
  auto plain = FaceDetector::create(settings);
  ASSERT_TRUE(plain) << plain.error().message;
  auto probe = std::make_shared<FaceProbe>(*plain, *FaceDetector::create(settings));
  run.add(probe);
  // Scored from 3 s after the stop (about 5 s in) until just before walking off.
  constexpr double k_from = 8, k_to = 14.5;
  double stood_from = -1, stood_to = -1;
  run.run(k_to, [&](std::uint64_t, const sim::WorldSnapshot& snapshot, const sim::CameraModel& camera) {
    probe->wanted.clear();
    probe->others.clear();
    const double t = seconds_of(snapshot.time);
    for (const auto& actor : snapshot.actors) {
      const auto face = sim::face_of(actor, camera);
      if (!face) continue;
      const auto box = sim::image_box(*face, camera);
      if (!box) continue;
      const cv::Rect rect(box->x, box->y, box->width, box->height);
      if (t >= k_from && face->frontal && rect.width >= 60) {
        probe->wanted.push_back(rect);
        if (stood_from < 0) stood_from = t;
        stood_to = t;
      } else {
        probe->others.push_back(rect);
      }
    }
  });
  const double recall = probe->faces == 0 ? 0.0 : static_cast<double>(probe->found_faces) / probe->faces;
  const auto face_events = detected_times(run, EventKind::face_detection, EventState::pulse);
  std::printf("standing face: %d frames %.1f..%.1f s, recall %.3f, %d false detections, %zu face events\n",
              probe->faces, stood_from, stood_to, recall, probe->false_detections, face_events.size());
  EXPECT_GE(probe->faces, 60);
  EXPECT_GE(recall, 0.9);
  EXPECT_LE(probe->false_detections, 3);
  // One person, one face event: standing still does not make the face new again.
  EXPECT_EQ(face_events.size(), 1u);
}

}  // namespace
}  // namespace camrig::analytics
