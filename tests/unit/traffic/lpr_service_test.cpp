// The LPR vehicle service on a lockstep clock with the simulator's inputs, relays and barrier:
// capture modes and loop plans, de-duplication, the direction filter, barrier modes, closing,
// the always-open schedule, the blocklist alarm, ANPR events and the ISAPI resources.
#include <gtest/gtest.h>
#include <pugixml.hpp>

#include <cstdio>

#include "device/core/realtime_clock.hpp"
#include "device/isapi/isapi.hpp"
#include "device/isapi/xml.hpp"
#include "sim/barrier_gate.hpp"
#include "tests/support/lockstep_test_clock.hpp"
#include "tests/support/lpr_service_rig.hpp"

namespace camrig::traffic {
namespace {

using namespace std::chrono_literals;
using http::beast_http::status;
using http::beast_http::verb;

constexpr const char* k_admin = "YWRtaW46QWRtaW4xMjM0";  // admin:Admin1234

struct Request {
  CaptureTrigger trigger;
  hal::Nanos at;
};

class LprServiceTest : public ::testing::Test {
 protected:
  LprServiceTest() : rig(clock, options()) {}

  test::LprServiceRigOptions options() {
    test::LprServiceRigOptions o;
    o.request_capture = [this](CaptureTrigger trigger, hal::Nanos at) { requests.push_back({trigger, at}); };
    return o;
  }
  void set(const std::string& key, const std::string& value) {
    ASSERT_TRUE(config->set_text(key, value)) << key << "=" << value;
  }
  void list(const std::string& plate, ListType type) { rig.list(plate, type); }
  void advance(hal::Nanos by) { clock.advance_to(clock.now() + by); }
  PlateRead read(const std::string& plate, CaptureTrigger trigger,
                 VehicleDirection direction = VehicleDirection::approaching) {
    return rig.read(plate, trigger, direction);
  }
  std::vector<VehicleRecord> vehicles() const { return rig.vehicles(); }

  test::LockstepTestClock clock;
  test::LprServiceRig rig;
  // The rig's parts under the names the tests use.
  core::EventBus& bus = rig.bus;
  sim::VirtualInputs& inputs = rig.inputs;
  sim::VirtualRelays& relays = rig.relays;
  core::DeviceProfile& profile = rig.profile;
  core::ConfigService* config = rig.config.get();
  PlateList* plates = rig.plates.get();
  events::EventEngine* engine = rig.engine.get();
  LprService* service = rig.service.get();
  sim::BarrierGate gate{clock, relays};
  std::vector<Request> requests;
};

TEST_F(LprServiceTest, VideoModeReportsVideoReadsAndIgnoresLoops) {
  set("traffic.capture.mode", "video");
  ASSERT_TRUE(inputs.set_active(0, true));
  EXPECT_TRUE(requests.empty());
  service->submit(read("ABC123", CaptureTrigger::loop));
  service->submit(read("XYZ789", CaptureTrigger::video));
  const auto found = vehicles();
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].read.plate, "XYZ789");
}

TEST_F(LprServiceTest, LoopModeSingleLoopCapturesOnTheRisingEdgeOnly) {
  set("traffic.capture.mode", "loop");
  advance(1s);
  ASSERT_TRUE(inputs.set_active(0, true));
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].trigger, CaptureTrigger::loop);
  EXPECT_EQ(requests[0].at, 1s);
  ASSERT_TRUE(inputs.set_active(0, false));
  EXPECT_EQ(requests.size(), 1u);
  // Loop 2 cannot trigger in the single-loop plan, even when set.
  set("traffic.capture.loop2_trigger", "rising");
  ASSERT_TRUE(inputs.set_active(1, true));
  EXPECT_EQ(requests.size(), 1u);

  service->submit(read("ABC123", CaptureTrigger::video));
  service->submit(read("ABC123", CaptureTrigger::loop));
  const auto found = vehicles();
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].read.trigger, CaptureTrigger::loop);
}

TEST_F(LprServiceTest, FallingEdgeAndDoNotTrigger) {
  set("traffic.capture.mode", "loop");
  set("traffic.capture.loop1_trigger", "falling");
  ASSERT_TRUE(inputs.set_active(0, true));
  EXPECT_TRUE(requests.empty());
  advance(2s);
  ASSERT_TRUE(inputs.set_active(0, false));
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].at, 2s);

  set("traffic.capture.loop1_trigger", "none");
  ASSERT_TRUE(inputs.set_active(0, true));
  ASSERT_TRUE(inputs.set_active(0, false));
  EXPECT_EQ(requests.size(), 1u);
}

