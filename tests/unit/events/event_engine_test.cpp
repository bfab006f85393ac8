// The event engine on a lockstep clock with simulated alarm inputs and relays: NO/NC handling,
// enable, arming schedule gating, output Delay timing, event interval, activePostCount, exceptions
// with post-alarm time, and which events notify the surveillance center.
#include <gtest/gtest.h>

#include "device/events/event_engine.hpp"
#include "sim/virtual_inputs.hpp"
#include "sim/virtual_relays.hpp"
#include "tests/support/lockstep_test_clock.hpp"

namespace camrig::events {
namespace {

using namespace std::chrono_literals;

// Drains what the engine published on the bus without waiting: publish is synchronous.
template <class E>
std::vector<E> drain(core::Mailbox<E>& mailbox) {
  std::vector<E> items;
  while (auto item = mailbox.try_pop()) items.push_back(std::move(*item));
  return items;
}

Event video_event(EventKind kind, EventState state, int rule = 0) {
  Event event;
  event.kind = kind;
  event.channel = 1;
  event.rule = rule;
  event.state = state;
  return event;
}

class EventEngineTest : public ::testing::Test {
 protected:
  EventEngineTest() {
    engine.start();
    clock.advance_to(1s);  // events at device time 0 would be stamped "now" by the engine
  }
  ~EventEngineTest() override { engine.stop(); }

  void configure_input(SensorType sensor, std::vector<int> outputs, bool notify_center = true) {
    auto settings = *engine.settings("IO-1");
    settings.enabled = true;
    settings.sensor = sensor;
    settings.linkage.alarm_outputs = std::move(outputs);
    settings.linkage.notify_center = notify_center;
    ASSERT_TRUE(engine.configure("IO-1", settings));
  }

  test::LockstepTestClock clock;  // 2024-03-01 12:00:00 UTC, a Friday
  core::EventBus bus;
  sim::VirtualInputs inputs{clock, 2};
  sim::VirtualRelays relays{clock, 2};
  std::shared_ptr<core::Mailbox<RecordedEvent>> recorded = bus.subscribe<RecordedEvent>(1024);
  std::shared_ptr<core::Mailbox<CenterNotification>> center = bus.subscribe<CenterNotification>(1024);
  EventEngine engine{clock, bus, &inputs, &relays};
};

TEST_F(EventEngineTest, NormallyOpenInputAlarmsWhileTheContactIsClosed) {
  configure_input(SensorType::normally_open, {1});
  ASSERT_TRUE(inputs.attach(0, {sim::SensorKind::door_contact, sim::Wiring::normally_open, "door"}));
  ASSERT_TRUE(inputs.set_active(0, true));
  EXPECT_TRUE(relays.closed(0));
  ASSERT_TRUE(inputs.set_active(0, false));
  const auto events = drain(*recorded);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].event.kind, EventKind::alarm_input);
  EXPECT_EQ(events[0].event.input, 1);
  EXPECT_EQ(events[0].event.state, EventState::active);
  EXPECT_EQ(events[1].event.state, EventState::inactive);
  EXPECT_EQ(source_id(events[0].event), "IO-1");
}

TEST_F(EventEngineTest, NormallyClosedInputAlarmsWhenTheContactOpens) {
  configure_input(SensorType::normally_closed, {1});
  // A normally-closed sensor: the contact is closed at rest, which is no alarm for an NC input.
  ASSERT_TRUE(inputs.attach(0, {sim::SensorKind::pir, sim::Wiring::normally_closed, "pir"}));
  EXPECT_TRUE(drain(*recorded).empty());
  EXPECT_FALSE(relays.closed(0));
  ASSERT_TRUE(inputs.set_active(0, true));  // the contact opens
  const auto events = drain(*recorded);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].event.state, EventState::active);
  EXPECT_TRUE(relays.closed(0));
}

TEST_F(EventEngineTest, TheSameEdgeIsNoAlarmForTheOtherAlarmType) {
  configure_input(SensorType::normally_closed, {1});
  ASSERT_TRUE(inputs.attach(0, {sim::SensorKind::door_contact, sim::Wiring::normally_open, "door"}));
  ASSERT_TRUE(inputs.set_active(0, true));  // contact closes: for an NC input that is the end of an alarm
  EXPECT_TRUE(drain(*recorded).empty());
  EXPECT_FALSE(relays.closed(0));
}

TEST_F(EventEngineTest, DisabledInputRecordsNothing) {
  // Alarm input handling is off until enabled.
  EXPECT_FALSE(engine.settings("IO-1")->enabled);
  ASSERT_TRUE(inputs.attach(0, {sim::SensorKind::door_contact, sim::Wiring::normally_open, "door"}));
  ASSERT_TRUE(inputs.set_active(0, true));
  EXPECT_TRUE(drain(*recorded).empty());
  EXPECT_TRUE(engine.history().empty());
}

