#include "device/traffic/plate_list.hpp"

#include <filesystem>

#include <unistd.h>

#include <gtest/gtest.h>

#include "device/core/lockstep_clock.hpp"

namespace camrig::traffic {
namespace {

using namespace std::chrono_literals;

hal::WallTime at(const char* text) { return *parse_time(text); }

class PlateListTest : public ::testing::Test {
 protected:
  core::LockstepClock clock{at("2026-06-01T12:00:00Z")};
  std::unique_ptr<PlateList> list = PlateList::open(":memory:", clock).value();

  PlateEntry entry(std::string plate, ListType type = ListType::allowlist) {
    PlateEntry e;
    e.plate = std::move(plate);
    e.list = type;
    return e;
  }
  PlateEntry add(std::string plate, ListType type = ListType::allowlist) {
    auto added = list->add(entry(std::move(plate), type));
    EXPECT_TRUE(added.ok()) << (added ? "" : added.error().message);
    return added ? *added : PlateEntry{};
  }
};

FuzzySettings fuzzy(bool missing, bool extra, int misread) {
  FuzzySettings settings;
  settings.enabled = true;
  settings.missing_end_character = missing;
  settings.extra_end_character = extra;
  settings.misread_characters = misread;
  return settings;
}

TEST(PlateValidation, PlatesAreNormalizedAndBadCharactersRefused) {
  EXPECT_EQ(*normalize_plate("abc-123 "), "ABC123");
  for (const char* bad : {"", " - ", "ABC_123", "ÄBC123", "ABCDEFGHIJKLMNOPQ"}) {
    auto plate = normalize_plate(bad);
    EXPECT_FALSE(plate.ok()) << bad;
    if (!plate) {
      EXPECT_NE(plate.error().message.find("Plate No."), std::string::npos) << plate.error().message;
    }
  }
}

TEST(PlateValidation, TimesParseWithZoneAndRefuseNonsense) {
  EXPECT_EQ(at("2026-01-31T08:00:00+02:00"), at("2026-01-31T06:00:00Z"));
  EXPECT_EQ(at("2026-01-31 06:00:00Z"), at("2026-01-31T06:00:00Z"));
  EXPECT_EQ(format_time(at("2024-02-29T23:59:59Z")), "2024-02-29T23:59:59Z");
  for (const char* bad : {"2026-02-29T00:00:00Z", "2026-13-01T00:00:00Z", "2026-01-01T24:00:00Z", "2026-01-01T00:00:00",
                          "01/02/2026", "2026-01-01T00:00:00+15:00"})
    EXPECT_FALSE(parse_time(bad).ok()) << bad;
}

TEST_F(PlateListTest, AddEditDeleteAndSearch) {
  auto first = add("ABC123");
  add("XYZ789");
  add("ABD555", ListType::blocklist);
  EXPECT_EQ(list->size(ListType::allowlist), 2U);
  EXPECT_EQ(list->size(ListType::blocklist), 1U);

  auto same = list->add(entry("abc 123"));
  ASSERT_FALSE(same.ok());
  EXPECT_EQ(same.error().code, ErrorCode::already_exists);
  EXPECT_TRUE(list->add(entry("ABC123", ListType::blocklist)).ok()) << "the lists are independent";

  auto found = list->search({.plate_contains = "AB"});
  EXPECT_EQ(found.total, 3U);
  found = list->search({.plate_contains = "ab", .list = ListType::allowlist});
  ASSERT_EQ(found.total, 1U);
  EXPECT_EQ(found.entries.front().plate, "ABC123");
  found = list->search({.offset = 1, .limit = 2});
  EXPECT_EQ(found.total, 4U);
  EXPECT_EQ(found.entries.size(), 2U);

  first.owner_name = "Jane Roe";
  first.plate = "ABC124";
  auto edited = list->edit(first);
  ASSERT_TRUE(edited.ok()) << edited.error().message;
  EXPECT_EQ(list->find(first.id)->plate, "ABC124");
  EXPECT_EQ(list->find(first.id)->owner_name, "Jane Roe");
  const FuzzyMatcher exact{FuzzySettings{}};
  EXPECT_EQ(list->lookup("ABC123", exact).verdict, PlateVerdict::blocked);
  EXPECT_EQ(list->lookup("ABC124", exact).verdict, PlateVerdict::allowed);

  ASSERT_TRUE(list->remove(first.id).ok());
  EXPECT_EQ(list->lookup("ABC124", exact).verdict, PlateVerdict::unknown);
  EXPECT_EQ(list->remove(first.id).error().code, ErrorCode::not_found);
}

TEST_F(PlateListTest, ActiveAndExpiredAtTheWindowBoundaries) {
  auto e = entry("ABC123");
  e.start = at("2026-06-01T12:00:10Z");
  e.end = at("2026-06-01T12:00:20Z");
  ASSERT_TRUE(list->add(e).ok());
  const FuzzyMatcher exact{FuzzySettings{}};
  const auto verdict_at = [&](std::chrono::seconds since_start) {
    clock.advance_to(since_start);
    return list->lookup("ABC123", exact).verdict;
  };
  EXPECT_EQ(verdict_at(9s), PlateVerdict::expired) << "before the start";
  EXPECT_EQ(list->search({.status = EntryStatus::expired}).total, 1U);
  EXPECT_EQ(verdict_at(10s), PlateVerdict::allowed) << "the start second is inside";
  EXPECT_EQ(verdict_at(20s), PlateVerdict::allowed) << "the end second is inside";
  clock.advance_to(20s + 999ms);
  EXPECT_EQ(list->lookup("ABC123", exact).verdict, PlateVerdict::allowed) << "to the second";
  EXPECT_EQ(verdict_at(21s), PlateVerdict::expired) << "after the end";
  EXPECT_EQ(list->search({.status = EntryStatus::active}).total, 0U);
}

TEST_F(PlateListTest, EmptyStartAndEndMeanUnlimited) {
  auto open_start = entry("AAA111");
  open_start.end = at("2026-06-01T12:00:00Z");
  auto open_end = entry("BBB222");
  open_end.start = at("2026-06-01T12:00:00Z");
  ASSERT_TRUE(list->add(open_start).ok());
  ASSERT_TRUE(list->add(open_end).ok());
  add("CCC333");
  const FuzzyMatcher exact{FuzzySettings{}};
  EXPECT_EQ(list->lookup("AAA111", exact).verdict, PlateVerdict::allowed);
  EXPECT_EQ(list->lookup("BBB222", exact).verdict, PlateVerdict::allowed);
  clock.advance_to(std::chrono::hours(24 * 365 * 20));
  EXPECT_EQ(list->lookup("AAA111", exact).verdict, PlateVerdict::expired);
  EXPECT_EQ(list->lookup("BBB222", exact).verdict, PlateVerdict::allowed);
  EXPECT_EQ(list->lookup("CCC333", exact).verdict, PlateVerdict::allowed);

  auto backwards = entry("DDD444");
  backwards.start = at("2026-06-02T00:00:00Z");
  backwards.end = at("2026-06-01T00:00:00Z");
  auto refused = list->add(backwards);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().message.find("after its End Time"), std::string::npos) << refused.error().message;
}

TEST_F(PlateListTest, ClearAndClearExpiredTouchOnlyTheirList) {
  auto old = entry("OLD111");
  old.end = at("2026-05-01T00:00:00Z");
  ASSERT_TRUE(list->add(old).ok());
  old.list = ListType::blocklist;
  ASSERT_TRUE(list->add(old).ok());
  add("NEW222");
  add("BAD333", ListType::blocklist);
  EXPECT_EQ(*list->clear_expired(ListType::allowlist), 1U);
  EXPECT_EQ(list->size(ListType::allowlist), 1U);
  EXPECT_EQ(list->size(ListType::blocklist), 2U);
  EXPECT_EQ(*list->clear(ListType::blocklist), 2U);
  EXPECT_EQ(list->size(ListType::blocklist), 0U);
  EXPECT_EQ(list->size(ListType::allowlist), 1U);
}

TEST_F(PlateListTest, AFailedBatchChangesNothing) {
  add("KEEP01");
  std::vector<PlateEntry> batch{entry("NEW001"), entry("NEW002"), entry("BAD_3"), entry("NEW004")};
  auto refused = list->apply_batch(batch);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().message.find("entry 3"), std::string::npos) << refused.error().message;
  EXPECT_EQ(list->size(ListType::allowlist), 1U);
  EXPECT_EQ(list->search({.plate_contains = "NEW"}).total, 0U);