TEST_F(LprServiceTest, LoopMappedToTheSecondInput) {
  set("traffic.capture.mode", "loop");
  set("traffic.capture.loop1_input", "2");
  ASSERT_TRUE(inputs.set_active(0, true));
  EXPECT_TRUE(requests.empty());
  ASSERT_TRUE(inputs.set_active(1, true));
  EXPECT_EQ(requests.size(), 1u);
}

TEST_F(LprServiceTest, DoubleLoopsSecondLoopMeasuresSpeed) {
  set("traffic.capture.mode", "loop");
  set("traffic.capture.loop_plan", "double_in2-snap_speed");
  set("traffic.capture.loop2_trigger", "rising");
  set("traffic.capture.loop_distance", "5");
  ASSERT_TRUE(inputs.set_active(0, true));
  EXPECT_TRUE(requests.empty());  // the snapshot waits for loop 2
  advance(500ms);
  ASSERT_TRUE(inputs.set_active(1, true));
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].at, 500ms);
  service->submit(read("SPD001", CaptureTrigger::loop, VehicleDirection::unknown));
  auto found = vehicles();
  ASSERT_EQ(found.size(), 1u);
  ASSERT_TRUE(found[0].speed_kmh);
  EXPECT_NEAR(*found[0].speed_kmh, 36.0, 1e-6);  // 5 m in 0.5 s
  EXPECT_EQ(found[0].read.direction, VehicleDirection::approaching);

  // Beyond Max Vehicle Pass Time the loops are not one pass: no speed.
  ASSERT_TRUE(inputs.set_active(0, false));
  ASSERT_TRUE(inputs.set_active(1, false));
  advance(10s);
  ASSERT_TRUE(inputs.set_active(0, true));
  advance(6s);
  ASSERT_TRUE(inputs.set_active(1, true));
  service->submit(read("SPD002", CaptureTrigger::loop, VehicleDirection::unknown));
  found = vehicles();
  ASSERT_EQ(found.size(), 2u);
  EXPECT_FALSE(found[1].speed_kmh);
}

TEST_F(LprServiceTest, DoubleLoopsFirstLoopCapturesAndTellsReverseDirection) {
  set("traffic.capture.mode", "loop");
  set("traffic.capture.loop_plan", "double_in1-snap_nospeed");
  set("traffic.capture.direction", "both");
  ASSERT_TRUE(inputs.set_active(0, true));
  ASSERT_EQ(requests.size(), 1u);
  service->submit(read("FWD001", CaptureTrigger::loop, VehicleDirection::unknown));
  ASSERT_TRUE(inputs.set_active(0, false));
  advance(10s);
  // Loop 2 first: a vehicle driving against the lane.
  ASSERT_TRUE(inputs.set_active(1, true));
  advance(1s);
  ASSERT_TRUE(inputs.set_active(0, true));
  ASSERT_EQ(requests.size(), 2u);
  service->submit(read("REV001", CaptureTrigger::loop, VehicleDirection::unknown));
  const auto found = vehicles();
  ASSERT_EQ(found.size(), 2u);
  EXPECT_EQ(found[0].read.direction, VehicleDirection::unknown);
  EXPECT_EQ(found[1].read.direction, VehicleDirection::leaving);
  EXPECT_FALSE(found[1].speed_kmh);
}

TEST_F(LprServiceTest, SamePlateDelay) {
  set("traffic.capture.mode", "video");
  set("traffic.capture.same_plate_delay", "5");
  service->submit(read("DUP001", CaptureTrigger::video));
  advance(2s);
  service->submit(read("DUP001", CaptureTrigger::video));
  EXPECT_EQ(vehicles().size(), 1u);
  advance(4s);
  service->submit(read("DUP001", CaptureTrigger::video));
  EXPECT_EQ(vehicles().size(), 2u);
  set("traffic.capture.same_plate_delay", "0");
  service->submit(read("DUP001", CaptureTrigger::video));
  EXPECT_EQ(vehicles().size(), 3u);
}

