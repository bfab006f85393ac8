// The surveillance-center form of an event: Hikvision's EventNotificationAlert as XML (alertStream
// parts, HTTP host pushes) or JSON, the videoloss/inactive heartbeat that keeps client watchdogs
// alive, and the one way an alert's pictures become multipart parts that the document names.
// Every element carries a value: clients (pyHik) fail on empty elements.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

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

//! One body part of a multipart alert (alertStream multipart/mixed, HTTP host multipart/form-data).
struct AlertPart {
  std::string name;          //!< form-data name; empty: no Content-Disposition
  std::string filename;
  std::string content_type;  //!< "image/jpeg"
  std::string content_id;    //!< empty: no Content-ID
  std::shared_ptr<const std::string> data;
};

//! The pictures the event carries itself (face capture: face and background), as parts named
//! the one way every sender and the document use: "faceImage.jpg" / "backgroundImage.jpg" /
//! "<kind>Image.jpg", Content-ID "<name without .jpg>-<sequence>@camrig".
std::vector<AlertPart> carried_pictures(const Event& event);
//! `--<boundary>`, the part's headers (Content-Disposition, Content-Type, Content-Length,
//! Content-ID, as far as set), an empty line, the data and CRLF.
std::string multipart_part(std::string_view boundary, const AlertPart& part);

//! With pictures the document says so (detectionPictureTransType binary, detectionPicturesNumber)
//! and names each part: pictureInfoList (fileName, type, pId = Content-ID), bkgUrl "cid:" for the
//! background (the event's scene picture, else the linkage's `picture`), and for face capture
//! faceCapture/faces/face with the face box, its grade and URL "cid:" of the face picture. The
//! linkage's picture is named only when the event carries none of its own.
std::string alert_xml(const Event& event, const DeviceIdentity& device, const AlertPicture* picture = nullptr);
//! The same fields; face capture's faceCapture and pictureInfoList as in the XML.
std::string alert_json(const Event& event, const DeviceIdentity& device);
//! The heartbeat Hikvision cameras send on an idle alertStream: videoloss, inactive.
Event heartbeat_event(hal::Nanos device_time, hal::WallTime wall_time);

//! The multipart/mixed part of one alert document on the alertStream (boundary "boundary").
std::string alert_stream_part(const std::string& xml);
//! The image/jpeg part of an alert's linkage picture, with its Content-ID, following the document's part.
std::string alert_picture_part(const Event& event, const AlertPicture& picture);
inline constexpr const char* k_alert_stream_boundary = "boundary";
inline constexpr const char* k_alert_stream_content_type = "multipart/mixed; boundary=boundary";

}  // namespace camrig::events
