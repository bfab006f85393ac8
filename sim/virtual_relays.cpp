#include "sim/virtual_relays.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>
#include <utility>

namespace camrig::sim {

VirtualRelays::VirtualRelays(const hal::Clock& clock, int count) : clock_(clock) {
  if (count < 0) throw std::invalid_argument("VirtualRelays: negative relay count");
  closed_.resize(static_cast<std::size_t>(count), false);
}

int VirtualRelays::count() const {
  std::lock_guard lock(mutex_);
  return static_cast<int>(closed_.size());
}

Result<void> VirtualRelays::set(int index, bool closed) {
  RelayChange change;
  std::vector<Listener> listeners;
  {
    std::lock_guard lock(mutex_);
    if (index < 0 || index >= static_cast<int>(closed_.size())) {
      return make_error(ErrorCode::out_of_range, "relay output " + std::to_string(index + 1) +
                                                     " does not exist (outputs: " +
                                                     std::to_string(closed_.size()) + ")");
    }
    if (closed_[static_cast<std::size_t>(index)] == closed) return {};
    closed_[static_cast<std::size_t>(index)] = closed;
    change = RelayChange{clock_.now(), index, closed};
    history_.push_back(change);
    listeners.reserve(listeners_.size());
    for (const auto& entry : listeners_) listeners.push_back(entry.second);
  }
  // Outside the lock: a listener may read the relays back or schedule work on the clock.
  for (const auto& listener : listeners) listener(change);
  return {};
}

bool VirtualRelays::closed(int index) const {
  std::lock_guard lock(mutex_);
  if (index < 0 || index >= static_cast<int>(closed_.size())) return false;
  return closed_[static_cast<std::size_t>(index)];
}

std::vector<RelayChange> VirtualRelays::history() const {
  std::lock_guard lock(mutex_);
  return history_;
}

std::vector<RelayPulse> VirtualRelays::pulses(int index) const {
  std::lock_guard lock(mutex_);
  std::vector<RelayPulse> result;
  for (const auto& change : history_) {
    if (change.index != index) continue;
    if (change.closed) {
      result.push_back(RelayPulse{index, change.at, std::nullopt});
    } else if (!result.empty() && !result.back().end) {
      result.back().end = change.at;
    }
  }
  return result;
}

void VirtualRelays::clear_history() {
  std::lock_guard lock(mutex_);
  history_.clear();
}

VirtualRelays::ListenerId VirtualRelays::add_listener(Listener listener) {
  std::lock_guard lock(mutex_);
  const auto id = next_listener_++;
  listeners_.emplace_back(id, std::move(listener));
  return id;
}

void VirtualRelays::remove_listener(ListenerId id) {
  std::lock_guard lock(mutex_);
  std::erase_if(listeners_, [id](const auto& entry) { return entry.first == id; });
}

}  // namespace camrig::sim
