// Simulated time that moves only when the simulation advances it: as fast as the machine
// allows and identical on every run with the same inputs. Timers due on an advance run on the
// advancing thread, in deadline order, before advance_to() returns.
#pragma once

#include <condition_variable>
#include <mutex>

#include "device/core/timer_queue.hpp"
#include "device/hal/clock.hpp"

namespace camrig::core {

class LockstepClock : public hal::Clock {
 public:
  explicit LockstepClock(hal::WallTime wall_at_start);

  hal::Nanos now() const override;
  hal::WallTime wall_time() const override;
  TimerId call_at(hal::Nanos deadline, std::function<void()> callback) override;
  bool cancel(TimerId id) override;
  //! Blocks until another thread advances the clock to `deadline`, or `stop`.
  bool sleep_until(hal::Nanos deadline, std::stop_token stop) override;

  //! Moves time forward to `target` (never backward), running due timers on the way, each at
  //! its own deadline, and waking sleepers.
  void advance_to(hal::Nanos target);

 private:
  const hal::WallTime wall_at_start_;
  mutable std::mutex mutex_;
  std::condition_variable_any advanced_;
  hal::Nanos now_{0};
  TimerQueue timers_;
};

}  // namespace camrig::core
