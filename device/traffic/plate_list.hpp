// The LPR camera's vehicle allowlist and blocklist: entries with a plate, a validity window and the
// owner's details, kept in SQLite (or in memory) with an in-memory index that answers exact and
// fuzzy lookups of a read plate in well under a millisecond at the list capacity.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "device/core/result.hpp"
#include "device/hal/clock.hpp"
#include "device/traffic/fuzzy_match.hpp"

struct sqlite3;

namespace camrig::traffic {

enum class ListType { allowlist, blocklist };
std::string_view to_string(ListType list);
std::optional<ListType> parse_list_type(std::string_view text);

//! Active inside the validity window (both ends inclusive, to the second), Expired outside it.
enum class EntryStatus { active, expired };
std::string_view to_string(EntryStatus status);
std::optional<EntryStatus> parse_entry_status(std::string_view text);

struct PlateEntry {
  std::int64_t id = 0;  //!< assigned by the store
  ListType list = ListType::allowlist;
  std::string plate;
  std::optional<hal::WallTime> start;  //!< none: valid since ever
  std::optional<hal::WallTime> end;    //!< none: valid for ever
  std::string owner_name;
  std::string card_number;
  std::string phone_number;

  EntryStatus status_at(hal::WallTime now) const;
};

//! Uppercases and drops spaces and hyphens; refuses other characters and bad lengths.
Result<std::string> normalize_plate(std::string_view text);
//! Checks every field of an entry (normalizing its plate) and explains the first problem.
Result<PlateEntry> validate_entry(PlateEntry entry);

//! "2026-01-01T08:00:00Z" or with an offset "+02:00"; a space may replace the T.
Result<hal::WallTime> parse_time(std::string_view text);
//! UTC, "2026-01-01T08:00:00Z".
std::string format_time(hal::WallTime time);

struct PlateQuery {
  std::string plate_contains{};  //!< empty: every plate
  std::optional<ListType> list{};
  std::optional<EntryStatus> status{};
  std::size_t offset = 0;
  std::size_t limit = 100;
};

struct PlateQueryResult {
  std::size_t total = 0;  //!< matches before paging
  std::vector<PlateEntry> entries;
};

struct PlateMatch {
  PlateEntry entry;
  MatchRule rule = MatchRule::exact;
  EntryStatus status = EntryStatus::active;
};

//! What the barrier makes of a read plate: the blocklist wins over the allowlist.
enum class PlateVerdict { blocked, allowed, expired, unknown };
std::string_view to_string(PlateVerdict verdict);

struct PlateLookup {
  PlateVerdict verdict = PlateVerdict::unknown;
  std::optional<PlateMatch> match;  //!< the entry that decided the verdict
};

class PlateList {
 public:
  //! Entries per list.
  static constexpr std::size_t k_capacity = 10000;

  //! Opens (creating if needed) the store at `database_path`; ":memory:" keeps nothing.
  static Result<std::unique_ptr<PlateList>> open(const std::string& database_path, const hal::Clock& clock);
  ~PlateList();
  PlateList(const PlateList&) = delete;
  PlateList& operator=(const PlateList&) = delete;

  hal::WallTime now() const { return clock_.wall_time(); }
  std::size_t size(ListType list) const;
  std::optional<PlateEntry> find(std::int64_t id) const;
  PlateQueryResult search(const PlateQuery& query) const;
  //! Every entry of the list (or of both), ordered by list then plate.
  std::vector<PlateEntry> entries(std::optional<ListType> list = std::nullopt) const;

  Result<PlateEntry> add(PlateEntry entry);
  //! Replaces the entry with `entry.id`.
  Result<PlateEntry> edit(PlateEntry entry);
  Result<void> remove(std::int64_t id);

  //! Entries with an id replace the stored ones, entries without one are added, and an entry whose
  //! plate is already in its list replaces that entry (so an exported file imports again). All or
  //! nothing: the message of a refusal names the entry by its 1-based position.
  //! `labels` (e.g. "row 7") name the entries in messages instead of their position. Without
  //! `replace_listed`, a new entry whose plate is already listed is refused instead.
  Result<std::vector<PlateEntry>> apply_batch(std::vector<PlateEntry> entries, const std::vector<std::string>& labels = {},
                                              bool replace_listed = true);

  //! Removes every entry of the list ("Clear"); returns how many.
  Result<std::size_t> clear(ListType list);
  //! Removes the list's entries that are Expired now ("Clear Expired Data").
  Result<std::size_t> clear_expired(ListType list);

  //! Matches a read plate: the blocklist by exact plate, the allowlist exactly and then by the
  //! fuzzy rules; an active match beats an expired one, then the better rule.
  PlateLookup lookup(std::string_view read_plate, const FuzzyMatcher& matcher) const;

 private:
  struct Index;
  PlateList(sqlite3* db, const hal::Clock& clock);
  Result<void> load();

  mutable std::shared_mutex mutex_;
  sqlite3* db_ = nullptr;
  const hal::Clock& clock_;
  std::unique_ptr<Index> index_;
};

}  // namespace camrig::traffic
