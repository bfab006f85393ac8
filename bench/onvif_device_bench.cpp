// ONVIF request throughput: GetDeviceInformation, each request with a fresh WS-Security
// UsernameToken (unique nonce, PasswordDigest, Created now), over N keep-alive HTTP connections
// (one client thread each), against a network camera started in-process (its world and encoders
// run meanwhile) or any camera given with --target. Prints requests/s and latency p50/p95/p99 per
// connection count; the target (issue 9) is >= 1,000 requests/s on 2 cores.
//   cmake --preset release -B build/release && cmake --build build/release --target onvif_device_bench
//   ./build/release/bench/onvif_device_bench --connections 4,8,16 --seconds 10
#include <CLI/CLI.hpp>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <openssl/sha.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

#include "device/camera/camera.hpp"
#include "device/core/base64.hpp"
#include "device/core/realtime_clock.hpp"
#include "device/core/wall_time_format.hpp"
#include "sim/road_scene_source.hpp"
#include "tests/support/process.hpp"

using namespace camrig;
using namespace std::chrono_literals;
namespace asio = boost::asio;
namespace beast_http = boost::beast::http;
using Steady = std::chrono::steady_clock;

namespace {

constexpr const char* k_password = "Bench-pass-1";

struct Target {
  std::string host = "127.0.0.1";
  std::string port;
  std::string user = "admin";
  std::string password = k_password;
};

//! The envelope of one GetDeviceInformation with a UsernameToken nobody has used yet.
std::string request_body(const Target& target, std::mt19937_64& random, std::uint64_t serial) {
  std::array<std::uint8_t, 16> nonce{};
  const auto first = random() ^ serial;
  const auto second = random();
  for (std::size_t i = 0; i < 8; ++i) {
    nonce[i] = static_cast<std::uint8_t>(first >> (8 * i));
    nonce[8 + i] = static_cast<std::uint8_t>(second >> (8 * i));
  }
  const auto created = core::format_utc_iso8601(
      std::chrono::time_point_cast<hal::WallTime::duration>(std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now())));
  std::string digest_input(nonce.begin(), nonce.end());
  digest_input += created + target.password;
  std::array<std::uint8_t, SHA_DIGEST_LENGTH> digest{};
  SHA1(reinterpret_cast<const unsigned char*>(digest_input.data()), digest_input.size(), digest.data());
  return R"(<?xml version="1.0" encoding="UTF-8"?>)"
         R"(<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:tds="http://www.onvif.org/ver10/device/wsdl")"
         R"( xmlns:wsse="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd")"
         R"( xmlns:wsu="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd">)"
         R"(<s:Header><wsse:Security s:mustUnderstand="1"><wsse:UsernameToken><wsse:Username>)" +
         target.user +
         R"(</wsse:Username><wsse:Password Type="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordDigest">)" +
         core::base64_encode(std::span<const std::uint8_t>(digest)) +
         R"(</wsse:Password><wsse:Nonce EncodingType="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary">)" +
         core::base64_encode(std::span<const std::uint8_t>(nonce)) + "</wsse:Nonce><wsu:Created>" + created +
         "</wsu:Created></wsse:UsernameToken></wsse:Security></s:Header>"
         "<s:Body><tds:GetDeviceInformation/></s:Body></s:Envelope>";
}

struct ConnectionResult {
  std::vector<double> latencies_ms;
  std::uint64_t failures = 0;
  std::string first_failure;
};

enum class Phase { warmup, measure, stop };

