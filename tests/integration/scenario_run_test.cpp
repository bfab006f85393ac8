// `camrig run` as CI calls it: a broken expectation fails the run (exit 1) with its evidence in
// every report, a mistake in a scenario file stops before running (exit 2) naming file:line.
#include <unistd.h>

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

}  // namespace
}  // namespace camrig
