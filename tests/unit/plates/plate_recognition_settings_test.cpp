// Plate recognition settings in the config service (plate_recognition.*) and over ISAPI
// (/ISAPI/Traffic/channels/1/plateRecognition): defaults, plate algorithm regions, areas in the
// 704 x 576 screen, a PUT checked as a whole and stored all or nothing, permissions and profiles.
#include "device/analytics/plates/plate_recognition_settings.hpp"

#include <gtest/gtest.h>

#include "tests/support/isapi_harness.hpp"

namespace camrig::analytics {
namespace {

using http::beast_http::status;
using http::beast_http::verb;

const std::string k_path = "/ISAPI/Traffic/channels/1/plateRecognition";

std::string doc(const std::string& inner) {
  return "<?xml version=\"1.0\"?><PlateRecognition xmlns=\"http://www.hikvision.com/ver20/XMLSchema\">" + inner +
         "</PlateRecognition>";
}

// A rectangle of the 704 x 576 screen as ISAPI corners.
std::string corners(int x0, int y0, int x1, int y1) {
  std::string out = "<RegionCoordinatesList>";
  for (const auto& [x, y] : {std::pair{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}}) {
    out += "<RegionCoordinates><positionX>" + std::to_string(x) + "</positionX><positionY>" + std::to_string(y) +
           "</positionY></RegionCoordinates>";
  }
  return out + "</RegionCoordinatesList>";
}

std::string shields(int count) {
  std::string out = "<ShieldAreaList>";
  for (int i = 0; i < count; ++i) {
    out += "<ShieldArea><id>" + std::to_string(i + 1) + "</id>" + corners(100 * i, 0, 100 * i + 88, 72) + "</ShieldArea>";
  }
  return out + "</ShieldAreaList>";
}

class PlateRecognitionSettingsResourceTest : public ::testing::Test, protected test::IsapiHarness {
 protected:
  void SetUp() override { start("lpr-camera"); }
  void start(const char* profile_name) {
    open_device(profile_name);
    add_viewer();
    route(services());
  }
  PlateRecognitionSettings stored() {
    auto settings = plate_recognition_settings_from_config(*config);
    EXPECT_TRUE(settings) << settings.error().message;
    return settings ? *settings : PlateRecognitionSettings{};
  }
};

TEST_F(PlateRecognitionSettingsResourceTest, DefaultsReadTheWholePictureWithAnyLayout) {
  const auto s = stored();
  EXPECT_TRUE(s.enabled);
  EXPECT_EQ(s.capture_area, (NormalisedQuadrilateral{{0, 0}, {1, 0}, {1, 1}, {0, 1}}));
  EXPECT_TRUE(s.shield_areas.empty());
  EXPECT_TRUE(s.plate_layouts.empty());
  EXPECT_EQ(s.min_plate_width, 80);
  EXPECT_EQ(s.max_plate_width, 600);
  EXPECT_DOUBLE_EQ(s.min_read_confidence, 0.5);

  const auto got = send(verb::get, k_path);
  ASSERT_EQ(got->http_status, status::ok) << got->body;
  EXPECT_EQ(got->text({"enabled"}), "true");
  EXPECT_EQ(got->text({"plateAlgorithm"}), "all");
  EXPECT_EQ(got->text({"PlateSizeFilter", "maxWidth"}), "600");
  EXPECT_EQ(got->text({"minConfidence"}), "50");
  const auto third = isapi::child(isapi::child(isapi::child(got->doc.document_element(), "CaptureArea"), "RegionCoordinatesList"),
                                  "RegionCoordinates")
                         .next_sibling()
                         .next_sibling();
  EXPECT_EQ(isapi::text_at(third, {"positionX"}).value_or(""), "704");
  EXPECT_EQ(isapi::text_at(third, {"positionY"}).value_or(""), "576");
  EXPECT_TRUE(isapi::child(got->doc.document_element(), "ShieldAreaList").children().empty());
}

TEST_F(PlateRecognitionSettingsResourceTest, RegionAlgorithmsChooseTheirLayoutsAndCustomNeedsSome) {
  ASSERT_TRUE(config->set("plate_recognition.algorithm", std::string("europe")));
  EXPECT_EQ(stored().plate_layouts, *region_layouts("europe"));
  ASSERT_TRUE(config->set("plate_recognition.algorithm", std::string("america")));
  EXPECT_EQ(stored().plate_layouts, *region_layouts("america"));
  EXPECT_FALSE(region_layouts("custom"));

  const auto refused = send(verb::put, k_path, doc("<plateAlgorithm>custom</plateAlgorithm>"));
  EXPECT_EQ(refused->http_status, status::bad_request);
  EXPECT_NE(refused->text({"errorMsg"}).find("needs plate layouts"), std::string::npos) << refused->body;
  EXPECT_EQ(config->get_string("plate_recognition.algorithm"), "america") << "nothing stored";

  const auto bad = send(verb::put, k_path, doc("<plateAlgorithm>custom</plateAlgorithm><plateLayouts>LLDDDLL,LLX</plateLayouts>"));
  EXPECT_EQ(bad->http_status, status::bad_request);
  EXPECT_NE(bad->text({"errorMsg"}).find("\"LLX\""), std::string::npos) << bad->body;

  const auto put = send(verb::put, k_path,
                        doc("<plateAlgorithm>custom</plateAlgorithm><plateLayouts>LLDDDLL, DLLLDDD</plateLayouts>"));
  ASSERT_EQ(put->http_status, status::ok) << put->body;
  EXPECT_EQ(stored().plate_layouts, (std::vector<std::string>{"LLDDDLL", "DLLLDDD"}));
}

TEST_F(PlateRecognitionSettingsResourceTest, AreasSizesAndConfidenceAreStoredTogether) {
  const auto put = send(verb::put, k_path,
                        doc("<enabled>false</enabled><PlateSizeFilter><minWidth>100</minWidth><maxWidth>400</maxWidth>"
                            "</PlateSizeFilter><minConfidence>70</minConfidence><CaptureArea>" +
                            corners(0, 288, 704, 576) + "</CaptureArea>" + shields(3)));
  ASSERT_EQ(put->http_status, status::ok) << put->body;
  const auto s = stored();
  EXPECT_FALSE(s.enabled);
  EXPECT_EQ(s.capture_area, (NormalisedQuadrilateral{{0, 0.5}, {1, 0.5}, {1, 1}, {0, 1}}));
  ASSERT_EQ(s.shield_areas.size(), 3u);
  EXPECT_EQ(s.shield_areas[2][1], (NormalisedPoint{288.0 / 704, 0}));
  EXPECT_EQ(s.min_plate_width, 100);
  EXPECT_EQ(s.max_plate_width, 400);
  EXPECT_DOUBLE_EQ(s.min_read_confidence, 0.7);

  const auto got = send(verb::get, k_path);
  EXPECT_EQ(got->text({"PlateSizeFilter", "minWidth"}), "100");
  const auto list = isapi::child(got->doc.document_element(), "ShieldAreaList");
  EXPECT_EQ(std::distance(list.children().begin(), list.children().end()), 3);

  // Leaving the shield list empty removes every shield area.
  ASSERT_EQ(send(verb::put, k_path, doc("<ShieldAreaList/>"))->http_status, status::ok);
  EXPECT_TRUE(stored().shield_areas.empty());
  EXPECT_EQ(stored().min_plate_width, 100) << "elements left out keep their values";
}

TEST_F(PlateRecognitionSettingsResourceTest, BadSetsAreRefusedWithTheReasonAndNothingIsStored) {
  const auto fourth = send(verb::put, k_path, doc("<minConfidence>90</minConfidence>" + shields(4)));
  EXPECT_EQ(fourth->http_status, status::bad_request);
  EXPECT_NE(fourth->text({"errorMsg"}).find("at most 3 shield areas"), std::string::npos) << fourth->body;
  EXPECT_EQ(config->get_int("plate_recognition.min_confidence"), 50);

  const auto order = send(verb::put, k_path, doc("<PlateSizeFilter><minWidth>500</minWidth><maxWidth>200</maxWidth></PlateSizeFilter>"));
  EXPECT_EQ(order->http_status, status::bad_request);
  EXPECT_NE(order->text({"errorMsg"}).find("minimum <= maximum"), std::string::npos) << order->body;

  const auto triangle = send(verb::put, k_path,
                             doc("<CaptureArea><RegionCoordinatesList><RegionCoordinates><positionX>0</positionX><positionY>0"
                                 "</positionY></RegionCoordinates><RegionCoordinates><positionX>704</positionX><positionY>0"
                                 "</positionY></RegionCoordinates><RegionCoordinates><positionX>0</positionX><positionY>576"
                                 "</positionY></RegionCoordinates></RegionCoordinatesList></CaptureArea>"));
  EXPECT_EQ(triangle->http_status, status::bad_request);
  EXPECT_NE(triangle->text({"errorMsg"}).find("4 corners"), std::string::npos) << triangle->body;

  const auto outside = send(verb::put, k_path, doc("<CaptureArea>" + corners(0, 0, 800, 576) + "</CaptureArea>"));
  EXPECT_EQ(outside->http_status, status::bad_request);
  EXPECT_NE(outside->text({"errorMsg"}).find("in the picture"), std::string::npos) << outside->body;

  const auto range = send(verb::put, k_path, doc("<minConfidence>101</minConfidence>"));
  EXPECT_EQ(range->http_status, status::bad_request) << range->body;
  EXPECT_EQ(stored().capture_area, (NormalisedQuadrilateral{{0, 0}, {1, 0}, {1, 1}, {0, 1}}));
}

TEST_F(PlateRecognitionSettingsResourceTest, OnlyTheLprChannelAndSettingsPermissionAnswer) {
  EXPECT_EQ(send(verb::get, "/ISAPI/Traffic/channels/2/plateRecognition")->http_status, status::not_found);
  EXPECT_EQ(send_as(test::k_viewer_basic, verb::put, k_path, doc("<enabled>false</enabled>"))->http_status, status::forbidden);
  EXPECT_TRUE(config->get_bool("plate_recognition.enabled"));
}

TEST_F(PlateRecognitionSettingsResourceTest, CamerasWithoutPlateRecognitionHaveNeitherSettingsNorResource) {
  start("network-camera");
  EXPECT_EQ(config->spec("plate_recognition.enabled"), nullptr);
  EXPECT_EQ(send(verb::get, k_path)->http_status, status::not_found);
}

}  // namespace
}  // namespace camrig::analytics
