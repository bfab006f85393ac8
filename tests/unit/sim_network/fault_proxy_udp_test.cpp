// The fault proxy on UDP, measured on 127.0.0.1 with an echo server behind it. Datagrams carry
// their sequence number; impairments are set on the way to the server, the way back is clean.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <set>
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

class FaultProxyUdpTest : public ::testing::Test {
 protected:
  void SetUp() override { start(FaultProxyOptions{}); }

  void start(FaultProxyOptions options) {
    proxy_.reset();
    options.target_port = echo_.port();
    options.protocol = ProxyProtocol::udp;
    proxy_ = std::make_unique<FaultProxy>(options);
    auto started = proxy_->start();
    ASSERT_TRUE(started.ok()) << started.error().message;
  }

  void set(const Impairment& impairment) {
    auto result = proxy_->set_impairment(Direction::client_to_server, impairment);
    ASSERT_TRUE(result.ok()) << result.error().message;
  }

  //! Sends datagrams "<i>" (padded with spaces to `pad` bytes) for i in [first, first + count),
  //! in bursts of 20 with a pause between them so that no socket buffer overflows (the kernel
  //! caps them at net.core.rmem_max, about 200 kB).
  static void send_numbered(UdpClient& client, int first, int count, milliseconds pause = milliseconds(1),
                            std::size_t pad = 0) {
    for (int i = first; i < first + count; ++i) {
      std::string datagram = std::to_string(i);
      datagram.resize(std::max(datagram.size(), pad), ' ');
      client.send(datagram);
      if ((i - first) % 20 == 19) {
        std::this_thread::sleep_for(pause);
      }
    }
  }

  static std::vector<int> numbers(const std::vector<std::pair<Clock::time_point, std::string>>& received) {
    std::vector<int> out;
    for (const auto& [when, datagram] : received) {
      out.push_back(std::stoi(datagram));
    }
    return out;
  }

  UdpEchoServer echo_;
  std::unique_ptr<FaultProxy> proxy_;
};

TEST_F(FaultProxyUdpTest, ForwardsAndReturnsReplies) {
  UdpClient client(proxy_->port());
  send_numbered(client, 0, 10);
  const auto received = numbers(client.receive_until_quiet(milliseconds(200)));
  EXPECT_EQ(received, (std::vector<int>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}));
  EXPECT_TRUE(eventually([&] { return proxy_->counters().server_to_client.packets_forwarded == 10U; }));
  const auto counters = proxy_->counters();
  EXPECT_EQ(counters.client_to_server.packets_forwarded, 10U);
  EXPECT_EQ(counters.udp_sessions_active, 1U);
}

TEST_F(FaultProxyUdpTest, DelayAddsToRoundTrips) {
  Impairment impairment;
  impairment.delay = milliseconds(30);
  set(impairment);
  UdpClient client(proxy_->port());
  std::vector<Clock::duration> samples;
  for (int i = 0; i < 10; ++i) {
    const auto start = Clock::now();
    client.send(std::to_string(i));
    const auto received = client.receive_until_quiet(milliseconds(500), milliseconds(1));
    ASSERT_EQ(received.size(), 1U);
    samples.push_back(received.front().first - start);
    EXPECT_GE(to_ms(samples.back()), 30.0);
  }
  const double median = median_ms(samples);
  std::printf("[ figures  ] UDP round trip with 30 ms delay: median %.2f ms\n", median);
  EXPECT_LE(median, 30.0 + 25.0);
}

TEST_F(FaultProxyUdpTest, LossOfThirtyPercent) {
  Impairment impairment;
  impairment.loss_percent = 30;
  set(impairment);
  UdpClient client(proxy_->port());
  send_numbered(client, 0, 2000);
  const auto received = client.receive_until_quiet(milliseconds(300));
  ASSERT_TRUE(eventually([&] {
    const auto c = proxy_->counters().client_to_server;
    return c.packets_forwarded + c.packets_dropped == 2000U;
  }));
  const auto counters = proxy_->counters().client_to_server;
  const double lost = 100.0 * (2000.0 - static_cast<double>(received.size())) / 2000.0;
  std::printf("[ figures  ] UDP loss 30%%: %zu of 2000 datagrams came back, %.2f%% lost (proxy dropped %llu)\n",
              received.size(), lost, static_cast<unsigned long long>(counters.packets_dropped));
  EXPECT_GE(lost, 25.0);
  EXPECT_LE(lost, 35.0);
  EXPECT_EQ(static_cast<int>(counters.packets_forwarded), echo_.received());
}

