// What one `camrig run` produced, as the report writers see it: per scenario the verdict of each
// expectation with its evidence, the figures computed, and the marks of a timeline (timeline
// steps, alerts, relay changes, ground truth). Plain values: the runner fills them, writers read.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace camrig::reports {

struct ExpectationOutcome {
  std::string id;         //!< unique within the scenario, e.g. "alarm-event"
  std::string kind;       //!< event, io, api, metric
  std::string statement;  //!< what it demands, in one line
  bool passed = false;
  std::string evidence;  //!< the alert, response, relay change or figure that decided it
  std::string detail;    //!< longer evidence (a document, the alerts seen), may be empty
};

//! One point on the timeline drawing; `lane` groups them: step, alert, io, truth.
struct TimelineMark {
  double at_seconds = 0;
  std::string lane;
  std::string label;
};

struct MetricValue {
  std::string name;
  double value = 0;
  std::string unit;
};

struct ScenarioReport {
  std::string name;
  std::string file;
  std::string profile;
  std::uint64_t seed = 0;
  std::string mode;  //!< lockstep or realtime
  double duration_seconds = 0;  //!< device time the scenario asked for
  double simulated_seconds = 0;
  double real_seconds = 0;
  //! Set when the scenario could not be run to the end (bad setup call, camera did not start);
  //! the expectations are then reported as failed.
  std::string error;
  std::vector<ExpectationOutcome> expectations;
  std::vector<TimelineMark> timeline;
  std::vector<MetricValue> metrics;
  std::string work_directory;  //!< kept with --keep, else empty

  bool passed() const {
    if (!error.empty()) return false;
    for (const auto& expectation : expectations)
      if (!expectation.passed) return false;
    return true;
  }
};

struct RunReport {
  std::string started_at;  //!< UTC, ISO 8601
  std::string command;     //!< the command line, for the reader to repeat the run
  std::vector<ScenarioReport> scenarios;

  bool passed() const {
    for (const auto& scenario : scenarios)
      if (!scenario.passed()) return false;
    return true;
  }
};

}  // namespace camrig::reports
