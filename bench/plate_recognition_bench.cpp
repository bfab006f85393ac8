// Plate recognition cost on the simulated LPR lane (day EU plates and night with IR, 1080p, 12.5
// analysed fps): CPU time of PlateRecognition::analyse per analysed frame and per vehicle pass
// (the issue 7 figure), wall time per pass, and OCR time per candidate. Rendering and the
// background model are not counted.
//   cmake --preset release && cmake --build --preset release --target plate_recognition_bench
//   ./build/release/bench/plate_recognition_bench
#include <benchmark/benchmark.h>

#include <string>

#include "tests/unit/plates/plate_scene_run.hpp"

namespace {

void run_lane(benchmark::State& state, const char* scene) {
  auto description = camrig::sim::load_world_description(std::string(CAMRIG_PLATE_SCENES) + "/" + scene);
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
    const double cpu_ms = std::chrono::duration<double, std::milli>(run.counters.cpu).count();
    const double ocr_ms = std::chrono::duration<double, std::milli>(run.counters.ocr_busy).count();
    state.counters["cpu_ms_per_frame"] = cpu_ms / static_cast<double>(std::max<std::uint64_t>(1, run.counters.frames));
    state.counters["cpu_ms_per_pass"] = cpu_ms / std::max(1, score.passes);
    state.counters["wall_ms_per_pass"] = busy_ms / std::max(1, score.passes);
    state.counters["ocr_ms_per_candidate"] =
        ocr_ms / static_cast<double>(std::max<std::uint64_t>(1, run.counters.candidates));
    state.counters["exact_pct"] = 100 * score.exact_rate();
    state.counters["passes"] = score.passes;
  }
}
void BM_PlateRecognitionDayLane(benchmark::State& state) { run_lane(state, "lpr-day_eu.yaml"); }
void BM_PlateRecognitionNightLane(benchmark::State& state) { run_lane(state, "lpr-night_ir.yaml"); }
BENCHMARK(BM_PlateRecognitionDayLane)->Iterations(1)->Unit(benchmark::kSecond);
BENCHMARK(BM_PlateRecognitionNightLane)->Iterations(1)->Unit(benchmark::kSecond);

}  // namespace

BENCHMARK_MAIN();
