#include "device/security/authenticator.hpp"

#include "device/core/base64.hpp"
#include "device/core/text.hpp"

#include <algorithm>
#include <array>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

namespace camrig::security {
namespace {

std::string random_token(std::size_t bytes) {
  std::array<unsigned char, 32> raw{};
  bytes = std::min(bytes, raw.size());
  RAND_bytes(raw.data(), static_cast<int>(bytes));
  return core::base64_encode(std::span<const std::uint8_t>(raw.data(), bytes));
}

bool equal_constant_time(std::string_view a, std::string_view b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}


}  // namespace

std::optional<std::map<std::string, std::string>> parse_digest_parameters(std::string_view text) {
  std::map<std::string, std::string> parameters;
  std::size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && (text[i] == ' ' || text[i] == '\t' || text[i] == ',')) ++i;
    if (i == text.size()) break;
    const auto equals = text.find('=', i);
    if (equals == std::string_view::npos) return std::nullopt;
    const std::string name = text::to_lower(text::trim(text.substr(i, equals - i)));
    i = equals + 1;
    while (i < text.size() && text[i] == ' ') ++i;
    std::string value;
    if (i < text.size() && text[i] == '"') {
      ++i;
      bool closed = false;
      for (; i < text.size(); ++i) {
        if (text[i] == '\\' && i + 1 < text.size()) value.push_back(text[++i]);
        else if (text[i] == '"') {
          closed = true;
          ++i;
          break;
        } else value.push_back(text[i]);
      }
      if (!closed) return std::nullopt;
    } else {
      const auto end = text.find(',', i);
      value = std::string(text::trim(text.substr(i, end == std::string_view::npos ? std::string_view::npos : end - i)));
      i = end == std::string_view::npos ? text.size() : end;
    }
    if (name.empty()) return std::nullopt;
    parameters[name] = value;
  }
  return parameters;
}

std::string digest_response(DigestAlgorithm algorithm, std::string_view ha1, std::string_view method,
                            std::string_view uri, std::string_view nonce, std::string_view nonce_count,
                            std::string_view cnonce, std::string_view qop) {
  const auto ha2 = digest_hex(algorithm, std::string(method) + ":" + std::string(uri));
  return digest_hex(algorithm, std::string(ha1) + ":" + std::string(nonce) + ":" + std::string(nonce_count) + ":" +
                                   std::string(cnonce) + ":" + std::string(qop) + ":" + ha2);
}

Authenticator::Authenticator(UserAccounts& accounts, IllegalLoginLock& lock, hal::Clock& clock,
                             AuthenticatorOptions options)
    : accounts_(accounts), lock_(lock), clock_(clock), options_(std::move(options)) {
  if (!options_.make_nonce) options_.make_nonce = [] { return random_token(24); };
  if (options_.opaque.empty()) options_.opaque = random_token(24);
  if (!options_.basic_enabled) options_.basic_enabled = [] { return false; };
}

std::vector<std::string> Authenticator::challenge_values(bool stale) {
  const auto nonce = options_.make_nonce();
  {
    std::lock_guard guard(mutex_);
    const auto now = clock_.now();
    std::erase_if(nonces_, [&](const auto& entry) { return entry.second.expires <= now; });
    if (nonces_.size() >= options_.max_nonces) nonces_.erase(nonces_.begin());
    nonces_[nonce] = NonceState{now + options_.nonce_lifetime, 0};
  }
  std::vector<std::string> values;
  for (const auto algorithm : {DigestAlgorithm::sha256, DigestAlgorithm::md5})
    values.push_back("Digest realm=\"" + accounts_.realm() + "\", qop=\"auth\", algorithm=" +
                     std::string(to_string(algorithm)) + ", nonce=\"" + nonce + "\", opaque=\"" + options_.opaque +
                     "\"" + (stale ? ", stale=true" : ""));
  if (options_.basic_enabled()) values.push_back("Basic realm=\"" + accounts_.realm() + "\"");
  return values;
}

UserAccount Authenticator::accept(const AuthenticationRequest& request, std::string_view scheme, UserAccount account) {
  lock_.record_success(request.client_address);
  if (login_log_) login_log_->accepted(account.name, request.client_address, options_.protocol + " " + std::string(scheme));
  return account;
}

Challenge Authenticator::fail(const AuthenticationRequest& request, std::string_view scheme, std::string_view username,
                              std::string message) {
  if (login_log_)
    login_log_->rejected(username, request.client_address, options_.protocol + " " + std::string(scheme), message);
  Challenge challenge{Challenge::Reason::bad_credentials, std::move(message), {}, std::nullopt};
  if (lock_.record_failure(request.client_address, username)) {
    challenge.reason = Challenge::Reason::address_locked;
    challenge.locked_for = lock_.locked_for(request.client_address);
    challenge.message = "too many failed logins: this IP address is locked";
    return challenge;
  }
  challenge.www_authenticate = challenge_values(false);
  return challenge;
}

