#include "device/storage/picture_store.hpp"

#include <sqlite3.h>
#include <sys/stat.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <chrono>
#include <filesystem>
#include <fstream>

#include <fmt/chrono.h>
#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include "device/core/log.hpp"
#include "device/core/sqlite_statement.hpp"

namespace camrig::storage {
namespace {

constexpr std::size_t k_min_key_bytes = 16;
constexpr const char* k_sidecar_suffix = ".json";

Error index_failure(sqlite3* db, const char* what) {
  return Error{ErrorCode::io_error, std::string("picture index: ") + what + ": " + sqlite3_errmsg(db)};
}

std::int64_t to_millis(hal::WallTime time) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(time.time_since_epoch()).count();
}

hal::WallTime from_millis(std::int64_t millis) {
  return hal::WallTime(std::chrono::duration_cast<hal::WallTime::duration>(std::chrono::milliseconds(millis)));
}

std::string to_hex(std::span<const std::uint8_t> bytes) {
  std::string hex;
  hex.reserve(bytes.size() * 2);
  for (auto byte : bytes) hex += fmt::format("{:02x}", byte);
  return hex;
}

std::string upper(std::string text) {
  for (auto& c : text) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return text;
}

// Only what the index needs to be rebuilt; the watermark rides along so a rebuilt index still
// tells a changed picture (recomputing it from the file would bless the change), and the id so
// that a picture keeps its URI when the index is rebuilt.
std::string sidecar_text(const StoredPicture& picture) {
  nlohmann::json doc = {{"id", picture.id},
                        {"kind", picture.info.kind},
                        {"event_type", picture.info.event_type},
                        {"time_ms", to_millis(picture.info.time)},
                        {"channel", picture.info.channel},
                        {"plate", picture.info.plate},
                        {"direction", picture.info.direction},
                        {"capture_id", picture.info.capture_id},
                        {"watermark", picture.watermark}};
  return doc.dump();
}

std::optional<StoredPicture> parse_sidecar(const std::string& path, std::uint64_t size, std::string_view text) {
  auto doc = nlohmann::json::parse(text, nullptr, false);
  if (!doc.is_object()) return std::nullopt;
  try {
    StoredPicture picture;
    picture.path = path;
    picture.size_bytes = size;
    picture.watermark = doc.at("watermark").get<std::string>();
    picture.info.kind = doc.at("kind").get<std::string>();
    picture.info.event_type = doc.at("event_type").get<std::string>();
    picture.info.time = from_millis(doc.at("time_ms").get<std::int64_t>());
    picture.info.channel = doc.at("channel").get<int>();
    picture.info.plate = doc.at("plate").get<std::string>();
    picture.info.direction = doc.at("direction").get<std::string>();
    picture.info.capture_id = doc.at("capture_id").get<std::uint64_t>();
    // Sidecars written before ids were kept get one at the rebuild.
    picture.id = doc.value("id", std::uint64_t{0});
    return picture;
  } catch (const nlohmann::json::exception&) {
    return std::nullopt;
  }
}

StoredPicture read_row(const core::SqliteStatement& row) {
  StoredPicture picture;
  picture.id = static_cast<std::uint64_t>(row.column_int(0));
  picture.path = row.column_text(1);
  picture.size_bytes = static_cast<std::uint64_t>(row.column_int(2));
  picture.watermark = row.column_text(3);
  picture.info.kind = row.column_text(4);
  picture.info.event_type = row.column_text(5);
  picture.info.time = from_millis(row.column_int(6));
  picture.info.channel = static_cast<int>(row.column_int(7));
  picture.info.plate = row.column_text(8);
  picture.info.direction = row.column_text(9);
  picture.info.capture_id = static_cast<std::uint64_t>(row.column_int(10));
  return picture;
}

constexpr const char* k_columns =
    "SELECT id, path, size, watermark, kind, event_type, time_ms, channel, plate, direction, capture_id FROM pictures";

// The filter shared by the count and the page query; unset bounds and empty texts match everything.
constexpr const char* k_picture_filter =
    " WHERE (?1 IS NULL OR time_ms >= ?1) AND (?2 IS NULL OR time_ms <= ?2)"
    " AND (?3 = '' OR instr(upper(plate), ?3) > 0) AND (?4 = '' OR event_type = ?4)"
    " AND (?5 = '' OR direction = ?5) AND (?6 = '' OR kind = ?6)";

void bind_filter(core::SqliteStatement& statement, const PictureQuery& query) {
  if (query.from) statement.bind(1, to_millis(*query.from));
  if (query.to) statement.bind(2, to_millis(*query.to));
  statement.bind(3, upper(query.plate));
  statement.bind(4, query.event_type);
  statement.bind(5, query.direction);
  statement.bind(6, query.kind);
}

std::string_view view(const std::vector<std::uint8_t>& bytes) {
  return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

}  // namespace

std::string_view to_string(WatermarkStatus status) {
  switch (status) {
    case WatermarkStatus::intact: return "intact";
    case WatermarkStatus::tampered: return "tampered";
    case WatermarkStatus::missing: return "missing";
  }
  return "missing";
}

Result<std::unique_ptr<PictureStore>> PictureStore::open(hal::StorageMedium& card, PictureStoreOptions options) {
  if (options.key.size() < k_min_key_bytes)
    return make_error(ErrorCode::invalid_argument, "picture store: the watermark key must have at least 16 bytes");
  sqlite3* db = nullptr;
  if (sqlite3_open(options.index_path.c_str(), &db) != SQLITE_OK) {
    std::string message = "cannot open the picture index " + options.index_path + ": " + sqlite3_errmsg(db);
    sqlite3_close(db);
    return make_error(ErrorCode::io_error, std::move(message));
  }
  const int rc = sqlite3_exec(db,
                              "PRAGMA journal_mode=WAL;"
                              "CREATE TABLE IF NOT EXISTS pictures ("
                              " id INTEGER PRIMARY KEY AUTOINCREMENT, path TEXT NOT NULL UNIQUE, size INTEGER NOT NULL,"
                              " watermark TEXT NOT NULL, kind TEXT NOT NULL, event_type TEXT NOT NULL,"
                              " time_ms INTEGER NOT NULL, channel INTEGER NOT NULL, plate TEXT NOT NULL,"
                              " direction TEXT NOT NULL, capture_id INTEGER NOT NULL);"
                              "CREATE INDEX IF NOT EXISTS pictures_time ON pictures(time_ms);"
                              "CREATE INDEX IF NOT EXISTS pictures_watermark ON pictures(watermark);"
                              "CREATE TABLE IF NOT EXISTS card (id TEXT NOT NULL);",
                              nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) {
    std::string message = "cannot create the picture index in " + options.index_path + ": " + sqlite3_errmsg(db);
    sqlite3_close(db);
    return make_error(ErrorCode::io_error, std::move(message));
  }
  return std::unique_ptr<PictureStore>(new PictureStore(card, std::move(options), db));
}

PictureStore::PictureStore(hal::StorageMedium& card, PictureStoreOptions options, sqlite3* db)
    : card_(card), options_(std::move(options)), db_(db) {
  core::SqliteStatement select(db_, "SELECT id FROM card LIMIT 1");
  if (select.step() == SQLITE_ROW) indexed_card_ = select.column_text(0);
}

PictureStore::~PictureStore() { sqlite3_close(db_); }

std::string PictureStore::watermark(std::span<const std::uint8_t> bytes) const {
  std::array<std::uint8_t, EVP_MAX_MD_SIZE> digest{};
  unsigned int length = 0;
  HMAC(EVP_sha256(), options_.key.data(), static_cast<int>(options_.key.size()), bytes.data(), bytes.size(),
       digest.data(), &length);
  return to_hex(std::span(digest.data(), length));
}

// The card carries its own id, so the index notices a card swapped while the device was off or
// while nobody looked, and rebuilds from the new card's sidecars instead of serving stale rows.
Result<void> PictureStore::ensure_card(bool for_writing) {
  const auto status = card_.status();
  switch (status.state) {
    case hal::MediumState::absent:
      return make_error(ErrorCode::unavailable, "no memory card: insert a memory card to store and search pictures");
    case hal::MediumState::unformatted:
      return make_error(ErrorCode::unavailable, "the memory card is not formatted: format it under Storage > Local Storage");
    case hal::MediumState::error:
      return make_error(ErrorCode::io_error, "memory card error: check or replace the memory card");
    case hal::MediumState::read_only:
      if (for_writing)
        return make_error(ErrorCode::permission_denied,
                          "the memory card is read-only: unlock it (write-protect switch) or replace it to store pictures");
      break;
    case hal::MediumState::ready: break;
  }
  const std::string id_path = options_.directory + "/card.id";
  std::string card_id;
  if (auto stored = card_.read(id_path)) {
    card_id.assign(view(*stored));
  } else if (stored.error().code != ErrorCode::not_found) {
    return make_error(stored.error().code, "memory card: cannot read its id: " + stored.error().message);
  } else if (status.state == hal::MediumState::ready) {
    std::array<std::uint8_t, 16> random{};
    if (RAND_bytes(random.data(), static_cast<int>(random.size())) != 1)
      return make_error(ErrorCode::internal, "picture store: no random bytes for the card id");
    card_id = to_hex(random);
    const auto* bytes = reinterpret_cast<const std::uint8_t*>(card_id.data());
    if (auto written = card_.write(id_path, std::span(bytes, card_id.size()), false); !written)
      return make_error(written.error().code, "memory card: cannot write its id: " + written.error().message);
  }
  if (card_id == indexed_card_) return {};
  auto rebuilt = rebuild_locked(card_id);
  if (!rebuilt) return rebuilt.error();
  return {};
}

Result<std::size_t> PictureStore::rebuild_locked(const std::string& card_id) {
  if (sqlite3_exec(db_, "BEGIN; DELETE FROM pictures; DELETE FROM card;", nullptr, nullptr, nullptr) != SQLITE_OK) {
    auto error = index_failure(db_, "cannot clear for a rebuild");
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    return error;
  }
  std::size_t count = 0;
  auto entries = card_.list(options_.directory);
  std::sort(entries.begin(), entries.end(), [](const auto& a, const auto& b) { return a.path < b.path; });
  // Pictures keep the id of their sidecar; one without (an older sidecar) or whose id another
  // picture already holds (a copied file) gets a new one, written back so it stays.
  std::vector<StoredPicture> renumber;
  for (const auto& entry : entries) {
    if (!entry.path.ends_with(".jpg")) continue;
    auto sidecar = card_.read(entry.path + k_sidecar_suffix);
    if (!sidecar) {
      log::get("storage")->warn("picture {} has no readable sidecar; left out of the index", entry.path);
      continue;
    }
    auto picture = parse_sidecar(entry.path, entry.size_bytes, view(*sidecar));
    if (!picture) {
      log::get("storage")->warn("picture {} has a damaged sidecar; left out of the index", entry.path);
      continue;
    }
    if (picture->id == 0 || id_taken(picture->id)) {
      renumber.push_back(std::move(*picture));
      continue;
    }
    if (auto inserted = insert(*picture); !inserted) {
      sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
      return inserted.error();
    }
    ++count;
  }
  for (auto& picture : renumber) {
    picture.id = next_id();
    if (auto inserted = insert(picture); !inserted) {
      sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
      return inserted.error();
    }
    ++count;
    const std::string sidecar = sidecar_text(picture);
    const auto* bytes = reinterpret_cast<const std::uint8_t*>(sidecar.data());
    if (auto written = card_.write(picture.path + k_sidecar_suffix, std::span(bytes, sidecar.size()), false); !written)
      log::get("storage")->warn("picture {} keeps id {} only until the next rebuild: {}", picture.path, picture.id,
                                written.error().message);
  }
  core::SqliteStatement mark(db_, "INSERT INTO card (id) VALUES (?)");
  mark.bind(1, card_id);
  if (mark.step() != SQLITE_DONE || sqlite3_exec(db_, "COMMIT", nullptr, nullptr, nullptr) != SQLITE_OK) {
    auto error = index_failure(db_, "cannot finish a rebuild");
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    return error;
  }
  indexed_card_ = card_id;
  log::get("storage")->info("picture index rebuilt from the memory card: {} pictures", count);
  return count;
}

bool PictureStore::id_taken(std::uint64_t id) {
  core::SqliteStatement taken(db_, "SELECT 1 FROM pictures WHERE id = ?");
  taken.bind(1, static_cast<std::int64_t>(id));
  return taken.step() == SQLITE_ROW;
}

// AUTOINCREMENT's counter only grows (also past ids inserted from a card), so an id is never
// given twice by this index, even after the picture that had it was overwritten.
std::uint64_t PictureStore::next_id() {
  core::SqliteStatement last(db_,
                             "SELECT MAX(COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'pictures'), 0),"
                             " COALESCE((SELECT MAX(id) FROM pictures), 0))");
  return last.step() == SQLITE_ROW ? static_cast<std::uint64_t>(last.column_int(0)) + 1 : 1;
}

Result<void> PictureStore::insert(const StoredPicture& picture) {
  core::SqliteStatement insert(db_,
                               "INSERT INTO pictures (path, size, watermark, kind, event_type, time_ms, channel, plate,"
                               " direction, capture_id, id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  insert.bind(1, picture.path);
  insert.bind(2, static_cast<std::int64_t>(picture.size_bytes));
  insert.bind(3, picture.watermark);
  insert.bind(4, picture.info.kind);
  insert.bind(5, picture.info.event_type);
  insert.bind(6, to_millis(picture.info.time));
  insert.bind(7, static_cast<std::int64_t>(picture.info.channel));
  insert.bind(8, picture.info.plate);
  insert.bind(9, picture.info.direction);
  insert.bind(10, static_cast<std::int64_t>(picture.info.capture_id));
  insert.bind(11, static_cast<std::int64_t>(picture.id));
  if (insert.step() != SQLITE_DONE) return index_failure(db_, "cannot index a picture");
  return {};
}

// Overwrite removes the oldest captures (picture and sidecar) until the new one fits; the
// card's own free count decides, so other files on the card are respected.
Result<void> PictureStore::make_room(std::uint64_t bytes, DiskFullPolicy policy) {
  auto fits = [&] { return card_.status().free_bytes >= bytes; };
  if (fits()) return {};
  if (policy == DiskFullPolicy::stop)
    return make_error(ErrorCode::unavailable,
                      "the memory card is full: free space on it, or set Disk Full to Overwrite");
  while (!fits()) {
    core::SqliteStatement oldest(db_, "SELECT id, path FROM pictures ORDER BY time_ms, id LIMIT 1");
    if (oldest.step() != SQLITE_ROW)
      return make_error(ErrorCode::unavailable, "the memory card is full and holds no pictures to overwrite: free space on it");
    const auto id = oldest.column_int(0);
    const auto path = oldest.column_text(1);
    (void)card_.remove(path);
    (void)card_.remove(path + k_sidecar_suffix);
    core::SqliteStatement remove(db_, "DELETE FROM pictures WHERE id = ?");
    remove.bind(1, id);
    if (remove.step() != SQLITE_DONE) return index_failure(db_, "cannot drop an overwritten picture");
  }
  return {};
}

Result<StoredPicture> PictureStore::store(const PictureInfo& info, std::span<const std::uint8_t> jpeg,
                                          DiskFullPolicy policy) {
  std::lock_guard lock(mutex_);
  if (auto ready = ensure_card(true); !ready) return ready.error();

  StoredPicture picture;
  picture.id = next_id();
  picture.info = info;
  picture.size_bytes = jpeg.size();
  picture.watermark = watermark(jpeg);
  const auto seconds = std::chrono::floor<std::chrono::seconds>(info.time);
  const auto millis = std::chrono::duration_cast<std::chrono::milliseconds>(info.time - seconds).count();
  const std::tm utc = fmt::gmtime(std::chrono::system_clock::to_time_t(seconds));
  const std::string stem = fmt::format("{}/{:%Y%m%d}/{:%H%M%S}{:03d}_{}_{}", options_.directory, utc, utc, millis,
                                       info.capture_id, info.kind.empty() ? "picture" : info.kind);
  picture.path = stem + ".jpg";
  for (int attempt = 2;; ++attempt) {
    core::SqliteStatement taken(db_, "SELECT 1 FROM pictures WHERE path = ?");
    taken.bind(1, picture.path);
    if (taken.step() != SQLITE_ROW) break;
    picture.path = fmt::format("{}_{}.jpg", stem, attempt);
  }
  const std::string sidecar = sidecar_text(picture);
  if (auto room = make_room(jpeg.size() + sidecar.size(), policy); !room) return room.error();
  if (auto written = card_.write(picture.path, jpeg, false); !written)
    return make_error(written.error().code, "cannot store the picture on the memory card: " + written.error().message);
  const auto* sidecar_bytes = reinterpret_cast<const std::uint8_t*>(sidecar.data());
  if (auto written = card_.write(picture.path + k_sidecar_suffix, std::span(sidecar_bytes, sidecar.size()), false);
      !written) {
    (void)card_.remove(picture.path);
    return make_error(written.error().code, "cannot store the picture on the memory card: " + written.error().message);
  }
  if (auto inserted = insert(picture); !inserted) return inserted.error();
  return picture;
}

Result<PicturePage> PictureStore::search(const PictureQuery& query) {
  if (query.limit == 0 || query.limit > k_max_page)
    return make_error(ErrorCode::out_of_range, fmt::format("ask for 1 to {} pictures per page", k_max_page));
  if (query.from && query.to && *query.from > *query.to)
    return make_error(ErrorCode::invalid_argument, "the search's start time is after its end time");
  std::lock_guard lock(mutex_);
  if (auto ready = ensure_card(false); !ready) return ready.error();
  PicturePage page;
  core::SqliteStatement count(db_, (std::string("SELECT COUNT(*) FROM pictures") + k_picture_filter).c_str());
  bind_filter(count, query);
  if (count.step() != SQLITE_ROW) return index_failure(db_, "cannot count pictures");
  page.total = static_cast<std::size_t>(count.column_int(0));
  core::SqliteStatement select(
      db_, (std::string(k_columns) + k_picture_filter + " ORDER BY time_ms DESC, id DESC LIMIT ?7 OFFSET ?8").c_str());
  bind_filter(select, query);
  select.bind(7, static_cast<std::int64_t>(query.limit));
  select.bind(8, static_cast<std::int64_t>(query.offset));
  int rc = SQLITE_ROW;
  while ((rc = select.step()) == SQLITE_ROW) page.pictures.push_back(read_row(select));
  if (rc != SQLITE_DONE) return index_failure(db_, "cannot search pictures");
  return page;
}

Result<StoredPicture> PictureStore::find(std::uint64_t id) {
  std::lock_guard lock(mutex_);
  if (auto ready = ensure_card(false); !ready) return ready.error();
  core::SqliteStatement select(db_, (std::string(k_columns) + " WHERE id = ?").c_str());
  select.bind(1, static_cast<std::int64_t>(id));
  if (select.step() != SQLITE_ROW) return make_error(ErrorCode::not_found, fmt::format("no picture {} on the memory card", id));
  return read_row(select);
}

Result<std::vector<std::uint8_t>> PictureStore::read(std::uint64_t id) {
  auto picture = find(id);
  if (!picture) return picture.error();
  auto bytes = card_.read(picture->path);
  if (!bytes) return make_error(bytes.error().code, fmt::format("picture {}: {}", id, bytes.error().message));
  return bytes;
}

Result<WatermarkStatus> PictureStore::verify(std::uint64_t id) {
  auto picture = find(id);
  if (!picture) return picture.error();
  auto bytes = card_.read(picture->path);
  if (!bytes) {
    if (bytes.error().code == ErrorCode::not_found) return WatermarkStatus::missing;
    return make_error(bytes.error().code, fmt::format("picture {}: {}", id, bytes.error().message));
  }
  const auto computed = watermark(*bytes);
  const bool same = computed.size() == picture->watermark.size() &&
                    CRYPTO_memcmp(computed.data(), picture->watermark.data(), computed.size()) == 0;
  return same ? WatermarkStatus::intact : WatermarkStatus::tampered;
}

Result<WatermarkStatus> PictureStore::verify_bytes(std::span<const std::uint8_t> bytes) {
  const auto computed = watermark(bytes);
  std::lock_guard lock(mutex_);
  if (auto ready = ensure_card(false); !ready) return ready.error();
  core::SqliteStatement select(db_, "SELECT 1 FROM pictures WHERE watermark = ? LIMIT 1");
  select.bind(1, computed);
  return select.step() == SQLITE_ROW ? WatermarkStatus::intact : WatermarkStatus::tampered;
}

Result<std::size_t> PictureStore::rebuild() {
  std::lock_guard lock(mutex_);
  indexed_card_.clear();
  if (auto ready = ensure_card(false); !ready) return ready.error();
  core::SqliteStatement count(db_, "SELECT COUNT(*) FROM pictures");
  if (count.step() != SQLITE_ROW) return index_failure(db_, "cannot count pictures");
  return static_cast<std::size_t>(count.column_int(0));
}

Result<std::vector<std::uint8_t>> load_or_create_watermark_key(const std::string& path) {
  std::vector<std::uint8_t> key(32);
  if (!path.empty()) {
    std::ifstream in(path, std::ios::binary);
    if (in) {
      std::vector<std::uint8_t> stored((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      if (stored.size() >= k_min_key_bytes) return stored;
      return make_error(ErrorCode::io_error, "the watermark key " + path + " is damaged: restore it from a backup or delete it (pictures stored under it will then read as tampered)");
    }
  }
  if (RAND_bytes(key.data(), static_cast<int>(key.size())) != 1)
    return make_error(ErrorCode::internal, "no random bytes for the watermark key");
  if (path.empty()) return key;
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(path).parent_path(), ec);
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(key.data()), static_cast<std::streamsize>(key.size()));
    if (!out) return make_error(ErrorCode::io_error, "cannot write the watermark key " + path);
  }
  ::chmod(path.c_str(), S_IRUSR | S_IWUSR);
  return key;
}

}  // namespace camrig::storage
