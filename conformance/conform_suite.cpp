#include "conformance/conform_suite.hpp"

#include <chrono>
#include <tuple>

#include <fmt/format.h>
#include <pugixml.hpp>

namespace camrig::conformance {
namespace {

using SteadyClock = std::chrono::steady_clock;

std::string local_name(const char* name) {
  std::string text = name;
  const auto colon = text.find(':');
  return colon == std::string::npos ? text : text.substr(colon + 1);
}

IsapiCall get(const std::string& path) {
  IsapiCall call;
  call.path = path;
  return call;
}

}  // namespace

bool TargetFacts::offers(const std::string& element) const {
  const auto it = capabilities.find(element);
  return it == capabilities.end() || it->second != "false";
}

std::string summary(const Response& response) {
  if (response.status == 0) return "no answer: " + response.error;
  std::string line = std::to_string(response.status);
  if (const auto type = response.headers.find("content-type"); type != response.headers.end()) line += ", " + type->second;
  if (!response.body.empty()) line += fmt::format(", {} byte body", response.body.size());
  return line;
}

std::string transcript(const std::string& request, const Response& response) {
  std::string text = ">> " + request + "\n<< ";
  if (response.status == 0) return text + "(no answer: " + response.error + ")";
  text += std::to_string(response.status) + "\n";
  for (const auto& [name, value] : response.headers) text += name + ": " + value + "\n";
  return text + "\n" + response.body.substr(0, 2000);
}

TargetFacts discover(ConformTarget& target) {
  TargetFacts facts;
  const auto capabilities = isapi_request(target.http, get("/ISAPI/System/capabilities"), target.user, target.password, target.timeout);
  pugi::xml_document doc;
  if (capabilities.status == 200 && doc.load_string(capabilities.body.c_str()))
    for (const auto& node : doc.select_nodes("//*[not(*)]"))
      facts.capabilities.emplace(local_name(node.node().name()), node.node().text().get());

  const auto channels = isapi_request(target.http, get("/ISAPI/Streaming/channels"), target.user, target.password, target.timeout);
  if (channels.status == 200 && doc.load_string(channels.body.c_str()))
    for (auto channel = doc.document_element().first_child(); channel; channel = channel.next_sibling())
      if (local_name(channel.name()) == "StreamingChannel")
        for (auto child = channel.first_child(); child; child = child.next_sibling())
          if (local_name(child.name()) == "id") facts.stream_ids.push_back(child.text().get());
  if (!facts.stream_ids.empty()) facts.main_stream = facts.stream_ids.front();
  facts.stream_document =
      isapi_request(target.http, get("/ISAPI/Streaming/channels/" + facts.main_stream), target.user, target.password, target.timeout).body;

  if (target.rtsp.port == 0) {
    // The RTSP port is a setting of the camera: ask it, as a VMS does.
    target.rtsp.port = 554;
    const auto ports = isapi_request(target.http, get("/ISAPI/Security/adminAccesses"), target.user, target.password, target.timeout);
    if (ports.status == 200 && doc.load_string(ports.body.c_str()))
      for (auto entry = doc.document_element().first_child(); entry; entry = entry.next_sibling()) {
        std::string protocol, port;
        for (auto child = entry.first_child(); child; child = child.next_sibling()) {
          if (local_name(child.name()) == "protocol") protocol = child.text().get();
          if (local_name(child.name()) == "portNo") port = child.text().get();
        }
        if (protocol == "RTSP" && !port.empty()) target.rtsp.port = std::atoi(port.c_str());
      }
  }
  facts.describe = rtsp_describe(target.rtsp, facts.main_stream, target.user, target.password, target.timeout);
  facts.onvif = discover_onvif(target);
  return facts;
}

reports::RunReport run_conformance(ConformTarget target,
                                   const std::function<void(const std::string&, const reports::ExpectationOutcome&)>& on_check) {
  reports::RunReport run;
  const auto facts = discover(target);
  for (const auto& [suite, kind, checks] : {std::tuple{std::string("isapi"), std::string("isapi"), isapi_checks()},
                                            std::tuple{std::string("rtsp"), std::string("rtsp"), rtsp_checks()},
                                            std::tuple{std::string("onvif"), std::string("onvif"), onvif_checks()}}) {
    reports::ScenarioReport report;
    report.name = "conform-" + suite;
    report.file = suite == "rtsp"    ? fmt::format("rtsp://{}:{}", target.rtsp.host, target.rtsp.port)
                  : suite == "onvif" ? fmt::format("http://{}:{}/onvif/device_service", target.http.host, target.http.port)
                                     : fmt::format("http://{}:{}", target.http.host, target.http.port);
    report.profile = "target";
    report.mode = "realtime";
    const auto started = SteadyClock::now();
    for (const auto& check : checks) {
      reports::ExpectationOutcome outcome;
      outcome.id = check.id;
      outcome.kind = kind;
      outcome.statement = check.statement;
      CheckOutcome result;
      try {
        result = check.run(target, facts);
      } catch (const std::exception& error) {
        // A check must not take the suite down with it; what threw is the evidence.
        result = CheckOutcome::fail(std::string("the check stopped: ") + error.what());
      }
      outcome.passed = result.verdict != CheckOutcome::Verdict::failed;
      outcome.skipped = result.verdict == CheckOutcome::Verdict::skipped;
      outcome.evidence = std::move(result.evidence);
      outcome.detail = std::move(result.detail);
      if (on_check) on_check(report.name, outcome);
      report.expectations.push_back(std::move(outcome));
    }
    report.real_seconds = std::chrono::duration<double>(SteadyClock::now() - started).count();
    run.scenarios.push_back(std::move(report));
  }
  return run;
}

}  // namespace camrig::conformance
