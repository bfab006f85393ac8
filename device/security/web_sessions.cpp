#include "device/security/web_sessions.hpp"

#include <array>

#include <openssl/rand.h>

namespace camrig::security {
namespace {

std::string new_token() {
  std::array<unsigned char, 24> raw{};
  RAND_bytes(raw.data(), static_cast<int>(raw.size()));
  static constexpr char k_hex[] = "0123456789abcdef";
  std::string token;
  for (const auto byte : raw) {
    token.push_back(k_hex[byte >> 4]);
    token.push_back(k_hex[byte & 0xf]);
  }
  return token;
}

}  // namespace

WebSessionSettings WebSessionSettings::from_config(const core::ConfigService& config) {
  WebSessionSettings settings;
  settings.timeout_enabled = config.get_bool("security.control_timeout.enabled");
  settings.idle_timeout = std::chrono::minutes(config.get_int("security.control_timeout.minutes"));
  settings.max_sessions = static_cast<std::size_t>(config.get_int("security.simultaneous_login"));
  return settings;
}

void WebSessions::expire_idle(const WebSessionSettings& settings, std::vector<Ended>& ended) {
  if (!settings.timeout_enabled) return;
  const auto now = clock_.now();
  const auto wall_now = clock_.wall_time();
  std::erase_if(sessions_, [&](const auto& entry) {
    const auto expired_at = entry.second.last_activity + settings.idle_timeout;
    if (now < expired_at) return false;
    // Noticed now; it expired when its Control Timeout ran out.
    ended.push_back({entry.second.account.name, entry.second.address, SessionEnd::timeout,
                     wall_now - std::chrono::duration_cast<hal::WallTime::duration>(now - expired_at)});
    return true;
  });
}

void WebSessions::report(const std::vector<Ended>& ended) {
  if (!login_log_) return;
  for (const auto& session : ended) login_log_->session_ended(session.user, session.address, session.end, session.at);
}

Result<std::string> WebSessions::open(const UserAccount& account, std::string_view address) {
  const auto settings = settings_();
  std::vector<Ended> ended;
  Result<std::string> outcome = [&]() -> Result<std::string> {
    std::lock_guard lock(mutex_);
    expire_idle(settings, ended);
    if (sessions_.size() >= settings.max_sessions)
      return make_error(ErrorCode::unavailable, std::to_string(sessions_.size()) +
                                                    " users are logged in, the Simultaneous Login limit: log out a "
                                                    "session or raise the limit");
    auto token = new_token();
    sessions_.emplace(token, Session{account, std::string(address), clock_.wall_time(), clock_.now()});
    return token;
  }();
  report(ended);
  return outcome;
}

std::optional<UserAccount> WebSessions::resume(std::string_view token) {
  if (token.empty()) return std::nullopt;
  const auto settings = settings_();
  std::vector<Ended> ended;
  std::optional<UserAccount> account;
  {
    std::lock_guard lock(mutex_);
    expire_idle(settings, ended);
    if (auto it = sessions_.find(token); it != sessions_.end()) {
      it->second.last_activity = clock_.now();
      account = it->second.account;
    }
  }
  report(ended);
  return account;
}

bool WebSessions::close(std::string_view token) {
  std::vector<Ended> ended;
  {
    std::lock_guard lock(mutex_);
    auto it = sessions_.find(token);
    if (it == sessions_.end()) return false;
    ended.push_back({it->second.account.name, it->second.address, SessionEnd::logout, clock_.wall_time()});
    sessions_.erase(it);
  }
  report(ended);
  return true;
}

void WebSessions::close_all(int account_id) {
  std::vector<Ended> ended;
  {
    std::lock_guard lock(mutex_);
    std::erase_if(sessions_, [&](const auto& entry) {
      if (entry.second.account.id != account_id) return false;
      ended.push_back({entry.second.account.name, entry.second.address, SessionEnd::account_changed, clock_.wall_time()});
      return true;
    });
  }
  report(ended);
}

std::vector<OnlineUser> WebSessions::online() {
  const auto settings = settings_();
  std::vector<Ended> ended;
  std::vector<OnlineUser> users;
  {
    std::lock_guard lock(mutex_);
    expire_idle(settings, ended);
    for (const auto& [token, session] : sessions_)
      users.push_back(OnlineUser{session.account.name, session.account.level, session.address, session.login_time});
  }
  report(ended);
  return users;
}

std::string_view session_token_in(std::string_view header) {
  std::size_t start = 0;
  while (start < header.size()) {
    auto end = header.find(';', start);
    if (end == std::string_view::npos) end = header.size();
    auto item = header.substr(start, end - start);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    const auto equals = item.find('=');
    if (equals != std::string_view::npos && item.substr(0, equals) == WebSessions::k_cookie_name)
      return item.substr(equals + 1);
    start = end + 1;
  }
  return {};
}

}  // namespace camrig::security
