// The lockstep clock at a fixed calendar origin, so tests that render or log wall time repeat
// exactly. Time moves only when the test advances it.
#pragma once

#include "device/core/lockstep_clock.hpp"

namespace camrig::test {

class LockstepTestClock : public core::LockstepClock {
 public:
  //! Wall time at now() == 0: 2024-03-01 12:00:00 UTC.
  static constexpr std::chrono::seconds k_wall_origin{1709294400};
  LockstepTestClock() : core::LockstepClock(hal::WallTime{k_wall_origin}) {}
};

}  // namespace camrig::test
