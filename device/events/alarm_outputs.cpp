#include "device/events/alarm_outputs.hpp"

#include <algorithm>
#include <mutex>
#include <set>

#include "device/core/log.hpp"

namespace camrig::events {

using namespace std::chrono_literals;

bool valid_output_delay(std::chrono::seconds delay) {
  static constexpr std::chrono::seconds allowed[] = {5s, 10s, 30s, 60s, 120s, 300s, 600s};
  return std::find(std::begin(allowed), std::end(allowed), delay) != std::end(allowed);
}

struct AlarmOutputs::Shared {
  struct Output {
    AlarmOutputSettings settings;
    std::set<std::string> holders;
    bool manual = false;
    std::optional<hal::Clock::TimerId> off_timer;
    std::uint64_t generation = 0;  // a timer of an older generation no longer switches the relay off
  };

  hal::RelayOutputs* relays;
  hal::Clock& clock;
  std::mutex mutex;
  std::vector<Output> outputs;

  Shared(hal::RelayOutputs* r, hal::Clock& c) : relays(r), clock(c) {}

  Result<Output*> find(int id) {
    if (id < 1 || id > static_cast<int>(outputs.size()))
      return make_error(ErrorCode::not_found, "no alarm output " + std::to_string(id) + " (the device has " +
                                                  std::to_string(outputs.size()) + ")");
    return &outputs[static_cast<std::size_t>(id - 1)];
  }

  void drive(int id, bool closed) {
    if (auto set = relays->set(id - 1, closed); !set)
      log::get("events")->error("alarm output {}: {}", id, set.error().message);
  }

  void cancel_timer(Output& output) {
    ++output.generation;
    if (output.off_timer) clock.cancel(*output.off_timer);
    output.off_timer.reset();
  }
};

AlarmOutputs::AlarmOutputs(hal::RelayOutputs* relays, hal::Clock& clock)
    : shared_(std::make_shared<Shared>(relays, clock)) {
  const int count = relays ? relays->count() : 0;
  shared_->outputs.resize(static_cast<std::size_t>(std::max(count, 0)));
  // A camera boots with every output open (de-energised), whatever its contacts were when it
  // went down: nothing holds an output yet, and a relay left closed would hold a gate or a siren.
  for (int id = 1; id <= count; ++id) {
    shared_->outputs[static_cast<std::size_t>(id - 1)].settings.name = "Alarm Output " + std::to_string(id);
    shared_->drive(id, false);
  }
}

AlarmOutputs::~AlarmOutputs() {
  std::lock_guard lock(shared_->mutex);
  for (auto& output : shared_->outputs) shared_->cancel_timer(output);
}

int AlarmOutputs::count() const { return static_cast<int>(shared_->outputs.size()); }

Result<AlarmOutputSettings> AlarmOutputs::settings(int id) const {
  std::lock_guard lock(shared_->mutex);
  auto output = shared_->find(id);
  if (!output) return output.error();
  return (*output)->settings;
}

Result<void> AlarmOutputs::configure(int id, AlarmOutputSettings settings) {
  if (settings.delay && !valid_output_delay(*settings.delay))
    return make_error(ErrorCode::out_of_range, "alarm output " + std::to_string(id) + ": Delay " +
                                                   std::to_string(settings.delay->count()) +
                                                   " s is not one of 5 s, 10 s, 30 s, 1 min, 2 min, 5 min, 10 min or manual");
  if (settings.name.size() > 32)
    return make_error(ErrorCode::out_of_range, "alarm output " + std::to_string(id) + ": the name is longer than 32 characters");
  std::lock_guard lock(shared_->mutex);
  auto output = shared_->find(id);
  if (!output) return output.error();
  (*output)->settings = std::move(settings);
  return {};
}

Result<void> AlarmOutputs::hold(int id, const std::string& holder) {
  std::lock_guard lock(shared_->mutex);
  auto output = shared_->find(id);
  if (!output) return output.error();
  shared_->cancel_timer(**output);
  (*output)->holders.insert(holder);
  shared_->drive(id, true);
  return {};
}

Result<void> AlarmOutputs::release(int id, const std::string& holder, std::chrono::seconds post_alarm) {
  std::lock_guard lock(shared_->mutex);
  auto found = shared_->find(id);
  if (!found) return found.error();
  auto& output = **found;
  if (!output.holders.erase(holder) || !output.holders.empty() || output.manual) return {};
  // Delay "Manual": the output stays on until Clear Alarm.
  if (!output.settings.delay) return {};
  shared_->cancel_timer(output);
  const auto generation = output.generation;
  const auto deadline = shared_->clock.now() + *output.settings.delay + post_alarm;
  std::weak_ptr<Shared> weak = shared_;
  output.off_timer = shared_->clock.call_at(deadline, [weak, id, generation] {
    auto shared = weak.lock();
    if (!shared) return;
    std::lock_guard timer_lock(shared->mutex);
    auto& expiring = shared->outputs[static_cast<std::size_t>(id - 1)];
    if (expiring.generation != generation || !expiring.holders.empty() || expiring.manual) return;
    expiring.off_timer.reset();
    shared->drive(id, false);
  });
  return {};
}

Result<void> AlarmOutputs::set_manual(int id, bool on) {
  std::lock_guard lock(shared_->mutex);
  auto found = shared_->find(id);
  if (!found) return found.error();
  auto& output = **found;
  output.manual = on;
  shared_->cancel_timer(output);
  if (on) {
    shared_->drive(id, true);
  } else {
    // Clear Alarm ends the manual alarm and a latched ("Manual" delay) linkage alike.
    output.holders.clear();
    shared_->drive(id, false);
  }
  return {};
}

bool AlarmOutputs::active(int id) const {
  std::lock_guard lock(shared_->mutex);
  if (id < 1 || id > static_cast<int>(shared_->outputs.size())) return false;
  return shared_->relays->closed(id - 1);
}

}  // namespace camrig::events
