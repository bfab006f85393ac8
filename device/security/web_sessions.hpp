// Web sessions: after a Digest or Basic login a browser gets a session (cookie "WebSession") so
// it does not answer a challenge per request. Sessions end on logout or after "Control Timeout"
// minutes without a request; "Simultaneous Login" limits how many are open. Lists online users.
// Each end is a "Remote: Logout" in the system log (through LoginLog).
#pragma once

#include <cstddef>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "device/core/config_service.hpp"
#include "device/core/result.hpp"
#include "device/hal/clock.hpp"
#include "device/security/login_log.hpp"
#include "device/security/user_accounts.hpp"

namespace camrig::security {

struct WebSessionSettings {
  bool timeout_enabled = true;
  hal::Nanos idle_timeout = std::chrono::minutes(15);
  std::size_t max_sessions = 10;

  //! From security.control_timeout.* and security.simultaneous_login.
  static WebSessionSettings from_config(const core::ConfigService& config);
};

struct OnlineUser {
  std::string name;
  UserLevel level = UserLevel::user;
  std::string address;
  hal::WallTime login_time{};
};

class WebSessions {
 public:
  using SettingsSource = std::function<WebSessionSettings()>;
  static constexpr std::string_view k_cookie_name = "WebSession";

  WebSessions(hal::Clock& clock, SettingsSource settings) : clock_(clock), settings_(std::move(settings)) {}

  //! A new session for `account` from `address`; its token. Refused (unavailable) at the limit.
  Result<std::string> open(const UserAccount& account, std::string_view address);
  //! The account of a live session, which counts as activity; nullopt when unknown or idle too long.
  std::optional<UserAccount> resume(std::string_view token);
  //! Ends a session; false if there was none.
  bool close(std::string_view token);
  //! Ends every session of an account (deleted, or its password changed).
  void close_all(int account_id);
  std::vector<OnlineUser> online();
  //! Where ended sessions are logged (logout, Control Timeout, account changed); null logs none.
  //! Set before use.
  void set_login_log(LoginLog* login_log) { login_log_ = login_log; }

 private:
  struct Session {
    UserAccount account;
    std::string address;
    hal::WallTime login_time{};
    hal::Nanos last_activity{};
  };
  struct Ended {
    std::string user;
    std::string address;
    SessionEnd end;
    hal::WallTime at;
  };
  //! Removes idle sessions (mutex_ held) and adds them to `ended`.
  void expire_idle(const WebSessionSettings& settings, std::vector<Ended>& ended);
  //! Logs ended sessions; called after mutex_ is released, as the log writes to its database.
  void report(const std::vector<Ended>& ended);

  hal::Clock& clock_;
  SettingsSource settings_;
  LoginLog* login_log_ = nullptr;
  std::mutex mutex_;
  std::map<std::string, Session, std::less<>> sessions_;
};

//! The WebSession token in a Cookie header value; empty when absent.
std::string_view session_token_in(std::string_view cookie_header);

}  // namespace camrig::security
