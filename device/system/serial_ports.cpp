#include "device/system/serial_ports.hpp"

#include <charconv>
#include <set>

#include "device/core/log.hpp"

namespace camrig::system {

std::vector<SerialPortDescription> serial_ports_of(const core::DeviceProfile& profile) {
  std::vector<SerialPortDescription> ports;
  // The schema declares port 1 (RS-485) and port 2 (RS-232): a profile with more terminals needs
  // more keys first.
  if (profile.capabilities.rs485_ports > 0) ports.push_back({1, "RS485"});
  if (profile.capabilities.rs232_ports > 0) ports.push_back({2, "RS232"});
  return ports;
}

std::string serial_key(int id, std::string_view field) {
  return "serial." + std::to_string(id) + "." + std::string(field);
}

int serial_port_of_key(std::string_view key) {
  constexpr std::string_view prefix = "serial.";
  if (!key.starts_with(prefix)) return 0;
  key.remove_prefix(prefix.size());
  int id = 0;
  const auto [end, error] = std::from_chars(key.data(), key.data() + key.size(), id);
  if (error != std::errc{} || end == key.data() || end == key.data() + key.size() || *end != '.') return 0;
  return id;
}

std::string_view to_string(hal::SerialSettings::Parity parity) {
  switch (parity) {
    case hal::SerialSettings::Parity::none: return "none";
    case hal::SerialSettings::Parity::odd: return "odd";
    case hal::SerialSettings::Parity::even: return "even";
  }
  return "none";
}

std::string_view to_string(hal::SerialSettings::FlowControl flow_control) {
  switch (flow_control) {
    case hal::SerialSettings::FlowControl::none: return "none";
    case hal::SerialSettings::FlowControl::software: return "software";
    case hal::SerialSettings::FlowControl::hardware: return "hardware";
  }
  return "none";
}

hal::SerialSettings serial_settings_from_config(const core::ConfigService& config, int id) {
  hal::SerialSettings settings;
  // The schema's enum holds only whole baud rates, so the text always parses.
  settings.baud_rate = std::stoi(config.get_string(serial_key(id, "baud_rate")));
  settings.data_bits = static_cast<int>(config.get_int(serial_key(id, "data_bits")));
  settings.stop_bits = static_cast<int>(config.get_int(serial_key(id, "stop_bits")));
  const auto parity = config.get_string(serial_key(id, "parity"));
  settings.parity = parity == "odd"    ? hal::SerialSettings::Parity::odd
                    : parity == "even" ? hal::SerialSettings::Parity::even
                                       : hal::SerialSettings::Parity::none;
  const auto flow = config.get_string(serial_key(id, "flow_control"));
  settings.flow_control = flow == "software"   ? hal::SerialSettings::FlowControl::software
                          : flow == "hardware" ? hal::SerialSettings::FlowControl::hardware
                                               : hal::SerialSettings::FlowControl::none;
  return settings;
}

SerialPorts::SerialPorts(const core::DeviceProfile& profile, const core::ConfigService& config,
                         std::map<int, hal::SerialPort*> hardware)
    : ports_(serial_ports_of(profile)), config_(config), hardware_(std::move(hardware)) {}

Result<void> SerialPorts::apply(int id) {
  const auto it = hardware_.find(id);
  if (it == hardware_.end() || !it->second) return {};
  const auto settings = serial_settings_from_config(config_, id);
  if (auto configured = it->second->configure(settings); !configured)
    return make_error(configured.error().code, "serial port " + std::to_string(id) + ": " + configured.error().message);
  log::get("serial")->info("serial port {}: {} bps, {} data bits, {} stop bit(s), parity {}, flow control {}", id,
                           settings.baud_rate, settings.data_bits, settings.stop_bits, to_string(settings.parity),
                           to_string(settings.flow_control));
  return {};
}

Result<void> SerialPorts::apply_all() {
  std::lock_guard lock(mutex_);
  Result<void> outcome;
  for (const auto& port : ports_)
    if (auto applied = apply(port.id); !applied && outcome) outcome = applied.error();
  return outcome;
}

Result<void> SerialPorts::apply_changed(const std::vector<std::string>& changed_keys) {
  std::set<int> touched;
  for (const auto& key : changed_keys)
    if (const int id = serial_port_of_key(key)) touched.insert(id);
  std::lock_guard lock(mutex_);
  Result<void> outcome;
  for (const auto& port : ports_)
    if (touched.contains(port.id))
      if (auto applied = apply(port.id); !applied && outcome) outcome = applied.error();
  return outcome;
}

}  // namespace camrig::system
