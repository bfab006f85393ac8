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

Event face_capture_with_pictures() {
  Event event;
  event.kind = EventKind::face_capture;
  event.channel = 1;
  event.wall_time = hal::WallTime{test::LockstepTestClock::k_wall_origin};
  event.sequence = 12;
  event.active_post_count = 1;
  Target target;
  target.box = Box{0.25, 0.5, 0.0625, 0.125};
  target.track_id = 4;
  target.face_quality = 88;
  event.target = target;
  event.pictures.push_back({"face", "", std::make_shared<const std::string>("\xff\xd8 face \r\n--boundary\r\n \xff\xd9")});
  event.pictures.push_back({"scene", "", std::make_shared<const std::string>("\xff\xd8 background \xff\xd9")});
  return event;
}

TEST(AlertDocument, NamesEachCarriedPictureAndTheFaceOfAFaceCapture) {
  const auto xml = alert_xml(face_capture_with_pictures(), {});
  pugi::xml_document doc;
  ASSERT_TRUE(doc.load_string(xml.c_str())) << xml;
  const auto root = doc.child("EventNotificationAlert");
  EXPECT_STREQ(root.child_value("eventType"), "faceCapture");
  EXPECT_STREQ(root.child_value("detectionPictureTransType"), "binary");
  EXPECT_STREQ(root.child_value("detectionPicturesNumber"), "2");
  EXPECT_STREQ(root.child_value("bkgUrl"), "cid:backgroundImage-12@camrig");
  std::vector<std::string> files, ids;
  for (auto info : root.child("pictureInfoList").children("pictureInfo")) {
    files.emplace_back(info.child_value("fileName"));
    ids.emplace_back(info.child_value("pId"));
  }
  EXPECT_EQ(files, (std::vector<std::string>{"faceImage.jpg", "backgroundImage.jpg"}));
  EXPECT_EQ(ids, (std::vector<std::string>{"faceImage-12@camrig", "backgroundImage-12@camrig"}));
  const auto face = root.child("faceCapture").child("faces").child("face");
  EXPECT_STREQ(face.child_value("faceId"), "4");
  EXPECT_STREQ(face.child_value("faceScore"), "88");
  EXPECT_STREQ(face.child("faceRect").child_value("x"), "0.25");
  EXPECT_STREQ(face.child("faceRect").child_value("height"), "0.125");
  EXPECT_STREQ(face.child_value("URL"), "cid:faceImage-12@camrig");
  for (const auto& node : root.select_nodes("//*"))
    if (!node.node().first_child()) ADD_FAILURE() << "empty element <" << node.node().name() << ">";

  const auto json = alert_json(face_capture_with_pictures(), {});
  EXPECT_NE(json.find("\"URL\":\"cid:faceImage-12@camrig\""), std::string::npos) << json;
  EXPECT_NE(json.find("\"pId\":\"backgroundImage-12@camrig\""), std::string::npos) << json;

  // Without pictures (face picture and background upload off) nothing names one.
  auto bare = face_capture_with_pictures();
  bare.pictures.clear();
  const auto bare_xml = alert_xml(bare, {});
  EXPECT_EQ(bare_xml.find("pictureInfoList"), std::string::npos) << bare_xml;
  EXPECT_EQ(bare_xml.find("cid:"), std::string::npos) << bare_xml;
  EXPECT_NE(bare_xml.find("<faceScore>88</faceScore>"), std::string::npos) << bare_xml;
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

TEST_F(AlertStreamsTest, AFaceCaptureIsFollowedByItsPicturesInOneWriteAndNoLinkagePicture) {
  AlertStreamOptions options;
  int linkage_pictures = 0;
  options.picture = [&](const Event&) -> std::optional<AlertPicture> {
    ++linkage_pictures;
    return AlertPicture{"alarm-picture@camrig", "\xff\xd8 linkage \xff\xd9"};
  };
  AlertStreams streams(clock, bus, options);
  auto stream = std::make_shared<http::ResponseStream>(16);
  StreamReader reader(stream);
  streams.open(stream);
  const auto capture = face_capture_with_pictures();
  bus.publish(CenterNotification{capture});
  const auto chunk = reader.next();
  ASSERT_TRUE(chunk);
  EXPECT_EQ(linkage_pictures, 0);
  // Framed by Content-Length: the face picture's own "--boundary" line does not end it.
  std::vector<std::pair<std::string, std::string>> parts;
  std::size_t at = 0;
  while ((at = chunk->find("--boundary\r\n", at)) != std::string::npos) {
    const auto head_end = chunk->find("\r\n\r\n", at);
    ASSERT_NE(head_end, std::string::npos);
    const auto head = chunk->substr(at, head_end - at);
    const auto length_at = head.find("Content-Length: ");
    ASSERT_NE(length_at, std::string::npos) << head;
    const auto length = std::stoul(head.substr(length_at + 16));
    parts.emplace_back(head, chunk->substr(head_end + 4, length));
    at = head_end + 4 + length;
    ASSERT_EQ(chunk->substr(at, 2), "\r\n");
  }
  ASSERT_EQ(parts.size(), 3u) << *chunk;
  EXPECT_NE(parts[0].first.find("application/xml"), std::string::npos);
  EXPECT_NE(parts[1].first.find("Content-Disposition: form-data; name=\"faceImage.jpg\"; filename=\"faceImage.jpg\"\r\n"
                                "Content-Type: image/jpeg\r\n"),
            std::string::npos)
      << parts[1].first;
  EXPECT_NE(parts[1].first.find("Content-ID: <faceImage-12@camrig>"), std::string::npos) << parts[1].first;
  EXPECT_EQ(parts[1].second, *capture.pictures[0].jpeg);
  EXPECT_NE(parts[2].first.find("Content-ID: <backgroundImage-12@camrig>"), std::string::npos) << parts[2].first;
  EXPECT_EQ(parts[2].second, *capture.pictures[1].jpeg);
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
