// `camrig conform --target URL`: the RTSP and ISAPI conformance suite against any camera at an
// address (a camrig device or a real one); prints each check as it runs, writes the reports
// (junit.xml, report.json, report.html, history.jsonl) and exits 0 only if no check failed.
#pragma once

#include <string>

#include <CLI/CLI.hpp>

namespace camrig::app {

struct ConformCommandOptions {
  std::string target;  //!< http://host[:port]
  std::string user = "admin";
  std::string password;
  int rtsp_port = 0;  //!< 0: as the camera's adminAccesses say
  double timeout_seconds = 10;
  std::string report_directory = "reports/conform";
};

CLI::App* add_conform_command(CLI::App& app, ConformCommandOptions& options);
int run_conform_command(const ConformCommandOptions& options, const std::string& command_line);

}  // namespace camrig::app
