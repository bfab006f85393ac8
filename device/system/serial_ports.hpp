// The device's serial ports (RS-485 terminal, network camera 9.14 / PTZ 11.11; the LPR camera's
// RS-232 terminal as port 2): which ports a
// profile has, their `serial.<id>.*` settings as the HAL's line settings, and SerialPorts, which
// applies the stored settings to the hardware at boot and on every change.
#pragma once

#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "device/core/config_service.hpp"
#include "device/core/device_profile.hpp"
#include "device/hal/serial_port.hpp"

namespace camrig::system {

struct SerialPortDescription {
  int id = 0;                 //!< as ISAPI numbers ports, from 1
  std::string type = "RS485";  //!< ISAPI serialPortType
};

//! What a port carries: PTZ control protocol, transparent channel to a client, or the console.
inline constexpr std::string_view k_serial_work_modes[] = {"ptzctrl", "transparent", "console"};

//! The serial ports of a profile; empty when it has none (ISAPI then answers notSupport).
std::vector<SerialPortDescription> serial_ports_of(const core::DeviceProfile& profile);

//! "serial.<id>.<field>".
std::string serial_key(int id, std::string_view field);
//! The port a configuration key belongs to; 0 for a key that is not a serial port's.
int serial_port_of_key(std::string_view key);

//! The stored line settings of port `id` (which must be one of serial_ports_of()).
hal::SerialSettings serial_settings_from_config(const core::ConfigService& config, int id);

std::string_view to_string(hal::SerialSettings::Parity parity);
std::string_view to_string(hal::SerialSettings::FlowControl flow_control);

//! Keeps each port's hardware configured as stored. A port without hardware behind it (a bench
//! rig without the terminal wired) keeps its settings and is applied when it gets some.
class SerialPorts {
 public:
  //! `hardware` by port id; the ports and `config` must outlive this object.
  SerialPorts(const core::DeviceProfile& profile, const core::ConfigService& config, std::map<int, hal::SerialPort*> hardware);

  //! Configures every port with its stored settings; the first failure is returned, the other
  //! ports are configured anyway.
  Result<void> apply_all();
  //! Configures the ports whose settings are among `changed_keys`.
  Result<void> apply_changed(const std::vector<std::string>& changed_keys);

 private:
  Result<void> apply(int id);

  std::vector<SerialPortDescription> ports_;
  const core::ConfigService& config_;
  std::map<int, hal::SerialPort*> hardware_;
  std::mutex mutex_;  // boot and the config watcher
};

}  // namespace camrig::system
