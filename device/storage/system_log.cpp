#include "device/storage/system_log.hpp"

#include "device/core/text.hpp"

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
    if (text::equal_ignoring_case(name, text)) return major;
  }
  return std::nullopt;
}

}  // namespace camrig::storage
