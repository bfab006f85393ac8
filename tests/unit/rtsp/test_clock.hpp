// A hal::Clock for tests: follows the steady clock, and advance() jumps it forward so that
// timeouts can be tested without waiting for them.
#pragma once

#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <thread>

#include "device/hal/clock.hpp"

namespace camrig::rtsp::test {

class TestClock : public hal::Clock {
 public:
  hal::Nanos now() const override {
    return std::chrono::duration_cast<hal::Nanos>(std::chrono::steady_clock::now() - start_) + hal::Nanos(skew_.load());
  }
  hal::WallTime wall_time() const override {
    return std::chrono::time_point_cast<hal::WallTime::duration>(wall_start_ + now());
  }
  TimerId call_at(hal::Nanos deadline, std::function<void()> callback) override {
    std::lock_guard lock(mutex_);
    const auto id = next_id_++;
    timers_.emplace(id, Timer{deadline, std::move(callback)});
    return id;
  }
  bool cancel(TimerId id) override {
    std::lock_guard lock(mutex_);
    return timers_.erase(id) > 0;
  }
  bool sleep_until(hal::Nanos deadline, std::stop_token stop) override {
    while (now() < deadline) {
      if (stop.stop_requested()) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    return true;
  }

  //! Jumps time forward and runs the timers that became due.
  void advance(hal::Nanos step) {
    skew_ += step.count();
    std::map<TimerId, Timer> due;
    {
      std::lock_guard lock(mutex_);
      for (auto it = timers_.begin(); it != timers_.end();) {
        if (it->second.deadline <= now()) {
          due.insert(*it);
          it = timers_.erase(it);
        } else {
          ++it;
        }
      }
    }
    for (auto& [id, timer] : due) timer.callback();
  }

 private:
  struct Timer {
    hal::Nanos deadline;
    std::function<void()> callback;
  };
  const std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
  const hal::WallTime wall_start_ = std::chrono::system_clock::now();
  std::atomic<std::int64_t> skew_{0};
  std::mutex mutex_;
  std::map<TimerId, Timer> timers_;
  TimerId next_id_ = 1;
};

}  // namespace camrig::rtsp::test
