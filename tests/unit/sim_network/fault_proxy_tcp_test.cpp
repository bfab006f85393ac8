// The fault proxy on TCP, measured on 127.0.0.1 with an echo server behind it. Timings are wall
// time on a possibly loaded machine, hence the tolerances.
#include <chrono>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "sim/network/fault_proxy.hpp"
#include "tests/unit/sim_network/net_test_support.hpp"

namespace camrig::sim {
namespace {

using namespace camrig::sim::testing;  // NOLINT(google-build-using-namespace)
using std::chrono::milliseconds;

class FaultProxyTcpTest : public ::testing::Test {
 protected:
  void SetUp() override {
    FaultProxyOptions options;
    options.target_port = echo_.port();
    options.protocol = ProxyProtocol::tcp;
    proxy_ = std::make_unique<FaultProxy>(options);
    auto started = proxy_->start();
    ASSERT_TRUE(started.ok()) << started.error().message;
  }

  void set(Direction direction, const Impairment& impairment) {
    auto result = proxy_->set_impairment(direction, impairment);
    ASSERT_TRUE(result.ok()) << result.error().message;
  }

  //! Round trips of a 32-byte message.
  std::vector<Clock::duration> round_trips(TcpClient& client, int count) {
    std::vector<Clock::duration> samples;
    for (int i = 0; i < count; ++i) {
      auto rtt = client.echo(std::string(32, static_cast<char>('a' + i % 26)), milliseconds(3000));
      EXPECT_TRUE(rtt.has_value());
      if (rtt) {
        samples.push_back(*rtt);
      }
    }
    return samples;
  }

