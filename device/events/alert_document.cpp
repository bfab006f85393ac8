#include "device/events/alert_document.hpp"

#include <chrono>
#include <cmath>
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

std::string base_name_of(const std::string& kind) {
  if (kind == "face") return "faceImage";
  if (kind == "scene") return "backgroundImage";
  return kind + "Image";
}

std::string cid(const AlertPart& part) { return "cid:" + part.content_id; }

// Normalised box coordinates to four places: a 4K picture's pixel is 0.00026 wide.
double fraction(double value) { return std::round(value * 1e4) / 1e4; }

const AlertPart* part_of_kind(const Event& event, const std::vector<AlertPart>& parts, const char* kind) {
  for (std::size_t i = 0; i < event.pictures.size() && i < parts.size(); ++i)
    if (event.pictures[i].kind == kind) return &parts[i];
  return nullptr;
}

// The face of a face capture as faceCapture/faces/face describes it; empty without a target.
nlohmann::ordered_json face_of(const Event& event, const std::vector<AlertPart>& parts) {
  if (event.kind != EventKind::face_capture || !event.target) return nullptr;
  nlohmann::ordered_json face;
  if (event.target->track_id) face["faceId"] = *event.target->track_id;
  if (event.target->face_quality) face["faceScore"] = *event.target->face_quality;
  if (const auto& a = event.target->face_attributes) {
    face["gender"] = a->gender;
    face["expression"] = a->expression;
    face["glass"] = a->glasses;
  }
  if (const auto& b = event.target->box)
    face["faceRect"] = {{"x", fraction(b->x)}, {"y", fraction(b->y)}, {"width", fraction(b->width)}, {"height", fraction(b->height)}};
  if (const auto* picture = part_of_kind(event, parts, "face")) face["URL"] = cid(*picture);
  return face.empty() ? nullptr : face;
}

}  // namespace

std::vector<AlertPart> carried_pictures(const Event& event) {
  std::vector<AlertPart> parts;
  for (const auto& picture : event.pictures) {
    if (!picture.jpeg || picture.jpeg->empty()) continue;
    const auto base = base_name_of(picture.kind);
    parts.push_back({base + ".jpg", base + ".jpg", "image/jpeg", base + "-" + std::to_string(event.sequence) + "@camrig",
                     picture.jpeg});
  }
  return parts;
}

std::string multipart_part(std::string_view boundary, const AlertPart& part) {
  const std::string& data = part.data ? *part.data : std::string();
  std::string out = "--" + std::string(boundary) + "\r\n";
  if (!part.name.empty()) {
    out += "Content-Disposition: form-data; name=\"" + part.name + "\"";
    if (!part.filename.empty()) out += "; filename=\"" + part.filename + "\"";
    out += "\r\n";
  }
  out += "Content-Type: " + part.content_type + "\r\nContent-Length: " + std::to_string(data.size()) + "\r\n";
  if (!part.content_id.empty()) out += "Content-ID: <" + part.content_id + ">\r\n";
  out += "\r\n";
  out += data;
  out += "\r\n";
  return out;
}

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
  const auto parts = carried_pictures(event);
  if (!parts.empty()) {
    root.append_child("detectionPictureTransType").text() = "binary";
    root.append_child("detectionPicturesNumber").text() = static_cast<unsigned>(parts.size());
    if (const auto* background = part_of_kind(event, parts, "scene")) root.append_child("bkgUrl").text() = cid(*background).c_str();
    auto list = root.append_child("pictureInfoList");
    for (const auto& part : parts) {
      auto info = list.append_child("pictureInfo");
      info.append_child("fileName").text() = part.filename.c_str();
      info.append_child("type").text() = part.filename.substr(0, part.filename.size() - 4).c_str();
      info.append_child("pId").text() = part.content_id.c_str();
    }
  } else if (picture) {
    root.append_child("detectionPictureTransType").text() = "binary";
    root.append_child("detectionPicturesNumber").text() = 1;
    root.append_child("bkgUrl").text() = ("cid:" + picture->content_id).c_str();
  }
  if (const auto face = face_of(event, parts); !face.is_null()) {
    auto node = root.append_child("faceCapture").append_child("faces").append_child("face");
    for (const auto& [name, value] : face.items()) {
      auto field = node.append_child(name.c_str());
      if (value.is_object()) {
        for (const auto& [coordinate, number] : value.items()) field.append_child(coordinate.c_str()).text() = number.dump().c_str();
      } else {
        field.text() = (value.is_string() ? value.get<std::string>() : value.dump()).c_str();
      }
    }
  }
  std::ostringstream out;
  doc.save(out, "", pugi::format_raw);
  return out.str();
}

std::string alert_json(const Event& event, const DeviceIdentity& device) {
  nlohmann::ordered_json alert{{"ipAddress", device.ip_address},
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
  if (event.rule > 0) alert["DetectionRegionList"] = nlohmann::ordered_json::array({{{"regionID", event.rule}}});
  if (event.target && !event.target->plate.empty()) alert["ANPR"] = {{"licensePlate", event.target->plate}};
  const auto parts = carried_pictures(event);
  if (!parts.empty()) {
    alert["detectionPictureTransType"] = "binary";
    alert["detectionPicturesNumber"] = parts.size();
    if (const auto* background = part_of_kind(event, parts, "scene")) alert["bkgUrl"] = cid(*background);
    auto list = nlohmann::ordered_json::array();
    for (const auto& part : parts)
      list.push_back({{"fileName", part.filename}, {"type", part.filename.substr(0, part.filename.size() - 4)}, {"pId", part.content_id}});
    alert["pictureInfoList"] = std::move(list);
  }
  if (const auto face = face_of(event, parts); !face.is_null())
    alert["faceCapture"] = nlohmann::ordered_json::array({{{"faces", nlohmann::ordered_json::array({face})}}});
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
  return multipart_part(k_alert_stream_boundary,
                        {"", "", "application/xml; charset=\"UTF-8\"", "", std::make_shared<const std::string>(xml)});
}

std::string alert_picture_part(const Event& event, const AlertPicture& picture) {
  const std::string name(isapi_event_type(event.kind));
  return multipart_part(k_alert_stream_boundary, {name + "Image", name + ".jpg", "image/jpeg", picture.content_id,
                                                  std::make_shared<const std::string>(picture.jpeg)});
}

}  // namespace camrig::events
