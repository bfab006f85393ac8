#include "device/security/illegal_login_lock.hpp"

#include "device/core/log.hpp"
#include "device/security/user_accounts.hpp"

namespace camrig::security {

IllegalLoginLockSettings IllegalLoginLockSettings::from_config(const core::ConfigService& config) {
  IllegalLoginLockSettings settings;
  settings.enabled = config.get_bool("security.illegal_login_lock.enabled");
  if (config.spec("security.illegal_login_lock.attempts")) {
    settings.admin_attempts = settings.user_attempts =
        static_cast<int>(config.get_int("security.illegal_login_lock.attempts"));
  } else {
    settings.admin_attempts = static_cast<int>(config.get_int("security.illegal_login_lock.admin_attempts"));
    settings.user_attempts = static_cast<int>(config.get_int("security.illegal_login_lock.user_attempts"));
  }
  settings.locking_duration = std::chrono::minutes(config.get_int("security.illegal_login_lock.locking_duration"));
  return settings;
}

std::optional<hal::Nanos> IllegalLoginLock::locked_for(std::string_view address) {
  std::lock_guard lock(mutex_);
  auto it = addresses_.find(address);
  if (it == addresses_.end() || !it->second.locked_until) return std::nullopt;
  const auto now = clock_.now();
  if (now >= *it->second.locked_until) {
    addresses_.erase(it);  // the lock ran out: the address starts over with a clean count
    return std::nullopt;
  }
  return *it->second.locked_until - now;
}

bool IllegalLoginLock::record_failure(std::string_view address, std::string_view username) {
  const auto settings = settings_();
  if (!settings.enabled) return false;
  if (locked_for(address)) return false;
  {
    std::lock_guard lock(mutex_);
    auto& state = addresses_[std::string(address)];
    const bool admin = username == UserAccounts::k_admin_name;
    const int failures = admin ? ++state.admin_failures : ++state.user_failures;
    if (failures < (admin ? settings.admin_attempts : settings.user_attempts)) return false;
    state.locked_until = clock_.now() + settings.locking_duration;
  }
  const IllegalLoginEvent event{std::string(address), std::string(username), clock_.wall_time()};
  log::get("security")->warn("illegal login: {} locked for {} min after failed logins as '{}'", event.address,
                             std::chrono::duration_cast<std::chrono::minutes>(settings.locking_duration).count(), event.user);
  if (log_) {
    storage::LogEntry entry;
    entry.time = event.time;
    entry.major = storage::LogMajor::exception;
    entry.minor = "Illegal Login";
    entry.user = event.user;
    entry.remote_address = event.address;
    entry.description = "too many failed logins; the address is locked for " +
                        std::to_string(std::chrono::duration_cast<std::chrono::minutes>(settings.locking_duration).count()) +
                        " min";
    if (auto appended = log_->append(std::move(entry)); !appended)
      log::get("security")->warn("the illegal login could not be logged: {}", appended.error().message);
  }
  if (bus_) bus_->publish(event);
  return true;
}

void IllegalLoginLock::record_success(std::string_view address) {
  std::lock_guard lock(mutex_);
  if (auto it = addresses_.find(address); it != addresses_.end() && !it->second.locked_until) addresses_.erase(it);
}

}  // namespace camrig::security
