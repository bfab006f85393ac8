#include "hil/wiegand_sequencer.hpp"

#include <string>
#include <thread>
#include <utility>

namespace camrig::hil {

namespace {

using Clock = std::chrono::steady_clock;

// A sleep overshoots by tens of microseconds, as much as a whole pulse: sleep until this close to
// the change, then spin.
constexpr std::chrono::microseconds kSpinMargin{200};

void wait_until(Clock::time_point target) {
  for (;;) {
    const auto now = Clock::now();
    if (now >= target) return;
    if (target - now > 2 * kSpinMargin) std::this_thread::sleep_for(target - now - kSpinMargin);
  }
}

const char* line_name(WiegandLine line) { return line == WiegandLine::d0 ? "D0" : "D1"; }

}  // namespace

Result<void> validate(const WiegandTiming& timing) {
  if (timing.pulse_width.count() <= 0) {
    return make_error(ErrorCode::invalid_argument, "Wiegand pulse width must be above 0 µs");
  }
  if (timing.bit_interval <= timing.pulse_width) {
    return make_error(ErrorCode::invalid_argument,
                      "Wiegand bit interval (" + std::to_string(timing.bit_interval.count()) +
                          " µs) must be longer than the pulse width (" + std::to_string(timing.pulse_width.count()) + " µs)");
  }
  if (timing.frame_gap.count() <= 0) {
    return make_error(ErrorCode::invalid_argument, "Wiegand gap between frames must be above 0 µs");
  }
  return {};
}

std::vector<WiegandLineChange> wiegand_schedule(const hal::WiegandFrame& frame, const WiegandTiming& timing) {
  std::vector<WiegandLineChange> changes;
  changes.reserve(2 * frame.bits.size());
  for (std::size_t i = 0; i < frame.bits.size(); ++i) {
    const WiegandLine line = frame.bits[i] ? WiegandLine::d1 : WiegandLine::d0;
    const auto start = timing.bit_interval * static_cast<std::int64_t>(i);
    changes.push_back({start, line, false});
    changes.push_back({start + timing.pulse_width, line, true});
  }
  return changes;
}

WiegandPort::WiegandPort(std::unique_ptr<WiegandLines> lines, WiegandTiming timing)
    : lines_(std::move(lines)), timing_(timing) {}

Result<void> WiegandPort::send(const hal::WiegandFrame& frame) {
  if (auto valid = validate(timing_); !valid) return valid;
  if (frame.bits.empty()) return make_error(ErrorCode::invalid_argument, "a Wiegand frame needs at least one bit");
  const auto changes = wiegand_schedule(frame, timing_);
  std::lock_guard lock(mutex_);
  if (last_frame_end_) wait_until(*last_frame_end_ + timing_.frame_gap);
  // Each change is timed from when the one before it took effect, not from the frame's start: a
  // thread woken late then shifts the rest of the frame instead of shortening a pulse or a gap.
  auto previous = Clock::now();
  for (std::size_t i = 0; i < changes.size(); ++i) {
    const auto& change = changes[i];
    if (i > 0) wait_until(previous + (change.at - changes[i - 1].at));
    if (auto set = lines_->set(change.line, change.high); !set) {
      // Leave the wires idle so the controller sees a short frame it discards, not a line stuck low.
      (void)lines_->set(WiegandLine::d0, true);
      (void)lines_->set(WiegandLine::d1, true);
      last_frame_end_ = Clock::now();
      return make_error(ErrorCode::io_error, std::string("Wiegand ") + line_name(change.line) + " line: " +
                                                 set.error().message + "; frame dropped after " +
                                                 std::to_string(i / 2) + " of " + std::to_string(frame.bits.size()) + " bits");
    }
    previous = Clock::now();
  }
  last_frame_end_ = Clock::now();
  return {};
}

}  // namespace camrig::hil
