#include "app/conform_command.hpp"

#include <ctime>
#include <filesystem>
#include <iostream>
#include <regex>

#include <fmt/format.h>

#include "conformance/conform_suite.hpp"
#include "reports/report_writers.hpp"

namespace camrig::app {

CLI::App* add_conform_command(CLI::App& app, ConformCommandOptions& options) {
  auto* conform = app.add_subcommand("conform", "Run the RTSP, ISAPI and ONVIF conformance checks against a camera at an address");
  conform->add_option("--target", options.target, "The camera's HTTP address, e.g. http://192.168.1.64 or http://127.0.0.1:8080")
      ->required();
  conform->add_option("--user", options.user, "User to log in with (Digest)")->capture_default_str();
  conform->add_option("--password", options.password, "That user's password")->required();
  conform->add_option("--rtsp-port", options.rtsp_port, "RTSP port (default: as the camera's /ISAPI/Security/adminAccesses say, else 554)");
  conform->add_option("--timeout", options.timeout_seconds, "Seconds each request may take")->check(CLI::Range(0.5, 120.0))->capture_default_str();
  conform->add_option("--report-dir", options.report_directory, "Where junit.xml, report.json, report.html and history.jsonl go")
      ->capture_default_str();
  return conform;
}

int run_conform_command(const ConformCommandOptions& options, const std::string& command_line) {
  std::smatch parts;
  if (!std::regex_match(options.target, parts, std::regex(R"(^(?:http://)?([^/:]+|\[[^\]]+\])(?::(\d+))?/?$)"))) {
    std::cerr << "camrig conform: --target '" << options.target << "' is not an address like http://192.168.1.64:80\n";
    return 2;
  }
  conformance::ConformTarget target;
  target.http = {parts[1].str(), parts[2].matched ? std::stoi(parts[2].str()) : 80};
  if (target.http.host.front() == '[') target.http.host = target.http.host.substr(1, target.http.host.size() - 2);
  target.rtsp = {target.http.host, options.rtsp_port};
  target.user = options.user;
  target.password = options.password;
  target.timeout = std::chrono::milliseconds(static_cast<long long>(options.timeout_seconds * 1000));

  std::cout << fmt::format("camrig conform: {} as {}", options.target, options.user) << std::endl;
  auto run = conformance::run_conformance(target, [](const std::string& suite, const reports::ExpectationOutcome& check) {
    const char* verdict = check.skipped ? "SKIP" : check.passed ? "PASS" : "FAIL";
    std::cout << fmt::format("[{}] {} {}: {}", suite, verdict, check.id, check.evidence) << std::endl;
  });
  const auto now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm utc{};
  gmtime_r(&now, &utc);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", &utc);
  run.started_at = stamp;
  run.command = command_line;

  const std::filesystem::path directory(options.report_directory);
  if (auto written = reports::write_reports(run, directory); !written) {
    std::cerr << "camrig conform: " << written.error().message << "\n";
    return 2;
  }
  int checks = 0, failed = 0, skipped = 0;
  for (const auto& suite : run.scenarios)
    for (const auto& check : suite.expectations) {
      ++checks;
      failed += check.passed ? 0 : 1;
      skipped += check.skipped ? 1 : 0;
    }
  std::cout << fmt::format("{}: {} of {} checks passed, {} failed, {} skipped. Report: {}", failed == 0 ? "PASSED" : "FAILED",
                           checks - failed - skipped, checks, failed, skipped, (directory / "report.html").string())
            << std::endl;
  return failed == 0 ? 0 : 1;
}

}  // namespace camrig::app
