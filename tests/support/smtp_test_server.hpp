// A small SMTP server for tests: listens on a free loopback port, speaks plain SMTP, SMTPS
// (TLS from the first byte) or offers STARTTLS, optionally requires AUTH PLAIN/LOGIN, and records
// each mail it accepts (envelope, DATA with dot-stuffing undone, whether TLS and AUTH were used).
// It can also play a dead server that accepts connections and never answers.
#pragma once

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include "device/core/base64.hpp"

namespace camrig::test {

struct ReceivedMail {
  std::string mail_from;
  std::vector<std::string> rcpt_to;
  std::string data;  //!< the message as sent, CRLF line ends, without the final "."
  bool tls = false;
  std::string auth_mechanism;  //!< "PLAIN", "LOGIN" or empty
  std::string auth_user;
};

struct SmtpTestServerOptions {
  enum class Tls { none, implicit, starttls };
  Tls tls = Tls::none;
  std::string certificate_pem;  //!< needed for implicit and starttls
  std::string key_pem;
  //! When set, MAIL needs AUTH first with these credentials.
  std::string user;
  std::string password;
  std::vector<std::string> auth_mechanisms{"PLAIN", "LOGIN"};
  //! Accept connections but never answer (a dead server).
  bool silent = false;
  //! Refuse every RCPT with this reply ("550 5.1.1 no such user"); empty: accept.
  std::string rcpt_refusal;
};

class SmtpTestServer {
 public:
  explicit SmtpTestServer(SmtpTestServerOptions options)
      : options_(std::move(options)), tls_context_(boost::asio::ssl::context::tls_server), acceptor_(io_) {
    namespace net = boost::asio;
    if (!options_.certificate_pem.empty()) {
      tls_context_.use_certificate_chain(net::buffer(options_.certificate_pem));
      tls_context_.use_private_key(net::buffer(options_.key_pem), net::ssl::context::pem);
    }
    const net::ip::tcp::endpoint endpoint(net::ip::make_address("127.0.0.1"), 0);
    acceptor_.open(endpoint.protocol());
    acceptor_.set_option(net::socket_base::reuse_address(true));
    acceptor_.bind(endpoint);
    acceptor_.listen();
    port_ = acceptor_.local_endpoint().port();
    net::co_spawn(io_, accept_loop(), net::detached);
    thread_ = std::thread([this] { io_.run(); });
  }

  ~SmtpTestServer() {
    io_.stop();
    thread_.join();
  }

  SmtpTestServer(const SmtpTestServer&) = delete;
  SmtpTestServer& operator=(const SmtpTestServer&) = delete;

  std::uint16_t port() const { return port_; }

  std::vector<ReceivedMail> mails() const {
    std::lock_guard lock(mutex_);
    return mails_;
  }

  int connections() const {
    std::lock_guard lock(mutex_);
    return connections_;
  }

  //! True once `count` mails have arrived, false after `timeout`.
  bool wait_for_mails(std::size_t count, std::chrono::milliseconds timeout) const {
    std::unique_lock lock(mutex_);
    return arrived_.wait_for(lock, timeout, [&] { return mails_.size() >= count; });
  }

 private:
  using Stream = boost::asio::ssl::stream<boost::asio::ip::tcp::socket>;

  boost::asio::awaitable<void> accept_loop() {
    namespace net = boost::asio;
    for (;;) {
      auto socket = co_await acceptor_.async_accept(net::use_awaitable);
      {
        std::lock_guard lock(mutex_);
        ++connections_;
      }
      net::co_spawn(io_, session(std::make_shared<Stream>(std::move(socket), tls_context_)), net::detached);
    }
  }

  struct Session {
    std::shared_ptr<Stream> stream;
    bool tls = false;
    std::string input;
  };

  static boost::asio::awaitable<void> send(Session& session, const std::string& text) {
    namespace net = boost::asio;
    if (session.tls) co_await net::async_write(*session.stream, net::buffer(text), net::use_awaitable);
    else co_await net::async_write(session.stream->next_layer(), net::buffer(text), net::use_awaitable);
  }

  static boost::asio::awaitable<std::string> read_until(Session& session, const std::string& delimiter) {
    namespace net = boost::asio;
    std::size_t length = 0;
    if (session.tls)
      length = co_await net::async_read_until(*session.stream, net::dynamic_buffer(session.input), delimiter, net::use_awaitable);
    else
      length = co_await net::async_read_until(session.stream->next_layer(), net::dynamic_buffer(session.input), delimiter,
                                              net::use_awaitable);
    std::string text = session.input.substr(0, length - delimiter.size());
    session.input.erase(0, length);
    co_return text;
  }

  static std::string upper(std::string text) {
    std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    return text;
  }

  static std::string angle_address(const std::string& argument) {
    const auto open = argument.find('<');
    const auto close = argument.find('>');
    return open == std::string::npos || close == std::string::npos ? argument : argument.substr(open + 1, close - open - 1);
  }

