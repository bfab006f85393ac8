// Runs a simulated LPR scene through the camera's analysis path (WorldVideoSource →
// VideoAnalytics → PlateRecognition) and scores the PlateReads against the world's ground truth
// per vehicle pass. Shared by the accuracy tests and the benchmark.
#pragma once

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "device/analytics/plates/plate_recognition.hpp"
#include "device/analytics/video_analytics.hpp"
#include "sim/world/ground_truth.hpp"
#include "sim/world/world_description.hpp"
#include "sim/world_video_source.hpp"

namespace camrig::test {

struct PassTruth {
  std::uint32_t actor = 0;
  std::string plate;   // normalised; "" = no plate facing the camera
  double readable_at = -1;  // s: first frame with the plate whole in the picture at min width
  int vehicle_frames = 0;
};

struct EmittedRead {
  traffic::PlateRead read;
  double emitted_at = 0;  // s: capture time of the frame being analysed when it was emitted
};

struct SceneScore {
  int passes = 0;            // vehicles whose plate became readable
  int exact = 0;
  int characters = 0, character_errors = 0;  // over read passes (edit distance)
  int missed = 0;            // readable passes without any read
  int false_reads = 0;       // plate text of no vehicle in the scene, or a second read of one pass
  int reads = 0;             // non-empty video reads
  int unlicensed_expected = 0, unlicensed_reported = 0;
  // Unlicensed reports attributed (by vehicle box) to a vehicle without a plate towards the
  // camera, reported once; any other unlicensed report is false (a plated vehicle, a second
  // report of one vehicle, or nothing there).
  int unlicensed_found = 0, unlicensed_false = 0;
  std::vector<double> latencies;  // s, readable → emitted, exact reads
  double analysis_seconds = 0;    // wall time in PlateRecognition::analyse
  std::uint64_t frames = 0;

