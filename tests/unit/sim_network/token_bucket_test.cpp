#include "sim/network/token_bucket.hpp"

#include <chrono>

#include <gtest/gtest.h>

namespace camrig::sim {
namespace {

using Clock = TokenBucket::Clock;
using std::chrono::milliseconds;

TEST(TokenBucketTest, UnlimitedNeverWaits) {
  TokenBucket bucket;
  const auto now = Clock::now();
  for (int i = 0; i < 100; ++i) {
    EXPECT_EQ(bucket.take(1'000'000, now), Clock::duration::zero());
  }
}

TEST(TokenBucketTest, PacesToTheRate) {
  TokenBucket bucket;
  auto now = Clock::now();
  bucket.set_rate(100'000, now);  // 5,000 bytes of burst
  // Simulated time: send 1,000-byte pieces as soon as allowed for one second.
  std::size_t sent = 0;
  const auto end = now + std::chrono::seconds(1);
  while (now < end) {
    const auto wait = bucket.take(1000, now);
    if (wait == Clock::duration::zero()) {
      sent += 1000;
    } else {
      now += wait;
    }
  }
  // 100,000 per second plus the initial burst and one piece of debt.
  EXPECT_GE(sent, 100'000U);
  EXPECT_LE(sent, 107'000U);
}

TEST(TokenBucketTest, LargeItemPassesWhenNotInDebt) {
  TokenBucket bucket;
  auto now = Clock::now();
  bucket.set_rate(10'000, now);
  EXPECT_EQ(bucket.take(60'000, now), Clock::duration::zero());
  const auto wait = bucket.take(100, now);
  // 1,500 burst - 60,000 = -58,500 bytes of debt at 10,000 B/s.
  EXPECT_GT(wait, milliseconds(5800));
  EXPECT_LT(wait, milliseconds(5900));
  EXPECT_EQ(bucket.take(100, now + wait), Clock::duration::zero());
}

TEST(TokenBucketTest, RateChangeTakesEffect) {
  TokenBucket bucket;
  auto now = Clock::now();
  bucket.set_rate(1000, now);
  EXPECT_EQ(bucket.take(5000, now), Clock::duration::zero());
  EXPECT_GT(bucket.take(1, now), milliseconds(3000));
  bucket.set_rate(0, now);
  EXPECT_EQ(bucket.take(1, now), Clock::duration::zero());
}

}  // namespace
}  // namespace camrig::sim
