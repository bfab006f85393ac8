// Recognitions on the ONVIF metadata track, end to end: on the LPR camera a car with a known plate
// drives up the lane and the track carries a LicensePlate object with that plate number inside the
// Vehicle it belongs to; on the network camera with face capture a person walks towards the camera
// and the track carries a HumanFace object inside the Human it belongs to. Both read over RTSP as a
// client does, every document checked against the ONVIF schema.
#include <chrono>
#include <cmath>
#include <cstdio>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>
#include <pugixml.hpp>

#include "conformance/onvif_schema.hpp"
#include "device/camera/camera.hpp"
#include "device/core/realtime_clock.hpp"
#include "sim/virtual_inputs.hpp"
#include "sim/virtual_relays.hpp"
#include "sim/world/actor_parts.hpp"
#include "sim/world/world.hpp"
#include "sim/world/world_description.hpp"
#include "sim/world_video_source.hpp"
#include "tests/support/onvif_metadata_reader.hpp"
#include "tests/support/process.hpp"

namespace camrig {
namespace {

using namespace std::chrono_literals;
using rtsp::test::RawRtspClient;

constexpr const char* kPassword = "Camrig-test-1";
constexpr const char* kPlate = "AB123CD";

// The LPR camera's lane (as in scenarios/lpr) without a barrier: one car drives up, stops 12 m out
// for a while, as at a gate, and drives on under the camera. It comes once the client plays the
// track, so the tracker, which runs only for a listener, has learnt the empty road.
constexpr const char* kLaneScene = R"(
seed: 11
scene: {type: road, lanes: 1, start_y: -10, end_y: 60, sidewalk_width: 2.0}
cameras:
  - {name: lpr, position: [3.0, 0], height: 5.0, pan: -6, tilt: 16, fov: 35, resolution: [1280, 720], fps: 10}
lighting: {mode: day}
actors:
  - {name: car, kind: car, colour: blue, path: [[0, 30], {at: [0, 12], wait: 3}, [0, -10]], speed: 5, plate: {text: AB123CD, format: eu}, spawn: 3}
)";

// A building entrance (as in scenarios/analytics/face_detection.yaml): one person walks from the
// door towards the camera, face first, and turns back to the door; he too comes once the track plays. Face capture's best shot (its
// default) is taken when the face has gone, while the person walks away: the face must be shown
// where he is then, not where his face was.
constexpr const char* kEntranceScene = R"(
seed: 10
scene: {type: building_entrance, wall_y: 15, door_x: 0, door_width: 2, plaza_size: 30, start_y: 0}
cameras:
  - {name: entrance, position: [0, 0], height: 2.2, tilt: 5, fov: 40, resolution: [1280, 720], fps: 10}
actors:
  - {name: visitor, kind: person, path: [[0.4, 9.5], [0.4, 4.0], [0.4, 12]], speed: 1.3, spawn: 3}
)";

//! Where the world has the part a recognition is of (a plate, a face), in ONVIF's frame; nullopt
//! while it is not in the picture.
using TruthOf = std::function<std::optional<test::SceneObject>(const sim::WorldSnapshot&, const sim::CameraModel&)>;

//! A picture box in pixels of a 1280 x 720 frame in ONVIF's frame (-1..1, y up).
test::SceneObject onvif_box(const sim::ImageBox& box) {
  test::SceneObject object;
  object.left = 2 * box.x / 1280.0 - 1;
  object.right = 2 * (box.x + box.width) / 1280.0 - 1;
  object.top = 1 - 2 * box.y / 720.0;
  object.bottom = 1 - 2 * (box.y + box.height) / 720.0;
  return object;
}

