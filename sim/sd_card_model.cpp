#include "sim/sd_card_model.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace camrig::sim {
namespace {

// Empty parts, "." and "..", absolute paths and backslashes are refused.
bool valid_path(std::string_view path) {
  if (path.empty() || path.front() == '/' || path.back() == '/') return false;
  if (path.find('\\') != std::string_view::npos || path.find('\0') != std::string_view::npos) return false;
  std::size_t start = 0;
  while (start <= path.size()) {
    const auto end = std::min(path.find('/', start), path.size());
    const auto part = path.substr(start, end - start);
    if (part.empty() || part == "." || part == "..") return false;
    start = end + 1;
  }
  return true;
}

Error bad_path(std::string_view path) {
  return make_error(ErrorCode::invalid_argument, "invalid card path \"" + std::string(path) + "\"");
}

}  // namespace

SdCardModel::SdCardModel(const hal::Clock& clock, SdCardOptions options)
    : clock_(clock), options_(options), inserted_(options.inserted), formatted_(options.formatted) {
  if (options.allocation_unit_bytes == 0) throw std::invalid_argument("SdCardModel: zero allocation unit");
  if (options.write_bytes_per_second < 0 || options.max_backlog < hal::Nanos{0}) {
    throw std::invalid_argument("SdCardModel: negative bandwidth or backlog");
  }
}

std::uint64_t SdCardModel::allocated(std::uint64_t size) const {
  const auto unit = options_.allocation_unit_bytes;
  return (size + unit - 1) / unit * unit;
}

std::uint64_t SdCardModel::free_locked() const {
  if (full_) return 0;
  return used_ >= options_.capacity_bytes ? 0 : options_.capacity_bytes - used_;
}

hal::MediumStatus SdCardModel::status() const {
  std::lock_guard lock(mutex_);
  if (!inserted_) return {hal::MediumState::absent, 0, 0};
  hal::MediumStatus status;
  status.capacity_bytes = options_.capacity_bytes;
  if (broken_) {
    status.state = hal::MediumState::error;
  } else if (!formatted_) {
    status.state = hal::MediumState::unformatted;
    return status;
  } else {
    status.state = read_only_ ? hal::MediumState::read_only : hal::MediumState::ready;
  }
  status.free_bytes = free_locked();
  return status;
}

Result<void> SdCardModel::check_readable_locked() const {
  if (!inserted_) return make_error(ErrorCode::unavailable, "no memory card inserted");
  if (broken_) return make_error(ErrorCode::io_error, "memory card error");
  if (!formatted_) return make_error(ErrorCode::unavailable, "memory card is not formatted");
  return {};
}

Result<void> SdCardModel::check_mutable_locked(const char* operation) const {
  if (!inserted_) return make_error(ErrorCode::unavailable, "no memory card inserted");
  if (broken_) return make_error(ErrorCode::io_error, "memory card error");
  if (read_only_) {
    return make_error(ErrorCode::permission_denied, std::string("memory card is read-only: cannot ") + operation);
  }
  return {};
}

Result<void> SdCardModel::format() {
  std::lock_guard lock(mutex_);
  if (auto ok = check_mutable_locked("format"); !ok) return ok;
  files_.clear();
  used_ = 0;
  formatted_ = true;
  return {};
}

