#include "sim/world/ground_truth.hpp"

#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "sim/world/actor_parts.hpp"

namespace camrig::sim {
namespace {

using namespace std::chrono_literals;

CameraPose lpr_camera() {
  CameraPose pose;
  pose.position = {0, 0, 5};
  pose.tilt_degrees = 20;
  pose.horizontal_fov_degrees = 40;
  return pose;
}

Actor approaching_car(std::uint32_t id, double y) {
  Actor car;
  car.id = id;
  car.kind = ActorKind::car;
  car.position = {0, y, 0};
  car.heading = std::numbers::pi;
  car.plate = Plate{"AB-123-CD", PlateFormat::eu, true, true};
  return car;
}

TEST(GroundTruth, FrameRecordHasBoxesPlateFaceAndOcclusion) {
  WorldSnapshot snap;
  snap.time = 1500ms;
  snap.actors.push_back(approaching_car(1, 14));
  snap.actors.push_back(approaching_car(2, 22));  // straight behind the first, partly hidden
  Actor person;
  person.id = 3;
  person.kind = ActorKind::person;
  person.position = {-3, 12, 0};
  person.heading = std::numbers::pi;
  person.length = 0.35;
  person.width = 0.5;
  person.height = 1.8;
  snap.actors.push_back(person);
  Actor far;
  far.id = 4;
  far.position = {0, -20, 0};  // behind the camera
  snap.actors.push_back(far);

  const auto record = frame_record(2, 37, snap, lpr_camera());
  EXPECT_EQ(record["type"], "frame");
  EXPECT_DOUBLE_EQ(record["time"].get<double>(), 1.5);
  EXPECT_EQ(record["channel"], 2);
  EXPECT_EQ(record["frame"], 37);
  const auto& actors = record["actors"];
  ASSERT_EQ(actors.size(), 4u);

  const CameraModel camera(lpr_camera());
  const auto& first = actors[0];
  EXPECT_EQ(first["id"], 1);
  EXPECT_EQ(first["class"], "car");
  const auto body = camera.box_of(snap.actors[0].position, snap.actors[0].heading, 4.5, 1.8, 1.5);
  ASSERT_TRUE(body);
  EXPECT_EQ(first["box"], nlohmann::ordered_json::array({body->x, body->y, body->width, body->height}));
  EXPECT_DOUBLE_EQ(first["visible"].get<double>(), 1.0);
  EXPECT_DOUBLE_EQ(first["occluded"].get<double>(), 0.0);
  EXPECT_EQ(first["plate"]["text"], "AB-123-CD");
  EXPECT_EQ(first["plate"]["end"], "front");
  const auto plate = image_box(*plate_corners(snap.actors[0], true), camera);
  EXPECT_EQ(first["plate"]["box"], nlohmann::ordered_json::array({plate->x, plate->y, plate->width, plate->height}));

  const auto& second = actors[1];
  EXPECT_GT(second["occluded"].get<double>(), 0.2);
  EXPECT_LT(second["visible"].get<double>(), 0.8);

  const auto& walker = actors[2];
  EXPECT_EQ(walker["class"], "person");
  EXPECT_TRUE(walker["face"]["frontal"].get<bool>());
  EXPECT_FALSE(walker.contains("plate"));

  EXPECT_TRUE(actors[3]["box"].is_null());
  EXPECT_DOUBLE_EQ(actors[3]["visible"].get<double>(), 0.0);

  // Keys come out in a stable order.
  EXPECT_EQ(record.dump().substr(0, 44), R"({"type":"frame","time":1.5,"channel":2,"fram)");
}

TEST(GroundTruth, CameraMovedShiftsTheBoxes) {
  WorldSnapshot snap;
  snap.actors.push_back(approaching_car(1, 14));
  const auto still = frame_record(1, 0, snap, lpr_camera());
  snap.effects.pan_offset_degrees = 5;
  const auto moved = frame_record(1, 0, snap, lpr_camera());
  // Panning right moves the scene left in the picture.
  EXPECT_LT(moved["actors"][0]["box"][0].get<int>(), still["actors"][0]["box"][0].get<int>());
}

TEST(GroundTruth, WriterWritesOneJsonObjectPerLine) {
  const auto path = std::filesystem::temp_directory_path() / "camrig_ground_truth_test.jsonl";
  {
    auto writer = GroundTruthWriter::open(path.string());
    ASSERT_TRUE(writer) << writer.error().message;
    WorldSnapshot snap;
    snap.time = 40ms;
    snap.actors.push_back(approaching_car(9, 15));
    EXPECT_FALSE((*writer)->write_frame(1, 1, snap));  // no camera for channel 1 yet
    (*writer)->set_camera(1, lpr_camera());
    EXPECT_TRUE((*writer)->write_frame(1, 1, snap));
    (*writer)->write_event(WorldEvent{2500ms, "line_crossing", "entry", 9, "A->B"});
    (*writer)->write_event(WorldEvent{3s, "light_switch", "dusk", 0, ""});
    (*writer)->flush();
  }
  std::ifstream in(path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  std::filesystem::remove(path);
  ASSERT_EQ(lines.size(), 3u);
  const auto frame = nlohmann::json::parse(lines[0]);
  EXPECT_EQ(frame["actors"][0]["id"], 9);
  EXPECT_EQ(lines[1], R"({"type":"event","time":2.5,"kind":"line_crossing","name":"entry","actor":9,"direction":"A->B"})");
  EXPECT_EQ(lines[2], R"({"type":"event","time":3.0,"kind":"light_switch","name":"dusk"})");
  EXPECT_FALSE(GroundTruthWriter::open("/nonexistent-dir/gt.jsonl"));
}

}  // namespace
}  // namespace camrig::sim
