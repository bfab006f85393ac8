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
  kill,     //!< the camera process dies at once (SIGKILL, as a power cut); the world goes on
  start,    //!< the killed camera process starts again on the same data directory
  fault,    //!< a network fault between the camera and a peer, or a memory card fault
  spawn,    //!< an actor enters the world (an entry of the world description's actors)
};

//! A change to the fault proxy between the camera and one peer; unset fields stay as they were.
struct NetworkFault {
  std::string peer;
  std::optional<bool> outage;      //!< true: no connection gets through until false
  std::optional<int> latency_ms;   //!< added to every chunk, both ways
  std::optional<int> jitter_ms;    //!< a random extra of 0..jitter on top of the latency
  std::optional<std::uint64_t> bandwidth;  //!< bytes per second each way; 0: unlimited
  bool reset = false;              //!< open connections are reset (RST) now
};

//! A memory card fault of the simulated card (sim/sd_card_model): `ok` clears them all.
enum class CardFault { ok, full, error, removed, read_only, write_errors };

struct CardFaultStep {
  CardFault fault = CardFault::ok;
  int writes = 1;  //!< write_errors: how many writes fail
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
  std::optional<NetworkFault> network;  //!< fault steps: one of network and card
  std::optional<CardFaultStep> card;
  //! spawn: the actor as world-description YAML (sim/world/world-description.md `actors`), with
  //! `spawn` set to `at` and `name` defaulting to the step id; the runner adds it to the world.
  std::string actor;
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

//! What a peer received: HTTP requests (JSON or XML bodies, multipart alerts) or mails.
struct DeliveryExpectation {
  std::string peer;
  std::string path;  //!< HTTP: only requests to this path; empty: any
  //! JSON key (anywhere, or a dotted path), XML element (local name) or mail header -> its text.
  std::map<std::string, std::string> fields;
  std::vector<std::string> contains;  //!< substrings of the body
  std::optional<int> count;           //!< exactly this many; else at least `at_least`
  int at_least = 1;
  bool none = false;
  std::vector<std::string> unique;  //!< no two matching deliveries share the values of these fields
  TimeWindow window;
};

enum class ExpectationKind { event, io, api, metric, delivery };

struct Expectation {
  std::string id;
  ExpectationKind kind = ExpectationKind::event;
  EventExpectation event;
  IoExpectation io;
  ApiExpectation api;
  MetricExpectation metric;
  DeliveryExpectation delivery;
  int line = 0;
};

struct UserAccount {
  std::string name;
  std::string password;
  std::string level = "Operator";  //!< Administrator, Operator or User, as ISAPI names them
};

//! What a peer is: a recording HTTP server (httpHosts alarm server), an LPRAPI platform server
//! (HTTP that takes each vehicle sequence once, lprapi.md) or a mail server (SMTP).
enum class PeerKind { http, lprapi, smtp };

//! A server the bench runs for the camera to deliver to; the camera reaches it through a fault
//! proxy. Setup and timeline texts name its address as ${peer.<name>.url|host|port}.
struct PeerDeclaration {
  std::string name;
  PeerKind kind = PeerKind::http;
  int line = 0;
};

struct PeerAddress {
  PeerKind kind = PeerKind::http;
  std::string host;
  int port = 0;
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
  //! `ci: {duration}`: the shorter run `camrig run --ci` plays (every timeline step falls inside it).
  std::optional<double> ci_duration;
  std::string start_time = "2026-01-01T08:00:00Z";
  WorldChoice world;
  std::string admin_password = "Camrig-bench-1";
  //! `device: {process: separate}`: the camera runs as its own process (`camrig device --hal-link`)
  //! on the world's hardware, so the timeline can kill and start it.
  bool separate_process = false;
  std::vector<PeerDeclaration> peers;
  std::vector<UserAccount> users;
  std::vector<IsapiCall> setup;  //!< applied in order before the clock starts
  std::vector<TimelineStep> timeline;  //!< sorted by `at`, ties in file order
  std::vector<Expectation> expectations;
};

std::string to_string(ActionKind kind);
std::string to_string(ExpectationKind kind);
std::string to_string(PeerKind kind);

//! Replaces each ${peer.<name>.url}, ${peer.<name>.host} and ${peer.<name>.port} in `text`
//! (url: http://host:port, smtp://host:port for a mail server). An unknown name or part is an
//! error naming it.
Result<std::string> expand_peer_references(const std::string& text, const std::map<std::string, PeerAddress>& peers);

Result<Scenario> load_scenario(const std::filesystem::path& file);
//! Parses scenario text; `source` names it in errors and anchors relative paths.
Result<Scenario> parse_scenario(const std::string& text, const std::filesystem::path& source);

//! A file as is; a folder: its *.yaml files in name order (not recursive).
Result<std::vector<std::filesystem::path>> scenario_files(const std::filesystem::path& file_or_folder);

}  // namespace camrig::conformance
