#include "device/events/email_client.hpp"

#include <optional>
#include <random>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include "device/core/base64.hpp"
#include "device/core/log.hpp"
#include "device/core/text.hpp"

namespace camrig::events {

namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace {

struct Reply {
  int code = 0;
  std::vector<std::string> lines;  // text after the code, one per reply line
  std::string text() const {
    std::string all = std::to_string(code);
    for (const auto& line : lines) all += " " + line;
    return all;
  }
};

// A failed step of the conversation; carries the message the caller reports.
struct Refused {
  std::string message;
};

class Conversation {
 public:
  Conversation(net::io_context& io, net::ssl::context& tls, const SmtpSettings& settings)
      : stream_(io, tls), resolver_(io), settings_(settings), where_("SMTP server " + settings.server + ":" + std::to_string(settings.port)) {}

  net::awaitable<void> run(const EmailMessage& message) {
    const auto endpoints = co_await resolver_.async_resolve(settings_.server, std::to_string(settings_.port), net::use_awaitable);
    co_await net::async_connect(stream_.next_layer(), endpoints, net::use_awaitable);
    if (settings_.security == MailSecurity::ssl) co_await handshake();
    expect(co_await read_reply(), 220, "greeting");
    auto features = co_await ehlo();
    if (settings_.security == MailSecurity::starttls) {
      if (offers(features, "STARTTLS")) {
        expect(co_await command("STARTTLS"), 220, "STARTTLS");
        co_await handshake();
        features = co_await ehlo();
      } else {
        log::get("events")->warn("{} does not offer STARTTLS; the mail is sent unencrypted", where_);
      }
    }
    if (settings_.authenticate) co_await authenticate(features);
    expect(co_await command("MAIL FROM:<" + message.from.address + ">"), 250, "the sender <" + message.from.address + ">");
    for (const auto& receiver : message.to) {
      const auto reply = co_await command("RCPT TO:<" + receiver.address + ">");
      if (reply.code != 250 && reply.code != 251) expect(reply, 250, "the receiver <" + receiver.address + ">");
    }
    expect(co_await command("DATA"), 354, "DATA");
    co_await write(dot_stuff(render_message(message, boundary())));
    expect(co_await read_reply(), 250, "the message");
    // The mail is accepted; a server that drops the connection at QUIT changes nothing.
    try {
      co_await command("QUIT");
    } catch (...) {
    }
  }

  const std::string& where() const { return where_; }

  //! Ends the conversation where it stands; its pending operations finish as aborted.
  void abort() {
    boost::system::error_code ignored;
    resolver_.cancel();
    stream_.next_layer().close(ignored);
  }

 private:
  static std::string boundary() {
    std::random_device random;
    return "camrig-" + std::to_string(random()) + std::to_string(random());
  }

  static bool offers(const Reply& features, std::string_view keyword) {
    for (const auto& line : features.lines)
      if (text::starts_with_ignoring_case(line, keyword) &&
          (line.size() == keyword.size() || line[keyword.size()] == ' ' || line[keyword.size()] == '='))
        return true;
    return false;
  }

  static bool offers_auth(const Reply& features, std::string_view mechanism) {
    for (const auto& line : features.lines) {
      if (line.size() < 5 || (line.compare(0, 5, "AUTH ") != 0 && line.compare(0, 5, "AUTH=") != 0)) continue;
      std::string rest = " " + line.substr(5) + " ";
      if (rest.find(" " + std::string(mechanism) + " ") != std::string::npos) return true;
    }
    return false;
  }

  void expect(const Reply& reply, int code, const std::string& what) const {
    if (reply.code != code) throw Refused{where_ + " refused " + what + ": " + reply.text()};
  }

  net::awaitable<void> handshake() {
    SSL_ctrl(stream_.native_handle(), SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
             const_cast<char*>(settings_.server.c_str()));
    co_await stream_.async_handshake(net::ssl::stream_base::client, net::use_awaitable);
    tls_ = true;
  }

  net::awaitable<Reply> ehlo() {
    auto reply = co_await command("EHLO " + settings_.client_name);
    expect(reply, 250, "EHLO");
    co_return reply;
  }

  net::awaitable<void> authenticate(const Reply& features) {
    if (offers_auth(features, "PLAIN")) {
      const auto token = core::base64_encode(std::string_view(std::string(1, '\0') + settings_.user + '\0' + settings_.password));
      expect(co_await command("AUTH PLAIN " + token, "AUTH PLAIN <credentials>"), 235, "the user name or password (AUTH PLAIN)");
    } else if (offers_auth(features, "LOGIN")) {
      expect(co_await command("AUTH LOGIN"), 334, "AUTH LOGIN");
      expect(co_await command(core::base64_encode(std::string_view(settings_.user)), "<user>"), 334, "the user name");
      expect(co_await command(core::base64_encode(std::string_view(settings_.password)), "<password>"), 235,
             "the user name or password (AUTH LOGIN)");
    } else {
      throw Refused{where_ + " offers no authentication this camera speaks (PLAIN, LOGIN)" +
                    (tls_ ? std::string() : "; it may allow it only over SSL/TLS or STARTTLS")};
    }
  }

  net::awaitable<Reply> command(const std::string& line, const std::string& shown = {}) {
    log::get("events")->trace("SMTP > {}", shown.empty() ? line : shown);
    co_await write(line + "\r\n");
    co_return co_await read_reply();
  }

  net::awaitable<void> write(const std::string& data) {
    if (tls_) co_await net::async_write(stream_, net::buffer(data), net::use_awaitable);
    else co_await net::async_write(stream_.next_layer(), net::buffer(data), net::use_awaitable);
  }

  // A reply is one or more lines "250-..." ending with "250 ...".
  net::awaitable<Reply> read_reply() {
    Reply reply;
    for (;;) {
      std::size_t length = 0;
      if (tls_) length = co_await net::async_read_until(stream_, net::dynamic_buffer(input_), "\r\n", net::use_awaitable);
      else length = co_await net::async_read_until(stream_.next_layer(), net::dynamic_buffer(input_), "\r\n", net::use_awaitable);
      std::string line = input_.substr(0, length - 2);
      input_.erase(0, length);
      if (line.size() < 3 || !std::isdigit(static_cast<unsigned char>(line[0])))
        throw Refused{where_ + " answered something that is not SMTP: '" + line.substr(0, 80) + "'"};
      reply.code = std::stoi(line.substr(0, 3));
      reply.lines.push_back(line.size() > 4 ? line.substr(4) : std::string());
      log::get("events")->trace("SMTP < {}", line);
      if (line.size() == 3 || line[3] != '-') co_return reply;
    }
  }

  net::ssl::stream<tcp::socket> stream_;
  tcp::resolver resolver_;
  const SmtpSettings& settings_;
  std::string where_;
  bool tls_ = false;
  std::string input_;
};

}  // namespace

Result<void> send_mail(const SmtpSettings& settings, const EmailMessage& message, std::chrono::milliseconds timeout) {
  if (settings.server.empty()) return make_error(ErrorCode::invalid_argument, "no SMTP server is set");
  if (message.to.empty()) return make_error(ErrorCode::invalid_argument, "no receiver is set");
  net::io_context io;
  net::ssl::context tls(net::ssl::context::tls_client);
  tls.set_verify_mode(net::ssl::verify_none);
  Conversation conversation(io, tls, settings);
  std::optional<Result<void>> outcome;
  net::co_spawn(io, conversation.run(message), [&](std::exception_ptr failure) {
    if (!failure) {
      outcome = Result<void>{};
      return;
    }
    try {
      std::rethrow_exception(failure);
    } catch (const Refused& refused) {
      outcome = make_error(ErrorCode::unavailable, refused.message);
    } catch (const boost::system::system_error& error) {
      outcome = make_error(ErrorCode::unavailable, conversation.where() + ": " + error.code().message());
    } catch (const std::exception& error) {
      outcome = make_error(ErrorCode::unavailable, conversation.where() + ": " + error.what());
    }
  });
  io.run_for(timeout);
  if (outcome) return *outcome;
  // Unwind the coroutine before its io_context and stream go away.
  conversation.abort();
  io.restart();
  io.run_for(std::chrono::seconds(1));
  return make_error(ErrorCode::unavailable,
                    conversation.where() + ": no complete answer within " + std::to_string(timeout.count()) + " ms");
}

}  // namespace camrig::events
