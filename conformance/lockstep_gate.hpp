// The gate that holds a simulated world at a timeline step in lockstep runs: each channel's frame
// pacer waits here for the frame that lies beyond the step, and the runner moves the device clock
// only once every channel has really reached the new limit, so what the bench observes (an alert,
// a response) is stamped with the device time at which the world actually stood.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <set>
#include <stop_token>

namespace camrig::conformance {

class LockstepGate {
 public:
  using Nanos = std::chrono::nanoseconds;

  //! Pacer side: blocks until the gate is open to `deadline` (or `stop`); false when stopped.
  bool pass(Nanos deadline, std::stop_token stop);

  //! Runner side: lets every frame due at or before `limit` through.
  void open_to(Nanos limit);

  //! Pacers held by the gate at the current limit. A pacer woken by open_to() but not yet
  //! running does not count: it is still on its way to the new limit.
  int held() const;

  //! Waits (real time) until `channels` pacers are held at the current limit. Gives up when the
  //! device clock (`device_now`) has not moved for `stall`, e.g. while a camera restarts and no
  //! channel pulls frames; `idle` runs about every millisecond meanwhile. False when it gave up
  //! or `stop` was requested.
  bool wait_held(int channels, const std::function<Nanos()>& device_now, std::chrono::milliseconds stall,
                 const std::function<void()>& idle = {}, std::stop_token stop = {});

 private:
  mutable std::mutex mutex_;
  std::condition_variable_any changed_;
  Nanos limit_{0};
  std::multiset<Nanos> waiting_;  //!< deadlines of the pacers inside pass()
};

}  // namespace camrig::conformance
