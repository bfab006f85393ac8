// The scene detector ISAPI resources through the router: documents map to channel.<id>.{motion,
// tamper, defocus, scene_change, face}.* and back; bad grids, regions and sizes are refused and
// change nothing.
#include <gtest/gtest.h>
#include <pugixml.hpp>

#include "device/analytics/motion_detector.hpp"
#include "device/isapi/isapi.hpp"
#include "tests/support/isapi_harness.hpp"

namespace camrig::isapi {
namespace {

using http::beast_http::status;
using http::beast_http::verb;

std::string doc(const std::string& root, const std::string& inner) {
  return "<?xml version=\"1.0\"?><" + root + " xmlns=\"http://www.hikvision.com/ver20/XMLSchema\">" + inner + "</" + root + ">";
}

class SceneResourcesTest : public ::testing::Test, protected test::IsapiHarness {
 protected:
  void SetUp() override {
    open_device("network-camera");
    route(services());
  }
};

TEST_F(SceneResourcesTest, MotionDetectionReadsAndWritesTheGridAndExpertSettings) {
  auto answer = send(verb::get, "/ISAPI/System/Video/inputs/channels/1/motionDetection");
  ASSERT_EQ(answer->http_status, status::ok) << answer->body;
  EXPECT_EQ(answer->text({"enabled"}), "false");
  EXPECT_EQ(answer->text({"Grid", "columnGranularity"}), "22");
  EXPECT_EQ(answer->text({"MotionDetectionLayout", "layout", "gridMap"}).substr(0, 6), "fffffc");
  const std::string grid = "800000" + std::string(102, '0');
  auto put = send(verb::put, "/ISAPI/System/Video/inputs/channels/1/motionDetection",
                  doc("MotionDetection", "<enabled>true</enabled><configurationMode>expert</configurationMode>"
                                         "<MotionDetectionLayout><sensitivityLevel>70</sensitivityLevel><layout><gridMap>" +
                                             grid + "</gridMap></layout></MotionDetectionLayout>"
                                         "<ExpertParams><AreaList><Area><id>1</id><Day><proportion>20</proportion></Day></Area></AreaList>"
                                         "</ExpertParams>"));
  ASSERT_EQ(put->http_status, status::ok) << put->body;
  EXPECT_TRUE(config->get_bool("channel.1.motion.enabled"));
  EXPECT_EQ(config->get_string("channel.1.motion.mode"), "expert");
  EXPECT_EQ(config->get_int("channel.1.motion.sensitivity"), 70);
  auto areas = analytics::parse_motion_areas(config->get_string("channel.1.motion.expert.areas"));
  ASSERT_TRUE(areas) << areas.error().message;
  ASSERT_EQ(areas->size(), 1u);
  EXPECT_EQ((*areas)[0].day, (analytics::MotionLevels{50, 20}));
  EXPECT_EQ((*areas)[0].night, (analytics::MotionLevels{50, 1}));
  EXPECT_EQ((*areas)[0].grid, analytics::full_motion_grid()) << "fields the PUT does not name stay";
  EXPECT_EQ(send(verb::get, "/ISAPI/System/Video/inputs/channels/1/motionDetection/layout/gridLayout")
                ->text({"layout", "gridMap"}),
            grid);
  // A gridMap of the wrong length is refused and nothing changes.
  put = send(verb::put, "/ISAPI/System/Video/inputs/channels/1/motionDetection/layout/gridLayout",
             doc("MotionDetectionLayout", "<sensitivityLevel>10</sensitivityLevel><layout><gridMap>fff</gridMap></layout>"));
  EXPECT_EQ(put->http_status, status::bad_request) << put->body;
  EXPECT_EQ(config->get_int("channel.1.motion.sensitivity"), 70);
  EXPECT_EQ(send(verb::get, "/ISAPI/System/Video/inputs/channels/9/motionDetection")->http_status, status::not_found);
}

TEST_F(SceneResourcesTest, MotionDetectionTargetTypeAndScheduledDayNightSwitchAreStoredAndValidated) {
  const std::string path = "/ISAPI/System/Video/inputs/channels/1/motionDetection";
  auto answer = send(verb::get, path);
  ASSERT_EQ(answer->http_status, status::ok) << answer->body;
  EXPECT_EQ(answer->text({"targetType"}), "all");
  EXPECT_EQ(answer->text({"ExpertParams", "DaySchedule", "beginTime"}), "06:00:00");
  EXPECT_EQ(answer->text({"ExpertParams", "DaySchedule", "endTime"}), "18:00:00");

  auto put = send(verb::put, path,
                  doc("MotionDetection", "<targetType>human</targetType><ExpertParams><dayNightSwitch>schedule</dayNightSwitch>"
                                         "<DaySchedule><beginTime>07:30</beginTime><endTime>19:15:00</endTime></DaySchedule>"
                                         "<AreaList><Area><id>3</id><gridMap>" + std::string("800000") + std::string(102, '0') +
                                         "</gridMap><Night><sensitivityLevel>90</sensitivityLevel></Night></Area></AreaList>"
                                         "</ExpertParams>"));
  ASSERT_EQ(put->http_status, status::ok) << put->body;
  EXPECT_TRUE(config->get_bool("channel.1.motion.target.human"));
  EXPECT_FALSE(config->get_bool("channel.1.motion.target.vehicle"));
  EXPECT_EQ(config->get_string("channel.1.motion.day_night"), "schedule");
  EXPECT_EQ(config->get_int("channel.1.motion.day_start"), 7 * 60 + 30);
  EXPECT_EQ(config->get_int("channel.1.motion.day_end"), 19 * 60 + 15);
  auto areas = analytics::parse_motion_areas(config->get_string("channel.1.motion.expert.areas"));
  ASSERT_TRUE(areas) << areas.error().message;
  ASSERT_EQ(areas->size(), 3u) << "area 3 is added, area 2 between starts with nothing drawn";
  EXPECT_TRUE((*areas)[1].grid.none());
  EXPECT_EQ((*areas)[2].grid.count(), 1u);
  EXPECT_EQ((*areas)[2].night, (analytics::MotionLevels{90, 1}));
  answer = send(verb::get, path);
  EXPECT_EQ(answer->text({"targetType"}), "human");
  EXPECT_EQ(answer->text({"ExpertParams", "dayNightSwitch"}), "schedule");
  EXPECT_EQ(answer->text({"ExpertParams", "DaySchedule", "beginTime"}), "07:30:00");
  EXPECT_EQ(answer->text({"ExpertParams", "DaySchedule", "endTime"}), "19:15:00");
  const auto listed = answer->doc.select_nodes("/MotionDetection/ExpertParams/AreaList/Area");
  ASSERT_EQ(listed.size(), 3u);
  EXPECT_STREQ(listed[2].node().child_value("id"), "3");
  EXPECT_STREQ(listed[2].node().child("Night").child_value("sensitivityLevel"), "90");

  put = send(verb::put, path, doc("MotionDetection", "<targetType>human,vehicle</targetType>"));
  ASSERT_EQ(put->http_status, status::ok) << put->body;
  EXPECT_EQ(send(verb::get, path)->text({"targetType"}), "human,vehicle");

  // Refused, and nothing of the document is stored.
  for (const std::string& bad :
       {std::string("<enabled>true</enabled><targetType>bicycle</targetType>"),
        std::string("<enabled>true</enabled><targetType>all,human</targetType>"),
        std::string("<enabled>true</enabled><ExpertParams><dayNightSwitch>dusk</dayNightSwitch></ExpertParams>"),
        std::string("<enabled>true</enabled><ExpertParams><DaySchedule><beginTime>25:00</beginTime></DaySchedule></ExpertParams>"),
        std::string("<enabled>true</enabled><ExpertParams><DaySchedule><beginTime>20:00:00</beginTime></DaySchedule></ExpertParams>"),
        std::string("<enabled>true</enabled><ExpertParams><AreaList><Area><id>1</id><Night><proportion>0</proportion></Night>"
                    "</Area></AreaList></ExpertParams>"),
        std::string("<enabled>true</enabled><ExpertParams><AreaList><Area><id>9</id></Area></AreaList></ExpertParams>"),
        std::string("<enabled>true</enabled><ExpertParams><AreaList><Area><id>2</id><gridMap>zz</gridMap></Area></AreaList>"
                    "</ExpertParams>"),
        std::string("<enabled>true</enabled><ExpertParams><AreaList><Area><id>1</id><Day><sensitivityLevel>high"
                    "</sensitivityLevel></Day></Area></AreaList></ExpertParams>")}) {
    put = send(verb::put, path, doc("MotionDetection", bad));
    EXPECT_EQ(put->http_status, status::bad_request) << bad << ": " << put->body;
  }
  EXPECT_FALSE(config->get_bool("channel.1.motion.enabled"));
  EXPECT_EQ(config->get_int("channel.1.motion.day_start"), 7 * 60 + 30);
  EXPECT_EQ(send(verb::get, path)->text({"targetType"}), "human,vehicle");
}

TEST_F(SceneResourcesTest, TamperAreasAndFaceShieldsAreStoredAsNormalisedPolygons) {
  auto put = send(verb::put, "/ISAPI/System/Video/inputs/channels/1/tamperDetection",
                  doc("TamperDetection", "<enabled>true</enabled><sensitivityLevel>80</sensitivityLevel>"
                                         "<TamperDetectionRegionList><TamperDetectionRegion><id>1</id><RegionCoordinatesList>"
                                         "<RegionCoordinates><positionX>0</positionX><positionY>0</positionY></RegionCoordinates>"
                                         "<RegionCoordinates><positionX>352</positionX><positionY>0</positionY></RegionCoordinates>"
                                         "<RegionCoordinates><positionX>352</positionX><positionY>576</positionY></RegionCoordinates>"
                                         "</RegionCoordinatesList></TamperDetectionRegion></TamperDetectionRegionList>"));
  ASSERT_EQ(put->http_status, status::ok) << put->body;
  EXPECT_EQ(config->get_string("channel.1.tamper.areas"), "[[[0.0,0.0],[0.5,0.0],[0.5,1.0]]]");
  auto answer = send(verb::get, "/ISAPI/System/Video/inputs/channels/1/tamperDetection");
  EXPECT_EQ(answer->text({"TamperDetectionRegionList", "TamperDetectionRegion", "RegionCoordinatesList", "RegionCoordinates",
                          "positionX"}),
            "0");
  // Two points are no area.
  put = send(verb::put, "/ISAPI/System/Video/inputs/channels/1/tamperDetection",
             doc("TamperDetection", "<TamperDetectionRegionList><TamperDetectionRegion><RegionCoordinatesList>"
                                    "<RegionCoordinates><positionX>0</positionX><positionY>0</positionY></RegionCoordinates>"
                                    "<RegionCoordinates><positionX>9</positionX><positionY>9</positionY></RegionCoordinates>"
                                    "</RegionCoordinatesList></TamperDetectionRegion></TamperDetectionRegionList>"));
  EXPECT_EQ(put->http_status, status::bad_request) << put->body;

  put = send(verb::put, "/ISAPI/Smart/FaceDetect/1",
             doc("FaceDetect", "<enabled>true</enabled><FaceSizeFilter><minWidth>80</minWidth><maxWidth>300</maxWidth></FaceSizeFilter>"));
  ASSERT_EQ(put->http_status, status::ok) << put->body;
  EXPECT_EQ(config->get_int("channel.1.face.min_size"), 80);
  put = send(verb::put, "/ISAPI/Smart/FaceDetect/1",
             doc("FaceDetect", "<FaceSizeFilter><minWidth>400</minWidth></FaceSizeFilter>"));
  EXPECT_EQ(put->http_status, status::bad_request) << "minimum above the maximum";
  EXPECT_EQ(config->get_int("channel.1.face.min_size"), 80);
}

TEST_F(SceneResourcesTest, DefocusAndSceneChangeTakeEnableAndSensitivity) {
  auto put = send(verb::put, "/ISAPI/Smart/DefocusDetection/1",
                  doc("DefocusDetection", "<enabled>true</enabled><sensitivityLevel>30</sensitivityLevel>"));
  ASSERT_EQ(put->http_status, status::ok) << put->body;
  EXPECT_TRUE(config->get_bool("channel.1.defocus.enabled"));
  EXPECT_EQ(send(verb::get, "/ISAPI/Smart/DefocusDetection/1")->text({"sensitivityLevel"}), "30");
  put = send(verb::put, "/ISAPI/Smart/SceneChangeDetection/1",
             doc("SceneChangeDetection", "<enabled>true</enabled><sensitivityLevel>101</sensitivityLevel>"));
  EXPECT_EQ(put->http_status, status::bad_request) << put->body;
  EXPECT_FALSE(config->get_bool("channel.1.scene_change.enabled"));
  EXPECT_EQ(send_as(test::k_viewer_basic, verb::put, "/ISAPI/Smart/SceneChangeDetection/1",
                    doc("SceneChangeDetection", "<enabled>true</enabled>"))
                ->http_status,
            status::unauthorized);
}

}  // namespace
}  // namespace camrig::isapi
