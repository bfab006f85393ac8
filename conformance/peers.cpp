#include "conformance/peers.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <mutex>
#include <set>
#include <thread>

#include <boost/asio/buffers_iterator.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "device/core/text.hpp"

namespace camrig::conformance {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;

struct PeerServer::State {
  PeerKind kind = PeerKind::http;
  std::string name;
  DeviceTime now;
  net::io_context io;
  net::ip::tcp::acceptor acceptor{io};
  std::thread thread;
  std::uint16_t port = 0;
  mutable std::mutex mutex;
  std::vector<ObservedDelivery> deliveries;
  //! LPRAPI: vehicle sequences taken, so a message sent again is answered but not stored twice.
  std::set<std::int64_t> taken_sequences;
  bool stopped = false;

  void record(ObservedDelivery delivery) {
    delivery.peer = name;
    delivery.at = now ? now() : 0;
    std::lock_guard lock(mutex);
    if (kind == PeerKind::lprapi) {
      const auto body = nlohmann::json::parse(delivery.body, nullptr, false);
      if (!body.is_discarded() && body.is_object() && body.value("messageType", "") == "vehicle" && body.contains("sequence") &&
          body["sequence"].is_number_integer())
        delivery.repeat = !taken_sequences.insert(body["sequence"].get<std::int64_t>()).second;
    }
    deliveries.push_back(std::move(delivery));
  }
};

namespace {

// "=?UTF-8?B?...?=" (RFC 2047) as the camera writes a subject with non-ASCII text.
std::string decode_header(const std::string& value) {
  const std::string prefix = "=?UTF-8?B?";
  if (!value.starts_with(prefix) || !value.ends_with("?=")) return value;
  const auto encoded = value.substr(prefix.size(), value.size() - prefix.size() - 2);
  std::string decoded(encoded.size(), '\0');
  const int length = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(decoded.data()),
                                     reinterpret_cast<const unsigned char*>(encoded.data()), static_cast<int>(encoded.size()));
  if (length < 0) return value;
  decoded.resize(static_cast<std::size_t>(length));
  // EVP_DecodeBlock counts the padding as zero bytes.
  for (auto pad = encoded.rbegin(); pad != encoded.rend() && *pad == '=' && !decoded.empty(); ++pad) decoded.pop_back();
  return decoded;
}

// The header section of a mail, lower-case names, folded lines joined.
std::map<std::string, std::string> mail_headers(const std::string& data) {
  std::map<std::string, std::string> headers;
  std::string last;
  std::size_t at = 0;
  while (at < data.size()) {
    auto end = data.find("\r\n", at);
    if (end == std::string::npos) end = data.size();
    const auto line = data.substr(at, end - at);
    at = end + 2;
    if (line.empty()) break;
    if ((line[0] == ' ' || line[0] == '\t') && !last.empty()) {
      headers[last] += " " + std::string(text::trim(line));
      continue;
    }
    const auto colon = line.find(':');
    if (colon == std::string::npos) continue;
    last = text::to_lower(line.substr(0, colon));
    headers[last] = text::trim(line.substr(colon + 1));
  }
  for (auto& [name, value] : headers) value = decode_header(value);
  return headers;
}

net::awaitable<void> serve_http(PeerServer::State* state, net::ip::tcp::socket socket) {
  try {
    beast::tcp_stream stream(std::move(socket));
    beast::flat_buffer buffer;
    for (;;) {
      http::request_parser<http::string_body> parser;
      parser.body_limit(64 * 1024 * 1024);  // vehicle messages carry base64 pictures
      co_await http::async_read(stream, buffer, parser, net::use_awaitable);
      auto& request = parser.get();
      ObservedDelivery delivery;
      delivery.method = std::string(request.method_string());
      delivery.path = std::string(request.target());
      for (const auto& field : request)
        delivery.headers[text::to_lower(std::string(field.name_string()))] = std::string(field.value());
      delivery.body = request.body();
      state->record(std::move(delivery));
      http::response<http::string_body> response{http::status::ok, request.version()};
      response.set(http::field::content_type, "application/json");
      response.body() = R"({"result":"ok"})";
      response.keep_alive(request.keep_alive());
      response.prepare_payload();
      co_await http::async_write(stream, response, net::use_awaitable);
      if (!request.keep_alive()) break;
    }
  } catch (const std::exception&) {
    // The client closed or reset the connection: nothing more arrives on it.
  }
}

// Plain SMTP as a mail relay that takes every message; AUTH is accepted whatever the
// credentials, STARTTLS is not offered, so the camera sends in clear on loopback.
net::awaitable<void> serve_smtp(PeerServer::State* state, net::ip::tcp::socket socket) {
  try {
    net::streambuf input;
    const auto send = [&](const std::string& line) -> net::awaitable<void> {
      co_await net::async_write(socket, net::buffer(line), net::use_awaitable);
    };
    const auto read_line = [&]() -> net::awaitable<std::string> {
      const auto n = co_await net::async_read_until(socket, input, "\r\n", net::use_awaitable);
      std::string line(net::buffers_begin(input.data()), net::buffers_begin(input.data()) + static_cast<std::ptrdiff_t>(n - 2));
      input.consume(n);
      co_return line;
    };
    co_await send("220 camrig-bench ESMTP\r\n");
    ObservedDelivery mail;
    mail.method = "MAIL";
    for (;;) {
      const auto line = co_await read_line();
      const auto verb = text::to_lower(line.substr(0, line.find(' ')));
      if (verb == "ehlo") {
        co_await send("250-camrig-bench\r\n250-AUTH PLAIN LOGIN\r\n250 8BITMIME\r\n");
      } else if (verb == "helo") {
        co_await send("250 camrig-bench\r\n");
      } else if (verb == "auth") {
        const auto rest = text::to_lower(line.size() > 5 ? line.substr(5) : "");
        if (rest.starts_with("login")) {
          co_await send("334 VXNlcm5hbWU6\r\n");
          co_await read_line();
          co_await send("334 UGFzc3dvcmQ6\r\n");
          co_await read_line();
        } else if (rest == "plain") {
          co_await send("334 \r\n");
          co_await read_line();
        }
        co_await send("235 2.7.0 accepted\r\n");
      } else if (verb == "mail") {
        mail = ObservedDelivery{};
        mail.method = "MAIL";
        mail.headers["mail_from"] = text::trim(line.substr(line.find(':') + 1));
        co_await send("250 2.1.0 ok\r\n");
      } else if (verb == "rcpt") {
        auto& to = mail.headers["rcpt_to"];
        to += (to.empty() ? "" : ",") + std::string(text::trim(line.substr(line.find(':') + 1)));
        co_await send("250 2.1.5 ok\r\n");
      } else if (verb == "data") {
        co_await send("354 end with <CRLF>.<CRLF>\r\n");
        std::string data;
        for (;;) {
          auto text = co_await read_line();
          if (text == ".") break;
          if (text.starts_with(".")) text.erase(0, 1);  // dot-stuffing
          data += text + "\r\n";
        }
        for (auto& [name, value] : mail_headers(data)) mail.headers.try_emplace(name, value);
        mail.body = std::move(data);
        state->record(mail);
        co_await send("250 2.0.0 queued\r\n");
      } else if (verb == "rset" || verb == "noop") {
        co_await send("250 ok\r\n");
      } else if (verb == "quit") {
        co_await send("221 bye\r\n");
        break;
      } else {
        co_await send("502 5.5.2 not implemented\r\n");
      }
    }
  } catch (const std::exception&) {
    // The client went away.
  }
}

net::awaitable<void> accept_loop(PeerServer::State* state) {
  for (;;) {
    net::ip::tcp::socket socket(state->io);
    try {
      co_await state->acceptor.async_accept(socket, net::use_awaitable);
    } catch (const std::exception&) {
      co_return;  // closed by stop()
    }
    if (state->kind == PeerKind::smtp) net::co_spawn(state->io, serve_smtp(state, std::move(socket)), net::detached);
    else net::co_spawn(state->io, serve_http(state, std::move(socket)), net::detached);
  }
}

}  // namespace

