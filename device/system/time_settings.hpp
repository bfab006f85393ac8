// The time settings of the config service (time.json) in the forms the time services use: the
// configured time zone with its DST part, the changes that store one, and the NTP settings.
#pragma once

#include <vector>

#include "device/core/config_service.hpp"
#include "device/system/sntp_client.hpp"
#include "device/system/time_zone.hpp"

namespace camrig::system {

//! time.time_zone with time.dst.* when DST is enabled.
Result<TimeZone> configured_time_zone(const core::ConfigService& config);
//! The config changes that store `zone` (DST enabled or not, its rules and bias).
Result<std::vector<core::ConfigService::Change>> time_zone_changes(const TimeZone& zone);
NtpSettings ntp_settings_from_config(const core::ConfigService& config);

}  // namespace camrig::system
