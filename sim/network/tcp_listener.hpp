// The TCP side of the fault proxy: accepts clients and gives each a TcpRelay to the target.
// During a partition a new client is accepted and at once reset (SO_LINGER 0), so it sees its
// connection refused instead of a forwarded one. Runs on the proxy's io thread.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "device/core/result.hpp"
#include "sim/network/link_state.hpp"

namespace camrig::sim {

class TcpRelay;

class TcpListener : public std::enable_shared_from_this<TcpListener> {
 public:
  using tcp = boost::asio::ip::tcp;

  TcpListener(boost::asio::io_context& io, LinkState& link, tcp::endpoint target);

  //! Binds and listens; the error names the address.
  Result<void> open(const tcp::endpoint& endpoint);
  void run();
  std::uint16_t port() const { return port_; }
  //! Io thread: resets every current connection.
  void reset_connections();
  //! Io thread: stops accepting and closes every connection.
  void close();

 private:
  void accept();

  boost::asio::io_context& io_;
  LinkState& link_;
  tcp::endpoint target_;
  tcp::acceptor acceptor_;
  std::uint16_t port_ = 0;
  bool closed_ = false;
  std::vector<std::weak_ptr<TcpRelay>> relays_;
};

}  // namespace camrig::sim
