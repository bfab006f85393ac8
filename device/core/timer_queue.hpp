// Pending timers of a clock, ordered by deadline then by creation, so timers with the same
// deadline fire in the order they were set (repeatable in lockstep).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <utility>

#include "device/hal/clock.hpp"

namespace camrig::core {

class TimerQueue {
 public:
  using TimerId = hal::Clock::TimerId;

  TimerId add(hal::Nanos deadline, std::function<void()> callback) {
    const TimerId id = next_id_++;
    timers_.emplace(Key{deadline, id}, std::move(callback));
    deadlines_.emplace(id, deadline);
    return id;
  }

  bool cancel(TimerId id) {
    auto it = deadlines_.find(id);
    if (it == deadlines_.end()) return false;
    timers_.erase(Key{it->second, id});
    deadlines_.erase(it);
    return true;
  }

  std::optional<hal::Nanos> next_deadline() const {
    if (timers_.empty()) return std::nullopt;
    return timers_.begin()->first.deadline;
  }

  //! Removes and returns the earliest timer if it is due at `now`.
  std::optional<std::function<void()>> pop_due(hal::Nanos now) {
    if (timers_.empty() || timers_.begin()->first.deadline > now) return std::nullopt;
    auto node = timers_.extract(timers_.begin());
    deadlines_.erase(node.key().id);
    return std::move(node.mapped());
  }

  bool empty() const { return timers_.empty(); }

 private:
  struct Key {
    hal::Nanos deadline;
    TimerId id;
    bool operator<(const Key& other) const {
      return deadline != other.deadline ? deadline < other.deadline : id < other.id;
    }
  };

  std::map<Key, std::function<void()>> timers_;
  std::map<TimerId, hal::Nanos> deadlines_;
  TimerId next_id_ = 1;
};

}  // namespace camrig::core
