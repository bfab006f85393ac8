// The stored form of the event settings: source settings (schedule, linkage, alarm type, event
// interval, post-alarm), alarm output settings and HTTP hosts as JSON text, kept in the config
// service under events.sources, events.alarm_outputs and events.http_hosts (a value cannot be a list).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "device/core/result.hpp"
#include "device/events/alarm_outputs.hpp"
#include "device/events/event_engine.hpp"
#include "device/events/http_hosts.hpp"

namespace camrig::events {

inline constexpr const char* k_sources_key = "events.sources";
inline constexpr const char* k_alarm_outputs_key = "events.alarm_outputs";
inline constexpr const char* k_http_hosts_key = "events.http_hosts";

std::string encode_sources(const std::map<std::string, SourceSettings>& sources);
//! Schedules are rebuilt through ArmingSchedule::create with `max_periods`; the error names the source.
Result<std::map<std::string, SourceSettings>> decode_sources(const std::string& text, std::size_t max_periods);

std::string encode_outputs(const std::map<int, AlarmOutputSettings>& outputs);
Result<std::map<int, AlarmOutputSettings>> decode_outputs(const std::string& text);

std::string encode_hosts(const std::vector<HttpHostSettings>& hosts);
Result<std::vector<HttpHostSettings>> decode_hosts(const std::string& text);

}  // namespace camrig::events