  batch = {entry("NEW001"), entry("NEW001")};
  refused = list->apply_batch(batch, {"line 2", "line 3"});
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().message.find("line 3"), std::string::npos) << refused.error().message;
  EXPECT_NE(refused.error().message.find("line 2"), std::string::npos) << refused.error().message;
  EXPECT_EQ(list->size(ListType::allowlist), 1U);
}

TEST_F(PlateListTest, ABatchReplacesPlatesAlreadyListed) {
  auto kept = add("KEEP01");
  auto again = entry("KEEP01");
  again.owner_name = "New Owner";
  auto stored = list->apply_batch({again, entry("NEW001")});
  ASSERT_TRUE(stored.ok()) << stored.error().message;
  EXPECT_EQ(list->size(ListType::allowlist), 2U);
  EXPECT_EQ(list->find(kept.id)->owner_name, "New Owner");
}

TEST_F(PlateListTest, CapacityIsTenThousandPerList) {
  std::vector<PlateEntry> batch;
  for (std::size_t i = 0; i < PlateList::k_capacity; ++i) batch.push_back(entry("P" + std::to_string(100000 + i)));
  ASSERT_TRUE(list->apply_batch(batch).ok());
  EXPECT_EQ(list->size(ListType::allowlist), PlateList::k_capacity);
  auto full = list->add(entry("ONEMORE"));
  ASSERT_FALSE(full.ok());
  EXPECT_EQ(full.error().code, ErrorCode::unavailable);
  EXPECT_NE(full.error().message.find("full"), std::string::npos);
  EXPECT_TRUE(list->add(entry("ONEMORE", ListType::blocklist)).ok()) << "the blocklist has its own capacity";
  const FuzzyMatcher matcher{fuzzy(true, true, 1)};
  EXPECT_EQ(list->lookup("P105000", matcher).verdict, PlateVerdict::allowed);
  EXPECT_EQ(list->lookup("105000", matcher).match->rule, MatchRule::missing_first_character);
}

