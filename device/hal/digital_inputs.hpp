// Alarm input terminals (IN1, IN2, loop detectors wired to inputs): electrical levels and edges.
// Normally-open/normally-closed interpretation belongs to the events subsystem, not here.
#pragma once

#include <functional>

#include "device/hal/clock.hpp"

namespace camrig::hal {

class DigitalInputs {
 public:
  //! Called for every level change with the input index (0-based), the new level
  //! (true = contact closed) and the edge time on the device clock, from the backend's thread.
  using EdgeHandler = std::function<void(int index, bool closed, Nanos at)>;

  virtual ~DigitalInputs() = default;
  virtual int count() const = 0;
  virtual bool closed(int index) const = 0;
  //! Replaces the edge handler; an empty handler stops notifications.
  virtual void on_edge(EdgeHandler handler) = 0;
};

}  // namespace camrig::hal
