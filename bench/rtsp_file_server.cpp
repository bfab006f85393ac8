// camrig's side of the fan-out benchmark: serves an H.264 Annex B file in a loop at 25 fps
// through the firmware's own StreamHub and rtsp::Server (one io thread, as in the camera), as
// stream 101. Per frame the process does what the camera does after its encoder: one packet
// buffer with its NAL units cut once, published to the hub, then packetized and written per client. Runs until SIGINT/SIGTERM; bench/rtsp_fanout.sh starts it.
//
//   ./build/bench/bench/rtsp_file_server --input /tmp/road_1080p25.h264 [--port N]
#include <csignal>
#include <cstdio>
#include <thread>

#include <CLI/CLI.hpp>
#include <boost/asio/io_context.hpp>

#include "bench/annex_b_file.hpp"
#include "device/core/log.hpp"
#include "device/core/realtime_clock.hpp"
#include "device/media/annex_b.hpp"
#include "device/rtsp/server.hpp"

namespace camrig::bench {
namespace {

using namespace std::chrono_literals;

int run(const std::string& input, std::uint16_t port, std::size_t max_sessions) {
  const auto file = read_annex_b_file(input);
  if (!file) {
    std::fprintf(stderr, "%s: not a readable H.264 Annex B file with SPS, PPS and pictures\n", input.c_str());
    return 1;
  }
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  core::RealtimeClock clock(std::chrono::system_clock::now());
  auto hub = std::make_shared<media::StreamHub>();
  media::StreamDescription description;
  description.width = 1920;
  description.height = 1080;
  description.parameter_sets = {file->sps, file->pps};
  hub->set_description(description);

  boost::asio::io_context io;
  rtsp::ServerOptions options;
  options.bind_address = "127.0.0.1";
  options.port = port;
  options.max_sessions = max_sessions;
  rtsp::Server server(io, options, [&](int id) { return id == 101 ? hub : nullptr; }, clock);
  if (auto started = server.start(); !started) {
    std::fprintf(stderr, "%s\n", started.error().message.c_str());
    return 1;
  }
  std::jthread io_thread([&] { io.run(); });

  // The "encoder": one access unit every 40 ms on a regular grid, as the camera publishes them.
  std::jthread publisher([&](std::stop_token stop) {
    const auto begin = std::chrono::steady_clock::now();
    for (std::uint64_t i = 0; !stop.stop_requested(); ++i) {
      std::this_thread::sleep_until(begin + i * 40ms);
      const auto& unit = file->access_units[i % file->access_units.size()];
      // One buffer per frame, as the encoder produces it; every client shares it.
      auto packet = std::make_shared<media::EncodedPacket>();
      const auto first = file->bytes.begin() + static_cast<long>(unit.offset);
      packet->data.assign(first, first + static_cast<long>(unit.size));
      // Cut into NAL units once, as the camera's encoder does, so clients share the cut.
      packet->nal_units = media::nal_unit_ranges(packet->data);
      // Stamped when published, as the GStreamer peer's appsrc (do-timestamp) stamps its buffers,
      // so both servers' RTP timestamps carry the same publishing jitter and lags compare.
      packet->timestamp = clock.now();
      packet->keyframe = unit.keyframe;
      packet->sequence = i;
      hub->publish(packet);
    }
  });

  std::printf("serving %s (%zu access units) at rtsp://127.0.0.1:%u/Streaming/Channels/101\n", input.c_str(),
              file->access_units.size(), server.port());
  std::fflush(stdout);
  int signal = 0;
  sigwait(&signals, &signal);
  publisher.request_stop();
  publisher.join();
  server.stop();
  io_thread.join();
  return 0;
}

}  // namespace
}  // namespace camrig::bench

int main(int argc, char** argv) {
  CLI::App app{"Serve an H.264 Annex B file in a loop through camrig's RTSP server"};
  std::string input;
  int port = 0;
  std::size_t max_sessions = 64;
  app.add_option("--input", input, "H.264 Annex B file (road_scene_h264 writes one)")->required();
  app.add_option("--port", port, "RTSP port on 127.0.0.1 (0: any free port)")->check(CLI::Range(1, 65535))->capture_default_str();
  app.add_option("--max-sessions", max_sessions, "session limit of the server")->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  camrig::log::set_level("warn");
  return camrig::bench::run(input, static_cast<std::uint16_t>(port), max_sessions);
}
