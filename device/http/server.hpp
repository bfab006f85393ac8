// The device's HTTP/1.1 server on Boost.Beast, plain or over TLS (HTTPS): accepts connections
// the admission check lets in (IP address filter), runs one session per connection (keep-alive,
// request body limit, handshake/header/body timeouts) and hands each request to the router.
// Long-lived responses are sent chunked as their stream produces them.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>

#include "device/core/result.hpp"
#include "device/http/router.hpp"
#include "device/security/authenticator.hpp"

namespace camrig::http {

struct ServerOptions {
  std::string bind_address = "0.0.0.0";
  std::uint16_t port = 80;  //!< 0 picks a free port
  std::size_t body_limit = 1024 * 1024;
  std::size_t header_limit = 16 * 1024;
  //! Socket guards in wall time (the peer is a real network client even when device time is simulated):
  //! waiting for a request's header, including keep-alive idle time, and then for its body.
  std::chrono::seconds header_timeout{30};
  std::chrono::seconds body_timeout{60};
  std::chrono::seconds handshake_timeout{10};
  //! After refusing a request whose body is still coming (too large, malformed), the session stops
  //! sending and reads and drops what the client sends for at most this long before it closes: a
  //! close with unread input resets the connection and the client could lose the refusal.
  std::chrono::seconds linger_time{5};
  std::size_t max_connections = 64;
  //! Set: the listener speaks HTTPS with this context; sessions keep the context they started with.
  std::shared_ptr<boost::asio::ssl::context> tls;
  //! Asked at accept with the peer's address; false closes the connection before any byte is read.
  std::function<bool(const std::string& address)> admit;
};

class Listener;

class Server {
 public:
  //! `router` and `authenticator` must outlive the server's io_context work.
  Server(boost::asio::io_context& io, ServerOptions options, const Router& router,
         security::Authenticator& authenticator);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  //! Binds and starts accepting; the error names the port and why ("HTTPS port 443 is in use").
  Result<void> start();
  //! Stops accepting and closes every connection. Any thread; the closing runs on the io_context.
  void stop();
  //! Stops accepting at once, freeing the port, but lets open connections finish: a port or
  //! certificate change must not cut off the request that made it. Call on the io_context's
  //! thread (or before it runs).
  void stop_accepting();
  //! The bound port; 0 before start().
  std::uint16_t port() const;

 private:
  boost::asio::io_context& io_;
  ServerOptions options_;
  const Router& router_;
  security::Authenticator& authenticator_;
  std::shared_ptr<Listener> listener_;
};

}  // namespace camrig::http
