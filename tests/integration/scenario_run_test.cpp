// `camrig run` as CI calls it: a broken expectation fails the run (exit 1) with its evidence in
// every report, a mistake in a scenario file stops before running (exit 2) naming file:line,
// Ctrl-C ends the runs early with the reports of what ran (exit 130).
#include <signal.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/support/process.hpp"

namespace camrig {
namespace {

using namespace std::chrono_literals;

class CamrigRun : public ::testing::Test {
 protected:
  void SetUp() override {
    directory = std::filesystem::temp_directory_path() / ("camrig-run-test-" + std::to_string(::getpid()));
    std::filesystem::remove_all(directory);
    std::filesystem::create_directories(directory);
  }
  void TearDown() override { std::filesystem::remove_all(directory); }

  std::filesystem::path write(const std::string& name, const std::string& text) {
    const auto path = directory / name;
    std::ofstream(path) << text;
    return path;
  }
  static std::string read(const std::filesystem::path& path) {
    std::ifstream in(path);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
  }

  std::filesystem::path directory;
};

TEST_F(CamrigRun, ABrokenExpectationFailsTheRunWithItsEvidenceInTheReports) {
  const auto scenario = write("broken.yaml", R"(
name: broken-on-purpose
duration: 2
timeline:
  - {at: 1, id: info, isapi: {path: /ISAPI/System/deviceInfo}}
expect:
  - {id: answers, api: {step: info, status: 200}}
  - {id: wrong-status, api: {step: info, status: 404}}
  - {id: quiet, event: {type: IO, none: true}}
)");
  const auto reports = directory / "out";
  const auto result = test::run_process({CAMRIG_BINARY, "run", scenario.string(), "--report-dir", reports.string()}, 120s);
  EXPECT_EQ(result.exit_code, 1) << result.out << result.err;
  EXPECT_NE(result.out.find("[broken-on-purpose] FAILED: 2.0 s simulated"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("2/3 expectations held"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find((reports / "report.html").string()), std::string::npos) << result.out;

  const auto junit = read(reports / "junit.xml");
  EXPECT_NE(junit.find("<testsuites name=\"camrig run\" tests=\"3\" failures=\"1\" errors=\"0\""), std::string::npos) << junit;
  EXPECT_NE(junit.find("response to info: status 404: got status 200"), std::string::npos) << junit;
  const auto json = nlohmann::json::parse(read(reports / "report.json"));
  EXPECT_EQ(json["scenarios"][0]["expectations"][0]["evidence"], "status 200");
  EXPECT_NE(json["scenarios"][0]["expectations"][1]["detail"].get<std::string>().find("<DeviceInfo"), std::string::npos);
  EXPECT_NE(read(reports / "report.html").find("wrong-status"), std::string::npos);
}

TEST_F(CamrigRun, AMistakeInAScenarioFileStopsBeforeRunningAndNamesTheLine) {
  const auto scenario = write("typo.yaml", "name: typo\nexpect:\n  - event: {typ: IO}\n");
  const auto result = test::run_process({CAMRIG_BINARY, "run", scenario.string(), "--report-dir", (directory / "out").string()}, 30s);
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.err.find(scenario.string() + ":3:13: unknown key 'typ' in event"), std::string::npos) << result.err;
  EXPECT_FALSE(std::filesystem::exists(directory / "out"));
}

// The camera's HTTP host is a peer behind a fault proxy: the alarm's start arrives at once, its
// end is held back by an outage and arrives after it; a car spawned on the timeline is in the
// world's ground truth like any scene actor.
TEST_F(CamrigRun, PeersReceiveDeliveriesAroundAnOutageAndSpawnedActorsJoinTheWorld) {
  const auto scenario = write("deliveries.yaml", R"(
name: deliveries
profile: network-camera
duration: 9
peers: [{name: alarms, kind: http}]
device:
  setup:
    - method: PUT
      path: /ISAPI/Event/notification/httpHosts/1
      body: >-
        <HttpHostNotification><id>1</id><url>/alarm</url><protocolType>HTTP</protocolType>
        <parameterFormatType>XML</parameterFormatType><addressingFormatType>ipaddress</addressingFormatType>
        <ipAddress>${peer.alarms.host}</ipAddress><portNo>${peer.alarms.port}</portNo></HttpHostNotification>
    - method: PUT
      path: /ISAPI/Event/triggers/IO-1
      body: >-
        <EventTrigger><enabled>true</enabled><EventTriggerNotificationList>
        <EventTriggerNotification><notificationMethod>center</notificationMethod></EventTriggerNotification>
        </EventTriggerNotificationList></EventTrigger>
timeline:
  - {at: 1, id: alarm-on, input: {index: 1, active: true}}
  - {at: 1.5, id: car, spawn: {kind: car, lane: 0, speed: 20, plate: ZZ777QQ}}
  - {at: 2, id: down, fault: {peer: alarms, outage: true}}
  - {at: 3, id: alarm-off, input: {index: 1, active: false}}
  - {at: 5, id: up, fault: {peer: alarms, outage: false}}
expect:
  - {id: start-delivered, delivery: {peer: alarms, path: /alarm, fields: {eventType: IO, eventState: active}, count: 1, to: 2}}
  - {id: nothing-while-down, delivery: {peer: alarms, fields: {eventState: inactive}, none: true, after: down, within: 2.9}}
  - {id: end-after-recovery, delivery: {peer: alarms, fields: {eventState: inactive}, count: 1, after: up}}
)");
  const auto reports = directory / "out";
  const auto result =
      test::run_process({CAMRIG_BINARY, "run", scenario.string(), "--keep", "--report-dir", reports.string()}, 150s);
  EXPECT_EQ(result.exit_code, 0) << result.out << result.err;
  const auto json = nlohmann::json::parse(read(reports / "report.json"));
  const auto& run = json["scenarios"][0];
  for (const auto& e : run["expectations"]) EXPECT_TRUE(e["passed"].get<bool>()) << e.dump(1);
  ASSERT_EQ(run["expectations"].size(), 3u);
  EXPECT_NE(run["expectations"][2]["evidence"].get<std::string>().find("1 matching of"), std::string::npos);
  const bool marked = std::any_of(run["timeline"].begin(), run["timeline"].end(), [](const nlohmann::json& mark) {
    return mark.dump().find("spawn car car ZZ777QQ") != std::string::npos;
  });
  EXPECT_TRUE(marked) << run["timeline"].dump();
  const std::filesystem::path work = run["work_directory"].get<std::string>();
  EXPECT_NE(read(work / "world.yaml").find("ZZ777QQ"), std::string::npos);
  EXPECT_NE(read(work / "ground-truth.jsonl").find(R"("text":"ZZ777QQ")"), std::string::npos);
  std::filesystem::remove_all(work);
}

TEST_F(CamrigRun, ASpawnedActorTheWorldRefusesNamesTheScenarioLine) {
  const auto scenario = write("bad_spawn.yaml", R"(name: bad-spawn
duration: 2
timeline:
  - {at: 1, spawn: {kind: car, lane: 5}}
expect:
  - {metric: {name: alerts.count, min: 0}}
)");
  const auto result = test::run_process({CAMRIG_BINARY, "run", scenario.string(), "--report-dir", (directory / "out").string()}, 60s);
  EXPECT_EQ(result.exit_code, 1) << result.out << result.err;
  EXPECT_NE(result.out.find(scenario.string() + ":4: spawn: "), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("lane 5 does not exist"), std::string::npos) << result.out;
}

// Ctrl-C in the middle of a folder: the scenario playing stops where it stands, the next is not
// started, and the reports of what ran are written all the same; the partial figures stay out of
// the history and no run folder is left behind.
TEST_F(CamrigRun, CtrlCEndsTheRunsAndStillWritesTheReports) {
  const auto name = "long-" + std::to_string(::getpid());
  write("a_long.yaml", "name: " + name + R"(
duration: 600
timeline:
  - {at: 1, id: info, isapi: {path: /ISAPI/System/deviceInfo}}
expect:
  - {id: answers, api: {step: info, status: 200}}
)");
  write("b_next.yaml", R"(name: never-started
duration: 2
expect:
  - {metric: {name: alerts.count, min: 0}}
)");
  const auto reports = directory / "out";
  test::ChildProcess run({CAMRIG_BINARY, "run", directory.string(), "-j", "1", "--report-dir", reports.string()});
  ASSERT_TRUE(run.started());
  // Interrupted once its step at 1 s has been played: the progress line shows device time past 2 s.
  const auto progress = "[" + name + "] sim ";
  const auto past_two_seconds = [&] {
    for (auto at = run.output().find(progress); at != std::string::npos; at = run.output().find(progress, at + 1))
      if (std::atof(run.output().c_str() + at + progress.size()) >= 2.0) return true;
    return false;
  };
  const auto give_up = std::chrono::steady_clock::now() + 120s;
  while (!past_two_seconds() && std::chrono::steady_clock::now() < give_up)
    run.wait_for_output(progress + "never", 500ms);  // reads on for half a second
  ASSERT_TRUE(past_two_seconds()) << run.output();
  const auto interrupted_at = std::chrono::steady_clock::now();
  EXPECT_EQ(run.stop(SIGINT, 60s), 130) << run.output();
  EXPECT_LT(std::chrono::steady_clock::now() - interrupted_at, 30s);
  EXPECT_NE(run.output().find("camrig run: interrupted: ending the runs"), std::string::npos) << run.output();
  EXPECT_NE(run.output().find("INTERRUPTED: 0 of 2 scenario(s) passed"), std::string::npos) << run.output();

  const auto json = nlohmann::json::parse(read(reports / "report.json"));
  EXPECT_EQ(json["interrupted"], "interrupted (Ctrl-C)");
  const auto& played = json["scenarios"][0];
  EXPECT_EQ(played["name"], name);
  EXPECT_EQ(played["error"].get<std::string>().rfind("interrupted at ", 0), 0u) << played.dump(1);
  EXPECT_LT(played["simulated_seconds"].get<double>(), 600.0);
  EXPECT_EQ(played["expectations"][0]["passed"], true) << "what ran before Ctrl-C is judged";
  EXPECT_EQ(json["scenarios"][1]["error"], "not run: the run was interrupted (Ctrl-C)");
  EXPECT_NE(read(reports / "junit.xml").find("not run: the run was interrupted"), std::string::npos);
  EXPECT_NE(read(reports / "report.html").find("id=\"interrupted\""), std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(reports / "history.jsonl"));
  for (const auto& entry : std::filesystem::directory_iterator(std::filesystem::temp_directory_path()))
    EXPECT_EQ(entry.path().filename().string().find("camrig-run-" + name), std::string::npos) << entry.path();
}

}  // namespace
}  // namespace camrig
