// Alarm output relays (NO1/NO2, barrier open/close ports): the device drives contacts here.
#pragma once

#include "device/core/result.hpp"

namespace camrig::hal {

class RelayOutputs {
 public:
  virtual ~RelayOutputs() = default;
  virtual int count() const = 0;
  //! Closes (true) or opens (false) relay `index` (0-based).
  virtual Result<void> set(int index, bool closed) = 0;
  virtual bool closed(int index) const = 0;
};

}  // namespace camrig::hal
