#include "conformance/lockstep_gate.hpp"

#include <thread>

namespace camrig::conformance {

bool LockstepGate::pass(Nanos deadline, std::stop_token stop) {
  std::unique_lock lock(mutex_);
  if (deadline <= limit_) return true;
  const auto entry = waiting_.insert(deadline);
  changed_.notify_all();  // the runner may be waiting for this pacer to arrive
  const bool open = changed_.wait(lock, stop, [&] { return deadline <= limit_; });
  waiting_.erase(entry);
  changed_.notify_all();
  return open;
}

void LockstepGate::open_to(Nanos limit) {
  {
    std::lock_guard lock(mutex_);
    limit_ = limit;
  }
  changed_.notify_all();
}

int LockstepGate::held() const {
  std::lock_guard lock(mutex_);
  // Only deadlines beyond the limit hold a pacer; the others are released already.
  return static_cast<int>(std::distance(waiting_.upper_bound(limit_), waiting_.end()));
}

bool LockstepGate::wait_held(int channels, const std::function<Nanos()>& device_now, std::chrono::milliseconds stall,
                             const std::function<void()>& idle, std::stop_token stop) {
  using Steady = std::chrono::steady_clock;
  auto last_time = device_now();
  auto last_change = Steady::now();
  while (held() < channels) {
    if (stop.stop_requested()) return false;
    {
      std::unique_lock lock(mutex_);
      changed_.wait_for(lock, std::chrono::milliseconds(1));
    }
    if (idle) idle();
    if (const auto now = device_now(); now != last_time) {
      last_time = now;
      last_change = Steady::now();
    } else if (Steady::now() - last_change > stall) {
      return false;
    }
  }
  return true;
}

}  // namespace camrig::conformance
