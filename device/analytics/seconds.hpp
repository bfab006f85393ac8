// The detectors' settings give times in seconds (raise and clear delays, thresholds) while frames
// carry device clock times (hal::Nanos): the conversions between the two, one copy for all of them.
#pragma once

#include <chrono>
#include <cstdint>

#include "device/hal/clock.hpp"

namespace camrig::analytics {

//! A time in seconds as a clock duration, truncated to whole nanoseconds.
inline hal::Nanos to_nanos(double s) { return hal::Nanos{static_cast<std::int64_t>(s * 1e9)}; }

//! A clock duration in seconds.
inline double to_seconds(hal::Nanos d) { return std::chrono::duration<double>(d).count(); }

}  // namespace camrig::analytics
