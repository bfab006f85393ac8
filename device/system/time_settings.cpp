#include "device/system/time_settings.hpp"

namespace camrig::system {

Result<TimeZone> configured_time_zone(const core::ConfigService& config) {
  auto zone = parse_time_zone(config.get_string("time.time_zone"));
  if (!zone) return zone.error();
  zone->dst.reset();
  if (!config.get_bool("time.dst.enabled")) return zone;
  auto start = parse_dst_rule(config.get_string("time.dst.start"));
  if (!start) return start.error();
  auto end = parse_dst_rule(config.get_string("time.dst.end"));
  if (!end) return end.error();
  zone->dst = DaylightSaving{std::chrono::minutes(std::stoi(config.get_string("time.dst.bias"))), *start, *end};
  return zone;
}

Result<std::vector<core::ConfigService::Change>> time_zone_changes(const TimeZone& zone) {
  TimeZone standard = zone;
  standard.dst.reset();
  std::vector<core::ConfigService::Change> changes{{"time.time_zone", core::ConfigValue(format_time_zone(standard))},
                                                   {"time.dst.enabled", core::ConfigValue(zone.dst.has_value())}};
  if (zone.dst) {
    const auto bias = std::chrono::duration_cast<std::chrono::minutes>(zone.dst->bias);
    if (bias != zone.dst->bias)
      return make_error(ErrorCode::out_of_range, "DST bias must be 30, 60, 90 or 120 minutes (got " + format_hms(zone.dst->bias) + ")");
    changes.emplace_back("time.dst.start", core::ConfigValue(format_dst_rule(zone.dst->start)));
    changes.emplace_back("time.dst.end", core::ConfigValue(format_dst_rule(zone.dst->end)));
    changes.emplace_back("time.dst.bias", core::ConfigValue(std::to_string(bias.count())));
  }
  return changes;
}

NtpSettings ntp_settings_from_config(const core::ConfigService& config) {
  NtpSettings settings;
  settings.enabled = config.get_string("time.mode") == "NTP";
  settings.server = config.get_string("time.ntp.server");
  settings.port = static_cast<std::uint16_t>(config.get_int("time.ntp.port"));
  settings.interval = std::chrono::minutes(config.get_int("time.ntp.interval"));
  return settings;
}

}  // namespace camrig::system
