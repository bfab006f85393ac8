// Image, OSD, privacy mask and overlay picture resources through the router: documents map to
// channel.<id>.* and back, bad values get the config service's message, uploads are checked.
#include <gtest/gtest.h>
#include <pugixml.hpp>

#include "device/core/config_schema.hpp"
#include "device/isapi/isapi.hpp"
#include "device/isapi/xml.hpp"
#include "device/media/image/bmp_image.hpp"
#include "tests/support/isapi_harness.hpp"
#include "tests/unit/media/image_test_support.hpp"

namespace camrig::isapi {
namespace {

using http::beast_http::status;
using http::beast_http::verb;

constexpr const char* k_admin = test::k_admin_basic;
constexpr const char* k_viewer = test::k_viewer_basic;

class ImageResourcesTest : public ::testing::Test, protected test::IsapiHarness {
 protected:
  virtual std::string profile_name() const { return "network-camera"; }

  void SetUp() override {
    open_device(profile_name());
    add_viewer();
    route(services());
  }

  std::unique_ptr<test::IsapiAnswer> send(verb method, const std::string& target, const std::string& body = {},
                                          const std::string& basic = k_admin, const std::string& content_type = {}) {
    return IsapiHarness::send(method, target, body, test::IsapiRequest{basic, {}, content_type});
  }
};

std::string doc(const std::string& root, const std::string& inner) {
  return "<?xml version=\"1.0\"?><" + root + " xmlns=\"http://www.hikvision.com/ver20/XMLSchema\">" + inner + "</" + root + ">";
}

std::string as_string(const std::vector<std::uint8_t>& bytes) { return {bytes.begin(), bytes.end()}; }

TEST_F(ImageResourcesTest, ImageChannelShowsTheDefaults) {
  const auto answer = send(verb::get, "/ISAPI/Image/channels/1");
  ASSERT_EQ(answer->http_status, status::ok) << answer->body;
  EXPECT_EQ(std::string(answer->doc.document_element().attribute("xmlns").value()), k_namespace);
  EXPECT_EQ(answer->text({"Color", "brightnessLevel"}), "50");
  EXPECT_EQ(answer->text({"Sharpness", "SharpnessLevel"}), "50");
  EXPECT_EQ(answer->text({"IrcutFilter", "IrcutFilterType"}), "day");
  EXPECT_EQ(answer->text({"IrcutFilter", "Schedule", "TimeRange", "beginTime"}), "06:00:00");
  EXPECT_EQ(answer->text({"WDR", "mode"}), "close");
  EXPECT_EQ(answer->text({"Iris", "IrisType"}), "manual");
  EXPECT_EQ(answer->text({"ImageFlip", "enabled"}), "false");
}

TEST_F(ImageResourcesTest, SubResourcesChangeTheirParametersOnly) {
  auto put = send(verb::put, "/ISAPI/Image/channels/1/color", doc("Color", "<brightnessLevel>70</brightnessLevel><saturationLevel>0</saturationLevel>"));
  ASSERT_EQ(put->http_status, status::ok) << put->body;
  EXPECT_EQ(config->get_int("channel.1.image.brightness"), 70);
  EXPECT_EQ(config->get_int("channel.1.image.saturation"), 0);
  EXPECT_EQ(config->get_int("channel.1.image.contrast"), 50);
  EXPECT_EQ(send(verb::get, "/ISAPI/Image/channels/1/color")->text({"brightnessLevel"}), "70");

  put = send(verb::put, "/ISAPI/Image/channels/1/imageFlip", doc("ImageFlip", "<enabled>true</enabled><ImageFlipStyle>CENTER</ImageFlipStyle>"));
  ASSERT_EQ(put->http_status, status::ok) << put->body;
  EXPECT_EQ(config->get_string("channel.1.image.mirror"), "center");
  put = send(verb::put, "/ISAPI/Image/channels/1/ircutFilter",
             doc("IrcutFilter", "<IrcutFilterType>schedule</IrcutFilterType><Schedule><TimeRange><beginTime>07:30:00</beginTime>"
                                "<endTime>19:00:00</endTime></TimeRange></Schedule>"));
  ASSERT_EQ(put->http_status, status::ok) << put->body;
  EXPECT_EQ(config->get_string("channel.1.image.day_night"), "scheduled");
  EXPECT_EQ(config->get_int("channel.1.image.day_start"), 450);
  put = send(verb::put, "/ISAPI/Image/channels/1/WDR", doc("WDR", "<mode>open</mode><WDRLevel>80</WDRLevel>"));
  ASSERT_EQ(put->http_status, status::ok) << put->body;
  EXPECT_TRUE(config->get_bool("channel.1.image.wdr"));
  EXPECT_EQ(config->get_int("channel.1.image.wdr_level"), 80);
  put = send(verb::put, "/ISAPI/Image/channels/1/iris", doc("Iris", "<IrisType>auto</IrisType>"));
  ASSERT_EQ(put->http_status, status::ok) << put->body;
  EXPECT_EQ(config->get_string("channel.1.image.iris_mode"), "auto");
  put = send(verb::put, "/ISAPI/Image/channels/1/iris", doc("Iris", "<IrisType>half-open</IrisType>"));
  EXPECT_EQ(put->http_status, status::bad_request) << put->body;
  EXPECT_EQ(config->get_string("channel.1.image.iris_mode"), "auto");

  // The whole document read back and sent again changes nothing.
  const auto whole = send(verb::get, "/ISAPI/Image/channels/1");
  put = send(verb::put, "/ISAPI/Image/channels/1", whole->body);
  ASSERT_EQ(put->http_status, status::ok) << put->body;
  EXPECT_EQ(config->get_string("channel.1.image.mirror"), "center");
  EXPECT_EQ(config->get_int("channel.1.image.day_end"), 1140);
}

TEST_F(ImageResourcesTest, BadValuesAreRefusedWithAClearMessageAndNothingChanges) {
  auto put = send(verb::put, "/ISAPI/Image/channels/1", doc("ImageChannel", "<Color><brightnessLevel>101</brightnessLevel></Color>"
                                                                            "<Sharpness><SharpnessLevel>20</SharpnessLevel></Sharpness>"));
  EXPECT_EQ(put->http_status, status::bad_request);
  EXPECT_NE(put->body.find("Brightness"), std::string::npos) << put->body;
  EXPECT_EQ(config->get_int("channel.1.image.sharpness"), 50);
  put = send(verb::put, "/ISAPI/Image/channels/1/imageFlip", doc("ImageFlip", "<enabled>true</enabled><ImageFlipStyle>DIAGONAL</ImageFlipStyle>"));
  EXPECT_EQ(put->http_status, status::bad_request);
  EXPECT_NE(put->body.find("LEFTRIGHT, UPDOWN, CENTER"), std::string::npos) << put->body;
  put = send(verb::put, "/ISAPI/Image/channels/1/ircutFilter",
             doc("IrcutFilter", "<Schedule><TimeRange><beginTime>25:00:00</beginTime></TimeRange></Schedule>"));
  EXPECT_EQ(put->http_status, status::bad_request);
  EXPECT_NE(put->body.find("hh:mm:ss"), std::string::npos) << put->body;
  EXPECT_EQ(send(verb::get, "/ISAPI/Image/channels/2")->http_status, status::not_found);
  EXPECT_EQ(send(verb::get, "/ISAPI/Image/channels/1", {}, k_viewer)->http_status, status::forbidden);
}

TEST_F(ImageResourcesTest, OverlaysMapTextDateAndNameOnTheNormalisedScreen) {
  const auto current = send(verb::get, "/ISAPI/System/Video/inputs/channels/1/overlays");
  ASSERT_EQ(current->http_status, status::ok) << current->body;
  EXPECT_EQ(current->text({"normalizedScreenSize", "normalizedScreenWidth"}), "704");
  EXPECT_EQ(current->text({"DateTimeOverlay", "enabled"}), "true");
  EXPECT_EQ(current->text({"channelNameOverlay", "name"}), "Camera 01");

  const auto put = send(verb::put, "/ISAPI/System/Video/inputs/channels/1/overlays",
                        doc("VideoOverlay", "<attribute><transparent>false</transparent><flashing>true</flashing></attribute>"
                                            "<fontSize>32*32</fontSize><frontColorMode>customize</frontColorMode><frontColor>ff0000</frontColor>"
                                            "<TextOverlayList><TextOverlay><id>3</id><enabled>true</enabled><positionX>352</positionX>"
                                            "<positionY>144</positionY><displayText>Gate north</displayText></TextOverlay></TextOverlayList>"
                                            "<DateTimeOverlay><dateStyle>DD-MM-YYYY</dateStyle><timeStyle>12hour</timeStyle>"
                                            "<displayWeek>true</displayWeek></DateTimeOverlay>"
                                            "<channelNameOverlay><name>Yard</name></channelNameOverlay>"));
  ASSERT_EQ(put->http_status, status::ok) << put->body;
  EXPECT_EQ(config->get_string("channel.1.osd.display_mode"), "not_transparent_flashing");
  EXPECT_EQ(config->get_string("channel.1.osd.font_size"), "32");
  EXPECT_EQ(config->get_string("channel.1.osd.font_color"), "custom");
  EXPECT_EQ(config->get_int("channel.1.osd.font_rgb"), 0xFF0000);
  EXPECT_TRUE(config->get_bool("channel.1.osd.text.3.enabled"));
  EXPECT_EQ(config->get_string("channel.1.osd.text.3.text"), "Gate north");
  EXPECT_DOUBLE_EQ(config->get_number("channel.1.osd.text.3.x"), 0.5);
  EXPECT_DOUBLE_EQ(config->get_number("channel.1.osd.text.3.y"), 0.25);
  EXPECT_EQ(config->get_string("channel.1.osd.date.format"), "DD-MM-YYYY");
  EXPECT_EQ(config->get_string("channel.1.osd.date.time_format"), "12hour");
  EXPECT_EQ(config->get_string("channel.1.osd.name.text"), "Yard");

  const auto after = send(verb::get, "/ISAPI/System/Video/inputs/channels/1/overlays");
  EXPECT_EQ(after->text({"frontColor"}), "ff0000");
  EXPECT_EQ(after->text({"attribute", "flashing"}), "true");

  auto refused = send(verb::put, "/ISAPI/System/Video/inputs/channels/1/overlays",
                      doc("VideoOverlay", "<TextOverlayList><TextOverlay><id>9</id></TextOverlay></TextOverlayList>"));
  EXPECT_EQ(refused->http_status, status::bad_request);
  EXPECT_NE(refused->body.find("text overlays 1..8"), std::string::npos) << refused->body;
  refused = send(verb::put, "/ISAPI/System/Video/inputs/channels/1/overlays",
                 doc("VideoOverlay", "<TextOverlayList><TextOverlay><id>1</id><displayText>" + std::string(45, 'x') +
                                         "</displayText></TextOverlay></TextOverlayList>"));
  EXPECT_EQ(refused->http_status, status::bad_request);
  EXPECT_NE(refused->body.find("44"), std::string::npos) << refused->body;
}

TEST_F(ImageResourcesTest, PrivacyMaskAreasAreRectanglesAndClearAllTurnsThemOff) {
  const auto put = send(verb::put, "/ISAPI/System/Video/inputs/channels/1/privacyMask",
                        doc("PrivacyMask", "<enabled>true</enabled><PrivacyMaskRegionList><PrivacyMaskRegion><id>2</id>"
                                           "<enabled>true</enabled><RegionCoordinatesList>"
                                           "<RegionCoordinates><positionX>176</positionX><positionY>144</positionY></RegionCoordinates>"
                                           "<RegionCoordinates><positionX>528</positionX><positionY>432</positionY></RegionCoordinates>"
                                           "</RegionCoordinatesList></PrivacyMaskRegion></PrivacyMaskRegionList>"));
  ASSERT_EQ(put->http_status, status::ok) << put->body;
  EXPECT_TRUE(config->get_bool("channel.1.privacy_mask.enabled"));
  EXPECT_TRUE(config->get_bool("channel.1.privacy_mask.2.enabled"));
  EXPECT_DOUBLE_EQ(config->get_number("channel.1.privacy_mask.2.x"), 0.25);
  EXPECT_DOUBLE_EQ(config->get_number("channel.1.privacy_mask.2.height"), 0.5);
  const auto regions = send(verb::get, "/ISAPI/System/Video/inputs/channels/1/privacyMask/regions");
  ASSERT_EQ(regions->http_status, status::ok);
  EXPECT_EQ(std::string(regions->doc.document_element().attribute("size").value()), "4");

  const auto cleared = send(verb::delete_, "/ISAPI/System/Video/inputs/channels/1/privacyMask/regions");
  ASSERT_EQ(cleared->http_status, status::ok) << cleared->body;
  EXPECT_FALSE(config->get_bool("channel.1.privacy_mask.2.enabled"));

  const auto refused = send(verb::put, "/ISAPI/System/Video/inputs/channels/1/privacyMask/regions",
                            doc("PrivacyMaskRegionList", "<PrivacyMaskRegion><id>1</id><RegionCoordinatesList><RegionCoordinates>"
                                                         "<positionX>10</positionX><positionY>10</positionY></RegionCoordinates>"
                                                         "</RegionCoordinatesList></PrivacyMaskRegion>"));
  EXPECT_EQ(refused->http_status, status::bad_request);
  EXPECT_NE(refused->body.find("closed area"), std::string::npos) << refused->body;
}

TEST_F(ImageResourcesTest, OverlayPictureUploadAcceptsOnly24BitBmpUpTo128) {
  const auto good = media::image::test::make_bmp(64, 32, [](int x, int) { return x < 32 ? 0xFF0000u : 0x0000FFu; });
  auto answer = send(verb::put, "/ISAPI/System/Video/inputs/channels/1/overlays/picture/upload", as_string(good), k_admin,
                     "application/octet-stream");
  ASSERT_EQ(answer->http_status, status::ok) << answer->body;
  answer = send(verb::get, "/ISAPI/System/Video/inputs/channels/1/overlays/picture");
  EXPECT_EQ(answer->text({"uploaded"}), "true");
  EXPECT_EQ(answer->text({"width"}), "64");

  const auto deep = media::image::test::make_bmp(16, 16, [](int, int) { return 0u; }, 32);
  answer = send(verb::post, "/ISAPI/System/Video/inputs/channels/1/overlays/picture/upload", as_string(deep));
  EXPECT_EQ(answer->http_status, status::bad_request);
  EXPECT_NE(answer->body.find("BMP format with 24-bit"), std::string::npos) << answer->body;
  const auto big = media::image::test::make_bmp(129, 16, [](int, int) { return 0u; });
  answer = send(verb::post, "/ISAPI/System/Video/inputs/channels/1/overlays/picture/upload", as_string(big));
  EXPECT_EQ(answer->http_status, status::bad_request);
  EXPECT_NE(answer->body.find("128 x 128"), std::string::npos) << answer->body;

  // A browser form upload.
  const auto small = media::image::test::make_bmp(8, 8, [](int, int) { return 0x00FF00u; });
  const std::string form = "--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"logo.bmp\"\r\n"
                           "Content-Type: image/bmp\r\n\r\n" + as_string(small) + "\r\n--XyZ--\r\n";
  answer = send(verb::post, "/ISAPI/System/Video/inputs/channels/1/overlays/picture/upload", form, k_admin,
                "multipart/form-data; boundary=XyZ");
  ASSERT_EQ(answer->http_status, status::ok) << answer->body;
  EXPECT_EQ(send(verb::get, "/ISAPI/System/Video/inputs/channels/1/overlays/picture")->text({"width"}), "8");

  answer = send(verb::put, "/ISAPI/System/Video/inputs/channels/1/overlays/picture",
                doc("PictureOverlay", "<enabled>true</enabled><positionX>704</positionX><positionY>0</positionY>"));
  ASSERT_EQ(answer->http_status, status::ok) << answer->body;
  EXPECT_TRUE(config->get_bool("channel.1.picture_overlay.enabled"));
  EXPECT_DOUBLE_EQ(config->get_number("channel.1.picture_overlay.x"), 1.0);
}

TEST_F(ImageResourcesTest, RegionOfInterestMapsToTheStreamAndIsRefusedUnderH264Plus) {
  auto answer = send(verb::get, "/ISAPI/Streaming/channels/101/regionOfInterest");
  ASSERT_EQ(answer->http_status, status::ok) << answer->body;
  EXPECT_EQ(answer->text({"enabled"}), "false");
  EXPECT_EQ(std::string(child(answer->doc.document_element(), "ROIRegionList").attribute("size").value()), "4");

  const auto region = doc("ROI", "<enabled>true</enabled><ROIRegionList><ROIRegion><id>2</id><enabled>true</enabled>"
                                 "<regionName>gate</regionName><imageQualityLevel>5</imageQualityLevel><RegionCoordinatesList>"
                                 "<RegionCoordinates><positionX>0</positionX><positionY>0</positionY></RegionCoordinates>"
                                 "<RegionCoordinates><positionX>352</positionX><positionY>288</positionY></RegionCoordinates>"
                                 "</RegionCoordinatesList></ROIRegion></ROIRegionList>");
  answer = send(verb::put, "/ISAPI/Streaming/channels/102/regionOfInterest", region);
  ASSERT_EQ(answer->http_status, status::ok) << answer->body;
  EXPECT_TRUE(config->get_bool("stream.102.roi.enabled"));
  EXPECT_EQ(config->get_int("stream.102.roi.2.level"), 5);
  EXPECT_EQ(config->get_string("stream.102.roi.2.name"), "gate");
  EXPECT_DOUBLE_EQ(config->get_number("stream.102.roi.2.width"), 0.5);
  EXPECT_FALSE(config->get_bool("stream.101.roi.enabled"));

  answer = send(verb::put, "/ISAPI/Streaming/channels/101/regionOfInterest",
                doc("ROI", "<ROIRegionList><ROIRegion><id>1</id><imageQualityLevel>7</imageQualityLevel></ROIRegion></ROIRegionList>"));
  EXPECT_EQ(answer->http_status, status::bad_request);
  EXPECT_NE(answer->body.find("ROI Level 1"), std::string::npos) << answer->body;

  ASSERT_TRUE(config->set_text("stream.101.video_codec", "H.264+"));
  answer = send(verb::put, "/ISAPI/Streaming/channels/101/regionOfInterest", doc("ROI", "<enabled>true</enabled>"));
  EXPECT_EQ(answer->http_status, status::forbidden);
  EXPECT_NE(answer->body.find("H.264+ disables ROI"), std::string::npos) << answer->body;
  EXPECT_EQ(send(verb::get, "/ISAPI/Streaming/channels/103/regionOfInterest")->http_status, status::ok) << "the third stream";
  EXPECT_EQ(send(verb::get, "/ISAPI/Streaming/channels/104/regionOfInterest")->http_status, status::not_found)
      << "a custom stream slot not added";
  EXPECT_EQ(send(verb::get, "/ISAPI/Streaming/channels/107/regionOfInterest")->http_status, status::not_found);
}

class PtzImageResourcesTest : public ImageResourcesTest {
 protected:
  std::string profile_name() const override { return "smart-linkage-ptz"; }
};

TEST_F(PtzImageResourcesTest, EveryChannelOfTheProfileHasItsOwnImageOverlaysMasksAndRegions) {
  auto put = send(verb::put, "/ISAPI/Image/channels/2/color", doc("Color", "<brightnessLevel>20</brightnessLevel>"));
  ASSERT_EQ(put->http_status, status::ok) << put->body;
  EXPECT_EQ(config->get_int("channel.2.image.brightness"), 20);
  EXPECT_EQ(config->get_int("channel.1.image.brightness"), 50);
  EXPECT_EQ(send(verb::get, "/ISAPI/Image/channels/2/color")->text({"brightnessLevel"}), "20");
  EXPECT_EQ(send(verb::get, "/ISAPI/Image/channels/1/color")->text({"brightnessLevel"}), "50");

  EXPECT_EQ(send(verb::get, "/ISAPI/System/Video/inputs/channels/1/overlays")->text({"channelNameOverlay", "name"}), "PTZ");
  EXPECT_EQ(send(verb::get, "/ISAPI/System/Video/inputs/channels/2/overlays")->text({"channelNameOverlay", "name"}),
            "Panoramic");

  put = send(verb::put, "/ISAPI/System/Video/inputs/channels/2/privacyMask",
             doc("PrivacyMask", "<enabled>true</enabled><PrivacyMaskRegionList><PrivacyMaskRegion><id>1</id>"
                                "<enabled>true</enabled><RegionCoordinatesList>"
                                "<RegionCoordinates><positionX>0</positionX><positionY>0</positionY></RegionCoordinates>"
                                "<RegionCoordinates><positionX>352</positionX><positionY>576</positionY></RegionCoordinates>"
                                "</RegionCoordinatesList></PrivacyMaskRegion></PrivacyMaskRegionList>"));
  ASSERT_EQ(put->http_status, status::ok) << put->body;
  EXPECT_TRUE(config->get_bool("channel.2.privacy_mask.1.enabled"));
  EXPECT_FALSE(config->get_bool("channel.1.privacy_mask.1.enabled"));

  put = send(verb::put, "/ISAPI/Streaming/channels/201/regionOfInterest",
             doc("ROI", "<enabled>true</enabled><ROIRegionList><ROIRegion><id>1</id><enabled>true</enabled>"
                        "<imageQualityLevel>6</imageQualityLevel></ROIRegion></ROIRegionList>"));
  ASSERT_EQ(put->http_status, status::ok) << put->body;
  EXPECT_EQ(config->get_int("stream.201.roi.1.level"), 6);
  EXPECT_EQ(config->get_int("stream.101.roi.1.level"), 3);
  EXPECT_EQ(send(verb::get, "/ISAPI/Image/channels/3")->http_status, status::not_found);
  const auto corridor = send(verb::get, "/ISAPI/Image/channels/1/corridor");
  EXPECT_EQ(corridor->http_status, status::not_found) << "rotate is a network camera setting";
  EXPECT_NE(corridor->body.find("no Corridor setting"), std::string::npos) << corridor->body;
  EXPECT_EQ(send(verb::get, "/ISAPI/Image/channels/1")->text({"Corridor", "enabled"}), "<absent>");
}

TEST_F(ImageResourcesTest, CorridorModeIsTheRotateSetting) {
  EXPECT_EQ(send(verb::get, "/ISAPI/Image/channels/1")->text({"Corridor", "enabled"}), "false");
  const auto put = send(verb::put, "/ISAPI/Image/channels/1/corridor", doc("Corridor", "<enabled>true</enabled>"));
  ASSERT_EQ(put->http_status, status::ok) << put->body;
  EXPECT_TRUE(config->get_bool("channel.1.image.rotate"));
  EXPECT_EQ(send(verb::get, "/ISAPI/Image/channels/1/corridor")->text({"enabled"}), "true");
}

}  // namespace
}  // namespace camrig::isapi
