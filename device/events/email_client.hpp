// The SMTP client of the camera's email notification (network camera 8.2.3 "Set Email"): one
// message per connection, in plain text, SSL/TLS from the first byte (SMTPS, port 465) or
// upgraded with STARTTLS (port 25/587), with AUTH PLAIN or LOGIN when the server asks for it.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "device/core/result.hpp"
#include "device/events/email_message.hpp"

namespace camrig::events {

//! "E-mail Encryption": None, SSL/TLS on connect, or SSL/TLS with "Enable STARTTLS".
enum class MailSecurity { none, ssl, starttls };

struct SmtpSettings {
  std::string server;  //!< host name or IP address
  std::uint16_t port = 25;
  MailSecurity security = MailSecurity::none;
  bool authenticate = false;
  std::string user;
  std::string password;
  //! The name given in EHLO.
  std::string client_name = "camrig";
};

//! Sends one message; the error names the server and quotes its reply ("535 5.7.8 bad
//! credentials") or the network failure, so a user can act on it. Bounded by `timeout` overall.
//! As the manual says, a server that does not offer STARTTLS receives the mail unencrypted.
//! Certificates are not verified: mail servers of sites commonly use self-signed ones.
Result<void> send_mail(const SmtpSettings& settings, const EmailMessage& message, std::chrono::milliseconds timeout);

}  // namespace camrig::events
