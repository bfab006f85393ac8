// Clocks that follow the machine's time. SystemClock is the real board: monotonic time from the
// OS, calendar time from the system. RealtimeClock is simulated time paced to the wall (for
// outside clients such as VLC or an NVR), starting at a calendar time the scenario chooses.
// The lockstep alternative is LockstepClock.
#pragma once

#include <condition_variable>
#include <mutex>
#include <thread>

#include "device/core/timer_queue.hpp"
#include "device/hal/clock.hpp"

namespace camrig::core {

//! Time paced by the machine's steady clock, starting at zero and at a chosen calendar time,
//! with a timer thread. The realtime mode of a simulated world, and the base of SystemClock.
class RealtimeClock : public hal::Clock {
 public:
  explicit RealtimeClock(hal::WallTime wall_at_start);
  ~RealtimeClock() override;
  RealtimeClock(const RealtimeClock&) = delete;
  RealtimeClock& operator=(const RealtimeClock&) = delete;

  hal::Nanos now() const override;
  hal::WallTime wall_time() const override;
  TimerId call_at(hal::Nanos deadline, std::function<void()> callback) override;
  bool cancel(TimerId id) override;
  bool sleep_until(hal::Nanos deadline, std::stop_token stop) override;

 private:
  void run_timers(std::stop_token stop);

  const std::chrono::steady_clock::time_point start_;
  const hal::WallTime wall_at_start_;
  std::mutex mutex_;
  std::condition_variable_any changed_;
  TimerQueue timers_;
  std::uint64_t timers_added_ = 0;  // wakes the timer thread when an earlier timer arrives
  std::jthread timer_thread_;
};

//! The board's own clock: calendar time is the system's.
class SystemClock final : public RealtimeClock {
 public:
  SystemClock();
  hal::WallTime wall_time() const override;
};

}  // namespace camrig::core
