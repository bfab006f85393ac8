// Vehicle capture of the LPR camera (LPR manual "Snapshot Setting"): turns loop edges and plate
// reads into vehicle passes. Owns the capture mode (Loop, Video, Mixed), the loop plans, per-loop
// trigger edges, loop-to-input mapping, speed over two loops, the direction filter, "Backing and
// Leaving", and the two de-duplications (same plate within the delay; Mixed never twice per pass).
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <string_view>

#include "device/core/config_service.hpp"
#include "device/hal/clock.hpp"
#include "device/traffic/plate_read.hpp"

namespace camrig::traffic {

enum class CaptureMode { loop, video, mixed };
//! "Driving Direction to Trigger Snapshot": Positive = approaching, Departing = leaving.
enum class DirectionFilter { positive, departing, both };
enum class LoopPlan { single_in, double_in1, double_in2 };
enum class LoopTrigger { rising, falling, none };

std::string_view to_string(VehicleDirection direction);

struct CaptureSettings {
  CaptureMode mode = CaptureMode::mixed;
  int snapshot_quantity = 1;
  DirectionFilter direction = DirectionFilter::positive;
  std::chrono::seconds same_plate_delay{5};  //!< 0: off
  bool backing_leaving = false;
  LoopPlan plan = LoopPlan::single_in;
  std::array<LoopTrigger, 2> loop_trigger{LoopTrigger::rising, LoopTrigger::none};
  std::array<int, 2> loop_input{1, 2};  //!< 1-based alarm input of logical loop 1 and 2
  double loop_distance_m = 5;
  std::chrono::seconds max_pass_time{5};

  //! Reads traffic.capture.* (device/core/schema/lpr_capture.json).
  static CaptureSettings from_config(const core::ConfigService& config);
};

//! One vehicle as capture reports it: the read, plus what the loops measured.
struct VehiclePass {
  PlateRead read;                     //!< `direction` is the loops' when they tell it
  std::optional<double> speed_kmh;    //!< double_in2-snap_speed only
  int snapshots = 1;                  //!< Snapshot Quantity for the pictures of this pass
  bool backing = false;               //!< reported only because "Backing and Leaving" is on
};

class VehicleCapture {
 public:
  using SettingsSource = std::function<CaptureSettings()>;
  //! Asks plate recognition for a loop read of the best frame around the time given.
  using CaptureRequest = std::function<void(CaptureTrigger, hal::Nanos)>;
  using PassSink = std::function<void(const VehiclePass&)>;

  //! `settings` is asked at every edge and read, so changes apply at once. `request` may be empty.
  VehicleCapture(SettingsSource settings, CaptureRequest request, PassSink sink);

  //! An alarm input edge (0-based index, closed = a vehicle over a normally-open loop detector).
  void on_input(int index, bool closed, hal::Nanos at);
  //! A plate read from recognition (video reads and the answers to loop requests).
  void submit(const PlateRead& read);

  //! True while a vehicle is over a mapped loop.
  bool lane_occupied() const;

 private:
  struct LoopPass {
    hal::Nanos at{0};
    std::optional<double> speed_kmh;
    VehicleDirection direction = VehicleDirection::unknown;
  };
  struct Reported {
    hal::Nanos at{0};
    std::string plate;
    bool from_loop = false;
  };

  void on_loop(int loop, bool occupied, hal::Nanos at, const CaptureSettings& settings);
  bool duplicate(const PlateRead& read, const CaptureSettings& settings) const;

  SettingsSource settings_;
  CaptureRequest request_;
  PassSink sink_;

  mutable std::mutex mutex_;
  std::array<std::optional<hal::Nanos>, 2> entered_;  // last rising edge of each logical loop
  std::array<std::atomic<bool>, 2> occupied_{};
  std::deque<LoopPass> pending_;     // loop captures waiting for their read, oldest first
  std::deque<Reported> reported_;    // recent passes, for the de-duplications
};

}  // namespace camrig::traffic
