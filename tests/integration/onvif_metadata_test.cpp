// The ONVIF metadata track of an RTSP stream (Profile M/T): off by default (no track in the SDP);
// with stream.101.metadata.enabled the SDP carries it, both tracks play over one TCP connection,
// the reassembled tt:MetadataStream documents place a walking person where the simulated world
// has it with his class, carry the motion he sets off as ONVIF notification messages, conform to the
// ONVIF schema, and ffmpeg still plays the video of the same URL.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <mutex>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <pugixml.hpp>

#include "conformance/onvif_schema.hpp"
#include "device/camera/camera.hpp"
#include "device/core/realtime_clock.hpp"
#include "sim/world/world.hpp"
#include "sim/world/world_description.hpp"
#include "sim/world_video_source.hpp"
#include "tests/support/onvif_metadata_reader.hpp"
#include "tests/support/process.hpp"
#include "tests/unit/rtsp/raw_rtsp_client.hpp"

namespace camrig {
namespace {

using namespace std::chrono_literals;
using rtsp::test::RawRtspClient;

constexpr const char* kPassword = "Camrig-test-1";

// One person walking across the picture, 12 m in front of a camera 6 m up.
constexpr const char* kWalkerScene = R"(
seed: 5
scene: {type: plaza, plaza_size: 60, start_y: 0}
cameras: [{position: [0, 0], height: 6, tilt: 24, fov: 60, resolution: [640, 360]}]
weather: {sensor_noise: 2}
actors:
  - {kind: person, path: [[-7, 12], [7, 12]], speed: 1.4, spawn: 0, every: 60}
)";

//! The person's box at one frame, normalised to the picture (y down).
struct TruthBox {
  double x = 0, y = 0, width = 0, height = 0;
};

class OnvifMetadata : public ::testing::Test {
 protected:
  void SetUp() override {
    auto description = sim::parse_world_description(kWalkerScene, "walker");
    ASSERT_TRUE(description) << description.error().message;
    auto world = sim::World::create(*description);
    ASSERT_TRUE(world) << world.error().message;
    world_ = std::move(*world);
    shared_ = std::make_unique<sim::SharedWorld>(*world_);
    const hal::VideoFormat format{1280, 720, {10, 1}};
    renderer_ = std::make_unique<sim::SceneRenderer>(world_->layout(), description->seed, format.frame_rate.value());
    source_ = std::make_unique<sim::WorldVideoSource>(
        *shared_, *renderer_, world_->cameras().at(0), format,
        [this](hal::Nanos deadline, std::stop_token stop) { return clock_.sleep_until(deadline, stop); });
    source_->on_ground_truth([this](std::uint64_t, const sim::WorldSnapshot& snapshot, const sim::CameraModel& camera) {
      for (const auto& actor : snapshot.actors) {
        if (actor.kind != sim::ActorKind::person) continue;
        const auto box = camera.box_of(actor.position, actor.heading, actor.length, actor.width, actor.height);
        if (!box) continue;
        std::lock_guard lock(truth_mutex_);
        truth_[snapshot.time.count()] = {box->x / 1280.0, box->y / 720.0, box->width / 1280.0, box->height / 720.0};
      }
    });

    auto profile = core::DeviceProfile::builtin("network-camera");
    ASSERT_TRUE(profile) << profile.error().message;
    rtsp_port_ = test::free_tcp_port();
    camera::CameraOptions options;
    options.settings = {{"network.rtsp_port", std::to_string(rtsp_port_)},
                        {"network.http_port", std::to_string(test::free_tcp_port())},
                        {"security.rtsp_authentication", "digest/basic"},
                        {"stream.101.resolution", "1280x720"},
                        {"stream.101.frame_rate", "10"},
                        {"stream.102.frame_rate", "10"},
                        {"channel.1.motion.enabled", "true"}};
    options.rtsp_bind_address = "127.0.0.1";
    options.http_bind_address = "127.0.0.1";
    options.admin_password = kPassword;
    auto camera = camera::Camera::start(*profile, {&clock_, {{1, source_.get()}}}, options);
    ASSERT_TRUE(camera) << camera.error().message;
    camera_ = std::move(*camera);
  }

  void TearDown() override { camera_.reset(); }

