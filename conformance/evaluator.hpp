// The expectation evaluator: judges a scenario's expectations against what was observed (alerts
// from the alertStream, responses to timeline calls, relay and barrier changes of the bench's
// I/O devices) and computes the figures of the metric catalogue, some against ground truth.
// Each verdict carries the evidence that decided it.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "conformance/scenario.hpp"
#include "reports/run_report.hpp"

namespace camrig::conformance {

struct ObservedAlert {
  double received_at = 0;  //!< device time when the bench had it, seconds from the start
  double device_time = 0;  //!< the alert's dateTime from the start; whole seconds, as cameras send it
  std::string type;        //!< eventType
  std::string state;       //!< eventState
  int channel = 0;
  std::map<std::string, std::string> fields;
  std::string document;
  std::string picture;  //!< the JPEG that came with the alert, if any
};

struct ObservedResponse {
  std::string step;
  double at = 0;
  int status = 0;
  std::string body;
  std::string error;
  double real_milliseconds = 0;
};

struct ObservedStep {
  std::string id;
  double at = 0;
  ActionKind kind = ActionKind::wait;
  std::string label;
  int input = 0;
  bool active = false;
};

struct ObservedSwitch {
  double at = 0;
  int index = 0;  //!< relays: 1-based; the barrier: 0
  std::string state;
};

//! One thing a peer received: an HTTP request or a mail (method "MAIL", headers from the DATA
//! in lower case plus "mail_from" and "rcpt_to").
struct ObservedDelivery {
  std::string peer;
  double at = 0;  //!< device time when the peer had it
  std::string method;
  std::string path;
  std::map<std::string, std::string> headers;
  std::string body;
  //! LPRAPI: a vehicle message whose sequence the platform had already taken (sent again after a
  //! lost answer); answered, not stored, so it counts for no expectation.
  bool repeat = false;
};

struct TruthEvent {
  double at = 0;
  std::string kind;
  std::string name;
  std::string direction;
};

//! A box the world drew on a channel's frame (ground truth), in that frame's pixels.
struct TruthBox {
  double x = 0, y = 0, width = 0, height = 0;
  std::string label;  //!< class and actor id, e.g. "car 3"
  std::string plate;  //!< the plate text facing the camera, if any
};

struct TruthFrame {
  double at = 0;
  int channel = 0;
  std::vector<TruthBox> boxes;  //!< actors in view
};

struct Observations {
  double end = 0;  //!< device time the run reached
  std::vector<ObservedStep> steps;
  std::vector<ObservedAlert> alerts;  //!< heartbeats left out
  int alert_stream_openings = 0;  //!< times the alertStream was opened (more than 1: it broke)
  int heartbeats = 0;             //!< the camera's idle heartbeats on it
  std::vector<ObservedResponse> responses;
  std::vector<ObservedSwitch> relays;
  bool has_barrier = false;
  std::vector<ObservedSwitch> barrier;  //!< starts with {0, closed} when there is one
  std::vector<ObservedDelivery> deliveries;  //!< from every peer, each peer's in arrival order
  std::vector<TruthEvent> truth;
  std::vector<TruthFrame> frames;  //!< ground-truth frames with at least one actor in view
  std::map<int, std::pair<int, int>> frame_sizes;  //!< channel -> width, height of the world's picture
};

//! A figure a scenario can put a threshold on. `compute` answers nothing when the figure is
//! undefined for the run (a recall without ground-truth events), which fails a threshold.
struct MetricDefinition {
  std::string name;
  std::string unit;
  std::string description;
  std::function<std::optional<double>(const Observations&)> compute;
};

const std::vector<MetricDefinition>& metric_catalogue();
const MetricDefinition* find_metric(std::string_view name);

std::vector<reports::ExpectationOutcome> evaluate(const Scenario& scenario, const Observations& observed);
//! Every catalogue figure that is defined for this run.
std::vector<reports::MetricValue> compute_metrics(const Observations& observed);
std::vector<reports::TimelineMark> timeline_marks(const Observations& observed);
//! The samples behind the latency figures (relay, API, per detection kind), for histograms.
std::vector<reports::LatencySamples> latency_samples(const Observations& observed);
//! One row per detection kind that had ground truth or alerts.
std::vector<reports::AccuracyRow> accuracy_table(const Observations& observed);
//! ANPR alerts' licensePlate against the plates in view around each alert (ground-truth frames).
std::vector<reports::PlateReadCount> plate_read_table(const Observations& observed);

}  // namespace camrig::conformance
