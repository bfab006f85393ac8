#include "device/http/tls_context.hpp"

#include <openssl/ssl.h>

namespace camrig::http {

namespace ssl = boost::asio::ssl;

Result<std::shared_ptr<ssl::context>> make_tls_context(const std::string& key_pem, const std::string& certificate_chain_pem,
                                                       TlsVersions versions) {
  if (!versions.tls1_1 && !versions.tls1_2 && !versions.tls1_3)
    return make_error(ErrorCode::invalid_argument, "enable at least one TLS version (TLS 1.1, 1.2 or 1.3)");
  auto context = std::make_shared<ssl::context>(ssl::context::tls_server);
  ssl::context::options options = ssl::context::default_workarounds | ssl::context::no_sslv2 |
                                  ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::single_dh_use;
  if (!versions.tls1_1) options |= ssl::context::no_tlsv1_1;
  if (!versions.tls1_2) options |= ssl::context::no_tlsv1_2;
  if (!versions.tls1_3) options |= ssl::context::no_tlsv1_3;
  context->set_options(options);
  auto* native = context->native_handle();
  // OpenSSL's default floor is TLS 1.2 at security level 2; TLS 1.1 needs both lowered explicitly.
  SSL_CTX_set_min_proto_version(native, versions.tls1_1 ? TLS1_1_VERSION : TLS1_2_VERSION);
  SSL_CTX_set_max_proto_version(native, 0);
  if (versions.tls1_1) SSL_CTX_set_security_level(native, 0);

  boost::system::error_code ec;
  context->use_certificate_chain(boost::asio::buffer(certificate_chain_pem), ec);
  if (ec) return make_error(ErrorCode::invalid_argument, "the server certificate cannot be used: " + ec.message());
  context->use_private_key(boost::asio::buffer(key_pem), ssl::context::pem, ec);
  if (ec) return make_error(ErrorCode::invalid_argument, "the server key cannot be used: " + ec.message());
  if (SSL_CTX_check_private_key(native) != 1)
    return make_error(ErrorCode::invalid_argument, "the server certificate does not match its private key");
  return context;
}

}  // namespace camrig::http
