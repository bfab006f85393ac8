// The face capture ISAPI resource through the router: the document maps to
// channel.<id>.face_capture.* and back; values the analytics refuse change nothing. The smart
// display keeps the latest captures with pictures, lists them, returns a picture and packs a ZIP.
#include <gtest/gtest.h>
#include <pugixml.hpp>

#include <nlohmann/json.hpp>
#include <thread>

#include "device/events/smart_display.hpp"
#include "device/traffic/zip_archive.hpp"

#include "device/isapi/isapi.hpp"
#include "tests/support/isapi_harness.hpp"

namespace camrig::isapi {
namespace {

using http::beast_http::status;
using http::beast_http::verb;

std::string doc(const std::string& inner) {
  return "<?xml version=\"1.0\"?><FaceCapture xmlns=\"http://www.hikvision.com/ver20/XMLSchema\">" + inner +
         "</FaceCapture>";
}

class FaceCaptureResourcesTest : public ::testing::Test, protected test::IsapiHarness {
 protected:
  void SetUp() override {
    open_device("network-camera");
    route(services());
  }
  const std::string path = "/ISAPI/Intelligent/channels/1/faceCapture";
};

TEST_F(FaceCaptureResourcesTest, ReadsAndWritesTheRuleOverlayAndCaptureParameters) {
  auto answer = send(verb::get, path);
  ASSERT_EQ(answer->http_status, status::ok) << answer->body;
  EXPECT_EQ(answer->text({"enabled"}), "false");
  EXPECT_EQ(answer->text({"CaptureParams", "captureTimes"}), "1");
  EXPECT_EQ(answer->text({"Rule", "minPupilDistance"}), "20");

  auto put = send(verb::put, path,
                  doc("<enabled>true</enabled><Rule><minPupilDistance>30</minPupilDistance>"
                      "<DetectionRegion><id>1</id><RegionCoordinatesList>"
                      "<RegionCoordinates><positionX>0</positionX><positionY>0</positionY></RegionCoordinates>"
                      "<RegionCoordinates><positionX>352</positionX><positionY>0</positionY></RegionCoordinates>"
                      "<RegionCoordinates><positionX>352</positionX><positionY>576</positionY></RegionCoordinates>"
                      "</RegionCoordinatesList></DetectionRegion></Rule>"
                      "<OverlayAndCapture><targetPicture>half_body</targetPicture></OverlayAndCapture>"
                      "<CaptureParams><quickShot>true</quickShot><captureTimes>2</captureTimes>"
                      "<faceFilteringTime>5</faceFilteringTime></CaptureParams>"));
  ASSERT_EQ(put->http_status, status::ok) << put->body;
  EXPECT_TRUE(config->get_bool("channel.1.face_capture.enabled"));
  EXPECT_EQ(config->get_int("channel.1.face_capture.min_pupil_distance"), 30);
  EXPECT_EQ(config->get_string("channel.1.face_capture.target_picture"), "half_body");
  EXPECT_TRUE(config->get_bool("channel.1.face_capture.quick_shot"));
  EXPECT_EQ(config->get_int("channel.1.face_capture.capture_times"), 2);
  EXPECT_EQ(config->get_int("channel.1.face_capture.filtering_time"), 5);
  EXPECT_EQ(config->get_string("channel.1.face_capture.detection_area"), "[[[0.0,0.0],[0.5,0.0],[0.5,1.0]]]");
  answer = send(verb::get, path);
  EXPECT_EQ(answer->text({"Rule", "DetectionRegion", "RegionCoordinatesList", "RegionCoordinates", "positionY"}), "0");
  EXPECT_EQ(answer->text({"CaptureParams", "faceFilteringTime"}), "5");

  // Minimum above maximum, or neither best nor quick shot: refused, nothing stored.
  put = send(verb::put, path, doc("<Rule><minPupilDistance>500</minPupilDistance></Rule>"));
  EXPECT_EQ(put->http_status, status::bad_request) << put->body;
  put = send(verb::put, path, doc("<CaptureParams><bestShot>false</bestShot><quickShot>false</quickShot></CaptureParams>"));
  EXPECT_EQ(put->http_status, status::bad_request) << put->body;
  EXPECT_EQ(config->get_int("channel.1.face_capture.min_pupil_distance"), 30);
  EXPECT_TRUE(config->get_bool("channel.1.face_capture.quick_shot"));
  EXPECT_EQ(send(verb::get, "/ISAPI/Intelligent/channels/9/faceCapture")->http_status, status::not_found);
}

TEST_F(FaceCaptureResourcesTest, FaceExposureIsReadWrittenAndRefusedWhileWdrIsOn) {
  auto answer = send(verb::get, path);
  ASSERT_EQ(answer->http_status, status::ok) << answer->body;
  EXPECT_EQ(answer->text({"CaptureParams", "FaceExposure", "enabled"}), "false");
  EXPECT_EQ(answer->text({"CaptureParams", "FaceExposure", "referenceBrightness"}), "50");
  EXPECT_EQ(answer->text({"CaptureParams", "FaceExposure", "minimumDuration"}), "60");

  const auto exposure = doc("<CaptureParams><FaceExposure><enabled>true</enabled><referenceBrightness>65</referenceBrightness>"
                            "<minimumDuration>30</minimumDuration></FaceExposure></CaptureParams>");
  ASSERT_TRUE(config->set("channel.1.image.wdr", true));
  auto put = send(verb::put, path, exposure);
  EXPECT_EQ(put->http_status, status::forbidden) << put->body;
  EXPECT_EQ(put->text({"subStatusCode"}), "invalidOperation") << put->body;
  EXPECT_NE(put->body.find("turn WDR off first"), std::string::npos) << put->body;
  EXPECT_FALSE(config->get_bool("channel.1.face_capture.face_exposure"));
  EXPECT_EQ(config->get_int("channel.1.face_capture.reference_brightness"), 50) << "nothing of the refused change is stored";

  ASSERT_TRUE(config->set("channel.1.image.wdr", false));
  put = send(verb::put, path, exposure);
  ASSERT_EQ(put->http_status, status::ok) << put->body;
  EXPECT_TRUE(config->get_bool("channel.1.face_capture.face_exposure"));
  answer = send(verb::get, path);
  EXPECT_EQ(answer->text({"CaptureParams", "FaceExposure", "referenceBrightness"}), "65");
  EXPECT_EQ(answer->text({"CaptureParams", "FaceExposure", "minimumDuration"}), "30");
  put = send(verb::put, path, doc("<CaptureParams><FaceExposure><minimumDuration>0</minimumDuration></FaceExposure></CaptureParams>"));
  EXPECT_EQ(put->http_status, status::bad_request) << put->body;
}

TEST_F(FaceCaptureResourcesTest, ReadsAndWritesTheTextOverlayPictureAndDuplicateSettings) {
  auto answer = send(verb::get, path);
  ASSERT_EQ(answer->http_status, status::ok) << answer->body;
  EXPECT_EQ(answer->text({"OverlayAndCapture", "backgroundResolution"}), "source");
  EXPECT_EQ(answer->text({"CaptureParams", "RemoveDuplicates", "enabled"}), "false");
  EXPECT_EQ(answer->body.find("<deviceNo>"), std::string::npos) << "an empty element";

  auto put = send(verb::put, path,
                  doc("<OverlayAndCapture><targetInfoOnPicture>true</targetInfoOnPicture>"
                      "<backgroundResolution>704x576</backgroundResolution><deviceNo>CAM-07</deviceNo>"
                      "<cameraInfo>Gate 3</cameraInfo><TextOverlayList>"
                      "<TextOverlay><type>camera_info</type></TextOverlay><TextOverlay><type>device_number</type></TextOverlay>"
                      "</TextOverlayList></OverlayAndCapture>"
                      "<CaptureParams><RemoveDuplicates><enabled>true</enabled><similarityThreshold>75</similarityThreshold>"
                      "<gradingThreshold>50</gradingThreshold><updateTime>120</updateTime></RemoveDuplicates></CaptureParams>"));
  ASSERT_EQ(put->http_status, status::ok) << put->body;
  EXPECT_TRUE(config->get_bool("channel.1.face_capture.target_info_on_picture"));
  EXPECT_EQ(config->get_string("channel.1.face_capture.background_resolution"), "704x576");
  EXPECT_EQ(config->get_string("channel.1.face_capture.device_number"), "CAM-07");
  EXPECT_EQ(config->get_string("channel.1.face_capture.text_overlay"), "camera_info,device_number");
  EXPECT_TRUE(config->get_bool("channel.1.face_capture.remove_duplicates"));
  EXPECT_EQ(config->get_int("channel.1.face_capture.duplicate_similarity"), 75);
  EXPECT_EQ(config->get_int("channel.1.face_capture.duplicate_grading_threshold"), 50);
  EXPECT_EQ(config->get_int("channel.1.face_capture.duplicate_update_time"), 120);
  answer = send(verb::get, path);
  EXPECT_EQ(answer->text({"OverlayAndCapture", "cameraInfo"}), "Gate 3");
  EXPECT_EQ(answer->text({"OverlayAndCapture", "TextOverlayList", "TextOverlay", "type"}), "camera_info");  // first in order
  EXPECT_EQ(answer->text({"CaptureParams", "RemoveDuplicates", "updateTime"}), "120");

  // Refused with the reason, nothing stored.
  put = send(verb::put, path, doc("<OverlayAndCapture><backgroundResolution>4k</backgroundResolution></OverlayAndCapture>"));
  EXPECT_EQ(put->http_status, status::bad_request) << put->body;
  put = send(verb::put, path,
             doc("<OverlayAndCapture><TextOverlayList><TextOverlay><type>time</type></TextOverlay></TextOverlayList></OverlayAndCapture>"));
  EXPECT_EQ(put->http_status, status::bad_request) << put->body;
  put = send(verb::put, path, doc("<CaptureParams><RemoveDuplicates><updateTime>0</updateTime></RemoveDuplicates></CaptureParams>"));
  EXPECT_EQ(put->http_status, status::bad_request) << put->body;
  EXPECT_EQ(config->get_string("channel.1.face_capture.background_resolution"), "704x576");
  EXPECT_EQ(config->get_string("channel.1.face_capture.text_overlay"), "camera_info,device_number");
  EXPECT_EQ(config->get_int("channel.1.face_capture.duplicate_update_time"), 120);
  // An empty element clears the text.
  put = send(verb::put, path, doc("<OverlayAndCapture><deviceNo></deviceNo></OverlayAndCapture>"));
  ASSERT_EQ(put->http_status, status::ok) << put->body;
  EXPECT_EQ(config->get_string("channel.1.face_capture.device_number"), "");
}

TEST_F(FaceCaptureResourcesTest, ReadsAndWritesUploadFeatureAndPostureFilter) {
  auto answer = send(verb::get, path);
  ASSERT_EQ(answer->http_status, status::ok) << answer->body;
  EXPECT_EQ(answer->text({"CaptureParams", "uploadFeature"}), "false");
  EXPECT_EQ(answer->text({"CaptureParams", "facialPostureFilter"}), "45");

  auto put = send(verb::put, path,
                  doc("<CaptureParams><uploadFeature>true</uploadFeature><facialPostureFilter>15</facialPostureFilter>"
                      "</CaptureParams>"));
  ASSERT_EQ(put->http_status, status::ok) << put->body;
  EXPECT_TRUE(config->get_bool("channel.1.face_capture.upload_features"));
  EXPECT_EQ(config->get_int("channel.1.face_capture.posture_filter"), 15);
  answer = send(verb::get, path);
  EXPECT_EQ(answer->text({"CaptureParams", "facialPostureFilter"}), "15");

  // Refused with the reason, nothing stored.
  for (const char* bad : {"<facialPostureFilter>91</facialPostureFilter>", "<facialPostureFilter>-1</facialPostureFilter>",
                          "<facialPostureFilter>wide</facialPostureFilter>",
                          "<uploadFeature>yes</uploadFeature>"}) {
    put = send(verb::put, path, doc(std::string("<CaptureParams>") + bad + "</CaptureParams>"));
    EXPECT_EQ(put->http_status, status::bad_request) << bad << ": " << put->body;
  }
  EXPECT_TRUE(config->get_bool("channel.1.face_capture.upload_features"));
  EXPECT_EQ(config->get_int("channel.1.face_capture.posture_filter"), 15);
}

TEST_F(FaceCaptureResourcesTest, ProfilesWithoutFaceCaptureHaveNoResource) {
  open_device("lpr-camera");
  route(services());
  EXPECT_EQ(send(verb::get, path)->http_status, status::not_found);
}

events::Event face_capture(std::uint64_t sequence) {
  events::Event e;
  e.kind = events::EventKind::face_capture;
  e.channel = 1;
  e.sequence = sequence;
  e.wall_time = hal::WallTime{std::chrono::seconds(1'767'225'600 + sequence)};
  events::Target target;
  target.box = events::Box{0.25, 0.5, 0.05, 0.08};
  target.track_id = sequence * 10;
  target.face_quality = 80;
  if (sequence % 2 == 0) target.face_attributes = events::FaceAttributes{"unknown", "unknown", "yes"};
  e.target = target;
  e.pictures.push_back({"face", "", std::make_shared<const std::string>("face-" + std::to_string(sequence))});
  e.pictures.push_back({"scene", "", std::make_shared<const std::string>("scene-" + std::to_string(sequence))});
  return e;
}

// The display follows the bus on its own thread: wait (bounded) until it has seen `sequence`.
bool wait_for(const events::SmartDisplay& display, std::uint64_t sequence) {
  for (int i = 0; i < 5000; ++i) {
    if (display.find(sequence)) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return false;
}

TEST_F(FaceCaptureResourcesTest, SmartDisplayKeepsTheLatestCapturesWithPicturesAndServesThem) {
  events::SmartDisplay display(bus, 3);
  auto with = services();
  with.smart_display = &display;
  route(with);
  events::Event motion;  // no pictures: not a capture
  motion.kind = events::EventKind::motion;
  motion.sequence = 1;
  bus.publish(events::RecordedEvent{motion});
  for (std::uint64_t sequence = 2; sequence <= 6; ++sequence) bus.publish(events::RecordedEvent{face_capture(sequence)});
  ASSERT_TRUE(wait_for(display, 6));
  const auto kept = display.captures();
  ASSERT_EQ(kept.size(), 3u);  // bounded: the oldest went
  EXPECT_EQ(kept.front().sequence, 4u);
  EXPECT_FALSE(display.find(1));

  auto list = send(verb::get, "/ISAPI/Intelligent/smartDisplay/captures");
  ASSERT_EQ(list->http_status, status::ok) << list->body;
  EXPECT_EQ(list->text({"SmartCapture", "id"}), "4");
  EXPECT_EQ(list->text({"SmartCapture", "eventType"}), "faceCapture");
  EXPECT_EQ(list->text({"SmartCapture", "faceQuality"}), "80");
  EXPECT_EQ(list->text({"SmartCapture", "glass"}), "yes");  // the features of capture 4
  EXPECT_EQ(list->text({"SmartCapture", "gender"}), "unknown");
  EXPECT_EQ(list->text({"SmartCapture", "PictureList", "Picture", "url"}),
            "/ISAPI/Intelligent/smartDisplay/captures/4/pictures/face");
  auto json = send(verb::get, "/ISAPI/Intelligent/smartDisplay/captures?format=json");
  ASSERT_EQ(json->http_status, status::ok);
  const auto doc = nlohmann::json::parse(json->body);
  ASSERT_EQ(doc["SmartCaptureList"].size(), 3u);
  EXPECT_EQ(doc["SmartCaptureList"][2]["trackID"], 60);
  EXPECT_EQ(doc["SmartCaptureList"][2]["glass"], "yes");
  EXPECT_FALSE(doc["SmartCaptureList"][1].contains("glass"));  // capture 5 was sent without features

  auto picture = send(verb::get, "/ISAPI/Intelligent/smartDisplay/captures/5/pictures/scene");
  ASSERT_EQ(picture->http_status, status::ok);
  EXPECT_EQ(picture->body, "scene-5");
  EXPECT_EQ(send(verb::get, "/ISAPI/Intelligent/smartDisplay/captures/2/pictures/face")->http_status, status::not_found);

  auto package = send(verb::get, "/ISAPI/Intelligent/smartDisplay/captures/download?count=4");
  ASSERT_EQ(package->http_status, status::ok);
  auto entries = traffic::read_zip(package->body, 1 << 20);
  ASSERT_TRUE(entries) << entries.error().message;
  ASSERT_EQ(entries->size(), 4u);  // the newest four pictures, oldest first
  EXPECT_EQ((*entries)[0].name, "5_faceCapture_face.jpg");
  EXPECT_EQ((*entries)[0].data, "face-5");
  EXPECT_EQ((*entries)[3].name, "6_faceCapture_scene.jpg");
  EXPECT_EQ(send(verb::get, "/ISAPI/Intelligent/smartDisplay/captures/download?count=201")->http_status,
            status::bad_request);
}

}  // namespace
}  // namespace camrig::isapi
