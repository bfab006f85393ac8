// Illegal login lock: counts failed logins per source IP address and blocks the address for the
// locking duration once the count reaches the limit (network camera / PTZ: 7 for admin, 5 for
// operator/user; LPR camera: one configurable limit, 3–10). Durations run on the device clock.
#pragma once

#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "device/core/config_service.hpp"
#include "device/hal/clock.hpp"

namespace camrig::security {

struct IllegalLoginLockSettings {
  bool enabled = true;
  int admin_attempts = 7;
  int user_attempts = 5;
  hal::Nanos locking_duration = std::chrono::minutes(30);

  //! From security.illegal_login_lock.* (the LPR camera's single "Login Attempt" applies to all).
  static IllegalLoginLockSettings from_config(const core::ConfigService& config);
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

 private:
  struct AddressState {
    int admin_failures = 0;
    int user_failures = 0;
    std::optional<hal::Nanos> locked_until;
  };

  hal::Clock& clock_;
  SettingsSource settings_;
  std::mutex mutex_;
  std::map<std::string, AddressState, std::less<>> addresses_;
};

}  // namespace camrig::security
