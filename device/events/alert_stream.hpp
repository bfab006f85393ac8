// The alertStream clients: each open /ISAPI/Event/notification/alertStream response gets its own
// bounded queue of center notifications (drop-oldest, counted), a writer thread that turns them
// into multipart EventNotificationAlert parts (followed by the event's own pictures, else by the
// linkage's picture when it asks for one), and a heartbeat while idle. A slow or dead client
// only loses its own oldest alerts; the engine and other clients never wait for it.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include "device/core/event_bus.hpp"
#include "device/events/alert_document.hpp"
#include "device/events/event.hpp"
#include "device/hal/clock.hpp"
#include "device/http/response_stream.hpp"

namespace camrig::events {

struct AlertStreamOptions {
  std::size_t queue_capacity = 256;
  //! The heartbeat interval, read at each heartbeat so a changed setting applies at once.
  std::function<std::chrono::seconds()> heartbeat_interval = [] { return std::chrono::seconds(10); };
  std::function<DeviceIdentity()> identity = [] { return DeviceIdentity{}; };
  //! The picture to send with an alert, when its linkage asks for one; empty: none.
  std::function<std::optional<AlertPicture>(const Event&)> picture;
};

struct AlertStreamClientStats {
  std::uint64_t sent = 0;        //!< alert documents written, heartbeats included
  std::uint64_t heartbeats = 0;
  std::uint64_t dropped = 0;     //!< alerts lost because this client fell behind
  bool open = false;
};

class AlertStreams {
 public:
  AlertStreams(hal::Clock& clock, core::EventBus& bus, AlertStreamOptions options);
  ~AlertStreams();
  AlertStreams(const AlertStreams&) = delete;
  AlertStreams& operator=(const AlertStreams&) = delete;

  //! Serves a new client on `stream` until the client goes or stop() is called. Alerts published
  //! from now on reach it.
  void open(std::shared_ptr<http::ResponseStream> stream);
  //! Closes every client stream and joins the writers.
  void stop();
  //! One entry per client opened, in opening order (finished clients stay until the next open).
  std::vector<AlertStreamClientStats> clients() const;

 private:
  struct Client;
  void reap_locked();

  hal::Clock& clock_;
  core::EventBus& bus_;
  AlertStreamOptions options_;
  mutable std::mutex mutex_;
  std::vector<std::shared_ptr<Client>> clients_;
  bool stopped_ = false;
};

}  // namespace camrig::events
