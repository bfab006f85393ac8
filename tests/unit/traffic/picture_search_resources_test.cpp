// The stored pictures over ISAPI through the router: search with filters and paging, fetch, the
// watermark check of a stored and of a sent-back picture (Normal / Error), export, and the picture
// settings document with its checks.
#include <gtest/gtest.h>

#include "device/isapi/isapi.hpp"
#include "device/traffic/zip_archive.hpp"
#include "sim/sd_card_model.hpp"
#include "tests/support/isapi_harness.hpp"

namespace camrig::isapi {
namespace {

using http::beast_http::status;
using http::beast_http::verb;
using namespace std::chrono_literals;

std::vector<std::uint8_t> jpeg(int seed) {
  std::vector<std::uint8_t> bytes(1500, static_cast<std::uint8_t>(seed));
  bytes[0] = 0xFF;
  bytes[1] = 0xD8;
  return bytes;
}

class PictureSearchResourcesTest : public ::testing::Test, protected test::IsapiHarness {
 protected:
  void SetUp() override {
    open_device("lpr-camera");
    storage::PictureStoreOptions options;
    options.key = std::vector<std::uint8_t>(32, 3);
    store = std::move(storage::PictureStore::open(card, options).value());
    auto with = services();
    with.pictures = store.get();
    route(with);
    const hal::WallTime start{std::chrono::sys_days(std::chrono::year(2026) / 5 / 1).time_since_epoch() + 8h};
    const std::vector<std::pair<std::string, std::string>> vehicles = {
        {"ABC123", "approaching"}, {"XYZ789", "leaving"}, {"ABD555", "approaching"}};
    for (std::size_t i = 0; i < vehicles.size(); ++i) {
      storage::PictureInfo info;
      info.kind = "scene";
      info.event_type = "LPR";
      info.time = start + std::chrono::minutes(i);
      info.plate = vehicles[i].first;
      info.direction = vehicles[i].second;
      info.capture_id = i + 1;
      ids.push_back(store->store(info, jpeg(static_cast<int>(i)), storage::DiskFullPolicy::stop).value().id);
    }
  }

