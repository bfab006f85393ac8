// SNTP against a small server on loopback: the measured offset, refusal of unsynchronized
// servers and of answers to other requests, timeouts, and the synchronizer correcting the
// device clock at the configured interval of device time.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

#include <gtest/gtest.h>

#include "device/system/sntp_client.hpp"
#include "tests/support/lockstep_test_clock.hpp"
#include "tests/support/loopback_socket.hpp"

namespace camrig::system {
namespace {

using namespace std::chrono;

// Answers SNTP requests on 127.0.0.1 with the time `now()` gives, as a stratum-`stratum` server.
class SntpTestPeer {
 public:
  std::function<hal::WallTime()> now;
  std::atomic<int> stratum{2};
  std::atomic<bool> answer_other_request{false};
  std::atomic<bool> silent{false};

  SntpTestPeer() {
    int port = 0;
    fd_ = test::bind_loopback(SOCK_DGRAM, port);
    port_ = static_cast<std::uint16_t>(port);
    thread_ = std::jthread([this](std::stop_token stop) { serve(stop); });
  }
  ~SntpTestPeer() {
    thread_.request_stop();
    thread_.join();
    ::close(fd_);
  }
  std::uint16_t port() const { return port_; }
  int requests() const { return requests_.load(); }

 private:
  static void put(std::uint8_t* at, hal::WallTime time) {
    const auto nanos = duration_cast<nanoseconds>(time.time_since_epoch()).count();
    const auto secs = static_cast<std::uint64_t>(nanos / 1'000'000'000 + 2'208'988'800LL);
    const auto fraction = (static_cast<std::uint64_t>(nanos % 1'000'000'000) << 32) / 1'000'000'000;
    const std::uint64_t value = secs << 32 | fraction;
    for (int i = 0; i < 8; ++i) at[i] = static_cast<std::uint8_t>(value >> (56 - 8 * i));
  }

  void serve(std::stop_token stop) {
    while (!stop.stop_requested()) {
      pollfd waiting{fd_, POLLIN, 0};
      if (::poll(&waiting, 1, 20) <= 0) continue;
      std::array<std::uint8_t, 48> packet{};
      sockaddr_in from{};
      socklen_t length = sizeof from;
      if (::recvfrom(fd_, packet.data(), packet.size(), 0, reinterpret_cast<sockaddr*>(&from), &length) != 48) continue;
      ++requests_;
      if (silent) continue;
      std::array<std::uint8_t, 48> reply{};
      reply[0] = 4 << 3 | 4;
      reply[1] = static_cast<std::uint8_t>(stratum.load());
      std::copy(packet.begin() + 40, packet.end(), reply.begin() + 24);  // originate = client's transmit
      if (answer_other_request) reply[31] ^= 0xff;
      put(&reply[32], now());
      put(&reply[40], now());
      ::sendto(fd_, reply.data(), reply.size(), 0, reinterpret_cast<sockaddr*>(&from), length);
    }
  }

  int fd_ = -1;
  std::uint16_t port_ = 0;
  std::atomic<int> requests_{0};
  std::jthread thread_;
};

class SntpTest : public ::testing::Test {
 protected:
  SntpTest() {
    peer.now = [this] { return hardware.wall_time() + true_offset; };
  }
  test::LockstepTestClock hardware;
  DeviceClock clock{hardware};
  hal::Nanos true_offset = hours(1) + milliseconds(250);
  SntpTestPeer peer;
};

TEST_F(SntpTest, QueryMeasuresHowFarTheServerIsFromTheDevice) {
  auto sample = sntp_query("127.0.0.1", peer.port(), clock);
  ASSERT_TRUE(sample) << sample.error().message;
  EXPECT_NEAR(duration<double>(sample->offset).count(), duration<double>(true_offset).count(), 1e-6);
  EXPECT_EQ(sample->stratum, 2);
}

TEST_F(SntpTest, UnsynchronizedServerIsRefused) {
  peer.stratum = 0;
  auto sample = sntp_query("127.0.0.1", peer.port(), clock);
  ASSERT_FALSE(sample);
  EXPECT_NE(sample.error().message.find("not synchronized"), std::string::npos);
}

TEST_F(SntpTest, AnswerToAnotherRequestIsIgnoredUntilTheTimeout) {
  peer.answer_other_request = true;
  auto sample = sntp_query("127.0.0.1", peer.port(), clock, milliseconds(200));
  ASSERT_FALSE(sample);
  EXPECT_NE(sample.error().message.find("did not answer within 200 ms"), std::string::npos);
  EXPECT_EQ(peer.requests(), 1);
}

TEST_F(SntpTest, UnknownHostIsAClearError) {
  auto sample = sntp_query("no-such-host.invalid", 123, clock, milliseconds(200));
  ASSERT_FALSE(sample);
  EXPECT_NE(sample.error().message.find("cannot resolve NTP server no-such-host.invalid:123"), std::string::npos);
}

TEST_F(SntpTest, SynchronizerCorrectsTheClockAndRepeatsAtTheInterval) {
  std::mutex mutex;
  std::condition_variable reported;
  std::vector<bool> outcomes;
  NtpSettings settings{true, "127.0.0.1", peer.port(), minutes(5)};
  NtpSynchronizer synchronizer(
      clock, [&] { return settings; },
      [&](const std::string&, const Result<SntpSample>& outcome) {
        std::lock_guard lock(mutex);
        outcomes.push_back(static_cast<bool>(outcome));
        reported.notify_all();
      });
  const auto wait_for = [&](std::size_t count) {
    std::unique_lock lock(mutex);
    return reported.wait_for(lock, seconds(10), [&] { return outcomes.size() >= count; });
  };
  ASSERT_TRUE(wait_for(1));
  EXPECT_NEAR(duration<double>(clock.offset()).count(), duration<double>(true_offset).count(), 1e-6);
  EXPECT_EQ(peer.requests(), 1);

  // The next query is due five minutes of device time later; a second correction finds the clock right.
  hardware.advance_to(minutes(4));
  hardware.advance_to(minutes(5));
  ASSERT_TRUE(wait_for(2));
  EXPECT_EQ(peer.requests(), 2);
  EXPECT_NEAR(duration<double>(clock.offset()).count(), duration<double>(true_offset).count(), 1e-6);
  EXPECT_TRUE(outcomes[0] && outcomes[1]);
}

}  // namespace
}  // namespace camrig::system
