// Where the network fault proxy listens and where it forwards to.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace camrig::sim {

enum class ProxyProtocol { tcp, udp, tcp_and_udp };

struct FaultProxyOptions {
  std::string listen_address = "127.0.0.1";
  //! 0 picks a free port (see FaultProxy::port()); with tcp_and_udp the UDP socket takes the
  //! port the TCP listener got.
  std::uint16_t listen_port = 0;
  //! A name or an address, resolved once by start().
  std::string target_host = "127.0.0.1";
  std::uint16_t target_port = 0;
  ProxyProtocol protocol = ProxyProtocol::tcp;
  //! Seeds the random draws (jitter, loss, duplication, reordering) of both directions.
  std::uint64_t seed = 1;
  //! A UDP session with no datagram either way for this long is closed.
  std::chrono::milliseconds udp_idle_timeout{30000};
};

}  // namespace camrig::sim
