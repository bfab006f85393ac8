// A face captured on the simulated world reaches a real alertStream client (curl over HTTP): the
// EventNotificationAlert names the face and background pictures, each follows as an image/jpeg
// part with the Content-ID and file name the document gives, both decode, and the face box the
// document reports is the person's true face, shown in the face picture and in the background.
#include <signal.h>

#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <gtest/gtest.h>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <pugixml.hpp>

#include "device/analytics/face_capture.hpp"
#include "device/analytics/video_analytics.hpp"
#include "device/events/alert_stream.hpp"
#include "device/http/server.hpp"
#include "device/security/authenticator.hpp"
#include "sim/world/actor_parts.hpp"
#include "sim/world/world_description.hpp"
#include "sim/world_video_source.hpp"
#include "tests/support/lockstep_test_clock.hpp"
#include "tests/support/process.hpp"

namespace camrig::analytics {
namespace {

using namespace std::chrono_literals;
namespace net = boost::asio;

// One person walking up to the camera; quick shot captures the face as soon as it is good enough.
constexpr const char* k_scene = R"(
seed: 5
scene: {type: plaza, plaza_size: 40, start_y: -5}
cameras: [{position: [0, 0], height: 2.0, pan: 0, tilt: 4, fov: 40, resolution: [1280, 720]}]
weather: {sensor_noise: 2}
actors:
  - {kind: person, path: [[0.6, 11], [0.6, 1.2]], spawn: 1.5, count: 1}
)";

struct Capture {
  events::Event event;
  cv::Rect truth;  //!< the person's face in the captured frame (ground truth of the world)
};

// Runs the scene until the first capture; the truth is taken from the frame the capture shows.
std::optional<Capture> first_capture() {
  auto description = sim::parse_world_description(k_scene, "face alert scene");
  if (!description) return std::nullopt;
  auto world = sim::World::create(*description);
  if (!world) return std::nullopt;
  sim::SharedWorld shared(**world);
  sim::SceneRenderer renderer((*world)->layout(), description->seed, 12.5);
  sim::WorldVideoSource source(shared, renderer, (*world)->cameras().at(0), {1280, 720, {25, 2}}, sim::FramePacer{});
  std::map<std::int64_t, cv::Rect> faces;
  source.on_ground_truth([&](std::uint64_t, const sim::WorldSnapshot& snapshot, const sim::CameraModel& camera) {
    for (const auto& actor : snapshot.actors)
      if (const auto face = sim::face_of(actor, camera))
        if (const auto box = sim::image_box(*face, camera))
          faces[snapshot.time.count()] = cv::Rect(box->x, box->y, box->width, box->height);
  });
  FaceCaptureSettings settings;
  settings.enabled = true;
  settings.quick_shot = true;
  auto capture = FaceCapture::create(settings);
  if (!capture) return std::nullopt;
  std::vector<events::Event> captured;
  VideoAnalytics analytics({}, [&](events::Event e) { captured.push_back(std::move(e)); });
  analytics.add(*capture);
  std::stop_source stop;
  while (auto frame = source.read(stop.get_token())) {
    analytics.process(frame);
    if (!captured.empty() || frame->timestamp > 12s) break;
  }
  if (captured.empty()) return std::nullopt;
  const auto truth = faces.find(captured.front().device_time.count());
  if (truth == faces.end()) return std::nullopt;
  return Capture{captured.front(), truth->second};
}

struct Part {
  std::map<std::string, std::string> headers;  //!< lower-case names
  std::string body;
};

// The multipart/mixed parts of the stream, framed by their Content-Length as clients do.
std::vector<Part> parts_of(const std::string& stream) {
  std::vector<Part> parts;
  std::size_t at = 0;
  while ((at = stream.find("--boundary\r\n", at)) != std::string::npos) {
    const auto head_end = stream.find("\r\n\r\n", at);
    if (head_end == std::string::npos) break;
    Part part;
    std::size_t line = at + 12;
    while (line < head_end) {
      const auto end = stream.find("\r\n", line);
      const auto text = stream.substr(line, end - line);
      const auto colon = text.find(':');
      if (colon != std::string::npos) {
        std::string name = text.substr(0, colon);
        for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        part.headers[name] = text.substr(text.find_first_not_of(' ', colon + 1));
      }
      line = end + 2;
    }
    const auto length = std::stoul(part.headers["content-length"]);
    if (head_end + 4 + length > stream.size()) break;
    part.body = stream.substr(head_end + 4, length);
    at = head_end + 4 + length;
    parts.push_back(std::move(part));
  }
  return parts;
}

cv::Mat decode(const std::string& jpeg) {
  return cv::imdecode(std::vector<std::uint8_t>(jpeg.begin(), jpeg.end()), cv::IMREAD_GRAYSCALE);
}

class FaceCaptureAlertTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = security::UserAccounts::open(":memory:", "camrig", security::PasswordPolicy::for_profile("network-camera"));
    ASSERT_TRUE(opened);
    accounts = std::move(*opened);
    lock = std::make_unique<security::IllegalLoginLock>(clock, [] { return security::IllegalLoginLockSettings{}; });
    authenticator = std::make_unique<security::Authenticator>(*accounts, *lock, clock);
    streams = std::make_unique<events::AlertStreams>(clock, bus, events::AlertStreamOptions{});
    router.add(http::beast_http::verb::get, "/ISAPI/Event/notification/alertStream", std::nullopt,
               [this](http::RequestContext&) -> Result<http::Reply> {
                 http::Reply reply;
                 reply.response.result(http::beast_http::status::ok);
                 reply.response.set(http::beast_http::field::content_type, events::k_alert_stream_content_type);
                 reply.stream = std::make_shared<http::ResponseStream>(16);
                 streams->open(reply.stream);
                 return reply;
               });
    http::ServerOptions options;
    options.bind_address = "127.0.0.1";
    options.port = 0;
    server = std::make_unique<http::Server>(io, options, router, *authenticator);
    ASSERT_TRUE(server->start());
    io_thread = std::jthread([this] {
      auto work = net::make_work_guard(io);
      io.run();
    });
  }
  void TearDown() override {
    streams->stop();
    server->stop();
    io.stop();
    io_thread.join();
  }

  test::LockstepTestClock clock;
  core::EventBus bus;
  std::unique_ptr<security::UserAccounts> accounts;
  std::unique_ptr<security::IllegalLoginLock> lock;
  std::unique_ptr<security::Authenticator> authenticator;
  std::unique_ptr<events::AlertStreams> streams;
  http::Router router;
  net::io_context io;
  std::unique_ptr<http::Server> server;
  std::jthread io_thread;
};

