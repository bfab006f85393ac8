// The ZIP container of .xlsx list files: writes deflated entries, and reads stored or deflated
// entries with bounds, CRC and size checks, so a damaged or hostile upload is refused, not trusted.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "device/core/result.hpp"

namespace camrig::traffic {

struct ZipEntry {
  std::string name;
  std::string data;
};

std::string write_zip(const std::vector<ZipEntry>& entries);
//! Refuses archives that are not ZIP, are damaged, encrypted, ZIP64, or unpack to more than `max_unpacked` bytes.
Result<std::vector<ZipEntry>> read_zip(std::string_view archive, std::size_t max_unpacked);

}  // namespace camrig::traffic
