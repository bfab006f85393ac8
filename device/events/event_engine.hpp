// The event engine: receives events from their sources (alarm inputs with NO/NC handling,
// exceptions reported by other subsystems, video detectors), applies each source's enable, event
// interval and arming schedule, records every event, and runs the linkage of armed ones: alarm
// outputs, notification of the surveillance center (CenterNotification on the event bus), flashing
// light and audible warning, and the email/upload/record hooks that their services install.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "device/core/event_bus.hpp"
#include "device/core/result.hpp"
#include "device/events/alarm_outputs.hpp"
#include "device/events/arming_schedule.hpp"
#include "device/events/event.hpp"
#include "device/hal/clock.hpp"
#include "device/hal/digital_inputs.hpp"
#include "device/hal/relay_outputs.hpp"

namespace camrig::events {

//! Linkage Method (network camera 8.2): what an armed event triggers.
struct Linkage {
  bool notify_center = false;
  std::vector<int> alarm_outputs;  //!< 1-based output ids
  bool flashing_light = false;
  bool audible_warning = false;
  bool send_email = false;
  bool upload = false;  //!< FTP/NAS/memory card uploading
  bool record = false;  //!< trigger recording
};

//! Alarm Type of an alarm input. NO: the alarm is active while the contact is closed; NC: while
//! it is open.
enum class SensorType { normally_open, normally_closed };

struct SourceSettings {
  bool enabled = true;
  std::string name;
  SensorType sensor = SensorType::normally_open;  //!< alarm inputs only
  ArmingSchedule schedule = ArmingSchedule::always();
  Linkage linkage;
  //! LPR camera "Event Interval" (1–100 s; 0 = none): one alarm recorded within the interval.
  std::chrono::seconds event_interval{0};
  //! LPR camera exceptions "Post-alarm": outputs stay on this long after the exception ends.
  std::chrono::seconds post_alarm{0};
};

//! Linkage methods served by other subsystems through a hook; without one they are only logged.
enum class LinkageHook { send_email, upload, record, flashing_light, audible_warning };

struct EventEngineOptions {
  //! 8 on the network camera, 6 on the LPR camera.
  std::size_t max_periods_per_day = 8;
  int video_channels = 1;
  std::size_t history_capacity = 1024;
};

class EventEngine {
 public:
  //! `inputs` and `relays` may be null (a camera without them). Everything given must outlive
  //! the engine.
  EventEngine(hal::Clock& clock, core::EventBus& bus, hal::DigitalInputs* inputs, hal::RelayOutputs* relays,
              EventEngineOptions options = {});
  ~EventEngine();
  EventEngine(const EventEngine&) = delete;
  EventEngine& operator=(const EventEngine&) = delete;

  //! Listens to the alarm inputs and to ExceptionReports on the bus.
  void start();
  //! Stops listening; idempotent, the destructor calls it.
  void stop();

  //! An event from a source, from any thread. Never blocks on consumers. Device and wall time
  //! are filled in from the clock when left at zero.
  void submit(Event event);
  //! The API form of an ExceptionReport. Illegal login and security exceptions are pulses.
  void report_exception(EventKind kind, std::string description, bool active = true);

  //! Every source id the device has: "IO-1".., "VMD-1", "linedetection-1", .., "diskfull", ..
  std::vector<std::string> source_ids() const;
  Result<SourceSettings> settings(const std::string& source) const;
  //! Validates (event interval, post-alarm time, output ids) and applies at once.
  Result<void> configure(const std::string& source, SourceSettings settings);
  //! Validates a schedule against this device's periods-per-day limit.
  Result<ArmingSchedule> make_schedule(std::array<std::vector<TimePeriod>, 7> days) const;

  AlarmOutputs& outputs() { return outputs_; }
  int alarm_input_count() const;

  //! Installs the service behind a linkage method; hooks run on the engine's caller thread and
  //! must not block.
  void set_hook(LinkageHook method, std::function<void(const Event&)> hook);

  //! The most recent recorded events, oldest first.
  std::vector<Event> history() const;

 private:
  struct SourceState {
    int posts = 0;
    bool active = false;       // an occurrence with state active has begun and not ended
    bool suppressed = false;   // the current occurrence fell in the event interval
    bool linked = false;       // the current occurrence ran its linkage
    std::vector<int> held_outputs;
    std::optional<hal::Nanos> last_start;
  };
  struct Source {
    SourceSettings settings;
    SourceState state;
  };

  void on_edge(int index, bool closed, hal::Nanos at);
  void run_linkage(const std::string& id, Source& source, const Event& event, bool starts);
  void call_hook(LinkageHook method, const Event& event);

  hal::Clock& clock_;
  core::EventBus& bus_;
  hal::DigitalInputs* inputs_;
  EventEngineOptions options_;
  AlarmOutputs outputs_;

  mutable std::mutex mutex_;
  std::map<std::string, Source> sources_;
  std::map<LinkageHook, std::function<void(const Event&)>> hooks_;
  std::vector<Event> history_;  // ring of history_capacity
  std::size_t history_next_ = 0;
  std::uint64_t sequence_ = 0;

  std::jthread exception_listener_;
  bool started_ = false;
};

}  // namespace camrig::events
