// The state shared by every relay of one fault proxy: the impairments of both directions,
// their random number generators and token buckets, the stall and partition windows and the
// counters. Thread-safe: the control API writes it from any thread while the relays read it.
// Times are network wall time (std::chrono::steady_clock), not the device clock.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <optional>
#include <random>

#include "sim/network/fault_proxy_counters.hpp"
#include "sim/network/impairment.hpp"
#include "sim/network/token_bucket.hpp"

namespace camrig::sim {

class LinkState {
 public:
  using Clock = std::chrono::steady_clock;

  //! What happens to one datagram: dropped, or sent `copies` times with these delays.
  struct DatagramFate {
    bool drop = false;
    bool reorder = false;
    int copies = 1;
    std::array<Clock::duration, 2> delay{};
  };

  enum class Event { accepted, closed, refused, reset, upstream_failure, session_opened, session_expired, session_closed };

  //! The relays re-evaluate their waits at least this often, so changed impairments take effect promptly.
  static constexpr Clock::duration kMaxWait = std::chrono::milliseconds(50);

  //! Each direction gets its own generator, seeded from `seed`, so a run repeats given the
  //! same traffic in the same order.
  explicit LinkState(std::uint64_t seed);

  void set_impairment(Direction direction, const Impairment& impairment);
  Impairment impairment(Direction direction) const;

  //! Windows starting now; a new call replaces the previous window of the same kind.
  void stall_for(Clock::duration duration);
  void partition_for(Clock::duration duration);
  //! The end of the window covering `now`, if any.
  std::optional<Clock::time_point> stalled_until(Clock::time_point now) const;
  std::optional<Clock::time_point> partitioned_until(Clock::time_point now) const;

  //! delay + U[0, jitter] of a TCP chunk.
  Clock::duration draw_delay(Direction direction);
  DatagramFate draw_datagram(Direction direction);
  //! Bandwidth of the direction: zero when `bytes` may go now, else how long to wait.
  Clock::duration take_tokens(Direction direction, std::size_t bytes, Clock::time_point now);
  //! The largest TCP write that keeps the pacing smooth at the current bandwidth.
  std::size_t tcp_piece_size(Direction direction) const;
  std::size_t queue_limit(Direction direction) const;
  Clock::duration reorder_hold(Direction direction) const;

  void count_forwarded(Direction direction, std::size_t bytes);
  void count_dropped(Direction direction, std::size_t bytes, std::size_t packets = 1);
  void count_duplicated(Direction direction);
  void count_reordered(Direction direction);
  void count(Event event);
  FaultProxyCounters counters() const;

 private:
  struct Side {
    Impairment impairment;
    std::mt19937_64 rng;
    TokenBucket bucket;
  };
  struct SideCounters {
    std::atomic<std::uint64_t> bytes_forwarded{0};
    std::atomic<std::uint64_t> packets_forwarded{0};
    std::atomic<std::uint64_t> bytes_dropped{0};
    std::atomic<std::uint64_t> packets_dropped{0};
    std::atomic<std::uint64_t> packets_duplicated{0};
    std::atomic<std::uint64_t> packets_reordered{0};
  };

  Side& side(Direction direction) { return sides_[static_cast<std::size_t>(direction)]; }
  const Side& side(Direction direction) const { return sides_[static_cast<std::size_t>(direction)]; }
  Clock::duration draw_delay_locked(Side& side);
  static DirectionCounters snapshot(const SideCounters& counters);

  mutable std::mutex mutex_;  // guards sides_, stall_end_, partition_end_
  std::array<Side, 2> sides_;
  Clock::time_point stall_end_{};
  Clock::time_point partition_end_{};

  std::array<SideCounters, 2> side_counters_;
  std::atomic<std::uint64_t> accepted_{0};
  std::atomic<std::uint64_t> active_{0};
  std::atomic<std::uint64_t> refused_{0};
  std::atomic<std::uint64_t> reset_{0};
  std::atomic<std::uint64_t> upstream_failures_{0};
  std::atomic<std::uint64_t> sessions_active_{0};
  std::atomic<std::uint64_t> sessions_expired_{0};
};

}  // namespace camrig::sim
