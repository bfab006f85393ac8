// Cost of the first streaming camera's per-frame work on one core: rendering the simulated
// road scene, scaling to the sub stream, and encoding H.264 main and sub streams.
//
//   cmake --preset release && cmake --build --preset release --target media_bench
//   ./build/release/bench/media_bench --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>

#include "device/core/lockstep_clock.hpp"
#include "device/media/frame_scaler.hpp"
#include "device/media/video_encoder.hpp"
#include "sim/road_scene_source.hpp"

namespace camrig {
namespace {

const hal::WallTime k_start = std::chrono::system_clock::from_time_t(1'790'000'000);

sim::RoadSceneSource make_scene(const core::LockstepClock& clock, int width, int height) {
  return sim::RoadSceneSource({{width, height, {25, 1}}, 1, 10}, clock, {});
}

void render_road_scene(benchmark::State& state) {
  core::LockstepClock clock(k_start);
  auto scene = make_scene(clock, static_cast<int>(state.range(0)), static_cast<int>(state.range(1)));
  std::uint64_t index = 0;
  for (auto _ : state) benchmark::DoNotOptimize(scene.render(index++, k_start));
}
BENCHMARK(render_road_scene)->Args({1920, 1080})->Args({2688, 1520})->Unit(benchmark::kMillisecond);

void scale_to_sub_stream(benchmark::State& state) {
  core::LockstepClock clock(k_start);
  auto scene = make_scene(clock, 1920, 1080);
  const auto frame = scene.render(0, k_start);
  auto scaler = media::FrameScaler::create(640, 360);
  for (auto _ : state) benchmark::DoNotOptimize(scaler->scale(*frame));
}
BENCHMARK(scale_to_sub_stream)->Unit(benchmark::kMillisecond);

void encode_h264(benchmark::State& state) {
  core::LockstepClock clock(k_start);
  const int width = static_cast<int>(state.range(0));
  const int height = static_cast<int>(state.range(1));
  auto scene = make_scene(clock, width, height);
  std::vector<hal::VideoFramePtr> frames;
  for (std::uint64_t i = 0; i < 50; ++i) frames.push_back(scene.render(i, k_start));
  media::StreamSettings settings;
  settings.width = width;
  settings.height = height;
  settings.bitrate_type = media::BitrateType::constant;
  settings.max_bitrate_kbps = width >= 1920 ? 4096 : 512;
  auto encoder = media::VideoEncoder::open(settings);
  if (!encoder) {
    state.SkipWithError(encoder.error().message.c_str());
    return;
  }
  std::size_t index = 0;
  std::int64_t bytes = 0;
  for (auto _ : state) {
    // The encoder needs rising timestamps: re-stamp a copy of a pre-rendered frame, untimed.
    state.PauseTiming();
    auto frame = std::make_shared<hal::VideoFrame>(*frames[index % frames.size()]);
    frame->timestamp = scene.frame_time(index++);
    state.ResumeTiming();
    auto packets = (*encoder)->encode(frame, false);
    if (packets)
      for (const auto& packet : *packets) bytes += static_cast<std::int64_t>(packet->data.size());
  }
  state.SetBytesProcessed(bytes);
}
BENCHMARK(encode_h264)->Args({1920, 1080})->Args({640, 360})->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
}  // namespace camrig

BENCHMARK_MAIN();
