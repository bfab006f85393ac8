#include "device/core/wall_time_format.hpp"

#include <ctime>

namespace camrig::core {

std::string format_utc_iso8601(hal::WallTime time) {
  const auto seconds = std::chrono::system_clock::to_time_t(std::chrono::time_point_cast<std::chrono::seconds>(time));
  std::tm parts{};
  gmtime_r(&seconds, &parts);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &parts);
  return text;
}

}  // namespace camrig::core
