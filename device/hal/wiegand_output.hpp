// The Wiegand port of the LPR camera (rear panel "Wiegand Port"): the device sends one frame of
// bits to an access controller, as a card reader would. How a plate becomes bits is the
// firmware's (device/traffic/wiegand_frame.*); the backend only clocks the bits out on D0/D1.
#pragma once

#include <cstdint>
#include <vector>

#include "device/core/result.hpp"

namespace camrig::hal {

//! One Wiegand frame, first bit sent first (the leading parity bit of a 26-bit frame is bits[0]).
struct WiegandFrame {
  std::vector<bool> bits;
};

class WiegandOutput {
 public:
  virtual ~WiegandOutput() = default;
  //! Sends one frame; a backend that cannot drive its lines says why.
  virtual Result<void> send(const WiegandFrame& frame) = 0;
};

}  // namespace camrig::hal