TEST_F(LprServiceTest, MixedModeNeverReportsOnePassTwice) {
  set("traffic.capture.mode", "mixed");
  set("traffic.capture.same_plate_delay", "0");
  service->submit(read("MIX001", CaptureTrigger::video));
  advance(1s);
  ASSERT_TRUE(inputs.set_active(0, true));
  service->submit(read("MIX001", CaptureTrigger::loop));
  // An unlicensed loop read of the same pass is the same vehicle too.
  service->submit(read("", CaptureTrigger::loop));
  ASSERT_EQ(vehicles().size(), 1u);
  EXPECT_EQ(vehicles()[0].read.trigger, CaptureTrigger::video);
  // The next vehicle, after the pass time, is reported.
  ASSERT_TRUE(inputs.set_active(0, false));
  advance(10s);
  service->submit(read("MIX002", CaptureTrigger::loop));
  EXPECT_EQ(vehicles().size(), 2u);
}

TEST_F(LprServiceTest, DirectionFilterAndBackingAndLeaving) {
  set("traffic.capture.mode", "video");
  set("traffic.capture.direction", "positive");
  service->submit(read("DIR001", CaptureTrigger::video, VehicleDirection::leaving));
  service->submit(read("DIR002", CaptureTrigger::video, VehicleDirection::approaching));
  service->submit(read("DIR003", CaptureTrigger::video, VehicleDirection::unknown));
  set("traffic.capture.direction", "departing");
  service->submit(read("DIR004", CaptureTrigger::video, VehicleDirection::approaching));
  service->submit(read("DIR005", CaptureTrigger::video, VehicleDirection::leaving));
  auto found = vehicles();
  ASSERT_EQ(found.size(), 3u);
  EXPECT_EQ(found[0].read.plate, "DIR002");
  EXPECT_EQ(found[1].read.plate, "DIR003");
  EXPECT_EQ(found[2].read.plate, "DIR005");

  // Backing and Leaving: a leaving vehicle outside the filter is reported, and never opens the barrier.
  set("traffic.capture.direction", "positive");
  set("traffic.capture.backing_leaving", "true");
  set("traffic.barrier.enabled", "true");
  set("traffic.barrier.mode", "all_vehicles");
  service->submit(read("BCK001", CaptureTrigger::video, VehicleDirection::leaving));
  found = vehicles();
  ASSERT_EQ(found.size(), 4u);
  EXPECT_TRUE(found[3].backing);
  EXPECT_EQ(found[3].barrier, BarrierAction::not_controlled);
  EXPECT_TRUE(relays.history().empty());
}

TEST_F(LprServiceTest, AllowlistedCarPassesUnknownCarWaits) {
  set("traffic.barrier.enabled", "true");
  set("traffic.barrier.mode", "allowlist");
  list("ALLOW1", ListType::allowlist);
  advance(1s);

  service->submit(read("STRNGR", CaptureTrigger::video));
  advance(4s);
  EXPECT_TRUE(relays.history().empty());
  EXPECT_EQ(gate.state(), sim::BarrierState::closed);
  EXPECT_EQ(vehicles().back().barrier, BarrierAction::stays_closed);

  const auto decided = clock.now();
  service->submit(read("ALLOW1", CaptureTrigger::video));
  const auto pulses = relays.pulses(0);
  ASSERT_EQ(pulses.size(), 1u);
  EXPECT_LE(pulses[0].start - decided, 200ms);  // relay after the decision
  advance(4s);
  EXPECT_TRUE(gate.is_passable());
  ASSERT_TRUE(relays.pulses(0)[0].width());
  EXPECT_EQ(*relays.pulses(0)[0].width(), 1s);  // Duration of the opening port
  EXPECT_EQ(vehicles().back().verdict, PlateVerdict::allowed);
  EXPECT_EQ(vehicles().back().barrier, BarrierAction::opened);
}

TEST_F(LprServiceTest, LicensedAndAllVehiclesModesRefuseTheBlocklist) {
  set("traffic.barrier.enabled", "true");
  set("traffic.barrier.mode", "licensed");
  list("BAD001", ListType::blocklist);
  service->submit(read("", CaptureTrigger::video));
  service->submit(read("BAD001", CaptureTrigger::video));
  EXPECT_TRUE(relays.pulses(0).empty());
  service->submit(read("ANY001", CaptureTrigger::video));
  EXPECT_EQ(relays.pulses(0).size(), 1u);

  set("traffic.barrier.mode", "all_vehicles");
  advance(10s);
  service->submit(read("BAD001", CaptureTrigger::video));
  EXPECT_EQ(relays.pulses(0).size(), 1u);
  service->submit(read("", CaptureTrigger::video));
  EXPECT_EQ(relays.pulses(0).size(), 2u);
}