//! A camera of `profile` looking at a world described by `scene` in real time, with RTSP on a
//! free port and the metadata track of stream 101 on; `truth` is recorded for every frame.
class SimulatedCamera {
 public:
  void start(const char* scene, const char* profile_name, std::vector<std::pair<std::string, std::string>> settings,
             TruthOf truth) {
    auto description = sim::parse_world_description(scene, profile_name);
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
    source_->on_ground_truth([this, truth = std::move(truth)](std::uint64_t, const sim::WorldSnapshot& snapshot,
                                                              const sim::CameraModel& camera) {
      auto part = truth(snapshot, camera);
      std::lock_guard lock(truth_mutex_);
      truth_[snapshot.time.count()] = std::move(part);
    });

    auto profile = core::DeviceProfile::builtin(profile_name);
    ASSERT_TRUE(profile) << profile.error().message;
    inputs_ = std::make_unique<sim::VirtualInputs>(clock_, profile->capabilities.alarm_inputs);
    relays_ = std::make_unique<sim::VirtualRelays>(clock_, profile->capabilities.alarm_outputs);
    rtsp_port_ = test::free_tcp_port();
    camera::CameraOptions options;
    options.settings = {{"network.rtsp_port", std::to_string(rtsp_port_)},
                        {"network.http_port", std::to_string(test::free_tcp_port())},
                        {"security.rtsp_authentication", "digest/basic"},
                        {"stream.101.resolution", "1280x720"},
                        {"stream.101.frame_rate", "10"},
                        {"stream.102.frame_rate", "10"},
                        {"stream.101.metadata.enabled", "true"}};
    options.settings.insert(options.settings.end(), settings.begin(), settings.end());
    options.rtsp_bind_address = "127.0.0.1";
    options.http_bind_address = "127.0.0.1";
    options.admin_password = kPassword;
    camera::CameraHardware hardware{&clock_, {{1, source_.get()}}};
    hardware.inputs = inputs_.get();
    hardware.relays = relays_.get();
    auto camera = camera::Camera::start(*profile, hardware, options);
    ASSERT_TRUE(camera) << camera.error().message;
    camera_ = std::move(*camera);
  }

  ~SimulatedCamera() { camera_.reset(); }

  int rtsp_port() const { return rtsp_port_; }

  //! The recorded truth of the frame at the wall time `utc` (a document's UtcTime).
  std::optional<test::SceneObject> truth_at(hal::WallTime utc) {
    const auto origin = clock_.wall_time() - std::chrono::duration_cast<hal::WallTime::duration>(clock_.now());
    const auto time = std::chrono::duration_cast<hal::Nanos>(utc - origin).count();
    std::lock_guard lock(truth_mutex_);
    auto it = truth_.lower_bound(time - 50'000'000);
    if (it == truth_.end() || std::abs(it->first - time) > 50'000'000) return std::nullopt;
    return it->second;
  }
  std::string url() const { return "rtsp://127.0.0.1:" + std::to_string(rtsp_port_) + "/Streaming/Channels/101"; }

 private:
  core::RealtimeClock clock_{std::chrono::system_clock::now()};
  // Written by the sensor's thread, so they outlive it.
  std::mutex truth_mutex_;
  std::map<std::int64_t, std::optional<test::SceneObject>> truth_;  //!< by world time, ns
  std::unique_ptr<sim::World> world_;
  std::unique_ptr<sim::SharedWorld> shared_;
  std::unique_ptr<sim::SceneRenderer> renderer_;
  std::unique_ptr<sim::WorldVideoSource> source_;
  std::unique_ptr<sim::VirtualInputs> inputs_;
  std::unique_ptr<sim::VirtualRelays> relays_;
  std::unique_ptr<camera::Camera> camera_;
  int rtsp_port_ = 0;
};

//! What reading the track until a recognition showed up found.
struct Found {
  std::string document;                   //!< the first scene holding the wanted object; "" if none
  std::string utc;                        //!< its UtcTime
  std::vector<test::SceneObject> objects;  //!< its objects
  test::SceneObject object;                //!< the wanted one
  int documents = 0;
  int recognitions = 0;  //!< objects of that type in all documents read
  std::string schema_errors;
};

