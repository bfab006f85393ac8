// The device's own time: the hardware clock (HAL) with the calendar offset that manual time
// setting and NTP maintain, so the wall time users see (logs, API timestamps, OSD) can be set
// without touching the host clock. Monotonic time, timers and sleeps are the hardware clock's.
#pragma once

#include <atomic>

#include "device/hal/clock.hpp"

namespace camrig::system {

class DeviceClock final : public hal::Clock {
 public:
  //! `hardware` must outlive this clock.
  explicit DeviceClock(hal::Clock& hardware) : hardware_(hardware) {}

  hal::Nanos now() const override { return hardware_.now(); }
  hal::WallTime wall_time() const override;
  TimerId call_at(hal::Nanos deadline, std::function<void()> callback) override {
    return hardware_.call_at(deadline, std::move(callback));
  }
  bool cancel(TimerId id) override { return hardware_.cancel(id); }
  bool sleep_until(hal::Nanos deadline, std::stop_token stop) override { return hardware_.sleep_until(deadline, stop); }

  //! Makes wall_time() read `time` now and advance from there.
  void set_wall_time(hal::WallTime time);
  //! Moves the wall time by `delta` (an NTP correction).
  void adjust(hal::Nanos delta) { offset_.fetch_add(delta.count()); }
  //! How far the device's wall time is from the hardware clock's.
  hal::Nanos offset() const { return hal::Nanos(offset_.load()); }

 private:
  hal::Clock& hardware_;
  std::atomic<std::int64_t> offset_{0};
};

}  // namespace camrig::system
