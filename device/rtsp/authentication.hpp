// Who may use the RTSP server: every request but OPTIONS must carry credentials that the device's
// shared authenticator accepts (Digest, Basic when "RTSP Authentication" is digest/basic), with a
// Digest algorithm the "RTSP Digest Algorithm" setting allows, from an account with live view.
#pragma once

#include <functional>
#include <optional>
#include <string_view>

#include "device/rtsp/request.hpp"
#include "device/rtsp/response.hpp"
#include "device/security/authenticator.hpp"

namespace camrig::rtsp {

//! The manual's "RTSP Digest Algorithm" choices: MD5, SHA256 and MD5/SHA256.
enum class DigestAlgorithms { md5, sha256, md5_and_sha256 };

//! Parses the manual's spelling ("MD5", "SHA256", "MD5/SHA256"); nullopt for anything else.
std::optional<DigestAlgorithms> parse_digest_algorithms(std::string_view text);
bool allows(DigestAlgorithms allowed, security::DigestAlgorithm algorithm);

struct AuthenticationOptions {
  //! Null: the server asks nobody for credentials (a bare server in tests of the transports).
  //! Its basic_enabled option decides whether Basic is offered and accepted.
  security::Authenticator* authenticator = nullptr;
  //! Asked on every request, so a changed setting applies to the next one; null allows both.
  std::function<DigestAlgorithms()> digest_algorithms;
};

//! nullopt when `request` may proceed; otherwise the refusal to send: 401 with one
//! WWW-Authenticate header per offered scheme, or 403 for a locked address or an account
//! without the live view permission. The body says why.
std::optional<Response> refuse_unauthenticated(const AuthenticationOptions& options, const Request& request,
                                               std::string_view client_address);

}  // namespace camrig::rtsp
