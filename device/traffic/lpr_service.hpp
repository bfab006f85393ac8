// The LPR camera's vehicle service: joins capture (loops and reads), the allowlist/blocklist
// verdict, barrier control, the blocklist alarm output and the vehicle events (ANPR on the event
// engine, so the alertStream and HTTP hosts get them), and keeps the recent vehicles for the
// ISAPI pull API (vehicleDetect/plates).
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include "device/core/config_service.hpp"
#include "device/events/event_engine.hpp"
#include "device/hal/clock.hpp"
#include "device/hal/relay_outputs.hpp"
#include "device/traffic/barrier_control.hpp"
#include "device/traffic/plate_list.hpp"
#include "device/traffic/vehicle_capture.hpp"

namespace camrig::traffic {

class PictureRecorder;

//! One reported vehicle, as the pull API and the events describe it.
struct VehicleRecord {
  std::uint64_t id = 0;  //!< 1, 2, ... per reported vehicle since start
  PlateRead read;        //!< without its frame (the pictures are the picture store's)
  hal::WallTime wall_time{};
  std::optional<double> speed_kmh;
  PlateVerdict verdict = PlateVerdict::unknown;
  std::optional<PlateMatch> match;
  BarrierAction barrier = BarrierAction::not_controlled;
  bool backing = false;
  int snapshots = 1;
};

struct LprServiceParts {
  hal::Clock* clock = nullptr;
  core::ConfigService* config = nullptr;
  PlateList* plates = nullptr;
  hal::RelayOutputs* relays = nullptr;
  events::EventEngine* engine = nullptr;
  //! Plate recognition's loop capture; may be empty until recognition is connected.
  VehicleCapture::CaptureRequest request_capture;
  //! Composes and stores each vehicle's pictures for its ANPR event; null: events without pictures.
  PictureRecorder* pictures = nullptr;
  //! The Send Email linkage of the blocklist alarm (queues a mail, never blocks); may be empty.
  std::function<void(const events::Event&)> send_email;
};

class LprService {
 public:
  //! Every part must be given and outlive the service.
  explicit LprService(LprServiceParts parts);
  ~LprService();
  LprService(const LprService&) = delete;
  LprService& operator=(const LprService&) = delete;

  void start();
  //! Stops barrier timers (releasing a held relay); idempotent, the destructor calls it.
  void stop();

  //! A plate read from recognition, from any thread.
  void submit(const PlateRead& read);
  //! Manual Snapshot / Test Capture: asks recognition for a capture now; the read comes back
  //! through submit() with trigger `manual`. unavailable without plate recognition.
  Result<void> manual_capture();
  //! An alarm input edge (0-based), for the loops.
  void on_input(int index, bool closed, hal::Nanos at);

  BarrierControl& barrier() { return *barrier_; }
  //! The settings changed (traffic.barrier.*): apply the always-open schedule at once.
  void settings_changed() { barrier_->refresh(); }

  //! Reported vehicles with an id above `after_id` and a time at or after `after_time`, oldest
  //! first, at most `max`.
  std::vector<VehicleRecord> recent(std::uint64_t after_id, std::optional<hal::WallTime> after_time, std::size_t max) const;
  //! The reported vehicle behind an ANPR event (same capture time and plate), while it is recent.
  std::optional<VehicleRecord> vehicle_of(const events::Event& event) const;

  static constexpr std::size_t k_recent_capacity = 1000;

 private:
  void on_pass(const VehiclePass& pass);
  void raise_blocklist_alarm(const VehicleRecord& record);
  //! The one picture the blocklist mail carries (traffic.blocklist_alarm.picture); none without pictures.
  std::vector<events::PictureRef> blocklist_mail_picture(const std::vector<events::PictureRef>& pictures,
                                                         std::uint64_t vehicle) const;

  LprServiceParts parts_;
  std::unique_ptr<VehicleCapture> capture_;
  std::unique_ptr<BarrierControl> barrier_;

  mutable std::mutex mutex_;
  std::deque<VehicleRecord> recent_;
  std::uint64_t next_id_ = 1;
};

}  // namespace camrig::traffic
