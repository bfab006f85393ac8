// `camrig device`: one virtual camera on localhost, fed by the simulated world, until Ctrl-C
// (or --duration of device time).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <CLI/CLI.hpp>

namespace camrig::app {

struct DeviceCommandOptions {
  std::string profile = "network-camera";
  std::optional<int> rtsp_port;
  std::optional<int> http_port;
  std::optional<int> https_port;
  bool realtime = false;  //!< the default; the flag exists to say so explicitly
  bool lockstep = false;
  std::optional<std::uint64_t> seed;  //!< unset: the scene's own
  std::string scene;                   //!< built-in name or file; empty: the profile's scene
  std::string ground_truth_path;       //!< empty: none
  std::string data_directory;
  std::string start_time;  //!< ISO 8601 UTC; empty = now
  double duration_seconds = 0;  //!< 0 = until a signal
  std::string bind_address = "0.0.0.0";
  std::string admin_password;
  bool discovery = false;  //!< ONVIF WS-Discovery: off unless asked, a bench of cameras stays quiet
  std::string discovery_interface = "0.0.0.0";
  int discovery_port = 3702;
  //! Non-empty: the camera's hardware is a world in another process, served on this Unix socket
  //! (`camrig run` with `device: {process: separate}`); no scene of its own then.
  std::string hal_link;
};

void add_device_command(CLI::App& app, DeviceCommandOptions& options);
int run_device_command(const DeviceCommandOptions& options);

}  // namespace camrig::app
