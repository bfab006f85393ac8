// What one `camrig run` produced, as the report writers see it: per scenario the verdict of each
// expectation with its evidence, the figures computed, and the marks of a timeline (timeline
// steps, alerts, relay changes, ground truth). Plain values: the runner fills them, writers read.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace camrig::reports {

//! A box on an evidence picture, in fractions of the picture (0..1, origin top left).
struct EvidenceBox {
  double x = 0, y = 0, width = 0, height = 0;
  std::string label;   //!< e.g. "car 3"
  std::string source;  //!< "truth" (the world's ground truth) or "detection" (what the camera said)
};

//! A picture that shows what decided an expectation (an alert's JPEG), with boxes drawn on it.
struct EvidencePicture {
  std::string caption;
  std::string jpeg;  //!< the bytes
  std::vector<EvidenceBox> boxes;
};

struct ExpectationOutcome {
  std::string id;         //!< unique within the scenario, e.g. "alarm-event"
  std::string kind;       //!< event, io, api, metric
  std::string statement;  //!< what it demands, in one line
  bool passed = false;
  std::string evidence;  //!< the alert, response, relay change or figure that decided it
  std::string detail;    //!< longer evidence (a document, the alerts seen), may be empty
  std::vector<EvidencePicture> pictures;  //!< filled for broken expectations whose evidence has a picture
  bool skipped = false;  //!< not run, the evidence says why; counts as passed
};

//! The samples behind a latency figure, drawn as a histogram.
struct LatencySamples {
  std::string name;  //!< e.g. latency_s.line_crossing
  std::string unit;
  std::vector<double> values;
};

//! Detections of one event kind against ground truth: precision = matched / alerts,
//! recall = matched / truth.
struct AccuracyRow {
  std::string kind;
  int truth = 0;
  int alerts = 0;
  int matched = 0;
};

//! How often a plate that passed (`truth`) was read as `read`; an empty `read` is a plate never
//! read, an empty `truth` a read with no plate in view.
struct PlateReadCount {
  std::string truth;
  std::string read;
  int count = 0;
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
  std::vector<LatencySamples> latencies;
  std::vector<AccuracyRow> accuracy;
  std::vector<PlateReadCount> plate_reads;
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
  //! Why the run ended early ("interrupted (Ctrl-C)"), or empty. An interrupted run's partial
  //! figures stay out of the history, where they would bend the trends.
  std::string interrupted;
  std::vector<ScenarioReport> scenarios;

  bool passed() const {
    if (!interrupted.empty()) return false;
    for (const auto& scenario : scenarios)
      if (!scenario.passed()) return false;
    return true;
  }
};

}  // namespace camrig::reports
