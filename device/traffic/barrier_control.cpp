#include "device/traffic/barrier_control.hpp"

#include <algorithm>
#include <array>
#include <map>
#include <mutex>
#include <optional>
#include <sstream>
#include <vector>

#include "device/core/log.hpp"
#include "device/core/text.hpp"

namespace camrig::traffic {
namespace {

using namespace std::chrono_literals;

constexpr const char* k_day_keys[] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
// While the lane is occupied when the barrier should close, look again this often.
constexpr auto k_close_retry = 1s;

hal::Nanos seconds_to_nanos(double seconds) {
  return std::chrono::duration_cast<hal::Nanos>(std::chrono::duration<double>(seconds));
}

}  // namespace

std::string_view to_string(BarrierMode mode) {
  switch (mode) {
    case BarrierMode::all_vehicles: return "all_vehicles";
    case BarrierMode::licensed: return "licensed";
    case BarrierMode::allowlist: return "allowlist";
    case BarrierMode::manual: return "manual";
  }
  return "manual";
}

std::string_view to_string(BarrierAction action) {
  switch (action) {
    case BarrierAction::opened: return "opened";
    case BarrierAction::held_open: return "heldOpen";
    case BarrierAction::stays_closed: return "staysClosed";
    case BarrierAction::not_controlled: return "notControlled";
  }
  return "notControlled";
}

Result<events::ArmingSchedule> parse_weekly_periods(std::string_view text) {
  std::array<std::vector<events::TimePeriod>, 7> days;
  std::size_t start = 0;
  while (start <= text.size()) {
    const auto end = std::min(text.find(';', start), text.size());
    const std::string item(text::trim(text.substr(start, end - start)));
    start = end + 1;
    if (item.empty()) continue;
    const auto space = item.find(' ');
    const auto dash = item.find('-');
    const auto refuse = [&item](const std::string& why) {
      return make_error(ErrorCode::invalid_argument,
                        "always-open period '" + item + "': " + why + " (write e.g. 'mon 07:00-09:00; sat 00:00-24:00')");
    };
    if (space == std::string::npos || dash == std::string::npos || dash < space) return refuse("expected 'day start-end'");
    const std::string day = text::to_lower(std::string_view(item).substr(0, space));
    int index = -1;
    for (int d = 0; d < 7; ++d)
      if (day == k_day_keys[d]) index = d;
    if (index < 0) return refuse("the day must be mon, tue, wed, thu, fri, sat or sun");
    auto from = events::parse_time_of_day(std::string(text::trim(item.substr(space + 1, dash - space - 1))));
    auto to = events::parse_time_of_day(std::string(text::trim(item.substr(dash + 1))));
    if (!from) return refuse(from.error().message);
    if (!to) return refuse(to.error().message);
    days[static_cast<std::size_t>(index)].push_back({*from, *to});
  }
  for (auto& day : days)
    std::sort(day.begin(), day.end(), [](const auto& a, const auto& b) { return a.start_minute < b.start_minute; });
  return events::ArmingSchedule::create(std::move(days), k_barrier_periods_per_day);
}

std::string format_weekly_periods(const events::ArmingSchedule& schedule) {
  std::ostringstream out;
  const char* separator = "";
  for (std::size_t d = 0; d < 7; ++d)
    for (const auto& period : schedule.days()[d]) {
      out << separator << k_day_keys[d] << ' ' << events::format_time_of_day(period.start_minute).substr(0, 5) << '-'
          << events::format_time_of_day(period.end_minute).substr(0, 5);
      separator = "; ";
    }
  return out.str();
}

Result<BarrierSettings> BarrierSettings::from_config(const core::ConfigService& config) {
  BarrierSettings settings;
  settings.enabled = config.get_bool("traffic.barrier.enabled");
  const auto mode = config.get_string("traffic.barrier.mode");
  settings.mode = mode == "all_vehicles" ? BarrierMode::all_vehicles
                  : mode == "licensed"   ? BarrierMode::licensed
                  : mode == "manual"     ? BarrierMode::manual
                                         : BarrierMode::allowlist;
  settings.open_port = static_cast<int>(config.get_int("traffic.barrier.open_port"));
  settings.open_pulse = seconds_to_nanos(config.get_number("traffic.barrier.open_duration"));
  settings.close_port = static_cast<int>(config.get_int("traffic.barrier.close_port"));
  settings.close_pulse = seconds_to_nanos(config.get_number("traffic.barrier.close_duration"));
  settings.auto_close = std::chrono::seconds(config.get_int("traffic.barrier.auto_close"));
  settings.always_open = config.get_bool("traffic.barrier.always_open");
  auto schedule = parse_weekly_periods(config.get_string("traffic.barrier.always_open_schedule"));
  if (!schedule) return schedule.error();
  settings.always_open_schedule = std::move(*schedule);
  return settings;
}

struct BarrierControl::Shared {
  hal::Clock& clock;
  hal::RelayOutputs& relays;
  SettingsSource settings;
  std::function<bool()> lane_occupied;

