// Test peer of hal::Clock: time moves only when the test (or sleep_until) sets it, so tests that
// render, pace or encode are exact and repeatable.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <stop_token>

#include "device/hal/clock.hpp"

namespace camrig::testing {

class ManualClock final : public hal::Clock {
 public:
  //! Wall time at now() == 0: 2024-03-01 12:00:00 UTC.
  static constexpr std::chrono::seconds k_wall_origin{1709294400};

  hal::Nanos now() const override { return hal::Nanos{now_ns_.load()}; }
  hal::WallTime wall_time() const override {
    return hal::WallTime{std::chrono::duration_cast<hal::WallTime::duration>(k_wall_origin + now())};
  }

  void set(hal::Nanos time) {
    std::multimap<hal::Nanos, std::function<void()>> due;
    {
      std::lock_guard lock(mutex_);
      now_ns_.store(time.count());
      auto end = timers_.upper_bound(time);
      for (auto it = timers_.begin(); it != end; ++it) due.emplace(it->first, std::move(it->second.second));
      timers_.erase(timers_.begin(), end);
    }
    for (auto& [deadline, callback] : due) callback();
  }

  TimerId call_at(hal::Nanos deadline, std::function<void()> callback) override {
    std::unique_lock lock(mutex_);
    if (deadline <= now()) {
      lock.unlock();
      callback();
      return 0;
    }
    const TimerId id = next_id_++;
    timers_.emplace(deadline, std::make_pair(id, std::move(callback)));
    return id;
  }

  bool cancel(TimerId id) override {
    std::lock_guard lock(mutex_);
    for (auto it = timers_.begin(); it != timers_.end(); ++it) {
      if (it->second.first == id) {
        timers_.erase(it);
        return true;
      }
    }
    return false;
  }

  //! Lockstep: sleeping to a deadline jumps the clock there.
  bool sleep_until(hal::Nanos deadline, std::stop_token stop) override {
    if (stop.stop_requested()) return false;
    if (deadline > now()) set(deadline);
    return true;
  }

 private:
  std::atomic<std::int64_t> now_ns_{0};
  std::mutex mutex_;
  std::multimap<hal::Nanos, std::pair<TimerId, std::function<void()>>> timers_;
  TimerId next_id_ = 1;
};

}  // namespace camrig::testing
