// Alarm input terminals of a simulated camera with sensors wired to them: PIR detectors, door
// contacts, loop-detector outputs. The world (or a test) sets whether each sensor is active; the
// device sees the electrical level that the wiring makes of it and an edge stamped on the device
// clock, exactly as it would from a real terminal block.
#pragma once

#include <mutex>
#include <string>
#include <vector>

#include "device/core/result.hpp"
#include "device/hal/clock.hpp"
#include "device/hal/digital_inputs.hpp"

namespace camrig::sim {

//! What drives an input. Only a label for the world and reports: every kind is a dry contact.
enum class SensorKind { none, pir, door_contact, loop_detector, generic };

//! Normally open: the contact closes while the sensor is active. Normally closed: it opens.
enum class Wiring { normally_open, normally_closed };

struct SensorWiring {
  SensorKind kind = SensorKind::none;
  Wiring wiring = Wiring::normally_open;
  std::string name;  //!< free text for logs and reports, e.g. "loop 1 (entry)"
};

class VirtualInputs final : public hal::DigitalInputs {
 public:
  //! `count` terminals, each with nothing attached (open, normally-open wiring). `clock` must
  //! outlive the inputs. Throws std::invalid_argument for a negative count.
  VirtualInputs(const hal::Clock& clock, int count);

  // hal::DigitalInputs
  int count() const override;
  //! The electrical level: sensor active XOR normally-closed wiring. False for a bad index.
  bool closed(int index) const override;
  void on_edge(EdgeHandler handler) override;

  //! Attaches a sensor (inactive) to terminal `index`, replacing what was there. The level
  //! follows the new wiring at once; if it changes, an edge is delivered.
  Result<void> attach(int index, SensorWiring sensor);
  SensorWiring sensor(int index) const;

  //! The world's side: the sensor on `index` becomes active (motion seen, door open, vehicle over
  //! the loop) or inactive. A change of level is delivered to the handler at once, on the calling
  //! thread, stamped with clock.now(). Setting the same state again does nothing.
  Result<void> set_active(int index, bool active);
  bool active(int index) const;

  //! Number of level changes delivered (or that would have been, with no handler) on `index`.
  int edge_count(int index) const;

 private:
  struct Terminal {
    SensorWiring sensor;
    bool active = false;
    int edges = 0;
  };
  static bool level(const Terminal& terminal) {
    return terminal.active != (terminal.sensor.wiring == Wiring::normally_closed);
  }
  Result<void> check(int index) const;
  // Applies `change` to terminal `index` and delivers an edge if its level changed.
  template <class Change>
  Result<void> update(int index, Change change);

  const hal::Clock& clock_;
  mutable std::mutex mutex_;
  std::vector<Terminal> terminals_;
  EdgeHandler handler_;
};

}  // namespace camrig::sim
