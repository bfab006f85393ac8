#include "device/core/realtime_clock.hpp"

namespace camrig::core {

RealtimeClock::RealtimeClock(hal::WallTime wall_at_start)
    : start_(std::chrono::steady_clock::now()),
      wall_at_start_(wall_at_start),
      timer_thread_([this](std::stop_token stop) { run_timers(stop); }) {}

RealtimeClock::~RealtimeClock() {
  timer_thread_.request_stop();
  changed_.notify_all();
}

hal::Nanos RealtimeClock::now() const {
  return std::chrono::duration_cast<hal::Nanos>(std::chrono::steady_clock::now() - start_);
}

hal::WallTime RealtimeClock::wall_time() const {
  return wall_at_start_ + std::chrono::duration_cast<hal::WallTime::duration>(now());
}

RealtimeClock::TimerId RealtimeClock::call_at(hal::Nanos deadline, std::function<void()> callback) {
  TimerId id;
  {
    std::lock_guard lock(mutex_);
    id = timers_.add(deadline, std::move(callback));
    ++timers_added_;
  }
  changed_.notify_all();
  return id;
}

bool RealtimeClock::cancel(TimerId id) {
  std::lock_guard lock(mutex_);
  return timers_.cancel(id);
}

bool RealtimeClock::sleep_until(hal::Nanos deadline, std::stop_token stop) {
  std::mutex mutex;
  std::condition_variable_any never_notified;
  std::unique_lock lock(mutex);
  never_notified.wait_until(lock, stop, start_ + deadline, [] { return false; });
  return !stop.stop_requested();
}

void RealtimeClock::run_timers(std::stop_token stop) {
  std::unique_lock lock(mutex_);
  while (!stop.stop_requested()) {
    if (auto due = timers_.pop_due(now())) {
      lock.unlock();
      (*due)();
      lock.lock();
      continue;
    }
    const auto seen = timers_added_;
    const auto arrived = [&] { return timers_added_ != seen; };
    if (auto next = timers_.next_deadline()) {
      changed_.wait_until(lock, stop, start_ + *next, arrived);
    } else {
      changed_.wait(lock, stop, arrived);
    }
  }
}

SystemClock::SystemClock() : RealtimeClock(std::chrono::system_clock::now()) {}

hal::WallTime SystemClock::wall_time() const { return std::chrono::system_clock::now(); }

}  // namespace camrig::core
