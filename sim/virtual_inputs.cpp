#include "sim/virtual_inputs.hpp"

#include <stdexcept>
#include <utility>

namespace camrig::sim {

VirtualInputs::VirtualInputs(const hal::Clock& clock, int count) : clock_(clock) {
  if (count < 0) throw std::invalid_argument("VirtualInputs: negative input count");
  terminals_.resize(static_cast<std::size_t>(count));
}

int VirtualInputs::count() const {
  std::lock_guard lock(mutex_);
  return static_cast<int>(terminals_.size());
}

Result<void> VirtualInputs::check(int index) const {
  if (index < 0 || index >= static_cast<int>(terminals_.size())) {
    return make_error(ErrorCode::out_of_range, "alarm input " + std::to_string(index + 1) +
                                                   " does not exist (inputs: " +
                                                   std::to_string(terminals_.size()) + ")");
  }
  return {};
}

bool VirtualInputs::closed(int index) const {
  std::lock_guard lock(mutex_);
  if (!check(index)) return false;
  return level(terminals_[static_cast<std::size_t>(index)]);
}

void VirtualInputs::on_edge(EdgeHandler handler) {
  std::lock_guard lock(mutex_);
  handler_ = std::move(handler);
}

template <class Change>
Result<void> VirtualInputs::update(int index, Change change) {
  EdgeHandler handler;
  bool now_closed = false;
  {
    std::lock_guard lock(mutex_);
    if (auto ok = check(index); !ok) return ok;
    auto& terminal = terminals_[static_cast<std::size_t>(index)];
    const bool before = level(terminal);
    change(terminal);
    now_closed = level(terminal);
    if (now_closed == before) return {};
    ++terminal.edges;
    handler = handler_;
  }
  // Outside the lock, so the handler may read the inputs back.
  if (handler) handler(index, now_closed, clock_.now());
  return {};
}

Result<void> VirtualInputs::attach(int index, SensorWiring sensor) {
  return update(index, [&](Terminal& terminal) {
    terminal.sensor = std::move(sensor);
    terminal.active = false;
  });
}

SensorWiring VirtualInputs::sensor(int index) const {
  std::lock_guard lock(mutex_);
  if (!check(index)) return {};
  return terminals_[static_cast<std::size_t>(index)].sensor;
}

Result<void> VirtualInputs::set_active(int index, bool active) {
  return update(index, [&](Terminal& terminal) { terminal.active = active; });
}

bool VirtualInputs::active(int index) const {
  std::lock_guard lock(mutex_);
  if (!check(index)) return false;
  return terminals_[static_cast<std::size_t>(index)].active;
}

int VirtualInputs::edge_count(int index) const {
  std::lock_guard lock(mutex_);
  if (!check(index)) return 0;
  return terminals_[static_cast<std::size_t>(index)].edges;
}

}  // namespace camrig::sim