  TcpEchoServer echo_;
  std::unique_ptr<FaultProxy> proxy_;
};

TEST_F(FaultProxyTcpTest, ForwardsBothWaysAndCounts) {
  TcpClient client;
  ASSERT_FALSE(client.connect(proxy_->port()));
  ASSERT_TRUE(client.echo("hello through the proxy", milliseconds(2000)));
  EXPECT_TRUE(eventually([&] { return proxy_->counters().server_to_client.bytes_forwarded == 23U; }));
  const auto counters = proxy_->counters();
  EXPECT_EQ(counters.client_to_server.bytes_forwarded, 23U);
  EXPECT_EQ(counters.server_to_client.bytes_forwarded, 23U);
  EXPECT_EQ(counters.connections_accepted, 1U);
  EXPECT_EQ(counters.connections_active, 1U);
  EXPECT_EQ(echo_.connections(), 1);
}

TEST_F(FaultProxyTcpTest, DelayAddsToRoundTrips) {
  TcpClient client;
  ASSERT_FALSE(client.connect(proxy_->port()));
  const double baseline = median_ms(round_trips(client, 10));
  Impairment to_server;
  to_server.delay = milliseconds(40);
  Impairment to_client;
  to_client.delay = milliseconds(20);
  set(Direction::client_to_server, to_server);
  set(Direction::server_to_client, to_client);
  const auto samples = round_trips(client, 15);
  ASSERT_EQ(samples.size(), 15U);
  const double median = median_ms(samples);
  std::printf("[ figures  ] TCP round trip: baseline median %.2f ms, with 40+20 ms delay median %.2f ms\n", baseline,
              median);
  for (const auto& sample : samples) {
    EXPECT_GE(to_ms(sample), 60.0);
  }
  EXPECT_LE(median, 60.0 + 25.0 + baseline);
}

TEST_F(FaultProxyTcpTest, JitterSpreadsRoundTrips) {
  TcpClient client;
  ASSERT_FALSE(client.connect(proxy_->port()));
  Impairment impairment;
  impairment.delay = milliseconds(10);
  impairment.jitter = milliseconds(40);
  set(Direction::client_to_server, impairment);
  auto samples = round_trips(client, 30);
  ASSERT_EQ(samples.size(), 30U);
  std::sort(samples.begin(), samples.end());
  const double low = to_ms(samples.front());
  const double high = to_ms(samples.back());
  std::printf("[ figures  ] TCP round trip with 10 ms delay + 0..40 ms jitter: min %.2f ms, median %.2f ms, "
              "max %.2f ms\n",
              low, median_ms(samples), high);
  EXPECT_GE(low, 10.0);
  EXPECT_GE(high - low, 20.0);
}

TEST_F(FaultProxyTcpTest, BandwidthLimitPacesTransfer) {
  TcpClient client;
  ASSERT_FALSE(client.connect(proxy_->port()));
  Impairment impairment;
  impairment.bandwidth_bytes_per_s = 200'000;
  set(Direction::client_to_server, impairment);
  std::string payload(1'000'000, '\0');
  for (std::size_t i = 0; i < payload.size(); ++i) {
    payload[i] = static_cast<char>(i * 7 % 251);
  }
  const auto took = client.echo(payload, milliseconds(10000));
  ASSERT_TRUE(took.has_value());
  const double seconds = to_ms(*took) / 1000.0;
  std::printf("[ figures  ] 1,000,000 bytes at 200,000 B/s took %.3f s (expected 5 s)\n", seconds);
  EXPECT_GE(seconds, 4.0);
  EXPECT_LE(seconds, 6.0);
  EXPECT_TRUE(eventually([&] { return proxy_->counters().server_to_client.bytes_forwarded == 1'000'000U; }));
  EXPECT_TRUE(eventually([&] { return proxy_->counters().client_to_server.bytes_forwarded == 1'000'000U; }));
}

TEST_F(FaultProxyTcpTest, ResetClosesTheClientConnection) {
  TcpClient client;
  ASSERT_FALSE(client.connect(proxy_->port()));
  ASSERT_TRUE(client.echo("before", milliseconds(2000)));
  proxy_->reset_connections();
  const auto [ec, data] = client.read(1, milliseconds(2000));
  EXPECT_TRUE(ec == boost::asio::error::connection_reset || ec == boost::asio::error::eof) << ec.message();
  EXPECT_EQ(proxy_->counters().connections_reset, 1U);  // reset_connections() returns after the resets
  EXPECT_EQ(proxy_->counters().connections_active, 0U);
  // The proxy keeps accepting.
  TcpClient again;
  ASSERT_FALSE(again.connect(proxy_->port()));
  EXPECT_TRUE(again.echo("after", milliseconds(2000)));
}

TEST_F(FaultProxyTcpTest, StallHoldsBytesThenDeliversThemInOrder) {
  TcpClient client;
  ASSERT_FALSE(client.connect(proxy_->port()));
  ASSERT_TRUE(client.echo("warm", milliseconds(2000)));
  const auto start = Clock::now();
  proxy_->stall_for(milliseconds(400));
  std::string sent;
  for (int i = 0; i < 20; ++i) {
    const std::string piece = "<" + std::to_string(i) + ">";
    ASSERT_FALSE(client.write(piece));
    sent += piece;
    std::this_thread::sleep_for(milliseconds(5));
  }
  // Nothing during the window...
  const auto [held_ec, held] = client.read(1, milliseconds(200));
  EXPECT_EQ(held_ec, boost::asio::error::operation_aborted) << "got '" << held << "' during the stall";
  // ...everything, in order, after it.
  const auto [ec, data] = client.read(sent.size() - held.size(), milliseconds(3000));
  ASSERT_FALSE(ec) << ec.message();
  const auto waited = Clock::now() - start;
  EXPECT_EQ(held + data, sent);
  EXPECT_GE(to_ms(waited), 400.0);
  std::printf("[ figures  ] stall of 400 ms: %zu bytes delivered in order after %.1f ms\n", sent.size(),
              to_ms(waited));
}

TEST_F(FaultProxyTcpTest, PartitionRefusesAndStopsTrafficThenResumes) {
  TcpClient open;
  ASSERT_FALSE(open.connect(proxy_->port()));
  ASSERT_TRUE(open.echo("before", milliseconds(2000)));
  const auto start = Clock::now();
  proxy_->partition_for(milliseconds(600));

  // A new client is turned away.
  TcpClient refused;
  const auto connect_ec = refused.connect(proxy_->port());
  if (!connect_ec) {
    const auto [ec, data] = refused.read(1, milliseconds(1000));
    EXPECT_TRUE(ec == boost::asio::error::connection_reset || ec == boost::asio::error::eof) << ec.message();
  } else {
    EXPECT_EQ(connect_ec, boost::asio::error::connection_reset) << connect_ec.message();
  }
  EXPECT_TRUE(eventually([&] { return proxy_->counters().connections_refused == 1U; }));
  EXPECT_EQ(echo_.connections(), 1);

  // The open connection carries nothing during the window.
  ASSERT_FALSE(open.write("during"));
  const auto [held_ec, held] = open.read(6, milliseconds(250));
  EXPECT_EQ(held_ec, boost::asio::error::operation_aborted);
  // After it, what was sent arrives and new clients get through.
  const auto [ec, data] = open.read(6 - held.size(), milliseconds(3000));
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_EQ(held + data, "during");
  EXPECT_GE(to_ms(Clock::now() - start), 600.0);
  TcpClient after;
  ASSERT_FALSE(after.connect(proxy_->port()));
  EXPECT_TRUE(after.echo("after", milliseconds(2000)));
}

TEST_F(FaultProxyTcpTest, ImpairmentChangesApplyToALiveConnection) {
  TcpClient client;
  ASSERT_FALSE(client.connect(proxy_->port()));
  const double before = median_ms(round_trips(client, 5));
  Impairment slow;
  slow.delay = milliseconds(80);
  set(Direction::server_to_client, slow);
  const double during = median_ms(round_trips(client, 5));
  set(Direction::server_to_client, Impairment{});
  const double after = median_ms(round_trips(client, 5));
  std::printf("[ figures  ] live change on one connection: %.2f ms -> %.2f ms (80 ms delay) -> %.2f ms\n", before,
              during, after);
  EXPECT_GE(during, 80.0);
  EXPECT_LT(after, 40.0);
  EXPECT_EQ(proxy_->counters().connections_accepted, 1U);
}

TEST_F(FaultProxyTcpTest, BandwidthChangeAppliesMidTransfer) {
  TcpClient client;
  ASSERT_FALSE(client.connect(proxy_->port()));
  Impairment slow;
  slow.bandwidth_bytes_per_s = 50'000;  // 400 kB would take 8 s
  set(Direction::client_to_server, slow);
  // Lifted from another thread while the transfer runs.
  std::thread lift([this] {
    std::this_thread::sleep_for(milliseconds(500));
    EXPECT_TRUE(proxy_->set_impairment(Direction::client_to_server, Impairment{}).ok());
  });
  const auto took = client.echo(std::string(400'000, 'b'), milliseconds(10000));
  lift.join();
  ASSERT_TRUE(took.has_value());
  std::printf("[ figures  ] 400 kB at 50 kB/s, limit lifted after 0.5 s: took %.3f s\n", to_ms(*took) / 1000.0);
  EXPECT_GE(to_ms(*took), 450.0);
  EXPECT_LE(to_ms(*took), 2000.0);
}

TEST_F(FaultProxyTcpTest, StopClosesConnections) {
  TcpClient client;
  ASSERT_FALSE(client.connect(proxy_->port()));
  ASSERT_TRUE(client.echo("x", milliseconds(2000)));
  proxy_->stop();
  const auto [ec, data] = client.read(1, milliseconds(2000));
  EXPECT_TRUE(ec == boost::asio::error::connection_reset || ec == boost::asio::error::eof) << ec.message();
  proxy_->stop();  // idempotent
}

TEST(FaultProxyStartTest, ReportsAPortInUse) {
  TcpEchoServer echo;
  FaultProxyOptions options;
  options.target_port = echo.port();
  options.listen_port = echo.port();
  FaultProxy proxy(options);
  const auto started = proxy.start();
  ASSERT_FALSE(started.ok());
  EXPECT_EQ(started.error().code, ErrorCode::unavailable);
  EXPECT_NE(started.error().message.find(std::to_string(echo.port())), std::string::npos);
}

TEST(FaultProxyStartTest, ResetsTheClientWhenTheTargetIsDown) {
  std::uint16_t dead_port = 0;
  {
    TcpEchoServer gone;
    dead_port = gone.port();
  }
  FaultProxyOptions options;
  options.target_port = dead_port;
  FaultProxy proxy(options);
  ASSERT_TRUE(proxy.start().ok());
  TcpClient client;
  // The reset may already be in when the connect completes.
  if (const auto connect_ec = client.connect(proxy.port()); !connect_ec) {
    const auto [ec, data] = client.read(1, milliseconds(2000));
    EXPECT_TRUE(ec == boost::asio::error::connection_reset || ec == boost::asio::error::eof) << ec.message();
  } else {
    EXPECT_EQ(connect_ec, boost::asio::error::connection_reset) << connect_ec.message();
  }
  EXPECT_TRUE(eventually([&] { return proxy.counters().upstream_failures == 1U; }));
}

}  // namespace
}  // namespace camrig::sim
