// Plate recognition accuracy and latency on simulated traffic (issue 7 item 8): day scenes with
// EU and US plates and a night scene under IR, run through the camera's own analysis path and
// scored per vehicle pass against the world's ground truth. Prints the figures.
#include <gtest/gtest.h>

#include "tests/unit/plates/plate_scene_run.hpp"

namespace camrig::test {
namespace {

constexpr double kSeconds = 40;

sim::WorldDescription scene(const std::string& name) {
  auto description = sim::load_world_description(std::string(CAMRIG_PLATE_SCENES) + "/" + name);
  EXPECT_TRUE(description) << description.error().message;
  return description ? *description : sim::WorldDescription{};
}

// The scenes' plates: EU "AB-123-CD" and US "7ABC123".
analytics::PlateRecognitionSettings settings() {
  analytics::PlateRecognitionSettings s;
  s.plate_layouts = {"LLDDDLL", "DLLLDDD"};
  return s;
}

SceneScore run_and_score(const std::string& name) {
  const SceneRun run = run_scene(scene(name), kSeconds, settings(), [](double, analytics::PlateRecognition&) {});
  SceneScore s = score(run, kSeconds);
  s.print(name.c_str());
  return s;
}

// Issue 7 targets: exact >= 95 % by day and >= 90 % at night with IR, characters >= 99 %, false
// reads < 1 %, latency p95 <= 500 ms from the plate being whole in the picture at the minimum
// plate width to its PlateRead.
TEST(PlateAccuracyTest, DayEuPlates) {
  const SceneScore s = run_and_score("lpr-day_eu.yaml");
  EXPECT_GE(s.passes, 10);
  EXPECT_GE(s.exact_rate(), 0.95);
  EXPECT_GE(s.character_accuracy(), 0.99);
  EXPECT_LT(s.false_rate(), 0.01);
  EXPECT_LE(s.latency_p95(), 0.5);
  // The motorcycle (rear plate only) rides close behind a van, inside the van's blob until the
  // van leaves; then a vehicle of its own for about 20 frames, over "Frames to Output Unlicensed
  // Vehicle Snapshot" (10): reported once, and no car whose body was followed apart from its plate.
  EXPECT_EQ(s.unlicensed_expected, 1);
  EXPECT_EQ(s.unlicensed_found, 1);
  EXPECT_EQ(s.unlicensed_reported, 1);
  EXPECT_EQ(s.unlicensed_false, 0);
}

TEST(PlateAccuracyTest, DayUsPlates) {
  const SceneScore s = run_and_score("lpr-day_us.yaml");
  EXPECT_GE(s.passes, 10);
  EXPECT_GE(s.exact_rate(), 0.95);
  EXPECT_GE(s.character_accuracy(), 0.99);
  EXPECT_LT(s.false_rate(), 0.01);
  EXPECT_LE(s.latency_p95(), 0.5);
  // The motorcycle, reported once, and no car whose body was followed apart from its plate.
  EXPECT_EQ(s.unlicensed_expected, 1);
  EXPECT_EQ(s.unlicensed_found, 1);
  EXPECT_EQ(s.unlicensed_reported, 1);
  EXPECT_EQ(s.unlicensed_false, 0);
}

TEST(PlateAccuracyTest, NightWithInfraredEuAndUsPlates) {
  const SceneScore s = run_and_score("lpr-night_ir.yaml");
  EXPECT_GE(s.passes, 10);
  EXPECT_GE(s.exact_rate(), 0.90);
  EXPECT_GE(s.character_accuracy(), 0.99);
  EXPECT_LT(s.false_rate(), 0.01);
  EXPECT_LE(s.latency_p95(), 0.5);
  // The dark rider on the dark road, which the shared background model has learnt from the dark
  // cars before it, stands out from the empty road the plate recognition learns: reported once.
  // No car is reported unlicensed.
  EXPECT_EQ(s.unlicensed_expected, 1);
  EXPECT_EQ(s.unlicensed_found, 1);
  EXPECT_EQ(s.unlicensed_reported, 1);
  EXPECT_EQ(s.unlicensed_false, 0);
}

// Settings given while frames are analysed apply from the next frame: with a shield area over the
// whole picture no plate is read, and the first vehicle's plate is read once the shield is gone.
TEST(PlateAccuracyTest, AShieldAreaGivenWhileRunningStopsReadsUntilItIsRemoved) {
  constexpr double kShieldedUntil = 5.6, kRunSeconds = 8;
  analytics::PlateRecognitionSettings shielded = settings();
  shielded.shield_areas = {{{0, 0}, {1, 0}, {1, 1}, {0, 1}}};
  bool shield_on = false, shield_off = false;
  const SceneRun run = run_scene(scene("lpr-day_eu.yaml"), kRunSeconds, settings(),
                                 [&](double t, analytics::PlateRecognition& recognition) {
                                   if (!shield_on) recognition.configure(shielded), shield_on = true;
                                   if (t >= kShieldedUntil && !shield_off) recognition.configure(settings()), shield_off = true;
                                 });
  ASSERT_TRUE(shield_off);
  int before = 0, after = 0;
  for (const auto& e : run.reads) {
    if (e.read.plate.empty()) continue;
    (e.emitted_at < kShieldedUntil ? before : after) += 1;
    if (e.emitted_at >= kShieldedUntil) {
      EXPECT_GE(e.read.time.count() / 1e9, kShieldedUntil) << "read from a frame after the shield was removed";
    }
  }
  // The first car's plate is readable from about 5.1 s until it leaves the picture at about 7 s.
  EXPECT_EQ(before, 0);
  EXPECT_GE(after, 1);
  ASSERT_FALSE(run.truth.empty());
  const auto& first = run.truth.begin()->second;
  EXPECT_GE(first.readable_at, 0);
  EXPECT_LT(first.readable_at, kShieldedUntil) << "the scene must show a plate while the shield is on";
}

// The camera's own built-in scene (sparser traffic, vehicles from 120 m out): every pass read.
TEST(PlateAccuracyTest, BuiltInLprCameraScene) {
  auto description = sim::builtin_scene("lpr-camera");
  ASSERT_TRUE(description) << description.error().message;
  constexpr double kBuiltInSeconds = 36;
  const SceneRun run = run_scene(*description, kBuiltInSeconds, settings(), [](double, analytics::PlateRecognition&) {});
  const SceneScore s = score(run, kBuiltInSeconds);
  s.print("lpr-camera");
  EXPECT_GE(s.passes, 2);
  EXPECT_EQ(s.exact, s.passes);
  EXPECT_EQ(s.false_reads, 0);
  // Its first motorcycle comes after the run: every vehicle here has a plate.
  EXPECT_EQ(s.unlicensed_expected, 0);
  EXPECT_EQ(s.unlicensed_reported, 0);
}

}  // namespace
}  // namespace camrig::test
