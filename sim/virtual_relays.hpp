// Relay outputs of a simulated camera (NO1/NO2, alarm outs, barrier open/close ports). The device
// drives them through hal::RelayOutputs; the world reads their state, listens for changes (a
// barrier gate, a siren) and tests read the recorded history to check pulse timing.
#pragma once

#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <vector>

#include "device/hal/clock.hpp"
#include "device/hal/relay_outputs.hpp"

namespace camrig::sim {

//! One change of a relay contact, stamped on the device clock.
struct RelayChange {
  hal::Nanos at{0};
  int index = 0;
  bool closed = false;
  friend bool operator==(const RelayChange&, const RelayChange&) = default;
};

//! A closure of a relay: from `start` until `end` (empty while it is still closed).
struct RelayPulse {
  int index = 0;
  hal::Nanos start{0};
  std::optional<hal::Nanos> end;
  std::optional<hal::Nanos> width() const {
    return end ? std::optional<hal::Nanos>(*end - start) : std::nullopt;
  }
};

class VirtualRelays final : public hal::RelayOutputs {
 public:
  //! Called after every change of a contact, on the thread that drove the relay.
  using Listener = std::function<void(const RelayChange& change)>;
  using ListenerId = std::uint64_t;

  //! `count` relays, all open. `clock` must outlive the relays. Throws std::invalid_argument for a
  //! negative count.
  VirtualRelays(const hal::Clock& clock, int count);

  // hal::RelayOutputs
  int count() const override;
  //! Records a change (and notifies listeners) only when the contact actually changes: setting a
  //! closed relay closed again is not an edge. Fails with out_of_range for a bad index.
  Result<void> set(int index, bool closed) override;
  bool closed(int index) const override;

  //! Every change since construction (or clear_history()), in order.
  std::vector<RelayChange> history() const;
  //! The closures of relay `index`, in order; the last one is open-ended while the relay is closed.
  std::vector<RelayPulse> pulses(int index) const;
  void clear_history();

  ListenerId add_listener(Listener listener);
  void remove_listener(ListenerId id);

 private:
  const hal::Clock& clock_;
  mutable std::mutex mutex_;
  std::vector<bool> closed_;
  std::vector<RelayChange> history_;
  std::vector<std::pair<ListenerId, Listener>> listeners_;
  ListenerId next_listener_ = 1;
};

}  // namespace camrig::sim