  // Held by every timer callback for its whole run, and by stop(): once stop() returns no callback
  // touches the relays or the lane sensor any more (they may be going away).
  std::mutex callback_mutex;
  std::mutex mutex;
  bool running = false;
  int held_port = 0;  // 1-based port held closed by the always-open schedule, 0: none
  // Each pending timer with its generation: a callback whose generation moved on does nothing.
  std::map<int, std::pair<hal::Clock::TimerId, std::uint64_t>> pulse_timers;  // by 1-based port
  std::optional<hal::Clock::TimerId> close_timer;
  std::optional<hal::Clock::TimerId> minute_timer;
  std::uint64_t generation = 0;
  std::uint64_t close_generation = 0;

  Shared(hal::Clock& c, hal::RelayOutputs& r, SettingsSource s, std::function<bool()> o)
      : clock(c), relays(r), settings(std::move(s)), lane_occupied(std::move(o)) {}

  void set_relay(int port, bool closed) {
    if (auto set = relays.set(port - 1, closed); !set)
      log::get("traffic")->warn("barrier relay NO{}: {}", port, set.error().message);
  }

  // Closes `port` for `width`; a pulse under way on that port restarts. The other port is released
  // first, so the barrier never sees open and close at once.
  void pulse(const std::weak_ptr<Shared>& self, int port, int other_port, hal::Nanos width) {
    end_pulse(other_port);
    if (auto it = pulse_timers.find(port); it != pulse_timers.end()) {
      clock.cancel(it->second.first);
      pulse_timers.erase(it);
    }
    set_relay(port, true);
    const auto my_generation = ++generation;
    const auto timer = clock.call_at(clock.now() + width, [self, port, my_generation] {
      auto shared = self.lock();
      if (!shared) return;
      std::lock_guard callback(shared->callback_mutex);
      std::lock_guard lock(shared->mutex);
      auto it = shared->pulse_timers.find(port);
      if (it == shared->pulse_timers.end() || it->second.second != my_generation) return;
      shared->pulse_timers.erase(it);
      if (shared->held_port != port) shared->set_relay(port, false);
    });
    pulse_timers[port] = {timer, my_generation};
  }

  void end_pulse(int port) {
    auto it = pulse_timers.find(port);
    if (it == pulse_timers.end()) return;
    clock.cancel(it->second.first);
    pulse_timers.erase(it);
    if (held_port != port) set_relay(port, false);
  }

  void cancel_close() {
    if (close_timer) clock.cancel(*close_timer);
    close_timer.reset();
    ++close_generation;
  }

  void schedule_close(const std::weak_ptr<Shared>& self, hal::Nanos after) {
    cancel_close();
    const auto my_generation = close_generation;
    close_timer = clock.call_at(clock.now() + after, [self, my_generation] {
      auto shared = self.lock();
      if (!shared) return;
      std::lock_guard callback(shared->callback_mutex);
      {
        std::lock_guard lock(shared->mutex);
        if (!shared->running) return;
      }
      // Asked outside our lock: the lane sensor takes the configuration's.
      const bool occupied = shared->lane_occupied && shared->lane_occupied();
      std::lock_guard lock(shared->mutex);
      if (!shared->running || shared->close_generation != my_generation || shared->held_port) return;
      shared->close_timer.reset();
      if (occupied) {
        shared->schedule_close(self, k_close_retry);  // never lower the boom onto a vehicle
        return;
      }
      const auto now = shared->settings();
      shared->pulse(self, now.close_port, now.open_port, now.close_pulse);
    });
  }

