// Barrier control of the LPR camera (LPR manual "Configure Barrier Control"): decides per vehicle
// whether the boom opens (All Vehicles, Licensed Vehicles, Open by Allowlist, Manual), pulses the
// opening and closing relay ports, closes again once the lane is clear, and holds the barrier open
// during the weekly "Scheduled Barrier Always Open" periods. Relays move through hal::RelayOutputs.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "device/core/config_service.hpp"
#include "device/core/result.hpp"
#include "device/events/arming_schedule.hpp"
#include "device/hal/clock.hpp"
#include "device/hal/relay_outputs.hpp"
#include "device/traffic/plate_list.hpp"

namespace camrig::traffic {

enum class BarrierMode { all_vehicles, licensed, allowlist, manual };
std::string_view to_string(BarrierMode mode);

//! Periods a day in the always-open schedule (the LPR camera's limit for its schedules).
constexpr std::size_t k_barrier_periods_per_day = 6;
//! "mon 07:00-09:00; sat 00:00-24:00": day (mon..sun), start-end; at most 6 periods a day.
Result<events::ArmingSchedule> parse_weekly_periods(std::string_view text);
std::string format_weekly_periods(const events::ArmingSchedule& schedule);

struct BarrierSettings {
  bool enabled = false;
  BarrierMode mode = BarrierMode::allowlist;
  int open_port = 1;   //!< 1-based relay (NO1)
  hal::Nanos open_pulse = std::chrono::seconds(1);
  int close_port = 2;  //!< 1-based relay (NO2)
  hal::Nanos close_pulse = std::chrono::seconds(1);
  //! The close pulse follows this long after the last opening, once the lane is clear; 0: never.
  std::chrono::seconds auto_close{10};
  bool always_open = false;
  events::ArmingSchedule always_open_schedule = events::ArmingSchedule::never();

  //! Reads traffic.barrier.*; a stored schedule that no longer parses is refused with its message.
  static Result<BarrierSettings> from_config(const core::ConfigService& config);
};

//! What the barrier did for one vehicle, for events and the pull API.
enum class BarrierAction { opened, held_open, stays_closed, not_controlled };
std::string_view to_string(BarrierAction action);

class BarrierControl {
 public:
  using SettingsSource = std::function<BarrierSettings()>;

  //! `lane_occupied` tells whether a vehicle is still under the boom (the loops); may be empty.
  //! Everything given must outlive the barrier control.
  BarrierControl(hal::Clock& clock, hal::RelayOutputs& relays, SettingsSource settings,
                 std::function<bool()> lane_occupied = {});
  ~BarrierControl();
  BarrierControl(const BarrierControl&) = delete;
  BarrierControl& operator=(const BarrierControl&) = delete;

  //! Starts following the always-open schedule (checked at each wall-clock minute and now).
  void start();
  //! Cancels every timer and releases a held open port; idempotent, the destructor calls it.
  void stop();

  //! A captured vehicle with its list verdict ("" plate: unlicensed). Drives the relay at once.
  BarrierAction on_vehicle(std::string_view plate, PlateVerdict verdict);
  //! Manual Control / Test Barrier: refused while barrier control is disabled, and closing while
  //! the always-open schedule holds the barrier.
  Result<void> open();
  Result<void> close();
  //! Re-reads the settings now (after a change) instead of at the next minute.
  void refresh();

  bool held_open() const;

 private:
  struct Shared;
  std::shared_ptr<Shared> shared_;
};

}  // namespace camrig::traffic