AuthenticationOutcome Authenticator::authenticate(const AuthenticationRequest& request) {
  if (auto locked = lock_.locked_for(request.client_address))
    return Challenge{Challenge::Reason::address_locked, "too many failed logins: this IP address is locked", {}, locked};
  const auto authorization = text::trim(request.authorization);
  if (text::starts_with_ignoring_case(authorization, "Digest "))
    return authenticate_digest(request, authorization.substr(7));
  if (text::starts_with_ignoring_case(authorization, "Basic ") && options_.basic_enabled())
    return authenticate_basic(request, text::trim(authorization.substr(6)));
  return Challenge{Challenge::Reason::no_credentials,
                   authorization.empty() ? "authentication required" : "unsupported authentication scheme",
                   challenge_values(false), std::nullopt};
}

AuthenticationOutcome Authenticator::authenticate(const AuthenticationRequest& request, std::string_view session_token) {
  if (sessions_ && !session_token.empty() && !lock_.locked_for(request.client_address))
    if (auto account = sessions_->resume(session_token)) return *account;
  return authenticate(request);
}

AuthenticationOutcome Authenticator::authenticate_digest(const AuthenticationRequest& request,
                                                         std::string_view text) {
  const auto parameters = parse_digest_parameters(text);
  auto field = [&](const char* name) -> std::string {
    if (!parameters) return {};
    auto it = parameters->find(name);
    return it == parameters->end() ? std::string() : it->second;
  };
  const auto username = field("username");
  if (!parameters || username.empty() || field("response").empty() || field("nonce").empty())
    return Challenge{Challenge::Reason::no_credentials, "malformed Digest credentials", challenge_values(false),
                     std::nullopt};
  const auto algorithm_name = field("algorithm");
  DigestAlgorithm algorithm = DigestAlgorithm::md5;
  if (text::equal_ignoring_case(algorithm_name, "SHA-256")) algorithm = DigestAlgorithm::sha256;
  else if (!algorithm_name.empty() && !text::equal_ignoring_case(algorithm_name, "MD5"))
    return Challenge{Challenge::Reason::no_credentials, "unsupported Digest algorithm " + algorithm_name,
                     challenge_values(false), std::nullopt};
  const bool without_qop = options_.accept_digest_without_qop && field("qop").empty();
  if (!without_qop && field("qop") != "auth")
    return Challenge{Challenge::Reason::no_credentials, "Digest requires qop=auth", challenge_values(false), std::nullopt};
  if (field("realm") != accounts_.realm() || field("uri") != request.uri)
    return fail(request, "Digest", username, "Digest credentials for another realm or URI");

  const auto ha1 = accounts_.digest_ha1(username, algorithm);
  const auto nonce = field("nonce");
  const auto count_text = field("nc");
  std::string expected;
  if (ha1 && without_qop)
    expected = digest_hex(algorithm, *ha1 + ":" + nonce + ":" +
                                         digest_hex(algorithm, std::string(request.method) + ":" + std::string(request.uri)));
  else if (ha1)
    expected = digest_response(algorithm, *ha1, request.method, request.uri, nonce, count_text, field("cnonce"), "auth");
  if (!ha1 || !equal_constant_time(expected, field("response")))
    return fail(request, "Digest", username, "wrong user name or password");

  // The password is right; now the nonce must be ours, alive, and its count must move forward.
  std::uint64_t count = 0;
  try {
    if (!without_qop) count = std::stoull(count_text, nullptr, 16);
  } catch (const std::exception&) {
    return Challenge{Challenge::Reason::no_credentials, "malformed nonce count", challenge_values(false), std::nullopt};
  }
  {
    std::unique_lock guard(mutex_);
    auto it = nonces_.find(nonce);
    if (it == nonces_.end() || it->second.expires <= clock_.now()) {
      if (it != nonces_.end()) nonces_.erase(it);
      guard.unlock();
      return Challenge{Challenge::Reason::stale_nonce, "the nonce has expired", challenge_values(true), std::nullopt};
    }
    if (!without_qop) {
      if (count <= it->second.last_count) {
        guard.unlock();
        return Challenge{Challenge::Reason::stale_nonce, "nonce count replayed", challenge_values(true), std::nullopt};
      }
      it->second.last_count = count;
    }
  }
  auto account = accounts_.find(username);
  if (!account) return fail(request, "Digest", username, "wrong user name or password");
  return accept(request, "Digest", std::move(*account));
}

AuthenticationOutcome Authenticator::authenticate_basic(const AuthenticationRequest& request, std::string_view encoded) {
  // Real credentials are short; a huge header is refused before decoding it.
  const auto decoded = encoded.empty() || encoded.size() > 1024 ? std::nullopt : core::base64_decode(encoded);
  const auto colon = decoded ? decoded->find(':') : std::string::npos;
  if (colon == std::string::npos)
    return Challenge{Challenge::Reason::no_credentials, "malformed Basic credentials", challenge_values(false),
                     std::nullopt};
  const auto username = decoded->substr(0, colon);
  auto account = accounts_.verify_password(username, std::string_view(*decoded).substr(colon + 1));
  if (!account) return fail(request, "Basic", username, "wrong user name or password");
  return accept(request, "Basic", std::move(*account));
}

}  // namespace camrig::security
