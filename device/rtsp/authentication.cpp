#include "device/rtsp/authentication.hpp"

#include <chrono>
#include <string>

#include "device/core/text.hpp"
#include "device/security/user_level.hpp"

namespace camrig::rtsp {
namespace {

bool starts_with_digest(std::string_view value) {
  while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  return value.size() > 7 && text::starts_with_ignoring_case(value, "Digest ");
}

//! The authenticator offers every algorithm it knows; RTSP offers only the allowed ones.
bool offered(std::string_view challenge, DigestAlgorithms allowed) {
  if (!starts_with_digest(challenge)) return true;
  for (const auto algorithm : {security::DigestAlgorithm::md5, security::DigestAlgorithm::sha256})
    if (challenge.find("algorithm=" + std::string(security::to_string(algorithm)) + ",") != std::string_view::npos)
      return allows(allowed, algorithm);
  return false;
}

Response unauthorized(const std::vector<std::string>& challenges, DigestAlgorithms allowed, const std::string& message) {
  Response response;
  response.status = 401;
  for (const auto& value : challenges)
    if (offered(value, allowed)) response.set("WWW-Authenticate", value);
  response.set("Content-Type", "text/plain");
  response.body = message + "\r\n";
  return response;
}

Response forbidden(const std::string& message) {
  Response response;
  response.status = 403;
  response.set("Content-Type", "text/plain");
  response.body = message + "\r\n";
  return response;
}

std::string_view spelling(DigestAlgorithms algorithms) {
  switch (algorithms) {
    case DigestAlgorithms::md5: return "MD5";
    case DigestAlgorithms::sha256: return "SHA256";
    case DigestAlgorithms::md5_and_sha256: return "MD5/SHA256";
  }
  return "MD5/SHA256";
}

}  // namespace

std::optional<DigestAlgorithms> parse_digest_algorithms(std::string_view text) {
  if (text == "MD5") return DigestAlgorithms::md5;
  if (text == "SHA256") return DigestAlgorithms::sha256;
  if (text == "MD5/SHA256") return DigestAlgorithms::md5_and_sha256;
  return std::nullopt;
}

bool allows(DigestAlgorithms allowed, security::DigestAlgorithm algorithm) {
  switch (allowed) {
    case DigestAlgorithms::md5: return algorithm == security::DigestAlgorithm::md5;
    case DigestAlgorithms::sha256: return algorithm == security::DigestAlgorithm::sha256;
    case DigestAlgorithms::md5_and_sha256: return true;
  }
  return false;
}

std::optional<Response> refuse_unauthenticated(const AuthenticationOptions& options, const Request& request,
                                               std::string_view client_address) {
  if (!options.authenticator) return std::nullopt;
  const auto allowed = options.digest_algorithms ? options.digest_algorithms() : DigestAlgorithms::md5_and_sha256;
  const auto authorization = request.header("Authorization").value_or(std::string_view());

  // An algorithm the setting excludes is refused before the password is checked, so it neither
  // logs the user in nor counts as an illegal login: the client is told which ones to use.
  if (starts_with_digest(authorization)) {
    const auto parameters = security::parse_digest_parameters(authorization.substr(authorization.find_first_not_of(' ') + 7));
    if (parameters) {
      const auto it = parameters->find("algorithm");
      const std::string name = it == parameters->end() ? "MD5" : it->second;
      const auto algorithm =
          text::equal_ignoring_case(name, "SHA-256") ? std::optional(security::DigestAlgorithm::sha256)
          : text::equal_ignoring_case(name, "MD5")   ? std::optional(security::DigestAlgorithm::md5)
                                                     : std::nullopt;
      if (algorithm && !allows(allowed, *algorithm))
        return unauthorized(options.authenticator->challenge_values(false), allowed,
                            "Digest algorithm " + name + " is not enabled for RTSP (RTSP Digest Algorithm: " +
                                std::string(spelling(allowed)) + ")");
    }
  }

  auto outcome = options.authenticator->authenticate({request.method, request.uri, authorization, client_address});
  if (auto* challenge = std::get_if<security::Challenge>(&outcome)) {
    if (challenge->reason == security::Challenge::Reason::address_locked) {
      const auto minutes = challenge->locked_for ? std::chrono::ceil<std::chrono::minutes>(*challenge->locked_for).count() : 0;
      return forbidden(challenge->message + " for " + std::to_string(minutes) + " more minute(s)");
    }
    return unauthorized(challenge->www_authenticate, allowed, challenge->message);
  }
  const auto& account = std::get<security::UserAccount>(outcome);
  if (!security::level_has(account.level, security::Permission::live_view))
    return forbidden("the " + std::string(security::to_string(account.level)) + " level lacks the live view permission");
  return std::nullopt;
}

}  // namespace camrig::rtsp
