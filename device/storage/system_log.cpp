#include "device/storage/system_log.hpp"

#include <algorithm>
#include <cctype>

namespace camrig::storage {

const char* to_string(LogMajor major) {
  switch (major) {
    case LogMajor::alarm: return "Alarm";
    case LogMajor::exception: return "Exception";
    case LogMajor::operation: return "Operation";
    case LogMajor::information: return "Information";
  }
  return "Information";
}

std::optional<LogMajor> log_major_from_string(std::string_view text) {
  for (const auto major : {LogMajor::alarm, LogMajor::exception, LogMajor::operation, LogMajor::information}) {
    const std::string_view name = to_string(major);
    if (name.size() == text.size() && std::equal(name.begin(), name.end(), text.begin(), [](char a, char b) {
          return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
        }))
      return major;
  }
  return std::nullopt;
}

}  // namespace camrig::storage
