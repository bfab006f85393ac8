// A parking barrier (boom gate) driven by two of the camera's relays, as an LPR camera wires it:
// a pulse on the open port raises the boom, a pulse on the close port lowers it. The world asks
// whether a vehicle can pass; tests check the timing of the firmware's pulses against the boom.
//
// Behaviour (all times on the device clock, so lockstep runs repeat):
// - A port's contact must stay closed for at least `min_pulse` to count; the command takes effect
//   `min_pulse` after the contact closed (the controller's debounce), shorter pulses are ignored.
// - Opening from fully closed takes `opening_time`, closing from fully open `closing_time`; the
//   boom moves at constant speed, so position 0 (down) .. 1 (up) is linear in time.
// - A command against the current motion reverses it from where the boom is (a close while
//   opening at 0.4 closes from 0.4 and takes 0.4 * closing_time); a command in the direction it
//   already goes, or to where it already is, changes nothing.
// - "Always open": while the hold is on the boom opens (if it is not already) and close commands
//   are ignored. The hold is on while set_always_open(true) is in force, and, with
//   `hold_while_open_port_closed`, while the open port's contact is held closed (the "held relay"
//   reading of the manual's "Scheduled Barrier Always Open"). When the hold ends the boom stays
//   up until a close command.
#pragma once

#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <vector>

#include "device/hal/clock.hpp"
#include "sim/virtual_relays.hpp"

namespace camrig::sim {

enum class BarrierState { closed, opening, open, closing };

const char* to_string(BarrierState state);

struct BarrierGateOptions {
  int open_relay = 0;   //!< relay index wired to the barrier's open input (NO1)
  int close_relay = 1;  //!< relay index wired to the close input (NO2)
  hal::Nanos min_pulse = std::chrono::milliseconds(100);
  hal::Nanos opening_time = std::chrono::seconds(3);
  hal::Nanos closing_time = std::chrono::seconds(3);
  bool hold_while_open_port_closed = true;
};

struct BarrierTransition {
  hal::Nanos at{0};
  BarrierState state = BarrierState::closed;
  friend bool operator==(const BarrierTransition&, const BarrierTransition&) = default;
};

class BarrierGate {
 public:
  //! Called on every transition, on the thread that drove the relay or advanced the clock.
  using Listener = std::function<void(const BarrierTransition& transition)>;

  //! Starts closed and listens to `relays`. `clock` and `relays` must outlive the gate, and the
  //! gate must not be destroyed while the clock may be running one of its timers (a realtime
  //! clock's timer thread). Throws std::invalid_argument for relay indices outside `relays`, equal
  //! ports, or non-positive opening/closing times or a negative minimum pulse.
  BarrierGate(hal::Clock& clock, VirtualRelays& relays, BarrierGateOptions options = {});
  ~BarrierGate();
  BarrierGate(const BarrierGate&) = delete;
  BarrierGate& operator=(const BarrierGate&) = delete;

  BarrierState state() const;
  //! 0 = fully down, 1 = fully up, interpolated on the clock.
  double position() const;
  //! True only when fully open: a vehicle can drive through.
  bool is_passable() const;

  void set_always_open(bool hold);
  //! True while any hold (set_always_open or a held open port) is in force.
  bool always_open() const;

  //! Commands as the barrier's own push buttons give them (the world, a manual override): the
  //! same as a valid pulse on the port, effective now.
  void command_open();
  void command_close();

  //! The settable times (full stroke), used by motions that start afterwards. A time that is not
  //! positive fails with out_of_range.
  Result<void> set_opening_time(hal::Nanos time);
  Result<void> set_closing_time(hal::Nanos time);

  //! Every transition so far, starting with {0, closed}.
  std::vector<BarrierTransition> transitions() const;
  //! Close commands refused because the hold was on.
  int ignored_close_commands() const;

  void set_listener(Listener listener);

 private:
  struct Motion {
    double from = 0, to = 0;
    hal::Nanos start{0}, end{0};
  };
  enum class Command { open, close };

  void on_relay(const RelayChange& change);
  // Each returns the transitions to notify after the lock is released.
  std::vector<BarrierTransition> apply_locked(Command command, hal::Nanos at);
  std::vector<BarrierTransition> settle_locked(hal::Nanos at);
  double position_locked(hal::Nanos at) const;
  BarrierState state_locked(hal::Nanos at) const;
  bool hold_locked() const;
  void notify(const std::vector<BarrierTransition>& transitions);

  hal::Clock& clock_;
  VirtualRelays& relays_;
  VirtualRelays::ListenerId relay_listener_ = 0;

  mutable std::mutex mutex_;
  BarrierGateOptions options_;
  double rest_position_ = 0;     // where the boom is when no motion is under way
  std::optional<Motion> motion_;
  hal::Clock::TimerId motion_timer_ = 0;
  std::optional<hal::Clock::TimerId> pulse_timer_[2];  // open port, close port
  bool open_port_held_ = false;  // the open port's contact closed for at least min_pulse
  bool always_open_ = false;
  int ignored_close_ = 0;
  std::vector<BarrierTransition> transitions_{{hal::Nanos{0}, BarrierState::closed}};
  Listener listener_;
};

}  // namespace camrig::sim