TEST_F(LprServiceTest, ClosesAfterTheDelayOnlyOnceTheLaneIsClear) {
  set("traffic.barrier.enabled", "true");
  set("traffic.barrier.mode", "all_vehicles");
  set("traffic.barrier.auto_close", "10");
  ASSERT_TRUE(inputs.set_active(0, true));  // the car stands on the loop
  service->submit(read("CAR001", CaptureTrigger::video));
  advance(12s);
  EXPECT_TRUE(gate.is_passable());
  EXPECT_TRUE(relays.pulses(1).empty());
  ASSERT_TRUE(inputs.set_active(0, false));
  const auto left = clock.now();
  advance(2s);
  const auto closes = relays.pulses(1);
  ASSERT_EQ(closes.size(), 1u);
  EXPECT_LE(closes[0].start - left, 1s);
  advance(5s);
  EXPECT_EQ(gate.state(), sim::BarrierState::closed);
}

TEST_F(LprServiceTest, ManualModeOpensOnlyOnCommand) {
  set("traffic.barrier.mode", "manual");
  EXPECT_FALSE(service->barrier().open());  // disabled: refused
  set("traffic.barrier.enabled", "true");
  list("ALLOW1", ListType::allowlist);
  service->submit(read("ALLOW1", CaptureTrigger::video));
  EXPECT_TRUE(relays.history().empty());
  ASSERT_TRUE(service->barrier().open());
  advance(4s);
  EXPECT_TRUE(gate.is_passable());
  advance(60s);
  EXPECT_TRUE(gate.is_passable());  // no automatic closing after a manual opening
  ASSERT_TRUE(service->barrier().close());
  advance(4s);
  EXPECT_EQ(gate.state(), sim::BarrierState::closed);
}

TEST_F(LprServiceTest, AlwaysOpenScheduleHoldsTheBarrier) {
  // The test clock starts on Friday 2024-03-01 12:00:00 UTC.
  set("traffic.barrier.enabled", "true");
  set("traffic.barrier.always_open", "true");
  set("traffic.barrier.always_open_schedule", "fri 12:00-12:02; sat 00:00-24:00");
  service->settings_changed();
  EXPECT_TRUE(service->barrier().held_open());
  EXPECT_TRUE(relays.closed(0));
  advance(4s);
  EXPECT_TRUE(gate.is_passable());
  EXPECT_FALSE(service->barrier().close());
  service->submit(read("ANY001", CaptureTrigger::video));
  EXPECT_EQ(vehicles().back().barrier, BarrierAction::held_open);

  advance(2min);
  EXPECT_FALSE(service->barrier().held_open());
  EXPECT_FALSE(relays.closed(0));
  EXPECT_EQ(relays.pulses(1).size(), 1u);
  advance(4s);
  EXPECT_EQ(gate.state(), sim::BarrierState::closed);
}

TEST_F(LprServiceTest, SchedulePeriodsParseAndRefuse) {
  auto schedule = parse_weekly_periods("Mon 07:00-09:00; mon 17:00-19:00;sun 00:00-24:00");
  ASSERT_TRUE(schedule) << schedule.error().message;
  EXPECT_EQ(format_weekly_periods(*schedule), "mon 07:00-09:00; mon 17:00-19:00; sun 00:00-24:00");
  EXPECT_FALSE(parse_weekly_periods("moon 07:00-09:00"));
  EXPECT_FALSE(parse_weekly_periods("mon 09:00-07:00"));
  EXPECT_FALSE(parse_weekly_periods("mon 07:00"));
  EXPECT_FALSE(parse_weekly_periods("mon 0:00-1:00; mon 1:00-2:00; mon 2:00-3:00; mon 3:00-4:00; mon 4:00-5:00; "
                                    "mon 5:00-6:00; mon 6:00-7:00"));  // 7 periods
}

