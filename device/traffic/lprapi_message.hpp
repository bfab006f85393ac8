// The LPRAPI messages (protocol V1.00, device/traffic/lprapi.md, JSON Schema
// device/traffic/lprapi_message.schema.json): one vehicle message per recorded ANPR event with the data
// types, fields and pictures the settings select, and the heartbeat.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "device/events/event.hpp"
#include "device/hal/clock.hpp"
#include "device/traffic/lpr_service.hpp"
#include "device/traffic/lprapi_settings.hpp"

namespace camrig::traffic {

//! "Device Basic Info".
struct DeviceBasicInfo {
  std::string device_name;
  std::string model;
  std::string serial_number;
  std::string firmware_version;
  std::string ip_address;
  std::string mac_address;
};

//! A JPEG of the event with its LPRAPI type: "original", "plateCutout", "vehicleCutout".
struct LprApiPicture {
  std::string type;
  std::string jpeg;
};

//! The LPRAPI picture type of an event picture kind ("scene" -> "original", "plate" ->
//! "plateCutout", "vehicle" -> "vehicleCutout"), or "" for kinds LPRAPI does not carry.
std::string lprapi_picture_type(const std::string& picture_kind);
//! Whether `settings` select pictures of this type for this vehicle ("Upload Picture" and "Image Config").
bool picture_selected(const LprApiSettings& settings, const std::string& type, bool blocklisted);

//! Whether the settings upload this ANPR event at all (the unlicensed filter).
bool vehicle_selected(const LprApiSettings& settings, const events::Event& event);

//! The body of one vehicle message. `vehicle` adds what the event does not carry (accuracy, colours,
//! barrier); pictures are given already filtered by picture_selected().
std::string vehicle_message(const LprApiSettings& settings, std::uint64_t sequence, const events::Event& event,
                            const std::optional<VehicleRecord>& vehicle, const DeviceBasicInfo& device,
                            const std::vector<LprApiPicture>& pictures);

//! The body of a heartbeat.
std::string keep_alive_message(const LprApiSettings& settings, hal::WallTime now, std::size_t queued);

}  // namespace camrig::traffic