Result<std::unique_ptr<PeerServer>> PeerServer::start(PeerKind kind, std::string name, DeviceTime now) {
  auto state = std::make_unique<State>();
  state->kind = kind;
  state->name = std::move(name);
  state->now = std::move(now);
  boost::system::error_code ec;
  const net::ip::tcp::endpoint endpoint(net::ip::make_address("127.0.0.1"), 0);
  state->acceptor.open(endpoint.protocol(), ec);
  if (!ec) state->acceptor.bind(endpoint, ec);
  if (!ec) state->acceptor.listen(net::socket_base::max_listen_connections, ec);
  if (ec)
    return make_error(ErrorCode::unavailable,
                      fmt::format("peer '{}' could not listen on 127.0.0.1: {}", state->name, ec.message()));
  state->port = state->acceptor.local_endpoint().port();
  net::co_spawn(state->io, accept_loop(state.get()), net::detached);
  state->thread = std::thread([running = state.get()] { running->io.run(); });
  return std::unique_ptr<PeerServer>(new PeerServer(std::move(state)));
}

PeerServer::PeerServer(std::unique_ptr<State> state) : state_(std::move(state)) {}

PeerServer::~PeerServer() { stop(); }

std::uint16_t PeerServer::port() const { return state_->port; }
PeerKind PeerServer::kind() const { return state_->kind; }

std::vector<ObservedDelivery> PeerServer::deliveries() const {
  std::lock_guard lock(state_->mutex);
  return state_->deliveries;
}

void PeerServer::stop() {
  {
    std::lock_guard lock(state_->mutex);
    if (state_->stopped) return;
    state_->stopped = true;
  }
  // Stopping the io_context ends every connection's coroutine where it waits.
  state_->io.stop();
  if (state_->thread.joinable()) state_->thread.join();
  boost::system::error_code ignored;
  state_->acceptor.close(ignored);
}

}  // namespace camrig::conformance