TEST_F(PlateListTest, LookupReportsTheEntryAndTheRule) {
  const auto listed = add("ABC123");
  const FuzzyMatcher matcher{fuzzy(true, true, 1)};
  const struct {
    const char* read;
    MatchRule rule;
  } cases[] = {{"ABC123", MatchRule::exact},
               {"BC123", MatchRule::missing_first_character},
               {"ABC12", MatchRule::missing_last_character},
               {"XABC123", MatchRule::extra_first_character},
               {"ABC1239", MatchRule::extra_last_character},
               {"ABD123", MatchRule::misread_characters}};
  for (const auto& c : cases) {
    const auto result = list->lookup(c.read, matcher);
    ASSERT_EQ(result.verdict, PlateVerdict::allowed) << c.read;
    EXPECT_EQ(result.match->entry.id, listed.id) << c.read;
    EXPECT_EQ(result.match->rule, c.rule) << c.read;
  }
  EXPECT_EQ(list->lookup("ABD124", matcher).verdict, PlateVerdict::unknown);
  EXPECT_EQ(list->lookup("C123", matcher).verdict, PlateVerdict::unknown);
  EXPECT_EQ(list->lookup("not a plate!", matcher).verdict, PlateVerdict::unknown);
}

TEST_F(PlateListTest, TheBetterRuleWinsAndActiveBeatsExpired) {
  add("ABC123");
  add("ABD12");
  const FuzzyMatcher matcher{fuzzy(true, true, 1)};
  auto result = list->lookup("ABC12", matcher);
  EXPECT_EQ(result.match->entry.plate, "ABC123") << "a missing end character ranks before a misread";
  EXPECT_EQ(result.match->rule, MatchRule::missing_last_character);
  add("ABC12");
  EXPECT_EQ(list->lookup("ABC12", matcher).match->rule, MatchRule::exact);

  auto expired = entry("XYZ789");
  expired.end = at("2026-01-01T00:00:00Z");
  ASSERT_TRUE(list->add(expired).ok());
  add("XYZ78");
  result = list->lookup("XYZ789", matcher);
  EXPECT_EQ(result.verdict, PlateVerdict::allowed) << "an active fuzzy match beats an expired exact one";
  EXPECT_EQ(result.match->entry.plate, "XYZ78");
  EXPECT_EQ(result.match->rule, MatchRule::extra_last_character);
  EXPECT_EQ(list->lookup("XYZ789", FuzzyMatcher{FuzzySettings{}}).verdict, PlateVerdict::expired);
}