//! One keep-alive connection sending requests back to back until Phase::stop, counting what ends
//! during Phase::measure; reconnects when the camera closes it (counted as a failure).
void run_connection(const Target& target, std::uint64_t seed, const std::atomic<Phase>& phase, ConnectionResult& result) {
  std::mt19937_64 random(seed);
  asio::io_context io;
  asio::ip::tcp::resolver resolver(io);
  asio::ip::tcp::socket socket(io);
  boost::system::error_code ec;
  const auto endpoints = resolver.resolve(target.host, target.port, ec);
  auto fail = [&](const std::string& why) {
    if (result.first_failure.empty()) result.first_failure = why;
    if (phase.load(std::memory_order_relaxed) == Phase::measure) ++result.failures;
    socket.close(ec);
  };
  boost::beast::flat_buffer buffer;
  for (std::uint64_t serial = 0; phase.load(std::memory_order_relaxed) != Phase::stop; ++serial) {
    if (!socket.is_open()) {
      asio::connect(socket, endpoints, ec);
      if (ec) {
        fail("connect: " + ec.message());
        std::this_thread::sleep_for(10ms);
        continue;
      }
      buffer.clear();
    }
    beast_http::request<beast_http::string_body> request{beast_http::verb::post, "/onvif/device_service", 11};
    request.set(beast_http::field::host, target.host + ":" + target.port);
    request.set(beast_http::field::content_type, "application/soap+xml; charset=utf-8");
    request.keep_alive(true);
    request.body() = request_body(target, random, serial);
    request.prepare_payload();
    const auto sent = Steady::now();
    beast_http::write(socket, request, ec);
    if (ec) {
      fail("write: " + ec.message());
      continue;
    }
    beast_http::response<beast_http::string_body> response;
    beast_http::read(socket, buffer, response, ec);
    if (ec) {
      fail("read: " + ec.message());
      continue;
    }
    const auto answered = Steady::now();
    if (response.result() != beast_http::status::ok || response.body().find("GetDeviceInformationResponse") == std::string::npos) {
      fail("HTTP " + std::to_string(response.result_int()) + ": " + response.body().substr(0, 300));
      continue;
    }
    if (phase.load(std::memory_order_relaxed) == Phase::measure)
      result.latencies_ms.push_back(std::chrono::duration<double, std::milli>(answered - sent).count());
    if (!response.keep_alive()) socket.close(ec);
  }
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"ONVIF GetDeviceInformation throughput with a UsernameToken per request"};
  std::vector<int> connection_counts{4, 8, 16};
  double seconds = 10;
  double warmup = 2;
  std::string target_address;
  Target target;
  app.add_option("--connections", connection_counts, "keep-alive connections, one run per value")->delimiter(',');
  app.add_option("--seconds", seconds, "measured time per run")->check(CLI::Range(1.0, 3600.0));
  app.add_option("--warmup", warmup, "unmeasured time before each run")->check(CLI::Range(0.0, 60.0));
  app.add_option("--target", target_address, "host:port of a running camera's HTTP server (default: one started here)");
  app.add_option("--user", target.user, "ONVIF user (with --target)");
  app.add_option("--password", target.password, "its password (with --target)");
  CLI11_PARSE(app, argc, argv);

  core::RealtimeClock clock{std::chrono::system_clock::now()};
  auto profile = *core::DeviceProfile::builtin("network-camera");
  std::unique_ptr<sim::RoadSceneSource> source;
  std::unique_ptr<camera::Camera> device;
  if (target_address.empty()) {
    source = std::make_unique<sim::RoadSceneSource>(
        sim::RoadSceneOptions{profile.channels[0].sensor, 5, 4}, clock,
        [&](hal::Nanos deadline, std::stop_token stop) { return clock.sleep_until(deadline, stop); });
    camera::CameraOptions options;
    const int http_port = test::free_tcp_port();
    options.settings = {{"network.rtsp_port", std::to_string(test::free_tcp_port())},
                        {"network.http_port", std::to_string(http_port)}};
    options.rtsp_bind_address = "127.0.0.1";
    options.http_bind_address = "127.0.0.1";
    options.admin_password = k_password;
    auto started = camera::Camera::start(profile, {&clock, {{1, source.get()}}}, options);
    if (!started) {
      std::fprintf(stderr, "camera: %s\n", started.error().message.c_str());
      return 1;
    }
    device = std::move(*started);
    target.port = std::to_string(http_port);
  } else {
    const auto colon = target_address.rfind(':');
    if (colon == std::string::npos) {
      std::fprintf(stderr, "--target wants host:port\n");
      return 1;
    }
    target.host = target_address.substr(0, colon);
    target.port = target_address.substr(colon + 1);
  }

  bool met = true;
  std::uint64_t seed = std::random_device{}();
  for (const int connections : connection_counts) {
    if (connections < 1) continue;
    std::vector<ConnectionResult> results(static_cast<std::size_t>(connections));
    std::atomic<Phase> phase{Phase::warmup};
    std::vector<std::jthread> threads;
    for (int i = 0; i < connections; ++i)
      threads.emplace_back([&, i, s = seed++] { run_connection(target, s, phase, results[static_cast<std::size_t>(i)]); });
    // Connections open and caches fill in the warm-up; only what ends in the measured time counts.
    std::this_thread::sleep_for(std::chrono::duration<double>(warmup));
    const auto measured_from = Steady::now();
    phase = Phase::measure;
    std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
    phase = Phase::stop;
    const double elapsed = std::chrono::duration<double>(Steady::now() - measured_from).count();
    threads.clear();

    std::vector<double> latencies;
    std::uint64_t failures = 0;
    std::string first_failure;
    for (const auto& result : results) {
      latencies.insert(latencies.end(), result.latencies_ms.begin(), result.latencies_ms.end());
      failures += result.failures;
      if (first_failure.empty()) first_failure = result.first_failure;
    }
    std::sort(latencies.begin(), latencies.end());
    auto quantile = [&](double q) {
      return latencies.empty() ? 0.0
                               : latencies[std::min(latencies.size() - 1, static_cast<std::size_t>(q * static_cast<double>(latencies.size())))];
    };
    const double rate = static_cast<double>(latencies.size()) / elapsed;
    std::printf("onvif_device_bench: %2d connections: %8.0f GetDeviceInformation/s  latency ms p50 %.2f  p95 %.2f  p99 %.2f  max %.2f  "
                "(%zu answers, %llu failures)%s\n",
                connections, rate, quantile(0.50), quantile(0.95), quantile(0.99), latencies.empty() ? 0.0 : latencies.back(),
                latencies.size(), static_cast<unsigned long long>(failures), rate >= 1000.0 ? "" : "  below 1,000/s");
    if (!first_failure.empty()) std::printf("  first failure: %s\n", first_failure.c_str());
    if (rate < 1000.0 || failures > 0) met = false;
  }
  return met ? 0 : 2;
}
