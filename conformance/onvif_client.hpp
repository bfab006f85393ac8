// A small ONVIF client for the bench: SOAP 1.2 envelopes POSTed over the ISAPI client's HTTP, with
// a WS-Security UsernameToken (PasswordDigest, nonce, Created on the camera's clock) and the
// answer's Body element, fault code and subcodes read back. Light on purpose: any camera, no
// generated bindings.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <pugixml.hpp>

#include "conformance/clients.hpp"

namespace camrig::conformance {

struct SoapAnswer {
  std::string request;  //!< what was sent (the digest, never the password)
  Response http;
  std::shared_ptr<pugi::xml_document> document;  //!< null when the body is not XML
  pugi::xml_node body_element;                   //!< the first child of env:Body
  std::string fault_code;                        //!< "env:Sender", when the answer is a Fault
  std::vector<std::string> fault_subcodes;       //!< e.g. "ter:NotAuthorized", outermost first

  bool is_fault() const { return !fault_code.empty(); }
  //! Local name of the Body element, e.g. "GetDeviceInformationResponse" or "Fault"; empty if none.
  std::string element() const;
  //! Text of the first element with this local name under the Body, or empty.
  std::string text(const std::string& local_name) const;
  //! Every element with this local name under the Body.
  std::vector<pugi::xml_node> all(const std::string& local_name) const;
  //! True when a fault subcode has this local name (e.g. "NotAuthorized").
  bool has_subcode(const std::string& local_name) const;
  //! One line for evidence: "200 tds:GetDeviceInformationResponse" or "400 Fault env:Sender/ter:NotAuthorized".
  std::string summary() const;
};

//! Local name of an element or QName text ("tt:Foo" -> "Foo").
std::string local_part(const std::string& name);

class OnvifClient {
 public:
  OnvifClient(Endpoint http, std::string user, std::string password, std::chrono::milliseconds timeout);

  //! Camera clock minus this machine's clock; Created is stamped on the camera's time.
  void set_clock_offset(std::chrono::seconds offset) { clock_offset_ = offset; }
  std::chrono::seconds clock_offset() const { return clock_offset_; }

  //! `body` is the Body's content; `namespaces` extra xmlns declarations for the Envelope.
  SoapAnswer call(const std::string& path, const std::string& body, const std::string& namespaces = {}) const;
  //! The same without a Security header (pre-authentication operations).
  SoapAnswer call_anonymous(const std::string& path, const std::string& body, const std::string& namespaces = {}) const;
  //! With a UsernameToken of this password and Created `age` in the past (bad-login checks).
  SoapAnswer call_as(const std::string& path, const std::string& body, const std::string& namespaces, const std::string& password,
                     std::chrono::seconds age) const;

 private:
  SoapAnswer post(const std::string& path, const std::string& header, const std::string& body, const std::string& namespaces,
                  bool http_login) const;
  std::string security_header(const std::string& password, std::chrono::seconds age) const;

  Endpoint http_;
  std::string user_;
  std::string password_;
  std::chrono::milliseconds timeout_;
  std::chrono::seconds clock_offset_{0};
};

//! The path of an XAddr ("http://10.0.0.5/onvif/media_service" -> "/onvif/media_service").
std::string path_of(const std::string& url);
//! Parses xs:dateTime "2026-01-01T08:00:03Z" (UTC); nullopt when it is not one.
std::optional<std::chrono::system_clock::time_point> parse_utc(const std::string& text);

}  // namespace camrig::conformance
