#include "device/security/login_log.hpp"

#include <algorithm>

#include "device/core/log.hpp"

namespace camrig::security {
namespace {

void append(storage::SystemLog& log, storage::LogEntry entry) {
  // A full or failing log must not refuse or admit anyone.
  if (auto appended = log.append(std::move(entry)); !appended)
    log::get("security")->warn("a login operation could not be logged: {}", appended.error().message);
}

}  // namespace

LoginLog::LoginLog(hal::Clock& clock, storage::SystemLog& log, std::function<hal::Nanos()> idle_window)
    : clock_(clock), log_(log), idle_window_(std::move(idle_window)) {}

void LoginLog::accepted(std::string_view user, std::string_view address, std::string_view how) {
  const auto now = clock_.now();
  const auto window = idle_window_();
  {
    std::lock_guard lock(mutex_);
    Client client{std::string(user), std::string(address), std::string(how.substr(0, how.find(' ')))};
    auto [it, inserted] = last_seen_.try_emplace(std::move(client), now);
    const bool returning = !inserted && now - it->second < window;
    it->second = now;
    if (returning) return;
    if (last_seen_.size() > k_max_clients) {
      std::erase_if(last_seen_, [&](const auto& entry) { return now - entry.second >= window; });
      while (last_seen_.size() > k_max_clients)
        last_seen_.erase(std::min_element(last_seen_.begin(), last_seen_.end(), [](const auto& a, const auto& b) {
          return a.second < b.second;
        }));
    }
  }
  storage::LogEntry entry;
  entry.major = storage::LogMajor::operation;
  entry.minor = "Remote: Login";
  entry.user = std::string(user);
  entry.remote_address = std::string(address);
  entry.description = std::string(how);
  append(log_, std::move(entry));
}

void LoginLog::rejected(std::string_view user, std::string_view address, std::string_view how, std::string_view reason) {
  storage::LogEntry entry;
  entry.major = storage::LogMajor::exception;
  entry.minor = "Illegal Login";
  entry.user = std::string(user);
  entry.remote_address = std::string(address);
  entry.description = std::string(how) + ": " + std::string(reason);
  append(log_, std::move(entry));
}

void LoginLog::session_ended(std::string_view user, std::string_view address, SessionEnd end, hal::WallTime ended_at) {
  {
    // The next request with credentials is a new login.
    std::lock_guard lock(mutex_);
    last_seen_.erase(Client{std::string(user), std::string(address), "HTTP"});
  }
  storage::LogEntry entry;
  entry.time = ended_at;
  entry.major = storage::LogMajor::operation;
  entry.minor = "Remote: Logout";
  entry.user = std::string(user);
  entry.remote_address = std::string(address);
  switch (end) {
    case SessionEnd::logout: entry.description = "web session: logout"; break;
    case SessionEnd::timeout: entry.description = "web session expired: no request within the Control Timeout"; break;
    case SessionEnd::account_changed: entry.description = "web session closed: the account was changed or deleted"; break;
  }
  append(log_, std::move(entry));
}

}  // namespace camrig::security
