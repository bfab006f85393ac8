// The picture store on the simulated memory card: search by time, plate, event type and direction
// with paging; watermarks that tell intact, tampered and missing pictures apart; a full, absent or
// read-only card; an index that follows a swapped card and survives a restart.
#include "device/storage/picture_store.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <unistd.h>

#include "sim/sd_card_model.hpp"
#include "tests/support/lockstep_test_clock.hpp"

namespace camrig::storage {
namespace {

using namespace std::chrono_literals;

const hal::WallTime k_start{std::chrono::sys_days(std::chrono::year(2026) / 3 / 1).time_since_epoch() + 8h};

std::vector<std::uint8_t> jpeg_bytes(int seed, std::size_t size = 2000) {
  std::vector<std::uint8_t> bytes(size);
  for (std::size_t i = 0; i < size; ++i) bytes[i] = static_cast<std::uint8_t>((i * 31 + static_cast<std::size_t>(seed) * 7) % 251);
  bytes[0] = 0xFF;
  bytes[1] = 0xD8;
  return bytes;
}

PictureInfo info(const std::string& plate, const std::string& direction, hal::WallTime time, std::uint64_t capture,
                 const std::string& kind = "scene", const std::string& event_type = "LPR") {
  PictureInfo i;
  i.kind = kind;
  i.event_type = event_type;
  i.time = time;
  i.plate = plate;
  i.direction = direction;
  i.capture_id = capture;
  return i;
}

std::vector<std::uint8_t> key() { return std::vector<std::uint8_t>(32, 0x5A); }

// A card slot whose card can be swapped for another while the store holds the slot.
class CardSlot final : public hal::StorageMedium {
 public:
  explicit CardSlot(hal::StorageMedium* card) : card_(card) {}
  void swap_to(hal::StorageMedium* card) { card_ = card; }
  hal::MediumStatus status() const override { return card_->status(); }
  Result<void> format() override { return card_->format(); }
  Result<void> write(std::string_view path, std::span<const std::uint8_t> bytes, bool append) override {
    return card_->write(path, bytes, append);
  }
  Result<std::vector<std::uint8_t>> read(std::string_view path) const override { return card_->read(path); }
  Result<void> remove(std::string_view path) override { return card_->remove(path); }
  std::vector<hal::MediumEntry> list(std::string_view directory) const override { return card_->list(directory); }

 private:
  hal::StorageMedium* card_;
};

class PictureStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    PictureStoreOptions options;
    options.key = key();
    auto opened = PictureStore::open(card, options);
    ASSERT_TRUE(opened) << opened.error().message;
    store = std::move(*opened);
  }

  StoredPicture put(const PictureInfo& i, int seed) {
    auto stored = store->store(i, jpeg_bytes(seed), DiskFullPolicy::stop);
    EXPECT_TRUE(stored) << stored.error().message;
    return stored ? *stored : StoredPicture{};
  }

  std::vector<std::string> plates(const PictureQuery& query) {
    auto page = store->search(query);
    EXPECT_TRUE(page) << page.error().message;
    std::vector<std::string> found;
    if (page)
      for (const auto& p : page->pictures) found.push_back(p.info.plate);
    return found;
  }

  test::LockstepTestClock clock;
  sim::SdCardModel card{clock, {.capacity_bytes = 1 << 20, .write_bytes_per_second = 0}};
  std::unique_ptr<PictureStore> store;
};

TEST_F(PictureStoreTest, SearchFiltersByTimePlateEventTypeAndDirectionNewestFirst) {
  put(info("ABC123", "approaching", k_start, 1), 1);
  put(info("XABC99", "leaving", k_start + 10s, 2), 2);
  put(info("ZZZ111", "approaching", k_start + 20s, 3), 3);
  put(info("", "unknown", k_start + 30s, 0, "scene", "manual"), 4);

  EXPECT_EQ(plates({}), (std::vector<std::string>{"", "ZZZ111", "XABC99", "ABC123"}));
  PictureQuery by_time;
  by_time.from = k_start + 10s;
  by_time.to = k_start + 20s;
  EXPECT_EQ(plates(by_time), (std::vector<std::string>{"ZZZ111", "XABC99"}));
  PictureQuery by_plate;
  by_plate.plate = "abc";
  EXPECT_EQ(plates(by_plate), (std::vector<std::string>{"XABC99", "ABC123"}));
  PictureQuery by_direction;
  by_direction.direction = "approaching";
  EXPECT_EQ(plates(by_direction), (std::vector<std::string>{"ZZZ111", "ABC123"}));
  PictureQuery lpr_only;
  lpr_only.event_type = "LPR";
  EXPECT_EQ(plates(lpr_only).size(), 3u);
  PictureQuery manual_only;
  manual_only.event_type = "manual";
  EXPECT_EQ(plates(manual_only), std::vector<std::string>{""});

  PictureQuery paged;
  paged.limit = 3;
  paged.offset = 2;
  auto page = store->search(paged);
  ASSERT_TRUE(page);
  EXPECT_EQ(page->total, 4u);
  ASSERT_EQ(page->pictures.size(), 2u);
  EXPECT_EQ(page->pictures[0].info.plate, "XABC99");

  PictureQuery backwards;
  backwards.from = k_start + 1h;
  backwards.to = k_start;
  EXPECT_FALSE(store->search(backwards));
  PictureQuery huge;
  huge.limit = PictureStore::k_max_page + 1;
  EXPECT_FALSE(store->search(huge));
}

