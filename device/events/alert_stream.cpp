#include "device/events/alert_stream.hpp"

#include <atomic>
#include <condition_variable>
#include <optional>
#include <thread>

#include "device/core/log.hpp"

namespace camrig::events {

using namespace std::chrono_literals;

struct AlertStreams::Client {
  std::shared_ptr<http::ResponseStream> stream;
  std::shared_ptr<core::Mailbox<CenterNotification>> mailbox;
  std::function<std::chrono::seconds()> heartbeat_interval;
  std::atomic<std::uint64_t> sent{0};
  std::atomic<std::uint64_t> heartbeats{0};
  std::atomic<bool> open{true};
  std::mutex timer_mutex;
  std::optional<hal::Clock::TimerId> timer;
  std::jthread writer;

  // Heartbeats are queued only while the client is idle, so they never push an alert out.
  static void arm_heartbeat(hal::Clock& clock, const std::shared_ptr<Client>& client) {
    std::weak_ptr<Client> weak = client;
    const auto interval = std::max(client->heartbeat_interval(), std::chrono::seconds(1));
    std::lock_guard lock(client->timer_mutex);
    if (!client->open) return;
    client->timer = clock.call_at(clock.now() + interval, [weak, &clock] {
      auto self = weak.lock();
      if (!self || !self->open) return;
      if (self->mailbox->size() == 0) self->mailbox->push(CenterNotification{heartbeat_event(clock.now(), clock.wall_time())});
      arm_heartbeat(clock, self);
    });
  }

  void cancel_heartbeat(hal::Clock& clock) {
    std::lock_guard lock(timer_mutex);
    open = false;
    if (timer) clock.cancel(*timer);
    timer.reset();
  }
};

AlertStreams::AlertStreams(hal::Clock& clock, core::EventBus& bus, AlertStreamOptions options)
    : clock_(clock), bus_(bus), options_(std::move(options)) {}

AlertStreams::~AlertStreams() { stop(); }

void AlertStreams::open(std::shared_ptr<http::ResponseStream> stream) {
  auto client = std::make_shared<Client>();
  client->stream = std::move(stream);
  client->mailbox = bus_.subscribe<CenterNotification>(options_.queue_capacity);
  client->heartbeat_interval = options_.heartbeat_interval;
  std::lock_guard lock(mutex_);
  if (stopped_) {
    client->stream->close();
    return;
  }
  reap_locked();
  Client::arm_heartbeat(clock_, client);
  auto identity = options_.identity;
  auto picture_of = options_.picture;
  client->writer = std::jthread([client_ptr = client.get(), identity, picture_of, &clock = clock_](std::stop_token stop) {
    auto& self = *client_ptr;
    auto logger = log::get("events");
    std::uint64_t reported_drops = 0;
    std::mutex wait_mutex;
    std::condition_variable_any wait;
    while (auto notification = self.mailbox->pop(stop)) {
      if (const auto dropped = self.mailbox->dropped(); dropped != reported_drops) {
        logger->warn("alertStream client fell behind: {} alert(s) dropped so far", dropped);
        reported_drops = dropped;
      }
      const auto& event = notification->event;
      const bool heartbeat = event.sequence == 0;
      // An event with pictures of its own (face capture) sends those; the linkage's "upload
      // picture" would only repeat the background.
      const auto carried = carried_pictures(event);
      const auto picture = heartbeat || !picture_of || !carried.empty() ? std::nullopt : picture_of(event);
      auto part = alert_stream_part(alert_xml(event, identity(), picture ? &*picture : nullptr));
      // The document and its pictures are one write, so no other alert comes between them.
      for (const auto& carried_picture : carried) part += multipart_part(k_alert_stream_boundary, carried_picture);
      if (picture) part += alert_picture_part(event, *picture);
      // The response stream is bounded; while it is full this client waits, alone, and its
      // mailbox drops its oldest alerts.
      bool written = false;
      while (!(written = self.stream->write(part))) {
        if (self.stream->closed() || stop.stop_requested()) break;
        std::unique_lock wait_lock(wait_mutex);
        wait.wait_for(wait_lock, stop, 5ms, [] { return false; });
      }
      if (!written) break;
      ++self.sent;
      if (heartbeat) ++self.heartbeats;
    }
    self.cancel_heartbeat(clock);
    self.mailbox->close();
    self.stream->close();
  });
  clients_.push_back(std::move(client));
}

void AlertStreams::reap_locked() {
  std::erase_if(clients_, [](const std::shared_ptr<Client>& client) { return !client->open; });
}

void AlertStreams::stop() {
  std::vector<std::shared_ptr<Client>> clients;
  {
    std::lock_guard lock(mutex_);
    stopped_ = true;
    clients.swap(clients_);
  }
  for (auto& client : clients) {
    client->cancel_heartbeat(clock_);
    client->writer.request_stop();
    client->mailbox->close();
    client->stream->close();
    if (client->writer.joinable()) client->writer.join();
  }
}

std::vector<AlertStreamClientStats> AlertStreams::clients() const {
  std::lock_guard lock(mutex_);
  std::vector<AlertStreamClientStats> stats;
  for (const auto& client : clients_)
    stats.push_back({client->sent.load(), client->heartbeats.load(), client->mailbox->dropped(), client->open.load()});
  return stats;
}

}  // namespace camrig::events
