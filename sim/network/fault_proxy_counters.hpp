// What the network fault proxy has done so far: a snapshot, consistent per field.
#pragma once

#include <cstdint>

namespace camrig::sim {

//! Traffic of one direction. On TCP a "packet" is one write of a paced chunk; on UDP a datagram.
struct DirectionCounters {
  std::uint64_t bytes_forwarded = 0;
  std::uint64_t packets_forwarded = 0;
  //! UDP: lost, partitioned, over the queue limit or refused by the socket. TCP: bytes still
  //! held by the proxy when their connection was reset or closed.
  std::uint64_t bytes_dropped = 0;
  std::uint64_t packets_dropped = 0;
  std::uint64_t packets_duplicated = 0;  //!< UDP: extra copies sent
  std::uint64_t packets_reordered = 0;   //!< UDP: datagrams held back behind their successor
};

struct FaultProxyCounters {
  DirectionCounters client_to_server;
  DirectionCounters server_to_client;
  std::uint64_t connections_accepted = 0;  //!< TCP clients accepted and passed on to the target
  std::uint64_t connections_active = 0;
  std::uint64_t connections_refused = 0;   //!< TCP clients turned away during a partition
  std::uint64_t connections_reset = 0;     //!< closed by reset_connections()
  std::uint64_t upstream_failures = 0;     //!< the target could not be reached
  std::uint64_t udp_sessions_active = 0;
  std::uint64_t udp_sessions_expired = 0;
};

}  // namespace camrig::sim
