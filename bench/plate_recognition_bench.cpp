// Plate recognition cost on the simulated LPR lane (day, EU plates, 1080p, 12.5 analysed fps):
// time in PlateRecognition::analyse per analysed frame and per vehicle pass, and OCR time per
// read. Rendering and the background model are not counted.
//   cmake --preset release && cmake --build --preset release --target plate_recognition_bench
//   ./build/release/bench/plate_recognition_bench
#include <benchmark/benchmark.h>

#include <string>

#include "tests/unit/plates/plate_scene_run.hpp"

namespace {

void BM_PlateRecognitionDayLane(benchmark::State& state) {
  auto description =
      camrig::sim::load_world_description(std::string(CAMRIG_PLATE_SCENES) + "/lpr-day_eu.yaml");
  if (!description) {
    state.SkipWithError(description.error().message.c_str());
    return;
  }
  constexpr double kSeconds = 30;
  camrig::analytics::PlateRecognitionSettings settings;
  settings.plate_layouts = {"LLDDDLL", "DLLLDDD"};
  for (auto _ : state) {
    const auto run = camrig::test::run_scene(*description, kSeconds, settings,
                                             [](double, camrig::analytics::PlateRecognition&) {});
    const auto score = camrig::test::score(run, kSeconds);
    const double busy_ms = std::chrono::duration<double, std::milli>(run.counters.busy).count();
    const double ocr_ms = std::chrono::duration<double, std::milli>(run.counters.ocr_busy).count();
    state.counters["ms_per_frame"] = busy_ms / static_cast<double>(std::max<std::uint64_t>(1, run.counters.frames));
    state.counters["ms_per_pass"] = busy_ms / std::max(1, score.passes);
    state.counters["ocr_ms_per_candidate"] =
        ocr_ms / static_cast<double>(std::max<std::uint64_t>(1, run.counters.candidates));
    state.counters["exact_pct"] = 100 * score.exact_rate();
    state.counters["passes"] = score.passes;
  }
}
BENCHMARK(BM_PlateRecognitionDayLane)->Iterations(1)->Unit(benchmark::kSecond);

}  // namespace

BENCHMARK_MAIN();
