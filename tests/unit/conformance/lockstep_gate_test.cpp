// The lockstep runner's gate with a real LockstepClock and a paced "channel": an alert the camera
// sends right after a timeline step must reach the bench while device time is still near that
// step, never at the next one, and every frame must be drawn at its own device time.
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "conformance/lockstep_gate.hpp"
#include "device/core/lockstep_clock.hpp"

namespace camrig::conformance {
namespace {

using namespace std::chrono_literals;
using Nanos = std::chrono::nanoseconds;

constexpr Nanos k_frame = 40ms;

// One channel of the simulated world: a frame every 40 ms of device time, each taking a little
// real time to draw, paced by the gate as the runner's pacer is.
class Channel {
 public:
  Channel(LockstepGate& gate, core::LockstepClock& clock) : gate_(gate), clock_(clock) {
    thread_ = std::jthread([this](std::stop_token stop) {
      for (Nanos deadline{0};; deadline += k_frame) {
        if (!gate_.pass(deadline, stop)) return;
        clock_.advance_to(deadline);
        if (clock_.now() != deadline) ++frames_out_of_step_;
        ++frames_;
        std::this_thread::sleep_for(1ms);  // drawing and encoding the frame
      }
    });
  }
  int frames() const { return frames_; }
  int frames_out_of_step() const { return frames_out_of_step_; }

 private:
  LockstepGate& gate_;
  core::LockstepClock& clock_;
  std::atomic<int> frames_ = 0;
  std::atomic<int> frames_out_of_step_ = 0;
  std::jthread thread_;
};

// The runner's move of device time to a timeline step.
void advance(LockstepGate& gate, core::LockstepClock& clock, Nanos target) {
  gate.open_to(target);
  ASSERT_TRUE(gate.wait_held(1, [&] { return clock.now(); }, 2000ms)) << "the channel stalled";
  clock.advance_to(target);
}

TEST(LockstepGate, APacerReleasedByANewLimitIsNotCountedAsHeldBeforeItRuns) {
  LockstepGate gate;
  gate.open_to(2s);
  std::atomic<bool> passed = false;
  std::jthread pacer([&](std::stop_token stop) { passed = gate.pass(2s + k_frame, stop); });
  ASSERT_TRUE(gate.wait_held(1, [] { return Nanos{0}; }, 5000ms));
  EXPECT_EQ(gate.held(), 1);
  gate.open_to(4s);
  // Whether or not the pacer thread has woken yet, it no longer stands at the gate.
  EXPECT_EQ(gate.held(), 0);
  pacer.join();
  EXPECT_TRUE(passed);
}

TEST(LockstepGate, AnAlertSentAtAStepIsReceivedBeforeTheNextStep) {
  LockstepGate gate;
  core::LockstepClock clock(std::chrono::system_clock::time_point{});
  Channel channel(gate, clock);

  // The camera's alert writer and the bench's alertStream client, as one thread: it stamps the
  // alert with the device time at which it arrives.
  std::mutex mutex;
  std::condition_variable_any cv;
  bool alert_sent = false;
  std::atomic<double> received_at = -1;
  std::jthread alerts([&](std::stop_token stop) {
    std::unique_lock lock(mutex);
    if (!cv.wait(lock, stop, [&] { return alert_sent; })) return;
    received_at = std::chrono::duration<double>(clock.now()).count();
  });

  advance(gate, clock, 2s);
  EXPECT_EQ(clock.now(), 2s);
  {
    std::lock_guard lock(mutex);
    alert_sent = true;  // the step's action: an input edge the camera reports at once
  }
  cv.notify_all();
  advance(gate, clock, 4s);
  alerts.join();

  EXPECT_GE(received_at.load(), 2.0);
  EXPECT_LT(received_at.load(), 4.0) << "the alert was stamped with the next step's time";
  // The world really ran up to the step: 0, 0.04, ..., 4.0 s drawn, each at its own time.
  EXPECT_EQ(channel.frames(), 101);
  EXPECT_EQ(channel.frames_out_of_step(), 0);
}

// Ctrl-C during a long step: the runner stops waiting for pacers that never come, long before the
// stall limit.
TEST(LockstepGate, AStopEndsTheWaitForPacers) {
  LockstepGate gate;
  gate.open_to(2s);
  std::stop_source interrupt;
  std::jthread user([&] {
    std::this_thread::sleep_for(50ms);
    interrupt.request_stop();
  });
  const auto started = std::chrono::steady_clock::now();
  EXPECT_FALSE(gate.wait_held(1, [] { return Nanos{0}; }, 60000ms, {}, interrupt.get_token()));
  EXPECT_LT(std::chrono::steady_clock::now() - started, 10s);
}

}  // namespace
}  // namespace camrig::conformance
