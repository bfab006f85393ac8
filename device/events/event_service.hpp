// The events subsystem as the camera composes it: the event engine (sources, schedules, linkage,
// alarm outputs), the surveillance-center consumers (alertStream clients, HTTP hosts) and the
// email linkage, set up for a device profile and the hardware's inputs and relays, with their
// settings stored in the config service, loaded at start and reloaded when the stored form changes
// behind them (Restore, Default, configuration import).
#pragma once

#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "device/core/config_service.hpp"
#include "device/core/device_profile.hpp"
#include "device/core/event_bus.hpp"
#include "device/events/alert_stream.hpp"
#include "device/events/email_notifier.hpp"
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

  //! Starts the engine's listeners and the watch of the stored settings.
  void start();
  //! Closes alert streams, stops HTTP host workers, the email worker and the engine's listeners.
  //! Idempotent.
  void stop();

  //! Validate, apply and store; what the APIs call to change settings.
  Result<void> configure_source(const std::string& id, SourceSettings settings);
  Result<void> configure_output(int id, AlarmOutputSettings settings);
  Result<void> configure_http_hosts(std::vector<HttpHostSettings> hosts);

  EventEngine& engine() { return engine_; }
  AlertStreams& alert_streams() { return alert_streams_; }
  HttpHosts& http_hosts() { return http_hosts_; }
  EmailNotifier& email() { return email_; }
  //! Where event pictures come from (the channels exist after the service); emails attach them.
  void set_picture_provider(PictureProvider provider);

 private:
  //! Applies the stored settings that differ from what was last applied; a setting the stored
  //! form leaves out gets its default.
  void load();
  void watch_config(std::stop_token stop);
  std::optional<AlertPicture> alert_picture(const Event& event);
  //! Stores the setting's text under settings_mutex_.
  Result<void> store(const char* key, std::string text);

  core::ConfigService& config_;
  std::size_t max_periods_;
  std::mutex settings_mutex_;  // a change and its storing are one step
  EventEngine engine_;
  AlertStreams alert_streams_;
  HttpHosts http_hosts_;
  EmailNotifier email_;
  std::map<std::string, SourceSettings> default_sources_;
  std::map<int, AlarmOutputSettings> default_outputs_;
  std::map<std::string, std::string> applied_;  // stored text of each key, as last applied or stored
  std::shared_ptr<core::Mailbox<core::ConfigChanged>> config_changes_;
  std::jthread config_watcher_;
  std::mutex pictures_mutex_;
  PictureProvider pictures_;
  std::deque<std::pair<std::uint64_t, AlertPicture>> recent_pictures_;  // by event sequence
};

//! The LPR camera allows 6 periods per day, the other cameras 8.
std::size_t max_periods_per_day(const core::DeviceProfile& profile);

}  // namespace camrig::events
