// The Wiegand port of a simulated LPR camera: records every frame the device sends, stamped on
// the device clock, as an access controller on D0/D1 would receive it. Tests and the world read
// the frames; a cut cable (set_connected(false)) makes sends fail as a driver would report it.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <vector>

#include "device/hal/clock.hpp"
#include "device/hal/wiegand_output.hpp"

namespace camrig::sim {

struct ReceivedWiegandFrame {
  hal::Nanos at{0};
  hal::WiegandFrame frame;
};

class VirtualWiegand final : public hal::WiegandOutput {
 public:
  //! `clock` must outlive the port.
  explicit VirtualWiegand(const hal::Clock& clock) : clock_(clock) {}

  Result<void> send(const hal::WiegandFrame& frame) override;

  std::vector<ReceivedWiegandFrame> frames() const;
  //! Waits (wall time) until at least `count` frames arrived; false if they did not within `timeout`.
  bool wait_for_frames(std::size_t count, std::chrono::milliseconds timeout) const;
  void set_connected(bool connected);

 private:
  const hal::Clock& clock_;
  mutable std::mutex mutex_;
  mutable std::condition_variable arrived_;
  std::vector<ReceivedWiegandFrame> frames_;
  bool connected_ = true;
};

}  // namespace camrig::sim
