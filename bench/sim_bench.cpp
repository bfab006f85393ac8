// Cost of rendering the simulated world on one core: a busy 1080p frame (ten actors: cars with
// plates, people, a bag; day; sensor noise) with the static scene cached, the same while the pose
// moves (a PTZ head turning: the static scene is redrawn every frame), and a night frame in rain
// and fog with motion blur.
//
//   cmake --preset release -B build/release && cmake --build build/release --target sim_bench
//   ./build/release/bench/sim_bench --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>

#include "sim/render/scene_renderer.hpp"
#include "tests/unit/sim_render/test_scenes.hpp"

namespace camrig {
namespace {

void BM_RenderBusyFrame1080p(benchmark::State& state) {
  sim::SceneRenderer renderer(sim::test::gate_layout(), 1);
  const sim::CameraModel camera(sim::test::gate_camera());
  hal::VideoFrame frame(1920, 1080);
  int index = 0;
  for (auto _ : state) {
    sim::WorldSnapshot snapshot = sim::test::busy_snapshot(0.04 * (index++ % 100));
    snapshot.weather.sensor_noise = 2.0;
    renderer.render(snapshot, camera, frame);
    benchmark::DoNotOptimize(frame.plane(0)[0]);
  }
}
BENCHMARK(BM_RenderBusyFrame1080p)->Unit(benchmark::kMillisecond);

void BM_RenderBusyFrame1080pMovingPose(benchmark::State& state) {
  sim::SceneRenderer renderer(sim::test::gate_layout(), 1);
  sim::CameraPose pose = sim::test::gate_camera();
  hal::VideoFrame frame(1920, 1080);
  int index = 0;
  for (auto _ : state) {
    pose.pan_degrees = 0.1 * (index % 100);
    const sim::WorldSnapshot snapshot = sim::test::busy_snapshot(0.04 * (index++ % 100));
    renderer.render(snapshot, sim::CameraModel(pose), frame);
    benchmark::DoNotOptimize(frame.plane(0)[0]);
  }
}
BENCHMARK(BM_RenderBusyFrame1080pMovingPose)->Unit(benchmark::kMillisecond);

void BM_RenderNightRainFog1080p(benchmark::State& state) {
  sim::SceneRenderer renderer(sim::test::gate_layout(), 1);
  const sim::CameraModel camera(sim::test::gate_camera());
  hal::VideoFrame frame(1920, 1080);
  int index = 0;
  for (auto _ : state) {
    sim::WorldSnapshot snapshot = sim::test::busy_snapshot(0.04 * (index++ % 100));
    snapshot.lighting.mode = sim::LightingMode::night_ir;
    snapshot.weather.rain = 0.6;
    snapshot.weather.fog = 0.4;
    snapshot.weather.motion_blur = 0.5;
    renderer.render(snapshot, camera, frame);
    benchmark::DoNotOptimize(frame.plane(0)[0]);
  }
}
BENCHMARK(BM_RenderNightRainFog1080p)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace camrig

BENCHMARK_MAIN();
