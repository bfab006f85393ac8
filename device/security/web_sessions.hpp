// Web sessions: after a Digest or Basic login a browser gets a session (cookie "WebSession") so
// it does not answer a challenge per request. Sessions end on logout or after "Control Timeout"
// minutes without a request; "Simultaneous Login" limits how many are open. Lists online users.
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

 private:
  struct Session {
    UserAccount account;
    std::string address;
    hal::WallTime login_time{};
    hal::Nanos last_activity{};
  };
  void expire_idle(const WebSessionSettings& settings);

  hal::Clock& clock_;
  SettingsSource settings_;
  std::mutex mutex_;
  std::map<std::string, Session, std::less<>> sessions_;
};

//! The WebSession token in a Cookie header value; empty when absent.
std::string_view session_token_in(std::string_view cookie_header);

}  // namespace camrig::security
