// Alarm inputs shared by two readers: the event engine installs the one edge handler that
// hal::DigitalInputs allows, and the LPR camera's loops need the same edges. This decorator hands
// every edge to the installed handler and then to the listener (vehicle capture).
#pragma once

#include <functional>
#include <mutex>

#include "device/hal/digital_inputs.hpp"

namespace camrig::traffic {

class InputTap final : public hal::DigitalInputs {
 public:
  //! `inputs` must outlive the tap.
  explicit InputTap(hal::DigitalInputs& inputs);
  ~InputTap() override;
  InputTap(const InputTap&) = delete;
  InputTap& operator=(const InputTap&) = delete;

  int count() const override { return inputs_.count(); }
  bool closed(int index) const override { return inputs_.closed(index); }
  void on_edge(EdgeHandler handler) override;

  //! The second reader of every edge; an empty listener stops it.
  void set_listener(EdgeHandler listener);

 private:
  void deliver(int index, bool closed, hal::Nanos at);

  hal::DigitalInputs& inputs_;
  std::mutex mutex_;
  EdgeHandler handler_;
  EdgeHandler listener_;
};

}  // namespace camrig::traffic
