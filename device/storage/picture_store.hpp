// The event and manual-capture pictures on the memory card: each JPEG with a metadata sidecar
// (with the picture's id) on the card, an SQLite index in the data directory for search (time,
// plate, event type, direction), and a watermark (HMAC-SHA256 under the device's key) per file
// that tells an intact picture from a changed one.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "device/core/result.hpp"
#include "device/hal/clock.hpp"
#include "device/hal/storage_medium.hpp"

struct sqlite3;

namespace camrig::storage {

//! What the card keeps next to each picture, and what search filters on.
struct PictureInfo {
  std::string kind;        //!< "scene", "scene2", "plate", "vehicle"
  std::string event_type;  //!< "LPR", "manual"
  hal::WallTime time{};    //!< capture time (device wall clock, UTC)
  int channel = 1;
  std::string plate;       //!< "" for an unlicensed vehicle
  std::string direction;   //!< "approaching", "leaving", "unknown"
  std::uint64_t capture_id = 0;  //!< pictures of one capture share it
};

struct StoredPicture {
  //! 1, 2, ... in storing order; kept in the picture's sidecar on the card, so the same after the
  //! index is rebuilt from the card. Never given twice by one index.
  std::uint64_t id = 0;
  std::string path;        //!< on the card
  std::uint64_t size_bytes = 0;
  std::string watermark;   //!< HMAC-SHA256 of the file, lowercase hex
  PictureInfo info;
};

struct PictureQuery {
  std::optional<hal::WallTime> from;  //!< inclusive
  std::optional<hal::WallTime> to;    //!< inclusive
  std::string plate;                  //!< substring, case-insensitive; "" = any
  std::string event_type;             //!< "" = all images
  std::string direction;              //!< "" = all
  std::string kind;                   //!< "" = all
  std::size_t offset = 0;
  std::size_t limit = 50;             //!< at most k_max_page
};

struct PicturePage {
  std::size_t total = 0;  //!< matches in all, for paging
  std::vector<StoredPicture> pictures;  //!< newest first
};

enum class WatermarkStatus { intact, tampered, missing };
std::string_view to_string(WatermarkStatus status);

//! When the card has no room: overwrite the oldest pictures, or refuse new ones.
enum class DiskFullPolicy { overwrite, stop };

struct PictureStoreOptions {
  //! The SQLite index file (":memory:" in tests).
  std::string index_path = ":memory:";
  //! The watermark key (at least 16 bytes).
  std::vector<std::uint8_t> key;
  //! Folder on the card.
  std::string directory = "pictures";
};

class PictureStore {
 public:
  static constexpr std::size_t k_max_page = 500;

  //! `card` must outlive the store. Fails for a short key or an index that cannot be opened.
  static Result<std::unique_ptr<PictureStore>> open(hal::StorageMedium& card, PictureStoreOptions options);
  ~PictureStore();
  PictureStore(const PictureStore&) = delete;
  PictureStore& operator=(const PictureStore&) = delete;

  //! Writes the picture and its sidecar to the card and indexes it. Errors: unavailable (no card,
  //! card full with `stop`, or full even after overwriting), permission_denied (read-only card),
  //! io_error (card or index failure); each message says what to do.
  Result<StoredPicture> store(const PictureInfo& info, std::span<const std::uint8_t> jpeg, DiskFullPolicy policy);
  Result<PicturePage> search(const PictureQuery& query);
  Result<StoredPicture> find(std::uint64_t id);
  //! The picture's bytes as stored on the card.
  Result<std::vector<std::uint8_t>> read(std::uint64_t id);
  //! Recomputes the file's watermark and compares it with the indexed one.
  Result<WatermarkStatus> verify(std::uint64_t id);
  //! A picture given back (e.g. downloaded earlier): intact when it is, byte for byte, a picture
  //! this device stored under its key (its watermark is in the index), tampered otherwise.
  Result<WatermarkStatus> verify_bytes(std::span<const std::uint8_t> bytes);
  //! Rebuilds the index from the card's sidecars (done on its own when another card is inserted).
  Result<std::size_t> rebuild();

  //! HMAC-SHA256 of `bytes` under the store's key, lowercase hex.
  std::string watermark(std::span<const std::uint8_t> bytes) const;

 private:
  PictureStore(hal::StorageMedium& card, PictureStoreOptions options, sqlite3* db);
  Result<void> ensure_card(bool for_writing);
  Result<std::size_t> rebuild_locked(const std::string& card_id);
  Result<void> make_room(std::uint64_t bytes, DiskFullPolicy policy);
  //! With the picture's own id.
  Result<void> insert(const StoredPicture& picture);
  bool id_taken(std::uint64_t id);
  std::uint64_t next_id();

  hal::StorageMedium& card_;
  PictureStoreOptions options_;
  sqlite3* db_ = nullptr;
  std::mutex mutex_;
  std::string indexed_card_;  //!< the card id the index describes
};

//! The device's watermark key from `path` (32 random bytes, created on first use with owner-only
//! access); an empty path gives a fresh random key that lasts for this run.
Result<std::vector<std::uint8_t>> load_or_create_watermark_key(const std::string& path);

}  // namespace camrig::storage
