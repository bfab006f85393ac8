// The memory card (or NAS share): a file store with capacity and health, as firmware sees it
// after mounting. Faults surface as states and per-operation errors.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "device/core/result.hpp"

namespace camrig::hal {

enum class MediumState { absent, unformatted, ready, read_only, error };

struct MediumStatus {
  MediumState state = MediumState::absent;
  std::uint64_t capacity_bytes = 0;
  std::uint64_t free_bytes = 0;
};

struct MediumEntry {
  std::string path;
  std::uint64_t size_bytes = 0;
};

class StorageMedium {
 public:
  virtual ~StorageMedium() = default;
  virtual MediumStatus status() const = 0;
  virtual Result<void> format() = 0;
  //! Writes (or appends to) the file at `path`, relative to the medium's root.
  virtual Result<void> write(std::string_view path, std::span<const std::uint8_t> bytes, bool append) = 0;
  virtual Result<std::vector<std::uint8_t>> read(std::string_view path) const = 0;
  virtual Result<void> remove(std::string_view path) = 0;
  virtual std::vector<MediumEntry> list(std::string_view directory) const = 0;
};

}  // namespace camrig::hal
