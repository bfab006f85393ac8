// EventNotificationAlert documents and the alertStream clients: the multipart part, no empty
// element, activePostCount on the wire, the idle heartbeat on the device clock, and a slow client
// that loses only its own oldest alerts while a fast one loses none.
#include <condition_variable>
#include <thread>
#include <regex>

#include <gtest/gtest.h>
#include <pugixml.hpp>

#include "device/events/alert_document.hpp"
#include "device/events/alert_stream.hpp"
#include "tests/support/lockstep_test_clock.hpp"

namespace camrig::events {
namespace {

using namespace std::chrono_literals;

// The session side of a response stream: waits (on the stream's wake-up, no polling) for chunks.
class StreamReader {
 public:
  explicit StreamReader(std::shared_ptr<http::ResponseStream> stream) : stream_(std::move(stream)) {
    stream_->set_wake([this] {
      std::lock_guard lock(mutex_);
      ++wakes_;
      changed_.notify_all();
    });
  }
  ~StreamReader() { stream_->set_wake(nullptr); }

  std::optional<std::string> next(std::chrono::milliseconds timeout = 5s) {
    std::unique_lock lock(mutex_);
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      bool finished = false;
      if (auto chunk = stream_->take(finished)) return chunk;
      if (finished) return std::nullopt;
      const auto seen = wakes_;
      if (!changed_.wait_until(lock, deadline, [&] { return wakes_ != seen; })) return std::nullopt;
    }
  }

