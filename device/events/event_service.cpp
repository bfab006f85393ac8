#include "device/events/event_service.hpp"

#include "device/core/log.hpp"
#include "device/events/settings_codec.hpp"

namespace camrig::events {

std::size_t max_periods_per_day(const core::DeviceProfile& profile) { return profile.name == "lpr-camera" ? 6 : 8; }

namespace {

EventEngineOptions engine_options(const core::DeviceProfile& profile) {
  EventEngineOptions options;
  options.max_periods_per_day = max_periods_per_day(profile);
  options.video_channels = static_cast<int>(profile.channels.size());
  return options;
}

AlertStreamOptions alert_stream_options(const core::ConfigService& config, std::function<DeviceIdentity()> identity) {
  AlertStreamOptions options;
  options.heartbeat_interval = [&config] {
    return std::chrono::seconds(config.get_int("events.alert_stream.heartbeat_interval"));
  };
  options.identity = std::move(identity);
  return options;
}

HttpHostsOptions http_hosts_options(std::function<DeviceIdentity()> identity) {
  HttpHostsOptions options;
  options.identity = std::move(identity);
  return options;
}

}  // namespace

EventService::EventService(hal::Clock& clock, core::EventBus& bus, core::ConfigService& config,
                           const core::DeviceProfile& profile, hal::DigitalInputs* inputs, hal::RelayOutputs* relays,
                           std::function<DeviceIdentity()> identity)
    : config_(config),
      max_periods_(max_periods_per_day(profile)),
      engine_(clock, bus, inputs, relays, engine_options(profile)),
      alert_streams_(clock, bus, alert_stream_options(config, identity)),
      http_hosts_(clock, bus, http_hosts_options(identity)) {
  load();
}

// Stored settings that no longer validate (another profile, an older firmware) are skipped with a
// warning: the device starts with its defaults for them rather than not at all.
void EventService::load() {
  auto logger = log::get("events");
  auto sources = decode_sources(config_.get_string(k_sources_key), max_periods_);
  if (!sources) logger->warn("{}", sources.error().message);
  else
    for (auto& [id, settings] : *sources)
      if (auto applied = engine_.configure(id, std::move(settings)); !applied)
        logger->warn("stored settings of {} ignored: {}", id, applied.error().message);
  auto outputs = decode_outputs(config_.get_string(k_alarm_outputs_key));
  if (!outputs) logger->warn("{}", outputs.error().message);
  else
    for (auto& [id, settings] : *outputs)
      if (auto applied = engine_.outputs().configure(id, std::move(settings)); !applied)
        logger->warn("stored settings of alarm output {} ignored: {}", id, applied.error().message);
  auto hosts = decode_hosts(config_.get_string(k_http_hosts_key));
  if (!hosts) logger->warn("{}", hosts.error().message);
  else if (auto applied = http_hosts_.configure(std::move(*hosts)); !applied)
    logger->warn("stored HTTP hosts ignored: {}", applied.error().message);
}

Result<void> EventService::configure_source(const std::string& id, SourceSettings settings) {
  std::lock_guard lock(settings_mutex_);
  if (auto applied = engine_.configure(id, std::move(settings)); !applied) return applied;
  std::map<std::string, SourceSettings> all;
  for (const auto& source : engine_.source_ids()) all.emplace(source, *engine_.settings(source));
  return config_.set(k_sources_key, encode_sources(all));
}

Result<void> EventService::configure_output(int id, AlarmOutputSettings settings) {
  std::lock_guard lock(settings_mutex_);
  if (auto applied = engine_.outputs().configure(id, std::move(settings)); !applied) return applied;
  std::map<int, AlarmOutputSettings> all;
  for (int output = 1; output <= engine_.outputs().count(); ++output) all.emplace(output, *engine_.outputs().settings(output));
  return config_.set(k_alarm_outputs_key, encode_outputs(all));
}

Result<void> EventService::configure_http_hosts(std::vector<HttpHostSettings> hosts) {
  std::lock_guard lock(settings_mutex_);
  if (auto applied = http_hosts_.configure(std::move(hosts)); !applied) return applied;
  return config_.set(k_http_hosts_key, encode_hosts(http_hosts_.settings()));
}

EventService::~EventService() { stop(); }

void EventService::start() { engine_.start(); }

void EventService::stop() {
  alert_streams_.stop();
  http_hosts_.stop();
  engine_.stop();
}

}  // namespace camrig::events
