// The login operations of the system log, from every protocol: "Remote: Login" when a client's
// credentials are accepted, "Remote: Logout" when a web session ends (logout, Control Timeout,
// account changed) and an "Illegal Login" exception per rejected attempt (network camera:
// "Incorrect user name or password is entered"). API and RTSP clients send credentials with every
// request, so their login is logged once per user, address and protocol until that client has been
// idle for the idle window: a VMS polling every second leaves one entry, not thousands.
#pragma once

#include <cstddef>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <tuple>

#include "device/hal/clock.hpp"
#include "device/storage/system_log.hpp"

namespace camrig::security {

enum class SessionEnd { logout, timeout, account_changed };

class LoginLog {
 public:
  //! `idle_window` is asked on every login (the Control Timeout), so a changed setting applies at once.
  LoginLog(hal::Clock& clock, storage::SystemLog& log, std::function<hal::Nanos()> idle_window);

  //! Credentials accepted; `how` names protocol and scheme ("HTTP Digest", "RTSP Basic"). Logged when
  //! this user at this address has not been seen over the same protocol within the idle window.
  void accepted(std::string_view user, std::string_view address, std::string_view how);
  //! Credentials refused: wrong user name or password.
  void rejected(std::string_view user, std::string_view address, std::string_view how, std::string_view reason);
  //! A web session ended; `ended_at` is when (a timeout is noticed after the fact).
  void session_ended(std::string_view user, std::string_view address, SessionEnd end, hal::WallTime ended_at);

  //! Clients remembered for the idle window are bounded; the oldest are forgotten first.
  static constexpr std::size_t k_max_clients = 1024;

 private:
  using Client = std::tuple<std::string, std::string, std::string>;  // user, address, protocol

  hal::Clock& clock_;
  storage::SystemLog& log_;
  std::function<hal::Nanos()> idle_window_;
  std::mutex mutex_;
  std::map<Client, hal::Nanos> last_seen_;
};

}  // namespace camrig::security