 private:
  std::shared_ptr<http::ResponseStream> stream_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::uint64_t wakes_ = 0;
};

std::string element(const std::string& xml, const std::string& name) {
  std::smatch match;
  if (std::regex_search(xml, match, std::regex("<" + name + ">([^<]*)</" + name + ">"))) return match[1];
  return {};
}

Event io_alarm(int post_count) {
  Event event;
  event.kind = EventKind::alarm_input;
  event.input = 2;
  event.state = EventState::active;
  event.wall_time = hal::WallTime{test::LockstepTestClock::k_wall_origin};
  event.sequence = 7;
  event.active_post_count = post_count;
  return event;
}

TEST(AlertDocument, CarriesTheFieldsClientsParseAndNoEmptyElement) {
  const auto xml = alert_xml(io_alarm(1), {"192.168.1.64", 80, "44:19:b6:00:00:01", "HTTP", {}});
  pugi::xml_document doc;
  ASSERT_TRUE(doc.load_string(xml.c_str()));
  const auto root = doc.child("EventNotificationAlert");
  ASSERT_TRUE(root);
  EXPECT_STREQ(root.attribute("xmlns").value(), "http://www.hikvision.com/ver20/XMLSchema");
  EXPECT_STREQ(root.child_value("ipAddress"), "192.168.1.64");
  EXPECT_STREQ(root.child_value("portNo"), "80");
  EXPECT_STREQ(root.child_value("macAddress"), "44:19:b6:00:00:01");
  EXPECT_STREQ(root.child_value("channelID"), "1");
  EXPECT_STREQ(root.child_value("dateTime"), "2024-03-01T12:00:00+00:00");
  EXPECT_STREQ(root.child_value("activePostCount"), "1");
  EXPECT_STREQ(root.child_value("eventType"), "IO");
  EXPECT_STREQ(root.child_value("eventState"), "active");
  EXPECT_STREQ(root.child_value("eventDescription"), "IO alarm");
  EXPECT_STREQ(root.child_value("inputIOPortID"), "2");
  for (const auto& node : root.select_nodes("//*")) {
    const auto element_node = node.node();
    if (!element_node.first_child()) ADD_FAILURE() << "empty element <" << element_node.name() << ">";
  }
}

TEST(AlertDocument, JsonHasTheSameFields) {
  const auto json = alert_json(io_alarm(3), {});
  EXPECT_NE(json.find("\"activePostCount\":3"), std::string::npos) << json;
  EXPECT_NE(json.find("\"eventType\":\"IO\""), std::string::npos);
  EXPECT_NE(json.find("\"dateTime\":\"2024-03-01T12:00:00+00:00\""), std::string::npos);
}

TEST(AlertDocument, PartIsAMultipartMixedBodyPart) {
  const auto part = alert_stream_part("<x/>");
  EXPECT_EQ(part, "--boundary\r\nContent-Type: application/xml; charset=\"UTF-8\"\r\nContent-Length: 4\r\n\r\n<x/>\r\n");
}

class AlertStreamsTest : public ::testing::Test {
 protected:
  test::LockstepTestClock clock;
  core::EventBus bus;
};

TEST_F(AlertStreamsTest, AlertsReachTheClientInOrderWithTheirPostCount) {
  AlertStreamOptions options;
  AlertStreams streams(clock, bus, options);
  auto stream = std::make_shared<http::ResponseStream>(16);
  StreamReader reader(stream);
  streams.open(stream);
  for (int post = 1; post <= 3; ++post) bus.publish(CenterNotification{io_alarm(post)});
  for (int post = 1; post <= 3; ++post) {
    const auto chunk = reader.next();
    ASSERT_TRUE(chunk);
    EXPECT_TRUE(chunk->starts_with("--boundary\r\n"));
    EXPECT_EQ(element(*chunk, "activePostCount"), std::to_string(post));
  }
}

TEST_F(AlertStreamsTest, AnIdleStreamGetsAVideolossHeartbeatEveryInterval) {
  auto streams = std::make_unique<AlertStreams>(clock, bus, AlertStreamOptions{});
  auto stream = std::make_shared<http::ResponseStream>(16);
  StreamReader reader(stream);
  streams->open(stream);
  clock.advance_to(10s - 1ms);
  EXPECT_FALSE(reader.next(50ms));
  clock.advance_to(10s);
  auto chunk = reader.next();
  ASSERT_TRUE(chunk);
  EXPECT_EQ(element(*chunk, "eventType"), "videoloss");
  EXPECT_EQ(element(*chunk, "eventState"), "inactive");
  EXPECT_EQ(element(*chunk, "activePostCount"), "0");
  clock.advance_to(20s);
  chunk = reader.next();
  ASSERT_TRUE(chunk);
  EXPECT_EQ(element(*chunk, "eventType"), "videoloss");
  EXPECT_EQ(element(*chunk, "dateTime"), "2024-03-01T12:00:20+00:00");
  ASSERT_EQ(streams->clients().size(), 1u);
  // The writer counts a part just after handing it over; the reader may see it first.
  for (int i = 0; i < 2000 && streams->clients()[0].heartbeats < 2; ++i) std::this_thread::sleep_for(1ms);
  EXPECT_EQ(streams->clients()[0].heartbeats, 2u);
}

TEST_F(AlertStreamsTest, ASlowClientDropsItsOwnOldestAlertsAndTheFastOneNone) {
  AlertStreamOptions options;
  options.queue_capacity = 32;
  AlertStreams streams(clock, bus, options);
  auto slow = std::make_shared<http::ResponseStream>(1);  // never read: its socket is stuck
  auto fast = std::make_shared<http::ResponseStream>(64);
  StreamReader fast_reader(fast);
  streams.open(slow);
  streams.open(fast);
  int received = 0;
  for (int burst = 0; burst < 5; ++burst) {
    for (int i = 0; i < 30; ++i) bus.publish(CenterNotification{io_alarm(burst * 30 + i + 1)});
    // Publishing never waited for the slow client; the fast one keeps up between bursts.
    for (int i = 0; i < 30; ++i) {
      const auto chunk = fast_reader.next();
      ASSERT_TRUE(chunk) << "fast client stalled at alert " << received;
      EXPECT_EQ(element(*chunk, "activePostCount"), std::to_string(++received));
    }
  }
  const auto clients = streams.clients();
  ASSERT_EQ(clients.size(), 2u);
  EXPECT_GT(clients[0].dropped, 0u);
  EXPECT_EQ(clients[1].dropped, 0u);
}

TEST_F(AlertStreamsTest, AClientThatWentAwayIsNoticedAtTheNextHeartbeat) {
  AlertStreams streams(clock, bus, AlertStreamOptions{});
  auto stream = std::make_shared<http::ResponseStream>(16);
  streams.open(stream);
  stream->close();  // what the HTTP session does when the peer disconnects
  clock.advance_to(10s);
  // The writer notices on its own thread; nothing signals that, so wait for it, bounded.
  for (int i = 0; i < 2000 && streams.clients()[0].open; ++i) std::this_thread::sleep_for(1ms);
  EXPECT_FALSE(streams.clients()[0].open);
  // The next client's arrival releases the finished one and its queue.
  streams.open(std::make_shared<http::ResponseStream>(16));
  EXPECT_EQ(streams.clients().size(), 1u);
  EXPECT_EQ(bus.subscriber_count<CenterNotification>(), 1u);
}

}  // namespace
}  // namespace camrig::events
