// The report files of a run: JUnit XML (one testcase per expectation, for Jenkins and GitLab),
// JSON for machines, one self-contained HTML page for people, and the history (JSON lines, one
// entry appended per run) from which the HTML draws its trends.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "device/core/result.hpp"
#include "reports/run_report.hpp"

namespace camrig::reports {

//! One run, as remembered by the history file.
struct HistoryEntry {
  std::string at;  //!< UTC, ISO 8601
  int scenarios = 0;
  int scenarios_passed = 0;
  int expectations = 0;
  int expectations_passed = 0;
  std::map<std::string, double> metrics;  //!< "<scenario>/<metric>" -> value
};

std::string junit_xml(const RunReport& run);
std::string json_text(const RunReport& run);
//! The page embeds its CSS and SVG: it opens without a network.
std::string html_page(const RunReport& run, const std::vector<HistoryEntry>& history);

HistoryEntry history_entry(const RunReport& run);
//! A missing file is an empty history; lines that do not parse are skipped (a run killed while
//! appending leaves half a line).
std::vector<HistoryEntry> read_history(const std::filesystem::path& path);
Result<void> append_history(const std::filesystem::path& path, const HistoryEntry& entry);

//! Writes junit.xml, report.json and report.html into `directory` (created if needed) after
//! appending this run to history.jsonl there.
Result<void> write_reports(const RunReport& run, const std::filesystem::path& directory);

}  // namespace camrig::reports
