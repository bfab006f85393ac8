#include "device/core/log.hpp"

#include <mutex>

#include <spdlog/sinks/stdout_color_sinks.h>

namespace camrig::log {

std::shared_ptr<spdlog::logger> get(const std::string& name) {
  static std::mutex mutex;
  std::lock_guard lock(mutex);
  if (auto existing = spdlog::get(name)) return existing;
  auto logger = spdlog::stderr_color_mt(name);
  logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%-5l%$ [%n] %v");
  logger->set_level(spdlog::get_level());
  return logger;
}

void set_level(const std::string& level) {
  spdlog::set_level(spdlog::level::from_str(level));
  spdlog::apply_all([&](const std::shared_ptr<spdlog::logger>& logger) {
    logger->set_level(spdlog::level::from_str(level));
  });
}

}  // namespace camrig::log
