// Report writers: JUnit is XML with one testcase per expectation, the JSON parses, the HTML page
// carries summary, evidence, timeline and trend, and the history grows by one entry per run.
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <pugixml.hpp>

#include "reports/report_writers.hpp"

namespace camrig::reports {
namespace {

RunReport sample() {
  RunReport run;
  run.started_at = "2026-01-01T08:00:00Z";
  run.command = "camrig run scenarios/default";
  ScenarioReport ok;
  ok.name = "alarm-input-relay";
  ok.profile = "network-camera";
  ok.mode = "lockstep";
  ok.duration_seconds = 11;
  ok.simulated_seconds = 11;
  ok.real_seconds = 4;
  ok.expectations = {{"alarm-reported", "event", "IO active alert", true, "1 matching: IO active", "<xml/>", {}},
                     {"relay-closes", "io", "relay 1 closed", false, "relay 1 did not become closed", "never changed", {}}};
  ok.timeline = {{2, "step", "sensor-on"}, {2.05, "alert", "IO <active>"}, {2, "io", "relay 1 closed"}, {1, "truth", "loop"}};
  ok.metrics = {{"relay.latency_ms.max", 0, "ms"}};
  ScenarioReport broken;
  broken.name = "stream-settings";
  broken.error = "the camera did not start: port in use";
  run.scenarios = {ok, broken};
  return run;
}

TEST(JunitReport, IsXmlWithOneTestcasePerExpectationAndAnErrorForARunThatBroke) {
  pugi::xml_document doc;
  ASSERT_TRUE(doc.load_string(junit_xml(sample()).c_str()));
  const auto suites = doc.child("testsuites");
  EXPECT_EQ(suites.attribute("tests").as_int(), 3);
  EXPECT_EQ(suites.attribute("failures").as_int(), 1);
  EXPECT_EQ(suites.attribute("errors").as_int(), 1);
  const auto first = suites.find_child_by_attribute("testsuite", "name", "alarm-input-relay");
  ASSERT_TRUE(first);
  const auto failed = first.find_child_by_attribute("testcase", "name", "relay-closes");
  ASSERT_TRUE(failed.child("failure"));
  EXPECT_STREQ(failed.child("failure").attribute("message").value(), "relay 1 closed: relay 1 did not become closed");
  EXPECT_FALSE(first.find_child_by_attribute("testcase", "name", "alarm-reported").child("failure"));
  const auto second = suites.find_child_by_attribute("testsuite", "name", "stream-settings");
  EXPECT_STREQ(second.child("testcase").child("error").attribute("message").value(), "the camera did not start: port in use");
}

TEST(JsonReport, ParsesAndCarriesVerdictsAndEvidence) {
  const auto doc = nlohmann::json::parse(json_text(sample()));
  EXPECT_FALSE(doc["passed"].get<bool>());
  EXPECT_EQ(doc["scenarios"][0]["expectations"][1]["evidence"], "relay 1 did not become closed");
  EXPECT_EQ(doc["scenarios"][0]["metrics"]["relay.latency_ms.max"]["unit"], "ms");
  EXPECT_EQ(doc["scenarios"][1]["error"], "the camera did not start: port in use");
}

TEST(HtmlReport, IsOneSelfContainedPageWithSummaryEvidenceTimelineAndTrend) {
  const auto history = std::vector<HistoryEntry>{{"a", 2, 2, 5, 5, {}}, {"b", 2, 1, 5, 3, {}}};
  const auto html = html_page(sample(), history);
  for (const auto* needle : {"<!DOCTYPE html>", "id=\"summary\"", "scenarios 0/2 passed", "expectations 1/2 held",
                             "<svg class=\"timeline\"", "<svg class=\"trend\"", "<polyline", "relay 1 did not become closed",
                             "IO &lt;active&gt;", "the camera did not start: port in use", "<style>"})
    EXPECT_NE(html.find(needle), std::string::npos) << needle;
  for (const auto* network : {"http://", "https://", "<script src", "<link "})
    EXPECT_EQ(html.find(std::string("src=\"") + network), std::string::npos) << network;
  EXPECT_EQ(html.find("<link"), std::string::npos);
}

TEST(ReportFiles, WriteAllFourAndTheHistoryGrowsPerRun) {
  const auto directory = std::filesystem::temp_directory_path() / ("camrig-report-test-" + std::to_string(::getpid()));
  std::filesystem::remove_all(directory);
  ASSERT_TRUE(write_reports(sample(), directory));
  ASSERT_TRUE(write_reports(sample(), directory));
  for (const auto* name : {"junit.xml", "report.json", "report.html", "history.jsonl"})
    EXPECT_TRUE(std::filesystem::exists(directory / name)) << name;
  std::ofstream(directory / "history.jsonl", std::ios::app) << "{\"at\":\"half a li";
  const auto history = read_history(directory / "history.jsonl");
  ASSERT_EQ(history.size(), 2u);
  EXPECT_EQ(history[1].expectations, 2);
  EXPECT_EQ(history[1].expectations_passed, 1);
  EXPECT_EQ(history[1].metrics.at("alarm-input-relay/relay.latency_ms.max"), 0);
  std::filesystem::remove_all(directory);
}

}  // namespace
}  // namespace camrig::reports
