// HTTP hosts: an alert reaches a test alarm server on loopback as an HTTP POST (multipart with its
// pictures when it has any); while the server is down the alert is retried with backoff and
// delivered once it is up; settings are validated.
#include <condition_variable>
#include <thread>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <gtest/gtest.h>

#include "device/core/realtime_clock.hpp"
#include "device/events/http_hosts.hpp"
#include "tests/support/process.hpp"

namespace camrig::events {
namespace {

using namespace std::chrono_literals;
namespace net = boost::asio;
namespace beast = boost::beast;

// A minimal alarm server: accepts connections one by one, records each POST and answers 200.
class AlarmServer {
 public:
  struct Received {
    std::string target;
    std::string content_type;
    std::string body;
  };

  explicit AlarmServer(int port) : acceptor_(io_, {net::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port)}) {
    thread_ = std::jthread([this] { serve(); });
  }
  ~AlarmServer() {
    stopping_ = true;
    beast::error_code ec;
    net::ip::tcp::socket poke(io_);
    poke.connect(acceptor_.local_endpoint(), ec);  // wakes the blocking accept
  }

  std::optional<Received> wait(std::chrono::milliseconds timeout = 10s) {
    std::unique_lock lock(mutex_);
    if (!arrived_.wait_for(lock, timeout, [&] { return !received_.empty(); })) return std::nullopt;
    auto first = received_.front();
    received_.erase(received_.begin());
    return first;
  }

 private:
  void serve() {
    while (!stopping_) {
      beast::error_code ec;
      auto socket = acceptor_.accept(ec);
      if (ec || stopping_) return;
      beast::flat_buffer buffer;
      beast::http::request<beast::http::string_body> request;
      beast::http::read(socket, buffer, request, ec);
      if (ec) continue;
      beast::http::response<beast::http::string_body> response{beast::http::status::ok, 11};
      response.body() = "OK";
      response.prepare_payload();
      beast::http::write(socket, response, ec);
      std::lock_guard lock(mutex_);
      received_.push_back({std::string(request.target()), std::string(request[beast::http::field::content_type]),
                           request.body()});
      arrived_.notify_all();
    }
  }

