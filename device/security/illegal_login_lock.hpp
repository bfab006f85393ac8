// Illegal login lock: counts failed logins per source IP address and blocks the address for the
// locking duration once the count reaches the limit (network camera / PTZ: 7 for admin, 5 for
// operator/user; LPR camera: one configurable limit, 3–10). Durations run on the device clock.
// A lock is written to the system log ("Illegal Login") and published as an IllegalLoginEvent.
#pragma once

#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "device/core/config_service.hpp"
#include "device/core/event_bus.hpp"
#include "device/hal/clock.hpp"
#include "device/storage/system_log.hpp"

namespace camrig::security {

struct IllegalLoginLockSettings {
  bool enabled = true;
  int admin_attempts = 7;
  int user_attempts = 5;
  hal::Nanos locking_duration = std::chrono::minutes(30);

  //! From security.illegal_login_lock.* (the LPR camera's single "Login Attempt" applies to all).
  static IllegalLoginLockSettings from_config(const core::ConfigService& config);
};

//! Published on the event bus when an address gets locked: the "Illegal Login" exception.
struct IllegalLoginEvent {
  std::string address;
  std::string user;  //!< the user name of the failure that locked the address
  hal::WallTime time{};
};

class IllegalLoginLock {
 public:
  using SettingsSource = std::function<IllegalLoginLockSettings()>;

  //! `settings` is asked on every event, so a changed configuration applies at once.
  IllegalLoginLock(hal::Clock& clock, SettingsSource settings) : clock_(clock), settings_(std::move(settings)) {}

  //! How long `address` stays blocked; nullopt when it may try to log in.
  std::optional<hal::Nanos> locked_for(std::string_view address);
  //! Counts a failed login of `username` (admin counts against the admin limit) and returns true
  //! when this failure locks the address.
  bool record_failure(std::string_view address, std::string_view username);
  //! A successful login clears the address's count.
  void record_success(std::string_view address);
  //! Where locks are reported; either may be null. Set before the lock is shared.
  void set_reporting(storage::SystemLog* log, core::EventBus* bus) {
    log_ = log;
    bus_ = bus;
  }

 private:
  struct AddressState {
    int admin_failures = 0;
    int user_failures = 0;
    std::optional<hal::Nanos> locked_until;
  };

  hal::Clock& clock_;
  SettingsSource settings_;
  storage::SystemLog* log_ = nullptr;
  core::EventBus* bus_ = nullptr;
  std::mutex mutex_;
  std::map<std::string, AddressState, std::less<>> addresses_;
};

}  // namespace camrig::security