TEST_F(LprServiceTest, BlocklistRaisesTheAlarmOutputForDelayPlusPostAlarm) {
  set("traffic.blocklist_alarm.enabled", "true");
  set("traffic.blocklist_alarm.alarm_output", "2");
  set("traffic.blocklist_alarm.post_alarm", "10");
  list("BAD001", ListType::blocklist);
  service->submit(read("BAD001", CaptureTrigger::video));
  EXPECT_TRUE(relays.closed(1));
  advance(14s);  // output Delay 5 s + post-alarm 10 s
  EXPECT_TRUE(relays.closed(1));
  advance(2s);
  EXPECT_FALSE(relays.closed(1));
  EXPECT_EQ(vehicles().back().verdict, PlateVerdict::blocked);
}

TEST_F(LprServiceTest, VehiclesBecomeAnprEventsForTheCenter) {
  auto settings = engine->settings("ANPR-1");
  ASSERT_TRUE(settings) << settings.error().message;
  settings->linkage.notify_center = true;
  ASSERT_TRUE(engine->configure("ANPR-1", *settings));
  auto center = bus.subscribe<events::CenterNotification>(16);
  list("ALLOW1", ListType::allowlist);
  service->submit(read("ALLOW1", CaptureTrigger::video));
  const auto notified = center->try_pop();
  ASSERT_TRUE(notified);
  EXPECT_EQ(notified->event.kind, events::EventKind::vehicle_detection);
  EXPECT_EQ(events::source_id(notified->event), "ANPR-1");
  ASSERT_TRUE(notified->event.target);
  EXPECT_EQ(notified->event.target->plate, "ALLOW1");
  EXPECT_EQ(notified->event.target->list_verdict, "allowed");
  EXPECT_EQ(notified->event.target->direction, "approaching");
}

TEST_F(LprServiceTest, AlarmInputsStillReachTheEventEngineThroughTheTap) {
  auto settings = engine->settings("IO-1");
  ASSERT_TRUE(settings);
  settings->enabled = true;
  ASSERT_TRUE(engine->configure("IO-1", *settings));
  ASSERT_TRUE(inputs.set_active(0, true));
  bool seen = false;
  for (const auto& event : engine->history()) seen = seen || (event.kind == events::EventKind::alarm_input && event.input == 1);
  EXPECT_TRUE(seen);
  EXPECT_EQ(requests.size(), 1u);  // and the loop saw it too (Mixed mode)
}

// On the realtime clock, with a full allowlist and fuzzy matching on: the relay closes well within
// 200 ms of the read reaching the service (lookup, decision and relay on one thread).
TEST(LprServiceLatency, BarrierRelayWithin200msOfTheRead) {
  core::RealtimeClock clock(hal::WallTime{test::LockstepTestClock::k_wall_origin});
  test::LprServiceRigOptions options;
  options.settings = {{"traffic.barrier.enabled", "true"}, {"traffic.fuzzy_match.enabled", "true"},
                      {"traffic.fuzzy_match.misread_characters", "2"}};
  test::LprServiceRig rig(clock, options);
  std::vector<PlateEntry> entries;
  for (int i = 0; i < static_cast<int>(PlateList::k_capacity); ++i) {
    PlateEntry entry;
    entry.plate = "AL" + std::to_string(100000 + i);
    entries.push_back(entry);
  }
  ASSERT_TRUE(rig.plates->apply_batch(std::move(entries)));
  const PlateRead read = rig.read("AL1X9999");  // one misread character of AL109999
  rig.service->submit(read);
  const auto pulses = rig.relays.pulses(0);
  ASSERT_EQ(pulses.size(), 1u);
  const auto latency = pulses[0].start - read.time;
  EXPECT_LE(latency, 200ms);
  std::printf("barrier relay %.3f ms after the read (10,000 allowlist entries, fuzzy on)\n",
              std::chrono::duration<double, std::milli>(latency).count());
  rig.service->stop();
}

// The ISAPI resources through the router, without sockets.
class LprResourcesTest : public LprServiceTest {
 protected:
  void SetUp() override {
    LprServiceTest::SetUp();
    accounts = std::move(security::UserAccounts::open(":memory:", profile.device.model,
                                                      security::PasswordPolicy::for_profile(profile.name)).value());
    ASSERT_TRUE(accounts->activate("Admin1234"));
    lock = std::make_unique<security::IllegalLoginLock>(clock, [] { return security::IllegalLoginLockSettings{}; });
    security::AuthenticatorOptions options;
    options.basic_enabled = [] { return true; };
    authenticator = std::make_unique<security::Authenticator>(*accounts, *lock, clock, options);
    isapi::DeviceServices services;
    services.profile = &profile;
    services.config = config;
    services.accounts = accounts.get();
    services.plates = plates;
    services.lpr = service;
    router = std::make_unique<http::Router>();
    isapi::add_routes(*router, services);
  }

