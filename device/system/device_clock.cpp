#include "device/system/device_clock.hpp"

namespace camrig::system {

hal::WallTime DeviceClock::wall_time() const {
  return hardware_.wall_time() + std::chrono::duration_cast<hal::WallTime::duration>(offset());
}

void DeviceClock::set_wall_time(hal::WallTime time) {
  offset_.store(std::chrono::duration_cast<hal::Nanos>(time - hardware_.wall_time()).count());
}

}  // namespace camrig::system
