#include "sim/network/token_bucket.hpp"

#include <algorithm>

namespace camrig::sim {

void TokenBucket::set_rate(std::uint64_t bytes_per_s, Clock::time_point now) {
  if (rate_ != 0) {
    refill(now);
  }
  const bool was_unlimited = rate_ == 0;
  rate_ = bytes_per_s;
  capacity_ = std::max(static_cast<double>(bytes_per_s) * 0.05, 1500.0);
  tokens_ = was_unlimited ? capacity_ : std::min(tokens_, capacity_);
  last_ = now;
}

void TokenBucket::refill(Clock::time_point now) {
  if (now <= last_) {
    return;
  }
  const double elapsed = std::chrono::duration<double>(now - last_).count();
  tokens_ = std::min(capacity_, tokens_ + elapsed * static_cast<double>(rate_));
  last_ = now;
}

TokenBucket::Clock::duration TokenBucket::take(std::size_t bytes, Clock::time_point now) {
  if (rate_ == 0) {
    return Clock::duration::zero();
  }
  refill(now);
  if (tokens_ >= 0) {
    tokens_ -= static_cast<double>(bytes);
    return Clock::duration::zero();
  }
  const double seconds = -tokens_ / static_cast<double>(rate_);
  return std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds)) +
         std::chrono::microseconds(1);
}

}  // namespace camrig::sim
