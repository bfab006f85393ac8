#include "sim/virtual_wiegand.hpp"

namespace camrig::sim {

Result<void> VirtualWiegand::send(const hal::WiegandFrame& frame) {
  std::lock_guard lock(mutex_);
  if (!connected_) return make_error(ErrorCode::io_error, "Wiegand port: no controller on D0/D1 (line open)");
  if (frame.bits.empty()) return make_error(ErrorCode::invalid_argument, "Wiegand port: an empty frame cannot be sent");
  frames_.push_back({clock_.now(), frame});
  arrived_.notify_all();
  return {};
}

std::vector<ReceivedWiegandFrame> VirtualWiegand::frames() const {
  std::lock_guard lock(mutex_);
  return frames_;
}

bool VirtualWiegand::wait_for_frames(std::size_t count, std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mutex_);
  return arrived_.wait_for(lock, timeout, [&] { return frames_.size() >= count; });
}

void VirtualWiegand::set_connected(bool connected) {
  std::lock_guard lock(mutex_);
  connected_ = connected;
}

}  // namespace camrig::sim
