// Smart display (network camera chapter 11): the pictures smart functions captured, live. Keeps a
// bounded ring of the most recent recorded events that carry pictures (face captures and any other
// smart event with its JPEGs), with their features (kind, channel, time, target box, class, track,
// face quality), for listing, fetching one picture and downloading a package.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "device/core/event_bus.hpp"
#include "device/events/event.hpp"

namespace camrig::events {

//! "The recommended number of pictures to download is no more than 200": the ring keeps as many.
inline constexpr std::size_t k_smart_display_capacity = 200;

class SmartDisplay {
 public:
  //! Follows the engine's recorded events on `bus`, which must outlive the display.
  explicit SmartDisplay(core::EventBus& bus, std::size_t capacity = k_smart_display_capacity);
  ~SmartDisplay();
  SmartDisplay(const SmartDisplay&) = delete;
  SmartDisplay& operator=(const SmartDisplay&) = delete;

  //! The captures, oldest first; each is the recorded event, its sequence the capture's id.
  std::vector<Event> captures() const;
  std::optional<Event> find(std::uint64_t sequence) const;
  //! Stops following events; idempotent.
  void stop();

 private:
  std::size_t capacity_;
  std::shared_ptr<core::Mailbox<RecordedEvent>> recorded_;
  mutable std::mutex mutex_;
  std::deque<Event> ring_;
  std::jthread worker_;
};

//! True when the event carries at least one picture's bytes.
bool has_pictures(const Event& event);

}  // namespace camrig::events
