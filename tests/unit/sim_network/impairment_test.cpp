#include "sim/network/impairment.hpp"

#include <chrono>

#include <gtest/gtest.h>

#include "sim/network/link_state.hpp"

namespace camrig::sim {
namespace {

using std::chrono::milliseconds;

TEST(ImpairmentTest, DefaultsAreValid) { EXPECT_TRUE(validate(Impairment{}).ok()); }

TEST(ImpairmentTest, RefusesOutOfRange) {
  Impairment loss;
  loss.loss_percent = 101;
  EXPECT_EQ(validate(loss).error().code, ErrorCode::out_of_range);
  Impairment duplicate;
  duplicate.duplicate_percent = -1;
  EXPECT_FALSE(validate(duplicate).ok());
  Impairment reorder;
  reorder.reorder_percent = 200;
  EXPECT_FALSE(validate(reorder).ok());
  Impairment delay;
  delay.delay = milliseconds(-5);
  EXPECT_FALSE(validate(delay).ok());
}

TEST(LinkStateTest, SameSeedSameDraws) {
  Impairment impairment;
  impairment.jitter = milliseconds(40);
  impairment.loss_percent = 30;
  impairment.duplicate_percent = 10;
  LinkState a(7);
  LinkState b(7);
  LinkState c(8);
  a.set_impairment(Direction::client_to_server, impairment);
  b.set_impairment(Direction::client_to_server, impairment);
  c.set_impairment(Direction::client_to_server, impairment);
  int differences = 0;
  for (int i = 0; i < 200; ++i) {
    const auto fa = a.draw_datagram(Direction::client_to_server);
    const auto fb = b.draw_datagram(Direction::client_to_server);
    const auto fc = c.draw_datagram(Direction::client_to_server);
    EXPECT_EQ(fa.drop, fb.drop);
    EXPECT_EQ(fa.copies, fb.copies);
    EXPECT_EQ(fa.delay[0], fb.delay[0]);
    differences += fa.delay[0] != fc.delay[0] ? 1 : 0;
  }
  EXPECT_GT(differences, 100);
}

TEST(LinkStateTest, DelayIsAMinimumAndJitterStaysWithinBounds) {
  LinkState link(1);
  Impairment impairment;
  impairment.delay = milliseconds(20);
  impairment.jitter = milliseconds(10);
  link.set_impairment(Direction::server_to_client, impairment);
  for (int i = 0; i < 500; ++i) {
    const auto delay = link.draw_delay(Direction::server_to_client);
    EXPECT_GE(delay, milliseconds(20));
    EXPECT_LE(delay, milliseconds(30));
  }
  EXPECT_EQ(link.draw_delay(Direction::client_to_server), LinkState::Clock::duration::zero());
}

TEST(LinkStateTest, WindowsCoverTheirDuration) {
  LinkState link(1);
  const auto now = LinkState::Clock::now();
  EXPECT_FALSE(link.stalled_until(now));
  link.stall_for(milliseconds(100));
  link.partition_for(milliseconds(50));
  EXPECT_TRUE(link.stalled_until(LinkState::Clock::now()));
  EXPECT_TRUE(link.partitioned_until(LinkState::Clock::now()));
  EXPECT_FALSE(link.stalled_until(now + milliseconds(200)));
  EXPECT_FALSE(link.partitioned_until(now + milliseconds(200)));
}

}  // namespace
}  // namespace camrig::sim
