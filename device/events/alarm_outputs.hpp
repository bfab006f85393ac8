// Alarm outputs (network camera 8.2.1, LPR camera NO1/NO2): name and Delay of each output, and the
// relay state that linkage and the manual alarm drive. A relay closes when an alarm starts and
// opens Delay (plus any post-alarm time) after the last alarm holding it has ended; "manual" keeps
// it closed until the alarm is cleared.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "device/core/result.hpp"
#include "device/hal/clock.hpp"
#include "device/hal/relay_outputs.hpp"

namespace camrig::events {

struct AlarmOutputSettings {
  std::string name;
  //! How long the output stays on after the alarm; nullopt is the manual's "Manual".
  std::optional<std::chrono::seconds> delay = std::chrono::seconds(5);
};

//! The Delay values of the manual: 5 s, 10 s, 30 s, 1 min, 2 min, 5 min, 10 min (or Manual).
bool valid_output_delay(std::chrono::seconds delay);

class AlarmOutputs {
 public:
  //! `relays` may be null (a camera without outputs: count() is 0). Both must outlive this.
  AlarmOutputs(hal::RelayOutputs* relays, hal::Clock& clock);
  ~AlarmOutputs();
  AlarmOutputs(const AlarmOutputs&) = delete;
  AlarmOutputs& operator=(const AlarmOutputs&) = delete;

  int count() const;
  //! Output ids are 1-based, as the manuals number them.
  Result<AlarmOutputSettings> settings(int id) const;
  Result<void> configure(int id, AlarmOutputSettings settings);

  //! An alarm linked to output `id` starts: the relay closes (at once) and stays closed while any
  //! holder remains. `holder` names the alarm (source id).
  Result<void> hold(int id, const std::string& holder);
  //! That alarm ended: once no holder remains the relay opens after Delay + `post_alarm`.
  Result<void> release(int id, const std::string& holder, std::chrono::seconds post_alarm = {});
  //! Manual Alarm (true) closes the output until Clear Alarm (false).
  Result<void> set_manual(int id, bool on);
  bool active(int id) const;

 private:
  struct Shared;
  std::shared_ptr<Shared> shared_;
};

}  // namespace camrig::events
