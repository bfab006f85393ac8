// `camrig conform`: the RTSP, ISAPI and ONVIF checks as a suite that runs against any camera at an
// address. Each check has an id and one line saying what it proves; what the target's own
// capabilities (ISAPI capabilities, streaming channels, RTSP DESCRIBE) say it lacks is skipped
// with the reason. The result is a RunReport, one "scenario" per protocol, for reports/.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "conformance/clients.hpp"
#include "reports/run_report.hpp"

namespace camrig::conformance {

struct ConformTarget {
  Endpoint http;
  Endpoint rtsp;  //!< port 0: read from /ISAPI/Security/adminAccesses, else 554
  std::string user;
  std::string password;
  std::chrono::milliseconds timeout = std::chrono::seconds(10);
};

//! What the target's ONVIF device service says, read once (conformance/checks/onvif.cpp).
struct OnvifFacts {
  bool answers = false;  //!< POST /onvif/device_service answered with a SOAP envelope
  std::string why_not;   //!< the answer instead, when it did not
  std::map<std::string, std::string> services;  //!< namespace -> path of its XAddr, from GetServices
  std::chrono::seconds clock_offset{0};         //!< camera UTC minus the bench's (UsernameToken Created)
};

//! What the target says about itself, read once before the checks.
struct TargetFacts {
  //! Leaf elements of GET /ISAPI/System/capabilities by local name; empty when the camera has none.
  std::map<std::string, std::string> capabilities;
  std::vector<std::string> stream_ids;    //!< from /ISAPI/Streaming/channels, e.g. "101"
  std::string main_stream = "101";        //!< the first of them
  std::string stream_document;            //!< GET /ISAPI/Streaming/channels/<main_stream> as read
  Response describe;                      //!< RTSP DESCRIBE of the main stream, with login
  OnvifFacts onvif;
  //! True unless the capability document names `element` and says false.
  bool offers(const std::string& element) const;
};

struct CheckOutcome {
  enum class Verdict { passed, failed, skipped };
  Verdict verdict = Verdict::failed;
  std::string evidence;  //!< one line: what was seen, or why it was skipped
  std::string detail;    //!< the exchange, when it helps to read it
  static CheckOutcome pass(std::string evidence, std::string detail = {}) {
    return {Verdict::passed, std::move(evidence), std::move(detail)};
  }
  static CheckOutcome fail(std::string evidence, std::string detail = {}) {
    return {Verdict::failed, std::move(evidence), std::move(detail)};
  }
  static CheckOutcome skip(std::string reason) { return {Verdict::skipped, std::move(reason), {}}; }
};

struct ConformCheck {
  std::string id;         //!< e.g. RTSP-DESCRIBE-SDP
  std::string statement;  //!< what a pass proves, one line
  std::function<CheckOutcome(const ConformTarget&, const TargetFacts&)> run;
};

//! conformance/checks/rtsp.cpp, conformance/checks/isapi.cpp and conformance/checks/onvif.cpp
std::vector<ConformCheck> rtsp_checks();
std::vector<ConformCheck> isapi_checks();
std::vector<ConformCheck> onvif_checks();
OnvifFacts discover_onvif(const ConformTarget& target);

TargetFacts discover(ConformTarget& target);
//! Runs every check (in order: ISAPI, RTSP, ONVIF); `on_check` sees each outcome as it comes.
reports::RunReport run_conformance(ConformTarget target,
                                   const std::function<void(const std::string& suite, const reports::ExpectationOutcome&)>& on_check = {});

//! The response as one line for evidence: "401 (WWW-Authenticate: Digest ...)", or the error.
std::string summary(const Response& response);
//! A request and its answer, for the detail of a failed check.
std::string transcript(const std::string& request, const Response& response);

}  // namespace camrig::conformance
