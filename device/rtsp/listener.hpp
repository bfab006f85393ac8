// Accepts RTSP clients on the server's TCP port and keeps track of their connections so that
// the server can close them all when it stops.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "device/core/result.hpp"

namespace camrig::rtsp {

class Connection;
class ServerContext;

class Listener : public std::enable_shared_from_this<Listener> {
 public:
  using tcp = boost::asio::ip::tcp;

  Listener(boost::asio::io_context& io, std::shared_ptr<ServerContext> context);

  //! Binds and listens; the error names the port when it is taken or privileged.
  Result<void> open(const tcp::endpoint& endpoint);
  void run();
  std::uint16_t port() const { return port_; }
  //! Any thread: stops accepting and closes every connection.
  void stop();

 private:
  void do_accept();
  void on_accept(const boost::system::error_code& ec, tcp::socket socket);

  boost::asio::io_context& io_;
  std::shared_ptr<ServerContext> context_;
  tcp::acceptor acceptor_;
  std::uint16_t port_ = 0;
  std::mutex mutex_;  // guards connections_ and stopped_
  std::vector<std::weak_ptr<Connection>> connections_;
  bool stopped_ = false;
};

}  // namespace camrig::rtsp