  net::io_context io_;
  net::ip::tcp::acceptor acceptor_;
  std::atomic<bool> stopping_{false};
  std::mutex mutex_;
  std::condition_variable arrived_;
  std::vector<Received> received_;
  std::jthread thread_;
};

Event io_alarm() {
  Event event;
  event.kind = EventKind::alarm_input;
  event.input = 1;
  event.state = EventState::active;
  event.wall_time = std::chrono::system_clock::now();
  event.sequence = 1;
  event.active_post_count = 1;
  return event;
}

class HttpHostsTest : public ::testing::Test {
 protected:
  HttpHostsOptions options() {
    HttpHostsOptions result;
    result.first_retry = 50ms;
    result.max_retry = 200ms;
    result.request_timeout = 2s;
    return result;
  }
  HttpHostSettings host(int port, AlertFormat format = AlertFormat::xml) {
    HttpHostSettings settings;
    settings.id = 1;
    settings.url = "/alarm";
    settings.address = "127.0.0.1";
    settings.port = static_cast<std::uint16_t>(port);
    settings.format = format;
    return settings;
  }
  core::RealtimeClock clock{std::chrono::system_clock::now()};
  core::EventBus bus;
};

TEST_F(HttpHostsTest, PostsEachAlertToTheHost) {
  const int port = test::free_tcp_port();
  AlarmServer server(port);
  HttpHosts hosts(clock, bus, options());
  ASSERT_TRUE(hosts.configure({host(port, AlertFormat::json)}));
  bus.publish(CenterNotification{io_alarm()});
  const auto received = server.wait();
  ASSERT_TRUE(received);
  EXPECT_EQ(received->target, "/alarm");
  EXPECT_TRUE(received->content_type.starts_with("application/json"));
  EXPECT_NE(received->body.find("\"eventType\":\"IO\""), std::string::npos) << received->body;
}

TEST_F(HttpHostsTest, RetriesWhileTheHostIsDownAndDeliversWhenItIsUp) {
  const int port = test::free_tcp_port();
  HttpHosts hosts(clock, bus, options());
  ASSERT_TRUE(hosts.configure({host(port)}));
  bus.publish(CenterNotification{io_alarm()});
  // Nothing listens yet: wait (bounded) until the worker has failed and retried.
  for (int i = 0; i < 5000 && (hosts.stats().empty() || hosts.stats()[0].failed_attempts < 2); ++i)
    std::this_thread::sleep_for(1ms);
  ASSERT_GE(hosts.stats()[0].failed_attempts, 2u);
  EXPECT_EQ(hosts.stats()[0].delivered, 0u);

  AlarmServer server(port);
  const auto received = server.wait();
  ASSERT_TRUE(received) << "the alert was not retried once the host came up";
  EXPECT_TRUE(received->content_type.starts_with("application/xml"));
  EXPECT_NE(received->body.find("<activePostCount>1</activePostCount>"), std::string::npos) << received->body;
  for (int i = 0; i < 5000 && hosts.stats()[0].delivered == 0; ++i) std::this_thread::sleep_for(1ms);
  EXPECT_EQ(hosts.stats()[0].delivered, 1u);
  EXPECT_EQ(hosts.stats()[0].dropped, 0u);
}

// The parts of a multipart body: each part's headers and its data, in order.
std::vector<std::pair<std::string, std::string>> multipart_parts(const std::string& body, const std::string& boundary) {
  std::vector<std::pair<std::string, std::string>> parts;
  const std::string delimiter = "--" + boundary;
  std::size_t at = body.find(delimiter);
  while (at != std::string::npos && body.compare(at + delimiter.size(), 2, "--") != 0) {
    const auto headers_start = at + delimiter.size() + 2;
    const auto headers_end = body.find("\r\n\r\n", headers_start);
    if (headers_end == std::string::npos) break;
    const auto next = body.find("\r\n" + delimiter, headers_end + 4);
    if (next == std::string::npos) break;
    parts.emplace_back(body.substr(headers_start, headers_end - headers_start),
                       body.substr(headers_end + 4, next - headers_end - 4));
    at = next + 2;
  }
  return parts;
}

TEST_F(HttpHostsTest, AnEventWithPicturesIsPostedAsMultipartFormDataWithEachPicture) {
  const int port = test::free_tcp_port();
  AlarmServer server(port);
  HttpHosts hosts(clock, bus, options());
  ASSERT_TRUE(hosts.configure({host(port)}));
  Event capture;
  capture.kind = EventKind::face_capture;
  capture.channel = 1;
  capture.wall_time = std::chrono::system_clock::now();
  capture.sequence = 7;
  // Picture bytes with line breaks, NULs and the start of a boundary: carried unchanged.
  const std::string face = std::string("\xff\xd8") + "face\r\n--camrig-alert-7" + std::string(1, '\0') + "\x01\xff\xd9";
  const std::string background = std::string("\xff\xd8") + "background\r\n\r\n" + "\xff\xd9";
  capture.pictures.push_back({"face", "", std::make_shared<const std::string>(face)});
  capture.pictures.push_back({"scene", "", std::make_shared<const std::string>(background)});
  bus.publish(CenterNotification{capture});

  const auto received = server.wait();
  ASSERT_TRUE(received);
  const std::string prefix = "multipart/form-data; boundary=";
  ASSERT_TRUE(received->content_type.starts_with(prefix)) << received->content_type;
  const auto boundary = received->content_type.substr(prefix.size());
  EXPECT_NE(boundary, "camrig-alert-7") << "the boundary occurs in a picture";
  const auto parts = multipart_parts(received->body, boundary);
  ASSERT_EQ(parts.size(), 3u) << received->body;
  EXPECT_NE(parts[0].first.find("name=\"faceCapture.xml\""), std::string::npos) << parts[0].first;
  EXPECT_NE(parts[0].first.find("application/xml"), std::string::npos);
  EXPECT_NE(parts[0].second.find("<eventType>faceCapture</eventType>"), std::string::npos) << parts[0].second;
  EXPECT_NE(parts[1].first.find("name=\"faceImage.jpg\""), std::string::npos) << parts[1].first;
  EXPECT_NE(parts[1].first.find("image/jpeg"), std::string::npos);
  EXPECT_EQ(parts[1].second, face);
  EXPECT_NE(parts[2].first.find("name=\"backgroundImage.jpg\""), std::string::npos) << parts[2].first;
  EXPECT_EQ(parts[2].second, background);

  // Without pictures the same event is the bare document.
  capture.pictures.clear();
  const auto bare = alert_request(capture, {}, AlertFormat::json);
  EXPECT_TRUE(bare.content_type.starts_with("application/json"));
  EXPECT_NE(bare.body.find("\"eventType\":\"faceCapture\""), std::string::npos) << bare.body;
}

TEST_F(HttpHostsTest, ValidatesTheSettings) {
  HttpHosts hosts(clock, bus, options());
  auto settings = host(80);
  settings.id = 4;
  EXPECT_FALSE(hosts.configure({settings}));
  settings = host(80);
  settings.url = "alarm";
  const auto refused = hosts.configure({settings});
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message.find("starting with '/'"), std::string::npos);
  settings = host(0);
  EXPECT_FALSE(hosts.configure({settings}));
  EXPECT_FALSE(hosts.configure({host(80), host(81)}));  // the same id twice
  EXPECT_EQ(hosts.settings().size(), 3u);
  EXPECT_TRUE(hosts.settings()[0].address.empty());  // nothing was applied
}

}  // namespace
}  // namespace camrig::events
