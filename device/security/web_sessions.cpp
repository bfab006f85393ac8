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

void WebSessions::expire_idle(const WebSessionSettings& settings) {
  if (!settings.timeout_enabled) return;
  const auto now = clock_.now();
  std::erase_if(sessions_, [&](const auto& entry) { return now - entry.second.last_activity >= settings.idle_timeout; });
}

Result<std::string> WebSessions::open(const UserAccount& account, std::string_view address) {
  const auto settings = settings_();
  std::lock_guard lock(mutex_);
  expire_idle(settings);
  if (sessions_.size() >= settings.max_sessions)
    return make_error(ErrorCode::unavailable, std::to_string(sessions_.size()) +
                                                  " users are logged in, the Simultaneous Login limit: log out a "
                                                  "session or raise the limit");
  auto token = new_token();
  sessions_.emplace(token, Session{account, std::string(address), clock_.wall_time(), clock_.now()});
  return token;
}

std::optional<UserAccount> WebSessions::resume(std::string_view token) {
  if (token.empty()) return std::nullopt;
  const auto settings = settings_();
  std::lock_guard lock(mutex_);
  expire_idle(settings);
  auto it = sessions_.find(token);
  if (it == sessions_.end()) return std::nullopt;
  it->second.last_activity = clock_.now();
  return it->second.account;
}

bool WebSessions::close(std::string_view token) {
  std::lock_guard lock(mutex_);
  auto it = sessions_.find(token);
  if (it == sessions_.end()) return false;
  sessions_.erase(it);
  return true;
}

void WebSessions::close_all(int account_id) {
  std::lock_guard lock(mutex_);
  std::erase_if(sessions_, [&](const auto& entry) { return entry.second.account.id == account_id; });
}

std::vector<OnlineUser> WebSessions::online() {
  const auto settings = settings_();
  std::lock_guard lock(mutex_);
  expire_idle(settings);
  std::vector<OnlineUser> users;
  for (const auto& [token, session] : sessions_)
    users.push_back(OnlineUser{session.account.name, session.account.level, session.address, session.login_time});
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