TEST_F(PictureStoreTest, WatermarkTellsIntactTamperedAndMissingPictures) {
  const auto first = put(info("ABC123", "approaching", k_start, 1), 1);
  const auto second = put(info("DEF456", "approaching", k_start + 1s, 2), 2);
  const auto third = put(info("GHI789", "approaching", k_start + 2s, 3), 3);
  EXPECT_EQ(first.watermark.size(), 64u);
  EXPECT_EQ(first.watermark, store->watermark(jpeg_bytes(1)));
  EXPECT_EQ(store->verify(first.id).value(), WatermarkStatus::intact);

  auto stored = store->read(second.id);
  ASSERT_TRUE(stored);
  EXPECT_EQ(*stored, jpeg_bytes(2));
  // One changed byte on the card is found.
  auto changed = *stored;
  changed[1000] ^= 0x01;
  ASSERT_TRUE(card.write(second.path, changed, false));
  EXPECT_EQ(store->verify(second.id).value(), WatermarkStatus::tampered);
  EXPECT_EQ(store->verify(first.id).value(), WatermarkStatus::intact);
  ASSERT_TRUE(card.remove(third.path));
  EXPECT_EQ(store->verify(third.id).value(), WatermarkStatus::missing);

  // A downloaded picture given back: intact byte for byte, tampered otherwise.
  EXPECT_EQ(store->verify_bytes(jpeg_bytes(1)).value(), WatermarkStatus::intact);
  EXPECT_EQ(store->verify_bytes(changed).value(), WatermarkStatus::tampered);

  // Another key (another camera) does not bless these pictures.
  PictureStoreOptions other;
  other.key = std::vector<std::uint8_t>(32, 0x11);
  auto foreign = PictureStore::open(card, other);
  ASSERT_TRUE(foreign);
  EXPECT_EQ((*foreign)->verify(first.id).value(), WatermarkStatus::tampered);
  EXPECT_FALSE(store->verify(999));
}

