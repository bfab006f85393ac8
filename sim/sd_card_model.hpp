// A simulated memory card (TF/microSD) as the firmware sees it after mounting: an in-memory file
// store with a capacity, a write bandwidth and faults a test or scenario can inject and clear.
//
// Write timing (a choice): write() applies the data at once (it reads back immediately) and
// returns at once; it does not block or advance the clock. The transfer is queued behind earlier
// ones and takes bytes / write_bytes_per_second; last_write() reports when it started, how long it
// took and when it completes, and the card is busy() until the queue drains on the device clock.
// With `max_backlog` set, a write that would queue behind more than that much pending transfer
// fails with `unavailable` ("card busy"), as a real card's buffer overflows when a recorder
// outruns it. Reads, removes and listing are instant.
//
// Faults, each recoverable by the matching call:
// - eject() / insert(): state absent, every operation fails with `unavailable`, list() is empty;
//   the files survive, as on a real card taken out and put back.
// - set_full(true): free_bytes reads 0 and writes fail with `unavailable` ("card full"); the same
//   error comes from a write that does not fit the real free space.
// - fail_next_writes(n): the next n writes fail with `io_error` and store nothing.
// - set_read_only(true): state read_only; reads work, writes/removes/format fail with
//   `permission_denied`.
// - set_broken(true): state error; every operation fails with `io_error`.
// - a card built with `formatted = false` is unformatted until format().
// Space is counted in allocation units: a file of n bytes occupies ceil(n / unit) units.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "device/hal/clock.hpp"
#include "device/hal/storage_medium.hpp"

namespace camrig::sim {

struct SdCardOptions {
  std::uint64_t capacity_bytes = 32ull << 30;
  //! Sustained write speed; 0 = instant.
  double write_bytes_per_second = 10e6;
  std::uint64_t allocation_unit_bytes = 1;
  //! Pending transfer time beyond which writes are refused; 0 = never refused.
  hal::Nanos max_backlog{0};
  bool inserted = true;
  bool formatted = true;
};

struct SdWriteTiming {
  hal::Nanos started{0};    //!< when the transfer began (after earlier queued ones)
  hal::Nanos duration{0};   //!< bytes / bandwidth
  hal::Nanos completes{0};  //!< started + duration
};

class SdCardModel final : public hal::StorageMedium {
 public:
  //! `clock` must outlive the card. Throws std::invalid_argument for a zero allocation unit or a
  //! negative bandwidth or backlog.
  SdCardModel(const hal::Clock& clock, SdCardOptions options = {});

  // hal::StorageMedium
  hal::MediumStatus status() const override;
  //! Erases every file; makes an unformatted card ready.
  Result<void> format() override;
  //! Paths are relative ("record/2024/a.mp4"): no leading '/', no empty, "." or ".." parts.
  Result<void> write(std::string_view path, std::span<const std::uint8_t> bytes, bool append) override;
  Result<std::vector<std::uint8_t>> read(std::string_view path) const override;
  Result<void> remove(std::string_view path) override;
  //! Every file under `directory` (recursively), sorted by path; "" or "/" lists the whole card.
  std::vector<hal::MediumEntry> list(std::string_view directory) const override;

  // Faults
  void eject();
  void insert();
  void set_full(bool full);
  void fail_next_writes(int count);
  void set_read_only(bool read_only);
  void set_broken(bool broken);

  // Timing
  bool busy() const;
  hal::Nanos busy_until() const;
  SdWriteTiming last_write() const;

  //! Bytes occupied by files (whole allocation units).
  std::uint64_t used_bytes() const;

 private:
  std::uint64_t allocated(std::uint64_t size) const;
  std::uint64_t free_locked() const;
  Result<void> check_mutable_locked(const char* operation) const;
  Result<void> check_readable_locked() const;

  const hal::Clock& clock_;
  const SdCardOptions options_;
  mutable std::mutex mutex_;
  std::map<std::string, std::vector<std::uint8_t>, std::less<>> files_;
  std::uint64_t used_ = 0;
  bool inserted_;
  bool formatted_;
  bool full_ = false;
  bool read_only_ = false;
  bool broken_ = false;
  int failing_writes_ = 0;
  hal::Nanos busy_until_{0};
  SdWriteTiming last_write_;
};

}  // namespace camrig::sim
