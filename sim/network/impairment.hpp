// What the network fault proxy does to traffic in one direction: added latency, loss,
// duplication, reordering, a bandwidth cap. Plain values; the proxy applies them.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "device/core/result.hpp"

namespace camrig::sim {

//! Which way traffic flows through the proxy.
enum class Direction {
  client_to_server = 0,  //!< from whoever connects to the proxy towards the target
  server_to_client = 1,  //!< from the target back to the connecting client
};

constexpr std::string_view to_string(Direction direction) {
  return direction == Direction::client_to_server ? "client_to_server" : "server_to_client";
}

//! Impairments of one direction. The defaults forward traffic untouched.
struct Impairment {
  //! Added to every TCP chunk and every UDP datagram.
  std::chrono::milliseconds delay{0};
  //! A uniform random extra in [0, jitter] on top of `delay` (so `delay` is a minimum). On TCP
  //! the byte stream stays in order (a chunk never overtakes the one before it); UDP datagrams
  //! are scheduled independently, so a jitter larger than their spacing reorders them.
  std::chrono::milliseconds jitter{0};
  //! UDP only: share of datagrams dropped, 0..100.
  double loss_percent = 0;
  //! UDP only: share of datagrams sent twice (the copy gets its own delay draw), 0..100.
  double duplicate_percent = 0;
  //! UDP only: share of datagrams held back and sent right after the next datagram of the same
  //! session and direction (or after `reorder_hold` if none follows), 0..100.
  double reorder_percent = 0;
  std::chrono::milliseconds reorder_hold{50};
  //! Bytes per second through a token bucket shared by every connection and session in this
  //! direction (the link); 0 = unlimited. TCP writes are paced; UDP datagrams wait in a queue.
  std::uint64_t bandwidth_bytes_per_s = 0;
  //! UDP only: bytes that may wait for bandwidth (or for the end of a stall) per session and
  //! direction; datagrams beyond it are dropped.
  std::size_t queue_limit_bytes = 256 * 1024;
};

//! Percentages within 0..100, non-negative durations.
Result<void> validate(const Impairment& impairment);

}  // namespace camrig::sim
