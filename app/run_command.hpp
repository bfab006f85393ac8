// `camrig run FILE|DIR`: plays scenario files against an in-process camera on a simulated world
// (lockstep by default, realtime on request), several at once with -j, judges their
// expectations and writes the reports; the exit code is 0 only if every expectation held.
// Ctrl-C (or SIGTERM) ends the runs where they stand and still writes the reports of what ran
// (exit code 130); a second Ctrl-C quits at once.
#pragma once

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

namespace camrig::app {

struct RunCommandOptions {
  std::vector<std::string> paths;
  int jobs = 1;
  bool realtime = false;
  bool keep = false;
  bool ci = false;  //!< play each scenario's shorter `ci:` run where it has one
  std::string report_directory = "reports/out";
};

CLI::App* add_run_command(CLI::App& app, RunCommandOptions& options);
int run_run_command(const RunCommandOptions& options, const std::string& command_line);

}  // namespace camrig::app
