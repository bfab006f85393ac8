// A camera running as its own process (`camrig device --hal-link`) for `camrig run`: started on
// its data directory with its output in a log file, stopped politely or killed outright as a
// power cut would, and always reaped. The world and its HAL link stay with the runner.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <string>
#include <vector>

#include "device/core/result.hpp"

namespace camrig::app {

class DeviceProcess {
 public:
  DeviceProcess() = default;
  ~DeviceProcess();
  DeviceProcess(const DeviceProcess&) = delete;
  DeviceProcess& operator=(const DeviceProcess&) = delete;

  //! Runs this very program with `arguments` (e.g. {"device", "--hal-link", ...}), standard output
  //! and error appended to `log_path`. Fails if one is still running or it cannot be started.
  Result<void> start(const std::vector<std::string>& arguments, const std::string& log_path);
  //! True while the process runs (an ended one is reaped here).
  bool running();
  //! SIGKILL: no chance to flush or close anything. Waits until it is gone.
  void kill();
  //! SIGTERM, then SIGKILL after `grace`. Returns the exit code (-signal if killed by one).
  int stop(std::chrono::milliseconds grace);

 private:
  int reap(bool wait);

  pid_t pid_ = -1;
  int exit_code_ = 0;
};

}  // namespace camrig::app