  std::pair<status, pugi::xml_document> send(verb method, const std::string& target, const std::string& body = {}) {
    http::Request request{method, target, 11};
    request.set(http::beast_http::field::authorization, std::string("Basic ") + k_admin);
    request.body() = body;
    auto reply = router->handle(request, "192.0.2.7", authenticator.get());
    std::pair<status, pugi::xml_document> answer;
    answer.first = reply.response.result();
    answer.second.load_string(reply.response.body().c_str());
    last_body = reply.response.body();
    return answer;
  }
  static std::string text(const pugi::xml_document& doc, std::initializer_list<std::string_view> path) {
    return isapi::text_at(doc.document_element(), path).value_or("<absent>");
  }
  static std::string doc(const std::string& root, const std::string& inner) {
    return "<" + root + " xmlns=\"http://www.hikvision.com/ver20/XMLSchema\">" + inner + "</" + root + ">";
  }

  std::unique_ptr<security::UserAccounts> accounts;
  std::unique_ptr<security::IllegalLoginLock> lock;
  std::unique_ptr<security::Authenticator> authenticator;
  std::unique_ptr<http::Router> router;
  std::string last_body;
};

TEST_F(LprResourcesTest, SnapshotSettingReadAndWritten) {
  auto [code, got] = send(verb::get, "/ISAPI/Traffic/channels/1/snapshotSetting");
  ASSERT_EQ(code, status::ok) << last_body;
  EXPECT_EQ(text(got, {"captureMode"}), "mixed");
  EXPECT_EQ(text(got, {"LoopMode", "plan"}), "single_in-snap_nospeed");
  auto [put, answer] = send(verb::put, "/ISAPI/Traffic/channels/1/snapshotSetting",
                            doc("SnapshotSetting", "<captureMode>loop</captureMode><LoopMode><plan>double_in2-snap_speed</plan>"
                                                   "<loopDistance>4.5</loopDistance></LoopMode>"));
  ASSERT_EQ(put, status::ok) << last_body;
  EXPECT_EQ(config->get_string("traffic.capture.loop_plan"), "double_in2-snap_speed");
  EXPECT_DOUBLE_EQ(config->get_number("traffic.capture.loop_distance"), 4.5);
  // All or nothing: a bad value stores nothing.
  auto [bad, refusal] = send(verb::put, "/ISAPI/Traffic/channels/1/snapshotSetting",
                             doc("SnapshotSetting", "<captureMode>video</captureMode><snapshotQuantity>3</snapshotQuantity>"));
  EXPECT_EQ(bad, status::bad_request) << last_body;
  EXPECT_EQ(config->get_string("traffic.capture.mode"), "loop");
}

TEST_F(LprResourcesTest, BarrierControlAndManualCommands) {
  auto [refused, why] = send(verb::put, "/ISAPI/Traffic/channels/1/barrierGate", doc("BarrierGate", "<ctrlMode>open</ctrlMode>"));
  EXPECT_NE(refused, status::ok);  // barrier control disabled
  auto [bad, schedule] = send(verb::put, "/ISAPI/Traffic/channels/1/barrierControl",
                              doc("BarrierControl", "<enabled>true</enabled><AlwaysOpen><schedule>someday</schedule></AlwaysOpen>"));
  EXPECT_EQ(bad, status::bad_request) << last_body;
  EXPECT_FALSE(config->get_bool("traffic.barrier.enabled"));
  auto [put, ok] = send(verb::put, "/ISAPI/Traffic/channels/1/barrierControl",
                        doc("BarrierControl", "<enabled>true</enabled><openingMethod>manual</openingMethod>"
                                              "<OpeningConfig><duration>0.5</duration></OpeningConfig>"));
  ASSERT_EQ(put, status::ok) << last_body;
  auto [get, current] = send(verb::get, "/ISAPI/Traffic/channels/1/barrierControl");
  EXPECT_EQ(text(current, {"openingMethod"}), "manual");
  EXPECT_EQ(text(current, {"ClosingConfig", "alarmOutPort"}), "2");

  auto [open, opened] = send(verb::put, "/ISAPI/Traffic/channels/1/barrierGate", doc("BarrierGate", "<ctrlMode>open</ctrlMode>"));
  ASSERT_EQ(open, status::ok) << last_body;
  advance(4s);
  EXPECT_TRUE(gate.is_passable());
  EXPECT_EQ(*relays.pulses(0)[0].width(), 500ms);
  auto [close, closed] = send(verb::put, "/ISAPI/Traffic/channels/1/barrierGate", doc("BarrierGate", "<ctrlMode>close</ctrlMode>"));
  ASSERT_EQ(close, status::ok) << last_body;
  advance(4s);
  EXPECT_EQ(gate.state(), sim::BarrierState::closed);
  auto [junk, junk_doc] = send(verb::put, "/ISAPI/Traffic/channels/1/barrierGate", doc("BarrierGate", "<ctrlMode>up</ctrlMode>"));
  EXPECT_EQ(junk, status::bad_request);
}

