// RS-485 / RS-232 terminals (PTZ control, transparent channel, Wiegand adapters on serial).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <span>

#include "device/core/result.hpp"

namespace camrig::hal {

struct SerialSettings {
  enum class Parity { none, odd, even };
  enum class FlowControl { none, software, hardware };
  int baud_rate = 9600;
  int data_bits = 8;
  int stop_bits = 1;
  Parity parity = Parity::none;
  FlowControl flow_control = FlowControl::none;
};

class SerialPort {
 public:
  virtual ~SerialPort() = default;
  virtual Result<void> configure(const SerialSettings& settings) = 0;
  virtual Result<std::size_t> write(std::span<const std::uint8_t> bytes) = 0;
  //! Reads what arrives within `timeout` (possibly nothing).
  virtual Result<std::size_t> read(std::span<std::uint8_t> buffer, std::chrono::milliseconds timeout) = 0;
};

}  // namespace camrig::hal
