// The TLS side of the HTTPS listener: an OpenSSL server context from a PEM key and certificate
// chain, with exactly the protocol versions the "TLS" settings enable (1.1, 1.2, 1.3).
#pragma once

#include <memory>
#include <string>

#include <boost/asio/ssl/context.hpp>

#include "device/core/result.hpp"

namespace camrig::http {

struct TlsVersions {
  bool tls1_1 = false;
  bool tls1_2 = true;
  bool tls1_3 = true;
};

//! Fails when no version is enabled or the key does not match the certificate.
Result<std::shared_ptr<boost::asio::ssl::context>> make_tls_context(const std::string& key_pem,
                                                                    const std::string& certificate_chain_pem,
                                                                    TlsVersions versions);

}  // namespace camrig::http
