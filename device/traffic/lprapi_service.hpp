// LPRAPI push of the LPR camera: takes every recorded ANPR event from the event bus, turns the
// selected ones into vehicle messages (device/traffic/lprapi.md) kept in the outbox on the memory
// card, and delivers them in order to the platform server, with the heartbeat every Keep Alive
// Interval. A server that is away, hangs or answers garbage costs retries with backoff on this
// service's own threads; recognition, the event engine and the barrier never wait for it.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "device/core/config_service.hpp"
#include "device/core/event_bus.hpp"
#include "device/core/log.hpp"
#include "device/events/event.hpp"
#include "device/hal/clock.hpp"
#include "device/hal/storage_medium.hpp"
#include "device/traffic/lpr_service.hpp"
#include "device/traffic/lprapi_client.hpp"
#include "device/traffic/lprapi_message.hpp"
#include "device/traffic/lprapi_queue.hpp"

namespace camrig::traffic {

struct LprApiParts {
  hal::Clock* clock = nullptr;
  core::EventBus* bus = nullptr;
  const core::ConfigService* config = nullptr;
  //! The outbox's memory card; null: messages wait in memory only (lost on restart).
  hal::StorageMedium* card = nullptr;
  //! What the ANPR event does not carry (accuracy, colours, barrier action); may be empty.
  std::function<std::optional<VehicleRecord>(const events::Event&)> vehicle;
  //! The JPEG behind an event picture that does not carry its own (read from the picture store);
  //! may be empty: only carried pictures are sent.
  std::function<Result<std::string>(const events::PictureRef&)> picture;
  //! Device Basic Info; may be empty.
  std::function<DeviceBasicInfo()> device;
};

struct LprApiOptions {
  std::chrono::milliseconds first_retry{1000};
  std::chrono::milliseconds max_retry{30000};
};

struct LprApiStats {
  std::uint64_t delivered = 0;
  std::uint64_t refused = 0;          //!< messages the server rejected as malformed (dropped)
  std::uint64_t failed_attempts = 0;  //!< deliveries that found the server away (each retried)
  std::uint64_t heartbeats = 0;       //!< heartbeats the server answered
  int missed_heartbeats = 0;          //!< consecutive unanswered heartbeats
  bool connected = false;             //!< missed heartbeats within Max. Keep-Alive Request
  std::size_t queued = 0;
  std::uint64_t dropped = 0;          //!< messages lost without a usable card (outbox full)
  std::string last_error;
};

class LprApiService {
 public:
  //! Clock, bus and config must be given and, with the card, outlive the service.
  explicit LprApiService(LprApiParts parts, LprApiOptions options = {});
  ~LprApiService();
  LprApiService(const LprApiService&) = delete;
  LprApiService& operator=(const LprApiService&) = delete;

  //! Subscribes to the bus and starts delivering (what an earlier run left on the card first).
  void start();
  //! Stops both threads; undelivered messages stay on the card. Idempotent, the destructor calls it.
  void stop();

  //! Settings changed: a new server or interval applies at once, with a heartbeat.
  void settings_changed();
  LprApiStats stats() const;

 private:
  void take_events(std::stop_token stop);
  void watch_settings(std::stop_token stop);
  void deliver(std::stop_token stop);
  //! One heartbeat or delivery if one is due (nullopt), else the device time the next one is.
  std::optional<hal::Nanos> step(const LprApiSettings& settings, LprApiClient& client,
                                 const std::shared_ptr<spdlog::logger>& logger);
  void enqueue(const events::Event& event);

  //! What wakes the sender: new messages, settings, device-clock timers. Shared with the timers,
  //! so a timer that fires while the service stops touches nothing freed.
  struct Signal {
    std::mutex mutex;
    std::condition_variable_any changed;
    bool raised = false;
    void raise();
  };

  LprApiParts parts_;
  LprApiOptions options_;
  std::shared_ptr<core::Mailbox<events::RecordedEvent>> events_;
  std::shared_ptr<core::Mailbox<core::ConfigChanged>> changes_;

  std::shared_ptr<Signal> signal_ = std::make_shared<Signal>();
  mutable std::mutex mutex_;  // the queue, the stats and the delivery schedule
  LprApiQueue queue_;
  LprApiStats stats_;
  hal::Nanos heartbeat_due_{0};
  hal::Nanos retry_at_{0};
  std::chrono::milliseconds backoff_{0};
  std::string last_reported_error_;

  std::jthread intake_;
  std::jthread watcher_;
  std::jthread sender_;
};

}  // namespace camrig::traffic
