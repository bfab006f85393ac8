// A simulated serial terminal (RS-485/RS-232) with its peer: the device end is a
// hal::SerialPort, the peer end stands for the computer, keyboard or PTZ decoder on the other
// side of the cable, which a test or the world reads and writes. Bytes pass only while both ends
// use the same line settings; otherwise they are lost as framing errors, as on a real line.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <span>
#include <vector>

#include "device/hal/serial_port.hpp"

namespace camrig::sim {

class VirtualSerialPort final : public hal::SerialPort {
 public:
  //! The peer starts at the HAL's default settings (9600 8N1, no flow control), as does the port.
  VirtualSerialPort() = default;

  // hal::SerialPort, the device's end. Reads wait in wall time: the peer is driven from outside
  // the device (a test thread or a bench program), not by device time.
  Result<void> configure(const hal::SerialSettings& settings) override;
  Result<std::size_t> write(std::span<const std::uint8_t> bytes) override;
  Result<std::size_t> read(std::span<std::uint8_t> buffer, std::chrono::milliseconds timeout) override;

  //! The settings the device configured last; nullopt before its first configure().
  std::optional<hal::SerialSettings> device_settings() const;
  //! How many times the device configured the port.
  int configure_count() const;
  //! Waits (wall time) until the device has configured the port `count` times; false on timeout.
  bool wait_configured(int count, std::chrono::milliseconds timeout);

  // The peer's end.
  void peer_configure(const hal::SerialSettings& settings);
  void peer_write(std::span<const std::uint8_t> bytes);
  //! Waits up to `timeout` for at least one byte from the device, then returns what has arrived.
  std::vector<std::uint8_t> peer_read(std::chrono::milliseconds timeout);
  //! Bytes lost because the two ends' settings differed.
  std::size_t framing_errors() const;

 private:
  bool matched() const;  // with mutex_ held

  mutable std::mutex mutex_;
  std::condition_variable arrived_;
  hal::SerialSettings device_{};
  hal::SerialSettings peer_{};
  bool device_configured_ = false;
  int configure_count_ = 0;
  std::deque<std::uint8_t> to_device_;
  std::deque<std::uint8_t> to_peer_;
  std::size_t framing_errors_ = 0;
};

}  // namespace camrig::sim