//! Plays the camera's stream 101 with its metadata and reads scene descriptions for up to
//! `seconds` until one holds an object `wanted` accepts (its type already `type`).
template <class Wanted>
Found read_until(SimulatedCamera& camera, const std::string& type, std::chrono::seconds seconds, Wanted wanted) {
  Found found;
  auto schema = conformance::OnvifSchema::load();
  EXPECT_TRUE(schema) << schema.error().message;
  if (!schema) return found;
  RawRtspClient client(static_cast<std::uint16_t>(camera.rtsp_port()));
  const auto login = test::rtsp_basic_login("admin", kPassword);
  const auto session = test::play_video_and_metadata(client, camera.url(), login);
  EXPECT_TRUE(session) << session.error().message;
  if (!session) return found;

  test::MetadataDocumentReader reader(client);
  const auto deadline = std::chrono::steady_clock::now() + seconds;
  while (found.document.empty() && std::chrono::steady_clock::now() < deadline) {
    auto document = reader.next();
    if (!document) break;
    EXPECT_EQ(document->payload_type, 107);
    // Every document conforms, not only the one looked for.
    if (auto errors = test::onvif_schema_errors(**schema, document->xml); !errors.empty() && found.schema_errors.empty())
      found.schema_errors = errors + document->xml;
    pugi::xml_document xml;
    EXPECT_TRUE(xml.load_string(document->xml.c_str())) << document->xml;
    const auto frame = xml.child("tt:MetadataStream").child("tt:VideoAnalytics").child("tt:Frame");
    if (!frame) continue;  // an event document
    auto objects = test::scene_objects(frame);
    for (const auto& object : objects) {
      if (object.type != type) continue;
      ++found.recognitions;
      if (found.document.empty() && wanted(object)) {
        found.document = document->xml;
        found.utc = frame.attribute("UtcTime").value();
        found.object = object;
      }
    }
    if (!found.document.empty()) found.objects = std::move(objects);
  }
  found.documents = reader.documents();
  client.request("TEARDOWN", camera.url(), login + "Session: " + *session + "\r\n");
  return found;
}

//! How far the centre of `shown` lies from the centre of `truth`, as a share of the picture's
//! width and height (ONVIF's frame spans 2 units each way).
double centre_offset(const test::SceneObject& shown, const test::SceneObject& truth) {
  const double dx = (shown.left + shown.right - truth.left - truth.right) / 2;
  const double dy = (shown.top + shown.bottom - truth.top - truth.bottom) / 2;
  return std::hypot(dx, dy) / 2;
}

// A recognition is reported after the frame it was made in and must be shown where its owner has
// taken it since, within this share of the picture of where the world has it. Shown where it was
// made instead, the plate is 0.03 away and the face 0.21; following their owners, 0.004 to 0.007
// and 0.005 to 0.016.
constexpr double kPlateTolerance = 0.015;
constexpr double kFaceTolerance = 0.08;

//! The object of `objects` with id `id`, if any.
std::optional<test::SceneObject> object_with_id(const std::vector<test::SceneObject>& objects, std::uint64_t id) {
  for (const auto& object : objects)
    if (object.id == id) return object;
  return std::nullopt;
}

