// A scenario file (scenarios/scenario.schema.json) as values: the world, the device setup done
// through the camera's public API, a timeline of actions and the expectations that judge the
// run. The loader reports every mistake as file:line:column and what was expected.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "device/core/result.hpp"

namespace camrig::conformance {

//! One HTTP request to the camera's ISAPI, with Digest credentials (empty user: the admin).
struct IsapiCall {
  std::string method = "GET";
  std::string path;
  std::string body;
  std::string content_type = "application/xml";
  std::string user;
  std::string password;
};

//! An RTSP DESCRIBE of one stream ("101"), as a player starts; its answer carries the SDP.
struct RtspDescribe {
  std::string stream = "101";
  std::string user;
  std::string password;
};

enum class ActionKind {
  input,    //!< the sensor on an alarm input becomes active or inactive
  isapi,    //!< an ISAPI call
  rtsp,     //!< an RTSP DESCRIBE
  wait,     //!< a pause in real time with device time held, so the device can act on what came before
  restart,  //!< the camera restarts (as after a reboot) with the same hardware and stored state
};

struct TimelineStep {
  std::string id;  //!< unique; expectations refer to it
  double at = 0;   //!< seconds of device time from the start
  ActionKind kind = ActionKind::wait;
  int input = 0;   //!< 1-based alarm input
  bool active = false;
  IsapiCall isapi;
  RtspDescribe rtsp;
  double wait_seconds = 0;
  int repeat = 1;  //!< the same call this many times in a row (wrong passwords, ...)
  int line = 0;
};

//! An absolute window [from, to] in seconds of device time, or `within` seconds after a step.
struct TimeWindow {
  double from = 0;
  std::optional<double> to;  //!< unset: the end of the run
  std::string after;         //!< a step id; replaces `from`
  std::optional<double> within;
};

struct EventExpectation {
  std::string type;  //!< ISAPI eventType: IO, VMD, linedetection, illaccess, ...
  std::optional<int> channel;
  std::optional<std::string> state;  //!< active or inactive
  std::map<std::string, std::string> fields;  //!< element of the alert -> its text
  bool none = false;  //!< no such event in the window
  int at_least = 1;
  TimeWindow window;
};

struct IoExpectation {
  std::optional<int> relay;  //!< 1-based; unset: the barrier
  std::string state;         //!< relay: closed, open; barrier: closed, opening, open, closing
  std::optional<double> at;  //!< the state at this time; else reached within the window
  bool never = false;        //!< the state is not taken at any time in the window
  TimeWindow window;
};

struct ApiExpectation {
  std::string step;  //!< the timeline (isapi or rtsp) step whose last response is judged
  std::optional<int> status;
  std::map<std::string, std::string> fields;  //!< XML element (local name) -> text, or SDP attribute -> value
  std::vector<std::string> contains;          //!< substrings of the body
};

struct MetricExpectation {
  std::string name;
  std::optional<double> min;
  std::optional<double> max;
};

enum class ExpectationKind { event, io, api, metric };

struct Expectation {
  std::string id;
  ExpectationKind kind = ExpectationKind::event;
  EventExpectation event;
  IoExpectation io;
  ApiExpectation api;
  MetricExpectation metric;
  int line = 0;
};

struct UserAccount {
  std::string name;
  std::string password;
  std::string level = "Operator";  //!< Administrator, Operator or User, as ISAPI names them
};

struct WorldChoice {
  std::string scene;        //!< built-in scene name; empty: the profile's
  std::string file;         //!< a world description file, resolved against the scenario's folder
  std::string description;  //!< an inline world description, as YAML text
};

struct Scenario {
  std::string name;
  std::filesystem::path file;
  std::string description;
  std::string profile = "network-camera";
  std::uint64_t seed = 1;
  double duration = 10;
  std::string start_time = "2026-01-01T08:00:00Z";
  WorldChoice world;
  std::string admin_password = "Camrig-bench-1";
  std::vector<UserAccount> users;
  std::vector<IsapiCall> setup;  //!< applied in order before the clock starts
  std::vector<TimelineStep> timeline;  //!< sorted by `at`, ties in file order
  std::vector<Expectation> expectations;
};

std::string to_string(ActionKind kind);
std::string to_string(ExpectationKind kind);

Result<Scenario> load_scenario(const std::filesystem::path& file);
//! Parses scenario text; `source` names it in errors and anchors relative paths.
Result<Scenario> parse_scenario(const std::string& text, const std::filesystem::path& source);

//! A file as is; a folder: its *.yaml files in name order (not recursive).
Result<std::vector<std::filesystem::path>> scenario_files(const std::filesystem::path& file_or_folder);

}  // namespace camrig::conformance