TEST_F(EventEngineTest, OutsideTheScheduleEventsAreRecordedButNotLinked) {
  configure_input(SensorType::normally_open, {1});
  std::array<std::vector<TimePeriod>, 7> days;
  days[4] = {{13 * 60, 14 * 60}};  // Friday 13:00-14:00
  auto schedule = engine.make_schedule(days);
  ASSERT_TRUE(schedule) << schedule.error().message;
  auto settings = *engine.settings("IO-1");
  settings.schedule = *schedule;
  ASSERT_TRUE(engine.configure("IO-1", settings));
  ASSERT_TRUE(inputs.attach(0, {sim::SensorKind::door_contact, sim::Wiring::normally_open, "door"}));

  ASSERT_TRUE(inputs.set_active(0, true));  // 12:00:01, outside
  ASSERT_TRUE(inputs.set_active(0, false));
  auto events = drain(*recorded);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_FALSE(events[0].event.armed);
  EXPECT_FALSE(relays.closed(0));
  EXPECT_TRUE(drain(*center).empty());

  clock.advance_to(3601s);  // 13:00:01, inside
  ASSERT_TRUE(inputs.set_active(0, true));
  events = drain(*recorded);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_TRUE(events[0].event.armed);
  EXPECT_TRUE(relays.closed(0));
  EXPECT_EQ(drain(*center).size(), 1u);
}

TEST_F(EventEngineTest, OutputOpensDelayAfterTheAlarmEnds) {
  configure_input(SensorType::normally_open, {2});
  ASSERT_TRUE(engine.outputs().configure(2, {"siren", 10s}));
  ASSERT_TRUE(inputs.attach(0, {sim::SensorKind::door_contact, sim::Wiring::normally_open, "door"}));
  ASSERT_TRUE(inputs.set_active(0, true));
  clock.advance_to(4s);
  ASSERT_TRUE(inputs.set_active(0, false));
  clock.advance_to(14s - 1ms);
  EXPECT_TRUE(relays.closed(1));
  clock.advance_to(20s);
  const auto pulses = relays.pulses(1);
  ASSERT_EQ(pulses.size(), 1u);
  EXPECT_EQ(pulses[0].start, 1s);
  EXPECT_EQ(pulses[0].width(), std::optional<hal::Nanos>(13s));  // 3 s of alarm + 10 s Delay
}

TEST_F(EventEngineTest, ARetriggerWhileTheOutputIsOnKeepsItOnWithoutANewPulse) {
  configure_input(SensorType::normally_open, {1});
  ASSERT_TRUE(inputs.attach(0, {sim::SensorKind::door_contact, sim::Wiring::normally_open, "door"}));
  ASSERT_TRUE(inputs.set_active(0, true));
  ASSERT_TRUE(inputs.set_active(0, false));  // output due off at 6 s
  clock.advance_to(4s);
  ASSERT_TRUE(inputs.set_active(0, true));
  ASSERT_TRUE(inputs.set_active(0, false));  // now due off at 9 s
  clock.advance_to(8s);
  EXPECT_TRUE(relays.closed(0));
  clock.advance_to(9s);
  EXPECT_FALSE(relays.closed(0));
  EXPECT_EQ(relays.pulses(0).size(), 1u);
}

TEST_F(EventEngineTest, ManualDelayKeepsTheOutputOnUntilCleared) {
  configure_input(SensorType::normally_open, {1});
  ASSERT_TRUE(engine.outputs().configure(1, {"light", std::nullopt}));
  ASSERT_TRUE(inputs.attach(0, {sim::SensorKind::door_contact, sim::Wiring::normally_open, "door"}));
  ASSERT_TRUE(inputs.set_active(0, true));
  ASSERT_TRUE(inputs.set_active(0, false));
  clock.advance_to(3600s);
  EXPECT_TRUE(relays.closed(0));
  ASSERT_TRUE(engine.outputs().set_manual(1, false));
  EXPECT_FALSE(relays.closed(0));
}

TEST_F(EventEngineTest, OutputDelayMustBeOneOfTheManualsValues) {
  const auto refused = engine.outputs().configure(1, {"x", 7s});
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message.find("5 s, 10 s, 30 s"), std::string::npos) << refused.error().message;
  EXPECT_FALSE(engine.outputs().configure(3, {"x", 5s}));
  EXPECT_TRUE(engine.outputs().configure(1, {"x", 600s}));
}

