#include "device/traffic/lprapi_service.hpp"

#include <stdexcept>

#include "device/core/log.hpp"

namespace camrig::traffic {
namespace {

// The server rejects the message itself: sending it again would fail again and hold every later
// vehicle behind it. Any other answer (401, 404, 5xx, ...) may heal, so the message waits.
bool refuses_message(unsigned status) { return status == 400 || status == 413 || status == 415 || status == 422; }

std::optional<LprApiCredentials> credentials_of(const LprApiSettings& settings) {
  if (!settings.authentication) return std::nullopt;
  return LprApiCredentials{settings.username, settings.password};
}

}  // namespace

LprApiService::LprApiService(LprApiParts parts, LprApiOptions options)
    : parts_(std::move(parts)), options_(options), queue_(parts_.card) {
  if (!parts_.clock || !parts_.bus || !parts_.config)
    throw std::invalid_argument("LprApiService needs a clock, an event bus and the config service");
  backoff_ = options_.first_retry;
}

LprApiService::~LprApiService() { stop(); }

void LprApiService::start() {
  if (sender_.joinable()) return;
  // Large enough for a burst of vehicles while a card write is slow; each event is on the card
  // within one write after it is taken.
  events_ = parts_.bus->subscribe<events::RecordedEvent>(1024);
  changes_ = parts_.bus->subscribe<core::ConfigChanged>(64);
  intake_ = std::jthread([this](std::stop_token stop) { take_events(stop); });
  watcher_ = std::jthread([this](std::stop_token stop) { watch_settings(stop); });
  sender_ = std::jthread([this](std::stop_token stop) { deliver(stop); });
}

void LprApiService::stop() {
  if (!sender_.joinable()) return;
  // The intake drains what the engine already published: those vehicles reach the card.
  events_->close();
  intake_.join();
  watcher_.request_stop();
  sender_.request_stop();
  changes_->close();
  watcher_.join();
  sender_.join();
}

void LprApiService::Signal::raise() {
  {
    std::lock_guard lock(mutex);
    raised = true;
  }
  changed.notify_all();
}

void LprApiService::settings_changed() {
  {
    std::lock_guard lock(mutex_);
    heartbeat_due_ = parts_.clock->now();
    retry_at_ = heartbeat_due_;
    backoff_ = options_.first_retry;
  }
  signal_->raise();
}

LprApiStats LprApiService::stats() const {
  std::lock_guard lock(mutex_);
  auto stats = stats_;
  stats.queued = queue_.size();
  stats.dropped = queue_.dropped();
  return stats;
}

void LprApiService::take_events(std::stop_token stop) {
  while (auto recorded = events_->pop(stop)) {
    if (recorded->event.kind != events::EventKind::vehicle_detection) continue;
    enqueue(recorded->event);
  }
}

void LprApiService::watch_settings(std::stop_token stop) {
  while (auto change = changes_->pop(stop)) {
    for (const auto& key : change->keys)
      if (key.starts_with("lprapi.")) {
        settings_changed();
        break;
      }
  }
}

void LprApiService::enqueue(const events::Event& event) {
  auto settings = LprApiSettings::from_config(*parts_.config);
  if (!settings.enabled || !vehicle_selected(settings, event)) return;
  const auto device = parts_.device ? parts_.device() : DeviceBasicInfo{};
  if (settings.device_id.empty()) settings.device_id = device.serial_number;
  const auto vehicle = parts_.vehicle ? parts_.vehicle(event) : std::nullopt;
  const bool blocklisted = event.target && event.target->list_verdict == "blocked";
  std::vector<LprApiPicture> pictures;
  for (const auto& ref : event.pictures) {
    const auto type = lprapi_picture_type(ref.kind);
    if (type.empty() || !picture_selected(settings, type, blocklisted)) continue;
    if (ref.jpeg) {
      pictures.push_back({type, *ref.jpeg});
      continue;
    }
    if (!parts_.picture) continue;
    auto jpeg = parts_.picture(ref);
    if (!jpeg) {
      log::get("lprapi")->warn("vehicle '{}': {} picture left out: {}", event.target->plate, type, jpeg.error().message);
      continue;
    }
    pictures.push_back({type, std::move(*jpeg)});
  }
  {
    std::lock_guard lock(mutex_);
    const auto sequence = queue_.next_sequence();
    queue_.push(sequence, vehicle_message(settings, sequence, event, vehicle, device, pictures));
  }
  signal_->raise();
}

void LprApiService::deliver(std::stop_token stop) {
  auto logger = log::get("lprapi");
  auto& clock = *parts_.clock;
  std::optional<LprApiClient> client;
  std::string client_key;  // the settings the client was made with
  std::string bad_server;  // the server address last found unusable, reported once

  while (!stop.stop_requested()) {
    auto settings = LprApiSettings::from_config(*parts_.config);
    hal::Nanos deadline = hal::Nanos::max();
    if (settings.enabled) {
      const auto key = settings.server + '\n' + std::to_string(settings.authentication) + '\n' + settings.username + '\n' +
                       settings.password + '\n' + std::to_string(settings.request_timeout.count());
      if (key != client_key) {
        client.reset();
        client_key = key;
        if (auto server = parse_platform_server(settings.server)) {
          client.emplace(*server, credentials_of(settings), settings.request_timeout);
          bad_server.clear();
        } else if (bad_server != settings.server) {
          bad_server = settings.server;
          std::lock_guard lock(mutex_);
          stats_.last_error = server.error().message;
          logger->error("LPRAPI: {}; nothing is sent until it is corrected", server.error().message);
        }
      }
    }
    if (settings.enabled && client) {
      if (settings.device_id.empty() && parts_.device) settings.device_id = parts_.device().serial_number;
      if (auto next = step(settings, *client, logger)) deadline = *next;
      else continue;  // something was sent: look again at once
    }
    std::unique_lock wait_lock(signal_->mutex);
    if (signal_->raised) {
      signal_->raised = false;
      continue;
    }
    // Device-clock deadlines wake the wait through a timer (a lockstep clock fires it when the
    // world advances); the timer holds the signal, not the service.
    std::optional<hal::Clock::TimerId> timer;
    if (deadline != hal::Nanos::max()) {
      wait_lock.unlock();
      timer = clock.call_at(deadline, [signal = signal_] { signal->raise(); });
      wait_lock.lock();
    }
    signal_->changed.wait(wait_lock, stop, [this] { return signal_->raised; });
    signal_->raised = false;
    wait_lock.unlock();
    if (timer) clock.cancel(*timer);
  }
}

std::optional<hal::Nanos> LprApiService::step(const LprApiSettings& settings, LprApiClient& client,
                                              const std::shared_ptr<spdlog::logger>& logger) {
  auto& clock = *parts_.clock;
  const auto now = clock.now();
  std::unique_lock lock(mutex_);
  if (now >= heartbeat_due_) {
    heartbeat_due_ = now + settings.keep_alive_interval;
    const auto body = keep_alive_message(settings, clock.wall_time(), queue_.size());
    lock.unlock();
    auto answered = client.post(settings.heartbeat_path, body);
    lock.lock();
    if (answered && *answered >= 200 && *answered < 300) {
      ++stats_.heartbeats;
      stats_.missed_heartbeats = 0;
      if (!stats_.connected) logger->info("LPRAPI: platform server {} connected", settings.server);
      stats_.connected = true;
      // The server is back (Automatic Network Recovery): what waits goes now, not after the backoff.
      retry_at_ = clock.now();
      backoff_ = options_.first_retry;
    } else {
      ++stats_.missed_heartbeats;
      stats_.last_error = answered ? "heartbeat answered " + std::to_string(*answered) : answered.error().message;
      // "Max. Keep-alive Request": this many unanswered heartbeats in a row are tolerated.
      if (stats_.connected && stats_.missed_heartbeats > settings.max_keep_alive_requests) {
        stats_.connected = false;
        logger->warn("LPRAPI: platform server disconnected after {} unanswered heartbeat(s): {}",
                     stats_.missed_heartbeats, stats_.last_error);
      }
    }
    return std::nullopt;
  }
  if (queue_.size() > 0 && now >= retry_at_) {
    auto message = queue_.front();
    if (!message) {
      // Only messages on a card that is not readable now: look again after a while.
      retry_at_ = now + options_.max_retry;
    } else {
      lock.unlock();
      auto answered = client.post(settings.event_path, message->body);
      lock.lock();
      if (answered && *answered >= 200 && *answered < 300) {
        queue_.pop(message->sequence);
        ++stats_.delivered;
        backoff_ = options_.first_retry;
        last_reported_error_.clear();
      } else if (answered && refuses_message(*answered)) {
        queue_.pop(message->sequence);
        ++stats_.refused;
        logger->warn("LPRAPI: the platform server refused message {} with status {}; it is dropped", message->sequence,
                     *answered);
      } else {
        ++stats_.failed_attempts;
        stats_.last_error = answered ? "vehicle message answered " + std::to_string(*answered) : answered.error().message;
        if (stats_.last_error != last_reported_error_) {
          logger->warn("LPRAPI: {}; {} message(s) wait on the memory card, retrying", stats_.last_error, queue_.size());
          last_reported_error_ = stats_.last_error;
        }
        retry_at_ = clock.now() + backoff_;
        backoff_ = std::min(backoff_ * 2, options_.max_retry);
      }
      return std::nullopt;
    }
  }
  auto deadline = heartbeat_due_;
  if (queue_.size() > 0) deadline = std::min(deadline, std::max(retry_at_, now));
  return deadline;
}

}  // namespace camrig::traffic
