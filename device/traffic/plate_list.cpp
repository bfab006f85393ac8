#include "device/traffic/plate_list.hpp"

#include "device/core/wall_time_format.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <ctime>
#include <map>
#include <mutex>
#include <set>
#include <tuple>

#include <sqlite3.h>

#include "device/core/sqlite_statement.hpp"

#include "device/core/log.hpp"
#include "device/core/text.hpp"

namespace camrig::traffic {
namespace {

constexpr std::size_t k_max_plate_length = 16;
constexpr std::size_t k_max_owner_length = 64;
constexpr std::size_t k_max_card_length = 32;
constexpr std::size_t k_max_phone_length = 32;

// Validity times are stored as seconds since the epoch; no time (unlimited) as NULL.
void bind_time(core::SqliteStatement& statement, int index, const std::optional<hal::WallTime>& time) {
  if (time) statement.bind(index, std::chrono::duration_cast<std::chrono::seconds>(time->time_since_epoch()).count());
  else statement.bind_null(index);
}

Error sql_error(sqlite3* db, std::string_view what) {
  return make_error(ErrorCode::io_error, std::string(what) + ": " + sqlite3_errmsg(db));
}

Result<void> exec(sqlite3* db, const char* sql) {
  char* message = nullptr;
  if (sqlite3_exec(db, sql, nullptr, nullptr, &message) == SQLITE_OK) return {};
  std::string text = message ? message : "unknown error";
  sqlite3_free(message);
  return make_error(ErrorCode::io_error, "plate list database: " + text);
}

bool valid_utf8_text(std::string_view text) {
  for (std::size_t i = 0; i < text.size();) {
    const auto c = static_cast<unsigned char>(text[i]);
    std::size_t extra = 0;
    if (c < 0x20 || c == 0x7f) return false;
    if (c >= 0xc2 && c <= 0xdf) extra = 1;
    else if (c >= 0xe0 && c <= 0xef) extra = 2;
    else if (c >= 0xf0 && c <= 0xf4) extra = 3;
    else if (c >= 0x80) return false;
    if (i + extra >= text.size()) return false;
    for (std::size_t k = 1; k <= extra; ++k)
      if ((static_cast<unsigned char>(text[i + k]) & 0xc0) != 0x80) return false;
    i += extra + 1;
  }
  return true;
}

std::size_t list_index(ListType list) { return list == ListType::allowlist ? 0 : 1; }

}  // namespace

std::string_view to_string(ListType list) { return list == ListType::allowlist ? "allowlist" : "blocklist"; }

std::optional<ListType> parse_list_type(std::string_view text) {
  const std::string lower = text::to_lower(text);
  if (lower == "allowlist") return ListType::allowlist;
  if (lower == "blocklist") return ListType::blocklist;
  return std::nullopt;
}

std::string_view to_string(EntryStatus status) { return status == EntryStatus::active ? "active" : "expired"; }

std::optional<EntryStatus> parse_entry_status(std::string_view text) {
  const std::string lower = text::to_lower(text);
  if (lower == "active") return EntryStatus::active;
  if (lower == "expired") return EntryStatus::expired;
  return std::nullopt;
}

std::string_view to_string(PlateVerdict verdict) {
  switch (verdict) {
    case PlateVerdict::blocked: return "blocked";
    case PlateVerdict::allowed: return "allowed";
    case PlateVerdict::expired: return "expired";
    case PlateVerdict::unknown: return "unknown";
  }
  return "unknown";
}

EntryStatus PlateEntry::status_at(hal::WallTime now) const {
  const auto second = std::chrono::time_point_cast<std::chrono::seconds>(now);
  if (start && second < *start) return EntryStatus::expired;
  if (end && second > *end) return EntryStatus::expired;
  return EntryStatus::active;
}

Result<std::string> normalize_plate(std::string_view text) {
  std::string plate;
  for (char c : text) {
    if (c == ' ' || c == '-') continue;
    const char upper = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    if (!((upper >= 'A' && upper <= 'Z') || (upper >= '0' && upper <= '9')))
      return make_error(ErrorCode::invalid_argument, "Plate No. '" + std::string(text) +
                                                         "' may only contain the letters A-Z and digits 0-9 (spaces and hyphens are ignored)");
    plate += upper;
  }
  if (plate.empty()) return make_error(ErrorCode::invalid_argument, "Plate No. is required");
  if (plate.size() > k_max_plate_length)
    return make_error(ErrorCode::out_of_range, "Plate No. '" + std::string(text) + "' is longer than " +
                                                   std::to_string(k_max_plate_length) + " characters");
  return plate;
}

Result<PlateEntry> validate_entry(PlateEntry entry) {
  auto plate = normalize_plate(entry.plate);
  if (!plate) return plate.error();
  entry.plate = std::move(*plate);
  if (entry.start) entry.start = std::chrono::time_point_cast<std::chrono::seconds>(*entry.start);
  if (entry.end) entry.end = std::chrono::time_point_cast<std::chrono::seconds>(*entry.end);
  if (entry.start && entry.end && *entry.start > *entry.end)
    return make_error(ErrorCode::invalid_argument, "Start Time " + format_time(*entry.start) + " of plate " + entry.plate +
                                                       " is after its End Time " + format_time(*entry.end));
  if (entry.owner_name.size() > k_max_owner_length || !valid_utf8_text(entry.owner_name))
    return make_error(ErrorCode::invalid_argument, "Owner Name of plate " + entry.plate + " must be UTF-8 text of at most " +
                                                       std::to_string(k_max_owner_length) + " bytes without control characters");
  const bool card_ok = std::all_of(entry.card_number.begin(), entry.card_number.end(),
                                   [](char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; });
  if (!card_ok || entry.card_number.size() > k_max_card_length)
    return make_error(ErrorCode::invalid_argument, "Card No. of plate " + entry.plate + " may only hold up to " +
                                                       std::to_string(k_max_card_length) + " letters and digits");
  const bool phone_ok = std::all_of(entry.phone_number.begin(), entry.phone_number.end(), [](char c) {
    return std::isdigit(static_cast<unsigned char>(c)) != 0 || c == '+' || c == '-' || c == ' ' || c == '(' || c == ')';
  });
  if (!phone_ok || entry.phone_number.size() > k_max_phone_length)
    return make_error(ErrorCode::invalid_argument, "Phone No. of plate " + entry.plate + " may only hold up to " +
                                                       std::to_string(k_max_phone_length) + " digits, spaces and + - ( )");
  return entry;
}

Result<hal::WallTime> parse_time(std::string_view text) {
  const auto refuse = [&] {
    return make_error(ErrorCode::invalid_argument, "time '" + std::string(text) +
                                                       "' must look like 2026-01-31T08:00:00Z or 2026-01-31T08:00:00+02:00");
  };
  // YYYY-MM-DDTHH:MM:SS then Z or +HH:MM / -HH:MM
  if (text.size() != 20 && text.size() != 25) return refuse();
  const auto digits = [&](std::size_t at, std::size_t count) -> int {
    int value = 0;
    for (std::size_t i = at; i < at + count; ++i) {
      if (!std::isdigit(static_cast<unsigned char>(text[i]))) return -1;
      value = value * 10 + (text[i] - '0');
    }
    return value;
  };
  if (text[4] != '-' || text[7] != '-' || (text[10] != 'T' && text[10] != ' ') || text[13] != ':' || text[16] != ':')
    return refuse();
  std::tm tm{};
  tm.tm_year = digits(0, 4) - 1900;
  tm.tm_mon = digits(5, 2) - 1;
  tm.tm_mday = digits(8, 2);
  tm.tm_hour = digits(11, 2);
  tm.tm_min = digits(14, 2);
  tm.tm_sec = digits(17, 2);
  if (tm.tm_year < 70 || tm.tm_mon < 0 || tm.tm_mon > 11 || tm.tm_mday < 1 || tm.tm_hour < 0 || tm.tm_hour > 23 ||
      tm.tm_min < 0 || tm.tm_min > 59 || tm.tm_sec < 0 || tm.tm_sec > 59)
    return refuse();
  static constexpr int k_month_days[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const int year = tm.tm_year + 1900;
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  if (tm.tm_mday > k_month_days[tm.tm_mon] || (tm.tm_mon == 1 && tm.tm_mday == 29 && !leap)) return refuse();
  long offset_seconds = 0;
  if (text.size() == 20) {
    if (text[19] != 'Z') return refuse();
  } else {
    const int hours = digits(20, 2);
    const int minutes = digits(23, 2);
    if ((text[19] != '+' && text[19] != '-') || text[22] != ':' || hours < 0 || hours > 14 || minutes < 0 || minutes > 59)
      return refuse();
    offset_seconds = (hours * 3600L + minutes * 60L) * (text[19] == '+' ? 1 : -1);
  }
  const auto seconds = static_cast<std::int64_t>(timegm(&tm)) - offset_seconds;
  return hal::WallTime(std::chrono::seconds(seconds));
}

std::string format_time(hal::WallTime time) { return core::format_utc_iso8601(time); }

// Entries by id, plates per list, and per list the plates by length, which bounds the fuzzy scan
// to the lengths a read plate can match (same, one more, one less). The length buckets hold copies
// of the plates in contiguous arrays: the scan then reads memory in order instead of chasing a
// pointer per entry, which is most of its cost at 10,000 entries.
struct PlateList::Index {
  struct Candidate {
    std::array<char, k_max_plate_length> plate{};
    const PlateEntry* entry = nullptr;
  };
  std::unordered_map<std::int64_t, PlateEntry> by_id;
  std::array<std::unordered_map<std::string, std::int64_t>, 2> by_plate;
  std::array<std::array<std::vector<Candidate>, k_max_plate_length + 2>, 2> by_length;

  void insert(PlateEntry entry) {
    const auto id = entry.id;
    auto& stored = by_id[id];
    stored = std::move(entry);
    by_plate[list_index(stored.list)][stored.plate] = id;
    Candidate candidate;
    std::copy(stored.plate.begin(), stored.plate.end(), candidate.plate.begin());
    candidate.entry = &stored;
    by_length[list_index(stored.list)][stored.plate.size()].push_back(candidate);
  }
  void erase(std::int64_t id) {
    const auto found = by_id.find(id);
    if (found == by_id.end()) return;
    const auto& entry = found->second;
    by_plate[list_index(entry.list)].erase(entry.plate);
    auto& bucket = by_length[list_index(entry.list)][entry.plate.size()];
    const auto at = std::find_if(bucket.begin(), bucket.end(), [&](const Candidate& c) { return c.entry == &entry; });
    if (at != bucket.end()) {
      *at = bucket.back();
      bucket.pop_back();
    }
    by_id.erase(found);
  }
};

PlateList::PlateList(sqlite3* db, const hal::Clock& clock) : db_(db), clock_(clock), index_(std::make_unique<Index>()) {}

PlateList::~PlateList() { sqlite3_close(db_); }

Result<std::unique_ptr<PlateList>> PlateList::open(const std::string& database_path, const hal::Clock& clock) {
  sqlite3* db = nullptr;
  if (sqlite3_open(database_path.c_str(), &db) != SQLITE_OK) {
    std::string message = db ? sqlite3_errmsg(db) : "out of memory";
    sqlite3_close(db);
    return make_error(ErrorCode::io_error, "cannot open plate list database " + database_path + ": " + message);
  }
  std::unique_ptr<PlateList> list(new PlateList(db, clock));
  if (database_path != ":memory:")
    if (auto wal = exec(db, "PRAGMA journal_mode=WAL;"); !wal) return wal.error();
  if (auto created = exec(db,
                          "CREATE TABLE IF NOT EXISTS plate_entries ("
                          " id INTEGER PRIMARY KEY, list TEXT NOT NULL, plate TEXT NOT NULL,"
                          " start_time INTEGER, end_time INTEGER, owner_name TEXT NOT NULL DEFAULT '',"
                          " card_number TEXT NOT NULL DEFAULT '', phone_number TEXT NOT NULL DEFAULT '',"
                          " UNIQUE(list, plate));");
      !created)
    return created.error();
  if (auto loaded = list->load(); !loaded) return loaded.error();
  return list;
}

Result<void> PlateList::load() {
  core::SqliteStatement select(db_, "SELECT id, list, plate, start_time, end_time, owner_name, card_number, phone_number FROM plate_entries");
  int rc = SQLITE_ROW;
  while ((rc = select.step()) == SQLITE_ROW) {
    PlateEntry entry;
    entry.id = select.column_int(0);
    const auto list = parse_list_type(select.column_text(1));
    entry.plate = select.column_text(2);
    if (!select.column_null(3)) entry.start = hal::WallTime(std::chrono::seconds(select.column_int(3)));
    if (!select.column_null(4)) entry.end = hal::WallTime(std::chrono::seconds(select.column_int(4)));
    entry.owner_name = select.column_text(5);
    entry.card_number = select.column_text(6);
    entry.phone_number = select.column_text(7);
    auto valid = list ? validate_entry(entry) : Result<PlateEntry>(make_error(ErrorCode::invalid_argument, "unknown list"));
    if (!valid || valid->plate != entry.plate) {
      // A row edited outside the firmware: skip it rather than refuse to start the camera.
      log::get("traffic")->warn("plate list: ignoring stored entry {} ({})", entry.id,
                                valid ? "plate not normalized" : valid.error().message);
      continue;
    }
    entry.list = *list;
    index_->insert(std::move(entry));
  }
  if (rc != SQLITE_DONE) return sql_error(db_, "cannot read the plate list");
  return {};
}

std::size_t PlateList::size(ListType list) const {
  std::shared_lock lock(mutex_);
  return index_->by_plate[list_index(list)].size();
}

std::optional<PlateEntry> PlateList::find(std::int64_t id) const {
  std::shared_lock lock(mutex_);
  const auto found = index_->by_id.find(id);
  if (found == index_->by_id.end()) return std::nullopt;
  return found->second;
}

std::vector<PlateEntry> PlateList::entries(std::optional<ListType> list) const {
  std::vector<PlateEntry> result;
  {
    std::shared_lock lock(mutex_);
    result.reserve(index_->by_id.size());
    for (const auto& [id, entry] : index_->by_id)
      if (!list || entry.list == *list) result.push_back(entry);
  }
  std::sort(result.begin(), result.end(), [](const PlateEntry& a, const PlateEntry& b) {
    return std::tie(a.list, a.plate) < std::tie(b.list, b.plate);
  });
  return result;
}

PlateQueryResult PlateList::search(const PlateQuery& query) const {
  std::string needle;
  for (char c : query.plate_contains)
    if (c != ' ' && c != '-') needle += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  const auto now = clock_.wall_time();
  auto all = entries(query.list);
  std::erase_if(all, [&](const PlateEntry& entry) {
    if (!needle.empty() && entry.plate.find(needle) == std::string::npos) return true;
    return query.status && entry.status_at(now) != *query.status;
  });
  PlateQueryResult result;
  result.total = all.size();
  const auto first = std::min(query.offset, all.size());
  const auto last = std::min(all.size(), first + query.limit);
  result.entries.assign(std::make_move_iterator(all.begin() + static_cast<std::ptrdiff_t>(first)),
                        std::make_move_iterator(all.begin() + static_cast<std::ptrdiff_t>(last)));
  return result;
}

Result<PlateEntry> PlateList::add(PlateEntry entry) {
  entry.id = 0;
  auto added = apply_batch({std::move(entry)}, {""}, false);
  if (!added) return added.error();
  return added->front();
}

Result<PlateEntry> PlateList::edit(PlateEntry entry) {
  if (entry.id <= 0) return make_error(ErrorCode::invalid_argument, "an entry to edit needs its id");
  auto edited = apply_batch({std::move(entry)}, {""});
  if (!edited) return edited.error();
  return edited->front();
}

Result<std::vector<PlateEntry>> PlateList::apply_batch(std::vector<PlateEntry> entries, const std::vector<std::string>& labels,
                                                       bool replace_listed) {
  const auto label = [&](std::size_t i) -> std::string {
    if (i < labels.size()) return labels[i].empty() ? std::string() : labels[i] + ": ";
    return "entry " + std::to_string(i + 1) + ": ";
  };
  const auto refuse = [&](std::size_t i, const Error& error) { return make_error(error.code, label(i) + error.message); };

  std::unique_lock lock(mutex_);
  auto& index = *index_;
  std::array<std::size_t, 2> counts{index.by_plate[0].size(), index.by_plate[1].size()};
  std::set<std::int64_t> replaced;
  std::map<std::pair<ListType, std::string>, std::size_t> batch_plates;
  for (std::size_t i = 0; i < entries.size(); ++i) {
    auto valid = validate_entry(std::move(entries[i]));
    if (!valid) return refuse(i, valid.error());
    auto& entry = entries[i] = std::move(*valid);
    const auto [seen, fresh] = batch_plates.emplace(std::make_pair(entry.list, entry.plate), i);
    if (!fresh)
      return refuse(i, make_error(ErrorCode::already_exists, "plate " + entry.plate + " is already given by " +
                                                                 label(seen->second).substr(0, label(seen->second).size() - 2) +
                                                                 " for the " + std::string(to_string(entry.list))));
    const auto& plates = index.by_plate[list_index(entry.list)];
    const auto holder = plates.find(entry.plate);
    if (entry.id != 0) {
      const auto current = index.by_id.find(entry.id);
      if (current == index.by_id.end())
        return refuse(i, make_error(ErrorCode::not_found, "no list entry with id " + std::to_string(entry.id)));
      if (holder != plates.end() && holder->second != entry.id)
        return refuse(i, make_error(ErrorCode::already_exists, "plate " + entry.plate + " is already in the " +
                                                                   std::string(to_string(entry.list)) + " (entry " +
                                                                   std::to_string(holder->second) + ")"));
      --counts[list_index(current->second.list)];
    } else if (holder != plates.end()) {
      if (!replace_listed)
        return refuse(i, make_error(ErrorCode::already_exists, "plate " + entry.plate + " is already in the " +
                                                                   std::string(to_string(entry.list)) + " (entry " +
                                                                   std::to_string(holder->second) + ")"));
      entry.id = holder->second;  // re-import of a listed plate replaces it
      --counts[list_index(entry.list)];
    }
    if (entry.id != 0 && !replaced.insert(entry.id).second)
      return refuse(i, make_error(ErrorCode::already_exists, "list entry " + std::to_string(entry.id) + " is changed twice"));
    if (++counts[list_index(entry.list)] > k_capacity)
      return refuse(i, make_error(ErrorCode::unavailable, "the " + std::string(to_string(entry.list)) + " is full (" +
                                                              std::to_string(k_capacity) + " entries); delete some first"));
  }

  if (auto begun = exec(db_, "BEGIN IMMEDIATE;"); !begun) return begun.error();
  const auto rollback = [&](std::size_t i, std::string_view what) {
    auto error = refuse(i, sql_error(db_, what));
    (void)exec(db_, "ROLLBACK;");
    return error;
  };
  for (std::size_t i = 0; i < entries.size(); ++i) {
    auto& entry = entries[i];
    const bool update = entry.id != 0;
    core::SqliteStatement statement(db_, update ? "UPDATE plate_entries SET list=?1, plate=?2, start_time=?3, end_time=?4, owner_name=?5,"
                                      " card_number=?6, phone_number=?7 WHERE id=?8"
                                    : "INSERT INTO plate_entries (list, plate, start_time, end_time, owner_name, card_number,"
                                      " phone_number) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
    statement.bind(1, to_string(entry.list));
    statement.bind(2, entry.plate);
    bind_time(statement, 3, entry.start);
    bind_time(statement, 4, entry.end);
    statement.bind(5, entry.owner_name);
    statement.bind(6, entry.card_number);
    statement.bind(7, entry.phone_number);
    if (update) statement.bind(8, entry.id);
    if (statement.step() != SQLITE_DONE) return rollback(i, "cannot store the entry");
    if (!update) entry.id = sqlite3_last_insert_rowid(db_);
  }
  if (auto committed = exec(db_, "COMMIT;"); !committed) {
    (void)exec(db_, "ROLLBACK;");
    return committed.error();
  }
  // Erase all replaced entries first: a batch may move plates between entries.
  for (const auto& entry : entries) index.erase(entry.id);
  for (const auto& entry : entries) index.insert(entry);
  return entries;
}

Result<void> PlateList::remove(std::int64_t id) {
  std::unique_lock lock(mutex_);
  if (!index_->by_id.contains(id)) return make_error(ErrorCode::not_found, "no list entry with id " + std::to_string(id));
  core::SqliteStatement statement(db_, "DELETE FROM plate_entries WHERE id=?1");
  statement.bind(1, id);
  if (statement.step() != SQLITE_DONE) return sql_error(db_, "cannot delete the entry");
  index_->erase(id);
  return {};
}

Result<std::size_t> PlateList::clear(ListType list) {
  std::unique_lock lock(mutex_);
  core::SqliteStatement statement(db_, "DELETE FROM plate_entries WHERE list=?1");
  statement.bind(1, to_string(list));
  if (statement.step() != SQLITE_DONE) return sql_error(db_, "cannot clear the list");
  std::vector<std::int64_t> ids;
  for (const auto& [plate, id] : index_->by_plate[list_index(list)]) ids.push_back(id);
  for (auto id : ids) index_->erase(id);
  return ids.size();
}

Result<std::size_t> PlateList::clear_expired(ListType list) {
  std::unique_lock lock(mutex_);
  const auto now = clock_.wall_time();
  std::vector<std::int64_t> ids;
  for (const auto& [plate, id] : index_->by_plate[list_index(list)])
    if (index_->by_id.at(id).status_at(now) == EntryStatus::expired) ids.push_back(id);
  if (ids.empty()) return std::size_t{0};
  if (auto begun = exec(db_, "BEGIN IMMEDIATE;"); !begun) return begun.error();
  for (auto id : ids) {
    core::SqliteStatement statement(db_, "DELETE FROM plate_entries WHERE id=?1");
    statement.bind(1, id);
    if (statement.step() != SQLITE_DONE) {
      auto error = sql_error(db_, "cannot clear expired entries");
      (void)exec(db_, "ROLLBACK;");
      return error;
    }
  }
  if (auto committed = exec(db_, "COMMIT;"); !committed) {
    (void)exec(db_, "ROLLBACK;");
    return committed.error();
  }
  for (auto id : ids) index_->erase(id);
  return ids.size();
}

PlateLookup PlateList::lookup(std::string_view read_plate, const FuzzyMatcher& matcher) const {
  PlateLookup result;
  auto plate = normalize_plate(read_plate);
  if (!plate) return result;
  const auto now = clock_.wall_time();
  std::shared_lock lock(mutex_);
  const auto& index = *index_;

  // The blocklist matches by exact plate only, and wins whatever the allowlist says.
  const auto& blocked = index.by_plate[list_index(ListType::blocklist)];
  if (const auto found = blocked.find(*plate); found != blocked.end()) {
    const auto& entry = index.by_id.at(found->second);
    if (entry.status_at(now) == EntryStatus::active) {
      result.verdict = PlateVerdict::blocked;
      result.match = PlateMatch{entry, MatchRule::exact, EntryStatus::active};
      return result;
    }
  }

  using Rank = std::tuple<int, int, std::string_view>;
  std::optional<Rank> best_rank[2];
  const PlateEntry* best_entry[2] = {nullptr, nullptr};
  MatchRule best_rule[2] = {MatchRule::exact, MatchRule::exact};
  const auto consider = [&](const PlateEntry& entry, MatchRule rule, int misread) {
    const auto status = entry.status_at(now);
    const auto slot = status == EntryStatus::active ? 0 : 1;
    const Rank rank{static_cast<int>(rule), misread, entry.plate};
    if (!best_rank[slot] || rank < *best_rank[slot]) {
      best_rank[slot] = rank;
      best_entry[slot] = &entry;
      best_rule[slot] = rule;
    }
  };

  const auto& allowed = index.by_plate[list_index(ListType::allowlist)];
  if (const auto found = allowed.find(*plate); found != allowed.end()) {
    const auto& entry = index.by_id.at(found->second);
    consider(entry, MatchRule::exact, 0);
  }
  if (!best_entry[0] && matcher.settings().enabled) {
    const auto& buckets = index.by_length[list_index(ListType::allowlist)];
    const auto length = plate->size();
    for (const auto candidate_length : {length, length + 1, length - 1}) {
      if (candidate_length == 0 || candidate_length >= buckets.size()) continue;
      for (const auto& candidate : buckets[candidate_length]) {
        const std::string_view listed(candidate.plate.data(), candidate_length);
        if (listed == *plate) continue;  // considered as the exact match
        int misread = 0;
        if (const auto rule = matcher.match(*plate, listed, &misread)) consider(*candidate.entry, *rule, misread);
      }
    }
  }
  for (const int slot : {0, 1}) {
    if (!best_entry[slot]) continue;
    result.verdict = slot == 0 ? PlateVerdict::allowed : PlateVerdict::expired;
    result.match = PlateMatch{*best_entry[slot], best_rule[slot], slot == 0 ? EntryStatus::active : EntryStatus::expired};
    return result;
  }
  return result;
}

}  // namespace camrig::traffic
