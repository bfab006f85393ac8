// Scenario files: the library loads, and every mistake names file:line:column and what was expected.
#include <gtest/gtest.h>

#include "conformance/scenario.hpp"

namespace camrig::conformance {
namespace {

std::string error_of(const std::string& text) {
  auto parsed = parse_scenario(text, "bad.yaml");
  return parsed ? std::string("(loaded)") : parsed.error().message;
}

TEST(ScenarioLoader, EveryScenarioOfTheDefaultSuiteLoads) {
  auto files = scenario_files(std::string(CAMRIG_SOURCE_DIR) + "/scenarios/default");
  ASSERT_TRUE(files) << files.error().message;
  EXPECT_GE(files->size(), 4u);
  for (const auto& file : *files) {
    auto scenario = load_scenario(file);
    ASSERT_TRUE(scenario) << scenario.error().message;
    EXPECT_FALSE(scenario->expectations.empty()) << file;
  }
}

TEST(ScenarioLoader, ReadsTimelineAndExpectationsInOrderOfTime) {
  auto s = parse_scenario(R"(
name: demo
profile: lpr-camera
seed: 9
duration: 6
timeline:
  - {at: 3, id: late, isapi: {method: PUT, path: /ISAPI/x, body: "<a/>"}}
  - {at: 1, id: early, input: {index: 2, active: true}}
expect:
  - {id: e1, event: {type: IO, state: active, after: early, within: 1, fields: {inputIOPortID: "2"}}}
  - {io: {relay: {index: 2, state: closed}, at: 1.5}}
  - {api: {step: late, status: 200, contains: [ok]}}
  - {metric: {name: relay.latency_ms.max, max: 50}}
)",
                          "demo.yaml");
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_EQ(s->profile, "lpr-camera");
  EXPECT_EQ(s->seed, 9u);
  ASSERT_EQ(s->timeline.size(), 2u);
  EXPECT_EQ(s->timeline[0].id, "early");
  EXPECT_EQ(s->timeline[0].input, 2);
  EXPECT_EQ(s->timeline[1].isapi.method, "PUT");
  ASSERT_EQ(s->expectations.size(), 4u);
  EXPECT_EQ(s->expectations[0].event.window.after, "early");
  EXPECT_EQ(s->expectations[1].id, "io-2");
  EXPECT_EQ(*s->expectations[1].io.relay, 2);
  EXPECT_EQ(s->expectations[2].api.contains, std::vector<std::string>{"ok"});
  EXPECT_EQ(*s->expectations[3].metric.max, 50);
}

TEST(ScenarioLoader, MistakesNameFileLineColumnAndWhatWasExpected) {
  EXPECT_EQ(error_of("name: x\nexpect:\n  - {metric: {name: relay.latency_ms.max, max: 1}}\nduraton: 3\n"),
            "bad.yaml:4:1: unknown key 'duraton' in the scenario (expected one of: name, description, profile, seed, "
            "duration, ci, start_time, world, peers, device, timeline, expect)");
  EXPECT_EQ(error_of("profile: doorbell\nexpect: []\n"),
            "bad.yaml:1:10: profile must be one of network-camera, smart-linkage-ptz, lpr-camera (got 'doorbell')");
  EXPECT_EQ(error_of("duration: 5\nexpect:\n  - event: {type: IO, after: nowhere}\n"),
            "bad.yaml:3:30: event: no timeline step has the id 'nowhere'");
  EXPECT_NE(error_of("expect:\n  - metric: {name: speed, max: 1}\n").find("bad.yaml:2:20: unknown metric 'speed' (known: "),
            std::string::npos);
  EXPECT_EQ(error_of("duration: 2\ntimeline:\n  - {at: 3, wait: 1}\nexpect:\n  - {metric: {name: alerts.count, max: 0}}\n"),
            "bad.yaml:3:10: at 3 s is after the end of the run (2 s)");
  EXPECT_EQ(error_of("timeline:\n  - {at: 1, wait: 1, restart: true}\nexpect: [{metric: {name: alerts.count, max: 0}}]\n"),
            "bad.yaml:2:5: a timeline step needs exactly one action: input, isapi, rtsp, wait, restart, kill, start, fault or spawn");
  EXPECT_EQ(error_of("timeline:\n  - {at: 1, kill: true}\nexpect: [{metric: {name: alerts.count, max: 0}}]\n"),
            "bad.yaml:2:19: kill acts on a camera process: the scenario needs device: {process: separate}");
  EXPECT_EQ(error_of("device: {process: separate}\ntimeline:\n  - {at: 1, kill: true}\n  - {at: 2, start: true}\n"
                     "expect: [{metric: {name: alerts.count, max: 0}}]\n"),
            "(loaded)");
  EXPECT_EQ(error_of("device: {process: elsewhere}\nexpect: [{metric: {name: alerts.count, max: 0}}]\n"),
            "bad.yaml:1:19: device process must be one of same, separate (got 'elsewhere')");
  EXPECT_EQ(error_of("expect:\n  - api: {step: x}\n"), "bad.yaml:2:17: no isapi or rtsp timeline step has the id 'x'");
  EXPECT_EQ(error_of("name: x\n"), "bad.yaml:1:1: a scenario needs at least one expectation under expect:");
  EXPECT_EQ(error_of("expect: [\n"), "bad.yaml:2:1: not valid YAML: end of sequence flow not found");
  EXPECT_EQ(error_of("timeline:\n  - {at: soon, wait: 1}\nexpect: [{metric: {name: alerts.count, max: 0}}]\n"),
            "bad.yaml:2:10: at must be a number (got 'soon')");
}

TEST(ScenarioLoader, TheCiRunIsShorterAndKeepsEveryTimelineStep) {
  const std::string body = "timeline:\n  - {at: 4, wait: 1}\nexpect: [{metric: {name: alerts.count, max: 0}}]\n";
  const auto parsed = parse_scenario("duration: 10\nci: {duration: 6.5}\n" + body, "ci.yaml");
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_EQ(parsed->duration, 10);
  EXPECT_EQ(parsed->ci_duration, 6.5);
  EXPECT_FALSE(parse_scenario("duration: 10\n" + body, "ci.yaml")->ci_duration.has_value());
  EXPECT_EQ(error_of("duration: 10\nci: {duration: 3}\n" + body),
            "bad.yaml:2:16: ci duration 3 s ends before step step-1 at 4 s (line 4)");
  EXPECT_EQ(error_of("duration: 10\nci: {duration: 12}\n" + body),
            "bad.yaml:2:16: ci duration must be more than 0 and at most duration (10 s)");
  EXPECT_EQ(error_of("duration: 10\nci: {}\n" + body),
            "bad.yaml:2:5: ci needs duration: (seconds of device time of the CI run)");
  EXPECT_NE(error_of("duration: 10\nci: {length: 3}\n" + body).find("bad.yaml:2:6: unknown key 'length'"), std::string::npos);
}

TEST(ScenarioLoader, WorldIsASceneAFileOrAnInlineDescription) {
  auto named = parse_scenario("world: lpr-camera\nexpect: [{metric: {name: alerts.count, max: 0}}]\n", "a.yaml");
  ASSERT_TRUE(named) << named.error().message;
  EXPECT_EQ(named->world.scene, "lpr-camera");
  auto inline_world = parse_scenario(
      "world: {description: {seed: 3, scene: {type: road}, cameras: [{name: c}]}}\nexpect: [{metric: {name: alerts.count, max: 0}}]\n",
      "a.yaml");
  ASSERT_TRUE(inline_world) << inline_world.error().message;
  EXPECT_NE(inline_world->world.description.find("type: road"), std::string::npos) << inline_world->world.description;
  EXPECT_EQ(error_of("world: {file: missing.yaml}\nexpect: [{metric: {name: alerts.count, max: 0}}]\n"),
            "bad.yaml:1:15: world file 'missing.yaml' not found (looked for missing.yaml)");
}

TEST(ScenarioLoader, AFolderMeansItsYamlFilesInNameOrder) {
  auto files = scenario_files(std::string(CAMRIG_SOURCE_DIR) + "/scenarios/default");
  ASSERT_TRUE(files);
  EXPECT_TRUE(std::is_sorted(files->begin(), files->end()));
  auto missing = scenario_files("/nonexistent/scenarios");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().message, "/nonexistent/scenarios is neither a scenario file nor a folder of them");
}

}  // namespace
}  // namespace camrig::conformance