  test::LockstepTestClock card_clock;
  sim::SdCardModel card{card_clock, {.capacity_bytes = 1 << 20, .write_bytes_per_second = 0}};
  std::unique_ptr<storage::PictureStore> store;
  std::vector<std::uint64_t> ids;
};

TEST_F(PictureSearchResourcesTest, SearchFiltersAndPages) {
  auto all = send(verb::get, "/ISAPI/Traffic/pictureSearch?maxResults=2");
  ASSERT_EQ(all->http_status, status::ok) << all->body;
  EXPECT_EQ(all->text({"totalMatches"}), "3");
  EXPECT_EQ(all->text({"numOfMatches"}), "2");
  EXPECT_EQ(all->text({"PictureList", "Picture", "plateNumber"}), "ABD555");
  EXPECT_EQ(all->text({"PictureList", "Picture", "uri"}), "/ISAPI/Traffic/pictures/" + std::to_string(ids[2]));

  auto by_plate = send(verb::get, "/ISAPI/Traffic/pictureSearch?plate=ab&direction=approaching"
                                  "&startTime=2026-05-01T08:00:30Z&endTime=2026-05-01T09:00:00Z");
  ASSERT_EQ(by_plate->http_status, status::ok) << by_plate->body;
  EXPECT_EQ(by_plate->text({"totalMatches"}), "1");
  EXPECT_EQ(by_plate->text({"PictureList", "Picture", "plateNumber"}), "ABD555");

  EXPECT_EQ(send(verb::get, "/ISAPI/Traffic/pictureSearch?direction=north")->http_status, status::bad_request);
  EXPECT_EQ(send(verb::get, "/ISAPI/Traffic/pictureSearch?startTime=yesterday")->http_status, status::bad_request);
  EXPECT_NE(send(verb::get, "/ISAPI/Traffic/pictureSearch?maxResults=501")->http_status, status::ok);
}

TEST_F(PictureSearchResourcesTest, FetchAndWatermarkOfStoredAndSentBackPictures) {
  const std::string uri = "/ISAPI/Traffic/pictures/" + std::to_string(ids[0]);
  auto picture = send(verb::get, uri);
  ASSERT_EQ(picture->http_status, status::ok);
  EXPECT_EQ(picture->content_type, "image/jpeg");
  const auto original = jpeg(0);
  EXPECT_EQ(picture->body, std::string(original.begin(), original.end()));

  auto intact = send(verb::get, uri + "/watermark");
  ASSERT_EQ(intact->http_status, status::ok) << intact->body;
  EXPECT_EQ(intact->text({"status"}), "intact");
  EXPECT_EQ(intact->text({"result"}), "Normal");
  auto sent_back = send(verb::post, "/ISAPI/Traffic/pictureWatermark", picture->body);
  EXPECT_EQ(sent_back->text({"result"}), "Normal");

  std::string changed = picture->body;
  changed[700] = 'x';
  EXPECT_EQ(send(verb::post, "/ISAPI/Traffic/pictureWatermark", changed)->text({"result"}), "Error");
  const auto path = store->find(ids[0]).value().path;
  ASSERT_TRUE(card.write(path, std::span(reinterpret_cast<const std::uint8_t*>(changed.data()), changed.size()), false));
  auto tampered = send(verb::get, uri + "/watermark");
  EXPECT_EQ(tampered->text({"status"}), "tampered");
  EXPECT_EQ(tampered->text({"result"}), "Error");

  EXPECT_EQ(send(verb::get, "/ISAPI/Traffic/pictures/999")->http_status, status::not_found);
  EXPECT_EQ(send(verb::get, "/ISAPI/Traffic/pictures/abc")->http_status, status::not_found);
}

TEST_F(PictureSearchResourcesTest, ExportIsAZipOfTheMatches) {
  auto exported = send(verb::get, "/ISAPI/Traffic/pictureSearch/export?direction=approaching");
  ASSERT_EQ(exported->http_status, status::ok) << exported->body;
  EXPECT_EQ(exported->content_type, "application/zip");
  auto entries = traffic::read_zip(exported->body, 1 << 20);
  ASSERT_TRUE(entries) << entries.error().message;
  EXPECT_EQ(entries->size(), 3u);  // two pictures + pictures.csv
  EXPECT_EQ(send(verb::get, "/ISAPI/Traffic/pictureSearch/export?plate=NONE")->http_status, status::not_found);
}

TEST_F(PictureSearchResourcesTest, PictureSettingsAreCheckedAndStored) {
  auto settings = send(verb::get, "/ISAPI/Traffic/pictureSettings");
  ASSERT_EQ(settings->http_status, status::ok) << settings->body;
  EXPECT_EQ(settings->text({"PictureOSD", "blackBar"}), "below");
  EXPECT_EQ(settings->text({"Snapshot", "maxSize"}), "512");

  const std::string ns = " xmlns=\"http://www.hikvision.com/ver20/XMLSchema\"";
  auto bad_boxes = send(verb::put, "/ISAPI/Traffic/pictureSettings",
                        "<PictureSettings" + ns + "><PictureOSD><blackBar>above</blackBar><titleBoxes>[{\"items\":[{\"info\":\"speed\"}]}]"
                        "</titleBoxes></PictureOSD></PictureSettings>");
  EXPECT_EQ(bad_boxes->http_status, status::bad_request);
  EXPECT_EQ(config->get_string("pictures.osd.bar"), "below");
  auto bad_colour = send(verb::put, "/ISAPI/Traffic/pictureSettings",
                         "<PictureSettings" + ns + "><PictureOSD><fontColor>white</fontColor></PictureOSD></PictureSettings>");
  EXPECT_EQ(bad_colour->http_status, status::bad_request);
  auto bad_size = send(verb::put, "/ISAPI/Traffic/pictureSettings",
                       "<PictureSettings" + ns + "><Snapshot><maxSize>20</maxSize></Snapshot></PictureSettings>");
  EXPECT_EQ(bad_size->http_status, status::bad_request);

  auto good = send(verb::put, "/ISAPI/Traffic/pictureSettings",
                   "<PictureSettings" + ns + "><PictureOSD><blackBar>above</blackBar><separator>space</separator>"
                   "<titleBoxes>[{\"items\":[{\"info\":\"date\"},{\"info\":\"plate\"}]}]</titleBoxes></PictureOSD>"
                   "<Snapshot><maxSize>200</maxSize></Snapshot></PictureSettings>");
  ASSERT_EQ(good->http_status, status::ok) << good->body;
  EXPECT_EQ(config->get_string("pictures.osd.bar"), "above");
  EXPECT_EQ(config->get_string("pictures.osd.separator"), "space");
  EXPECT_EQ(config->get_int("pictures.snapshot.max_size"), 200);
}

}  // namespace
}  // namespace camrig::isapi
