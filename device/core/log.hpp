// Named loggers ("rtsp", "media", ...) on one sink; the level is set once by the composition root.
#pragma once

#include <memory>
#include <string>

#include <spdlog/spdlog.h>

namespace camrig::log {

//! The logger of one subsystem, created on first use and shared afterwards.
std::shared_ptr<spdlog::logger> get(const std::string& name);

//! "trace", "debug", "info", "warn", "error" or "off"; applies to every logger.
void set_level(const std::string& level);

}  // namespace camrig::log
