#include "device/core/device_profile.hpp"

#include <algorithm>
#include <set>

#include "device/core/embedded_files.hpp"
#include "version.hpp"

namespace camrig::core {
namespace {

Error profile_error(std::string_view source, const std::string& what) {
  return make_error(ErrorCode::invalid_argument, "device profile " + std::string(source) + ": " + what);
}

}  // namespace

Result<DeviceProfile> DeviceProfile::parse(std::string_view json_text, std::string_view source) {
  const auto doc = nlohmann::json::parse(json_text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object()) return profile_error(source, "not a JSON object");
  DeviceProfile profile;
  try {
    profile.name = doc.at("name").get<std::string>();
    profile.description = doc.value("description", "");
    const auto& device = doc.at("device");
    profile.device.manufacturer = device.at("manufacturer").get<std::string>();
    profile.device.model = device.at("model").get<std::string>();
    profile.device.device_type = device.at("device_type").get<std::string>();
    profile.device.serial_number = device.at("serial_number").get<std::string>();
    profile.device.mac_address = device.at("mac_address").get<std::string>();
    profile.device.hardware_version = device.value("hardware_version", "1.0");
    profile.device.firmware_version = firmware_version;

    const auto& caps = doc.at("capabilities");
    profile.capabilities.alarm_inputs = caps.value("alarm_inputs", 0);
    profile.capabilities.alarm_outputs = caps.value("alarm_outputs", 0);
    profile.capabilities.rs485_ports = caps.value("rs485_ports", 0);
    profile.capabilities.rs232_ports = caps.value("rs232_ports", 0);
    profile.capabilities.audio = caps.value("audio", false);
    profile.capabilities.ptz = caps.value("ptz", false);
    profile.capabilities.license_plate_recognition = caps.value("license_plate_recognition", false);
    profile.capabilities.memory_card = caps.value("memory_card", false);
    profile.capabilities.max_rtsp_sessions = caps.value("max_rtsp_sessions", 20);
    profile.capabilities.log_capacity = caps.value("log_capacity", 10000);

    std::set<int> stream_ids;
    for (const auto& channel_doc : doc.at("channels")) {
      ChannelProfile channel;
      channel.id = channel_doc.at("id").get<int>();
      channel.name = channel_doc.at("name").get<std::string>();
      channel.kind = channel_doc.value("kind", "fixed");
      const auto& sensor = channel_doc.at("sensor");
      channel.sensor.width = sensor.at("width").get<int>();
      channel.sensor.height = sensor.at("height").get<int>();
      channel.sensor.frame_rate = {sensor.at("frame_rate").get<int>(), 1};
      if (channel.id < 1 || channel.id > 99) return profile_error(source, "channel id must be 1..99");
      if (channel.sensor.width <= 0 || channel.sensor.height <= 0 || channel.sensor.width % 2 ||
          channel.sensor.height % 2 || channel.sensor.frame_rate.num <= 0)
        return profile_error(source, "channel " + std::to_string(channel.id) + " has an invalid sensor format");
      bool has_main = false;
      for (const auto& stream_doc : channel_doc.at("streams")) {
        StreamProfile stream;
        stream.id = stream_doc.at("id").get<int>();
        stream.channel = channel.id;
        stream.role = stream_doc.at("role").get<std::string>();
        stream.name = stream_doc.at("name").get<std::string>();
        if (stream.id / 100 != channel.id)
          return profile_error(source, "stream " + std::to_string(stream.id) + " does not belong to channel " +
                                           std::to_string(channel.id) + " (ids are channel * 100 + index)");
        if (stream.role != "main" && stream.role != "sub" && stream.role != "third" &&
            stream.role != "custom")
          return profile_error(source, "stream " + std::to_string(stream.id) + " has unknown role " + stream.role);
        if (!stream_ids.insert(stream.id).second)
          return profile_error(source, "stream id " + std::to_string(stream.id) + " appears twice");
        has_main = has_main || stream.role == "main";
        channel.streams.push_back(std::move(stream));
      }
      if (!has_main) return profile_error(source, "channel " + std::to_string(channel.id) + " has no main stream");
      profile.channels.push_back(std::move(channel));
    }
    if (profile.channels.empty()) return profile_error(source, "no channels");
    profile.parameters = doc.value("parameters", nlohmann::json::object());
    if (!profile.parameters.is_object()) return profile_error(source, "\"parameters\" must be an object");
  } catch (const nlohmann::json::exception& e) {
    return profile_error(source, e.what());
  }
  return profile;
}

Result<DeviceProfile> DeviceProfile::builtin(std::string_view name) {
  const auto file = std::string(name) + ".json";
  const auto text = profiles::embedded_file(file);
  if (text.empty()) {
    std::string known;
    for (const auto& candidate : builtin_names()) known += (known.empty() ? "" : ", ") + candidate;
    return make_error(ErrorCode::not_found,
                      "unknown device profile '" + std::string(name) + "' (known: " + known + ")");
  }
  return parse(text, file);
}

std::vector<std::string> DeviceProfile::builtin_names() {
  std::vector<std::string> names;
  for (auto file : profiles::embedded_file_names()) {
    file.remove_suffix(std::string_view(".json").size());
    names.emplace_back(file);
  }
  std::sort(names.begin(), names.end());
  return names;
}

const StreamProfile* DeviceProfile::find_stream(int stream_id) const {
  for (const auto& channel : channels)
    for (const auto& stream : channel.streams)
      if (stream.id == stream_id) return &stream;
  return nullptr;
}

const ChannelProfile* DeviceProfile::find_channel(int channel_id) const {
  for (const auto& channel : channels)
    if (channel.id == channel_id) return &channel;
  return nullptr;
}

std::vector<StreamProfile> DeviceProfile::streams() const {
  std::vector<StreamProfile> all;
  for (const auto& channel : channels) all.insert(all.end(), channel.streams.begin(), channel.streams.end());
  return all;
}

}  // namespace camrig::core
