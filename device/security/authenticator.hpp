// Who is asking: HTTP Digest (RFC 7616: MD5 and SHA-256, qop=auth, expiring nonces answered with
// stale=true, nonce-count replay check) and Basic, over the device's user accounts and illegal
// login lock, or a live web session. Protocol-neutral: method, URI and Authorization value in; an
// account or a challenge out.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "device/hal/clock.hpp"
#include "device/security/illegal_login_lock.hpp"
#include "device/security/login_log.hpp"
#include "device/security/user_accounts.hpp"
#include "device/security/web_sessions.hpp"

namespace camrig::security {

struct AuthenticationRequest {
  std::string_view method;         //!< "GET", "DESCRIBE", ...
  std::string_view uri;            //!< the request target as sent
  std::string_view authorization;  //!< the Authorization header value; empty if absent
  std::string_view client_address;
};

//! Why the request was not authenticated, and the WWW-Authenticate values to answer with.
struct Challenge {
  enum class Reason { no_credentials, bad_credentials, stale_nonce, address_locked };
  Reason reason = Reason::no_credentials;
  std::string message;
  //! One WWW-Authenticate value per offered scheme (empty while the address is locked).
  std::vector<std::string> www_authenticate;
  std::optional<hal::Nanos> locked_for;
};

using AuthenticationOutcome = std::variant<UserAccount, Challenge>;

struct AuthenticatorOptions {
  hal::Nanos nonce_lifetime = std::chrono::minutes(5);
  std::size_t max_nonces = 4096;
  //! Whether Basic is accepted and offered; asked on every request ("Web Authentication" setting).
  std::function<bool()> basic_enabled = [] { return false; };
  //! Source of fresh nonces; tests inject fixed values.
  std::function<std::string()> make_nonce;
  std::string opaque;  //!< empty: random
  //! Accept Digest answers without qop (RFC 2069: response = H(HA1:nonce:HA2)), as RTSP clients
  //! such as GStreamer and live555 send them. Such answers carry no nonce count, so a nonce may
  //! be answered more than once within its lifetime; HTTP keeps requiring qop=auth.
  bool accept_digest_without_qop = false;
  //! The protocol named in the login operations of the system log ("HTTP", "RTSP").
  std::string protocol = "HTTP";
};

class Authenticator {
 public:
  Authenticator(UserAccounts& accounts, IllegalLoginLock& lock, hal::Clock& clock, AuthenticatorOptions options = {});

  AuthenticationOutcome authenticate(const AuthenticationRequest& request);
  //! As above, but a live web session's token (cookie; empty if none) stands for credentials.
  AuthenticationOutcome authenticate(const AuthenticationRequest& request, std::string_view session_token);
  //! Lets a live web session stand for credentials; null (the default) accepts none. Set before use.
  void set_sessions(WebSessions* sessions) { sessions_ = sessions; }
  //! Where accepted and refused credentials are logged; null (the default) logs none. Set before use.
  void set_login_log(LoginLog* login_log) { login_log_ = login_log; }
  //! The WWW-Authenticate values for a fresh challenge (SHA-256 first, then MD5, then Basic).
  std::vector<std::string> challenge_values(bool stale);

 private:
  struct NonceState {
    hal::Nanos expires{};
    std::uint64_t last_count = 0;
  };
  AuthenticationOutcome authenticate_digest(const AuthenticationRequest& request, std::string_view parameters);
  AuthenticationOutcome authenticate_basic(const AuthenticationRequest& request, std::string_view encoded);
  Challenge fail(const AuthenticationRequest& request, std::string_view scheme, std::string_view username,
                 std::string message);
  UserAccount accept(const AuthenticationRequest& request, std::string_view scheme, UserAccount account);

  UserAccounts& accounts_;
  IllegalLoginLock& lock_;
  hal::Clock& clock_;
  AuthenticatorOptions options_;
  WebSessions* sessions_ = nullptr;
  LoginLog* login_log_ = nullptr;
  std::mutex mutex_;
  std::map<std::string, NonceState, std::less<>> nonces_;
};

//! The parameters of a Digest Authorization value ("username", "realm", ...), unquoted; nullopt if malformed.
std::optional<std::map<std::string, std::string>> parse_digest_parameters(std::string_view parameters);

//! RFC 7616 §3.4.1 response for qop=auth.
std::string digest_response(DigestAlgorithm algorithm, std::string_view ha1, std::string_view method,
                            std::string_view uri, std::string_view nonce, std::string_view nonce_count,
                            std::string_view cnonce, std::string_view qop);

}  // namespace camrig::security
