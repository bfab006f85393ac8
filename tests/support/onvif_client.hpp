// What the ONVIF integration tests do with the gSOAP client proxies generated from the camera's own
// WSDLs: aim a proxy at a service, sign a request with a WS-Security UsernameToken, read the ONVIF
// subcodes of a fault, and read the camera's ISAPI side back with curl to see a change land there.
#pragma once

#include <string>
#include <vector>

#include "soapH.h"
#include "wsseapi.h"

#include "tests/support/process.hpp"

namespace camrig::test::onvif {

//! Points a proxy at `url` (kept alive by the caller) with timeouts a loaded CI machine survives.
inline void aim(struct soap* soap, const char*& endpoint, const std::string& url, int timeout_seconds = 20) {
  endpoint = url.c_str();
  soap->connect_timeout = 10;
  soap->recv_timeout = timeout_seconds;
  soap->send_timeout = timeout_seconds;
}

//! Adds a UsernameToken with PasswordDigest to the next request; SOAP_OK when it was added.
inline int sign(struct soap* soap, const std::string& user, const std::string& password) {
  return soap_wsse_add_UsernameTokenDigest(soap, "Auth", user.c_str(), password.c_str());
}

//! The fault's first subcode ("ter:InvalidArgVal"), or empty.
inline std::string fault_subcode(struct soap* soap) {
  const char* subcode = soap_fault_subcode(soap);
  return subcode ? subcode : "";
}

//! ONVIF's second, more specific subcode ("ter:ConfigModify"), or empty.
inline std::string detail_subcode(struct soap* soap) {
  const auto* code = soap->fault ? soap->fault->SOAP_ENV__Code : nullptr;
  const auto* first = code ? code->SOAP_ENV__Subcode : nullptr;
  const auto* second = first ? first->SOAP_ENV__Subcode : nullptr;
  return second && second->SOAP_ENV__Value ? second->SOAP_ENV__Value : "";
}

//! An ISAPI request with Digest login through curl; `extra` goes before the URL (headers, -w).
inline ProcessResult isapi(int http_port, const std::string& user, const std::string& password, const std::string& method,
                           const std::string& path, const std::string& body = "", const std::vector<std::string>& extra = {}) {
  std::vector<std::string> argv{"curl", "-s", "-S", "--max-time", "20", "--digest", "-u", user + ":" + password, "-X", method};
  argv.insert(argv.end(), extra.begin(), extra.end());
  if (!body.empty()) argv.insert(argv.end(), {"--data-binary", body});
  argv.push_back("http://127.0.0.1:" + std::to_string(http_port) + path);
  return run_process(argv, std::chrono::seconds(30));
}

}  // namespace camrig::test::onvif
