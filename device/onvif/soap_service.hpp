// What every ONVIF service adapter shares: the mount of a service on the endpoint (path,
// namespace, access class per operation, dispatch), the request it serves, and SOAP faults with
// ONVIF's ter: subcodes. Includes the generated soapH.h: only ONVIF handler sources include it.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "soapH.h"

#include "device/core/result.hpp"
#include "device/onvif/access_policy.hpp"
#include "device/onvif/onvif.hpp"
#include "device/onvif/soap_stage.hpp"  // sender_fault, receiver_fault

namespace camrig::onvif {

struct ServiceMount;

//! Writes an operation's answer later, from a thread of the service's own (PullMessages waiting
//! for events), so that the HTTP server is not held: it gets the response body's stream, writes the
//! whole envelope and closes it.
using DeferredAnswer = std::function<void(std::shared_ptr<http::ResponseStream>)>;

//! The request being served, as an operation sees it.
struct RequestInfo {
  std::string base_url;  //!< "http://<Host header>": service addresses are given as the client reached us
  std::optional<security::UserAccount> user;  //!< nullopt for pre-auth operations answered anonymously
  std::string client_address;
  const std::vector<ServiceMount>* mounts = nullptr;  //!< every service the endpoint serves
  //! "<name>" of POST /onvif/<path>/<name> (an event subscription); empty at the service's own path.
  std::string resource;
  //! An operation that answers later sets *defer and returns any status: the endpoint sends the
  //! HTTP header now and leaves the body to it.
  DeferredAnswer* defer = nullptr;
};

//! One ONVIF service on the endpoint.
struct ServiceMount {
  std::string path;        //!< "device_service": served at /onvif/<path>
  std::string name_space;  //!< "http://www.onvif.org/ver10/device/wsdl"
  int version_major = 0;
  int version_minor = 0;
  //! The access class of an operation by its element's local name ("GetHostname").
  std::function<AccessClass(std::string_view operation)> access;
  //! Serves the peeked request element; returns the gSOAP status (SOAP_NO_METHOD when unknown).
  std::function<int(struct soap*, const DeviceServices&, const RequestInfo&)> dispatch;
  //! Also served at /onvif/<path>/<name>, for resources the service creates (event subscriptions).
  bool serves_resources = false;
};

//! The ONVIF release the WSDLs in wsdl/ come from, given as every service's version.
inline constexpr int k_onvif_version_major = 26;
inline constexpr int k_onvif_version_minor = 6;

//! The mount of an adapter `Service` (a generated <X>BindingService constructed from the soap
//! context, the device services, the request and then `extra...`), served at /onvif/<path>.
template <class Service, class... Extra>
ServiceMount mount_service(std::string path, std::string name_space,
                           std::function<AccessClass(std::string_view operation)> access, Extra... extra) {
  ServiceMount mount;
  mount.path = std::move(path);
  mount.name_space = std::move(name_space);
  mount.version_major = k_onvif_version_major;
  mount.version_minor = k_onvif_version_minor;
  mount.access = std::move(access);
  mount.dispatch = [extra...](struct soap* soap, const DeviceServices& services, const RequestInfo& request) {
    Service service(soap, services, request, *extra...);
    return service.dispatch();
  };
  return mount;
}

//! A domain error as the fault ONVIF gives it: bad values → Sender InvalidArgVal, state → Receiver Action.
int fault_from(struct soap* soap, const Error& error, const char* detail_subcode = nullptr);

//! An operation entry in the system log for the request's user and address; a full log never
//! fails the operation.
void log_operation(const DeviceServices& services, const RequestInfo& request, std::string minor, std::string description);

//! The number after `prefix` in a token ("Profile_101" after "Profile_" is 101), or nullopt.
std::optional<int> number_after(std::string_view token, std::string_view prefix);

//! "PT10S", "PT1M30.5S", "P1DT2H": an xsd:duration without years and months (their length varies).
std::optional<std::chrono::milliseconds> parse_duration(std::string_view text);

//! Copies `text` into the soap context's memory (freed with the request).
char* soap_text(struct soap* soap, std::string_view text);

//! A std::string the soap context owns (freed with the request), for the generated types' strings.
std::string* soap_string(struct soap* soap, std::string_view text);

//! A copy of `value` in the soap context's memory, for the generated types' optional fields.
template <typename T>
T* soap_value(struct soap* soap, T value) {
  auto* result = static_cast<T*>(soap_malloc(soap, sizeof(T)));
  *result = value;
  return result;
}

//! The Media and Media2 services' faults (Sender, ter:InvalidArgVal): no such profile, no such
//! configuration, and a configuration the device cannot take (with the config service's message).
int no_profile(struct soap* soap, std::string_view token);
int no_config(struct soap* soap, std::string_view token);
int config_fault(struct soap* soap, const Error& error);

}  // namespace camrig::onvif
