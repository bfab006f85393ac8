// The client side of the fan-out benchmark: opens TCP-interleaved RTSP sessions to one server in
// steps (e.g. 0, 1, 10, 25, 50 clients), and for each step measures over a fixed window the
// server process's CPU time (from /proc/<pid>/task/*/schedstat) and what every client received: frames,
// missed frames, lost RTP packets and its lag. All sessions are read by one asio thread.
//
//   ./build/bench/bench/rtsp_fanout_client --url rtsp://127.0.0.1:18554/Streaming/Channels/101 --server-pid PID
// (bench/rtsp_fanout.sh runs it against both servers).
#include <cstdio>
#include <fstream>
#include <memory>
#include <filesystem>
#include <thread>

#include <CLI/CLI.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "bench/rtsp_bench_client.hpp"

namespace camrig::bench {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

//! One playing session; after the handshake its socket is read only by the io thread.
class FanoutSession : public std::enable_shared_from_this<FanoutSession> {
 public:
  explicit FanoutSession(asio::io_context& io) : socket_(io) {}

  Result<void> play(const std::string& url, std::uint16_t port) {
    boost::system::error_code error;
    socket_.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port), error);
    if (error) return Error{ErrorCode::io_error, "cannot connect to " + url + ": " + error.message()};
    RtspHandshake handshake(socket_, url);
    if (auto played = handshake.play("RTP/AVP/TCP;unicast;interleaved=0-1"); !played) return played;
    reader_.feed(handshake.leftover().data(), handshake.leftover().size(), std::chrono::steady_clock::now(), stats_);
    return {};
  }

  void start_reading() {
    socket_.async_read_some(asio::buffer(buffer_), [self = shared_from_this()](const boost::system::error_code& ec, std::size_t size) {
      if (ec) {
        // Our own close() at the end aborts the read; anything else is the server's doing.
        self->closed_ = ec != asio::error::operation_aborted;
        return;
      }
      self->reader_.feed(self->buffer_.data(), size, std::chrono::steady_clock::now(), self->stats_);
      self->start_reading();
    });
  }

  void close() {
    boost::system::error_code ignored;
    socket_.close(ignored);
  }

  //! Only once the io thread has stopped.
  const RtpReceiverStats& stats() const { return stats_; }
  bool closed() const { return closed_; }

 private:
  tcp::socket socket_;
  InterleavedReader reader_{0};
  RtpReceiverStats stats_;
  std::array<char, 64 * 1024> buffer_{};
  bool closed_ = false;
};

//! CPU time of a process, seconds: the sum of its threads' run time from /proc/<pid>/task/*/
//! schedstat (nanoseconds), finer than the 10 ms ticks of /proc/<pid>/stat. -1 if unreadable.
double process_cpu_seconds(int pid) {
  const std::filesystem::path tasks = "/proc/" + std::to_string(pid) + "/task";
  std::error_code error;
  double total = 0;
  bool any = false;
  for (const auto& task : std::filesystem::directory_iterator(tasks, error)) {
    std::ifstream in(task.path() / "schedstat");
    double nanoseconds = 0;
    if (in >> nanoseconds) {
      total += nanoseconds / 1e9;
      any = true;
    }
  }
  return any ? total : -1;
}

struct Step {
  std::size_t clients = 0;
  SteadyTime begin;
  SteadyTime end;
  double server_cpu_seconds = 0;
};

struct ClientWindow {
  std::size_t frames = 0;
  std::size_t missed = 0;   // frame periods spanned by the RTP timestamps without a frame
  double lag_ms = 0;        // latest arrival relative to the stream's own clock, see README
};

//! The frames one session received in [begin, end) and how regularly they came.
ClientWindow window_of(const RtpReceiverStats& stats, SteadyTime begin, SteadyTime end) {
  ClientWindow window;
  bool any = false;
  double min_offset = 0;
  double max_offset = 0;
  std::uint32_t first_rtp = 0;
  std::uint32_t last_rtp = 0;
  for (const auto& frame : stats.frames) {
    if (frame.arrival < begin || frame.arrival >= end) continue;
    ++window.frames;
    if (!any) first_rtp = frame.rtp_timestamp;
    last_rtp = frame.rtp_timestamp;
    // Arrival minus media time: constant for a client that keeps up, growing for one that lags.
    const double media_ms = static_cast<std::int32_t>(frame.rtp_timestamp - first_rtp) / 90.0;
    const double offset = std::chrono::duration<double, std::milli>(frame.arrival - begin).count() - media_ms;
    min_offset = any ? std::min(min_offset, offset) : offset;
    max_offset = any ? std::max(max_offset, offset) : offset;
    any = true;
  }
  // Frame periods (3600 ticks at 25 fps) spanned by the RTP timestamps, against frames received:
  // robust to a server whose timestamps jitter (GStreamer stamps each buffer when it arrives).
  if (window.frames > 1) {
    const auto spanned = static_cast<std::size_t>(std::lround(static_cast<std::int32_t>(last_rtp - first_rtp) / 3600.0)) + 1;
    window.missed = spanned > window.frames ? spanned - window.frames : 0;
  }
  window.lag_ms = max_offset - min_offset;
  return window;
}