Result<void> SdCardModel::write(std::string_view path, std::span<const std::uint8_t> bytes, bool append) {
  if (!valid_path(path)) return bad_path(path);
  std::lock_guard lock(mutex_);
  if (auto ok = check_mutable_locked("write"); !ok) return ok;
  if (!formatted_) return make_error(ErrorCode::unavailable, "memory card is not formatted");

  // A file may not sit where a directory is, nor under a file.
  const std::string key(path);
  const auto below = files_.lower_bound(key + "/");
  if (below != files_.end() && below->first.starts_with(key + "/")) {
    return make_error(ErrorCode::already_exists, "\"" + key + "\" is a directory on the card");
  }
  for (auto slash = key.find('/'); slash != std::string::npos; slash = key.find('/', slash + 1)) {
    if (files_.contains(key.substr(0, slash))) {
      return make_error(ErrorCode::already_exists, "\"" + key.substr(0, slash) + "\" is a file on the card");
    }
  }

  const auto now = clock_.now();
  const auto pending = busy_until_ > now ? busy_until_ - now : hal::Nanos{0};
  if (options_.max_backlog > hal::Nanos{0} && pending > options_.max_backlog) {
    return make_error(ErrorCode::unavailable, "memory card busy: " + std::to_string(pending.count() / 1000000) +
                                                  " ms of writes pending");
  }
  if (failing_writes_ > 0) {
    --failing_writes_;
    return make_error(ErrorCode::io_error, "memory card write error on \"" + key + "\"");
  }
  if (full_) return make_error(ErrorCode::unavailable, "memory card full: 0 bytes free");

  const auto existing = files_.find(key);
  const std::uint64_t old_size = existing == files_.end() ? 0 : existing->second.size();
  const std::uint64_t new_size = (append ? old_size : 0) + bytes.size();
  const std::uint64_t old_alloc = allocated(old_size);
  const std::uint64_t new_alloc = allocated(new_size);
  if (new_alloc > old_alloc && new_alloc - old_alloc > free_locked()) {
    return make_error(ErrorCode::unavailable, "memory card full: " + std::to_string(free_locked()) +
                                                  " bytes free, " + std::to_string(new_alloc - old_alloc) +
                                                  " needed for \"" + key + "\"");
  }

  auto& data = files_[key];
  if (!append) data.clear();
  data.insert(data.end(), bytes.begin(), bytes.end());
  used_ = used_ - old_alloc + new_alloc;

  const double bandwidth = options_.write_bytes_per_second;
  const hal::Nanos duration{bandwidth > 0 ? static_cast<hal::Nanos::rep>(std::ceil(static_cast<double>(bytes.size()) * 1e9 / bandwidth))
                                          : 0};
  const auto started = std::max(now, busy_until_);
  busy_until_ = started + duration;
  last_write_ = {started, duration, busy_until_};
  return {};
}

Result<std::vector<std::uint8_t>> SdCardModel::read(std::string_view path) const {
  if (!valid_path(path)) return bad_path(path);
  std::lock_guard lock(mutex_);
  if (auto ok = check_readable_locked(); !ok) return ok.error();
  const auto found = files_.find(path);
  if (found == files_.end()) return make_error(ErrorCode::not_found, "no file \"" + std::string(path) + "\" on the card");
  return found->second;
}

Result<void> SdCardModel::remove(std::string_view path) {
  if (!valid_path(path)) return bad_path(path);
  std::lock_guard lock(mutex_);
  if (auto ok = check_mutable_locked("remove"); !ok) return ok;
  if (!formatted_) return make_error(ErrorCode::unavailable, "memory card is not formatted");
  const auto found = files_.find(path);
  if (found == files_.end()) return make_error(ErrorCode::not_found, "no file \"" + std::string(path) + "\" on the card");
  used_ -= allocated(found->second.size());
  files_.erase(found);
  return {};
}

std::vector<hal::MediumEntry> SdCardModel::list(std::string_view directory) const {
  std::lock_guard lock(mutex_);
  std::vector<hal::MediumEntry> entries;
  if (!check_readable_locked()) return entries;
  std::string prefix(directory);
  while (!prefix.empty() && prefix.front() == '/') prefix.erase(prefix.begin());
  while (!prefix.empty() && prefix.back() == '/') prefix.pop_back();
  if (!prefix.empty()) prefix += '/';
  for (auto it = files_.lower_bound(prefix); it != files_.end() && it->first.starts_with(prefix); ++it) {
    entries.push_back({it->first, it->second.size()});
  }
  return entries;
}

void SdCardModel::eject() {
  std::lock_guard lock(mutex_);
  inserted_ = false;
}

void SdCardModel::insert() {
  std::lock_guard lock(mutex_);
  inserted_ = true;
}

void SdCardModel::set_full(bool full) {
  std::lock_guard lock(mutex_);
  full_ = full;
}

void SdCardModel::fail_next_writes(int count) {
  std::lock_guard lock(mutex_);
  failing_writes_ = std::max(count, 0);
}

void SdCardModel::set_read_only(bool read_only) {
  std::lock_guard lock(mutex_);
  read_only_ = read_only;
}

void SdCardModel::set_broken(bool broken) {
  std::lock_guard lock(mutex_);
  broken_ = broken;
}

bool SdCardModel::busy() const {
  std::lock_guard lock(mutex_);
  return clock_.now() < busy_until_;
}

hal::Nanos SdCardModel::busy_until() const {
  std::lock_guard lock(mutex_);
  return busy_until_;
}

SdWriteTiming SdCardModel::last_write() const {
  std::lock_guard lock(mutex_);
  return last_write_;
}

std::uint64_t SdCardModel::used_bytes() const {
  std::lock_guard lock(mutex_);
  return used_;
}

}  // namespace camrig::sim
