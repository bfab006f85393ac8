// Alarm latency: a simulated alarm input edge → the linked relay closing, and → the
// EventNotificationAlert on the wire of an alertStream read by a loopback TCP client through the
// device's HTTP server. Both are measured with HAL timestamps (the realtime device clock): the
// edge's own stamp, the relay change's stamp, and clock.now() when the client has read the part.
// Targets: relay p99 <= 20 ms, alertStream p99 <= 50 ms.
//
//   cmake --preset release && cmake --build --preset release --target events_bench
//   ./build/release/bench/events_bench
#include <algorithm>
#include <condition_variable>
#include <thread>

#include <benchmark/benchmark.h>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>

#include "device/core/realtime_clock.hpp"
#include "device/events/alert_stream.hpp"
#include "device/events/event_engine.hpp"
#include "device/http/server.hpp"
#include "device/security/authenticator.hpp"
#include "sim/virtual_inputs.hpp"
#include "sim/virtual_relays.hpp"

namespace camrig {
namespace {

namespace net = boost::asio;
using namespace std::chrono_literals;

// Reads the alertStream and stamps every active IO alert with the device clock as it arrives.
class AlertReader {
 public:
  AlertReader(const hal::Clock& clock, std::uint16_t port) : clock_(clock), socket_(io_) {
    socket_.connect({net::ip::make_address("127.0.0.1"), port});
    const std::string request = "GET /ISAPI/Event/notification/alertStream HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
    net::write(socket_, net::buffer(request));
    thread_ = std::jthread([this] { read(); });
  }
  ~AlertReader() {
    boost::system::error_code ec;
    socket_.shutdown(net::ip::tcp::socket::shutdown_both, ec);
    socket_.close(ec);
  }

  //! The arrival time of active alert number `n` (0-based), waiting up to 5 s.
  std::optional<hal::Nanos> arrival(std::size_t n) {
    std::unique_lock lock(mutex_);
    if (!arrived_.wait_for(lock, 5s, [&] { return arrivals_.size() > n; })) return std::nullopt;
    return arrivals_[n];
  }

 private:
  void read() {
    static constexpr std::string_view marker = "<eventState>active</eventState>";
    std::string data;
    std::size_t scanned = 0;
    char buffer[8192];
    for (;;) {
      boost::system::error_code ec;
      const auto n = socket_.read_some(net::buffer(buffer), ec);
      if (ec) return;
      const auto now = clock_.now();
      data.append(buffer, n);
      std::lock_guard lock(mutex_);
      for (auto at = data.find(marker, scanned); at != std::string::npos; at = data.find(marker, scanned)) {
        arrivals_.push_back(now);
        scanned = at + marker.size();
      }
      arrived_.notify_all();
    }
  }

  const hal::Clock& clock_;
  net::io_context io_;
  net::ip::tcp::socket socket_;
  std::mutex mutex_;
  std::condition_variable arrived_;
  std::vector<hal::Nanos> arrivals_;
  std::jthread thread_;
};

double percentile_ms(std::vector<hal::Nanos> samples, double fraction) {
  if (samples.empty()) return 0;
  std::sort(samples.begin(), samples.end());
  const auto index = std::min(samples.size() - 1, static_cast<std::size_t>(fraction * static_cast<double>(samples.size())));
  return std::chrono::duration<double, std::milli>(samples[index]).count();
}

void alarm_input_to_relay_and_alert_stream(benchmark::State& state) {
  core::RealtimeClock clock(std::chrono::system_clock::now());
  core::EventBus bus;
  sim::VirtualInputs inputs(clock, 1);
  sim::VirtualRelays relays(clock, 1);
  std::mutex relay_mutex;
  std::vector<hal::Nanos> relay_closed_at;
  relays.add_listener([&](const sim::RelayChange& change) {
    std::lock_guard lock(relay_mutex);
    if (change.closed) relay_closed_at.push_back(change.at);
  });

  events::EventEngine engine(clock, bus, &inputs, &relays);
  auto settings = *engine.settings("IO-1");
  settings.enabled = true;
  settings.linkage.notify_center = true;
  settings.linkage.alarm_outputs = {1};
  (void)engine.configure("IO-1", settings);
  engine.start();
  events::AlertStreamOptions stream_options;
  stream_options.heartbeat_interval = [] { return std::chrono::seconds(300); };
  events::AlertStreams streams(clock, bus, stream_options);

  // The device's HTTP server with the alertStream route; no login, to keep the client minimal.
  auto accounts = security::UserAccounts::open(":memory:", "bench", security::PasswordPolicy::for_profile("network-camera"));
  security::IllegalLoginLock lock(clock, [] { return security::IllegalLoginLockSettings{}; });
  security::Authenticator authenticator(**accounts, lock, clock);
  http::Router router;
  router.add(http::beast_http::verb::get, "/ISAPI/Event/notification/alertStream", std::nullopt,
             [&streams](http::RequestContext&) -> Result<http::Reply> {
               http::Reply reply;
               reply.response.result(http::beast_http::status::ok);
               reply.response.set(http::beast_http::field::content_type, events::k_alert_stream_content_type);
               reply.stream = std::make_shared<http::ResponseStream>(16);
               streams.open(reply.stream);
               return reply;
             });
  net::io_context io;
  http::ServerOptions server_options;
  server_options.bind_address = "127.0.0.1";
  server_options.port = 0;
  http::Server server(io, server_options, router, authenticator);
  if (auto started = server.start(); !started) {
    state.SkipWithError(started.error().message.c_str());
    return;
  }
  std::jthread io_thread([&io] {
    auto work = net::make_work_guard(io);
    io.run();
  });
  AlertReader reader(clock, server.port());
  while (streams.clients().empty()) std::this_thread::sleep_for(1ms);

  std::vector<hal::Nanos> to_relay;
  std::vector<hal::Nanos> to_stream;
  std::size_t alarms = 0;
  for (auto _ : state) {
    const auto edge = clock.now();
    (void)inputs.set_active(0, true);
    const auto arrived = reader.arrival(alarms);
    if (!arrived) {
      state.SkipWithError("an alert did not arrive within 5 s");
      break;
    }
    {
      std::lock_guard relay_lock(relay_mutex);
      to_relay.push_back(relay_closed_at.back() - edge);
    }
    to_stream.push_back(*arrived - edge);
    ++alarms;
    (void)inputs.set_active(0, false);
    (void)engine.outputs().set_manual(1, false);  // opens the relay now instead of after Delay
    std::this_thread::sleep_for(2ms);             // alarms a few ms apart, as contacts bounce at most
  }
  state.counters["relay_p50_ms"] = percentile_ms(to_relay, 0.50);
  state.counters["relay_p99_ms"] = percentile_ms(to_relay, 0.99);
  state.counters["alert_stream_p50_ms"] = percentile_ms(to_stream, 0.50);
  state.counters["alert_stream_p99_ms"] = percentile_ms(to_stream, 0.99);
  server.stop();
  io.stop();
  streams.stop();
  engine.stop();
}
BENCHMARK(alarm_input_to_relay_and_alert_stream)->Iterations(1000)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
}  // namespace camrig

BENCHMARK_MAIN();