TEST_F(EventEngineTest, OnlyOneAlarmIsRecordedWithinTheEventInterval) {
  configure_input(SensorType::normally_open, {1});
  auto settings = *engine.settings("IO-1");
  settings.event_interval = 5s;
  ASSERT_TRUE(engine.configure("IO-1", settings));
  ASSERT_TRUE(inputs.attach(0, {sim::SensorKind::door_contact, sim::Wiring::normally_open, "door"}));
  for (const auto at : {1s, 3s, 5s, 7s}) {  // starts at 1, 3 (within 5 s), 5 (within), 7 (after)
    clock.advance_to(at);
    ASSERT_TRUE(inputs.set_active(0, true));
    clock.advance_to(at + 500ms);
    ASSERT_TRUE(inputs.set_active(0, false));
  }
  const auto events = drain(*recorded);
  ASSERT_EQ(events.size(), 4u);  // two occurrences, each active + inactive
  EXPECT_EQ(events[0].event.device_time, 1s);
  EXPECT_EQ(events[2].event.device_time, 7s);
  EXPECT_EQ(events[2].event.state, EventState::active);
}

TEST_F(EventEngineTest, EventIntervalIsLimitedToTheManualsRange) {
  auto settings = *engine.settings("IO-1");
  settings.event_interval = 101s;
  EXPECT_FALSE(engine.configure("IO-1", settings));
  settings.event_interval = 100s;
  EXPECT_TRUE(engine.configure("IO-1", settings));
}

TEST_F(EventEngineTest, ActivePostCountCountsThePostsOfOneOccurrence) {
  auto settings = *engine.settings("VMD-1");
  settings.linkage.notify_center = true;
  ASSERT_TRUE(engine.configure("VMD-1", settings));
  for (int i = 0; i < 3; ++i) engine.submit(video_event(EventKind::motion, EventState::active));
  engine.submit(video_event(EventKind::motion, EventState::inactive));
  engine.submit(video_event(EventKind::motion, EventState::active));
  std::vector<int> counts;
  for (const auto& notification : drain(*center)) counts.push_back(notification.event.active_post_count);
  EXPECT_EQ(counts, (std::vector<int>{1, 2, 3, 4, 1}));
}

TEST_F(EventEngineTest, ExceptionOutputStaysOnForPostAlarmAfterTheExceptionEnds) {
  auto settings = *engine.settings("diskerror");
  settings.linkage.alarm_outputs = {1};
  settings.post_alarm = 10s;
  ASSERT_TRUE(engine.configure("diskerror", settings));
  engine.report_exception(EventKind::storage_error, "card I/O error");
  EXPECT_TRUE(relays.closed(0));
  clock.advance_to(2s);
  engine.report_exception(EventKind::storage_error, "card I/O error", false);
  clock.advance_to(17s - 1ms);  // 2 s + 10 s post-alarm + 5 s Delay
  EXPECT_TRUE(relays.closed(0));
  clock.advance_to(17s);
  EXPECT_FALSE(relays.closed(0));
}

TEST_F(EventEngineTest, ExceptionsPublishedOnTheBusAreRecorded) {
  bus.publish(ExceptionReport{EventKind::illegal_login, "5 failed logins from 10.0.0.9", true});
  // The engine reads reports on its own thread; wait for the recorded event it publishes.
  std::stop_source timeout;
  std::jthread watchdog([&timeout](std::stop_token stop) {
    std::mutex mutex;
    std::condition_variable_any never;
    std::unique_lock lock(mutex);
    never.wait_for(lock, stop, 5s, [] { return false; });
    timeout.request_stop();
  });
  const auto event = recorded->pop(timeout.get_token());
  ASSERT_TRUE(event);
  EXPECT_EQ(event->event.kind, EventKind::illegal_login);
  EXPECT_EQ(event->event.state, EventState::pulse);
  EXPECT_EQ(event->event.description, "5 failed logins from 10.0.0.9");
  EXPECT_EQ(source_id(event->event), "illaccess");
}

TEST_F(EventEngineTest, LinkageHooksRunForArmedEvents) {
  std::vector<std::string> calls;
  engine.set_hook(LinkageHook::flashing_light, [&](const Event& event) { calls.push_back("light " + source_id(event)); });
  engine.set_hook(LinkageHook::audible_warning, [&](const Event& event) { calls.push_back("beep " + source_id(event)); });
  auto settings = *engine.settings("linedetection-1");
  settings.linkage.flashing_light = true;
  settings.linkage.audible_warning = true;
  ASSERT_TRUE(engine.configure("linedetection-1", settings));
  engine.submit(video_event(EventKind::line_crossing, EventState::pulse, 2));
  EXPECT_EQ(calls, (std::vector<std::string>{"light linedetection-1", "beep linedetection-1"}));
  EXPECT_TRUE(drain(*center).empty());  // not linked to the center
}

TEST_F(EventEngineTest, LinkingAMissingOutputIsRefused) {
  auto settings = *engine.settings("IO-2");
  settings.linkage.alarm_outputs = {3};
  const auto refused = engine.configure("IO-2", settings);
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message.find("alarm output 3"), std::string::npos);
  EXPECT_FALSE(engine.configure("IO-9", settings));
}

}  // namespace
}  // namespace camrig::events
