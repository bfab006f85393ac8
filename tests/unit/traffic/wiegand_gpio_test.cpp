// The Wiegand GPIO backend (hil/): the pulse schedule of a frame, a WiegandPort clocking frames out
// on a pair of recording lines (decoded back as a controller would, with the pulse widths and bit
// intervals measured), a line failing mid-frame, and libgpiod: a chip that is not there, and
// a gpio-sim / gpio-mockup chip when the kernel has one.
#include <gpiod.h>
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "device/traffic/wiegand_frame.hpp"
#include "hil/wiegand_gpio.hpp"
#include "hil/wiegand_sequencer.hpp"

namespace camrig::hil {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

hal::WiegandFrame frame_of(traffic::WiegandFormat format, std::uint64_t card, unsigned facility = 0) {
  auto frame = traffic::encode_wiegand(format, card, facility);
  EXPECT_TRUE(frame) << frame.error().message;
  return frame ? *frame : hal::WiegandFrame{};
}

// A pair of lines that keeps every level change with the time it happened, as a logic analyser
// on D0/D1 would; optionally stops working at one change.
class RecordingLines final : public WiegandLines {
 public:
  struct Change {
    Clock::time_point at;
    WiegandLine line;
    bool high;
  };
  struct State {
    std::vector<Change> changes;
    bool d0 = true, d1 = true;
    bool both_low_seen = false;
    int fail_at = -1;  // index of the set() call that fails
    int calls = 0;
  };
  explicit RecordingLines(State& state) : state_(state) {}

  Result<void> set(WiegandLine line, bool high) override {
    if (state_.calls++ == state_.fail_at) return make_error(ErrorCode::io_error, "line driver gone");
    (line == WiegandLine::d0 ? state_.d0 : state_.d1) = high;
    if (!state_.d0 && !state_.d1) state_.both_low_seen = true;
    state_.changes.push_back({Clock::now(), line, high});
    return {};
  }

