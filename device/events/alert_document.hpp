// The surveillance-center form of an event: Hikvision's EventNotificationAlert as XML (alertStream
// parts, HTTP host pushes) or JSON, and the videoloss/inactive heartbeat that keeps client
// watchdogs alive. Every element carries a value: clients (pyHik) fail on empty elements.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>

#include "device/events/event.hpp"

namespace camrig::events {

//! Who sends the alert, as the document names the device.
struct DeviceIdentity {
  std::string ip_address = "0.0.0.0";
  std::uint16_t port = 80;
  std::string mac_address = "00:00:00:00:00:00";
  std::string protocol = "HTTP";
  //! Local time minus UTC at a moment (time zone and DST); empty: alerts show UTC.
  std::function<std::chrono::seconds(hal::WallTime)> utc_offset;
};

//! ISO 8601 in local time with its offset, the form alerts carry: "2024-03-01T20:00:00+08:00".
std::string iso8601(hal::WallTime wall_time, std::chrono::seconds utc_offset = {});
//! The alert time of an event as the device shows it: local time with offset.
std::string alert_time(hal::WallTime wall_time, const DeviceIdentity& device);

//! The picture of an alert ("upload picture" in the event's linkage): a JPEG sent as its own part
//! after the document, which refers to it as "cid:<content_id>" (RFC 2392).
struct AlertPicture {
  std::string content_id;  //!< "alarm-picture-42@camrig"
  std::string jpeg;
};

//! With a picture, the document says so (detectionPictureTransType binary, detectionPicturesNumber
//! 1) and names the part in bkgUrl.
std::string alert_xml(const Event& event, const DeviceIdentity& device, const AlertPicture* picture = nullptr);
std::string alert_json(const Event& event, const DeviceIdentity& device);
//! The heartbeat Hikvision cameras send on an idle alertStream: videoloss, inactive.
Event heartbeat_event(hal::Nanos device_time, hal::WallTime wall_time);

//! The multipart/mixed part of one alert document on the alertStream (boundary "boundary").
std::string alert_stream_part(const std::string& xml);
//! The image/jpeg part of an alert's picture, with its Content-ID, following the document's part.
std::string alert_picture_part(const Event& event, const AlertPicture& picture);
inline constexpr const char* k_alert_stream_content_type = "multipart/mixed; boundary=boundary";

}  // namespace camrig::events
