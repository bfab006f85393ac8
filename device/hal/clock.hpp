// Device time, as firmware sees its hardware timer and RTC. Device code never reads
// std::chrono clocks directly: it asks this interface, so a simulated world can run the
// firmware paced to the wall or in lockstep, faster than real time and repeatable.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <stop_token>

namespace camrig::hal {

using Nanos = std::chrono::nanoseconds;
using WallTime = std::chrono::system_clock::time_point;

class Clock {
 public:
  using TimerId = std::uint64_t;

  virtual ~Clock() = default;

  //! Monotonic time since the clock started: the base of intervals, deadlines and media timestamps.
  virtual Nanos now() const = 0;

  //! Calendar time (UTC) shown to users: OSD, logs, API timestamps. Advances with now().
  virtual WallTime wall_time() const = 0;

  //! Runs `callback` once when now() reaches `deadline` (at once if it already has). Callbacks run
  //! on the clock's timer thread, or for a lockstep clock on the thread that advances time, in
  //! deadline order; they must be short and must not block.
  virtual TimerId call_at(Nanos deadline, std::function<void()> callback) = 0;

  //! True if the timer was still pending and will now never run.
  virtual bool cancel(TimerId id) = 0;

  //! Blocks until now() >= deadline (returns true) or `stop` is requested (returns false).
  virtual bool sleep_until(Nanos deadline, std::stop_token stop) = 0;
};

}  // namespace camrig::hal
