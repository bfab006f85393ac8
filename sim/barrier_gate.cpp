#include "sim/barrier_gate.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <utility>

namespace camrig::sim {

const char* to_string(BarrierState state) {
  switch (state) {
    case BarrierState::closed: return "closed";
    case BarrierState::opening: return "opening";
    case BarrierState::open: return "open";
    case BarrierState::closing: return "closing";
  }
  return "?";
}

BarrierGate::BarrierGate(hal::Clock& clock, VirtualRelays& relays, BarrierGateOptions options)
    : clock_(clock), relays_(relays), options_(options) {
  const int count = relays.count();
  if (options.open_relay < 0 || options.open_relay >= count || options.close_relay < 0 ||
      options.close_relay >= count) {
    throw std::invalid_argument("BarrierGate: relay index outside the relay outputs");
  }
  if (options.open_relay == options.close_relay) {
    throw std::invalid_argument("BarrierGate: open and close ports must be different relays");
  }
  if (options.opening_time <= hal::Nanos{0} || options.closing_time <= hal::Nanos{0}) {
    throw std::invalid_argument("BarrierGate: opening and closing times must be positive");
  }
  if (options.min_pulse < hal::Nanos{0}) throw std::invalid_argument("BarrierGate: negative minimum pulse");
  transitions_.front().at = clock.now();
  relay_listener_ = relays.add_listener([this](const RelayChange& change) { on_relay(change); });
}

BarrierGate::~BarrierGate() {
  relays_.remove_listener(relay_listener_);
  std::lock_guard lock(mutex_);
  if (motion_) clock_.cancel(motion_timer_);
  for (auto& timer : pulse_timer_) {
    if (timer) clock_.cancel(*timer);
  }
}

double BarrierGate::position_locked(hal::Nanos at) const {
  if (!motion_) return rest_position_;
  const auto& m = *motion_;
  if (at >= m.end) return m.to;
  if (at <= m.start) return m.from;
  const double fraction = static_cast<double>((at - m.start).count()) / static_cast<double>((m.end - m.start).count());
  return m.from + (m.to - m.from) * fraction;
}

BarrierState BarrierGate::state_locked(hal::Nanos at) const {
  if (motion_ && at < motion_->end) return motion_->to > motion_->from ? BarrierState::opening : BarrierState::closing;
  const double p = position_locked(at);
  return p >= 1.0 ? BarrierState::open : BarrierState::closed;
}

bool BarrierGate::hold_locked() const {
  return always_open_ || (options_.hold_while_open_port_closed && open_port_held_);
}

BarrierState BarrierGate::state() const {
  std::lock_guard lock(mutex_);
  return state_locked(clock_.now());
}

double BarrierGate::position() const {
  std::lock_guard lock(mutex_);
  return position_locked(clock_.now());
}

bool BarrierGate::is_passable() const { return state() == BarrierState::open; }

// Ends a motion whose end time has passed (a timer may not have run yet when a command arrives
// at the same instant), recording the arrival.
std::vector<BarrierTransition> BarrierGate::settle_locked(hal::Nanos at) {
  std::vector<BarrierTransition> out;
  if (motion_ && at >= motion_->end) {
    rest_position_ = motion_->to;
    const BarrierTransition arrived{motion_->end, rest_position_ >= 1.0 ? BarrierState::open : BarrierState::closed};
    clock_.cancel(motion_timer_);
    motion_.reset();
    transitions_.push_back(arrived);
    out.push_back(arrived);
  }
  return out;
}

std::vector<BarrierTransition> BarrierGate::apply_locked(Command command, hal::Nanos at) {
  auto out = settle_locked(at);
  if (command == Command::close && hold_locked()) {
    ++ignored_close_;
    return out;
  }
  const double target = command == Command::open ? 1.0 : 0.0;
  const double here = position_locked(at);
  if (motion_ && motion_->to == target) return out;  // already going there
  if (!motion_ && here == target) return out;         // already there
  if (motion_) clock_.cancel(motion_timer_);
  const auto full = command == Command::open ? options_.opening_time : options_.closing_time;
  const auto duration = hal::Nanos{static_cast<hal::Nanos::rep>(static_cast<double>(full.count()) * std::abs(target - here) + 0.5)};
  motion_ = Motion{here, target, at, at + duration};
  rest_position_ = here;
  const BarrierTransition started{at, command == Command::open ? BarrierState::opening : BarrierState::closing};
  transitions_.push_back(started);
  out.push_back(started);
  const auto end = motion_->end;
  motion_timer_ = clock_.call_at(end, [this, end] {
    std::vector<BarrierTransition> arrived;
    {
      std::lock_guard lock(mutex_);
      if (motion_ && motion_->end == end) arrived = settle_locked(end);
    }
    notify(arrived);
  });
  return out;
}

void BarrierGate::on_relay(const RelayChange& change) {
  const int port = change.index == options_.open_relay ? 0 : change.index == options_.close_relay ? 1 : -1;
  if (port < 0) return;
  const auto command = port == 0 ? Command::open : Command::close;
  std::vector<BarrierTransition> out;
  {
    std::lock_guard lock(mutex_);
    auto& timer = pulse_timer_[port];
    if (!change.closed) {
      // Released: a pulse shorter than min_pulse is dropped; a held open port releases the hold.
      if (timer) {
        clock_.cancel(*timer);
        timer.reset();
      }
      if (port == 0) open_port_held_ = false;
      return;
    }
    if (options_.min_pulse == hal::Nanos{0}) {
      if (port == 0) open_port_held_ = true;
      out = apply_locked(command, change.at);
    } else {
      const auto due = change.at + options_.min_pulse;
      timer = clock_.call_at(due, [this, port, command, due] {
        std::vector<BarrierTransition> started;
        {
          std::lock_guard inner(mutex_);
          if (!pulse_timer_[port]) return;
          pulse_timer_[port].reset();
          if (port == 0) open_port_held_ = true;
          started = apply_locked(command, due);
        }
        notify(started);
      });
    }
  }
  notify(out);
}

void BarrierGate::set_always_open(bool hold) {
  std::vector<BarrierTransition> out;
  {
    std::lock_guard lock(mutex_);
    always_open_ = hold;
    if (hold) out = apply_locked(Command::open, clock_.now());
  }
  notify(out);
}

bool BarrierGate::always_open() const {
  std::lock_guard lock(mutex_);
  return hold_locked();
}

void BarrierGate::command_open() {
  std::vector<BarrierTransition> out;
  {
    std::lock_guard lock(mutex_);
    out = apply_locked(Command::open, clock_.now());
  }
  notify(out);
}

void BarrierGate::command_close() {
  std::vector<BarrierTransition> out;
  {
    std::lock_guard lock(mutex_);
    out = apply_locked(Command::close, clock_.now());
  }
  notify(out);
}

Result<void> BarrierGate::set_opening_time(hal::Nanos time) {
  if (time <= hal::Nanos{0}) return make_error(ErrorCode::out_of_range, "barrier opening time must be positive");
  std::lock_guard lock(mutex_);
  options_.opening_time = time;
  return {};
}

Result<void> BarrierGate::set_closing_time(hal::Nanos time) {
  if (time <= hal::Nanos{0}) return make_error(ErrorCode::out_of_range, "barrier closing time must be positive");
  std::lock_guard lock(mutex_);
  options_.closing_time = time;
  return {};
}

std::vector<BarrierTransition> BarrierGate::transitions() const {
  std::lock_guard lock(mutex_);
  return transitions_;
}

int BarrierGate::ignored_close_commands() const {
  std::lock_guard lock(mutex_);
  return ignored_close_;
}

void BarrierGate::set_listener(Listener listener) {
  std::lock_guard lock(mutex_);
  listener_ = std::move(listener);
}

void BarrierGate::notify(const std::vector<BarrierTransition>& transitions) {
  if (transitions.empty()) return;
  Listener listener;
  {
    std::lock_guard lock(mutex_);
    listener = listener_;
  }
  if (!listener) return;
  for (const auto& transition : transitions) listener(transition);
}

}  // namespace camrig::sim
