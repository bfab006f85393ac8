#include "conformance/scenario.hpp"

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include "conformance/evaluator.hpp"

namespace camrig::conformance {
namespace {

// Thrown inside the parser only, so each field reader stays short; turned into an Error at the
// entry point.
struct ParseFailure {
  std::string message;
};

class Parser {
 public:
  explicit Parser(std::filesystem::path source) : source_(std::move(source)) {}

  [[noreturn]] void fail(const YAML::Node& node, const std::string& what) const {
    const YAML::Mark mark = node.Mark();
    if (mark.line < 0) throw ParseFailure{fmt::format("{}: {}", source_.string(), what)};
    throw ParseFailure{fmt::format("{}:{}:{}: {}", source_.string(), mark.line + 1, mark.column + 1, what)};
  }

  // A misspelt key is an error instead of a silent default.
  void only_keys(const YAML::Node& map, const std::string& where, std::initializer_list<const char*> allowed) const {
    if (!map.IsMap()) fail(map, where + " must be a mapping");
    for (const auto& entry : map) {
      const auto key = entry.first.as<std::string>();
      if (std::none_of(allowed.begin(), allowed.end(), [&](const char* k) { return key == k; })) {
        std::string names;
        for (const char* k : allowed) names += (names.empty() ? "" : ", ") + std::string(k);
        fail(entry.first, fmt::format("unknown key '{}' in {} (expected one of: {})", key, where, names));
      }
    }
  }

  std::string text(const YAML::Node& node, const std::string& what) const {
    if (!node.IsScalar()) fail(node, what + " must be a text value");
    return node.Scalar();
  }

  double number(const YAML::Node& node, const std::string& what) const {
    if (!node.IsScalar()) fail(node, what + " must be a number");
    try {
      return node.as<double>();
    } catch (const YAML::Exception&) {
      fail(node, fmt::format("{} must be a number (got '{}')", what, node.Scalar()));
    }
  }

  double seconds(const YAML::Node& node, const std::string& what) const {
    const double value = number(node, what);
    if (value < 0) fail(node, what + " must be 0 or more seconds");
    return value;
  }

  int integer(const YAML::Node& node, const std::string& what, int min, int max) const {
    if (!node.IsScalar()) fail(node, what + " must be a whole number");
    int value = 0;
    try {
      value = node.as<int>();
    } catch (const YAML::Exception&) {
      fail(node, fmt::format("{} must be a whole number (got '{}')", what, node.Scalar()));
    }
    if (value < min || value > max) fail(node, fmt::format("{} must be {} to {} (got {})", what, min, max, value));
    return value;
  }

  bool boolean(const YAML::Node& node, const std::string& what) const {
    if (!node.IsScalar()) fail(node, what + " must be true or false");
    try {
      return node.as<bool>();
    } catch (const YAML::Exception&) {
      fail(node, fmt::format("{} must be true or false (got '{}')", what, node.Scalar()));
    }
  }

  std::string one_of(const YAML::Node& node, const std::string& what, std::initializer_list<const char*> names) const {
    const auto value = text(node, what);
    if (std::none_of(names.begin(), names.end(), [&](const char* n) { return value == n; })) {
      std::string list;
      for (const char* n : names) list += (list.empty() ? "" : ", ") + std::string(n);
      fail(node, fmt::format("{} must be one of {} (got '{}')", what, list, value));
    }
    return value;
  }

  std::map<std::string, std::string> text_map(const YAML::Node& node, const std::string& what) const {
    if (!node.IsMap()) fail(node, what + " must be a mapping of names to values");
    std::map<std::string, std::string> out;
    for (const auto& entry : node) out[entry.first.as<std::string>()] = text(entry.second, what + " value");
    return out;
  }

  std::string read_file(const YAML::Node& node, const std::string& name) const {
    const auto path = resolve(name);
    std::ifstream in(path, std::ios::binary);
    if (!in) fail(node, fmt::format("cannot read '{}' (looked for {})", name, path.string()));
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
  }

  std::filesystem::path resolve(const std::string& name) const {
    const std::filesystem::path path(name);
    return path.is_absolute() ? path : source_.parent_path() / path;
  }