  // Applies the always-open schedule now and plans the next check at the next wall-clock minute.
  void evaluate(const std::weak_ptr<Shared>& self) {
    if (!running) return;
    const auto now = settings();
    const bool hold = now.enabled && now.always_open && now.always_open_schedule.armed_at(clock.wall_time());
    if (hold && held_port != now.open_port) {
      if (held_port) set_relay(held_port, false);
      end_pulse(now.close_port);
      cancel_close();
      held_port = now.open_port;
      set_relay(held_port, true);  // held, not pulsed: the barrier stays up and ignores closing
      log::get("traffic")->info("barrier held open by the always-open schedule (NO{})", held_port);
    } else if (!hold && held_port) {
      set_relay(held_port, false);
      held_port = 0;
      log::get("traffic")->info("always-open period over: the barrier closes once the lane is clear");
      schedule_close(self, std::chrono::milliseconds(1));
    }
    const auto wall = clock.wall_time().time_since_epoch();
    const auto to_next_minute = std::chrono::minutes(1) - (wall % std::chrono::minutes(1));
    if (minute_timer) clock.cancel(*minute_timer);
    minute_timer = clock.call_at(clock.now() + std::chrono::duration_cast<hal::Nanos>(to_next_minute), [self] {
      auto shared = self.lock();
      if (!shared) return;
      std::lock_guard callback(shared->callback_mutex);
      std::lock_guard lock(shared->mutex);
      shared->minute_timer.reset();
      shared->evaluate(self);
    });
  }
};

BarrierControl::BarrierControl(hal::Clock& clock, hal::RelayOutputs& relays, SettingsSource settings,
                               std::function<bool()> lane_occupied)
    : shared_(std::make_shared<Shared>(clock, relays, std::move(settings), std::move(lane_occupied))) {}

BarrierControl::~BarrierControl() { stop(); }

void BarrierControl::start() {
  std::lock_guard lock(shared_->mutex);
  if (shared_->running) return;
  shared_->running = true;
  shared_->evaluate(shared_);
}

void BarrierControl::stop() {
  std::lock_guard callback(shared_->callback_mutex);
  std::lock_guard lock(shared_->mutex);
  if (!shared_->running) return;
  shared_->running = false;
  auto& s = *shared_;
  for (const auto& [port, timer] : s.pulse_timers) {
    s.clock.cancel(timer.first);
    s.set_relay(port, false);
  }
  s.pulse_timers.clear();
  s.cancel_close();
  if (s.minute_timer) s.clock.cancel(*s.minute_timer);
  s.minute_timer.reset();
  if (s.held_port) s.set_relay(s.held_port, false);
  s.held_port = 0;
}

void BarrierControl::refresh() {
  std::lock_guard lock(shared_->mutex);
  shared_->evaluate(shared_);
}

bool BarrierControl::held_open() const {
  std::lock_guard lock(shared_->mutex);
  return shared_->held_port != 0;
}

BarrierAction BarrierControl::on_vehicle(std::string_view plate, PlateVerdict verdict) {
  const auto settings = shared_->settings();
  if (!settings.enabled || settings.mode == BarrierMode::manual) return BarrierAction::not_controlled;
  std::lock_guard lock(shared_->mutex);
  if (!shared_->running) return BarrierAction::not_controlled;
  if (shared_->held_port) return BarrierAction::held_open;
  // The blocklist wins in every mode: a blocked vehicle never opens the barrier.
  bool opens = false;
  switch (settings.mode) {
    case BarrierMode::all_vehicles: opens = verdict != PlateVerdict::blocked; break;
    case BarrierMode::licensed: opens = !plate.empty() && verdict != PlateVerdict::blocked; break;
    case BarrierMode::allowlist: opens = verdict == PlateVerdict::allowed; break;
    case BarrierMode::manual: break;
  }
  if (!opens) return BarrierAction::stays_closed;
  shared_->pulse(shared_, settings.open_port, settings.close_port, settings.open_pulse);
  if (settings.auto_close > 0s) shared_->schedule_close(shared_, settings.auto_close);
  else shared_->cancel_close();
  return BarrierAction::opened;
}

Result<void> BarrierControl::open() {
  const auto settings = shared_->settings();
  if (!settings.enabled)
    return make_error(ErrorCode::not_configurable, "barrier control is disabled: enable it before opening the barrier");
  std::lock_guard lock(shared_->mutex);
  if (!shared_->running) return make_error(ErrorCode::unavailable, "barrier control is not running");
  if (shared_->held_port) return {};  // already held open
  shared_->pulse(shared_, settings.open_port, settings.close_port, settings.open_pulse);
  // A manual opening stays until a manual close (no automatic closing after it).
  shared_->cancel_close();
  return {};
}

Result<void> BarrierControl::close() {
  const auto settings = shared_->settings();
  if (!settings.enabled)
    return make_error(ErrorCode::not_configurable, "barrier control is disabled: enable it before closing the barrier");
  std::lock_guard lock(shared_->mutex);
  if (!shared_->running) return make_error(ErrorCode::unavailable, "barrier control is not running");
  if (shared_->held_port)
    return make_error(ErrorCode::not_configurable,
                      "the barrier is held open by the always-open schedule; change the schedule to close it");
  shared_->cancel_close();
  shared_->pulse(shared_, settings.close_port, settings.open_port, settings.close_pulse);
  return {};
}

}  // namespace camrig::traffic
