// The LPRAPI settings as stored in the config service (`lprapi.*`, device/core/schema/lprapi.json)
// and the platform server address they name ("http://192.168.0.1:7070").
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "device/core/config_service.hpp"
#include "device/core/result.hpp"

namespace camrig::traffic {

//! Where the platform server listens: only plain HTTP, as the manual requires ("HTTP protocol,
//! comply with RFC2616").
struct PlatformServer {
  std::string host;
  std::uint16_t port = 80;
  std::string base_path;  //!< "" or "/prefix", put before the interface paths
};

//! "http://host[:port][/prefix]"; the error says what is wrong with the address.
Result<PlatformServer> parse_platform_server(std::string_view url);

enum class PictureUpload { all, blocklist, none };

struct LprApiSettings {
  bool enabled = false;
  bool authentication = false;
  std::string username;
  std::string password;
  std::string protocol_version = "V1.00";
  std::string server;
  std::string device_id;
  std::chrono::seconds keep_alive_interval{300};
  int max_keep_alive_requests = 0;
  std::string heartbeat_path = "/FunctionInterface/KeepAlive";
  std::string event_path = "/FunctionInterface/VehicleInfo";
  PictureUpload upload_picture = PictureUpload::all;
  std::chrono::seconds request_timeout{5};
  // Data Type
  bool device_info = true;
  bool lpr_info = true;
  bool barrier_info = false;
  // Uploading Info
  bool plate = true;
  bool direction = true;
  bool time = true;
  bool location = false;
  bool accuracy = true;
  bool blocklist = true;
  std::string location_text;
  // Filter Condition: unlicensed vehicles are not uploaded when set.
  bool filter_unlicensed = false;
  // Image Config
  bool original_image = true;
  bool plate_cutout = false;
  bool vehicle_cutout = false;

  static LprApiSettings from_config(const core::ConfigService& config);
};

}  // namespace camrig::traffic
