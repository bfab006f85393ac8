// The events subsystem as the camera composes it: the event engine (sources, schedules, linkage,
// alarm outputs) and the surveillance-center consumers (alertStream clients, HTTP hosts), set up
// for a device profile and the hardware's inputs and relays, with their settings stored in the
// config service and loaded at start.
#pragma once

#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "device/core/config_service.hpp"
#include "device/core/device_profile.hpp"
#include "device/core/event_bus.hpp"
#include "device/events/alert_stream.hpp"
#include "device/events/event_engine.hpp"
#include "device/events/http_hosts.hpp"

namespace camrig::events {

class EventService {
 public:
  //! Everything given must outlive the service. `identity` names the device in alerts.
  EventService(hal::Clock& clock, core::EventBus& bus, core::ConfigService& config,
               const core::DeviceProfile& profile, hal::DigitalInputs* inputs, hal::RelayOutputs* relays,
               std::function<DeviceIdentity()> identity);
  ~EventService();
  EventService(const EventService&) = delete;
  EventService& operator=(const EventService&) = delete;

  void start();
  //! Closes alert streams, stops HTTP host workers and the engine's listeners. Idempotent.
  void stop();

  //! Validate, apply and store; what the APIs call to change settings.
  Result<void> configure_source(const std::string& id, SourceSettings settings);
  Result<void> configure_output(int id, AlarmOutputSettings settings);
  Result<void> configure_http_hosts(std::vector<HttpHostSettings> hosts);

  EventEngine& engine() { return engine_; }
  AlertStreams& alert_streams() { return alert_streams_; }
  HttpHosts& http_hosts() { return http_hosts_; }

 private:
  void load();

  core::ConfigService& config_;
  std::size_t max_periods_;
  std::mutex settings_mutex_;  // a change and its storing are one step
  EventEngine engine_;
  AlertStreams alert_streams_;
  HttpHosts http_hosts_;
};

//! The LPR camera allows 6 periods per day, the other cameras 8.
std::size_t max_periods_per_day(const core::DeviceProfile& profile);

}  // namespace camrig::events