TEST_F(LprResourcesTest, PullClientsGetRecentPlatesAfterAnId) {
  list("BAD001", ListType::blocklist);
  service->submit(read("ABC123", CaptureTrigger::video));
  advance(10s);
  service->submit(read("BAD001", CaptureTrigger::video));
  auto [code, all] = send(verb::get, "/ISAPI/Traffic/channels/1/vehicleDetect/plates");
  ASSERT_EQ(code, status::ok) << last_body;
  EXPECT_EQ(text(all, {"Plate", "plateNumber"}), "ABC123");
  auto [after, later] = send(verb::get, "/ISAPI/Traffic/channels/1/vehicleDetect/plates?afterID=1");
  ASSERT_EQ(after, status::ok) << last_body;
  EXPECT_EQ(text(later, {"Plate", "plateNumber"}), "BAD001");
  EXPECT_EQ(text(later, {"Plate", "listVerdict"}), "blocked");
  EXPECT_EQ(text(later, {"Plate", "id"}), "2");
  auto [post, by_time] = send(verb::post, "/ISAPI/Traffic/channels/1/vehicleDetect/plates",
                              doc("AfterTime", "<picTime>2024-03-01T12:00:05Z</picTime>"));
  ASSERT_EQ(post, status::ok) << last_body;
  EXPECT_EQ(text(by_time, {"Plate", "plateNumber"}), "BAD001");
  auto [bad, refusal] = send(verb::get, "/ISAPI/Traffic/channels/1/vehicleDetect/plates?afterTime=yesterday");
  EXPECT_EQ(bad, status::bad_request);
}

TEST_F(LprResourcesTest, BlocklistAlarmPictureTypeReadAndWritten) {
  auto [got, current] = send(verb::get, "/ISAPI/Traffic/channels/1/blocklistAlarm");
  ASSERT_EQ(got, status::ok) << last_body;
  EXPECT_EQ(text(current, {"pictureType"}), "original");
  auto [put, ok] = send(verb::put, "/ISAPI/Traffic/channels/1/blocklistAlarm",
                        doc("BlocklistAlarm", "<pictureType>plate_cutout</pictureType>"));
  ASSERT_EQ(put, status::ok) << last_body;
  EXPECT_EQ(config->get_string("traffic.blocklist_alarm.picture"), "plate_cutout");
  auto [bad, why] = send(verb::put, "/ISAPI/Traffic/channels/1/blocklistAlarm",
                         doc("BlocklistAlarm", "<pictureType>vehicle</pictureType>"));
  EXPECT_EQ(bad, status::bad_request) << last_body;
  EXPECT_EQ(config->get_string("traffic.blocklist_alarm.picture"), "plate_cutout");
}

TEST_F(LprResourcesTest, ManualCaptureAsksRecognitionForACaptureNow) {
  advance(3s);
  auto [put, ok] = send(verb::put, "/ISAPI/Traffic/channels/1/manualCapture");
  ASSERT_EQ(put, status::ok) << last_body;
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].trigger, CaptureTrigger::manual);
  EXPECT_EQ(requests[0].at, clock.now());
  auto [missing, why] = send(verb::put, "/ISAPI/Traffic/channels/9/manualCapture");
  EXPECT_EQ(missing, status::not_found);
  EXPECT_EQ(requests.size(), 1u);
}

}  // namespace
}  // namespace camrig::traffic
