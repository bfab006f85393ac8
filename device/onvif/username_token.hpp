// WS-Security UsernameToken login (OASIS UsernameToken Profile 1.0) over the device's accounts:
// PasswordDigest = Base64(SHA-1(nonce + created + password)) or PasswordText, a Created time
// within the configured clock-skew window of device time, each nonce accepted once while its
// Created time is in the window (save by the same user from the same address within a second),
// and the illegal login lock counting failures per address.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "device/core/result.hpp"
#include "device/hal/clock.hpp"
#include "device/security/illegal_login_lock.hpp"
#include "device/security/user_accounts.hpp"

namespace camrig::onvif {

//! The fields of a wsse:UsernameToken as received.
struct UsernameToken {
  std::string username;
  std::string password;  //!< the digest (Base64) or the text, per `digest`
  bool digest = true;    //!< Type PasswordDigest (default) or PasswordText
  std::string nonce;     //!< Base64; may be empty with PasswordText
  std::string created;   //!< xsd:dateTime; may be empty with PasswordText
};

struct UsernameTokenSettings {
  //! How far Created may lie from device time, either way.
  hal::Nanos max_clock_skew = std::chrono::minutes(5);
};

//! Why a token was refused; `locked` when the address is (or just got) locked.
struct TokenRefusal {
  std::string message;
  bool locked = false;
};

class UsernameTokenVerifier {
 public:
  using SettingsSource = std::function<UsernameTokenSettings()>;
  static constexpr std::size_t k_max_remembered_nonces = 8192;
  //! How long after a nonce's first use it passes again for the same user from the same address
  //! (DECISIONS.md, "ONVIF: UsernameToken nonce repeats within a second").
  static constexpr hal::Nanos k_repeat_window = std::chrono::seconds(1);

  UsernameTokenVerifier(security::UserAccounts& accounts, security::IllegalLoginLock& lock, hal::Clock& clock,
                        SettingsSource settings)
      : accounts_(accounts), lock_(lock), clock_(clock), settings_(std::move(settings)) {}

  //! The account the token proves, or why not. Wrong credentials and replayed nonces count as failed
  //! logins for the illegal login lock; a Created time outside the window does not.
  std::variant<security::UserAccount, TokenRefusal> verify(const UsernameToken& token, std::string_view client_address);

 private:
  //! One accepted nonce: what a repeat must match to pass again.
  struct NonceUse {
    hal::WallTime forget_at;  //!< the latest Created time it came with leaves the window
    hal::Nanos first_use;     //!< device time (monotonic, not the settable calendar)
    std::string address;
    std::string username;
  };

  //! Why the token fails, or nullopt; `clock_refusal` is set when it fails only for its Created time.
  std::optional<std::string> check(const UsernameToken& token, std::string_view client_address, hal::WallTime now,
                                   hal::Nanos skew, bool& clock_refusal);

  security::UserAccounts& accounts_;
  security::IllegalLoginLock& lock_;
  hal::Clock& clock_;
  SettingsSource settings_;
  std::mutex mutex_;
  //! nonce → its first use, forgotten when its Created time has left the window (`expiries_`).
  std::map<std::string, NonceUse, std::less<>> nonces_;
  //! The same nonces by that time, so forgetting looks only at the expired ones, not at all of
  //! them on every request (a full pass cost more than the rest of the ONVIF request).
  std::multimap<hal::WallTime, std::string> expiries_;
};

//! xsd:dateTime ("2026-11-22T09:40:00Z", fractions and ±hh:mm offsets allowed) as UTC; nullopt if malformed.
std::optional<hal::WallTime> parse_xsd_datetime(std::string_view text);

//! Base64(SHA-1(nonce bytes + created + password)), as a client computes it.
std::string password_digest(std::string_view nonce_bytes, std::string_view created, std::string_view password);

}  // namespace camrig::onvif