  IsapiCall isapi_call(const YAML::Node& node, const std::string& where) const {
    only_keys(node, where, {"method", "path", "body", "body_file", "content_type", "user", "password"});
    IsapiCall call;
    if (node["method"]) call.method = one_of(node["method"], where + " method", {"GET", "PUT", "POST", "DELETE"});
    if (!node["path"]) fail(node, where + " needs a path, e.g. /ISAPI/System/deviceInfo");
    call.path = text(node["path"], where + " path");
    if (!call.path.starts_with("/")) fail(node["path"], where + " path must start with /");
    if (node["body"] && node["body_file"]) fail(node, where + " has both body and body_file: keep one");
    if (node["body"]) call.body = text(node["body"], where + " body");
    if (node["body_file"]) call.body = read_file(node["body_file"], text(node["body_file"], where + " body_file"));
    if (node["content_type"]) call.content_type = text(node["content_type"], where + " content_type");
    if (node["user"]) call.user = text(node["user"], where + " user");
    if (node["password"]) call.password = text(node["password"], where + " password");
    if (!call.user.empty() && !node["password"]) fail(node, where + " names a user but no password");
    check_peer_references(node["path"], call.path);
    check_peer_references(node["body"] ? node["body"] : node, call.body);
    return call;
  }

  // A ${peer...} reference must name a declared peer, so a typo fails before the run.
  void check_peer_references(const YAML::Node& node, const std::string& text) const {
    if (text.find("${") == std::string::npos) return;
    if (auto expanded = expand_peer_references(text, peer_addresses_); !expanded) fail(node, expanded.error().message);
  }

  TimeWindow window(const YAML::Node& node, const std::string& where) const {
    TimeWindow w;
    if (node["from"]) w.from = seconds(node["from"], where + " from");
    if (node["to"]) w.to = seconds(node["to"], where + " to");
    if (node["after"]) {
      if (node["from"]) fail(node["after"], where + ": give either after (a step) or from (a time), not both");
      w.after = text(node["after"], where + " after");
      if (!steps_.contains(w.after)) fail(node["after"], fmt::format("{}: no timeline step has the id '{}'", where, w.after));
    }
    if (node["within"]) {
      w.within = seconds(node["within"], where + " within");
      if (node["to"]) fail(node["within"], where + ": give either within or to, not both");
    }
    if (w.to && *w.to < w.from) fail(node["to"], where + ": to comes before from");
    return w;
  }

