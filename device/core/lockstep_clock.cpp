#include "device/core/lockstep_clock.hpp"

namespace camrig::core {

LockstepClock::LockstepClock(hal::WallTime wall_at_start) : wall_at_start_(wall_at_start) {}

hal::Nanos LockstepClock::now() const {
  std::lock_guard lock(mutex_);
  return now_;
}

hal::WallTime LockstepClock::wall_time() const {
  return wall_at_start_ + std::chrono::duration_cast<hal::WallTime::duration>(now());
}

LockstepClock::TimerId LockstepClock::call_at(hal::Nanos deadline, std::function<void()> callback) {
  std::lock_guard lock(mutex_);
  return timers_.add(deadline, std::move(callback));
}

bool LockstepClock::cancel(TimerId id) {
  std::lock_guard lock(mutex_);
  return timers_.cancel(id);
}

bool LockstepClock::sleep_until(hal::Nanos deadline, std::stop_token stop) {
  std::unique_lock lock(mutex_);
  return advanced_.wait(lock, stop, [&] { return now_ >= deadline; });
}

void LockstepClock::advance_to(hal::Nanos target) {
  std::unique_lock lock(mutex_);
  for (;;) {
    const auto next = timers_.next_deadline();
    if (!next || *next > target) break;
    if (*next > now_) now_ = *next;
    auto callback = timers_.pop_due(now_);
    advanced_.notify_all();
    lock.unlock();
    (*callback)();
    lock.lock();
  }
  if (target > now_) now_ = target;
  lock.unlock();
  advanced_.notify_all();
}

}  // namespace camrig::core
