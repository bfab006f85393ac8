// The HTML page of a run: latency histograms, the accuracy table (precision, recall, F1), the
// plate-read confusion table and failure pictures with boxes, all inside the one file; and the
// skipped checks of a conformance run in JUnit and JSON; an interrupted run kept out of the history.
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <regex>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "reports/report_writers.hpp"
#include "tests/unit/reports/sample_report.hpp"

namespace camrig::reports {
namespace {

std::string decode_base64(const std::string& text) {
  std::string out;
  unsigned value = 0;
  int bits = 0;
  for (const char c : text) {
    const auto at = std::string("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/").find(c);
    if (at == std::string::npos) continue;
    value = (value << 6) | static_cast<unsigned>(at);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((value >> bits) & 0xff));
    }
  }
  return out;
}

TEST(ReportHtml, FailurePicturesAreEmbeddedWithTheirBoxes) {
  const auto run = test::sample_report();
  const auto html = html_page(run, {});
  std::smatch found;
  ASSERT_TRUE(std::regex_search(html, found, std::regex(R"re(src="data:image/jpeg;base64,([A-Za-z0-9+/=]+)")re")));
  EXPECT_EQ(decode_base64(found[1]), test::sample_jpeg());
  EXPECT_NE(html.find(R"(<rect class="box truth" x="0.3125" y="0.3333" width="0.2500" height="0.2778"><title>car 3</title>)"),
            std::string::npos);
  // One file, nothing fetched: no resource outside the page.
  EXPECT_FALSE(std::regex_search(html, std::regex(R"((src|href)="(https?:)?//)")));
  EXPECT_EQ(html.find("<link"), std::string::npos);
  EXPECT_EQ(html.find("<script"), std::string::npos);
}

TEST(ReportHtml, AccuracyTableGivesPrecisionRecallAndF1PerKind) {
  const auto html = html_page(test::sample_report(), {});
  // 3 truths, 3 alerts, 2 matched: precision = recall = F1 = 2/3.
  EXPECT_NE(html.find("<tr><td>line_crossing</td><td>3</td><td>3</td><td>2</td><td>0.667</td><td>0.667</td><td>0.667</td></tr>"),
            std::string::npos)
      << html;
}

TEST(ReportHtml, PlateConfusionTableMarksCorrectReadsAndMisreads) {
  const auto html = html_page(test::sample_report(), {});
  const auto table = html.substr(html.find("<table class=\"plate-confusion\">"));
  ASSERT_NE(table.find("<th>(not read)</th>"), std::string::npos);
  EXPECT_NE(table.find("<tr><th>AB-123-CD</th><td class=\"hit\">2</td>"), std::string::npos) << table;
  // The misread is off the diagonal, in its own column.
  EXPECT_NE(table.find("<th>XY-987-2T</th>"), std::string::npos);
  EXPECT_NE(table.find("<td class=\"miss\">1</td>"), std::string::npos);
}

TEST(ReportHtml, LatencyHistogramsCountEverySample) {
  const auto html = html_page(test::sample_report(), {});
  EXPECT_NE(html.find(R"(data-metric="latency_s.line_crossing")"), std::string::npos);
  EXPECT_NE(html.find(R"(data-metric="relay.latency_ms")"), std::string::npos);
  // Every sample lands in one bar: the bars' counts add up to the samples.
  const auto start = html.find(R"(data-metric="latency_s.line_crossing")");
  const auto svg = html.substr(start, html.find("</svg>", start) - start);
  int total = 0;
  const std::regex bar(R"(: (\d+)</title></rect>)");
  for (auto it = std::sregex_iterator(svg.begin(), svg.end(), bar); it != std::sregex_iterator(); ++it) total += std::stoi((*it)[1]);
  EXPECT_EQ(total, 5);
}

TEST(ReportJson, CarriesTheTablesAndPictureBoxesButNotTheBytes) {
  const auto json = nlohmann::json::parse(json_text(test::sample_report()));
  const auto& s = json["scenarios"][0];
  EXPECT_EQ(s["accuracy"][0]["matched"], 2);
  EXPECT_EQ(s["plate_reads"][1]["read"], "XY-987-2T");
  EXPECT_EQ(s["latencies"]["relay.latency_ms"]["values"].size(), 3u);
  EXPECT_EQ(s["expectations"][1]["pictures"][0]["boxes"][0]["label"], "car 3");
  EXPECT_EQ(s["expectations"][1]["pictures"][0]["jpeg_bytes"], test::sample_jpeg().size());
}

TEST(ReportJunit, ASkippedCheckIsSkippedNotPassedOrFailed) {
  RunReport run;
  ScenarioReport s;
  s.name = "conform-rtsp";
  ExpectationOutcome skipped;
  skipped.id = "RTSP-URL-LIVEMEDIA";
  skipped.passed = true;
  skipped.skipped = true;
  skipped.evidence = "the target has no /video/livemedia URLs (404)";
  s.expectations.push_back(skipped);
  run.scenarios.push_back(s);
  const auto junit = junit_xml(run);
  EXPECT_NE(junit.find(R"x(<skipped message="the target has no /video/livemedia URLs (404)")x"), std::string::npos) << junit;
  EXPECT_EQ(junit.find("<failure"), std::string::npos);
  EXPECT_TRUE(run.passed());
  EXPECT_NE(html_page(run, {}).find("<td class=\"skip\">skipped</td>"), std::string::npos);
}

// An interrupted run (Ctrl-C) has its reports, but its partial figures stay out of the trends.
TEST(ReportHistory, AnInterruptedRunIsReportedButNotAddedToTheHistory) {
  const auto directory = std::filesystem::temp_directory_path() / ("camrig-report-history-" + std::to_string(::getpid()));
  std::filesystem::remove_all(directory);
  ASSERT_TRUE(write_reports(test::sample_report(), directory));
  auto interrupted = test::sample_report();
  interrupted.interrupted = "interrupted (Ctrl-C)";
  ASSERT_TRUE(write_reports(interrupted, directory));

  EXPECT_EQ(read_history(directory / "history.jsonl").size(), 1u);
  std::ifstream page(directory / "report.html");
  const std::string html((std::istreambuf_iterator<char>(page)), std::istreambuf_iterator<char>());
  EXPECT_NE(html.find("fail\">INTERRUPTED</span>"), std::string::npos);
  EXPECT_NE(html.find("The run was interrupted (Ctrl-C)"), std::string::npos);
  EXPECT_EQ(nlohmann::json::parse(json_text(interrupted))["interrupted"], "interrupted (Ctrl-C)");
  EXPECT_FALSE(interrupted.passed());
  std::filesystem::remove_all(directory);
}

}  // namespace
}  // namespace camrig::reports