  boost::asio::awaitable<void> session(std::shared_ptr<Stream> stream) {
    namespace net = boost::asio;
    Session s;
    s.stream = std::move(stream);
    try {
      if (options_.silent) {
        std::string ignored;
        co_await net::async_read(s.stream->next_layer(), net::dynamic_buffer(ignored), net::use_awaitable);
        co_return;
      }
      if (options_.tls == SmtpTestServerOptions::Tls::implicit) {
        co_await s.stream->async_handshake(net::ssl::stream_base::server, net::use_awaitable);
        s.tls = true;
      }
      co_await send(s, "220 smtp.test ESMTP ready\r\n");
      ReceivedMail mail;
      bool authenticated = false;
      for (;;) {
        const auto line = co_await read_until(s, "\r\n");
        const auto verb = upper(line.substr(0, line.find(' ')));
        const auto argument = line.find(' ') == std::string::npos ? std::string() : line.substr(line.find(' ') + 1);
        if (verb == "EHLO" || verb == "HELO") {
          std::string reply = "250-smtp.test\r\n";
          if (options_.tls == SmtpTestServerOptions::Tls::starttls && !s.tls) reply += "250-STARTTLS\r\n";
          if (!options_.user.empty() && !options_.auth_mechanisms.empty()) {
            reply += "250-AUTH";
            for (const auto& mechanism : options_.auth_mechanisms) reply += " " + mechanism;
            reply += "\r\n";
          }
          co_await send(s, reply + "250 8BITMIME\r\n");
        } else if (verb == "STARTTLS" && options_.tls == SmtpTestServerOptions::Tls::starttls && !s.tls) {
          co_await send(s, "220 2.0.0 go ahead\r\n");
          co_await s.stream->async_handshake(net::ssl::stream_base::server, net::use_awaitable);
          s.tls = true;
          s.input.clear();
        } else if (verb == "AUTH") {
          const auto mechanism = upper(argument.substr(0, argument.find(' ')));
          std::string user, password;
          if (mechanism == "PLAIN") {
            auto token = argument.find(' ') == std::string::npos ? std::string() : argument.substr(argument.find(' ') + 1);
            if (token.empty()) {
              co_await send(s, "334 \r\n");
              token = co_await read_until(s, "\r\n");
            }
            const auto decoded = core::base64_decode(token).value_or("");
            const auto first = decoded.find('\0');
            const auto second = decoded.find('\0', first + 1);
            if (first != std::string::npos && second != std::string::npos) {
              user = decoded.substr(first + 1, second - first - 1);
              password = decoded.substr(second + 1);
            }
          } else if (mechanism == "LOGIN") {
            co_await send(s, "334 VXNlcm5hbWU6\r\n");
            user = core::base64_decode(co_await read_until(s, "\r\n")).value_or("");
            co_await send(s, "334 UGFzc3dvcmQ6\r\n");
            password = core::base64_decode(co_await read_until(s, "\r\n")).value_or("");
          } else {
            co_await send(s, "504 5.5.4 unrecognised authentication type\r\n");
            continue;
          }
          if (user == options_.user && password == options_.password) {
            authenticated = true;
            mail.auth_mechanism = mechanism;
            mail.auth_user = user;
            co_await send(s, "235 2.7.0 authentication successful\r\n");
          } else {
            co_await send(s, "535 5.7.8 authentication credentials invalid\r\n");
          }
        } else if (verb == "MAIL") {
          if (!options_.user.empty() && !authenticated) {
            co_await send(s, "530 5.7.0 authentication required\r\n");
            continue;
          }
          mail.mail_from = angle_address(argument);
          co_await send(s, "250 2.1.0 ok\r\n");
        } else if (verb == "RCPT") {
          if (!options_.rcpt_refusal.empty()) {
            co_await send(s, options_.rcpt_refusal + "\r\n");
            continue;
          }
          mail.rcpt_to.push_back(angle_address(argument));
          co_await send(s, "250 2.1.5 ok\r\n");
        } else if (verb == "DATA") {
          co_await send(s, "354 end data with <CR><LF>.<CR><LF>\r\n");
          // The terminating dot line; a message is never empty (it has headers).
          auto data = co_await read_until(s, "\r\n.\r\n");
          std::string undone;
          bool line_start = true;
          for (std::size_t i = 0; i < data.size(); ++i) {
            if (line_start && data[i] == '.') {
              line_start = false;
              continue;
            }
            undone += data[i];
            line_start = data[i] == '\n';
          }
          mail.data = undone + "\r\n";
          mail.tls = s.tls;
          {
            std::lock_guard lock(mutex_);
            mails_.push_back(mail);
          }
          arrived_.notify_all();
          mail.rcpt_to.clear();
          co_await send(s, "250 2.0.0 queued\r\n");
        } else if (verb == "QUIT") {
          co_await send(s, "221 2.0.0 bye\r\n");
          co_return;
        } else if (verb == "RSET" || verb == "NOOP") {
          co_await send(s, "250 2.0.0 ok\r\n");
        } else {
          co_await send(s, "502 5.5.2 command not recognised\r\n");
        }
      }
    } catch (const std::exception&) {
      // The client went away; nothing to record.
    }
  }

  SmtpTestServerOptions options_;
  boost::asio::io_context io_;
  boost::asio::ssl::context tls_context_;
  boost::asio::ip::tcp::acceptor acceptor_;
  std::uint16_t port_ = 0;
  mutable std::mutex mutex_;
  mutable std::condition_variable arrived_;
  std::vector<ReceivedMail> mails_;
  int connections_ = 0;
  std::thread thread_;
};

}  // namespace camrig::test
