// Latency of camrig's live path at 1080p25 H.264 on the simulated road scene: encode time per
// frame, and from an access unit being published to the stream hub until the last RTP packet of
// that frame reaches a loopback client, through a real rtsp::Server to one TCP-interleaved and
// one UDP client. By default 10 s of frames are encoded first (timed) and then published at
// 25 fps, so the delivery figures do not include the encoder competing for the cores; --live
// encodes each frame at its 25 fps slot instead. Rendering is excluded (pre-rendered frames).
//
//   cmake --preset release -B build/bench && cmake --build build/bench --target rtsp_latency
//   ./build/bench/bench/rtsp_latency --seconds 30 [--live]
#include <atomic>
#include <cstdio>
#include <map>
#include <thread>

#include <CLI/CLI.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/udp.hpp>
#include <fmt/format.h>

#include "bench/rtsp_bench_client.hpp"
#include "device/core/log.hpp"
#include "device/core/realtime_clock.hpp"
#include "device/media/video_encoder.hpp"
#include "device/rtsp/server.hpp"
#include "sim/road_scene_source.hpp"

namespace camrig::bench {
namespace {

using namespace std::chrono_literals;
namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using udp = asio::ip::udp;

constexpr auto kFramePeriod = 40ms;
//! 90 kHz RTP ticks per frame at 25 fps.
constexpr std::uint32_t kTicksPerFrame = 3600;
//! Frames before measuring (one second): caches, socket buffers and the encoder's rate control settle.
constexpr std::size_t kWarmupFrames = 25;
//! Pre-encoded mode: frames encoded before the run and published in a loop (10 s).
constexpr std::size_t kEncodedLoopFrames = 250;
//! Distinct pictures encoded in a loop; the scene moves, so every frame has real motion.
constexpr std::size_t kRenderedFrames = 50;

struct FrameRecord {
  SteadyTime into_encoder;
  SteadyTime published;  // encode returned; the access unit goes to the hub now
  std::size_t bytes = 0;
  bool keyframe = false;
};

double ms(std::chrono::steady_clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

//! A client playing the stream, recording when each frame's last RTP packet arrived.
class LoopbackClient {
 public:
  LoopbackClient(std::string url, bool tcp_interleaved) : url_(std::move(url)), tcp_(tcp_interleaved) {}

  Result<void> start() {
    boost::system::error_code error;
    control_.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port_of(url_)), error);
    if (error) return Error{ErrorCode::io_error, "cannot connect to " + url_ + ": " + error.message()};
    RtspHandshake handshake(control_, url_);
    std::string transport = "RTP/AVP/TCP;unicast;interleaved=0-1";
    if (!tcp_) {
      media_.open(udp::v4());
      media_.bind(udp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
      // Room for a burst of a whole keyframe while this thread is not scheduled.
      media_.set_option(asio::socket_base::receive_buffer_size(4 * 1024 * 1024));
      const auto port = media_.local_endpoint().port();
      transport = fmt::format("RTP/AVP;unicast;client_port={}-{}", port, port + 1);
    }
    if (auto played = handshake.play(transport); !played) return played;
    leftover_ = std::move(handshake.leftover());
    thread_ = std::jthread([this] { tcp_ ? read_tcp() : read_udp(); });
    return {};
  }

  void stop() {
    stopping_ = true;
    boost::system::error_code ignored;
    control_.shutdown(tcp::socket::shutdown_both, ignored);
    if (!tcp_) {
      // Wakes the blocked receive: one empty datagram to ourselves.
      udp::socket waker(io_, udp::v4());
      waker.send_to(asio::buffer(leftover_.data(), 0), media_.local_endpoint(), 0, ignored);
    }
    if (thread_.joinable()) thread_.join();
  }

  //! Only after stop().
  const RtpReceiverStats& stats() const { return stats_; }

 private:
  static std::uint16_t port_of(const std::string& url) {
    const auto colon = url.find(':', 7);
    return static_cast<std::uint16_t>(std::stoi(url.substr(colon + 1)));
  }

  void read_tcp() {
    InterleavedReader reader(0);
    reader.feed(leftover_.data(), leftover_.size(), std::chrono::steady_clock::now(), stats_);
    std::vector<char> buffer(256 * 1024);
    for (;;) {
      boost::system::error_code error;
      const auto got = control_.read_some(asio::buffer(buffer), error);
      if (error) return;
      reader.feed(buffer.data(), got, std::chrono::steady_clock::now(), stats_);
    }
  }

  void read_udp() {
    std::vector<std::uint8_t> buffer(65536);
    while (!stopping_) {
      boost::system::error_code error;
      const auto got = media_.receive(asio::buffer(buffer), 0, error);
      if (error) return;
      stats_.on_rtp(buffer.data(), got, std::chrono::steady_clock::now());
    }
  }

  std::string url_;
  bool tcp_;
  asio::io_context io_;
  tcp::socket control_{io_};
  udp::socket media_{io_};
  std::string leftover_;
  std::atomic<bool> stopping_{false};
  RtpReceiverStats stats_;
  std::jthread thread_;
};

struct LatencyFigures {
  std::vector<double> after_publish;  // ms, publish -> last RTP packet received
  std::vector<double> after_encoder_input;
  std::vector<double> keyframes_after_publish;
  std::size_t expected = 0;
};

//! Maps each received frame to the frame index it was published as, through its RTP timestamp
//! (index * 3600 + the session's random offset). The offset is the one most frames agree with
//! when each is paired with the latest frame published before it arrived, so a frame that
//! arrives later than one frame period is still attributed to the right index.
LatencyFigures latency_of(const RtpReceiverStats& stats, const std::vector<FrameRecord>& records) {
  std::map<std::uint32_t, int> votes;
  for (const auto& frame : stats.frames) {
    auto it = std::upper_bound(records.begin(), records.end(), frame.arrival,
                               [](SteadyTime t, const FrameRecord& record) { return t < record.published; });
    if (it == records.begin()) continue;
    const auto index = static_cast<std::uint32_t>(std::distance(records.begin(), it) - 1);
    ++votes[frame.rtp_timestamp - index * kTicksPerFrame];
  }
  LatencyFigures figures;
  figures.expected = records.size() - kWarmupFrames;
  if (votes.empty()) return figures;
  const auto offset =
      std::max_element(votes.begin(), votes.end(), [](auto& a, auto& b) { return a.second < b.second; })->first;
  for (const auto& frame : stats.frames) {
    const auto index = static_cast<std::size_t>((frame.rtp_timestamp - offset) / kTicksPerFrame);
    if (index < kWarmupFrames || index >= records.size()) continue;
    const auto& record = records[index];
    figures.after_publish.push_back(ms(frame.arrival - record.published));
    figures.after_encoder_input.push_back(ms(frame.arrival - record.into_encoder));
    if (record.keyframe) figures.keyframes_after_publish.push_back(ms(frame.arrival - record.published));
  }
  return figures;
}

void print_row(const std::string& name, const std::vector<double>& values) {
  std::printf("%-52s %7.2f %7.2f %7.2f %7.2f %6zu\n", name.c_str(), percentile(values, 50), percentile(values, 95),
              percentile(values, 99), percentile(values, 100), values.size());
}

int run(int seconds, int bitrate_kbps, bool live) {
  const hal::WallTime start_wall = std::chrono::system_clock::from_time_t(1'790'000'000);
  core::RealtimeClock clock(start_wall);
  sim::RoadSceneSource scene({{1920, 1080, {25, 1}}, 1, 10}, clock, {});
  std::vector<hal::VideoFramePtr> pictures;
  for (std::uint64_t i = 0; i < kRenderedFrames; ++i) pictures.push_back(scene.render(i, start_wall));

  media::StreamSettings settings;
  settings.bitrate_type = media::BitrateType::constant;
  settings.max_bitrate_kbps = bitrate_kbps;
  auto encoder = media::VideoEncoder::open(settings);
  if (!encoder) {
    std::fprintf(stderr, "%s\n", encoder.error().message.c_str());
    return 1;
  }
  auto hub = std::make_shared<media::StreamHub>();
  hub->set_description((*encoder)->description());

  const std::size_t total_frames = kWarmupFrames + static_cast<std::size_t>(seconds) * 25;
  std::vector<FrameRecord> records(total_frames);
  std::atomic<bool> encoder_failed{false};

  // Pre-encoded mode: a loop of encoded frames, re-stamped onto the 25 fps grid beforehand, so
  // that only publishing happens while the clients measure.
  std::vector<media::EncodedPacketPtr> prepared;
  std::vector<std::chrono::steady_clock::duration> prepared_encode_time;
  if (!live) {
    std::vector<std::pair<media::EncodedPacketPtr, std::chrono::steady_clock::duration>> encoded;
    for (std::size_t i = 0; i < kEncodedLoopFrames; ++i) {
      const auto before = std::chrono::steady_clock::now();
      auto packets = (*encoder)->encode(pictures[i % pictures.size()], false, hal::Nanos(kFramePeriod * static_cast<long>(i)));
      const auto took = std::chrono::steady_clock::now() - before;
      if (!packets || packets->size() != 1) {
        std::fprintf(stderr, "the encoder did not give one packet per frame\n");
        return 1;
      }
      encoded.emplace_back(packets->front(), took);
    }
    for (std::size_t i = 0; i < total_frames; ++i) {
      const auto& [source, took] = encoded[i % encoded.size()];
      auto packet = std::make_shared<media::EncodedPacket>(*source);
      packet->timestamp = hal::Nanos(kFramePeriod * static_cast<long>(i));
      packet->sequence = i;
      prepared.push_back(std::move(packet));
      prepared_encode_time.push_back(took);
    }
  }

  asio::io_context io;
  rtsp::ServerOptions options;
  options.bind_address = "127.0.0.1";
  options.port = 0;
  rtsp::Server server(io, options, [&](int id) { return id == 101 ? hub : nullptr; }, clock);
  if (auto started = server.start(); !started) {
    std::fprintf(stderr, "%s\n", started.error().message.c_str());
    return 1;
  }
  auto work = asio::make_work_guard(io);
  std::jthread io_thread([&] { io.run(); });

  // The clients play before the first frame is published, so they start at its keyframe.
  const auto url = fmt::format("rtsp://127.0.0.1:{}/Streaming/Channels/101", server.port());
  LoopbackClient tcp_client(url, true);
  LoopbackClient udp_client(url, false);
  for (auto* client : {&tcp_client, &udp_client}) {
    if (auto started = client->start(); !started) {
      std::fprintf(stderr, "%s\n", started.error().message.c_str());
      server.stop();
      work.reset();
      return 1;
    }
  }
  std::jthread encoder_thread([&] {
    const auto begin = std::chrono::steady_clock::now();
    for (std::size_t i = 0; i < total_frames; ++i) {
      std::this_thread::sleep_until(begin + i * kFramePeriod);
      auto& record = records[i];
      if (!live) {
        record.published = std::chrono::steady_clock::now();
        record.into_encoder = record.published - prepared_encode_time[i];
        record.bytes = prepared[i]->data.size();
        record.keyframe = prepared[i]->keyframe;
        hub->publish(prepared[i]);
        continue;
      }
      record.into_encoder = std::chrono::steady_clock::now();
      auto packets = (*encoder)->encode(pictures[i % pictures.size()], hub->take_keyframe_request(),
                                        hal::Nanos(kFramePeriod * static_cast<long>(i)));
      record.published = std::chrono::steady_clock::now();
      if (!packets) {
        encoder_failed = true;
        return;
      }
      for (const auto& packet : *packets) {
        record.bytes += packet->data.size();
        record.keyframe = record.keyframe || packet->keyframe;
        hub->publish(packet);
      }
    }
  });

  encoder_thread.join();
  std::this_thread::sleep_for(200ms);  // the last frame's packets reach the clients
  tcp_client.stop();
  udp_client.stop();
  server.stop();
  work.reset();
  io_thread.join();
  if (encoder_failed) {
    std::fprintf(stderr, "the encoder failed during the run\n");
    return 1;
  }

  std::vector<double> encode_ms;
  std::vector<double> keyframe_bytes;
  std::vector<double> frame_bytes;
  for (std::size_t i = kWarmupFrames; i < records.size(); ++i) {
    encode_ms.push_back(ms(records[i].published - records[i].into_encoder));
    (records[i].keyframe ? keyframe_bytes : frame_bytes).push_back(static_cast<double>(records[i].bytes));
  }
  double load[3] = {0, 0, 0};
  if (auto* file = std::fopen("/proc/loadavg", "r")) {
    if (std::fscanf(file, "%lf %lf %lf", &load[0], &load[1], &load[2]) != 3) load[0] = -1;
    std::fclose(file);
  }
  std::printf("1080p25 H.264 road scene, %d kbit/s CBR, %s, %zu measured frames (%d s), %u CPUs, load %.2f\n",
              bitrate_kbps, live ? "encoded live" : "encoded beforehand", total_frames - kWarmupFrames, seconds,
              std::thread::hardware_concurrency(), load[0]);
  std::printf("frame sizes: P median %.1f kB, keyframe median %.1f kB (%zu keyframes)\n\n",
              percentile(frame_bytes, 50) / 1000, percentile(keyframe_bytes, 50) / 1000, keyframe_bytes.size());
  std::printf("%-52s %7s %7s %7s %7s %6s\n", "milliseconds", "p50", "p95", "p99", "max", "frames");
  print_row("encode (frame into encoder -> packets out)", encode_ms);
  for (auto [name, client] : {std::pair{"TCP interleaved", &tcp_client}, std::pair{"UDP", &udp_client}}) {
    const auto figures = latency_of(client->stats(), records);
    print_row(fmt::format("{}: publish -> last RTP packet received", name), figures.after_publish);
    print_row(fmt::format("{}:   keyframes only", name), figures.keyframes_after_publish);
    print_row(live ? fmt::format("{}: frame into encoder -> last RTP packet", name)
                   : fmt::format("{}: encode + (publish -> last RTP packet)", name),
              figures.after_encoder_input);
    std::printf("%-52s %zu of %zu frames, %llu RTP packets lost\n", fmt::format("{}: received", name).c_str(),
                figures.after_publish.size(), figures.expected,
                static_cast<unsigned long long>(client->stats().lost_packets));
  }
  return 0;
}

}  // namespace
}  // namespace camrig::bench

int main(int argc, char** argv) {
  CLI::App app{"RTSP latency of camrig at 1080p25 H.264: encode, and hub publish to the last RTP packet on loopback"};
  int seconds = 30;
  int bitrate_kbps = 4096;
  app.add_option("--seconds", seconds, "measured duration")->check(CLI::Range(1, 100))->capture_default_str();
  app.add_option("--bitrate", bitrate_kbps, "constant bitrate, kbit/s")->check(CLI::Range(256, 16384))->capture_default_str();
  bool live = false;
  app.add_flag("--live", live, "encode while serving, instead of publishing frames encoded beforehand");
  CLI11_PARSE(app, argc, argv);
  camrig::log::set_level("warn");
  return camrig::bench::run(seconds, bitrate_kbps, live);
}
