// One HTTP/1.1 POST of an LPRAPI message to the platform server (RFC 2616/7230), answering a
// Digest challenge (RFC 7616: MD5 or SHA-256, qop=auth, the server's nonce reused with a rising
// nonce count until it asks again). The whole exchange is bounded by one timeout, so a server that
// hangs or answers garbage costs a retry, never a stuck worker.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "device/core/result.hpp"
#include "device/traffic/lprapi_settings.hpp"

namespace camrig::traffic {

struct LprApiCredentials {
  std::string username;
  std::string password;
};

class LprApiClient {
 public:
  //! `credentials` empty: requests carry no Authorization and a 401 is an answer like any other.
  LprApiClient(PlatformServer server, std::optional<LprApiCredentials> credentials, std::chrono::milliseconds timeout);

  //! POSTs `body` (application/json; charset=UTF-8) to the server's base path + `path`; the HTTP
  //! status of the final answer, or why there was none.
  Result<unsigned> post(const std::string& path, const std::string& body);

 private:
  struct Answer {
    unsigned status = 0;
    std::string www_authenticate;
  };
  Result<Answer> exchange(const std::string& target, const std::string& body, const std::string& authorization);
  std::string authorization(const std::string& target);
  bool take_challenge(const std::string& www_authenticate);

  PlatformServer server_;
  std::optional<LprApiCredentials> credentials_;
  std::chrono::milliseconds timeout_;
  // The server's current Digest challenge.
  std::string realm_, nonce_, opaque_, algorithm_name_, qop_;
  bool sha256_ = false;
  std::uint32_t nonce_count_ = 0;
};

}  // namespace camrig::traffic
