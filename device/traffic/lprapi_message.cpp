#include "device/traffic/lprapi_message.hpp"

#include <nlohmann/json.hpp>

#include "device/core/base64.hpp"
#include "device/core/wall_time_format.hpp"

namespace camrig::traffic {

std::string lprapi_picture_type(const std::string& picture_kind) {
  if (picture_kind == "scene") return "original";
  if (picture_kind == "plate") return "plateCutout";
  if (picture_kind == "vehicle") return "vehicleCutout";
  return "";
}

bool picture_selected(const LprApiSettings& settings, const std::string& type, bool blocklisted) {
  if (settings.upload_picture == PictureUpload::none) return false;
  if (settings.upload_picture == PictureUpload::blocklist && !blocklisted) return false;
  if (type == "original") return settings.original_image;
  if (type == "plateCutout") return settings.plate_cutout;
  if (type == "vehicleCutout") return settings.vehicle_cutout;
  return false;
}

bool vehicle_selected(const LprApiSettings& settings, const events::Event& event) {
  if (event.kind != events::EventKind::vehicle_detection || !event.target) return false;
  return !(settings.filter_unlicensed && event.target->plate.empty());
}

std::string vehicle_message(const LprApiSettings& settings, std::uint64_t sequence, const events::Event& event,
                            const std::optional<VehicleRecord>& vehicle, const DeviceBasicInfo& device,
                            const std::vector<LprApiPicture>& pictures) {
  using nlohmann::json;
  const auto& target = event.target ? *event.target : events::Target{};
  json message = {{"protocolVersion", settings.protocol_version},
                  {"messageType", "vehicle"},
                  {"deviceId", settings.device_id},
                  {"sequence", sequence}};
  if (settings.device_info)
    message["deviceInfo"] = {{"deviceName", device.device_name},     {"model", device.model},
                             {"serialNumber", device.serial_number}, {"firmwareVersion", device.firmware_version},
                             {"ipAddress", device.ip_address},       {"macAddress", device.mac_address}};
  if (settings.lpr_info) {
    json lpr = json::object();
    lpr["unlicensed"] = target.plate.empty();
    if (settings.plate) lpr["plateNumber"] = target.plate;
    if (settings.direction) lpr["direction"] = target.direction.empty() ? "unknown" : target.direction;
    if (settings.time) lpr["captureTime"] = core::format_utc_iso8601(event.wall_time);
    if (settings.location) lpr["location"] = settings.location_text;
    if (settings.accuracy && vehicle) lpr["accuracy"] = vehicle->read.confidence;
    if (settings.blocklist) {
      lpr["inBlocklist"] = target.list_verdict == "blocked";
      lpr["listVerdict"] = target.list_verdict.empty() ? "unknown" : target.list_verdict;
    }
    if (vehicle) {
      if (!vehicle->read.plate_colour.empty()) lpr["plateColor"] = vehicle->read.plate_colour;
      if (!vehicle->read.vehicle_colour.empty()) lpr["vehicleColor"] = vehicle->read.vehicle_colour;
      if (!vehicle->read.vehicle_type.empty()) lpr["vehicleType"] = vehicle->read.vehicle_type;
      if (vehicle->speed_kmh) lpr["speedKmh"] = *vehicle->speed_kmh;
      lpr["backing"] = vehicle->backing;
      lpr["captureTrigger"] = std::string(to_string(vehicle->read.trigger));
    }
    message["lprInfo"] = std::move(lpr);
  }
  if (settings.barrier_info && vehicle) message["barrierInfo"] = {{"action", std::string(to_string(vehicle->barrier))}};
  if (!pictures.empty()) {
    json list = json::array();
    for (const auto& picture : pictures)
      list.push_back({{"type", picture.type}, {"format", "jpeg"}, {"data", core::base64_encode(std::string_view(picture.jpeg))}});
    message["pictures"] = std::move(list);
  }
  return message.dump();
}

std::string keep_alive_message(const LprApiSettings& settings, hal::WallTime now, std::size_t queued) {
  const nlohmann::json message = {{"protocolVersion", settings.protocol_version},
                                  {"messageType", "keepAlive"},
                                  {"deviceId", settings.device_id},
                                  {"time", core::format_utc_iso8601(now)},
                                  {"queuedMessages", queued}};
  return message.dump();
}

}  // namespace camrig::traffic
