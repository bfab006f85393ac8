#include "device/events/smart_display.hpp"

#include <algorithm>

namespace camrig::events {

bool has_pictures(const Event& event) {
  return std::any_of(event.pictures.begin(), event.pictures.end(),
                     [](const PictureRef& p) { return p.jpeg && !p.jpeg->empty(); });
}

// Its own worker, so a burst of events without pictures (motion) never pushes captures out of the
// mailbox before they reach the ring.
SmartDisplay::SmartDisplay(core::EventBus& bus, std::size_t capacity)
    : capacity_(std::max<std::size_t>(1, capacity)), recorded_(bus.subscribe<RecordedEvent>(256)) {
  worker_ = std::jthread([this](std::stop_token stop) {
    while (auto recorded = recorded_->pop(stop)) {
      if (!has_pictures(recorded->event)) continue;
      std::lock_guard lock(mutex_);
      ring_.push_back(std::move(recorded->event));
      if (ring_.size() > capacity_) ring_.pop_front();
    }
  });
}

SmartDisplay::~SmartDisplay() { stop(); }

void SmartDisplay::stop() {
  worker_.request_stop();
  recorded_->close();
  if (worker_.joinable()) worker_.join();
}

std::vector<Event> SmartDisplay::captures() const {
  std::lock_guard lock(mutex_);
  return {ring_.begin(), ring_.end()};
}

std::optional<Event> SmartDisplay::find(std::uint64_t sequence) const {
  std::lock_guard lock(mutex_);
  auto it = std::find_if(ring_.begin(), ring_.end(), [&](const Event& e) { return e.sequence == sequence; });
  if (it == ring_.end()) return std::nullopt;
  return *it;
}

}  // namespace camrig::events
