// A token bucket for the proxy's bandwidth limit. Tokens may go negative (a datagram larger
// than the bucket still passes once the bucket is not in debt); not thread-safe.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>

namespace camrig::sim {

class TokenBucket {
 public:
  using Clock = std::chrono::steady_clock;

  //! Bytes per second, 0 = unlimited. The bucket holds up to 50 ms worth of bytes (at least
  //! 1500) and starts full; changing the rate keeps the current level, clipped to the new size.
  void set_rate(std::uint64_t bytes_per_s, Clock::time_point now);
  std::uint64_t rate() const { return rate_; }

  //! Zero when `bytes` may go now (the tokens are taken); otherwise how long until they may.
  Clock::duration take(std::size_t bytes, Clock::time_point now);

 private:
  void refill(Clock::time_point now);

  std::uint64_t rate_ = 0;
  double capacity_ = 0;
  double tokens_ = 0;
  Clock::time_point last_{};
};

}  // namespace camrig::sim
