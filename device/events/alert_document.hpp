// The surveillance-center form of an event: Hikvision's EventNotificationAlert as XML (alertStream
// parts, HTTP host pushes) or JSON, and the videoloss/inactive heartbeat that keeps client
// watchdogs alive. Every element carries a value: clients (pyHik) fail on empty elements.
#pragma once

#include <cstdint>
#include <string>

#include "device/events/event.hpp"

namespace camrig::events {

//! Who sends the alert, as the document names the device.
struct DeviceIdentity {
  std::string ip_address = "0.0.0.0";
  std::uint16_t port = 80;
  std::string mac_address = "00:00:00:00:00:00";
  std::string protocol = "HTTP";
};

//! ISO 8601 with offset, the form alerts carry: "2024-03-01T12:00:00+00:00".
std::string iso8601(hal::WallTime wall_time);

std::string alert_xml(const Event& event, const DeviceIdentity& device);
std::string alert_json(const Event& event, const DeviceIdentity& device);
//! The heartbeat Hikvision cameras send on an idle alertStream: videoloss, inactive.
Event heartbeat_event(hal::Nanos device_time, hal::WallTime wall_time);

//! The multipart/mixed part of one alert document on the alertStream (boundary "boundary").
std::string alert_stream_part(const std::string& xml);
inline constexpr const char* k_alert_stream_content_type = "multipart/mixed; boundary=boundary";

}  // namespace camrig::events