TEST_F(FaceCaptureAlertTest, TheAlertStreamCarriesTheFaceAndBackgroundPicturesTheDocumentNames) {
  const auto capture = first_capture();
  ASSERT_TRUE(capture) << "the person walking up to the camera was not captured";
  const auto url = "http://127.0.0.1:" + std::to_string(server->port()) + "/ISAPI/Event/notification/alertStream";
  test::ChildProcess client({"curl", "-s", "-N", "--max-time", "30", url});
  ASSERT_TRUE(client.started());
  // Alerts published from the moment the client's stream opened reach it.
  for (int i = 0; i < 5000 && streams->clients().empty(); ++i) std::this_thread::sleep_for(1ms);
  ASSERT_EQ(streams->clients().size(), 1u);

  auto alert = capture->event;
  alert.sequence = 1;
  alert.active_post_count = 1;
  alert.wall_time = hal::WallTime{test::LockstepTestClock::k_wall_origin};
  bus.publish(events::CenterNotification{alert});
  // A later alert marks the end of the face capture's parts on the wire.
  events::Event io_alarm;
  io_alarm.kind = events::EventKind::alarm_input;
  io_alarm.input = 1;
  io_alarm.sequence = 2;
  io_alarm.active_post_count = 1;
  bus.publish(events::CenterNotification{io_alarm});
  const auto received = client.wait_for_output("<eventType>IO</eventType>", 20s);
  ASSERT_TRUE(received) << client.output().size() << " bytes before the client stopped";
  client.stop(SIGTERM, 5s);

  const auto parts = parts_of(*received);
  ASSERT_GE(parts.size(), 4u);
  pugi::xml_document doc;
  ASSERT_TRUE(doc.load_string(parts[0].body.c_str())) << parts[0].body;
  const auto root = doc.child("EventNotificationAlert");
  EXPECT_STREQ(root.child_value("eventType"), "faceCapture");
  EXPECT_STREQ(root.child_value("detectionPicturesNumber"), "2");
  std::map<std::string, std::string> files;  // Content-ID -> file name, as the document names them
  for (auto info : root.child("pictureInfoList").children("pictureInfo")) files[info.child_value("pId")] = info.child_value("fileName");
  ASSERT_EQ(files.size(), 2u) << parts[0].body;

  cv::Mat face_picture, background;
  for (std::size_t i = 1; i <= 2; ++i) {
    const auto& part = parts[i];
    EXPECT_EQ(part.headers.at("content-type"), "image/jpeg");
    EXPECT_EQ(part.headers.at("content-length"), std::to_string(part.body.size()));
    const auto& id_header = part.headers.at("content-id");
    const auto id = id_header.substr(1, id_header.size() - 2);  // <id>
    ASSERT_TRUE(files.contains(id)) << id;
    EXPECT_NE(part.headers.at("content-disposition").find("filename=\"" + files[id] + "\""), std::string::npos);
    if ("cid:" + id == root.child("faceCapture").child("faces").child("face").child_value("URL")) face_picture = decode(part.body);
    if ("cid:" + id == std::string(root.child_value("bkgUrl"))) background = decode(part.body);
  }
  ASSERT_FALSE(face_picture.empty()) << "the face picture part is missing or no JPEG";
  ASSERT_FALSE(background.empty()) << "the background picture part is missing or no JPEG";
  EXPECT_EQ(background.size(), cv::Size(1280, 720));

  // The document's face box is the person's true face.
  const auto rect = root.child("faceCapture").child("faces").child("face").child("faceRect");
  const cv::Rect box(cvRound(rect.child("x").text().as_double() * 1280), cvRound(rect.child("y").text().as_double() * 720),
                     cvRound(rect.child("width").text().as_double() * 1280),
                     cvRound(rect.child("height").text().as_double() * 720));
  const double inter = (box & capture->truth).area();
  EXPECT_GE(inter / (box.area() + capture->truth.area() - inter), 0.3) << "box " << box << ", true face " << capture->truth;
  // The face picture is that region of the background: found there, around the box.
  cv::Mat score;
  cv::matchTemplate(background, face_picture, score, cv::TM_SQDIFF_NORMED);
  double least = 0;
  cv::Point at;
  cv::minMaxLoc(score, &least, nullptr, &at);
  EXPECT_LT(least, 0.02);
  const cv::Rect located(at, face_picture.size());
  EXPECT_EQ((located & box).area(), box.area()) << "face box " << box << " not inside the face picture at " << located;
  // And it shows a face: the stock cascade finds one in it.
  cv::CascadeClassifier cascade(kFrontalFaceCascade);
  std::vector<cv::Rect> found;
  cascade.detectMultiScale(face_picture, found, 1.1, 3, 0, {24, 24});
  EXPECT_FALSE(found.empty()) << "no face in the face picture";
}

}  // namespace
}  // namespace camrig::analytics
