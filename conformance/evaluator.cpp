#include "conformance/evaluator.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <map>
#include <set>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <pugixml.hpp>

#include "device/core/text.hpp"

namespace camrig::conformance {
namespace {

struct Span {
  double from = 0;
  double to = 0;
};

Span resolve(const TimeWindow& window, const Observations& observed) {
  Span span{window.from, window.to.value_or(observed.end)};
  if (!window.after.empty()) {
    const auto step = std::find_if(observed.steps.begin(), observed.steps.end(),
                                   [&](const ObservedStep& s) { return s.id == window.after; });
    span.from = step != observed.steps.end() ? step->at : observed.end;  // a step never reached: nothing after it
    if (!window.to) span.to = observed.end;
  }
  if (window.within) span.to = span.from + *window.within;
  return span;
}

std::string describe(const Span& span) { return fmt::format("between {:.3f} s and {:.3f} s", span.from, span.to); }

std::string describe(const ObservedAlert& alert) {
  std::string text = fmt::format("{} {} on channel {} (dateTime +{:.0f} s, received at {:.3f} s)", alert.type, alert.state,
                                 alert.channel, alert.device_time, alert.received_at);
  return text;
}

// An alert's dateTime is floored to the second: the moment lies in [t, t + 1).
bool overlaps(const ObservedAlert& alert, const Span& span) {
  return alert.device_time <= span.to && alert.device_time + 1 > span.from;
}

// The alert's picture with the actors the world had in view at that moment boxed (ground
// truth, scaled from the world's picture size to fractions).
reports::EvidencePicture evidence_picture(const ObservedAlert& alert, const Observations& observed) {
  reports::EvidencePicture picture;
  picture.caption = fmt::format("{} {} on channel {}, received at {:.3f} s; boxes: ground truth", alert.type, alert.state,
                                alert.channel, alert.received_at);
  picture.jpeg = alert.picture;
  const auto size = observed.frame_sizes.find(alert.channel);
  if (size == observed.frame_sizes.end() || size->second.first <= 0 || size->second.second <= 0) return picture;
  const TruthFrame* nearest = nullptr;
  for (const auto& frame : observed.frames)
    if (frame.channel == alert.channel && (!nearest || std::abs(frame.at - alert.received_at) < std::abs(nearest->at - alert.received_at)))
      nearest = &frame;
  if (!nearest || std::abs(nearest->at - alert.received_at) > 1) return picture;
  const double w = size->second.first, h = size->second.second;
  for (const auto& box : nearest->boxes)
    picture.boxes.push_back({box.x / w, box.y / h, box.width / w, box.height / h, box.label, "truth"});
  return picture;
}

bool matches(const EventExpectation& e, const ObservedAlert& alert) {
  if (alert.type != e.type) return false;
  if (e.channel && alert.channel != *e.channel) return false;
  if (e.state && alert.state != *e.state) return false;
  for (const auto& [name, value] : e.fields) {
    const auto it = alert.fields.find(name);
    if (it == alert.fields.end() || it->second != value) return false;
  }
  return true;
}

std::string statement(const EventExpectation& e, const Span& span) {
  std::string what = e.type;
  if (e.state) what += " " + *e.state;
  if (e.channel) what += fmt::format(" on channel {}", *e.channel);
  for (const auto& [name, value] : e.fields) what += fmt::format(" {}={}", name, value);
  if (e.none) return fmt::format("no {} alert {}", what, describe(span));
  return fmt::format("{}{} alert {}", e.at_least > 1 ? fmt::format("at least {} x ", e.at_least) : "", what, describe(span));
}

// How the alertStream fared, so a missing alert tells a silent camera from a broken stream.
std::string stream_health(const Observations& observed) {
  return fmt::format("the alertStream opened {} time(s), {} heartbeat(s)", observed.alert_stream_openings, observed.heartbeats);
}

reports::ExpectationOutcome judge_event(const EventExpectation& e, const Observations& observed) {
  reports::ExpectationOutcome out;
  const auto span = resolve(e.window, observed);
  out.statement = statement(e, span);
  std::vector<const ObservedAlert*> found;
  for (const auto& alert : observed.alerts)
    if (matches(e, alert) && overlaps(alert, span)) found.push_back(&alert);
  std::string seen;
  for (const auto& alert : observed.alerts) seen += describe(alert) + "\n";
  if (e.none) {
    out.passed = found.empty();
    out.evidence = found.empty() ? fmt::format("none came ({} alerts in the whole run; {})", observed.alerts.size(), stream_health(observed))
                                 : "came: " + describe(*found.front());
    out.detail = found.empty() ? seen : found.front()->document;
  } else {
    out.passed = static_cast<int>(found.size()) >= e.at_least;
    if (found.empty()) {
      out.evidence = fmt::format("no matching alert; {} alerts in the whole run ({})", observed.alerts.size(), stream_health(observed));
      out.detail = seen;
    } else {
      out.evidence = fmt::format("{} matching: {}", found.size(), describe(*found.front()));
      out.detail = found.front()->document;
    }
  }
  if (!out.passed) {
    // The pictures of the alerts that decided it (or, when none came, of the same type
    // elsewhere in the run), with the world's actors boxed.
    std::vector<const ObservedAlert*> shown = found;
    if (shown.empty())
      for (const auto& alert : observed.alerts)
        if (alert.type == e.type) shown.push_back(&alert);
    for (const auto* alert : shown) {
      if (alert->picture.empty()) continue;
      out.pictures.push_back(evidence_picture(*alert, observed));
      if (out.pictures.size() == 3) break;
    }
  }
  return out;
}

// State of a relay (or the barrier) at `t`: the last change at or before it.
std::string state_at(const std::vector<ObservedSwitch>& changes, int index, double t, const std::string& initial) {
  std::string state = initial;
  for (const auto& change : changes)
    if (change.index == index && change.at <= t) state = change.state;
  return state;
}

reports::ExpectationOutcome judge_io(const IoExpectation& e, const Observations& observed) {
  reports::ExpectationOutcome out;
  const bool relay = e.relay.has_value();
  const int index = relay ? *e.relay : 0;
  const auto& changes = relay ? observed.relays : observed.barrier;
  const std::string subject = relay ? fmt::format("relay {}", index) : "barrier";
  if (!relay && !observed.has_barrier) {
    out.statement = fmt::format("barrier {}", e.state);
    out.evidence = "this scene has no barrier (a gate_lane scene on a camera with two relays has one)";
    return out;
  }
  std::string history;
  for (const auto& change : changes)
    if (change.index == index) history += fmt::format("{:.3f} s: {}\n", change.at, change.state);
  out.detail = history.empty() ? subject + " never changed" : history;
  if (e.at) {
    out.statement = fmt::format("{} {} at {:.3f} s", subject, e.state, *e.at);
    const auto state = state_at(changes, index, *e.at, relay ? "open" : "closed");
    out.passed = state == e.state;
    out.evidence = fmt::format("{} was {} at {:.3f} s", subject, state, *e.at);
    return out;
  }
  const auto span = resolve(e.window, observed);
  out.statement = fmt::format("{} {}{} {}", subject, e.never ? "never " : "", e.state, describe(span));
  const std::string initial = relay ? "open" : "closed";
  if (e.never) {
    if (state_at(changes, index, span.from, initial) == e.state) {
      out.evidence = fmt::format("{} was {} at {:.3f} s", subject, e.state, span.from);
      return out;
    }
    for (const auto& change : changes) {
      if (change.index == index && change.state == e.state && change.at >= span.from && change.at <= span.to) {
        out.evidence = fmt::format("{} became {} at {:.3f} s", subject, e.state, change.at);
        return out;
      }
    }
    out.passed = true;
    out.evidence = fmt::format("{} stayed out of {} ({})", subject, e.state, history.empty() ? "no change at all" : "see changes");
    return out;
  }
  if (state_at(changes, index, span.from, initial) == e.state) {
    out.passed = true;
    out.evidence = fmt::format("{} already {} at {:.3f} s", subject, e.state, span.from);
    return out;
  }
  for (const auto& change : changes) {
    if (change.index == index && change.state == e.state && change.at >= span.from && change.at <= span.to) {
      out.passed = true;
      out.evidence = fmt::format("{} became {} at {:.3f} s", subject, e.state, change.at);
      return out;
    }
  }
  out.evidence = fmt::format("{} did not become {} in the window", subject, e.state);
  return out;
}

std::optional<std::string> xml_field(const std::string& body, const std::string& name) {
  pugi::xml_document doc;
  if (!doc.load_string(body.c_str())) return std::nullopt;
  std::optional<std::string> found;
  const std::function<bool(pugi::xml_node)> walk = [&](pugi::xml_node node) {
    for (auto child = node.first_child(); child; child = child.next_sibling()) {
      if (child.type() != pugi::node_element) continue;
      std::string local = child.name();
      if (const auto colon = local.find(':'); colon != std::string::npos) local = local.substr(colon + 1);
      if (local == name) {
        found = child.text().get();
        return true;
      }
      if (walk(child)) return true;
    }
    return false;
  };
  walk(doc);
  return found;
}

// "a=<name>:<value>" of an SDP, so `fields: {x-dimensions: "1280,720"}` reads naturally.
std::optional<std::string> sdp_field(const std::string& body, const std::string& name) {
  const auto key = "a=" + name + ":";
  const auto at = body.find(key);
  if (at == std::string::npos) return std::nullopt;
  const auto end = body.find_first_of("\r\n", at);
  return body.substr(at + key.size(), end == std::string::npos ? std::string::npos : end - at - key.size());
}

reports::ExpectationOutcome judge_api(const ApiExpectation& e, const Observations& observed) {
  reports::ExpectationOutcome out;
  std::string demands;
  if (e.status) demands += fmt::format(" status {}", *e.status);
  for (const auto& [name, value] : e.fields) demands += fmt::format(" {}={}", name, value);
  for (const auto& text : e.contains) demands += fmt::format(" contains '{}'", text);
  out.statement = "response to " + e.step + ":" + demands;
  const ObservedResponse* response = nullptr;
  for (const auto& r : observed.responses)
    if (r.step == e.step) response = &r;
  if (!response) {
    out.evidence = "the step did not run (the run ended before it)";
    return out;
  }
  out.detail = response->body;
  if (response->status == 0) {
    out.evidence = "no response: " + response->error;
    return out;
  }
  std::vector<std::string> broken;
  for (const auto& [name, value] : e.fields) {
    auto actual = xml_field(response->body, name);
    if (!actual) actual = sdp_field(response->body, name);
    if (!actual || *actual != value) broken.push_back(fmt::format("{}={}", name, actual ? "'" + *actual + "'" : "(absent)"));
  }
  for (const auto& text : e.contains)
    if (response->body.find(text) == std::string::npos) broken.push_back(fmt::format("no '{}' in the body", text));
  out.passed = broken.empty() && (!e.status || response->status == *e.status);
  if (out.passed) {
    out.evidence = fmt::format("status {}", response->status);
    for (const auto& [name, value] : e.fields) out.evidence += fmt::format(", {}={}", name, value);
  } else {
    out.evidence = fmt::format("got status {}", response->status);
    for (const auto& item : broken) out.evidence += ", " + item;
  }
  return out;
}

// A JSON body's value by key: a dotted path from the top ("lprInfo.plateNumber") or the first key
// of that name at any depth ("plateNumber").
std::optional<std::string> json_field(const nlohmann::json& doc, const std::string& name) {
  const auto text_of = [](const nlohmann::json& value) { return value.is_string() ? value.get<std::string>() : value.dump(); };
  if (name.find('.') != std::string::npos) {
    const nlohmann::json* node = &doc;
    std::size_t at = 0;
    while (at <= name.size()) {
      const auto dot = std::min(name.find('.', at), name.size());
      const auto key = name.substr(at, dot - at);
      if (!node->is_object() || !node->contains(key)) return std::nullopt;
      node = &(*node)[key];
      at = dot + 1;
    }
    return text_of(*node);
  }
  if (doc.is_object()) {
    if (const auto it = doc.find(name); it != doc.end()) return text_of(*it);
    for (const auto& [key, value] : doc.items())
      if (auto found = json_field(value, name)) return found;
  } else if (doc.is_array()) {
    for (const auto& value : doc)
      if (auto found = json_field(value, name)) return found;
  }
  return std::nullopt;
}

// The XML document of a body, also when it is the first part of a multipart alert with pictures.
std::string xml_part(const std::string& body) {
  const auto start = body.find('<');
  if (start == std::string::npos) return {};
  const auto end = body.find("\r\n--", start);
  return body.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

std::optional<std::string> delivery_field(const ObservedDelivery& d, const std::string& name) {
  if (d.method == "MAIL") {
    const std::string key = text::to_lower(name);
    if (const auto it = d.headers.find(key); it != d.headers.end()) return it->second;
    return std::nullopt;
  }
  const auto json = nlohmann::json::parse(d.body, nullptr, false);
  if (!json.is_discarded()) return json_field(json, name);
  if (auto xml = xml_field(xml_part(d.body), name)) return xml;
  if (const auto it = d.headers.find(name); it != d.headers.end()) return it->second;
  return std::nullopt;
}

// A body for the report: pictures (long base64 strings) shortened, the rest as sent.
std::string shown_body(const ObservedDelivery& d) {
  auto json = nlohmann::json::parse(d.body, nullptr, false);
  if (json.is_discarded()) return d.body.size() > 4000 ? d.body.substr(0, 4000) + fmt::format("... ({} bytes)", d.body.size()) : d.body;
  const std::function<void(nlohmann::json&)> shorten = [&](nlohmann::json& node) {
    if (node.is_string() && node.get<std::string>().size() > 200)
      node = fmt::format("<{} characters>", node.get<std::string>().size());
    else if (node.is_structured())
      for (auto& child : node) shorten(child);
  };
  shorten(json);
  return json.dump(1);
}

std::string describe(const ObservedDelivery& d) {
  if (d.method == "MAIL") {
    const auto subject = d.headers.find("subject");
    return fmt::format("mail at {:.3f} s to {}: {}", d.at, d.headers.count("rcpt_to") ? d.headers.at("rcpt_to") : "?",
                       subject != d.headers.end() ? subject->second : "(no subject)");
  }
  return fmt::format("{} {} at {:.3f} s{}", d.method, d.path, d.at, d.repeat ? " (a repeat, not stored)" : "");
}

reports::ExpectationOutcome judge_delivery(const DeliveryExpectation& e, const Observations& observed) {
  reports::ExpectationOutcome out;
  const auto span = resolve(e.window, observed);
  std::string what = e.path.empty() ? std::string("deliveries") : "requests to " + e.path;
  for (const auto& [name, value] : e.fields) what += fmt::format(" {}={}", name, value);
  for (const auto& text : e.contains) what += fmt::format(" containing '{}'", text);
  const auto amount = e.none ? std::string("no") : e.count ? std::to_string(*e.count) : fmt::format("at least {}", e.at_least);
  out.statement = fmt::format("peer {} received {} {} {}", e.peer, amount, what, describe(span));
  if (!e.unique.empty()) {
    std::string keys;
    for (const auto& key : e.unique) keys += (keys.empty() ? "" : "+") + key;
    out.statement += ", no two with the same " + keys;
  }
  std::vector<const ObservedDelivery*> found;
  int to_peer = 0;
  int repeats = 0;
  for (const auto& d : observed.deliveries) {
    if (d.peer != e.peer) continue;
    ++to_peer;
    if (!e.path.empty() && d.path != e.path) continue;
    if (d.at < span.from || d.at > span.to) continue;
    if (std::any_of(e.fields.begin(), e.fields.end(), [&](const auto& f) { return delivery_field(d, f.first) != f.second; })) continue;
    if (std::any_of(e.contains.begin(), e.contains.end(), [&](const auto& c) { return d.body.find(c) == std::string::npos; }))
      continue;
    if (d.repeat) {
      ++repeats;
      continue;
    }
    found.push_back(&d);
  }
  const auto n = static_cast<int>(found.size());
  out.passed = e.none ? n == 0 : e.count ? n == *e.count : n >= e.at_least;
  std::string listing;
  for (const auto* d : found) {
    listing += describe(*d);
    for (const auto& [name, value] : e.fields) listing += fmt::format(" {}={}", name, value);
    for (const auto& key : e.unique) listing += fmt::format(" {}={}", key, delivery_field(*d, key).value_or("(absent)"));
    listing += "\n";
  }
  out.evidence = fmt::format("{} matching of {} delivered to {}", n, to_peer, e.peer);
  if (repeats > 0) out.evidence += fmt::format(" ({} repeat(s) of a sequence already taken, answered and not counted)", repeats);
  if (!e.unique.empty()) {
    std::map<std::vector<std::string>, std::vector<double>> seen;
    for (const auto* d : found) {
      std::vector<std::string> key;
      for (const auto& name : e.unique) key.push_back(delivery_field(*d, name).value_or(""));
      seen[key].push_back(d->at);
    }
    for (const auto& [key, times] : seen) {
      if (times.size() < 2) continue;
      out.passed = false;
      std::string at;
      for (const double t : times) at += fmt::format("{}{:.3f} s", at.empty() ? "" : ", ", t);
      std::string values;
      for (std::size_t i = 0; i < key.size(); ++i) values += fmt::format("{}{}={}", i ? " " : "", e.unique[i], key[i]);
      out.evidence += fmt::format("; {} came {} times (at {})", values, times.size(), at);
    }
  }
  if (!found.empty()) out.evidence += "; first: " + describe(*found.front());
  out.detail = listing;
  if (!found.empty()) out.detail += "\nfirst body:\n" + shown_body(*found.front());
  else if (to_peer > 0) {
    out.detail += "nothing matched; what the peer received:\n";
    for (const auto& d : observed.deliveries)
      if (d.peer == e.peer) out.detail += describe(d) + "\n";
  }
  return out;
}

std::optional<double> percentile(std::vector<double> values, double p) {
  if (values.empty()) return std::nullopt;
  std::sort(values.begin(), values.end());
  const auto rank = static_cast<std::size_t>(std::ceil(p / 100 * static_cast<double>(values.size())));
  return values[std::min(values.size() - 1, rank == 0 ? 0 : rank - 1)];
}

// Time from each alarm input becoming active to the first relay closing at or after it.
std::vector<double> relay_latencies_ms(const Observations& observed) {
  std::vector<double> latencies;
  for (const auto& step : observed.steps) {
    if (step.kind != ActionKind::input || !step.active) continue;
    for (const auto& change : observed.relays) {
      if (change.state == "closed" && change.at >= step.at && change.at <= step.at + 10) {
        latencies.push_back((change.at - step.at) * 1000);
        break;
      }
    }
  }
  return latencies;
}

std::vector<double> api_latencies_ms(const Observations& observed) {
  std::vector<double> out;
  for (const auto& r : observed.responses)
    if (r.status != 0) out.push_back(r.real_milliseconds);
  return out;
}

// Ground-truth kinds and the ISAPI eventType that reports each; a detector that lands adds a row.
struct DetectionKind {
  const char* truth;
  const char* event_type;
};
constexpr DetectionKind k_detections[] = {
    {"line_crossing", "linedetection"},     {"region_entrance", "regionEntrance"}, {"region_exit", "regionExiting"},
    {"object_left", "unattendedBaggage"},   {"object_removed", "attendedBaggage"}, {"camera_covered", "shelteralarm"},
    {"defocus", "defocus"},
};

// The moment of a ground-truth event is matched by an active alert whose dateTime second starts
// at most 1 s before it and at most 3 s after (detectors confirm over a few frames).
constexpr double k_match_before = 1;
constexpr double k_match_after = 3;

struct Matching {
  int truth = 0;
  int alerts = 0;
  int matched = 0;
  std::vector<double> latencies;  //!< received_at - truth moment, seconds
};

Matching match(const Observations& observed, const DetectionKind& kind) {
  Matching m;
  std::vector<const ObservedAlert*> alerts;
  for (const auto& alert : observed.alerts)
    if (alert.type == kind.event_type && alert.state == "active") alerts.push_back(&alert);
  m.alerts = static_cast<int>(alerts.size());
  std::vector<bool> used(alerts.size(), false);
  for (const auto& truth : observed.truth) {
    if (truth.kind != kind.truth) continue;
    ++m.truth;
    for (std::size_t i = 0; i < alerts.size(); ++i) {
      if (used[i] || alerts[i]->device_time + k_match_before < truth.at || alerts[i]->device_time > truth.at + k_match_after)
        continue;
      used[i] = true;
      ++m.matched;
      m.latencies.push_back(alerts[i]->received_at - truth.at);
      break;
    }
  }
  return m;
}

// A vehicle's pass in front of the camera: its plate and the device times of the ground-truth
// frames that showed it. Keyed by the actor ("car 3"), so two vehicles with the same plate text
// are two passes.
struct PlatePass {
  std::string plate;
  std::vector<double> times;
};

// A plate as a camera reads it: letters and digits only. The world prints separators ("AB-123-CD")
// that are not characters of the number, and ANPR reports the number without them.
std::string plate_number(const std::string& text) {
  std::string number;
  for (const char c : text)
    if (std::isalnum(static_cast<unsigned char>(c))) number += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return number;
}

std::map<std::string, PlatePass> plate_passes(const Observations& observed) {
  std::map<std::string, PlatePass> passes;
  for (const auto& frame : observed.frames)
    for (const auto& box : frame.boxes)
      if (!box.plate.empty()) {
        auto& pass = passes[box.label];
        pass.plate = plate_number(box.plate);
        pass.times.push_back(frame.at);
      }
  return passes;
}

std::size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

struct PlateReadPair {
  std::string vehicle;  //!< the pass the read belongs to; empty: no plate was in view around the read
  std::string truth;
  std::string read;
};

// How long before its alert a read's frame can lie: the read is reported as soon as it is made,
// so the alert's arrival (device time, exact in lockstep) bounds the frame from above.
constexpr double k_read_before_alert = 1.5;

// Each ANPR read (an alert's licensePlate) with the vehicle pass it was of: the vehicle whose
// plate was in view in the moments before the alert arrived. Only when several plates were in
// view then (a queue) does the text decide, the closest one; a lone vehicle gets the read
// whatever it says, so a misread is never credited to another plate that passed nearby in time.
std::vector<PlateReadPair> plate_reads(const Observations& observed, const std::map<std::string, PlatePass>& passes) {
  std::vector<PlateReadPair> pairs;
  for (const auto& alert : observed.alerts) {
    const auto read = alert.fields.find("licensePlate");
    if (read == alert.fields.end() || alert.state == "inactive") continue;
    PlateReadPair pair{{}, {}, read->second};
    std::size_t best = std::string::npos;
    double latest = -1;
    for (const auto& [vehicle, pass] : passes) {
      double seen = -1;  // the pass's last frame before the alert, inside the window
      for (const double t : pass.times)
        if (t <= alert.received_at && t >= alert.received_at - k_read_before_alert) seen = std::max(seen, t);
      if (seen < 0) continue;
      const auto distance = edit_distance(pass.plate, read->second);
      if (distance < best || (distance == best && seen > latest)) {
        best = distance;
        latest = seen;
        pair.vehicle = vehicle;
        pair.truth = pass.plate;
      }
    }
    pairs.push_back(std::move(pair));
  }
  return pairs;
}

// Vehicle passes with a plate read exactly by at least one ANPR alert, of all passes with a plate
// in view. A pass still under way when the run ends and not read yet is undecided and left out:
// a vehicle that has just come into view at the end is not a miss.
std::optional<double> plate_exact_match(const Observations& observed) {
  constexpr double k_still_in_view = 0.5;
  const auto passes = plate_passes(observed);
  std::set<std::string> exact;
  for (const auto& pair : plate_reads(observed, passes))
    if (!pair.vehicle.empty() && pair.read == pair.truth) exact.insert(pair.vehicle);
  const auto judged = std::count_if(passes.begin(), passes.end(), [&](const auto& entry) {
    return exact.count(entry.first) || std::ranges::max(entry.second.times) < observed.end - k_still_in_view;
  });
  if (judged == 0) return std::nullopt;
  return static_cast<double>(exact.size()) / static_cast<double>(judged);
}

// ANPR reads with no plate in view in the moments before them: reads of nothing.
std::optional<double> plate_false_reads(const Observations& observed) {
  const auto pairs = plate_reads(observed, plate_passes(observed));
  return static_cast<double>(std::count_if(pairs.begin(), pairs.end(), [](const auto& p) { return p.vehicle.empty(); }));
}

// Characters right over all reads of a plate in view: 1 - edit distance / plate length, summed.
std::optional<double> plate_character_accuracy(const Observations& observed) {
  double characters = 0, right = 0;
  for (const auto& pair : plate_reads(observed, plate_passes(observed))) {
    if (pair.vehicle.empty()) continue;
    const auto length = static_cast<double>(pair.truth.size());
    characters += length;
    right += std::max(0.0, length - static_cast<double>(edit_distance(pair.truth, pair.read)));
  }
  if (characters == 0) return std::nullopt;
  return right / characters;
}

std::vector<MetricDefinition> build_catalogue() {
  std::vector<MetricDefinition> catalogue{
      {"alerts.count", "alerts", "alerts received on the alertStream (heartbeats left out)",
       [](const Observations& o) -> std::optional<double> { return static_cast<double>(o.alerts.size()); }},
      {"relay.latency_ms.max", "ms", "alarm input active -> first relay closing, worst case",
       [](const Observations& o) { return percentile(relay_latencies_ms(o), 100); }},
      {"relay.latency_ms.p50", "ms", "alarm input active -> first relay closing, median",
       [](const Observations& o) { return percentile(relay_latencies_ms(o), 50); }},
      {"api.failures", "calls", "timeline calls that got no response at all",
       [](const Observations& o) -> std::optional<double> {
         return static_cast<double>(std::count_if(o.responses.begin(), o.responses.end(), [](const auto& r) { return r.status == 0; }));
       }},
      {"api.latency_ms.p95", "ms", "real time from request to complete response, 95th percentile",
       [](const Observations& o) { return percentile(api_latencies_ms(o), 95); }},
      {"plates.exact_match", "ratio",
       "vehicle passes (ground truth) whose plate an ANPR alert read exactly; each read belongs to the vehicle in view before it",
       [](const Observations& o) { return plate_exact_match(o); }},
      {"plates.char_accuracy", "ratio", "characters right in the ANPR reads of vehicle passes (1 - edit distance / length)",
       [](const Observations& o) { return plate_character_accuracy(o); }},
      {"plates.false_reads", "reads", "ANPR reads with no plate in view in the 1.5 s before the alert",
       [](const Observations& o) { return plate_false_reads(o); }},
  };
  for (const auto& kind : k_detections) {
    const std::string suffix = kind.truth;
    catalogue.push_back({"precision." + suffix, "ratio", std::string(kind.event_type) + " alerts that match a ground-truth " + suffix,
                         [kind](const Observations& o) -> std::optional<double> {
                           const auto m = match(o, kind);
                           if (m.alerts == 0) return std::nullopt;
                           return static_cast<double>(m.matched) / m.alerts;
                         }});
    catalogue.push_back({"recall." + suffix, "ratio", "ground-truth " + suffix + " events reported by an alert",
                         [kind](const Observations& o) -> std::optional<double> {
                           const auto m = match(o, kind);
                           if (m.truth == 0) return std::nullopt;
                           return static_cast<double>(m.matched) / m.truth;
                         }});
    catalogue.push_back({"f1." + suffix, "ratio", "harmonic mean of precision and recall for " + suffix,
                         [kind](const Observations& o) -> std::optional<double> {
                           const auto m = match(o, kind);
                           if (m.truth == 0 || m.alerts == 0) return std::nullopt;
                           return 2.0 * m.matched / (m.truth + m.alerts);
                         }});
    for (const int p : {50, 95, 99})
      catalogue.push_back({fmt::format("latency_s.p{}.{}", p, suffix), "s",
                           fmt::format("ground-truth {} -> its alert at the bench, {}th percentile", suffix, p),
                           [kind, p](const Observations& o) { return percentile(match(o, kind).latencies, p); }});
  }
  return catalogue;
}

reports::ExpectationOutcome judge_metric(const MetricExpectation& e, const Observations& observed) {
  reports::ExpectationOutcome out;
  std::string bounds;
  if (e.min) bounds += fmt::format(" >= {}", *e.min);
  if (e.max) bounds += fmt::format("{} <= {}", e.min ? " and" : "", *e.max);
  out.statement = e.name + bounds;
  const auto* metric = find_metric(e.name);
  const auto value = metric ? metric->compute(observed) : std::nullopt;
  if (!value) {
    out.evidence = "undefined for this run (" + (metric ? metric->description : std::string("unknown metric")) + ")";
    return out;
  }
  out.passed = (!e.min || *value >= *e.min) && (!e.max || *value <= *e.max);
  out.evidence = fmt::format("{} = {:.6g} {}", e.name, *value, metric->unit);
  return out;
}

}  // namespace

const std::vector<MetricDefinition>& metric_catalogue() {
  static const std::vector<MetricDefinition> catalogue = build_catalogue();
  return catalogue;
}

const MetricDefinition* find_metric(std::string_view name) {
  for (const auto& metric : metric_catalogue())
    if (metric.name == name) return &metric;
  return nullptr;
}

std::vector<reports::ExpectationOutcome> evaluate(const Scenario& scenario, const Observations& observed) {
  std::vector<reports::ExpectationOutcome> outcomes;
  for (const auto& e : scenario.expectations) {
    reports::ExpectationOutcome out;
    switch (e.kind) {
      case ExpectationKind::event: out = judge_event(e.event, observed); break;
      case ExpectationKind::io: out = judge_io(e.io, observed); break;
      case ExpectationKind::api: out = judge_api(e.api, observed); break;
      case ExpectationKind::metric: out = judge_metric(e.metric, observed); break;
      case ExpectationKind::delivery: out = judge_delivery(e.delivery, observed); break;
    }
    out.id = e.id;
    out.kind = to_string(e.kind);
    outcomes.push_back(std::move(out));
  }
  return outcomes;
}

std::vector<reports::MetricValue> compute_metrics(const Observations& observed) {
  std::vector<reports::MetricValue> values;
  for (const auto& metric : metric_catalogue())
    if (const auto value = metric.compute(observed)) values.push_back({metric.name, *value, metric.unit});
  return values;
}

std::vector<reports::LatencySamples> latency_samples(const Observations& observed) {
  std::vector<reports::LatencySamples> out;
  if (auto relay = relay_latencies_ms(observed); !relay.empty()) out.push_back({"relay.latency_ms", "ms", std::move(relay)});
  if (auto api = api_latencies_ms(observed); !api.empty()) out.push_back({"api.latency_ms", "ms", std::move(api)});
  for (const auto& kind : k_detections)
    if (auto m = match(observed, kind); !m.latencies.empty())
      out.push_back({std::string("latency_s.") + kind.truth, "s", std::move(m.latencies)});
  return out;
}

std::vector<reports::AccuracyRow> accuracy_table(const Observations& observed) {
  std::vector<reports::AccuracyRow> rows;
  for (const auto& kind : k_detections)
    if (const auto m = match(observed, kind); m.truth > 0 || m.alerts > 0)
      rows.push_back({kind.truth, m.truth, m.alerts, m.matched});
  return rows;
}

std::vector<reports::PlateReadCount> plate_read_table(const Observations& observed) {
  const auto passes = plate_passes(observed);
  std::map<std::pair<std::string, std::string>, int> counts;
  std::set<std::string> read_vehicles;
  for (const auto& pair : plate_reads(observed, passes)) {
    ++counts[{pair.truth, pair.read}];
    read_vehicles.insert(pair.vehicle);
  }
  for (const auto& [vehicle, pass] : passes)
    if (!read_vehicles.count(vehicle)) ++counts[{pass.plate, ""}];
  std::vector<reports::PlateReadCount> rows;
  for (const auto& [pair, count] : counts) rows.push_back({pair.first, pair.second, count});
  return rows;
}

std::vector<reports::TimelineMark> timeline_marks(const Observations& observed) {
  std::vector<reports::TimelineMark> marks;
  for (const auto& step : observed.steps) marks.push_back({step.at, "step", step.id + ": " + step.label});
  for (const auto& alert : observed.alerts) marks.push_back({alert.received_at, "alert", describe(alert)});
  for (const auto& change : observed.relays) marks.push_back({change.at, "io", fmt::format("relay {} {}", change.index, change.state)});
  for (const auto& change : observed.barrier) marks.push_back({change.at, "io", "barrier " + change.state});
  // What left the device towards a peer shares the lane of its other outputs.
  for (const auto& d : observed.deliveries) marks.push_back({d.at, "io", "delivery to " + d.peer + ": " + describe(d)});
  for (const auto& truth : observed.truth)
    marks.push_back({truth.at, "truth", truth.kind + (truth.name.empty() ? "" : " " + truth.name) +
                                            (truth.direction.empty() ? "" : " " + truth.direction)});
  return marks;
}

}  // namespace camrig::conformance
