#include "device/events/alert_document.hpp"

#include <chrono>
#include <cstdio>
#include <ctime>
#include <sstream>

#include <nlohmann/json.hpp>
#include <pugixml.hpp>

namespace camrig::events {
namespace {

int channel_of(const Event& event) { return event.channel > 0 ? event.channel : 1; }

std::string description_of(const Event& event) {
  return event.description.empty() ? std::string(default_description(event.kind)) : event.description;
}

// An inactive post and a pulse both end the occurrence; clients only know active and inactive.
const char* state_of(const Event& event) { return event.state == EventState::inactive ? "inactive" : "active"; }

}  // namespace

std::string iso8601(hal::WallTime wall_time, std::chrono::seconds utc_offset) {
  // The device clock is UTC; the local time is UTC shifted by the offset, then named with it.
  const std::time_t seconds =
      std::chrono::system_clock::to_time_t(std::chrono::floor<std::chrono::seconds>(wall_time) + utc_offset);
  std::tm local{};
  gmtime_r(&seconds, &local);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%S", &local);
  const auto offset_minutes = std::chrono::duration_cast<std::chrono::minutes>(utc_offset).count();
  const auto magnitude = offset_minutes < 0 ? -offset_minutes : offset_minutes;
  char zone[8];
  std::snprintf(zone, sizeof zone, "%c%02d:%02d", offset_minutes < 0 ? '-' : '+', static_cast<int>(magnitude / 60),
                static_cast<int>(magnitude % 60));
  return std::string(text) + zone;
}

std::string alert_time(hal::WallTime wall_time, const DeviceIdentity& device) {
  return iso8601(wall_time, device.utc_offset ? device.utc_offset(wall_time) : std::chrono::seconds{});
}

std::string alert_xml(const Event& event, const DeviceIdentity& device, const AlertPicture* picture) {
  pugi::xml_document doc;
  auto declaration = doc.append_child(pugi::node_declaration);
  declaration.append_attribute("version") = "1.0";
  declaration.append_attribute("encoding") = "UTF-8";
  auto root = doc.append_child("EventNotificationAlert");
  root.append_attribute("version") = "2.0";
  root.append_attribute("xmlns") = "http://www.hikvision.com/ver20/XMLSchema";
  root.append_child("ipAddress").text() = device.ip_address.c_str();
  root.append_child("portNo").text() = device.port;
  root.append_child("protocol").text() = device.protocol.c_str();
  root.append_child("macAddress").text() = device.mac_address.c_str();
  root.append_child("channelID").text() = channel_of(event);
  root.append_child("dateTime").text() = alert_time(event.wall_time, device).c_str();
  root.append_child("activePostCount").text() = event.active_post_count;
  root.append_child("eventType").text() = std::string(isapi_event_type(event.kind)).c_str();
  root.append_child("eventState").text() = state_of(event);
  root.append_child("eventDescription").text() = description_of(event).c_str();
  if (event.kind == EventKind::alarm_input) root.append_child("inputIOPortID").text() = event.input;
  if (event.rule > 0) {
    auto region = root.append_child("DetectionRegionList").append_child("DetectionRegionEntry");
    region.append_child("regionID").text() = event.rule;
  }
  if (event.target && !event.target->plate.empty()) {
    auto anpr = root.append_child("ANPR");
    anpr.append_child("licensePlate").text() = event.target->plate.c_str();
  }
  if (picture) {
    root.append_child("detectionPictureTransType").text() = "binary";
    root.append_child("detectionPicturesNumber").text() = 1;
    root.append_child("bkgUrl").text() = ("cid:" + picture->content_id).c_str();
  }
  std::ostringstream out;
  doc.save(out, "", pugi::format_raw);
  return out.str();
}

std::string alert_json(const Event& event, const DeviceIdentity& device) {
  nlohmann::json alert{{"ipAddress", device.ip_address},
                       {"portNo", device.port},
                       {"protocol", device.protocol},
                       {"macAddress", device.mac_address},
                       {"channelID", channel_of(event)},
                       {"dateTime", alert_time(event.wall_time, device)},
                       {"activePostCount", event.active_post_count},
                       {"eventType", isapi_event_type(event.kind)},
                       {"eventState", state_of(event)},
                       {"eventDescription", description_of(event)}};
  if (event.kind == EventKind::alarm_input) alert["inputIOPortID"] = event.input;
  if (event.rule > 0) alert["DetectionRegionList"] = nlohmann::json::array({{{"regionID", event.rule}}});
  if (event.target && !event.target->plate.empty()) alert["ANPR"] = {{"licensePlate", event.target->plate}};
  return alert.dump();
}

Event heartbeat_event(hal::Nanos device_time, hal::WallTime wall_time) {
  Event event;
  event.kind = EventKind::video_loss;
  event.channel = 1;
  event.state = EventState::inactive;
  event.device_time = device_time;
  event.wall_time = wall_time;
  event.active_post_count = 0;
  return event;
}

std::string alert_stream_part(const std::string& xml) {
  return "--boundary\r\nContent-Type: application/xml; charset=\"UTF-8\"\r\nContent-Length: " +
         std::to_string(xml.size()) + "\r\n\r\n" + xml + "\r\n";
}

std::string alert_picture_part(const Event& event, const AlertPicture& picture) {
  const std::string name(isapi_event_type(event.kind));
  return "--boundary\r\nContent-Disposition: form-data; name=\"" + name + "Image\"; filename=\"" + name +
         ".jpg\"\r\nContent-Type: image/jpeg\r\nContent-Length: " + std::to_string(picture.jpeg.size()) +
         "\r\nContent-ID: <" + picture.content_id + ">\r\n\r\n" + picture.jpeg + "\r\n";
}

}  // namespace camrig::events
