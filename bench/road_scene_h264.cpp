// Writes the input of the fan-out benchmark: the simulated road scene at 1080p25 encoded once by
// camrig's H.264 encoder (the main stream's settings) into an Annex B file, which both RTSP
// servers then serve in a loop. Ten seconds by default, a keyframe every two seconds.
//
//   ./build/bench/bench/road_scene_h264 --output /tmp/road_1080p25.h264
#include <cstdio>
#include <fstream>

#include <CLI/CLI.hpp>

#include "device/core/lockstep_clock.hpp"
#include "device/core/log.hpp"
#include "device/media/video_encoder.hpp"
#include "sim/road_scene_source.hpp"

int main(int argc, char** argv) {
  using namespace camrig;
  CLI::App app{"Encode the simulated road scene to an H.264 Annex B file"};
  std::string output;
  int frames = 250;
  int bitrate_kbps = 4096;
  app.add_option("--output", output, "file to write")->required();
  app.add_option("--frames", frames, "frames at 25 fps")->check(CLI::Range(25, 2500))->capture_default_str();
  app.add_option("--bitrate", bitrate_kbps, "constant bitrate, kbit/s")->check(CLI::Range(256, 16384))->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  log::set_level("warn");

  const hal::WallTime start = std::chrono::system_clock::from_time_t(1'790'000'000);
  core::LockstepClock clock(start);
  sim::RoadSceneSource scene({{1920, 1080, {25, 1}}, 1, 10}, clock, {});
  media::StreamSettings settings;
  settings.bitrate_type = media::BitrateType::constant;
  settings.max_bitrate_kbps = bitrate_kbps;
  auto encoder = media::VideoEncoder::open(settings);
  if (!encoder) {
    std::fprintf(stderr, "%s\n", encoder.error().message.c_str());
    return 1;
  }
  std::ofstream out(output, std::ios::binary | std::ios::trunc);
  if (!out) {
    std::fprintf(stderr, "cannot write %s\n", output.c_str());
    return 1;
  }
  std::size_t bytes = 0;
  for (int i = 0; i < frames; ++i) {
    const auto time = scene.frame_time(static_cast<std::uint64_t>(i));
    auto frame = scene.render(static_cast<std::uint64_t>(i), start + std::chrono::duration_cast<std::chrono::system_clock::duration>(time));
    auto packets = (*encoder)->encode(frame, false);
    if (!packets) {
      std::fprintf(stderr, "%s\n", packets.error().message.c_str());
      return 1;
    }
    for (const auto& packet : *packets) {
      out.write(reinterpret_cast<const char*>(packet->data.data()), static_cast<std::streamsize>(packet->data.size()));
      bytes += packet->data.size();
    }
  }
  out.close();
  if (!out) {
    std::fprintf(stderr, "writing %s failed\n", output.c_str());
    return 1;
  }
  std::printf("%s: %d frames of 1920x1080 H.264, %zu bytes (%.0f kbit/s)\n", output.c_str(), frames, bytes,
              static_cast<double>(bytes) * 8 / 1000 / (frames / 25.0));
  return 0;
}
