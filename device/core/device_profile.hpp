// A device profile is data (profiles/*.json): which camera this firmware is — identity,
// channels and their streams, capabilities, and the profile's narrowing of the config schema
// (allowed values, ranges, defaults). network-camera, smart-linkage-ptz and lpr-camera ship built in.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "device/core/result.hpp"
#include "device/hal/video_frame.hpp"

namespace camrig::core {

struct DeviceInformation {
  std::string manufacturer;
  std::string model;
  std::string device_type;
  std::string serial_number;
  std::string mac_address;
  std::string hardware_version;
  std::string firmware_version;  //!< this build's version, not profile data
};

struct Capabilities {
  int alarm_inputs = 0;
  int alarm_outputs = 0;
  int rs485_ports = 0;
  int rs232_ports = 0;
  bool audio = false;
  bool ptz = false;
  bool license_plate_recognition = false;
  bool memory_card = false;
  int max_rtsp_sessions = 20;
  //! Entries the system log keeps before dropping the oldest.
  int log_capacity = 10000;
};

struct StreamProfile {
  int id = 0;        //!< ISAPI stream id: channel * 100 + index, e.g. 101
  int channel = 0;
  std::string role;  //!< "main", "sub", "third" or "custom" (a slot that exists once added)
  std::string name;  //!< as the web UI shows it: "Main Stream"
};

struct ChannelProfile {
  int id = 0;
  std::string name;
  std::string kind;  //!< "fixed", "ptz" or "panoramic"
  hal::VideoFormat sensor;
  std::vector<StreamProfile> streams;
};

struct DeviceProfile {
  std::string name;
  std::string description;
  DeviceInformation device;
  Capabilities capabilities;
  std::vector<ChannelProfile> channels;
  //! Overrides of schema parameters: key (concrete "stream.101.x", by role "stream.main.x", or
  //! wildcard "stream.*.x") → {"default", "min", "max", "values"}.
  nlohmann::json parameters = nlohmann::json::object();

  static Result<DeviceProfile> parse(std::string_view json_text, std::string_view source_name);
  //! One of the profiles compiled into the firmware.
  static Result<DeviceProfile> builtin(std::string_view name);
  static std::vector<std::string> builtin_names();

  const StreamProfile* find_stream(int stream_id) const;
  const ChannelProfile* find_channel(int channel_id) const;
  std::vector<StreamProfile> streams() const;
};

}  // namespace camrig::core
