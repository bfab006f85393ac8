// The bench's alertStream client against a test peer that plays the camera's side: a Digest
// challenge, then a chunked multipart stream that stays idle for seconds between alerts.
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "conformance/clients.hpp"
#include "tests/support/loopback_socket.hpp"

namespace camrig::conformance {
namespace {

using namespace std::chrono_literals;

// Answers a request without Authorization with 401 and a Digest challenge; one with it opens a
// stream and writes the parts it is given, as chunks, until the test ends.
class AlertStreamPeer {
 public:
  AlertStreamPeer() {
    listener_ = test::bind_loopback(SOCK_STREAM, port_);
    EXPECT_GE(listener_, 0);
    thread_ = std::jthread([this](std::stop_token stop) { serve(stop); });
  }
  ~AlertStreamPeer() {
    thread_.request_stop();
    ::shutdown(listener_, SHUT_RDWR);
    thread_.join();
    ::close(listener_);
    std::lock_guard lock(mutex_);
    for (const int fd : streams_) ::close(fd);
  }

  int port() const { return port_; }
  int streams_opened() const { return static_cast<int>(opened_); }

  void send_alert(const std::string& xml) {
    const std::string part = "--boundary\r\nContent-Type: application/xml; charset=\"UTF-8\"\r\nContent-Length: " +
                             std::to_string(xml.size()) + "\r\n\r\n" + xml + "\r\n";
    char size[16];
    std::snprintf(size, sizeof size, "%zx\r\n", part.size());
    const std::string chunk = size + part + "\r\n";
    std::lock_guard lock(mutex_);
    for (const int fd : streams_) ::send(fd, chunk.data(), chunk.size(), MSG_NOSIGNAL);
  }

 private:
  void serve(std::stop_token stop) {
    while (!stop.stop_requested()) {
      const int fd = ::accept(listener_, nullptr, nullptr);
      if (fd < 0) return;
      std::string request;
      char buffer[1024];
      while (request.find("\r\n\r\n") == std::string::npos) {
        const auto n = ::recv(fd, buffer, sizeof buffer, 0);
        if (n <= 0) break;
        request.append(buffer, static_cast<std::size_t>(n));
      }
      if (request.find("Authorization:") == std::string::npos) {
        const std::string challenge =
            "HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Digest realm=\"camrig\", qop=\"auth\", nonce=\"abc\"\r\n"
            "Content-Length: 0\r\nConnection: close\r\n\r\n";
        ::send(fd, challenge.data(), challenge.size(), MSG_NOSIGNAL);
        ::close(fd);
        continue;
      }
      const std::string head = "HTTP/1.1 200 OK\r\nContent-Type: multipart/mixed; boundary=boundary\r\n"
                               "Transfer-Encoding: chunked\r\n\r\n";
      ::send(fd, head.data(), head.size(), MSG_NOSIGNAL);
      std::lock_guard lock(mutex_);
      streams_.push_back(fd);
      ++opened_;
    }
  }

  int listener_ = -1;
  int port_ = 0;
  std::atomic<int> opened_{0};
  std::mutex mutex_;
  std::vector<int> streams_;
  std::jthread thread_;
};

TEST(AlertStreamClient, AnIdleStreamStaysOpenAndTheNextAlertComesOnIt) {
  AlertStreamPeer peer;
  std::mutex mutex;
  std::vector<AlertDocument> alerts;
  AlertStreamClient client({"127.0.0.1", peer.port()}, "admin", "secret", [&](AlertDocument alert) {
    std::lock_guard lock(mutex);
    alerts.push_back(std::move(alert));
  });
  ASSERT_TRUE(client.wait_connected(5s)) << client.last_error();
  // Idle for several of the client's one-second read rounds: nothing may look like a closed stream.
  // Short sleepers on every core stand for a busy bench: their timer interrupts end the client's
  // waits at the earliest moment the kernel allows rather than late.
  {
    std::vector<std::jthread> neighbours;
    for (unsigned i = 0; i < std::max(2u, std::thread::hardware_concurrency()); ++i)
      neighbours.emplace_back([](std::stop_token stop) {
        while (!stop.stop_requested()) std::this_thread::sleep_for(100us);
      });
    std::this_thread::sleep_for(3500ms);
  }
  peer.send_alert("<EventNotificationAlert><eventType>ANPR</eventType><eventState>active</eventState></EventNotificationAlert>");
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  while (std::chrono::steady_clock::now() < deadline) {
    {
      std::lock_guard lock(mutex);
      if (!alerts.empty()) break;
    }
    std::this_thread::sleep_for(10ms);
  }
  std::lock_guard lock(mutex);
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_EQ(alerts.front().fields.at("eventType"), "ANPR");
  EXPECT_EQ(client.openings(), 1);
  EXPECT_EQ(peer.streams_opened(), 1);
}

}  // namespace
}  // namespace camrig::conformance
