#include "device/traffic/input_tap.hpp"

namespace camrig::traffic {

InputTap::InputTap(hal::DigitalInputs& inputs) : inputs_(inputs) {
  inputs_.on_edge([this](int index, bool closed, hal::Nanos at) { deliver(index, closed, at); });
}

InputTap::~InputTap() { inputs_.on_edge(nullptr); }

void InputTap::on_edge(EdgeHandler handler) {
  std::lock_guard lock(mutex_);
  handler_ = std::move(handler);
}

void InputTap::set_listener(EdgeHandler listener) {
  std::lock_guard lock(mutex_);
  listener_ = std::move(listener);
}

void InputTap::deliver(int index, bool closed, hal::Nanos at) {
  EdgeHandler handler, listener;
  {
    std::lock_guard lock(mutex_);
    handler = handler_;
    listener = listener_;
  }
  // Called outside the lock: either reader may replace handlers from its callback.
  if (handler) handler(index, closed, at);
  if (listener) listener(index, closed, at);
}

}  // namespace camrig::traffic