TEST_F(FaultProxyUdpTest, SameSeedLosesTheSameDatagrams) {
  Impairment impairment;
  impairment.loss_percent = 30;
  std::vector<std::vector<int>> runs;
  for (int run = 0; run < 2; ++run) {
    FaultProxyOptions options;
    options.seed = 42;
    start(options);
    set(impairment);
    UdpClient client(proxy_->port());
    send_numbered(client, 0, 200);
    auto got = numbers(client.receive_until_quiet(milliseconds(200)));
    std::sort(got.begin(), got.end());
    runs.push_back(got);
  }
  EXPECT_EQ(runs[0], runs[1]);
  EXPECT_LT(runs[0].size(), 200U);
}

TEST_F(FaultProxyUdpTest, DuplicationIsObserved) {
  Impairment impairment;
  impairment.duplicate_percent = 25;
  set(impairment);
  UdpClient client(proxy_->port());
  send_numbered(client, 0, 400);
  const auto received = numbers(client.receive_until_quiet(milliseconds(300)));
  const std::set<int> distinct(received.begin(), received.end());
  const std::size_t duplicates = received.size() - distinct.size();
  std::printf("[ figures  ] UDP duplication 25%%: 400 sent, %zu received, %zu duplicates\n", received.size(),
              duplicates);
  EXPECT_EQ(distinct.size(), 400U);
  EXPECT_GE(duplicates, 60U);
  EXPECT_LE(duplicates, 140U);
  EXPECT_EQ(proxy_->counters().client_to_server.packets_duplicated, duplicates);
}

TEST_F(FaultProxyUdpTest, ReorderingIsObserved) {
  Impairment impairment;
  impairment.reorder_percent = 10;
  set(impairment);
  UdpClient client(proxy_->port());
  for (int i = 0; i < 300; ++i) {
    client.send(std::to_string(i));
    std::this_thread::sleep_for(std::chrono::microseconds(500));
  }
  const auto received = numbers(client.receive_until_quiet(milliseconds(300)));
  int inversions = 0;
  for (std::size_t i = 1; i < received.size(); ++i) {
    inversions += received[i] < received[i - 1] ? 1 : 0;
  }
  std::printf("[ figures  ] UDP reordering 10%%: 300 sent, %zu received, %d out of order\n", received.size(),
              inversions);
  EXPECT_EQ(received.size(), 300U);
  EXPECT_GE(inversions, 10);
  EXPECT_LE(inversions, 60);
  // Each held datagram goes out right behind its successor: one inversion each (the last one may
  // find no successor within reorder_hold and stay in order).
  const int reordered = static_cast<int>(proxy_->counters().client_to_server.packets_reordered);
  EXPECT_LE(inversions, reordered);
  EXPECT_GE(inversions, reordered - 1);
}

