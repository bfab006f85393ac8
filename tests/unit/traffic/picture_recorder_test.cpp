// A vehicle's pictures end to end: the LPR service composes and stores them on the simulated card
// and its ANPR event carries them (URI and JPEG); the export ZIP holds them with a manifest; a
// missing card raises the No SD Card exception (and clears it) while the event keeps its pictures.
#include "device/traffic/picture_recorder.hpp"

#include <gtest/gtest.h>

#include <cstring>

#include "device/core/config_schema.hpp"
#include "device/traffic/lpr_service.hpp"
#include "device/traffic/plate_list.hpp"
#include "device/traffic/zip_archive.hpp"
#include "sim/sd_card_model.hpp"
#include "sim/virtual_relays.hpp"
#include "tests/support/lockstep_test_clock.hpp"

namespace camrig::traffic {
namespace {

using namespace std::chrono_literals;

hal::VideoFramePtr frame_at(hal::Nanos time) {
  auto frame = std::make_shared<hal::VideoFrame>(640, 360);
  std::memset(frame->plane(0), 90, 640 * 360);
  std::memset(frame->plane(1), 128, 640 * 360 / 2);
  for (int y = 250; y < 270; ++y) std::memset(frame->plane(0) + y * 640 + 300, 230, 80);
  frame->timestamp = time;
  return frame;
}

class PictureRecorderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto profile = core::DeviceProfile::builtin("lpr-camera");
    ASSERT_TRUE(profile);
    auto schema = core::ConfigSchema::builtin();
    ASSERT_TRUE(schema) << schema.error().message;
    config = std::move(core::ConfigService::open(*schema, *profile, ":memory:", nullptr).value());
    ASSERT_TRUE(config->set_text("traffic.capture.mode", "video"));
    ASSERT_TRUE(config->set_text("pictures.cutout.vehicle", "true"));
    storage::PictureStoreOptions options;
    options.key = std::vector<std::uint8_t>(32, 7);
    store = std::move(storage::PictureStore::open(card, options).value());
    composer = std::move(PictureComposer::open().value());
    engine = std::make_unique<events::EventEngine>(clock, bus, nullptr, &relays);
    engine->start();
    recorded = bus.subscribe<events::RecordedEvent>(64);
    plates = std::move(PlateList::open(":memory:", clock).value());
    PictureRecorderParts parts;
    parts.config = config.get();
    parts.composer = composer.get();
    parts.store = store.get();
    parts.engine = engine.get();
    parts.latest_frame = [this](int) { return latest; };
    parts.utc_offset = [](hal::WallTime) { return std::chrono::seconds(2h); };
    recorder = std::make_unique<PictureRecorder>(std::move(parts));
    LprServiceParts lpr;
    lpr.clock = &clock;
    lpr.config = config.get();
    lpr.plates = plates.get();
    lpr.relays = &relays;
    lpr.engine = engine.get();
    lpr.pictures = recorder.get();
    service = std::make_unique<LprService>(std::move(lpr));
    service->start();
  }

  void TearDown() override {
    service.reset();
    engine.reset();
  }

  PlateRead read(const std::string& plate) {
    PlateRead r;
    r.id = ++ids;
    r.plate = plate;
    r.confidence = 0.9;
    r.direction = VehicleDirection::approaching;
    r.plate_box = {300, 250, 80, 20};
    r.time = clock.now();
    r.frame = frame_at(clock.now());
    return r;
  }

  std::vector<events::Event> events_of(events::EventKind kind) {
    std::vector<events::Event> found;
    while (auto e = recorded->try_pop())
      if (e->event.kind == kind) found.push_back(e->event);
    return found;
  }

  test::LockstepTestClock clock;
  core::EventBus bus;
  sim::VirtualRelays relays{clock, 2};
  sim::SdCardModel card{clock, {.capacity_bytes = 64 << 20, .write_bytes_per_second = 0}};
  std::unique_ptr<core::ConfigService> config;
  std::unique_ptr<storage::PictureStore> store;
  std::unique_ptr<PictureComposer> composer;
  std::unique_ptr<events::EventEngine> engine;
  std::shared_ptr<core::Mailbox<events::RecordedEvent>> recorded;
  std::unique_ptr<PlateList> plates;
  std::unique_ptr<PictureRecorder> recorder;
  std::unique_ptr<LprService> service;
  hal::VideoFramePtr latest;
  std::uint64_t ids = 0;
};

TEST_F(PictureRecorderTest, TheAnprEventCarriesTheStoredPictures) {
  service->submit(read("ABC123"));
  const auto anpr = events_of(events::EventKind::vehicle_detection);
  ASSERT_EQ(anpr.size(), 1u);
  const auto& pictures = anpr[0].pictures;
  ASSERT_EQ(pictures.size(), 3u);
  EXPECT_EQ(pictures[0].kind, "scene");
  EXPECT_EQ(pictures[1].kind, "plate");
  EXPECT_EQ(pictures[2].kind, "vehicle");
  auto page = store->search({});
  ASSERT_TRUE(page);
  ASSERT_EQ(page->total, 3u);
  for (const auto& picture : pictures) {
    ASSERT_TRUE(picture.jpeg);
    ASSERT_TRUE(picture.uri.starts_with("/ISAPI/Traffic/pictures/")) << picture.uri;
    const auto id = std::stoull(picture.uri.substr(std::strlen("/ISAPI/Traffic/pictures/")));
    auto bytes = store->read(id);
    ASSERT_TRUE(bytes);
    EXPECT_EQ(std::string(bytes->begin(), bytes->end()), *picture.jpeg);
    EXPECT_EQ(store->verify(id).value(), storage::WatermarkStatus::intact);
  }
  EXPECT_EQ(page->pictures[0].info.plate, "ABC123");
  EXPECT_EQ(page->pictures[0].info.direction, "approaching");
  EXPECT_EQ(page->pictures[0].info.event_type, "LPR");
}

