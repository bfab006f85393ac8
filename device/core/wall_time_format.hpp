// Wall times as ISO 8601 text in UTC ("2026-11-22T05:06:07Z"), the one form the device's APIs,
// list files and logs use for an instant without a time zone of its own.
#pragma once

#include <string>

#include "device/hal/clock.hpp"

namespace camrig::core {

std::string format_utc_iso8601(hal::WallTime time);

}  // namespace camrig::core