TEST_F(FaultProxyUdpTest, BandwidthLimitQueuesThenDrops) {
  Impairment impairment;
  impairment.bandwidth_bytes_per_s = 100'000;
  impairment.queue_limit_bytes = 20'000;
  set(impairment);
  UdpClient client(proxy_->port());
  send_numbered(client, 0, 100, milliseconds(1), 1000);  // 100 kB within ~5 ms
  const auto received = client.receive_until_quiet(milliseconds(300));
  ASSERT_GE(received.size(), 20U);
  const auto counters = proxy_->counters().client_to_server;
  // The first ~6 datagrams go on the bucket's burst; the rest leave at the rate.
  const double span_s = to_ms(received.back().first - received[5].first) / 1000.0;
  const double rate = static_cast<double>((received.size() - 6) * 1000) / span_s;
  std::printf("[ figures  ] UDP 100 kB/s with 20 kB queue: 100 x 1000 B sent, %zu forwarded, %llu dropped, "
              "paced at %.0f B/s\n",
              received.size(), static_cast<unsigned long long>(counters.packets_dropped), rate);
  EXPECT_LE(received.size(), 40U);
  EXPECT_EQ(counters.packets_dropped + counters.packets_forwarded, 100U);
  EXPECT_GE(rate, 80'000.0);
  EXPECT_LE(rate, 120'000.0);
}

TEST_F(FaultProxyUdpTest, StallHoldsThenDeliversInOrder) {
  UdpClient client(proxy_->port());
  const auto start = Clock::now();
  proxy_->stall_for(milliseconds(300));
  send_numbered(client, 0, 20);
  const auto received = client.receive_until_quiet(milliseconds(600));
  ASSERT_EQ(received.size(), 20U);
  EXPECT_GE(to_ms(received.front().first - start), 300.0);
  std::vector<int> expected(20);
  for (int i = 0; i < 20; ++i) {
    expected[static_cast<std::size_t>(i)] = i;
  }
  EXPECT_EQ(numbers(received), expected);
}

TEST_F(FaultProxyUdpTest, PartitionDropsEverythingThenResumes) {
  UdpClient client(proxy_->port());
  send_numbered(client, 0, 5);
  EXPECT_EQ(client.receive_until_quiet(milliseconds(200)).size(), 5U);
  const auto start = Clock::now();
  proxy_->partition_for(milliseconds(300));
  send_numbered(client, 100, 10);
  EXPECT_TRUE(client.receive_until_quiet(milliseconds(150)).empty());
  std::this_thread::sleep_until(start + milliseconds(320));
  send_numbered(client, 200, 10);
  const auto after = numbers(client.receive_until_quiet(milliseconds(200)));
  ASSERT_EQ(after.size(), 10U);
  EXPECT_EQ(after.front(), 200);
  EXPECT_EQ(proxy_->counters().client_to_server.packets_dropped, 10U);
}

TEST_F(FaultProxyUdpTest, ImpairmentChangesApplyToALiveSession) {
  UdpClient client(proxy_->port());
  send_numbered(client, 0, 20);
  EXPECT_EQ(client.receive_until_quiet(milliseconds(150)).size(), 20U);
  Impairment all_lost;
  all_lost.loss_percent = 100;
  set(all_lost);
  send_numbered(client, 100, 20);
  EXPECT_TRUE(client.receive_until_quiet(milliseconds(150)).empty());
  set(Impairment{});
  send_numbered(client, 200, 20);
  EXPECT_EQ(client.receive_until_quiet(milliseconds(150)).size(), 20U);
  EXPECT_EQ(proxy_->counters().udp_sessions_active, 1U);
}

TEST_F(FaultProxyUdpTest, IdleSessionsExpire) {
  FaultProxyOptions options;
  options.udp_idle_timeout = milliseconds(200);
  start(options);
  UdpClient client(proxy_->port());
  send_numbered(client, 0, 1);
  EXPECT_EQ(client.receive_until_quiet(milliseconds(100)).size(), 1U);
  EXPECT_EQ(proxy_->counters().udp_sessions_active, 1U);
  EXPECT_TRUE(eventually([&] { return proxy_->counters().udp_sessions_expired == 1U; }, milliseconds(1500)));
  EXPECT_EQ(proxy_->counters().udp_sessions_active, 0U);
  send_numbered(client, 1, 1);
  EXPECT_EQ(client.receive_until_quiet(milliseconds(100)).size(), 1U);
  EXPECT_EQ(proxy_->counters().udp_sessions_active, 1U);
}

TEST(FaultProxyBothTest, TcpAndUdpOnOnePort) {
  // One target port for both protocols: a TCP echo server on the UDP echo server's port number.
  std::unique_ptr<UdpEchoServer> udp_echo;
  std::unique_ptr<TcpEchoServer> tcp_echo;
  for (int attempt = 0; attempt < 20 && !tcp_echo; ++attempt) {
    udp_echo = std::make_unique<UdpEchoServer>();
    try {
      tcp_echo = std::make_unique<TcpEchoServer>(udp_echo->port());
    } catch (const boost::system::system_error&) {
      udp_echo.reset();
    }
  }
  ASSERT_TRUE(tcp_echo);
  FaultProxyOptions options;
  options.protocol = ProxyProtocol::tcp_and_udp;
  options.target_port = udp_echo->port();
  FaultProxy proxy(options);
  auto started = proxy.start();
  ASSERT_TRUE(started.ok()) << started.error().message;
  UdpClient udp_client(proxy.port());
  udp_client.send("both");
  const auto received = udp_client.receive_until_quiet(milliseconds(200));
  ASSERT_EQ(received.size(), 1U);
  EXPECT_EQ(received.front().second, "both");
  TcpClient tcp_client;
  ASSERT_FALSE(tcp_client.connect(proxy.port()));
  EXPECT_TRUE(tcp_client.echo("both", milliseconds(2000)));
  EXPECT_EQ(tcp_echo->connections(), 1);
}

}  // namespace
}  // namespace camrig::sim
