// Picture ids on the simulated card: a picture keeps its id (and so its URI) when the index is
// rebuilt from the card or a new index is made for it; a sidecar without an id gets one that
// stays; ids are never given twice. Manual captures are stored and found by their event type.
#include "device/storage/picture_store.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "sim/sd_card_model.hpp"
#include "tests/support/lockstep_test_clock.hpp"
#include "tests/support/lpr_service_rig.hpp"

namespace camrig::storage {
namespace {

using namespace std::chrono_literals;

std::vector<std::uint8_t> jpeg(int n) {
  std::vector<std::uint8_t> bytes(200 + static_cast<std::size_t>(n), static_cast<std::uint8_t>(n));
  bytes[0] = 0xFF;
  bytes[1] = 0xD8;
  return bytes;
}

class PictureStoreIdTest : public ::testing::Test {
 protected:
  std::unique_ptr<PictureStore> open_index() {
    PictureStoreOptions options;
    options.key = std::vector<std::uint8_t>(32, 5);
    return std::move(PictureStore::open(card, options).value());
  }
  StoredPicture store_one(PictureStore& store, int n) {
    PictureInfo info;
    info.kind = "scene";
    info.event_type = "LPR";
    info.time = clock.wall_time() + std::chrono::seconds(n);
    info.plate = "ABC" + std::to_string(100 + n);
    info.capture_id = static_cast<std::uint64_t>(n);
    return store.store(info, jpeg(n), DiskFullPolicy::stop).value();
  }
  std::map<std::uint64_t, std::string> paths_by_id(PictureStore& store) {
    std::map<std::uint64_t, std::string> found;
    PictureQuery all;
    all.limit = PictureStore::k_max_page;
    const auto page = store.search(all).value();
    for (const auto& picture : page.pictures) found[picture.id] = picture.path;
    return found;
  }

  test::LockstepTestClock clock;
  sim::SdCardModel card{clock, {.capacity_bytes = 1 << 20, .write_bytes_per_second = 0}};
};

TEST_F(PictureStoreIdTest, IdsStayTheSameWhenTheIndexIsRebuiltOrMadeAgain) {
  auto store = open_index();
  std::map<std::uint64_t, std::string> stored;
  for (int n = 1; n <= 3; ++n) {
    const auto picture = store_one(*store, n);
    stored[picture.id] = picture.path;
  }
  // The first picture goes, so a renumbering from 1 would show.
  const auto first = stored.begin()->first;
  ASSERT_TRUE(card.remove(stored.begin()->second));
  ASSERT_TRUE(card.remove(stored.begin()->second + ".json"));
  stored.erase(first);

  ASSERT_EQ(store->rebuild().value(), 2u);
  EXPECT_EQ(paths_by_id(*store), stored);
  // Another index for the same card (the data directory was reset): the same ids.
  auto again = open_index();
  EXPECT_EQ(paths_by_id(*again), stored);
  EXPECT_EQ(again->read(stored.rbegin()->first).value(), jpeg(3));
  // New pictures continue after the card's ids.
  EXPECT_GT(store_one(*again, 4).id, stored.rbegin()->first);
}

TEST_F(PictureStoreIdTest, AnIdIsNeverGivenTwice) {
  auto store = open_index();
  const auto a = store_one(*store, 1);
  const auto b = store_one(*store, 2);
  ASSERT_TRUE(card.remove(b.path));
  ASSERT_TRUE(card.remove(b.path + ".json"));
  ASSERT_EQ(store->rebuild().value(), 1u);
  const auto c = store_one(*store, 3);
  EXPECT_GT(c.id, b.id) << "the removed picture's URI must not show another picture";
  EXPECT_FALSE(store->find(b.id));
  EXPECT_EQ(store->find(a.id).value().path, a.path);
}

TEST_F(PictureStoreIdTest, ASidecarWithoutAnIdGetsOneThatStays) {
  auto store = open_index();
  const auto kept = store_one(*store, 1);
  const auto older = store_one(*store, 2);
  // A sidecar as written before ids were kept.
  auto sidecar = nlohmann::json::parse(std::string_view(
      [&] { auto bytes = card.read(older.path + ".json").value(); return std::string(bytes.begin(), bytes.end()); }()));
  sidecar.erase("id");
  const std::string text = sidecar.dump();
  ASSERT_TRUE(card.write(older.path + ".json", std::span(reinterpret_cast<const std::uint8_t*>(text.data()), text.size()), false));

  ASSERT_EQ(store->rebuild().value(), 2u);
  const auto first = paths_by_id(*store);
  EXPECT_EQ(first.at(kept.id), kept.path);
  std::uint64_t given = 0;
  for (const auto& [id, path] : first)
    if (path == older.path) given = id;
  ASSERT_NE(given, 0u);
  EXPECT_NE(given, kept.id);
  auto again = open_index();
  EXPECT_EQ(paths_by_id(*again), first);
}

// A manual capture (Manual Snapshot / Test Capture) is stored like a vehicle's pictures, found by
// event type "manual", and moves no barrier.
TEST(ManualCaptureTest, ItsPicturesAreStoredAndFoundAsManual) {
  test::LockstepTestClock clock;
  std::vector<traffic::CaptureTrigger> requested;
  test::LprServiceRigOptions options;
  options.pictures = true;
  options.request_capture = [&](traffic::CaptureTrigger trigger, hal::Nanos) { requested.push_back(trigger); };
  options.settings = {{"traffic.capture.mode", "loop"}, {"traffic.barrier.enabled", "true"},
                      {"traffic.barrier.mode", "all_vehicles"}};
  test::LprServiceRig rig(clock, options);
  ASSERT_TRUE(rig.service->manual_capture());
  ASSERT_EQ(requested, std::vector<traffic::CaptureTrigger>{traffic::CaptureTrigger::manual});
  // Recognition answers with what it sees, here a plate; Loop mode does not filter it out.
  rig.service->submit(rig.read("MAN123", traffic::CaptureTrigger::manual));
  rig.service->submit(rig.read("CAR456", traffic::CaptureTrigger::loop, traffic::VehicleDirection::approaching, 1ms));

  PictureQuery manual;
  manual.event_type = "manual";
  const auto found = rig.store->search(manual).value();
  ASSERT_GE(found.total, 1u);
  for (const auto& picture : found.pictures) EXPECT_EQ(picture.info.plate, "MAN123");
  PictureQuery lpr;
  lpr.event_type = "LPR";
  const auto by_lpr = rig.store->search(lpr).value();
  ASSERT_FALSE(by_lpr.pictures.empty());
  EXPECT_EQ(by_lpr.pictures[0].info.plate, "CAR456");
  const auto vehicles = rig.vehicles();
  ASSERT_EQ(vehicles.size(), 2u);
  EXPECT_EQ(vehicles[0].barrier, traffic::BarrierAction::not_controlled);
  EXPECT_EQ(vehicles[1].barrier, traffic::BarrierAction::opened);
}

}  // namespace
}  // namespace camrig::storage