TEST_F(PictureStoreTest, AFullCardStopsOrOverwritesTheOldestPictures) {
  sim::SdCardModel small(clock, {.capacity_bytes = 10'000, .write_bytes_per_second = 0});
  PictureStoreOptions options;
  options.key = key();
  auto opened = PictureStore::open(small, options);
  ASSERT_TRUE(opened);
  auto& pictures = **opened;
  for (int i = 0; i < 4; ++i)
    ASSERT_TRUE(pictures.store(info("P" + std::to_string(i), "approaching", k_start + std::chrono::seconds(i), i), jpeg_bytes(i),
                               DiskFullPolicy::stop));
  const auto stopped = pictures.store(info("P4", "approaching", k_start + 4s, 4), jpeg_bytes(4), DiskFullPolicy::stop);
  ASSERT_FALSE(stopped);
  EXPECT_EQ(stopped.error().code, ErrorCode::unavailable);
  EXPECT_NE(stopped.error().message.find("full"), std::string::npos);

  const auto overwritten = pictures.store(info("P4", "approaching", k_start + 4s, 4), jpeg_bytes(4), DiskFullPolicy::overwrite);
  ASSERT_TRUE(overwritten) << overwritten.error().message;
  auto page = pictures.search({});
  ASSERT_TRUE(page);
  ASSERT_EQ(page->total, 4u);
  EXPECT_EQ(page->pictures.back().info.plate, "P1");  // P0, the oldest, made room
  EXPECT_FALSE(small.read("pictures/" + std::string("card.id")).value().empty());

  // A card that reports itself full (no free space at all) cannot be helped by overwriting.
  small.set_full(true);
  const auto full = pictures.store(info("P5", "approaching", k_start + 5s, 5), jpeg_bytes(5), DiskFullPolicy::overwrite);
  ASSERT_FALSE(full);
  EXPECT_NE(full.error().message.find("full"), std::string::npos);
}

TEST_F(PictureStoreTest, AbsentReadOnlyAndBrokenCardsGiveClearErrors) {
  const auto first = put(info("ABC123", "approaching", k_start, 1), 1);
  card.eject();
  auto absent = store->store(info("X", "approaching", k_start, 2), jpeg_bytes(2), DiskFullPolicy::overwrite);
  ASSERT_FALSE(absent);
  EXPECT_EQ(absent.error().code, ErrorCode::unavailable);
  EXPECT_NE(absent.error().message.find("no memory card"), std::string::npos);
  EXPECT_FALSE(store->search({}));
  card.insert();
  EXPECT_EQ(plates({}), std::vector<std::string>{"ABC123"});

  card.set_read_only(true);
  auto read_only = store->store(info("X", "approaching", k_start, 2), jpeg_bytes(2), DiskFullPolicy::overwrite);
  ASSERT_FALSE(read_only);
  EXPECT_EQ(read_only.error().code, ErrorCode::permission_denied);
  EXPECT_NE(read_only.error().message.find("read-only"), std::string::npos);
  // Search and verify still work on a read-only card.
  EXPECT_EQ(store->verify(first.id).value(), WatermarkStatus::intact);
  card.set_read_only(false);

  card.set_broken(true);
  auto broken = store->store(info("X", "approaching", k_start, 2), jpeg_bytes(2), DiskFullPolicy::overwrite);
  ASSERT_FALSE(broken);
  EXPECT_EQ(broken.error().code, ErrorCode::io_error);
  card.set_broken(false);

  card.fail_next_writes(1);
  EXPECT_FALSE(store->store(info("X", "approaching", k_start, 2), jpeg_bytes(2), DiskFullPolicy::overwrite));
  EXPECT_EQ(plates({}), std::vector<std::string>{"ABC123"});
}

TEST_F(PictureStoreTest, TheIndexFollowsASwappedCardAndSurvivesARestart) {
  const auto directory = std::filesystem::temp_directory_path() / ("camrig-picture-store-" + std::to_string(::getpid()));
  std::filesystem::remove_all(directory);
  std::filesystem::create_directories(directory);
  const auto index = (directory / "pictures.db").string();
  sim::SdCardModel first(clock, {.capacity_bytes = 1 << 20, .write_bytes_per_second = 0});
  sim::SdCardModel second(clock, {.capacity_bytes = 1 << 20, .write_bytes_per_second = 0});
  CardSlot slot(&first);
  PictureStoreOptions options;
  options.index_path = index;
  options.key = key();
  {
    auto opened = PictureStore::open(slot, options);
    ASSERT_TRUE(opened);
    ASSERT_TRUE((*opened)->store(info("FIRST1", "approaching", k_start, 1), jpeg_bytes(1), DiskFullPolicy::stop));
    slot.swap_to(&second);
    ASSERT_TRUE((*opened)->store(info("SECOND", "leaving", k_start + 1s, 2), jpeg_bytes(2), DiskFullPolicy::stop));
    auto page = (*opened)->search({});
    ASSERT_TRUE(page);
    ASSERT_EQ(page->total, 1u);
    EXPECT_EQ(page->pictures[0].info.plate, "SECOND");
    slot.swap_to(&first);
    page = (*opened)->search({});
    ASSERT_TRUE(page);
    ASSERT_EQ(page->total, 1u);
    EXPECT_EQ(page->pictures[0].info.plate, "FIRST1");
    // Changed while in another camera's slot: the rebuilt index keeps the stored watermark.
    auto bytes = first.read(page->pictures[0].path).value();
    bytes[10] ^= 0xFF;
    ASSERT_TRUE(first.write(page->pictures[0].path, bytes, false));
    slot.swap_to(&second);
    ASSERT_TRUE((*opened)->search({}));
    slot.swap_to(&first);
    page = (*opened)->search({});
    ASSERT_TRUE(page);
    EXPECT_EQ((*opened)->verify(page->pictures[0].id).value(), WatermarkStatus::tampered);
  }
  // A restart with the same card reuses the index; formatting the card empties it.
  auto reopened = PictureStore::open(slot, options);
  ASSERT_TRUE(reopened);
  auto page = (*reopened)->search({});
  ASSERT_TRUE(page);
  EXPECT_EQ(page->total, 1u);
  ASSERT_TRUE(first.format());
  page = (*reopened)->search({});
  ASSERT_TRUE(page);
  EXPECT_EQ(page->total, 0u);
  std::filesystem::remove_all(directory);
}

TEST(WatermarkKeyTest, TheKeyIsCreatedOnceAndReadBack) {
  const auto directory = std::filesystem::temp_directory_path() / ("camrig-watermark-key-" + std::to_string(::getpid()));
  std::filesystem::remove_all(directory);
  const auto path = (directory / "watermark.key").string();
  auto created = load_or_create_watermark_key(path);
  ASSERT_TRUE(created) << created.error().message;
  EXPECT_EQ(created->size(), 32u);
  EXPECT_EQ(std::filesystem::status(path).permissions() & std::filesystem::perms::group_read, std::filesystem::perms::none);
  auto again = load_or_create_watermark_key(path);
  ASSERT_TRUE(again);
  EXPECT_EQ(*again, *created);
  auto fresh = load_or_create_watermark_key("");
  ASSERT_TRUE(fresh);
  EXPECT_NE(*fresh, *created);
  std::filesystem::remove_all(directory);
}

TEST(PictureStoreOpenTest, AShortKeyIsRefused) {
  test::LockstepTestClock clock;
  sim::SdCardModel card(clock);
  PictureStoreOptions options;
  options.key = std::vector<std::uint8_t>(8, 1);
  EXPECT_FALSE(PictureStore::open(card, options));
}

}  // namespace
}  // namespace camrig::storage
