#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "device/core/event_bus.hpp"

namespace camrig::core {
namespace {

struct Alarm {
  int input = 0;
};
struct Heartbeat {
  std::string from;
};

TEST(EventBus, DeliversEachEventToEverySubscriberOfItsType) {
  EventBus bus;
  auto first = bus.subscribe<Alarm>();
  auto second = bus.subscribe<Alarm>();
  auto other = bus.subscribe<Heartbeat>();
  bus.publish(Alarm{3});
  ASSERT_EQ(first->try_pop()->input, 3);
  ASSERT_EQ(second->try_pop()->input, 3);
  EXPECT_FALSE(other->try_pop());
  EXPECT_FALSE(first->try_pop());
}

TEST(EventBus, FullMailboxDropsOldestAndCountsIt) {
  EventBus bus;
  auto slow = bus.subscribe<Alarm>(2);
  auto fast = bus.subscribe<Alarm>(16);
  for (int i = 1; i <= 5; ++i) bus.publish(Alarm{i});
  EXPECT_EQ(slow->dropped(), 3u);
  EXPECT_EQ(slow->try_pop()->input, 4);
  EXPECT_EQ(slow->try_pop()->input, 5);
  EXPECT_EQ(fast->dropped(), 0u);
  EXPECT_EQ(fast->size(), 5u);
}

TEST(EventBus, DroppedSubscriberIsForgotten) {
  EventBus bus;
  auto mailbox = bus.subscribe<Alarm>();
  EXPECT_EQ(bus.subscriber_count<Alarm>(), 1u);
  mailbox.reset();
  bus.publish(Alarm{1});
  EXPECT_EQ(bus.subscriber_count<Alarm>(), 0u);
}

TEST(EventBus, PopWaitsForAnEventFromAnotherThread) {
  EventBus bus;
  auto mailbox = bus.subscribe<Heartbeat>();
  std::jthread producer([&] { bus.publish(Heartbeat{"producer"}); });
  std::stop_source stop;
  auto event = mailbox->pop(stop.get_token());
  ASSERT_TRUE(event);
  EXPECT_EQ(event->from, "producer");
}

TEST(EventBus, CloseWakesAWaitingConsumer) {
  EventBus bus;
  auto mailbox = bus.subscribe<Alarm>();
  std::jthread consumer([&] {
    std::stop_source never;
    EXPECT_FALSE(mailbox->pop(never.get_token()));
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(10));
  mailbox->close();
}

TEST(EventBus, ManyProducersLoseNothingWithinCapacity) {
  EventBus bus;
  auto mailbox = bus.subscribe<Alarm>(40000);
  {
    std::vector<std::jthread> producers;
    for (int p = 0; p < 4; ++p)
      producers.emplace_back([&, p] {
        for (int i = 0; i < 10000; ++i) bus.publish(Alarm{p});
      });
  }
  EXPECT_EQ(mailbox->size(), 40000u);
  EXPECT_EQ(mailbox->dropped(), 0u);
}

}  // namespace
}  // namespace camrig::core
