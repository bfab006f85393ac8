#include "device/media/libav_log.hpp"

#include <cstdarg>
#include <mutex>
#include <string>

extern "C" {
#include <libavutil/log.h>
}

#include "device/core/log.hpp"

namespace camrig::media {

namespace {

void forward(void* avcl, int level, const char* format, va_list args) {
  if (level > av_log_get_level()) return;
  // av_log_format_line2 keeps "print the [component] prefix" state between partial lines.
  thread_local int print_prefix = 1;
  char line[1024];
  const int written = av_log_format_line2(avcl, level, format, args, line, sizeof line, &print_prefix);
  if (written <= 0) return;
  std::string text(line);
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  if (text.empty()) return;
  static const auto logger = camrig::log::get("libav");
  if (level <= AV_LOG_ERROR) {
    logger->error("{}", text);
  } else if (level <= AV_LOG_WARNING) {
    logger->warn("{}", text);
  } else {
    logger->debug("{}", text);
  }
}

}  // namespace

void route_libav_logs() {
  static std::once_flag once;
  std::call_once(once, [] {
    av_log_set_level(AV_LOG_WARNING);
    av_log_set_callback(forward);
  });
}

}  // namespace camrig::media