  double exact_rate() const { return passes ? static_cast<double>(exact) / passes : 0; }
  double character_accuracy() const {
    return characters ? 1.0 - static_cast<double>(character_errors) / characters : 0;
  }
  double false_rate() const { return reads ? static_cast<double>(false_reads) / reads : 0; }
  double latency_p95() const {
    if (latencies.empty()) return 0;
    auto sorted = latencies;
    std::sort(sorted.begin(), sorted.end());
    return sorted[std::min(sorted.size() - 1, static_cast<std::size_t>(0.95 * static_cast<double>(sorted.size())))];
  }
  void print(const char* name) const {
    std::printf("[%s] passes %d, exact %d (%.1f %%), character accuracy %.2f %%, missed %d, false reads %d of %d "
                "(%.2f %%), unlicensed %d reported, %d found of %d, %d false, latency p95 %.0f ms, %.1f ms per analysed frame\n",
                name, passes, exact, 100 * exact_rate(), 100 * character_accuracy(), missed, false_reads, reads,
                100 * false_rate(), unlicensed_reported, unlicensed_found, unlicensed_expected, unlicensed_false, 1000 * latency_p95(),
                frames ? 1000 * analysis_seconds / static_cast<double>(frames) : 0.0);
  }
};

inline std::string normalise_plate(const std::string& text) {
  std::string out;
  for (char c : text) {
    if ((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) out.push_back(c);
  }
  return out;
}

inline int edit_distance(const std::string& a, const std::string& b) {
  std::vector<int> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = static_cast<int>(j);
  for (std::size_t i = 1; i <= a.size(); ++i) {
    int diagonal = row[0];
    row[0] = static_cast<int>(i);
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const int up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = up;
    }
  }
  return row[b.size()];
}

struct SceneRun {
  std::vector<EmittedRead> reads;
  std::map<std::uint32_t, PassTruth> truth;
  // Per analysed frame time (ms): actor → plate box, to tell which vehicle a read belongs to.
  std::map<std::int64_t, std::vector<std::pair<std::uint32_t, cv::Rect>>> plate_boxes;
  // The same for the vehicle boxes, to tell which vehicle an unlicensed report belongs to.
  std::map<std::int64_t, std::vector<std::pair<std::uint32_t, cv::Rect>>> vehicle_boxes;
  analytics::PlateRecognitionCounters counters;
};

//! Runs `seconds` of `description` at 12.5 fps, 1920x1080. `before_frame(time_s, recognition)`
//! runs before each frame is analysed (triggers in tests).
template <class BeforeFrame>
SceneRun run_scene(const sim::WorldDescription& description, double seconds,
                   const analytics::PlateRecognitionSettings& settings, BeforeFrame before_frame) {
  SceneRun run;
  auto world = sim::World::create(description);
  if (!world) {
    std::fprintf(stderr, "%s\n", world.error().message.c_str());
    return run;
  }
  sim::SharedWorld shared(**world);
  const hal::VideoFormat format{1920, 1080, {25, 2}};
  sim::SceneRenderer renderer((*world)->layout(), description.seed, 12.5);
  sim::WorldVideoSource source(shared, renderer, (*world)->cameras().at(0), format, {});

  double now = 0;
  auto recognition = std::make_shared<analytics::PlateRecognition>(
      analytics::PlateRecognitionOptions{}, [&](const traffic::PlateRead& read) { run.reads.push_back({read, now}); });
  recognition->configure(settings);
  analytics::VideoAnalytics analytics({}, {});
  analytics.add(recognition);

  source.on_ground_truth([&](std::uint64_t, const sim::WorldSnapshot& snapshot, const sim::CameraModel& camera) {
    const auto record = sim::frame_record(1, 0, snapshot, camera.pose());
    const double t = record["time"].get<double>();
    auto& boxes = run.plate_boxes[std::llround(t * 1000)];
    auto& vehicle_boxes = run.vehicle_boxes[std::llround(t * 1000)];
    for (const auto& actor : record["actors"]) {
      const std::string kind = actor["class"].get<std::string>();
      if (kind != "car" && kind != "van" && kind != "truck" && kind != "motorcycle") continue;
      if (actor["box"].is_null()) continue;
      const auto id = actor["id"].get<std::uint32_t>();
      auto& pass = run.truth[id];
      pass.actor = id;
      ++pass.vehicle_frames;
      const auto& v = actor["box"];
      vehicle_boxes.emplace_back(id, cv::Rect(v[0].get<int>(), v[1].get<int>(), v[2].get<int>(), v[3].get<int>()));
      if (!actor.contains("plate") || actor["plate"]["box"].is_null()) continue;
      pass.plate = normalise_plate(actor["plate"]["text"].get<std::string>());
      const auto& b = actor["plate"]["box"];
      const cv::Rect box(b[0].get<int>(), b[1].get<int>(), b[2].get<int>(), b[3].get<int>());
      boxes.emplace_back(id, box);
      const bool whole = box.x > 0 && box.y > 0 && box.x + box.width < format.width &&
                         box.y + box.height < format.height;
      if (pass.readable_at < 0 && whole && box.width >= settings.min_plate_width) pass.readable_at = t;
    }
  });

  std::stop_source stop;
  const auto frames = static_cast<int>(seconds * 12.5);
  for (int i = 0; i < frames; ++i) {
    auto frame = source.read(stop.get_token());
    if (!frame) break;
    now = std::chrono::duration<double>(frame->timestamp).count();
    before_frame(now, *recognition);
    analytics.process(frame);
  }
  run.counters = recognition->counters();
  return run;
}

//! Scores video reads: each read belongs to the vehicle whose plate box (in the read's frame)
//! overlaps its plate box most; vehicles leave unscored when the run ends mid-pass.
inline SceneScore score(const SceneRun& run, double seconds) {
  SceneScore s;
  s.frames = run.counters.frames;
  s.analysis_seconds = std::chrono::duration<double>(run.counters.busy).count();
  std::map<std::uint32_t, int> reads_of;
  std::map<std::uint32_t, const EmittedRead*> first_read;
  std::vector<const EmittedRead*> unlicensed;
  for (const auto& e : run.reads) {
    if (e.read.trigger != traffic::CaptureTrigger::video) continue;
    if (e.read.plate.empty()) {
      unlicensed.push_back(&e);
      continue;
    }
    ++s.reads;
    std::uint32_t owner = 0;
    double best = 0;
    const auto boxes = run.plate_boxes.find(std::llround(static_cast<double>(e.read.time.count()) / 1e6));
    if (boxes != run.plate_boxes.end()) {
      const cv::Rect read_box(e.read.plate_box.x, e.read.plate_box.y, e.read.plate_box.width, e.read.plate_box.height);
      for (const auto& [id, box] : boxes->second) {
        const double o = static_cast<double>((box & read_box).area()) / std::max(1, (box | read_box).area());
        if (o > best) best = o, owner = id;
      }
    }
    if (std::getenv("PLATES_VERBOSE")) {
      std::printf("  read %s t=%.2f emitted=%.2f readable=%.2f voted=%d owner=%u (%s) iou=%.2f box=%d,%d %dx%d\n",
                  e.read.plate.c_str(), e.read.time.count() / 1e9, e.emitted_at,
                  owner ? run.truth.at(owner).readable_at : -1.0, e.read.frames_voted, owner,
                  owner ? run.truth.at(owner).plate.c_str() : "-", best, e.read.plate_box.x, e.read.plate_box.y,
                  e.read.plate_box.width, e.read.plate_box.height);
    }
    if (owner == 0 || best < 0.2 || ++reads_of[owner] > 1) {
      ++s.false_reads;
      continue;
    }
    first_read[owner] = &e;
  }
  for (const auto& [id, pass] : run.truth) {
    if (pass.plate.empty()) {
      // A vehicle without a plate towards the camera that the camera tracked long enough.
      if (pass.vehicle_frames >= 20) ++s.unlicensed_expected;
      continue;
    }
    // Passes still under way at the end are not scored.
    if (pass.readable_at < 0 || pass.readable_at > seconds - 2.0) continue;
    ++s.passes;
    const auto it = first_read.find(id);
    if (it == first_read.end()) {
      ++s.missed;
      std::printf("  missed %s (actor %u, readable at %.2f s)\n", pass.plate.c_str(), id, pass.readable_at);
      continue;
    }
    const std::string& read = it->second->read.plate;
    s.characters += static_cast<int>(pass.plate.size());
    s.character_errors += edit_distance(read, pass.plate);
    if (read == pass.plate) {
      ++s.exact;
      s.latencies.push_back(it->second->emitted_at - pass.readable_at);
    } else {
      std::printf("  misread %s as %s (actor %u)\n", pass.plate.c_str(), read.c_str(), id);
    }
  }
  s.unlicensed_reported = static_cast<int>(unlicensed.size());
  // An unlicensed report carries the vehicle box of its last frame: the vehicle whose true box
  // overlaps it most in that frame.
  std::map<std::uint32_t, int> unlicensed_of;
  for (const EmittedRead* e : unlicensed) {
    std::uint32_t owner = 0;
    double best = 0;
    const auto boxes = run.vehicle_boxes.find(std::llround(static_cast<double>(e->read.time.count()) / 1e6));
    if (boxes != run.vehicle_boxes.end() && e->read.vehicle_box) {
      const auto& b = *e->read.vehicle_box;
      const cv::Rect read_box(b.x, b.y, b.width, b.height);
      for (const auto& [id, box] : boxes->second) {
        const double o = static_cast<double>((box & read_box).area()) / std::max(1, (box | read_box).area());
        if (o > best) best = o, owner = id;
      }
    }
    const bool plateless = owner != 0 && best >= 0.2 && run.truth.at(owner).plate.empty();
    if (std::getenv("PLATES_VERBOSE")) {
      std::printf("  unlicensed t=%.2f owner=%u (%s) iou=%.2f\n", e->read.time.count() / 1e9, owner,
                  owner ? run.truth.at(owner).plate.c_str() : "-", best);
    }
    if (plateless && ++unlicensed_of[owner] == 1) {
      ++s.unlicensed_found;
    } else {
      ++s.unlicensed_false;
      std::printf("  false unlicensed report at %.2f s (vehicle %u, plate \"%s\")\n", e->read.time.count() / 1e9,
                  owner, owner ? run.truth.at(owner).plate.c_str() : "-");
    }
  }
  return s;
}

}  // namespace camrig::test