TEST_F(PlateListTest, TheBlocklistWinsAndMatchesExactlyOnly) {
  add("ABC123");
  add("ABC123", ListType::blocklist);
  add("QRS456", ListType::blocklist);
  const FuzzyMatcher matcher{fuzzy(true, true, 2)};
  auto result = list->lookup("ABC123", matcher);
  EXPECT_EQ(result.verdict, PlateVerdict::blocked);
  EXPECT_EQ(result.match->entry.list, ListType::blocklist);
  EXPECT_EQ(list->lookup("QRS45", matcher).verdict, PlateVerdict::unknown) << "no fuzzy matching on the blocklist";
  EXPECT_EQ(list->lookup("ABC12", matcher).verdict, PlateVerdict::allowed) << "a fuzzy read of a both-listed plate";

  auto lapsed = entry("OLD999", ListType::blocklist);
  lapsed.end = at("2026-01-01T00:00:00Z");
  ASSERT_TRUE(list->add(lapsed).ok());
  add("OLD999");
  EXPECT_EQ(list->lookup("OLD999", matcher).verdict, PlateVerdict::allowed) << "an expired blocklist entry no longer blocks";
}

TEST(PlateListStore, EntriesSurviveReopening) {
  const auto path = std::filesystem::temp_directory_path() / ("camrig_plates_" + std::to_string(::getpid()) + ".db");
  std::filesystem::remove(path);
  core::LockstepClock clock{at("2026-06-01T12:00:00Z")};
  {
    auto list = PlateList::open(path.string(), clock).value();
    PlateEntry e;
    e.plate = "ABC123";
    e.start = at("2026-01-01T00:00:00Z");
    e.owner_name = "Zoë";
    e.phone_number = "+1 (555) 0100";
    ASSERT_TRUE(list->add(e).ok());
    e.plate = "BLK999";
    e.list = ListType::blocklist;
    ASSERT_TRUE(list->add(e).ok());
  }
  auto list = PlateList::open(path.string(), clock).value();
  ASSERT_EQ(list->entries().size(), 2U);
  const auto allowed = list->entries(ListType::allowlist).front();
  EXPECT_EQ(allowed.plate, "ABC123");
  EXPECT_EQ(allowed.start, at("2026-01-01T00:00:00Z"));
  EXPECT_FALSE(allowed.end);
  EXPECT_EQ(allowed.owner_name, "Zoë");
  EXPECT_EQ(list->lookup("BLK999", FuzzyMatcher{FuzzySettings{}}).verdict, PlateVerdict::blocked);
  list.reset();
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path.string() + suffix);
}

}  // namespace
}  // namespace camrig::traffic
