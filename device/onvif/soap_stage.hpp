// The SOAP stage of the ONVIF endpoint, before and after a service runs: gSOAP in memory on the
// request body, the envelope and its version checked, the operation element peeked, the
// WS-Security UsernameToken read, and the fault a refused, unknown or failed operation gets. It
// needs only gSOAP, so the endpoint and the fuzz target (tests/fuzz/) run this same code.
#pragma once

#include <optional>
#include <sstream>
#include <string>
#include <string_view>

#include "soapH.h"

#include "device/onvif/username_token.hpp"

namespace camrig::onvif {

//! One SOAP request read from a body and its answer written to memory (the HTTP layer is Beast's:
//! gSOAP reads and writes bare envelopes).
class SoapExchange {
 public:
  explicit SoapExchange(std::string body);
  ~SoapExchange();
  SoapExchange(const SoapExchange&) = delete;
  SoapExchange& operator=(const SoapExchange&) = delete;

  struct soap* soap() const { return soap_; }

  //! Reads the envelope and its header up to the operation element and gives the operation's local
  //! name ("GetHostname"); nullopt when the request is no usable SOAP envelope, its fault written.
  std::optional<std::string> begin();
  //! 1 (SOAP 1.1) or 2 (SOAP 1.2) as the request came; the answer is given in it.
  int request_version() const { return request_version_; }
  //! "text/xml" for SOAP 1.1, "application/soap+xml" for 1.2.
  const char* content_type() const;

  //! The WS-Security UsernameToken of the request's header, if it has one (after begin()).
  std::optional<UsernameToken> username_token() const;
  //! Answers ter:NotAuthorized with `reason` instead of serving the operation.
  void refuse(const std::string& reason);
  //! Drops the request's header (wsse:Security, WS-Addressing), which would otherwise be echoed in the
  //! response, before the service's dispatch reads the body.
  void drop_header();
  //! After dispatch returned `served`: the fault of a failed operation, ter:ActionNotSupported when the
  //! service does not know it; nothing when it was served.
  void finish(int served, const std::string& operation, std::string_view service_path);

  //! Whether the fault written so far is the sender's (HTTP 400) rather than the receiver's (500).
  bool sender_caused() const;
  //! The answer written so far.
  std::string answer() const { return out_.str(); }

 private:
  std::istringstream in_;
  std::ostringstream out_;
  struct soap* soap_;
  int request_version_ = 2;
};

//! env:Sender fault with ONVIF subcodes ("ter:InvalidArgVal", then e.g. "ter:InvalidHostname").
int sender_fault(struct soap* soap, const char* subcode, const char* detail_subcode, const std::string& reason);
//! env:Receiver fault with ONVIF subcodes ("ter:ActionNotSupported", ...).
int receiver_fault(struct soap* soap, const char* subcode, const char* detail_subcode, const std::string& reason);

}  // namespace camrig::onvif