TEST_F(PictureRecorderTest, SnapshotQuantityTwoTakesTheSecondSceneFromALaterFrame) {
  ASSERT_TRUE(config->set_text("traffic.capture.snapshot_quantity", "2"));
  ASSERT_TRUE(config->set_text("pictures.cutout.plate", "false"));
  ASSERT_TRUE(config->set_text("pictures.cutout.vehicle", "false"));
  auto r = read("XYZ789");
  latest = frame_at(r.time + 80ms);
  service->submit(r);
  const auto anpr = events_of(events::EventKind::vehicle_detection);
  ASSERT_EQ(anpr.size(), 1u);
  ASSERT_EQ(anpr[0].pictures.size(), 2u);
  EXPECT_EQ(anpr[0].pictures[0].kind, "scene");
  EXPECT_EQ(anpr[0].pictures[1].kind, "scene");
  storage::PictureQuery second;
  second.kind = "scene2";
  EXPECT_EQ(store->search(second).value().total, 1u);
}

TEST_F(PictureRecorderTest, ExportZipsTheSearchWithAManifest) {
  service->submit(read("ABC123"));
  clock.advance_to(clock.now() + 10s);
  service->submit(read("DEF456"));
  storage::PictureQuery query;
  query.plate = "def";
  const auto zip = export_pictures(*store, query, 100);
  ASSERT_TRUE(zip) << zip.error().message;
  const auto entries = read_zip(*zip, 64 << 20);
  ASSERT_TRUE(entries) << entries.error().message;
  ASSERT_EQ(entries->size(), 4u);  // scene, plate, vehicle + pictures.csv
  EXPECT_EQ(entries->back().name, "pictures.csv");
  const auto& manifest = entries->back().data;
  EXPECT_NE(manifest.find("DEF456"), std::string::npos);
  EXPECT_EQ(manifest.find("ABC123"), std::string::npos);
  EXPECT_EQ((*entries)[0].data.substr(0, 2), "\xFF\xD8");
  EXPECT_EQ(store->verify_bytes(std::span(reinterpret_cast<const std::uint8_t*>((*entries)[0].data.data()),
                                          (*entries)[0].data.size()))
                .value(),
            storage::WatermarkStatus::intact);

  EXPECT_EQ(export_pictures(*store, query, 2).error().code, ErrorCode::out_of_range);
  query.plate = "NOPE";
  EXPECT_EQ(export_pictures(*store, query, 100).error().code, ErrorCode::not_found);
}

TEST_F(PictureRecorderTest, AMissingCardRaisesNoStorageOnceAndTheEventStillHasItsPictures) {
  card.eject();
  service->submit(read("ABC123"));
  clock.advance_to(clock.now() + 10s);
  service->submit(read("DEF456"));
  std::vector<events::Event> anpr, no_card;
  while (auto e = recorded->try_pop()) {
    if (e->event.kind == events::EventKind::vehicle_detection) anpr.push_back(e->event);
    if (e->event.kind == events::EventKind::no_storage) no_card.push_back(e->event);
  }
  ASSERT_EQ(anpr.size(), 2u);
  ASSERT_EQ(anpr[0].pictures.size(), 3u);
  EXPECT_TRUE(anpr[0].pictures[0].jpeg);
  EXPECT_TRUE(anpr[0].pictures[0].uri.empty());
  ASSERT_EQ(no_card.size(), 1u);
  EXPECT_EQ(no_card[0].state, events::EventState::active);
  EXPECT_NE(no_card[0].description.find("no memory card"), std::string::npos);

  card.insert();
  clock.advance_to(clock.now() + 10s);
  service->submit(read("GHI789"));
  const auto cleared = events_of(events::EventKind::no_storage);
  ASSERT_EQ(cleared.size(), 1u);
  EXPECT_EQ(cleared[0].state, events::EventState::inactive);
}

TEST_F(PictureRecorderTest, AFullCardWithStopRaisesStorageFull) {
  ASSERT_TRUE(config->set_text("pictures.storage.disk_full", "stop"));
  card.set_full(true);
  service->submit(read("ABC123"));
  const auto full = events_of(events::EventKind::storage_full);
  ASSERT_EQ(full.size(), 1u);
  EXPECT_NE(full[0].description.find("full"), std::string::npos);
}

TEST_F(PictureRecorderTest, LocalStorageOffComposesWithoutStoring) {
  ASSERT_TRUE(config->set_text("pictures.storage.local", "false"));
  service->submit(read("ABC123"));
  const auto anpr = events_of(events::EventKind::vehicle_detection);
  ASSERT_EQ(anpr.size(), 1u);
  EXPECT_EQ(anpr[0].pictures.size(), 3u);
  EXPECT_EQ(store->search({}).value().total, 0u);
}

}  // namespace
}  // namespace camrig::traffic