 private:
  State& state_;
};

struct Pulse {
  bool bit;
  Clock::time_point start, end;
};

// What a controller sees: one bit per low pulse, 0 on D0 and 1 on D1.
std::vector<Pulse> pulses(const std::vector<RecordingLines::Change>& changes) {
  std::vector<Pulse> out;
  for (std::size_t i = 0; i < changes.size(); ++i) {
    if (changes[i].high) continue;
    for (std::size_t j = i + 1; j < changes.size(); ++j) {
      if (changes[j].line == changes[i].line && changes[j].high) {
        out.push_back({changes[i].line == WiegandLine::d1, changes[i].at, changes[j].at});
        break;
      }
    }
  }
  return out;
}

std::vector<bool> bits_of(const std::vector<Pulse>& received) {
  std::vector<bool> bits;
  for (const auto& p : received) bits.push_back(p.bit);
  return bits;
}

TEST(WiegandSchedule, EachBitIsOneLowPulseOnItsLineAtItsInterval) {
  const hal::WiegandFrame frame = frame_of(traffic::WiegandFormat::bits26, 4567, 123);
  const auto changes = wiegand_schedule(frame, {});
  ASSERT_EQ(changes.size(), 2 * frame.bits.size());
  for (std::size_t i = 0; i < frame.bits.size(); ++i) {
    const auto& low = changes[2 * i];
    const auto& high = changes[2 * i + 1];
    const WiegandLine line = frame.bits[i] ? WiegandLine::d1 : WiegandLine::d0;
    EXPECT_EQ(low.line, line) << "bit " << i;
    EXPECT_FALSE(low.high);
    EXPECT_EQ(low.at, std::chrono::microseconds(2000 * static_cast<std::int64_t>(i)));
    EXPECT_EQ(high.line, line);
    EXPECT_TRUE(high.high);
    EXPECT_EQ(high.at - low.at, 50us);
  }
}

TEST(WiegandSchedule, TimingMustLeaveRoomBetweenPulses) {
  EXPECT_TRUE(validate(WiegandTiming{}));
  const auto equal = validate(WiegandTiming{100us, 100us, 50ms});
  ASSERT_FALSE(equal);
  EXPECT_EQ(equal.error().code, ErrorCode::invalid_argument);
  EXPECT_NE(equal.error().message.find("bit interval (100 µs)"), std::string::npos) << equal.error().message;
  EXPECT_FALSE(validate(WiegandTiming{0us, 2ms, 50ms}));
  EXPECT_FALSE(validate(WiegandTiming{50us, 2ms, 0us}));
}

TEST(WiegandPort, ClocksAFrameOutThatDecodesToItsBitsWithPulsesNeverShortOrEarly) {
  RecordingLines::State state;
  WiegandPort port(std::make_unique<RecordingLines>(state));
  const hal::WiegandFrame frame = frame_of(traffic::WiegandFormat::bits34, 123456789);
  const auto began = Clock::now();
  ASSERT_TRUE(port.send(frame));
  const auto took = Clock::now() - began;

  const auto received = pulses(state.changes);
  EXPECT_EQ(bits_of(received), frame.bits);
  EXPECT_EQ(state.changes.size(), 2 * frame.bits.size());
  EXPECT_TRUE(state.d0 && state.d1) << "both lines idle high after the frame";
  EXPECT_FALSE(state.both_low_seen);
  ASSERT_EQ(received.size(), frame.bits.size());
  for (std::size_t i = 0; i < received.size(); ++i) {
    EXPECT_GE(received[i].end - received[i].start, 50us) << "pulse " << i;
    if (i > 0) {
      EXPECT_GE(received[i].start - received[i - 1].start, 2000us) << "bit " << i;
    }
  }
  // send() returns after the last pulse: 33 intervals and a pulse at the least.
  EXPECT_GE(took, 33 * 2000us + 50us);
}

TEST(WiegandPort, KeepsTheGapBetweenFramesSoAControllerSeesTwo) {
  RecordingLines::State state;
  WiegandPort port(std::make_unique<RecordingLines>(state), WiegandTiming{50us, 500us, 20ms});
  const hal::WiegandFrame first = frame_of(traffic::WiegandFormat::bits26, 1, 1);
  const hal::WiegandFrame second = frame_of(traffic::WiegandFormat::bits26, 2, 1);
  ASSERT_TRUE(port.send(first));
  ASSERT_TRUE(port.send(second));
  const auto received = pulses(state.changes);
  ASSERT_EQ(received.size(), 52u);
  EXPECT_GE(received[26].start - received[25].end, 20ms);
  std::vector<bool> both = first.bits;
  both.insert(both.end(), second.bits.begin(), second.bits.end());
  EXPECT_EQ(bits_of(received), both);
}

TEST(WiegandPort, ALineFailingMidFrameDropsTheRestAndLeavesBothLinesHigh) {
  RecordingLines::State state;
  state.fail_at = 7;  // bit 3 going high again
  WiegandPort port(std::make_unique<RecordingLines>(state), WiegandTiming{50us, 200us, 1ms});
  const hal::WiegandFrame frame = frame_of(traffic::WiegandFormat::bits26, 4567, 123);
  const auto sent = port.send(frame);
  ASSERT_FALSE(sent);
  EXPECT_EQ(sent.error().code, ErrorCode::io_error);
  const std::string line = frame.bits[3] ? "D1" : "D0";
  EXPECT_NE(sent.error().message.find("Wiegand " + line + " line: line driver gone"), std::string::npos) << sent.error().message;
  EXPECT_NE(sent.error().message.find("after 3 of 26 bits"), std::string::npos) << sent.error().message;
  EXPECT_TRUE(state.d0 && state.d1);
  // The next frame goes out whole.
  state.changes.clear();
  ASSERT_TRUE(port.send(frame));
  EXPECT_EQ(bits_of(pulses(state.changes)), frame.bits);
}

TEST(WiegandPort, RefusesAnEmptyFrameAndABadTiming) {
  RecordingLines::State state;
  WiegandPort port(std::make_unique<RecordingLines>(state));
  const auto empty = port.send({});
  ASSERT_FALSE(empty);
  EXPECT_EQ(empty.error().code, ErrorCode::invalid_argument);
  WiegandPort bad(std::make_unique<RecordingLines>(state), WiegandTiming{3ms, 2ms, 50ms});
  EXPECT_FALSE(bad.send(frame_of(traffic::WiegandFormat::bits26, 1, 1)));
  EXPECT_TRUE(state.changes.empty()) << "nothing reaches the lines";
}

TEST(WiegandGpio, AChipThatIsNotThereIsNamedInTheError) {
  auto port = open_gpio_wiegand({"camrig-no-such-gpiochip", "0", "1"});
  ASSERT_FALSE(port);
  EXPECT_EQ(port.error().code, ErrorCode::not_found);
  EXPECT_NE(port.error().message.find("no GPIO chip camrig-no-such-gpiochip"), std::string::npos) << port.error().message;
  const auto unnamed = open_gpio_wiegand({"", "0", "1"});
  ASSERT_FALSE(unnamed);
  EXPECT_EQ(unnamed.error().code, ErrorCode::invalid_argument);
}

// The kernel's simulated GPIO chips (gpio-sim, or the older gpio-mockup), when loaded, by label.
std::string simulated_chip() {
  gpiod_chip_iter* chips = gpiod_chip_iter_new();
  if (!chips) return "";
  std::string found;
  gpiod_chip* chip = nullptr;
  gpiod_foreach_chip(chips, chip) {
    const std::string label = gpiod_chip_label(chip);
    if (found.empty() && gpiod_chip_num_lines(chip) >= 2 &&
        (label.rfind("gpio-sim", 0) == 0 || label.rfind("gpio-mockup", 0) == 0)) {
      found = gpiod_chip_name(chip);
    }
  }
  gpiod_chip_iter_free(chips);
  return found;
}

TEST(WiegandGpio, DrivesTwoLinesOfASimulatedChip) {
  const std::string chip_name = simulated_chip();
  if (chip_name.empty()) {
    GTEST_SKIP() << "no gpio-sim or gpio-mockup chip: load one (modprobe gpio-mockup gpio_mockup_ranges=-1,8, "
                    "as root) to run this test; containers usually have neither the module nor /dev/gpiochip*";
  }
  const WiegandGpioConfig config{chip_name, "0", "1", "camrig wiegand test"};
  auto lines = GpioWiegandLines::open(config);
  ASSERT_TRUE(lines) << lines.error().message;

  // The lines are ours, outputs, and high before anything is sent.
  gpiod_chip* chip = gpiod_chip_open_lookup(chip_name.c_str());
  ASSERT_NE(chip, nullptr);
  for (unsigned offset : {0u, 1u}) {
    gpiod_line* line = gpiod_chip_get_line(chip, offset);
    ASSERT_NE(line, nullptr);
    ASSERT_EQ(gpiod_line_update(line), 0);
    EXPECT_TRUE(gpiod_line_is_used(line));
    EXPECT_EQ(gpiod_line_direction(line), GPIOD_LINE_DIRECTION_OUTPUT);
    EXPECT_STREQ(gpiod_line_consumer(line), "camrig wiegand test");
  }
  gpiod_chip_close(chip);

  // Held lines are refused to a second user with who holds them.
  const auto second = GpioWiegandLines::open(config);
  ASSERT_FALSE(second);
  EXPECT_EQ(second.error().code, ErrorCode::unavailable);
  EXPECT_NE(second.error().message.find("camrig wiegand test"), std::string::npos) << second.error().message;

  WiegandPort port(std::move(*lines));
  EXPECT_TRUE(port.send(frame_of(traffic::WiegandFormat::bits26, 4567, 123)));
}

}  // namespace
}  // namespace camrig::hil