  std::string url() const { return "rtsp://127.0.0.1:" + std::to_string(rtsp_port_) + "/Streaming/Channels/101"; }
  static std::string login() { return test::rtsp_basic_login("admin", kPassword); }

  std::optional<TruthBox> truth_at(hal::Nanos time) {
    std::lock_guard lock(truth_mutex_);
    auto it = truth_.lower_bound(time.count() - 50'000'000);
    if (it == truth_.end() || std::abs(it->first - time.count()) > 50'000'000) return std::nullopt;
    return it->second;
  }

  core::RealtimeClock clock_{std::chrono::system_clock::now()};
  std::unique_ptr<sim::World> world_;
  std::unique_ptr<sim::SharedWorld> shared_;
  std::unique_ptr<sim::SceneRenderer> renderer_;
  std::unique_ptr<sim::WorldVideoSource> source_;
  std::unique_ptr<camera::Camera> camera_;
  int rtsp_port_ = 0;
  std::mutex truth_mutex_;
  std::map<std::int64_t, TruthBox> truth_;  //!< by world time, ns
};

TEST_F(OnvifMetadata, TheMetadataTrackDescribesTheWalkerWhereTheWorldHasHim) {
  RawRtspClient client(static_cast<std::uint16_t>(rtsp_port_));
  auto off = client.request("DESCRIBE", url(), login());
  ASSERT_TRUE(off);
  ASSERT_EQ(off->status, 200) << off->body;
  EXPECT_EQ(off->body.find("m=application"), std::string::npos) << "metadata is off by default:\n" << off->body;
  auto no_track = client.request("SETUP", url() + "/trackID=2", login() + "Transport: RTP/AVP/TCP;unicast;interleaved=2-3\r\n");
  ASSERT_TRUE(no_track);
  EXPECT_EQ(no_track->status, 404);

  ASSERT_TRUE(camera_->config().set_text("stream.101.metadata.enabled", "true"));
  auto described = client.request("DESCRIBE", url(), login());
  ASSERT_TRUE(described);
  ASSERT_EQ(described->status, 200);
  EXPECT_NE(described->body.find("m=application 0 RTP/AVP 107\r\n"), std::string::npos) << described->body;
  EXPECT_NE(described->body.find("a=rtpmap:107 VND.ONVIF.metadata/90000\r\n"), std::string::npos) << described->body;

  auto video = client.request("SETUP", url() + "/trackID=1", login() + "Transport: RTP/AVP/TCP;unicast;interleaved=0-1\r\n");
  ASSERT_TRUE(video);
  ASSERT_EQ(video->status, 200) << video->body;
  const auto session = video->header("session").substr(0, video->header("session").find(';'));
  auto metadata = client.request("SETUP", url() + "/trackID=2",
                                 login() + "Session: " + session + "\r\nTransport: RTP/AVP/TCP;unicast;interleaved=2-3\r\n");
  ASSERT_TRUE(metadata);
  ASSERT_EQ(metadata->status, 200) << metadata->body;
  EXPECT_NE(metadata->header("transport").find("interleaved=2-3"), std::string::npos) << metadata->header("transport");
  auto play = client.request("PLAY", url(), login() + "Session: " + session + "\r\n");
  ASSERT_TRUE(play);
  ASSERT_EQ(play->status, 200);
  EXPECT_NE(play->header("rtp-info").find("trackID=2;seq="), std::string::npos) << play->header("rtp-info");

  auto schema = conformance::OnvifSchema::load();
  ASSERT_TRUE(schema) << schema.error().message;

  // Read documents until enough of them match the ground truth and the walker's motion has been told.
  test::MetadataDocumentReader reader(client);
  int matched = 0;
  std::string last_document;
  std::string last_scene;
  bool human = false;
  std::string motion_message;
  const auto origin = clock_.wall_time() - std::chrono::duration_cast<hal::WallTime::duration>(clock_.now());
  const auto deadline = std::chrono::steady_clock::now() + 20s;
  while ((matched < 5 || motion_message.empty()) && std::chrono::steady_clock::now() < deadline) {
    auto document = reader.next(2s);
    if (!document) break;
    ASSERT_EQ(document->payload_type, 107);
    last_document = std::move(document->xml);

    pugi::xml_document xml;
    ASSERT_TRUE(xml.load_string(last_document.c_str())) << last_document;
    EXPECT_EQ(test::onvif_schema_errors(**schema, last_document), "") << last_document;
    if (const auto events = xml.child("tt:MetadataStream").child("tt:Event")) {
      for (auto notification : events.children("wsnt:NotificationMessage")) {
        const std::string topic = notification.child_value("wsnt:Topic");
        EXPECT_EQ(topic.rfind("tns1:", 0), 0u) << last_document;
        if (topic == "tns1:VideoSource/MotionAlarm") motion_message = last_document;
      }
      continue;
    }
    const auto scene = xml.child("tt:MetadataStream").child("tt:VideoAnalytics").child("tt:Frame");
    ASSERT_TRUE(scene) << last_document;
    last_scene = last_document;
    human = human || last_scene.find(">Human</tt:Type>") != std::string::npos;
    const auto utc = test::parse_onvif_utc(scene.attribute("UtcTime").value());
    ASSERT_TRUE(utc) << scene.attribute("UtcTime").value();
    const auto truth = truth_at(std::chrono::duration_cast<hal::Nanos>(*utc - origin));
    if (!truth) continue;
    // The truth in ONVIF's frame: -1..1, y up.
    const double truth_x = 2 * (truth->x + truth->width / 2) - 1;
    const double truth_y = 1 - 2 * (truth->y + truth->height / 2);
    for (auto object : scene.children("tt:Object")) {
      const auto box = object.child("tt:Appearance").child("tt:Shape").child("tt:BoundingBox");
      const double x = (box.attribute("left").as_double() + box.attribute("right").as_double()) / 2;
      const double y = (box.attribute("top").as_double() + box.attribute("bottom").as_double()) / 2;
      ASSERT_GT(box.attribute("top").as_double(), box.attribute("bottom").as_double()) << "y points up";
      if (std::abs(x - truth_x) < 0.15 && std::abs(y - truth_y) < 0.25) {
        ++matched;
        break;
      }
    }
  }
  const int documents = reader.documents(), video_packets = reader.video_packets();
  std::printf("metadata: %d documents, %d matching the ground truth, %d video packets\n", documents, matched, video_packets);
  EXPECT_GE(matched, 5) << documents << " documents, " << video_packets << " video packets; last:\n" << last_document;
  EXPECT_GT(video_packets, 0);
  EXPECT_NE(last_scene.find("<tt:Type Likelihood="), std::string::npos) << last_scene;
  EXPECT_TRUE(human) << "the walker is never classed a human; last:\n" << last_scene;

  // The motion he sets off, as the Event service's pull point tells it: topic, time, state change.
  ASSERT_FALSE(motion_message.empty()) << "no tns1:VideoSource/MotionAlarm in " << documents << " documents";
  pugi::xml_document events;
  ASSERT_TRUE(events.load_string(motion_message.c_str()));
  pugi::xml_node message;
  for (auto notification : events.child("tt:MetadataStream").child("tt:Event").children("wsnt:NotificationMessage"))
    if (std::string(notification.child_value("wsnt:Topic")) == "tns1:VideoSource/MotionAlarm")
      message = notification.child("wsnt:Message").child("tt:Message");
  ASSERT_TRUE(message) << motion_message;
  EXPECT_TRUE(test::parse_onvif_utc(message.attribute("UtcTime").value())) << motion_message;
  EXPECT_STREQ(message.attribute("PropertyOperation").value(), "Changed");
  EXPECT_STREQ(message.child("tt:Source").child("tt:SimpleItem").attribute("Value").value(), "VideoSource_1");
  EXPECT_STREQ(message.child("tt:Data").child("tt:SimpleItem").attribute("Name").value(), "State");
  client.request("TEARDOWN", url(), login() + "Session: " + session + "\r\n");

  // ffmpeg still plays the video of the same URL next to the metadata track.
  const auto played = test::run_process({"ffmpeg", "-v", "error", "-rtsp_transport", "tcp", "-i",
                                         "rtsp://admin:" + std::string(kPassword) + "@127.0.0.1:" +
                                             std::to_string(rtsp_port_) + "/Streaming/Channels/101",
                                         "-map", "0:v", "-frames:v", "5", "-f", "null", "-"},
                                        30s);
  EXPECT_EQ(played.exit_code, 0) << played.err;
}

}  // namespace
}  // namespace camrig