TEST(OnvifMetadataObjects, TheLprCameraDescribesTheReadPlateInsideItsVehicle) {
  SimulatedCamera camera;
  // The truth: the car's front plate.
  ASSERT_NO_FATAL_FAILURE(camera.start(kLaneScene, "lpr-camera", {},
                                       [](const sim::WorldSnapshot& snapshot, const sim::CameraModel& lens) {
                                         std::optional<test::SceneObject> plate;
                                         for (const auto& actor : snapshot.actors)
                                           if (actor.kind == sim::ActorKind::car)
                                             if (const auto corners = sim::plate_corners(actor, true))
                                               if (const auto box = sim::image_box(*corners, lens)) plate = onvif_box(*box);
                                         return plate;
                                       }));
  const auto started = std::chrono::steady_clock::now();
  const auto found = read_until(camera, "LicensePlate", 30s, [](const test::SceneObject& plate) {
    return plate.plate == kPlate;
  });
  std::printf("lpr: %d documents, %d plate objects, plate found after %.1f s\n", found.documents, found.recognitions,
              std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
  ASSERT_FALSE(found.document.empty()) << "no LicensePlate " << kPlate << " in " << found.documents << " documents";
  EXPECT_EQ(found.schema_errors, "");
  // The plate belongs to the car: its Parent is a Vehicle of the same frame, around the plate.
  ASSERT_NE(found.object.parent, 0u) << found.document;
  const auto vehicle = object_with_id(found.objects, found.object.parent);
  ASSERT_TRUE(vehicle) << "the Parent is no object of the frame:\n" << found.document;
  EXPECT_EQ(vehicle->type, "Vehicle") << found.document;
  EXPECT_TRUE(vehicle->contains(found.object, 0.02)) << found.document;
  EXPECT_GT(found.object.top, found.object.bottom) << "y points up";
  // Where the world has the plate in that frame, though it was read from earlier ones.
  const auto utc = test::parse_onvif_utc(found.utc);
  ASSERT_TRUE(utc) << found.utc;
  const auto truth = camera.truth_at(*utc);
  ASSERT_TRUE(truth) << "the plate is out of the picture at " << found.utc << ":\n" << found.document;
  const double offset = centre_offset(found.object, *truth);
  std::printf("lpr: plate shown %.3f of the picture from where the world has it\n", offset);
  EXPECT_LT(offset, kPlateTolerance) << found.document;
}

TEST(OnvifMetadataObjects, TheFaceCaptureCameraDescribesTheFaceInsideItsPerson) {
  SimulatedCamera camera;
  // The truth: the person's face, or where it is on his head while he turns it away.
  ASSERT_NO_FATAL_FAILURE(camera.start(kEntranceScene, "network-camera", {{"channel.1.face_capture.enabled", "true"}},
                                       [](const sim::WorldSnapshot& snapshot, const sim::CameraModel& lens) {
                                         std::optional<test::SceneObject> face;
                                         for (const auto& actor : snapshot.actors)
                                           if (actor.kind == sim::ActorKind::person)
                                             if (const auto part = sim::face_of(actor, lens))
                                               if (const auto box = sim::image_box(*part, lens)) face = onvif_box(*box);
                                         return face;
                                       }));
  const auto started = std::chrono::steady_clock::now();
  const auto found = read_until(camera, "HumanFace", 30s, [](const test::SceneObject&) { return true; });
  std::printf("face: %d documents, %d face objects, face found after %.1f s\n", found.documents, found.recognitions,
              std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
  ASSERT_FALSE(found.document.empty()) << "no HumanFace in " << found.documents << " documents";
  EXPECT_EQ(found.schema_errors, "");
  ASSERT_NE(found.object.parent, 0u) << found.document;
  const auto person = object_with_id(found.objects, found.object.parent);
  ASSERT_TRUE(person) << "the Parent is no object of the frame:\n" << found.document;
  EXPECT_EQ(person->type, "Human") << found.document;
  EXPECT_TRUE(person->contains(found.object, 0.02)) << found.document;
  // Where the world has the face in that frame, though it was captured in an earlier one.
  const auto utc = test::parse_onvif_utc(found.utc);
  ASSERT_TRUE(utc) << found.utc;
  const auto truth = camera.truth_at(*utc);
  ASSERT_TRUE(truth) << "the face is out of the picture at " << found.utc << ":\n" << found.document;
  const double offset = centre_offset(found.object, *truth);
  std::printf("face: face shown %.3f of the picture from where the world has it\n", offset);
  EXPECT_LT(offset, kFaceTolerance) << found.document;
}

}  // namespace
}  // namespace camrig
