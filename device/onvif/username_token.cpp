#include "device/onvif/username_token.hpp"

#include <openssl/crypto.h>
#include <openssl/sha.h>

#include <cctype>
#include <charconv>

#include "device/core/base64.hpp"
#include "device/core/log.hpp"

namespace camrig::onvif {
namespace {

bool read_int(std::string_view text, std::size_t at, std::size_t digits, int& out) {
  if (at + digits > text.size()) return false;
  for (std::size_t i = at; i < at + digits; ++i)
    if (!std::isdigit(static_cast<unsigned char>(text[i]))) return false;
  return std::from_chars(text.data() + at, text.data() + at + digits, out).ec == std::errc{};
}

bool equal_in_constant_time(std::string_view a, std::string_view b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace

std::optional<hal::WallTime> parse_xsd_datetime(std::string_view text) {
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  if (!read_int(text, 0, 4, year) || text.size() < 19 || text[4] != '-' || !read_int(text, 5, 2, month) ||
      text[7] != '-' || !read_int(text, 8, 2, day) || (text[10] != 'T' && text[10] != 't') ||
      !read_int(text, 11, 2, hour) || text[13] != ':' || !read_int(text, 14, 2, minute) || text[16] != ':' ||
      !read_int(text, 17, 2, second))
    return std::nullopt;
  const std::chrono::year_month_day date{std::chrono::year(year), std::chrono::month(static_cast<unsigned>(month)),
                                         std::chrono::day(static_cast<unsigned>(day))};
  if (!date.ok() || hour > 23 || minute > 59 || second > 60) return std::nullopt;
  std::size_t at = 19;
  hal::Nanos fraction{0};
  if (at < text.size() && text[at] == '.') {
    ++at;
    std::int64_t scale = 100'000'000;
    const std::size_t first = at;
    for (; at < text.size() && std::isdigit(static_cast<unsigned char>(text[at])); ++at, scale /= 10)
      fraction += hal::Nanos((text[at] - '0') * scale);
    if (at == first) return std::nullopt;
  }
  std::chrono::minutes offset{0};
  if (at == text.size()) {
    // No zone: taken as UTC, which is what clients mean when they leave it out.
  } else if ((text[at] == 'Z' || text[at] == 'z') && at + 1 == text.size()) {
  } else if ((text[at] == '+' || text[at] == '-') && at + 6 == text.size() && text[at + 3] == ':') {
    int hours = 0, minutes = 0;
    if (!read_int(text, at + 1, 2, hours) || !read_int(text, at + 4, 2, minutes) || hours > 14 || minutes > 59)
      return std::nullopt;
    offset = std::chrono::hours(hours) + std::chrono::minutes(minutes);
    if (text[at] == '-') offset = -offset;
  } else {
    return std::nullopt;
  }
  const auto local = std::chrono::sys_days(date) + std::chrono::hours(hour) + std::chrono::minutes(minute) +
                     std::chrono::seconds(second);
  return std::chrono::time_point_cast<hal::WallTime::duration>(local - offset + fraction);
}

std::string password_digest(std::string_view nonce_bytes, std::string_view created, std::string_view password) {
  const std::string input = std::string(nonce_bytes) + std::string(created) + std::string(password);
  unsigned char hash[SHA_DIGEST_LENGTH];
  SHA1(reinterpret_cast<const unsigned char*>(input.data()), input.size(), hash);
  return core::base64_encode(std::string_view(reinterpret_cast<const char*>(hash), sizeof hash));
}

std::optional<std::string> UsernameTokenVerifier::check(const UsernameToken& token, std::string_view client_address,
                                                        hal::WallTime now, hal::Nanos skew, bool& clock_refusal) {
  if (!token.digest) {
    if (!accounts_.verify_password(token.username, token.password))
      return "wrong user name or password for '" + token.username + "'";
    return std::nullopt;
  }
  const auto created = parse_xsd_datetime(token.created);
  if (!created) return "the UsernameToken's Created time '" + token.created + "' is not an xsd:dateTime";
  if (*created < now - skew || *created > now + skew) {
    clock_refusal = true;
    return "the UsernameToken's Created time " + token.created +
           " is outside the allowed clock skew of the device time; set the client's or the device's clock";
  }
  const auto nonce = core::base64_decode(token.nonce);
  if (!nonce || nonce->empty()) return "the UsernameToken's Nonce is not Base64";
  const auto password = accounts_.token_password(token.username);
  if (!password || !equal_in_constant_time(password_digest(*nonce, token.created, *password), token.password))
    return "wrong user name or password for '" + token.username +
           "' (an account whose password was set before this firmware must set it again for WS-Security)";
  std::lock_guard guard(mutex_);
  auto forget_first = [this] {
    nonces_.erase(expiries_.begin()->second);
    expiries_.erase(expiries_.begin());
  };
  while (!expiries_.empty() && expiries_.begin()->first < now) forget_first();
  // The nonce is remembered as long as its Created time stays in the window, so no replay within it passes.
  const auto device_now = clock_.now();
  const auto forget_at = *created + skew;
  const auto [use, first] =
      nonces_.try_emplace(token.nonce, NonceUse{forget_at, device_now, std::string(client_address), token.username});
  if (!first) {
    // libonvif (Debian's onvif-util) seeds its nonce generator with the current second before each
    // request, so its requests within one second share the nonce (under Created times apart by
    // milliseconds, each with its own digest, which only the password's holder can compute). Only
    // that is let through: the same user from the same address, within a second of the first use.
    NonceUse& seen = use->second;
    const bool same_client_repeat = seen.address == client_address && seen.username == token.username &&
                                    device_now - seen.first_use <= k_repeat_window;
    if (!same_client_repeat) return "the UsernameToken's Nonce was already used";
    // Remembered until the later Created time leaves the window too, or that token could be replayed then.
    if (forget_at > seen.forget_at) {
      const auto [from, to] = expiries_.equal_range(seen.forget_at);
      for (auto entry = from; entry != to; ++entry)
        if (entry->second == token.nonce) {
          expiries_.erase(entry);
          break;
        }
      expiries_.emplace(forget_at, token.nonce);
      seen.forget_at = forget_at;
    }
    return std::nullopt;
  }
  expiries_.emplace(forget_at, token.nonce);
  if (nonces_.size() > k_max_remembered_nonces) forget_first();  // the one closest to leaving the window
  return std::nullopt;
}

std::variant<security::UserAccount, TokenRefusal> UsernameTokenVerifier::verify(const UsernameToken& token,
                                                                               std::string_view client_address) {
  if (const auto locked = lock_.locked_for(client_address))
    return TokenRefusal{"too many failed logins from " + std::string(client_address) + ": locked for another " +
                            std::to_string(std::chrono::duration_cast<std::chrono::seconds>(*locked).count()) + " s",
                        true};
  const auto account = accounts_.find(token.username);
  bool clock_refusal = false;
  std::optional<std::string> refusal =
      account ? check(token, client_address, clock_.wall_time(), settings_().max_clock_skew, clock_refusal)
              : std::optional<std::string>("wrong user name or password for '" + token.username + "'");
  if (!refusal) {
    lock_.record_success(client_address);
    return *account;
  }
  // A stale Created time says nothing about the password (it is not checked then), and counting it
  // would lock out every client whose clock drifted.
  const bool locked_now = !clock_refusal && lock_.record_failure(client_address, token.username);
  log::get("onvif")->info("UsernameToken refused from {}: {}", client_address, *refusal);
  return TokenRefusal{std::move(*refusal), locked_now};
}

}  // namespace camrig::onvif
