// The UDP side of the fault proxy: one listening socket; each client address gets a UdpSession
// with its own upstream socket. Sessions without traffic either way for the idle timeout expire.
// Runs on the proxy's io thread.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/steady_timer.hpp>

#include "device/core/result.hpp"
#include "sim/network/link_state.hpp"

namespace camrig::sim {

class UdpSession;

class UdpRelay : public std::enable_shared_from_this<UdpRelay> {
 public:
  using udp = boost::asio::ip::udp;

  UdpRelay(boost::asio::io_context& io, LinkState& link, udp::endpoint target, std::chrono::milliseconds idle_timeout);

  Result<void> open(const udp::endpoint& endpoint);
  void run();
  std::uint16_t port() const { return port_; }
  //! Io thread: closes the socket and every session.
  void close();

 private:
  void receive();
  void expire();

  boost::asio::io_context& io_;
  LinkState& link_;
  udp::endpoint target_;
  std::chrono::milliseconds idle_timeout_;
  udp::socket socket_;
  boost::asio::steady_timer expiry_timer_;
  std::uint16_t port_ = 0;
  bool closed_ = false;
  udp::endpoint sender_;
  std::array<std::uint8_t, 65536> buffer_{};
  std::map<udp::endpoint, std::shared_ptr<UdpSession>> sessions_;
};

}  // namespace camrig::sim
