// The Wiegand output of the LPR camera: every recorded ANPR event but a manual capture becomes a
// card number (the plate's digits, or the card number of the vehicle's allowlist entry) sent as a 26/34-bit frame
// on the Wiegand port. Settings `wiegand.*` (device/core/schema/wiegand.json); one worker thread,
// so a slow port never holds the event engine or the barrier.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "device/core/config_service.hpp"
#include "device/core/event_bus.hpp"
#include "device/core/log.hpp"
#include "device/events/event.hpp"
#include "device/hal/wiegand_output.hpp"
#include "device/traffic/plate_list.hpp"

namespace camrig::traffic {

enum class WiegandCardSource { plate_digits, allowlist_card };

struct WiegandSettings {
  bool enabled = false;
  std::string format = "26";
  WiegandCardSource source = WiegandCardSource::plate_digits;
  unsigned facility_code = 0;
  static WiegandSettings from_config(const core::ConfigService& config);
};

struct WiegandStats {
  std::uint64_t vehicles = 0;  //!< ANPR events taken from the bus (whether or not the output was on)
  std::uint64_t sent = 0;
  std::uint64_t skipped = 0;  //!< vehicles without a card number (no digits, not on the allowlist, too large)
  std::uint64_t failed = 0;   //!< frames the port could not send
};

class WiegandSender {
 public:
  //! Everything given must outlive the sender; starts listening to RecordedEvent at once.
  WiegandSender(core::EventBus& bus, const core::ConfigService& config, const PlateList& plates, hal::WiegandOutput& port);
  ~WiegandSender();
  WiegandSender(const WiegandSender&) = delete;
  WiegandSender& operator=(const WiegandSender&) = delete;

  //! The frame for one ANPR event under `settings`, or why none is sent.
  Result<hal::WiegandFrame> frame_for(const events::Event& event, const WiegandSettings& settings) const;

  WiegandStats stats() const;
  //! Waits (wall time) until `vehicles` ANPR events have been handled; false on timeout.
  bool wait_until_handled(std::uint64_t vehicles, std::chrono::milliseconds timeout) const;
  //! Stops the worker; idempotent, the destructor calls it.
  void stop();

 private:
  void run(std::stop_token stop);
  void handle(const events::Event& event, const std::shared_ptr<spdlog::logger>& logger);

  const core::ConfigService& config_;
  const PlateList& plates_;
  hal::WiegandOutput& port_;
  std::shared_ptr<core::Mailbox<events::RecordedEvent>> mailbox_;
  mutable std::mutex handled_mutex_;
  mutable std::condition_variable handled_changed_;
  std::uint64_t handled_ = 0;
  std::atomic<std::uint64_t> sent_{0};
  std::atomic<std::uint64_t> skipped_{0};
  std::atomic<std::uint64_t> failed_{0};
  std::jthread worker_;
};

}  // namespace camrig::traffic