std::uint16_t port_of(const std::string& url) {
  const auto host = url.find("://");
  const auto colon = url.find(':', host + 3);
  const auto slash = url.find('/', host + 3);
  if (colon == std::string::npos || colon > slash) return 554;
  return static_cast<std::uint16_t>(std::stoi(url.substr(colon + 1, slash - colon - 1)));
}

int run(const std::string& url, int server_pid, const std::string& label, const std::vector<std::size_t>& steps,
        double settle_seconds, double window_seconds) {
  asio::io_context io;
  auto work = asio::make_work_guard(io);
  std::jthread io_thread([&] { io.run(); });
  std::vector<std::shared_ptr<FanoutSession>> sessions;
  std::vector<Step> results;
  const auto port = port_of(url);
  const auto settle = std::chrono::duration<double>(settle_seconds);
  const auto window = std::chrono::duration<double>(window_seconds);

  for (const auto clients : steps) {
    while (sessions.size() < clients) {
      auto session = std::make_shared<FanoutSession>(io);
      if (auto played = session->play(url, port); !played) {
        std::fprintf(stderr, "%s: session %zu: %s\n", label.c_str(), sessions.size() + 1, played.error().message.c_str());
        for (auto& s : sessions) asio::post(io, [s] { s->close(); });
        work.reset();
        io_thread.join();
        return 1;
      }
      session->start_reading();
      sessions.push_back(std::move(session));
    }
    // New sessions start at the next keyframe (two seconds apart in the input).
    std::this_thread::sleep_for(settle);
    Step step;
    step.clients = clients;
    const double cpu_before = process_cpu_seconds(server_pid);
    step.begin = std::chrono::steady_clock::now();
    std::this_thread::sleep_for(window);
    step.end = std::chrono::steady_clock::now();
    step.server_cpu_seconds = process_cpu_seconds(server_pid) - cpu_before;
    if (cpu_before < 0) {
      std::fprintf(stderr, "%s: cannot read /proc/%d/stat\n", label.c_str(), server_pid);
      return 1;
    }
    results.push_back(step);
  }
  for (auto& s : sessions) asio::post(io, [s] { s->close(); });
  work.reset();
  io_thread.join();

  std::size_t closed = 0;
  for (const auto& session : sessions) closed += session->closed() ? 1 : 0;
  std::printf("%s: %zu TCP-interleaved sessions at most, %.0f s window per step, %zu closed by the server\n",
              label.c_str(), sessions.size(), window_seconds, closed);
  std::printf("%8s %10s %14s %12s %12s %8s %10s %11s\n", "clients", "server CPU", "CPU/client", "frames min", "frames max",
              "missed", "lost pkts", "max lag ms");
  const double baseline = results.empty() || results.front().clients != 0
                              ? 0
                              : results.front().server_cpu_seconds / std::chrono::duration<double>(results.front().end - results.front().begin).count();
  for (const auto& step : results) {
    const double seconds = std::chrono::duration<double>(step.end - step.begin).count();
    const double cpu = step.server_cpu_seconds / seconds;  // cores busy
    std::size_t frames_min = SIZE_MAX, frames_max = 0, missed = 0;
    double lag = 0;
    for (std::size_t i = 0; i < step.clients; ++i) {
      const auto w = window_of(sessions[i]->stats(), step.begin, step.end);
      frames_min = std::min(frames_min, w.frames);
      frames_max = std::max(frames_max, w.frames);
      missed += w.missed;
      lag = std::max(lag, w.lag_ms);
    }
    std::uint64_t lost = 0;
    for (std::size_t i = 0; i < step.clients; ++i) lost += sessions[i]->stats().lost_packets;
    if (step.clients == 0) frames_min = 0;
    const double per_client = step.clients == 0 ? 0 : (cpu - baseline) / static_cast<double>(step.clients);
    std::printf("%8zu %9.1f%% %11.3f ms/s %12zu %12zu %8zu %10llu %11.1f\n", step.clients, cpu * 100, per_client * 1000,
                frames_min, frames_max, missed, static_cast<unsigned long long>(lost), lag);
    // For bench/rtsp_fanout.sh: label, clients, server CPU in ms per second, per-client ms/s,
    // frames min/max, expected frames, missed frames, max lag.
    std::printf("result %s %zu %.2f %.3f %zu %zu %.0f %zu %.1f\n", label.c_str(), step.clients, cpu * 1000,
                per_client * 1000, frames_min, frames_max, seconds * 25, missed, lag);
  }
  return 0;
}

}  // namespace
}  // namespace camrig::bench

int main(int argc, char** argv) {
  CLI::App app{"Open RTSP sessions in steps and measure the server's CPU per client and what each client receives"};
  std::string url;
  int server_pid = 0;
  std::string label = "server";
  std::vector<std::size_t> steps{0, 1, 10, 25, 50};
  double settle = 3;
  double window = 6;
  app.add_option("--url", url, "stream URL")->required();
  app.add_option("--server-pid", server_pid, "process whose CPU time is measured")->required();
  app.add_option("--label", label, "name of the server in the output")->capture_default_str();
  app.add_option("--steps", steps, "client counts, rising")->delimiter(',')->capture_default_str();
  app.add_option("--settle", settle, "seconds after adding clients before measuring")->capture_default_str();
  app.add_option("--window", window, "measured seconds per step")->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  return camrig::bench::run(url, server_pid, label, steps, settle, window);
}
