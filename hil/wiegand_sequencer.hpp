// Wiegand timing, apart from any hardware: a frame of bits becomes a schedule of level changes on
// the two lines D0/D1 (idle high, a low pulse on D0 for a 0 and on D1 for a 1), and a
// WiegandPort clocks that schedule out on any pair of lines as the device's hal::WiegandOutput.
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include "device/core/result.hpp"
#include "device/hal/wiegand_output.hpp"

namespace camrig::hil {

struct WiegandTiming {
  //! How long a line is held low for one bit (readers accept about 20-100 µs).
  std::chrono::microseconds pulse_width{50};
  //! From the start of one bit's pulse to the start of the next.
  std::chrono::microseconds bit_interval{2000};
  //! Quiet time kept between the last pulse of one frame and the first of the next: a controller
  //! takes a pause of its timeout (typically 20-25 ms) as the end of a frame.
  std::chrono::microseconds frame_gap{50000};
};

//! invalid_argument naming the value: pulse width and gap above zero, pulse shorter than the
//! bit interval.
Result<void> validate(const WiegandTiming& timing);

enum class WiegandLine { d0, d1 };

struct WiegandLineChange {
  std::chrono::microseconds at{0};  //!< from the start of the frame's first pulse
  WiegandLine line = WiegandLine::d0;
  bool high = false;
};

//! The level changes of one frame, in time order: for bit i, its line goes low at i × interval
//! and high again pulse_width later.
std::vector<WiegandLineChange> wiegand_schedule(const hal::WiegandFrame& frame, const WiegandTiming& timing);

//! Two output lines, D0 and D1, both high while idle.
class WiegandLines {
 public:
  virtual ~WiegandLines() = default;
  //! Drives one line; a line that cannot be driven says why.
  virtual Result<void> set(WiegandLine line, bool high) = 0;
};

//! hal::WiegandOutput on a pair of lines: send() clocks a frame out by the wall's steady clock
//! (the pulses are real time on real wires, not device time) and returns once the last pulse
//! has ended. Sends are serialised and kept frame_gap apart.
class WiegandPort final : public hal::WiegandOutput {
 public:
  //! The lines must be idle (high).
  WiegandPort(std::unique_ptr<WiegandLines> lines, WiegandTiming timing = {});

  //! invalid_argument for an empty frame or a timing validate() refuses; io_error naming the line when one cannot be driven
  //! (both lines are then set back high, as far as they can be, and the rest of the frame is dropped).
  Result<void> send(const hal::WiegandFrame& frame) override;

 private:
  std::mutex mutex_;
  std::unique_ptr<WiegandLines> lines_;
  WiegandTiming timing_;
  std::optional<std::chrono::steady_clock::time_point> last_frame_end_;
};

}  // namespace camrig::hil
