#include "device/events/event_service.hpp"

#include <algorithm>
#include <optional>

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

AlertStreamOptions alert_stream_options(const core::ConfigService& config, std::function<DeviceIdentity()> identity,
                                        std::function<std::optional<AlertPicture>(const Event&)> picture) {
  AlertStreamOptions options;
  options.picture = std::move(picture);
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

EmailNotifierOptions email_options(std::function<DeviceIdentity()> identity) {
  EmailNotifierOptions options;
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
      alert_streams_(clock, bus,
                     alert_stream_options(config, identity, [this](const Event& event) { return alert_picture(event); })),
      http_hosts_(clock, bus, http_hosts_options(identity)),
      email_(clock, [&config] { return email_settings_from_config(config); }, email_options(identity)) {
  for (const auto& id : engine_.source_ids()) default_sources_.emplace(id, *engine_.settings(id));
  for (int output = 1; output <= engine_.outputs().count(); ++output)
    default_outputs_.emplace(output, *engine_.outputs().settings(output));
  engine_.set_hook(LinkageHook::send_email, [this](const Event& event) { email_.notify(event); });
  // Subscribed before loading, so a change stored while loading is not missed.
  config_changes_ = bus.subscribe<core::ConfigChanged>(64);
  std::lock_guard lock(settings_mutex_);
  load();
}

void EventService::set_picture_provider(PictureProvider provider) {
  email_.set_picture_provider(provider);
  std::lock_guard lock(pictures_mutex_);
  pictures_ = std::move(provider);
}

// "Upload picture" in the linkage: the alert carries a picture of the event's channel. Every
// alertStream client asks; the picture is taken once per event and shared.
std::optional<AlertPicture> EventService::alert_picture(const Event& event) {
  if (event.channel <= 0) return std::nullopt;
  const auto settings = engine_.settings(source_id(event));
  if (!settings || !settings->linkage.upload) return std::nullopt;
  std::lock_guard lock(pictures_mutex_);
  for (const auto& [sequence, picture] : recent_pictures_)
    if (sequence == event.sequence) return picture;
  if (!pictures_) return std::nullopt;
  auto jpeg = pictures_(event.channel);
  if (!jpeg) {
    log::get("events")->warn("{}: alert picture not taken: {}", source_id(event), jpeg.error().message);
    return std::nullopt;
  }
  AlertPicture picture{"alarm-picture-" + std::to_string(event.sequence) + "@camrig", std::move(*jpeg)};
  recent_pictures_.emplace_back(event.sequence, picture);
  if (recent_pictures_.size() > 8) recent_pictures_.pop_front();
  return picture;
}

// Stored settings that no longer validate (another profile, an older firmware) are skipped with a
// warning: the device starts with its defaults for them rather than not at all.
void EventService::load() {
  auto logger = log::get("events");
  // The stored text of `key` when it differs from what is applied; nullopt when it does not.
  auto changed = [this](const char* key) -> std::optional<std::string> {
    auto text = config_.get_string(key);
    if (auto it = applied_.find(key); it != applied_.end() && it->second == text) return std::nullopt;
    applied_[key] = text;
    return text;
  };
  if (auto text = changed(k_sources_key)) {
    auto sources = decode_sources(*text, max_periods_);
    if (!sources) logger->warn("{}", sources.error().message);
    else
      for (const auto& [id, fallback] : default_sources_) {
        auto it = sources->find(id);
        if (it == sources->end()) {
          (void)engine_.configure(id, fallback);
        } else if (auto applied = engine_.configure(id, std::move(it->second)); !applied) {
          logger->warn("stored settings of {} ignored: {}", id, applied.error().message);
          (void)engine_.configure(id, fallback);
        }
      }
  }
  if (auto text = changed(k_alarm_outputs_key)) {
    auto outputs = decode_outputs(*text);
    if (!outputs) logger->warn("{}", outputs.error().message);
    else
      for (const auto& [id, fallback] : default_outputs_) {
        auto it = outputs->find(id);
        if (it == outputs->end()) {
          (void)engine_.outputs().configure(id, fallback);
        } else if (auto applied = engine_.outputs().configure(id, std::move(it->second)); !applied) {
          logger->warn("stored settings of alarm output {} ignored: {}", id, applied.error().message);
          (void)engine_.outputs().configure(id, fallback);
        }
      }
  }
  if (auto text = changed(k_http_hosts_key)) {
    auto hosts = decode_hosts(*text);
    if (!hosts) {
      logger->warn("{}", hosts.error().message);
    } else {
      // Every host id is given, so a host the stored form leaves out is cleared.
      std::vector<HttpHostSettings> all;
      for (int id = 1; id <= k_max_http_hosts; ++id) {
        auto it = std::find_if(hosts->begin(), hosts->end(), [id](const HttpHostSettings& host) { return host.id == id; });
        HttpHostSettings host;
        host.id = id;
        all.push_back(it == hosts->end() ? host : *it);
      }
      if (auto applied = http_hosts_.configure(std::move(all)); !applied)
        logger->warn("stored HTTP hosts ignored: {}", applied.error().message);
    }
  }
}

void EventService::watch_config(std::stop_token stop) {
  while (auto change = config_changes_->pop(stop)) {
    if (std::none_of(change->keys.begin(), change->keys.end(), [](const std::string& key) { return key.starts_with("events."); }))
      continue;
    std::lock_guard lock(settings_mutex_);
    load();
  }
}

Result<void> EventService::configure_source(const std::string& id, SourceSettings settings) {
  std::lock_guard lock(settings_mutex_);
  if (auto applied = engine_.configure(id, std::move(settings)); !applied) return applied;
  std::map<std::string, SourceSettings> all;
  for (const auto& source : engine_.source_ids()) all.emplace(source, *engine_.settings(source));
  return store(k_sources_key, encode_sources(all));
}

Result<void> EventService::configure_output(int id, AlarmOutputSettings settings) {
  std::lock_guard lock(settings_mutex_);
  if (auto applied = engine_.outputs().configure(id, std::move(settings)); !applied) return applied;
  std::map<int, AlarmOutputSettings> all;
  for (int output = 1; output <= engine_.outputs().count(); ++output) all.emplace(output, *engine_.outputs().settings(output));
  return store(k_alarm_outputs_key, encode_outputs(all));
}

Result<void> EventService::configure_http_hosts(std::vector<HttpHostSettings> hosts) {
  std::lock_guard lock(settings_mutex_);
  if (auto applied = http_hosts_.configure(std::move(hosts)); !applied) return applied;
  return store(k_http_hosts_key, encode_hosts(http_hosts_.settings()));
}

// What is stored is what is applied: the change notice this causes reloads nothing.
Result<void> EventService::store(const char* key, std::string text) {
  if (auto stored = config_.set(key, text); !stored) return stored;
  applied_[key] = std::move(text);
  return {};
}

EventService::~EventService() { stop(); }

void EventService::start() {
  engine_.start();
  if (!config_watcher_.joinable())
    config_watcher_ = std::jthread([this](std::stop_token stop) { watch_config(stop); });
}

void EventService::stop() {
  config_watcher_.request_stop();
  config_changes_->close();
  if (config_watcher_.joinable()) config_watcher_.join();
  alert_streams_.stop();
  http_hosts_.stop();
  email_.stop();
  engine_.stop();
}

}  // namespace camrig::events
