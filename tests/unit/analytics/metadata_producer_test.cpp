#include "device/analytics/metadata_producer.hpp"

#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <pugixml.hpp>

#include "device/analytics/behaviour_analysis.hpp"
#include "device/core/event_bus.hpp"
#include "tests/support/lockstep_test_clock.hpp"

namespace camrig::analytics {
namespace {

using namespace std::chrono_literals;

TEST(MetadataDocument, DescribesObjectsInOnvifCoordinatesWithYUp) {
  MetadataObject walker{7, {0.25, 0.5, 0.1, 0.4}, "Human", 0.8, {}};
  MetadataObject car{9, {0.0, 0.0, 0.5, 0.25}, "Vehicle", 0.6, "AB<12>"};
  const auto utc = hal::WallTime{std::chrono::seconds{1709294400}} + 40ms;
  const auto xml = scene_document(utc, {walker, car});

  pugi::xml_document document;
  ASSERT_TRUE(document.load_string(xml.c_str())) << xml;
  const auto root = document.child("tt:MetadataStream");
  ASSERT_TRUE(root) << xml;
  EXPECT_STREQ(root.attribute("xmlns:tt").value(), "http://www.onvif.org/ver10/schema");
  const auto frame = root.child("tt:VideoAnalytics").child("tt:Frame");
  ASSERT_TRUE(frame);
  EXPECT_STREQ(frame.attribute("UtcTime").value(), "2024-03-01T12:00:00.040Z");

  std::vector<pugi::xml_node> objects;
  for (auto object : frame.children("tt:Object")) objects.push_back(object);
  ASSERT_EQ(objects.size(), 2u);
  EXPECT_EQ(objects[0].attribute("ObjectId").as_int(), 7);
  const auto box = objects[0].child("tt:Appearance").child("tt:Shape").child("tt:BoundingBox");
  ASSERT_TRUE(box);
  // x 0.25..0.35 -> -0.5..-0.3; y 0.5..0.9 (down) -> 0..-0.8 (up)
  EXPECT_NEAR(box.attribute("left").as_double(), -0.5, 1e-4);
  EXPECT_NEAR(box.attribute("right").as_double(), -0.3, 1e-4);
  EXPECT_NEAR(box.attribute("top").as_double(), 0.0, 1e-4);
  EXPECT_NEAR(box.attribute("bottom").as_double(), -0.8, 1e-4);
  const auto centre = objects[0].child("tt:Appearance").child("tt:Shape").child("tt:CenterOfGravity");
  EXPECT_NEAR(centre.attribute("x").as_double(), -0.4, 1e-4);
  EXPECT_NEAR(centre.attribute("y").as_double(), -0.4, 1e-4);
  const auto type = objects[0].child("tt:Appearance").child("tt:Class").child("tt:Type");
  EXPECT_STREQ(type.text().get(), "Human");
  EXPECT_NEAR(type.attribute("Likelihood").as_double(), 0.8, 1e-4);

  const auto car_appearance = objects[1].child("tt:Appearance");
  EXPECT_STREQ(car_appearance.child("tt:Class").child("tt:Type").text().get(), "Vehicle");
  EXPECT_STREQ(car_appearance.child("tt:LicensePlateInfo").child("tt:PlateNumber").text().get(), "AB<12>")
      << "plate text is escaped, not spliced into the XML";
  const auto car_box = car_appearance.child("tt:Shape").child("tt:BoundingBox");
  EXPECT_NEAR(car_box.attribute("left").as_double(), -1.0, 1e-4);
  EXPECT_NEAR(car_box.attribute("top").as_double(), 1.0, 1e-4);
}

TEST(MetadataDocument, AnEmptySceneIsAFrameWithoutObjects) {
  const auto xml = scene_document(hal::WallTime{}, {});
  pugi::xml_document document;
  ASSERT_TRUE(document.load_string(xml.c_str()));
  const auto frame = document.child("tt:MetadataStream").child("tt:VideoAnalytics").child("tt:Frame");
  ASSERT_TRUE(frame);
  EXPECT_FALSE(frame.child("tt:Object"));
}

TEST(OnvifRectangle, MapsThePictureCornersToMinusOneAndOne) {
  const auto whole = onvif_rectangle({0, 0, 1, 1});
  EXPECT_DOUBLE_EQ(whole.left, -1);
  EXPECT_DOUBLE_EQ(whole.right, 1);
  EXPECT_DOUBLE_EQ(whole.top, 1);
  EXPECT_DOUBLE_EQ(whole.bottom, -1);
}

AnalysisFrame empty_frame(hal::Nanos time, std::uint64_t sequence) {
  AnalysisFrame frame;
  frame.time = time;
  frame.sequence = sequence;
  frame.luma = cv::Mat(36, 64, CV_8UC1, cv::Scalar(0));
  return frame;
}

TEST(MetadataProducer, PublishesOnlyToListenersAndRepeatsAnUnchangedSceneOncePerSecond) {
  test::LockstepTestClock clock;
  auto stream = std::make_shared<media::MetadataStream>();
  auto behaviour = std::make_shared<BehaviourAnalysis>();
  MetadataProducer producer(stream, behaviour, clock);
  const EventSink sink = [](events::Event) {};

  producer.analyse(empty_frame(0ms, 1), sink);  // nobody listens: nothing is built
  std::vector<media::MetadataDocument> received;
  auto subscription = stream->subscribe([&](const media::MetadataDocument& document) { received.push_back(document); });

  for (int i = 0; i < 30; ++i) {
    const hal::Nanos time = std::chrono::milliseconds(80 * (i + 1));
    behaviour->analyse(empty_frame(time, i + 2), sink);
    producer.analyse(empty_frame(time, i + 2), sink);
  }
  // Frames at 80 ms .. 2400 ms: the first at once, then 1 s later each while nothing changes.
  ASSERT_EQ(received.size(), 3u);
  EXPECT_EQ(received[0].content, media::MetadataContent::analytics);
  EXPECT_EQ(received[0].packet->timestamp, 80ms);
  EXPECT_EQ(received[1].packet->timestamp, 1120ms);
  EXPECT_EQ(received[2].packet->timestamp, 2160ms);
  const std::string xml(received[0].packet->data.begin(), received[0].packet->data.end());
  EXPECT_NE(xml.find("<tt:Frame UtcTime=\"2024-03-01T12:00:00.080Z\""), std::string::npos) << xml;

  subscription.reset();
  behaviour->analyse(empty_frame(4000ms, 40), sink);
  producer.analyse(empty_frame(4000ms, 40), sink);
  EXPECT_EQ(received.size(), 3u) << "no consumer is called after its subscription ends";
}

traffic::PlateRead plate_read(int channel, std::uint64_t id, std::string plate) {
  traffic::PlateRead read;
  read.channel = channel;
  read.id = id;
  read.plate = std::move(plate);
  read.confidence = 0.85;
  read.plate_box = {640, 360, 128, 36};
  read.frame = std::make_shared<hal::VideoFrame>(1280, 720);
  return read;
}

events::RecordedEvent face_capture(int channel, std::uint64_t track, events::Box box, int quality) {
  events::Event event;
  event.kind = events::EventKind::face_capture;
  event.channel = channel;
  events::Target target;
  target.box = box;
  target.object_class = "human";
  target.track_id = track;
  target.face_quality = quality;
  event.target = target;
  return {event};
}

std::vector<pugi::xml_node> objects_in(const pugi::xml_document& document) {
  std::vector<pugi::xml_node> objects;
  for (auto object : document.child("tt:MetadataStream").child("tt:VideoAnalytics").child("tt:Frame").children("tt:Object"))
    objects.push_back(object);
  return objects;
}

TEST(MetadataObjects, APlateReadIsALicensePlateWithItsNumberWhereTheFrameShowsIt) {
  const auto object = plate_object(plate_read(1, 3, "AB123"));
  ASSERT_TRUE(object);
  EXPECT_EQ(object->id, k_plate_object_ids + 3);
  EXPECT_EQ(object->type, "LicensePlate");
  EXPECT_EQ(object->plate, "AB123");
  EXPECT_DOUBLE_EQ(object->likelihood, 0.85);
  EXPECT_NEAR(object->box.x, 0.5, 1e-9);
  EXPECT_NEAR(object->box.y, 0.5, 1e-9);
  EXPECT_NEAR(object->box.width, 0.1, 1e-9);
  EXPECT_NEAR(object->box.height, 0.05, 1e-9);
  EXPECT_FALSE(plate_object(plate_read(1, 4, ""))) << "a vehicle without a plate read is no plate object";
  auto without_frame = plate_read(1, 5, "CD456");
  without_frame.frame.reset();
  EXPECT_FALSE(plate_object(without_frame));
}

TEST(MetadataObjects, AFaceCaptureIsAHumanFaceOfItsTrack) {
  const auto object = face_object(face_capture(1, 4, {0.1, 0.2, 0.05, 0.1}, 70).event);
  ASSERT_TRUE(object);
  EXPECT_EQ(object->id, k_face_object_ids + 4);
  EXPECT_EQ(object->type, "HumanFace");
  EXPECT_DOUBLE_EQ(object->likelihood, 0.7);
  EXPECT_DOUBLE_EQ(object->box.y, 0.2);
  events::Event motion;
  motion.kind = events::EventKind::motion;
  EXPECT_FALSE(face_object(motion));
}

TEST(MetadataProducer, ShowsThePlatesAndFacesOfItsChannelForTheRecognitionTime) {
  test::LockstepTestClock clock;
  core::EventBus bus;
  auto stream = std::make_shared<media::MetadataStream>();
  auto behaviour = std::make_shared<BehaviourAnalysis>();
  MetadataProducer producer(stream, behaviour, clock, &bus);
  const EventSink sink = [](events::Event) {};
  std::vector<std::string> received;
  auto subscription = stream->subscribe([&](const media::MetadataDocument& document) {
    received.emplace_back(document.packet->data.begin(), document.packet->data.end());
  });
  auto analyse = [&](hal::Nanos time, std::uint64_t sequence) {
    behaviour->analyse(empty_frame(time, sequence), sink);
    producer.analyse(empty_frame(time, sequence), sink);
  };

  analyse(80ms, 1);
  ASSERT_EQ(received.size(), 1u);
  bus.publish(plate_read(1, 3, "AB123"));
  bus.publish(plate_read(2, 4, "ZZ999"));  // another channel's
  bus.publish(face_capture(1, 4, {0.1, 0.2, 0.05, 0.1}, 70));
  bus.publish(face_capture(2, 5, {0.1, 0.2, 0.05, 0.1}, 70));
  analyse(160ms, 2);
  ASSERT_EQ(received.size(), 2u) << "new objects are described at once";

  pugi::xml_document document;
  ASSERT_TRUE(document.load_string(received[1].c_str())) << received[1];
  const auto objects = objects_in(document);
  ASSERT_EQ(objects.size(), 2u) << received[1];
  const auto plate = objects[0].child("tt:Appearance");
  EXPECT_EQ(objects[0].attribute("ObjectId").as_ullong(), k_plate_object_ids + 3);
  EXPECT_STREQ(plate.child("tt:Class").child("tt:Type").text().get(), "LicensePlate");
  EXPECT_STREQ(plate.child("tt:LicensePlateInfo").child("tt:PlateNumber").text().get(), "AB123");
  EXPECT_NEAR(plate.child("tt:LicensePlateInfo").child("tt:PlateNumber").attribute("Likelihood").as_double(), 0.85, 1e-4);
  EXPECT_NEAR(plate.child("tt:Shape").child("tt:BoundingBox").attribute("left").as_double(), 0.0, 1e-4);
  EXPECT_NEAR(plate.child("tt:Shape").child("tt:BoundingBox").attribute("right").as_double(), 0.2, 1e-4);
  EXPECT_STREQ(objects[1].child("tt:Appearance").child("tt:Class").child("tt:Type").text().get(), "HumanFace");

  // The recognitions leave the scene a second after they came; the next description says so.
  for (int i = 0; i < 15; ++i) analyse(240ms + 80ms * i, 3 + i);
  pugi::xml_document last;
  ASSERT_TRUE(last.load_string(received.back().c_str()));
  EXPECT_TRUE(objects_in(last).empty()) << received.back();
}

TEST(FollowOwner, KeepsTheRecognitionsPlaceWithinItsOwner) {
  // The owner moved right and down and grew to twice its size: the plate on its lower middle stays there.
  const events::Box car_then{0.2, 0.2, 0.2, 0.2}, car_now{0.4, 0.3, 0.4, 0.4};
  const auto plate = follow_owner({0.28, 0.35, 0.04, 0.02}, car_then, car_now);
  EXPECT_NEAR(plate.x, 0.56, 1e-9);
  EXPECT_NEAR(plate.y, 0.6, 1e-9);
  EXPECT_NEAR(plate.width, 0.08, 1e-9);
  EXPECT_NEAR(plate.height, 0.04, 1e-9);

  // A person cut at the picture's bottom edge: his size is read from his width and the face keeps
  // its distance from the top of his head, not from the cut.
  const events::Box near{0.5, 0.4, 0.2, 0.6}, far{0.55, 0.45, 0.1, 0.55};
  const auto face = follow_owner({0.56, 0.44, 0.08, 0.1}, near, far);
  EXPECT_NEAR(face.x, 0.58, 1e-9);
  EXPECT_NEAR(face.y, 0.47, 1e-9);
  EXPECT_NEAR(face.width, 0.04, 1e-9);
  EXPECT_NEAR(face.height, 0.05, 1e-9);

  // Never outside the picture.
  const auto out = follow_owner({0.1, 0.1, 0.1, 0.1}, {0.1, 0.1, 0.1, 0.1}, {0.95, 0.5, 0.3, 0.3});
  EXPECT_LE(out.x + out.width, 1.0 + 1e-9);
}

//! A frame whose foreground is one bright box at `box` (analysis pixels of a 160 x 90 picture).
AnalysisFrame frame_with_box(hal::Nanos time, std::uint64_t sequence, cv::Rect box) {
  AnalysisFrame frame;
  frame.time = time;
  frame.sequence = sequence;
  frame.luma = cv::Mat(90, 160, CV_8UC1, cv::Scalar(60));
  frame.foreground = cv::Mat(90, 160, CV_8UC1, cv::Scalar(0));
  frame.luma(box).setTo(220);
  frame.foreground(box).setTo(255);
  frame.full = std::make_shared<hal::VideoFrame>(1600, 900);
  return frame;
}

// A plate read is reported after the frame it was read in, when its car has driven on: it is the
// car it lay in then that owns it, and it is shown where that car is now.
TEST(MetadataProducer, AReadReportedLateBelongsToTheVehicleItWasReadOnAndMovesWithIt) {
  test::LockstepTestClock clock;
  core::EventBus bus;
  auto stream = std::make_shared<media::MetadataStream>();
  auto behaviour = std::make_shared<BehaviourAnalysis>();
  behaviour->set_tracking_wanted([] { return true; });
  MetadataProducer producer(stream, behaviour, clock, &bus);
  const EventSink sink = [](events::Event) {};
  std::vector<std::string> received;
  auto subscription = stream->subscribe([&](const media::MetadataDocument& document) {
    received.emplace_back(document.packet->data.begin(), document.packet->data.end());
  });
  // After 10 frames of the empty road, a car 30 x 20 analysis pixels drives right, 2 pixels a frame.
  const auto car_at = [](int i) { return i < 10 ? cv::Rect() : cv::Rect(10 + 2 * (i - 10), 40, 30, 20); };
  const auto time_of = [](int i) { return hal::Nanos(std::chrono::milliseconds(40 * (i + 1))); };
  for (int i = 0; i < 50; ++i) {
    if (i == 40) {
      // Read on frame 30, on the car's lower middle (full-frame pixels, 10 per analysis pixel).
      auto read = plate_read(1, 7, "KX482TR");
      read.frame = std::make_shared<hal::VideoFrame>(1600, 900);
      read.time = time_of(30);
      read.plate_box = {(car_at(30).x + 11) * 10, (car_at(30).y + 14) * 10, 80, 20};
      bus.publish(read);
    }
    const auto frame = frame_with_box(time_of(i), static_cast<std::uint64_t>(i + 1), car_at(i));
    behaviour->analyse(frame, sink);
    producer.analyse(frame, sink);
  }
  pugi::xml_document document;
  ASSERT_TRUE(document.load_string(received.back().c_str())) << received.back();
  pugi::xml_node car, plate;
  for (auto object : objects_in(document)) {
    const std::string type = object.child("tt:Appearance").child("tt:Class").child_value("tt:Type");
    if (type == "Vehicle") car = object;
    if (type == "LicensePlate") plate = object;
  }
  ASSERT_TRUE(car) << received.back();
  ASSERT_TRUE(plate) << received.back();
  EXPECT_EQ(plate.attribute("Parent").as_ullong(), car.attribute("ObjectId").as_ullong()) << received.back();
  // The car has gone 19 frames (38 analysis pixels) further than where the plate was read, and the
  // plate with it.
  const auto box = [](pugi::xml_node object) { return object.child("tt:Appearance").child("tt:Shape").child("tt:BoundingBox"); };
  const double car_left = box(car).attribute("left").as_double();
  const double plate_left = box(plate).attribute("left").as_double();
  // 11 analysis pixels into the car, of 160 across the picture's 2 ONVIF units.
  EXPECT_NEAR(plate_left - car_left, 11 * 2 / 160.0, 0.02) << received.back();
  EXPECT_NEAR(plate_left, 2 * (car_at(49).x + 11) / 160.0 - 1, 0.03) << received.back();
}

}  // namespace
}  // namespace camrig::analytics
