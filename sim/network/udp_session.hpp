// One UDP client address of the fault proxy: its own upstream socket connected to the target,
// a scheduler per direction, replies sent back to the client from the proxy's listening socket.
// Runs on the proxy's io thread.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/udp.hpp>

#include "device/core/result.hpp"
#include "sim/network/link_state.hpp"

namespace camrig::sim {

class DatagramScheduler;

class UdpSession : public std::enable_shared_from_this<UdpSession> {
 public:
  using udp = boost::asio::ip::udp;
  using Clock = LinkState::Clock;

  //! `listen_socket` must outlive the session (the relay closes its sessions first).
  UdpSession(boost::asio::io_context& io, LinkState& link, udp::socket& listen_socket, udp::endpoint client);

  //! Opens the upstream socket towards `target` and starts receiving replies.
  Result<void> open(const udp::endpoint& target);
  //! A datagram the client sent to the proxy.
  void from_client(std::vector<std::uint8_t> datagram);
  void close();
  Clock::time_point last_activity() const { return last_activity_; }

 private:
  void receive();

  udp::socket& listen_socket_;
  udp::endpoint client_;
  udp::socket upstream_;
  std::shared_ptr<DatagramScheduler> to_server_;
  std::shared_ptr<DatagramScheduler> to_client_;
  std::array<std::uint8_t, 65536> buffer_{};
  Clock::time_point last_activity_;
  bool closed_ = false;
};

}  // namespace camrig::sim
