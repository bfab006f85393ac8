// The expectation evaluator on hand-made observations: windows, "none", I/O states, responses,
// figures, and the evidence each verdict carries.
#include <gtest/gtest.h>

#include "conformance/clients.hpp"
#include "conformance/evaluator.hpp"

namespace camrig::conformance {
namespace {

Scenario scenario_with(const std::string& expect) {
  auto s = parse_scenario("duration: 10\ntimeline:\n  - {at: 2, id: on, input: {index: 1, active: true}}\n"
                          "  - {at: 3, id: call, isapi: {path: /ISAPI/System/deviceInfo}}\n"
                          "  - {at: 4, id: describe, rtsp: {describe: '101'}}\nexpect:\n" + expect,
                          "t.yaml");
  EXPECT_TRUE(s) << s.error().message;
  return s ? *s : Scenario{};
}

Observations observations() {
  Observations o;
  o.end = 10;
  o.steps = {{"on", 2, ActionKind::input, "input 1 active", 1, true},
             {"call", 3, ActionKind::isapi, "GET", 0, false},
             {"describe", 4, ActionKind::rtsp, "DESCRIBE", 0, false}};
  ObservedAlert alert;
  alert.received_at = 2.05;
  alert.device_time = 2;
  alert.type = "IO";
  alert.state = "active";
  alert.channel = 1;
  alert.fields = {{"inputIOPortID", "1"}};
  alert.document = "<EventNotificationAlert/>";
  o.alerts.push_back(alert);
  o.alert_stream_openings = 1;
  o.heartbeats = 3;
  o.relays = {{2.0, 1, "closed"}, {9.0, 1, "open"}};
  o.responses = {{"call", 3, 200, "<DeviceInfo><model>DS-1</model></DeviceInfo>", "", 4},
                 {"describe", 4, 200, "v=0\r\na=x-dimensions:1280,720\r\n", "", 3}};
  return o;
}

reports::ExpectationOutcome judge(const std::string& expect, const Observations& o = observations()) {
  const auto outcomes = evaluate(scenario_with(expect), o);
  EXPECT_EQ(outcomes.size(), 1u);
  return outcomes.empty() ? reports::ExpectationOutcome{} : outcomes.front();
}

TEST(ScenarioEvaluator, EventWithinAWindowAfterAStepHoldsWithTheAlertAsEvidence) {
  const auto held = judge("  - event: {type: IO, state: active, fields: {inputIOPortID: '1'}, after: on, within: 1}\n");
  EXPECT_TRUE(held.passed) << held.evidence;
  EXPECT_EQ(held.evidence, "1 matching: IO active on channel 1 (dateTime +2 s, received at 2.050 s)");
  EXPECT_EQ(held.detail, "<EventNotificationAlert/>");
  const auto missing = judge("  - event: {type: IO, fields: {inputIOPortID: '2'}}\n");
  EXPECT_FALSE(missing.passed);
  // A missing alert says how the stream fared: a silent camera or a broken stream.
  EXPECT_EQ(missing.evidence, "no matching alert; 1 alerts in the whole run (the alertStream opened 1 time(s), 3 heartbeat(s))");
  EXPECT_FALSE(judge("  - event: {type: IO, state: inactive}\n").passed);
  EXPECT_FALSE(judge("  - event: {type: IO, from: 4, to: 6}\n").passed);
  EXPECT_FALSE(judge("  - event: {type: IO, at_least: 2}\n").passed);
}

TEST(ScenarioEvaluator, NoneFailsOnTheOffendingAlert) {
  const auto broken = judge("  - event: {type: IO, none: true, after: on, within: 1}\n");
  EXPECT_FALSE(broken.passed);
  EXPECT_EQ(broken.evidence, "came: IO active on channel 1 (dateTime +2 s, received at 2.050 s)");
  EXPECT_TRUE(judge("  - event: {type: IO, none: true, from: 0, to: 1.5}\n").passed);
  EXPECT_TRUE(judge("  - event: {type: VMD, none: true}\n").passed);
}

TEST(ScenarioEvaluator, RelayStatesAtATimeWithinAWindowAndNever) {
  EXPECT_TRUE(judge("  - io: {relay: {index: 1, state: closed}, at: 2}\n").passed);
  EXPECT_TRUE(judge("  - io: {relay: {index: 1, state: open}, at: 1.9}\n").passed);
  EXPECT_TRUE(judge("  - io: {relay: {index: 1, state: open}, at: 9}\n").passed);
  const auto late = judge("  - io: {relay: {index: 1, state: open}, after: on, within: 5}\n");
  EXPECT_FALSE(late.passed);
  EXPECT_EQ(late.evidence, "relay 1 did not become open in the window");
  EXPECT_EQ(late.detail, "2.000 s: closed\n9.000 s: open\n");
  EXPECT_TRUE(judge("  - io: {relay: {index: 1, state: closed}, after: on, within: 0.1}\n").passed);
  EXPECT_FALSE(judge("  - io: {relay: {index: 1, state: closed}, never: true}\n").passed);
  EXPECT_TRUE(judge("  - io: {relay: {index: 2, state: closed}, never: true}\n").passed);
  EXPECT_FALSE(judge("  - io: {barrier: open, at: 1}\n").passed) << "no barrier in this run";
}

TEST(ScenarioEvaluator, ResponsesByStatusXmlFieldSdpAttributeAndText) {
  EXPECT_TRUE(judge("  - api: {step: call, status: 200, fields: {model: DS-1}}\n").passed);
  const auto wrong = judge("  - api: {step: call, status: 401, fields: {model: DS-2, serialNumber: x}}\n");
  EXPECT_FALSE(wrong.passed);
  EXPECT_EQ(wrong.evidence, "got status 200, model='DS-1', serialNumber=(absent)");
  EXPECT_TRUE(judge("  - api: {step: describe, fields: {x-dimensions: '1280,720'}, contains: ['v=0']}\n").passed);
  auto o = observations();
  o.responses.pop_back();
  const auto missing = judge("  - api: {step: describe, status: 200}\n", o);
  EXPECT_FALSE(missing.passed);
  EXPECT_EQ(missing.evidence, "the step did not run (the run ended before it)");
}

TEST(ScenarioEvaluator, MetricsFromTheCatalogueAgainstThresholds) {
  EXPECT_TRUE(judge("  - metric: {name: relay.latency_ms.max, max: 1}\n").passed);
  EXPECT_TRUE(judge("  - metric: {name: alerts.count, min: 1, max: 1}\n").passed);
  const auto undefined = judge("  - metric: {name: recall.line_crossing, min: 0.9}\n");
  EXPECT_FALSE(undefined.passed);
  EXPECT_NE(undefined.evidence.find("undefined for this run"), std::string::npos);
}

TEST(ScenarioEvaluator, AccuracyAgainstGroundTruthMatchesEachTruthOnce) {
  auto o = observations();
  o.truth = {{5.4, "line_crossing", "gate", "A->B"}, {7.2, "line_crossing", "gate", "A->B"}};
  ObservedAlert crossing;
  crossing.type = "linedetection";
  crossing.state = "active";
  crossing.device_time = 5;
  crossing.received_at = 5.6;
  o.alerts.push_back(crossing);
  crossing.device_time = 7;
  crossing.received_at = 7.3;
  o.alerts.push_back(crossing);
  const auto figures = compute_metrics(o);
  const auto value = [&](const std::string& name) {
    for (const auto& m : figures)
      if (m.name == name) return m.value;
    return -1.0;
  };
  EXPECT_DOUBLE_EQ(value("recall.line_crossing"), 1.0);
  EXPECT_DOUBLE_EQ(value("precision.line_crossing"), 1.0);
  EXPECT_DOUBLE_EQ(value("f1.line_crossing"), 1.0);
  EXPECT_NEAR(value("latency_s.p50.line_crossing"), 0.1, 1e-9);
  EXPECT_NEAR(value("latency_s.p99.line_crossing"), 0.2, 1e-9);
  // Without the second truth the later alert is a false alarm: each truth is matched once.
  o.truth.pop_back();
  EXPECT_DOUBLE_EQ(*find_metric("precision.line_crossing")->compute(o), 0.5);
}

// Two cars pass; the world writes plates with separators, the camera reads letters and digits.
Observations plate_observations() {
  Observations o;
  o.end = 20;
  for (double t = 1; t <= 3; t += 0.5) o.frames.push_back({t, 1, {{0, 0, 100, 50, "car 1", "AB-123-CD"}}});
  for (double t = 8; t <= 10; t += 0.5) o.frames.push_back({t, 1, {{0, 0, 100, 50, "car 2", "KX-482-TR"}}});
  return o;
}

void add_read(Observations& o, double at, const std::string& plate) {
  ObservedAlert alert;
  alert.received_at = at;
  alert.type = "ANPR";
  alert.state = "active";
  alert.fields = {{"licensePlate", plate}};
  o.alerts.push_back(alert);
}

double metric(const Observations& o, const std::string& name) {
  const auto value = find_metric(name)->compute(o);
  return value ? *value : -1.0;
}

TEST(ScenarioEvaluator, PlateReadsBelongToTheVehicleInViewBeforeTheAlert) {
  auto o = plate_observations();
  add_read(o, 3.2, "AB123CD");
  // The second car is misread as the first car's plate: it stays the second car's read (in view
  // 1.5 s before), a miss for it, not a second exact read of the first car.
  add_read(o, 10.1, "AB123CD");
  EXPECT_DOUBLE_EQ(metric(o, "plates.exact_match"), 0.5);
  EXPECT_DOUBLE_EQ(metric(o, "plates.char_accuracy"), 0.5);  // 7 of 7, then 0 of 7 (every character differs)
  EXPECT_DOUBLE_EQ(metric(o, "plates.false_reads"), 0);
  // A read 1.6 s after the car was last in view belongs to no vehicle: a false read.
  add_read(o, 11.6, "KX482TR");
  EXPECT_DOUBLE_EQ(metric(o, "plates.false_reads"), 1);
  EXPECT_DOUBLE_EQ(metric(o, "plates.exact_match"), 0.5);
  // Inside the window it is the second car's exact read.
  o.alerts.back().received_at = 11.4;
  EXPECT_DOUBLE_EQ(metric(o, "plates.false_reads"), 0);
  EXPECT_DOUBLE_EQ(metric(o, "plates.exact_match"), 1.0);
}

TEST(ScenarioEvaluator, AVehicleStillInViewAtTheEndAndUnreadIsNotJudged) {
  auto o = plate_observations();
  add_read(o, 3.2, "AB123CD");
  o.end = 10.2;  // the second car was in view 0.2 s before the end and is not read yet
  EXPECT_DOUBLE_EQ(metric(o, "plates.exact_match"), 1.0);
  o.end = 12;  // it left the view 2 s before the end unread: a miss
  EXPECT_DOUBLE_EQ(metric(o, "plates.exact_match"), 0.5);
}

TEST(ScenarioEvaluator, TimelineMarksEveryLane) {
  auto o = observations();
  o.truth = {{1, "loop_occupied", "loop 1", ""}};
  const auto marks = timeline_marks(o);
  for (const auto* lane : {"step", "alert", "io", "truth"})
    EXPECT_TRUE(std::any_of(marks.begin(), marks.end(), [&](const auto& m) { return m.lane == lane; })) << lane;
}

TEST(AlertStreamParts, SplitsMultipartAndKeepsAnIncompleteTail) {
  const std::string xml = "<EventNotificationAlert version=\"2.0\" xmlns=\"http://www.hikvision.com/ver20/XMLSchema\">"
                          "<channelID>1</channelID><eventType>IO</eventType><eventState>active</eventState>"
                          "<DetectionRegionList><DetectionRegionEntry><regionID>2</regionID></DetectionRegionEntry>"
                          "</DetectionRegionList></EventNotificationAlert>";
  const std::string part = "--boundary\r\nContent-Type: application/xml; charset=\"UTF-8\"\r\nContent-Length: " +
                           std::to_string(xml.size()) + "\r\n\r\n" + xml + "\r\n";
  std::string buffer = part + part.substr(0, 30);
  const auto parts = take_multipart_parts(buffer);
  ASSERT_EQ(parts.size(), 1u);
  EXPECT_EQ(buffer, "\r\n" + part.substr(0, 30));
  buffer += part.substr(30);
  EXPECT_EQ(take_multipart_parts(buffer).size(), 1u);
  const auto alert = parse_alert(parts.front());
  EXPECT_EQ(alert.fields.at("eventType"), "IO");
  EXPECT_EQ(alert.fields.at("regionID"), "2");
  EXPECT_EQ(alert.document, xml);
}

}  // namespace
}  // namespace camrig::conformance