  Scenario parse(const YAML::Node& root) {
    only_keys(root, "the scenario",
              {"name", "description", "profile", "seed", "duration", "ci", "start_time", "world", "peers", "device",
               "timeline", "expect"});
    Scenario s;
    s.file = source_;
    s.name = root["name"] ? text(root["name"], "name") : source_.stem().string();
    if (s.name.empty() || s.name.find_first_of("/\\ <>&\"") != std::string::npos)
      fail(root["name"], "name must be non-empty, without spaces, slashes or <>&\" (it names report entries and folders)");
    if (root["description"]) s.description = text(root["description"], "description");
    if (root["profile"])
      s.profile = one_of(root["profile"], "profile", {"network-camera", "smart-linkage-ptz", "lpr-camera"});
    if (root["seed"]) {
      if (!root["seed"].IsScalar() || root["seed"].Scalar().starts_with('-')) fail(root["seed"], "seed must be a whole number >= 0");
      try {
        s.seed = root["seed"].as<std::uint64_t>();
      } catch (const YAML::Exception&) {
        fail(root["seed"], "seed must be a whole number >= 0");
      }
    }
    if (root["duration"]) s.duration = seconds(root["duration"], "duration");
    if (s.duration <= 0) fail(root["duration"] ? root["duration"] : root, "duration must be more than 0 seconds");
    if (root["start_time"]) {
      s.start_time = text(root["start_time"], "start_time");
      int y, mo, d, h, mi, se;
      char z = 0;
      if (std::sscanf(s.start_time.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%c", &y, &mo, &d, &h, &mi, &se, &z) != 7 || z != 'Z')
        fail(root["start_time"], "start_time must look like 2026-01-01T08:00:00Z");
    }
    if (root["world"]) parse_world(root["world"], s.world);
    if (root["peers"]) parse_peers(root["peers"], s);
    if (root["device"]) parse_device(root["device"], s);
    if (root["timeline"]) parse_timeline(root["timeline"], s);
    if (root["ci"]) parse_ci(root["ci"], s);
    if (root["expect"]) parse_expectations(root["expect"], s);
    if (s.expectations.empty()) fail(root, "a scenario needs at least one expectation under expect:");
    return s;
  }

  // The CI run only ends earlier: a step it would cut off would leave expectations about it
  // judging something that never happened, so every step must fall inside it.
  void parse_ci(const YAML::Node& node, Scenario& s) const {
    only_keys(node, "ci", {"duration"});
    if (!node["duration"]) fail(node, "ci needs duration: (seconds of device time of the CI run)");
    const double duration = seconds(node["duration"], "ci duration");
    if (duration <= 0 || duration > s.duration)
      fail(node["duration"], fmt::format("ci duration must be more than 0 and at most duration ({} s)", s.duration));
    for (const auto& step : s.timeline)
      if (step.at > duration)
        fail(node["duration"], fmt::format("ci duration {} s ends before step {} at {} s (line {})", duration, step.id, step.at, step.line));
    s.ci_duration = duration;
  }

  void parse_world(const YAML::Node& node, WorldChoice& world) const {
    if (node.IsScalar()) {
      world.scene = node.Scalar();
      return;
    }
    only_keys(node, "world", {"scene", "file", "description"});
    const int given = (node["scene"] ? 1 : 0) + (node["file"] ? 1 : 0) + (node["description"] ? 1 : 0);
    if (given != 1) fail(node, "world needs exactly one of scene (a built-in name), file or description (inline)");
    if (node["scene"]) world.scene = text(node["scene"], "world scene");
    if (node["file"]) {
      const auto name = text(node["file"], "world file");
      const auto path = resolve(name);
      if (!std::filesystem::exists(path)) fail(node["file"], fmt::format("world file '{}' not found (looked for {})", name, path.string()));
      world.file = path.string();
    }
    if (node["description"]) {
      if (!node["description"].IsMap()) fail(node["description"], "world description must be a mapping (sim/world/world-description.md)");
      YAML::Emitter out;
      out << node["description"];
      world.description = out.c_str();
    }
  }

  void parse_peers(const YAML::Node& node, Scenario& s) {
    if (!node.IsSequence()) fail(node, "peers must be a list, e.g. [lprapi, {name: alarm-server, kind: http}]");
    for (const auto& item : node) {
      PeerDeclaration peer;
      peer.line = item.Mark().line + 1;
      const auto kind_of = [&](const YAML::Node& k) {
        const auto kind = one_of(k, "peer kind", {"http", "lprapi", "smtp"});
        return kind == "lprapi" ? PeerKind::lprapi : kind == "smtp" ? PeerKind::smtp : PeerKind::http;
      };
      if (item.IsScalar()) {
        // A bare kind names a peer of that kind: `peers: [lprapi]`.
        peer.kind = kind_of(item);
        peer.name = item.Scalar();
      } else {
        only_keys(item, "a peer", {"name", "kind"});
        if (!item["name"] || !item["kind"]) fail(item, "a peer needs name and kind (http, lprapi or smtp)");
        peer.name = text(item["name"], "peer name");
        peer.kind = kind_of(item["kind"]);
      }
      if (peer.name.empty() || peer.name.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") !=
                                   std::string::npos)
        fail(item, fmt::format("peer name '{}' may hold only letters, digits, - and _", peer.name));
      if (peer_addresses_.contains(peer.name)) fail(item, fmt::format("peer '{}' is declared twice", peer.name));
      peer_addresses_[peer.name] = {peer.kind, "127.0.0.1", 1};
      s.peers.push_back(std::move(peer));
    }
  }

  std::string peer_name(const YAML::Node& node, const std::string& where) const {
    const auto name = text(node, where);
    if (!peer_addresses_.contains(name)) {
      std::string known;
      for (const auto& [n, address] : peer_addresses_) known += (known.empty() ? "" : ", ") + n;
      fail(node, fmt::format("{}: no peer is named '{}' (declared under peers: {})", where, name, known.empty() ? "none" : known));
    }
    return name;
  }

  void parse_fault(const YAML::Node& node, TimelineStep& step) const {
    only_keys(node, "fault", {"peer", "outage", "latency_ms", "jitter_ms", "bandwidth", "reset", "loss", "card", "writes"});
    if ((node["peer"] ? 1 : 0) + (node["card"] ? 1 : 0) != 1)
      fail(node, "fault needs either peer: <name> (a network fault) or card: <fault> (the memory card)");
    if (node["card"]) {
      if (node["outage"] || node["latency_ms"] || node["jitter_ms"] || node["bandwidth"] || node["reset"] || node["loss"])
        fail(node, "a card fault takes only card: and, for write_errors, writes:");
      CardFaultStep card;
      const auto name = one_of(node["card"], "fault card", {"ok", "full", "error", "removed", "read_only", "write_errors"});
      card.fault = name == "full"        ? CardFault::full
                   : name == "error"     ? CardFault::error
                   : name == "removed"   ? CardFault::removed
                   : name == "read_only" ? CardFault::read_only
                   : name == "write_errors" ? CardFault::write_errors
                                            : CardFault::ok;
      if (node["writes"]) {
        if (card.fault != CardFault::write_errors) fail(node["writes"], "writes applies to card: write_errors");
        card.writes = integer(node["writes"], "fault writes", 1, 100000);
      }
      step.card = card;
      return;
    }
    if (node["writes"]) fail(node["writes"], "writes applies to card: write_errors");
    // The fault proxy loses datagrams only; a TCP peer's bytes are never lost, only late.
    if (node["loss"]) fail(node["loss"], "loss applies to UDP traffic and every peer is TCP: use latency_ms, outage or reset");
    NetworkFault fault;
    fault.peer = peer_name(node["peer"], "fault peer");
    if (node["outage"]) fault.outage = boolean(node["outage"], "fault outage");
    if (node["latency_ms"]) fault.latency_ms = integer(node["latency_ms"], "fault latency_ms", 0, 600000);
    if (node["jitter_ms"]) fault.jitter_ms = integer(node["jitter_ms"], "fault jitter_ms", 0, 600000);
    if (node["bandwidth"]) fault.bandwidth = static_cast<std::uint64_t>(integer(node["bandwidth"], "fault bandwidth", 0, 1'000'000'000));
    if (node["reset"]) {
      fault.reset = boolean(node["reset"], "fault reset");
      if (!fault.reset) fail(node["reset"], "reset: false does nothing; remove it");
    }
    if (!fault.outage && !fault.latency_ms && !fault.jitter_ms && !fault.bandwidth && !fault.reset)
      fail(node, "a network fault needs outage, latency_ms, jitter_ms, bandwidth or reset");
    step.network = fault;
  }

  // The world checks the actor itself when the run builds it; here only what a timeline spawn
  // changes: one actor at the step's time, named after the step unless it has a name.
  std::string spawn_actor(const YAML::Node& node, const TimelineStep& step) const {
    if (!node.IsMap()) fail(node, "spawn must be a mapping: an actor as in a world description, e.g. {kind: car, lane: 0, plate: AB123CD}");
    for (const char* key : {"spawn", "every", "count", "jitter"})
      if (node[key]) fail(node[key], fmt::format("spawn: '{}' does not apply; the step's at is when the actor appears, once", key));
    if (!node["kind"]) fail(node, "spawn needs kind: car, van, truck, motorcycle, person, bag or box");
    YAML::Node actor = YAML::Clone(node);
    if (!actor["name"]) actor["name"] = step.id;
    // `plate: AB123CD` is short for {text: AB123CD}.
    if (actor["plate"] && actor["plate"].IsScalar()) {
      const auto plate = actor["plate"].Scalar();
      actor["plate"] = YAML::Node(YAML::NodeType::Map);
      actor["plate"]["text"] = plate;
    }
    actor["spawn"] = step.at;
    YAML::Emitter out;
    out << actor;
    return out.c_str();
  }

  void parse_device(const YAML::Node& node, Scenario& s) const {
    only_keys(node, "device", {"admin_password", "users", "setup", "process"});
    if (node["admin_password"]) s.admin_password = text(node["admin_password"], "device admin_password");
    if (node["process"]) s.separate_process = one_of(node["process"], "device process", {"same", "separate"}) == "separate";
    if (const auto users = node["users"]) {
      if (!users.IsSequence()) fail(users, "device users must be a list");
      for (const auto& user : users) {
        only_keys(user, "a user", {"name", "password", "level"});
        if (!user["name"] || !user["password"]) fail(user, "a user needs name and password");
        UserAccount account{text(user["name"], "user name"), text(user["password"], "user password")};
        if (user["level"]) account.level = one_of(user["level"], "user level", {"Administrator", "Operator", "User"});
        s.users.push_back(std::move(account));
      }
    }
    if (const auto setup = node["setup"]) {
      if (!setup.IsSequence()) fail(setup, "device setup must be a list of ISAPI calls");
      for (const auto& call : setup) s.setup.push_back(isapi_call(call, "a setup call"));
    }
  }

  void parse_timeline(const YAML::Node& node, Scenario& s) {
    if (!node.IsSequence()) fail(node, "timeline must be a list of steps");
    for (const auto& item : node) {
      only_keys(item, "a timeline step",
                {"at", "id", "input", "isapi", "rtsp", "wait", "restart", "kill", "start", "fault", "spawn", "repeat"});
      TimelineStep step;
      step.line = item.Mark().line + 1;
      if (!item["at"]) fail(item, "a timeline step needs at: (seconds of device time from the start)");
      step.at = seconds(item["at"], "at");
      if (step.at > s.duration) fail(item["at"], fmt::format("at {} s is after the end of the run ({} s)", step.at, s.duration));
      const int actions = (item["input"] ? 1 : 0) + (item["isapi"] ? 1 : 0) + (item["rtsp"] ? 1 : 0) +
                          (item["wait"] ? 1 : 0) + (item["restart"] ? 1 : 0) + (item["fault"] ? 1 : 0) +
                          (item["spawn"] ? 1 : 0) + (item["kill"] ? 1 : 0) + (item["start"] ? 1 : 0);
      if (actions != 1)
        fail(item, "a timeline step needs exactly one action: input, isapi, rtsp, wait, restart, kill, start, fault or spawn");
      if (const auto input = item["input"]) {
        only_keys(input, "input", {"index", "active"});
        step.kind = ActionKind::input;
        step.input = input["index"] ? integer(input["index"], "input index", 1, 64) : 1;
        if (!input["active"]) fail(input, "input needs active: true or false");
        step.active = boolean(input["active"], "input active");
      } else if (item["isapi"]) {
        step.kind = ActionKind::isapi;
        step.isapi = isapi_call(item["isapi"], "isapi");
      } else if (const auto rtsp = item["rtsp"]) {
        only_keys(rtsp, "rtsp", {"describe", "user", "password"});
        step.kind = ActionKind::rtsp;
        if (!rtsp["describe"]) fail(rtsp, "rtsp needs describe: <stream id>, e.g. 101");
        step.rtsp.stream = text(rtsp["describe"], "rtsp describe");
        if (rtsp["user"]) step.rtsp.user = text(rtsp["user"], "rtsp user");
        if (rtsp["password"]) step.rtsp.password = text(rtsp["password"], "rtsp password");
      } else if (item["spawn"]) {
        step.kind = ActionKind::spawn;
        step.id = item["id"] ? text(item["id"], "id") : fmt::format("step-{}", s.timeline.size() + 1);
        step.actor = spawn_actor(item["spawn"], step);
      } else if (item["fault"]) {
        step.kind = ActionKind::fault;
        parse_fault(item["fault"], step);
      } else if (item["wait"]) {
        step.kind = ActionKind::wait;
        step.wait_seconds = seconds(item["wait"], "wait");
      } else if (item["kill"] || item["start"]) {
        const auto key = item["kill"] ? "kill" : "start";
        step.kind = item["kill"] ? ActionKind::kill : ActionKind::start;
        if (!boolean(item[key], key)) fail(item[key], fmt::format("{}: false does nothing; remove the step", key));
        if (!s.separate_process)
          fail(item[key], fmt::format("{} acts on a camera process: the scenario needs device: {{process: separate}}", key));
      } else {
        step.kind = ActionKind::restart;
        if (!boolean(item["restart"], "restart")) fail(item["restart"], "restart: false does nothing; remove the step");
      }
      if (item["repeat"]) {
        step.repeat = integer(item["repeat"], "repeat", 1, 100);
        if (step.kind != ActionKind::isapi && step.kind != ActionKind::rtsp) fail(item["repeat"], "repeat applies to isapi and rtsp steps");
      }
      step.id = item["id"] ? text(item["id"], "id") : fmt::format("step-{}", s.timeline.size() + 1);
      if (!steps_.insert(step.id).second) fail(item["id"] ? item["id"] : item, fmt::format("step id '{}' is used twice", step.id));
      if (step.kind == ActionKind::isapi || step.kind == ActionKind::rtsp) calls_.insert(step.id);
      s.timeline.push_back(std::move(step));
    }
    std::stable_sort(s.timeline.begin(), s.timeline.end(), [](const auto& a, const auto& b) { return a.at < b.at; });
  }

  void parse_expectations(const YAML::Node& node, Scenario& s) const {
    if (!node.IsSequence()) fail(node, "expect must be a list of expectations");
    std::set<std::string> ids;
    for (const auto& item : node) {
      only_keys(item, "an expectation", {"id", "event", "io", "api", "metric", "delivery"});
      const int kinds = (item["event"] ? 1 : 0) + (item["io"] ? 1 : 0) + (item["api"] ? 1 : 0) + (item["metric"] ? 1 : 0) +
                        (item["delivery"] ? 1 : 0);
      if (kinds != 1) fail(item, "an expectation needs exactly one of event, io, api, metric or delivery");
      Expectation e;
      e.line = item.Mark().line + 1;
      if (const auto ev = item["event"]) {
        only_keys(ev, "event", {"type", "channel", "state", "fields", "none", "at_least", "from", "to", "after", "within"});
        e.kind = ExpectationKind::event;
        if (!ev["type"]) fail(ev, "event needs type: the ISAPI eventType (IO, VMD, linedetection, illaccess, ...)");
        e.event.type = text(ev["type"], "event type");
        if (ev["channel"]) e.event.channel = integer(ev["channel"], "event channel", 1, 64);
        if (ev["state"]) e.event.state = one_of(ev["state"], "event state", {"active", "inactive"});
        if (ev["fields"]) e.event.fields = text_map(ev["fields"], "event fields");
        if (ev["none"]) e.event.none = boolean(ev["none"], "event none");
        if (ev["at_least"]) e.event.at_least = integer(ev["at_least"], "event at_least", 1, 100000);
        if (e.event.none && ev["at_least"]) fail(ev["at_least"], "none: true and at_least contradict each other");
        e.event.window = window(ev, "event");
      } else if (const auto io = item["io"]) {
        only_keys(io, "io", {"relay", "barrier", "at", "never", "from", "to", "after", "within"});
        e.kind = ExpectationKind::io;
        if ((io["relay"] ? 1 : 0) + (io["barrier"] ? 1 : 0) != 1) fail(io, "io needs relay: {index, state} or barrier: <state>");
        if (const auto relay = io["relay"]) {
          only_keys(relay, "io relay", {"index", "state"});
          e.io.relay = relay["index"] ? integer(relay["index"], "relay index", 1, 64) : 1;
          if (!relay["state"]) fail(relay, "io relay needs state: closed or open");
          e.io.state = one_of(relay["state"], "relay state", {"closed", "open"});
        } else {
          e.io.state = one_of(io["barrier"], "barrier", {"closed", "opening", "open", "closing"});
        }
        if (io["at"]) {
          e.io.at = seconds(io["at"], "io at");
          if (io["from"] || io["to"] || io["after"] || io["within"]) fail(io["at"], "io: give either at or a window, not both");
        }
        if (io["never"]) {
          e.io.never = boolean(io["never"], "io never");
          if (e.io.at) fail(io["never"], "io: never applies to a window, not to at");
        }
        e.io.window = window(io, "io");
      } else if (const auto ap = item["api"]) {
        only_keys(ap, "api", {"step", "status", "fields", "contains"});
        e.kind = ExpectationKind::api;
        if (!ap["step"]) fail(ap, "api needs step: the id of an isapi or rtsp timeline step");
        e.api.step = text(ap["step"], "api step");
        if (!calls_.contains(e.api.step)) fail(ap["step"], fmt::format("no isapi or rtsp timeline step has the id '{}'", e.api.step));
        if (ap["status"]) e.api.status = integer(ap["status"], "api status", 100, 599);
        if (ap["fields"]) e.api.fields = text_map(ap["fields"], "api fields");
        if (const auto contains = ap["contains"]) {
          if (contains.IsScalar()) e.api.contains.push_back(contains.Scalar());
          else if (contains.IsSequence())
            for (const auto& c : contains) e.api.contains.push_back(text(c, "api contains entry"));
          else fail(contains, "api contains must be a text or a list of texts");
        }
      } else if (const auto de = item["delivery"]) {
        parse_delivery(de, e.delivery);
        e.kind = ExpectationKind::delivery;
      } else {
        const auto mt = item["metric"];
        only_keys(mt, "metric", {"name", "min", "max"});
        e.kind = ExpectationKind::metric;
        if (!mt["name"]) fail(mt, "metric needs name");
        e.metric.name = text(mt["name"], "metric name");
        if (!find_metric(e.metric.name)) {
          std::string names;
          for (const auto& m : metric_catalogue()) names += (names.empty() ? "" : ", ") + m.name;
          fail(mt["name"], fmt::format("unknown metric '{}' (known: {})", e.metric.name, names));
        }
        if (mt["min"]) e.metric.min = number(mt["min"], "metric min");
        if (mt["max"]) e.metric.max = number(mt["max"], "metric max");
        if (!e.metric.min && !e.metric.max) fail(mt, "metric needs min, max or both");
      }
      e.id = item["id"] ? text(item["id"], "id") : fmt::format("{}-{}", to_string(e.kind), s.expectations.size() + 1);
      if (!ids.insert(e.id).second) fail(item["id"] ? item["id"] : item, fmt::format("expectation id '{}' is used twice", e.id));
      s.expectations.push_back(std::move(e));
    }
  }

  std::vector<std::string> texts(const YAML::Node& node, const std::string& what) const {
    std::vector<std::string> out;
    if (node.IsScalar()) out.push_back(node.Scalar());
    else if (node.IsSequence())
      for (const auto& item : node) out.push_back(text(item, what + " entry"));
    else fail(node, what + " must be a text or a list of texts");
    return out;
  }

  void parse_delivery(const YAML::Node& node, DeliveryExpectation& d) const {
    only_keys(node, "delivery",
              {"peer", "path", "fields", "contains", "count", "at_least", "none", "unique", "from", "to", "after", "within"});
    if (!node["peer"]) fail(node, "delivery needs peer: the name of a peer declared under peers:");
    d.peer = peer_name(node["peer"], "delivery peer");
    if (node["path"]) d.path = text(node["path"], "delivery path");
    if (node["fields"]) d.fields = text_map(node["fields"], "delivery fields");
    if (node["contains"]) d.contains = texts(node["contains"], "delivery contains");
    if (node["count"]) d.count = integer(node["count"], "delivery count", 0, 1000000);
    if (node["at_least"]) d.at_least = integer(node["at_least"], "delivery at_least", 1, 1000000);
    if (node["none"]) d.none = boolean(node["none"], "delivery none");
    if ((node["count"] ? 1 : 0) + (node["at_least"] ? 1 : 0) + (d.none ? 1 : 0) > 1)
      fail(node, "delivery: give one of count, at_least or none");
    if (node["unique"]) d.unique = texts(node["unique"], "delivery unique");
    d.window = window(node, "delivery");
  }

 private:
  std::filesystem::path source_;
  std::set<std::string> steps_;
  std::set<std::string> calls_;
  std::map<std::string, PeerAddress> peer_addresses_;
};

}  // namespace

std::string to_string(ActionKind kind) {
  switch (kind) {
    case ActionKind::input: return "input";
    case ActionKind::isapi: return "isapi";
    case ActionKind::rtsp: return "rtsp";
    case ActionKind::wait: return "wait";
    case ActionKind::restart: return "restart";
    case ActionKind::kill: return "kill";
    case ActionKind::start: return "start";
    case ActionKind::fault: return "fault";
    case ActionKind::spawn: return "spawn";
  }
  return "unknown";
}

std::string to_string(ExpectationKind kind) {
  switch (kind) {
    case ExpectationKind::event: return "event";
    case ExpectationKind::io: return "io";
    case ExpectationKind::api: return "api";
    case ExpectationKind::metric: return "metric";
    case ExpectationKind::delivery: return "delivery";
  }
  return "unknown";
}

std::string to_string(PeerKind kind) {
  switch (kind) {
    case PeerKind::http: return "http";
    case PeerKind::lprapi: return "lprapi";
    case PeerKind::smtp: return "smtp";
  }
  return "unknown";
}

Result<std::string> expand_peer_references(const std::string& text, const std::map<std::string, PeerAddress>& peers) {
  std::string out;
  std::size_t at = 0;
  while (true) {
    const auto open = text.find("${", at);
    if (open == std::string::npos) break;
    const auto close = text.find('}', open);
    if (close == std::string::npos) return make_error(ErrorCode::invalid_argument, "'${' without a closing '}'");
    const auto reference = text.substr(open + 2, close - open - 2);
    const auto dot = reference.rfind('.');
    if (!reference.starts_with("peer.") || dot <= 5)
      return make_error(ErrorCode::invalid_argument,
                        fmt::format("'${{{}}}' is not a peer reference (write ${{peer.<name>.url}}, .host or .port)", reference));
    const auto name = reference.substr(5, dot - 5);
    const auto part = reference.substr(dot + 1);
    const auto peer = peers.find(name);
    if (peer == peers.end()) return make_error(ErrorCode::invalid_argument, fmt::format("'${{{}}}' names no declared peer '{}'", reference, name));
    const auto& address = peer->second;
    out += text.substr(at, open - at);
    if (part == "url")
      out += fmt::format("{}://{}:{}", address.kind == PeerKind::smtp ? "smtp" : "http", address.host, address.port);
    else if (part == "host") out += address.host;
    else if (part == "port") out += std::to_string(address.port);
    else return make_error(ErrorCode::invalid_argument, fmt::format("'${{{}}}': a peer has url, host and port, not '{}'", reference, part));
    at = close + 1;
  }
  return out + text.substr(at);
}

Result<Scenario> parse_scenario(const std::string& text, const std::filesystem::path& source) {
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    return make_error(ErrorCode::invalid_argument,
                      fmt::format("{}:{}:{}: not valid YAML: {}", source.string(), e.mark.line + 1, e.mark.column + 1, e.msg));
  }
  if (!root.IsMap()) return make_error(ErrorCode::invalid_argument, source.string() + ": a scenario must be a mapping (name:, expect:, ...)");
  try {
    return Parser(source).parse(root);
  } catch (const ParseFailure& failure) {
    return make_error(ErrorCode::invalid_argument, failure.message);
  }
}

Result<Scenario> load_scenario(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return make_error(ErrorCode::not_found, "cannot read scenario file " + file.string());
  std::ostringstream text;
  text << in.rdbuf();
  return parse_scenario(text.str(), file);
}

Result<std::vector<std::filesystem::path>> scenario_files(const std::filesystem::path& file_or_folder) {
  std::error_code ec;
  if (std::filesystem::is_regular_file(file_or_folder, ec)) return std::vector<std::filesystem::path>{file_or_folder};
  if (!std::filesystem::is_directory(file_or_folder, ec))
    return make_error(ErrorCode::not_found, file_or_folder.string() + " is neither a scenario file nor a folder of them");
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(file_or_folder, ec))
    if (entry.is_regular_file() && (entry.path().extension() == ".yaml" || entry.path().extension() == ".yml"))
      files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  if (files.empty()) return make_error(ErrorCode::not_found, "no *.yaml scenario files in " + file_or_folder.string());
  return files;
}

}  // namespace camrig::conformance
