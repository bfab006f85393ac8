#include "device/onvif/device_service.hpp"
#include "device/onvif/service_namespaces.hpp"

#include <algorithm>
#include <cctype>
#include <map>
#include <set>
#include <sstream>

#include "device/core/ip_address.hpp"
#include "device/onvif/deviceio_service.hpp"
#include "device/onvif/event_topics.hpp"
#include "device/onvif/scopes.hpp"
#include "device/system/time_settings.hpp"
#include "device/system/time_zone.hpp"

namespace camrig::onvif {
namespace {

// The ONVIF release of the WSDLs this firmware is generated from (devicemgmt.wsdl version 26.06).

// Per operation, from the ONVIF Core specification's access class of each Device operation;
// an operation not listed needs an administrator (WRITE_SYSTEM).
const std::map<std::string, AccessClass, std::less<>>& device_access_classes() {
  static const std::map<std::string, AccessClass, std::less<>> classes = {
      {"GetWsdlUrl", AccessClass::pre_auth},
      {"GetServices", AccessClass::pre_auth},
      {"GetServiceCapabilities", AccessClass::pre_auth},
      {"GetCapabilities", AccessClass::pre_auth},
      {"GetSystemDateAndTime", AccessClass::pre_auth},
      {"GetHostname", AccessClass::pre_auth},
      {"GetEndpointReference", AccessClass::pre_auth},
      {"GetDeviceInformation", AccessClass::read_system},
      {"GetScopes", AccessClass::read_system},
      {"GetDiscoveryMode", AccessClass::read_system},
      {"GetDNS", AccessClass::read_system},
      {"GetNTP", AccessClass::read_system},
      {"GetNetworkInterfaces", AccessClass::read_system},
      {"GetNetworkProtocols", AccessClass::read_system},
      {"GetNetworkDefaultGateway", AccessClass::read_system},
      {"GetRelayOutputs", AccessClass::read_system},
      {"GetUsers", AccessClass::read_system_secret},
      {"SetRelayOutputState", AccessClass::actuate},
      {"SystemReboot", AccessClass::unrecoverable},
      {"SetSystemFactoryDefault", AccessClass::unrecoverable},
  };
  return classes;
}

std::optional<security::UserLevel> level_of(tt__UserLevel level) {
  switch (level) {
    case tt__UserLevel__Administrator: return security::UserLevel::administrator;
    case tt__UserLevel__Operator: return security::UserLevel::operator_level;
    case tt__UserLevel__User: return security::UserLevel::user;
    default: return std::nullopt;
  }
}

tt__UserLevel onvif_level(security::UserLevel level) {
  switch (level) {
    case security::UserLevel::administrator: return tt__UserLevel__Administrator;
    case security::UserLevel::operator_level: return tt__UserLevel__Operator;
    case security::UserLevel::user: return tt__UserLevel__User;
  }
  return tt__UserLevel__User;
}

using core::is_ipv4;
using core::is_ipv6;

// RFC 1123 host name: dot-separated labels of letters, digits and hyphens, none starting or
// ending with a hyphen.
bool is_hostname(std::string_view name) {
  if (name.empty() || name.size() > 253) return false;
  std::size_t start = 0;
  while (start <= name.size()) {
    const auto end = std::min(name.find('.', start), name.size());
    const auto label = name.substr(start, end - start);
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') return false;
    for (const char c : label)
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-') return false;
    start = end + 1;
  }
  return true;
}

tt__DateTime* date_time(struct soap* soap, hal::WallTime time) {
  const auto days = std::chrono::floor<std::chrono::days>(time);
  const std::chrono::year_month_day date{days};
  const std::chrono::hh_mm_ss clock{std::chrono::floor<std::chrono::seconds>(time - days)};
  auto* result = soap_new_tt__DateTime(soap);
  result->Date = soap_new_tt__Date(soap);
  result->Date->Year = static_cast<int>(date.year());
  result->Date->Month = static_cast<int>(static_cast<unsigned>(date.month()));
  result->Date->Day = static_cast<int>(static_cast<unsigned>(date.day()));
  result->Time = soap_new_tt__Time(soap);
  result->Time->Hour = static_cast<int>(clock.hours().count());
  result->Time->Minute = static_cast<int>(clock.minutes().count());
  result->Time->Second = static_cast<int>(clock.seconds().count());
  return result;
}

std::optional<hal::WallTime> wall_time_of(const tt__DateTime& value) {
  if (!value.Date || !value.Time) return std::nullopt;
  const std::chrono::year_month_day date{std::chrono::year(value.Date->Year),
                                         std::chrono::month(static_cast<unsigned>(value.Date->Month)),
                                         std::chrono::day(static_cast<unsigned>(value.Date->Day))};
  if (!date.ok() || value.Time->Hour < 0 || value.Time->Hour > 23 || value.Time->Minute < 0 ||
      value.Time->Minute > 59 || value.Time->Second < 0 || value.Time->Second > 59)
    return std::nullopt;
  return std::chrono::sys_days(date) + std::chrono::hours(value.Time->Hour) +
         std::chrono::minutes(value.Time->Minute) + std::chrono::seconds(value.Time->Second);
}

tt__IPAddress* ip_address(struct soap* soap, const std::string& text) {
  auto* address = soap_new_tt__IPAddress(soap);
  if (is_ipv6(text)) {
    address->Type = tt__IPType__IPv6;
    address->IPv6Address = soap_new_std__string(soap);
    *address->IPv6Address = text;
  } else {
    address->Type = tt__IPType__IPv4;
    address->IPv4Address = soap_new_std__string(soap);
    *address->IPv4Address = text;
  }
  return address;
}

bool* soap_bool(struct soap* soap, bool value) {
  auto* result = soap_new_bool(soap);
  *result = value;
  return result;
}

int* soap_int(struct soap* soap, int value) {
  auto* result = soap_new_int(soap);
  *result = value;
  return result;
}

//! The device's one network interface.
const std::string k_interface_token = "eth0";

}  // namespace

ServiceMount device_service_mount() {
  return mount_service<DeviceService>("device_service", k_device_namespace, [](std::string_view operation) {
    const auto& classes = device_access_classes();
    const auto it = classes.find(operation);
    return it == classes.end() ? AccessClass::write_system : it->second;
  });
}

void DeviceService::log_operation(std::string minor, std::string description) const {
  onvif::log_operation(services_, request_, std::move(minor), std::move(description));
}

int DeviceService::GetServices(_tds__GetServices*, _tds__GetServicesResponse& response) {
  for (const auto& mount : *request_.mounts) {
    auto* service = soap_new_tds__Service(soap);
    service->Namespace = mount.name_space;
    service->XAddr = xaddr(mount.path);
    service->Version = soap_new_tt__OnvifVersion(soap);
    service->Version->Major = mount.version_major;
    service->Version->Minor = mount.version_minor;
    response.Service.push_back(service);
  }
  return SOAP_OK;
}

int DeviceService::GetServiceCapabilities(_tds__GetServiceCapabilities*, _tds__GetServiceCapabilitiesResponse& response) {
  auto* capabilities = soap_new_tds__DeviceServiceCapabilities(soap);
  capabilities->Network = soap_new_tds__NetworkCapabilities(soap);
  capabilities->Network->IPFilter = soap_bool(soap, false);
  capabilities->Network->ZeroConfiguration = soap_bool(soap, false);
  capabilities->Network->IPVersion6 = soap_bool(soap, false);
  capabilities->Network->DynDNS = soap_bool(soap, false);
  capabilities->Network->HostnameFromDHCP = soap_bool(soap, false);
  capabilities->Network->NTP = soap_int(soap, 1);
  capabilities->Security = soap_new_tds__SecurityCapabilities(soap);
  capabilities->Security->UsernameToken = soap_bool(soap, true);
  capabilities->Security->HttpDigest = soap_bool(soap, true);
  capabilities->Security->DefaultAccessPolicy = soap_bool(soap, true);
  capabilities->System = soap_new_tds__SystemCapabilities(soap);
  capabilities->System->DiscoveryBye = soap_bool(soap, services_.discovery);
  capabilities->System->DiscoveryResolve = soap_bool(soap, services_.discovery);
  capabilities->System->RemoteDiscovery = soap_bool(soap, false);
  capabilities->System->SystemLogging = soap_bool(soap, false);
  capabilities->System->SystemBackup = soap_bool(soap, false);
  response.Capabilities = capabilities;
  return SOAP_OK;
}

int DeviceService::GetCapabilities(_tds__GetCapabilities* request, _tds__GetCapabilitiesResponse& response) {
  const bool all = request->Category.empty() ||
                   std::find(request->Category.begin(), request->Category.end(), tt__CapabilityCategory__All) !=
                       request->Category.end();
  const bool device = all || std::find(request->Category.begin(), request->Category.end(),
                                       tt__CapabilityCategory__Device) != request->Category.end();
  const bool media = all || std::find(request->Category.begin(), request->Category.end(),
                                      tt__CapabilityCategory__Media) != request->Category.end();
  const bool imaging = all || std::find(request->Category.begin(), request->Category.end(),
                                        tt__CapabilityCategory__Imaging) != request->Category.end();
  // PTZ only where a channel has a drive: the service is mounted then.
  const bool has_ptz = std::any_of(request_.mounts->begin(), request_.mounts->end(),
                                   [](const ServiceMount& mount) { return mount.path == "ptz_service"; });
  const bool ptz = has_ptz && (all || std::find(request->Category.begin(), request->Category.end(),
                                                tt__CapabilityCategory__PTZ) != request->Category.end());
  const bool event_category = all || std::find(request->Category.begin(), request->Category.end(),
                                               tt__CapabilityCategory__Events) != request->Category.end();
  const bool analytics = all || std::find(request->Category.begin(), request->Category.end(),
                                          tt__CapabilityCategory__Analytics) != request->Category.end();
  if (!device && !media && !imaging && !ptz && !event_category && !analytics)
    return receiver_fault(soap, "ter:ActionNotSupported", "ter:NoSuchService",
                          "this device serves the Device service only so far");
  response.Capabilities = soap_new_tt__Capabilities(soap);
  auto* capabilities = soap_new_tt__DeviceCapabilities(soap);
  capabilities->XAddr = xaddr("device_service");
  capabilities->Network = soap_new_tt__NetworkCapabilities(soap);
  capabilities->Network->IPFilter = soap_bool(soap, false);
  capabilities->Network->ZeroConfiguration = soap_bool(soap, false);
  capabilities->Network->IPVersion6 = soap_bool(soap, false);
  capabilities->Network->DynDNS = soap_bool(soap, false);
  capabilities->System = soap_new_tt__SystemCapabilities(soap);
  capabilities->System->DiscoveryBye = services_.discovery;
  capabilities->System->DiscoveryResolve = services_.discovery;
  auto* version = soap_new_tt__OnvifVersion(soap);
  version->Major = k_onvif_version_major;
  version->Minor = k_onvif_version_minor;
  capabilities->System->SupportedVersions.push_back(version);
  capabilities->IO = soap_new_tt__IOCapabilities(soap);
  capabilities->IO->InputConnectors = soap_int(soap, services_.profile->capabilities.alarm_inputs);
  capabilities->IO->RelayOutputs = soap_int(soap, services_.relays ? services_.relays->count() : 0);
  capabilities->Security = soap_new_tt__SecurityCapabilities(soap);
  if (device) response.Capabilities->Device = capabilities;
  if (media) {
    response.Capabilities->Media = soap_new_tt__MediaCapabilities(soap);
    response.Capabilities->Media->XAddr = xaddr("media_service");
    auto* streaming = soap_new_tt__RealTimeStreamingCapabilities(soap);
    streaming->RTPMulticast = soap_bool(soap, true);
    streaming->RTP_USCORETCP = soap_bool(soap, true);
    streaming->RTP_USCORERTSP_USCORETCP = soap_bool(soap, true);
    response.Capabilities->Media->StreamingCapabilities = streaming;
  }
  if (imaging) {
    response.Capabilities->Imaging = soap_new_tt__ImagingCapabilities(soap);
    response.Capabilities->Imaging->XAddr = xaddr("imaging_service");
  }
  if (ptz) {
    response.Capabilities->PTZ = soap_new_tt__PTZCapabilities(soap);
    response.Capabilities->PTZ->XAddr = xaddr("ptz_service");
  }
  if (analytics) {
    response.Capabilities->Analytics = soap_new_tt__AnalyticsCapabilities(soap);
    response.Capabilities->Analytics->XAddr = xaddr("analytics_service");
    response.Capabilities->Analytics->RuleSupport = true;
    response.Capabilities->Analytics->AnalyticsModuleSupport = true;
  }
  if (event_category) {
    response.Capabilities->Events = soap_new_tt__EventCapabilities(soap);
    response.Capabilities->Events->XAddr = xaddr("event_service");
    response.Capabilities->Events->WSPullPointSupport = true;
  }
  if (all) {
    if (!response.Capabilities->Extension) response.Capabilities->Extension = soap_new_tt__CapabilitiesExtension(soap);
    response.Capabilities->Extension->DeviceIO = soap_new_tt__DeviceIOCapabilities(soap);
    response.Capabilities->Extension->DeviceIO->XAddr = xaddr("deviceio_service");
    response.Capabilities->Extension->DeviceIO->VideoSources = static_cast<int>(services_.profile->channels.size());
    response.Capabilities->Extension->DeviceIO->RelayOutputs = services_.relays ? services_.relays->count() : 0;
  }
  return SOAP_OK;
}

int DeviceService::GetDeviceInformation(_tds__GetDeviceInformation*, _tds__GetDeviceInformationResponse& response) {
  const auto& device = services_.profile->device;
  response.Manufacturer = device.manufacturer;
  response.Model = device.model;
  response.FirmwareVersion = device.firmware_version;
  response.SerialNumber = device.serial_number;
  response.HardwareId = device.hardware_version;
  return SOAP_OK;
}

int DeviceService::GetSystemDateAndTime(_tds__GetSystemDateAndTime*, _tds__GetSystemDateAndTimeResponse& response) {
  const auto now = std::chrono::floor<std::chrono::seconds>(services_.clock->wall_time());
  auto* value = soap_new_tt__SystemDateTime(soap);
  value->DateTimeType = services_.config->get_string("time.mode") == "NTP" ? tt__SetDateTimeType__NTP
                                                                            : tt__SetDateTimeType__Manual;
  value->DaylightSavings = services_.config->get_bool("time.dst.enabled");
  value->UTCDateTime = date_time(soap, now);
  if (auto zone = system::configured_time_zone(*services_.config)) {
    value->TimeZone = soap_new_tt__TimeZone(soap);
    value->TimeZone->TZ = system::format_time_zone(*zone);
    value->LocalDateTime = date_time(soap, now + system::local_offset(*zone, now));
  }
  response.SystemDateAndTime = value;
  return SOAP_OK;
}

int DeviceService::SetSystemDateAndTime(_tds__SetSystemDateAndTime* request, _tds__SetSystemDateAndTimeResponse&) {
  std::vector<core::ConfigService::Change> changes;
  const bool manual = request->DateTimeType == tt__SetDateTimeType__Manual;
  changes.emplace_back("time.mode", core::ConfigValue(std::string(manual ? "manual" : "NTP")));
  changes.emplace_back("time.dst.enabled", core::ConfigValue(request->DaylightSavings));
  if (request->TimeZone) {
    auto zone = system::parse_time_zone(request->TimeZone->TZ);
    if (!zone) return sender_fault(soap, "ter:InvalidArgVal", "ter:InvalidTimeZone", zone.error().message);
    auto zone_changes = system::time_zone_changes(*zone);
    if (!zone_changes) return sender_fault(soap, "ter:InvalidArgVal", "ter:InvalidTimeZone", zone_changes.error().message);
    changes.insert(changes.end(), zone_changes->begin(), zone_changes->end());
  }
  std::optional<hal::WallTime> set_to;
  if (manual) {
    if (!request->UTCDateTime)
      return sender_fault(soap, "ter:InvalidArgVal", "ter:InvalidDateTime", "manual time needs UTCDateTime");
    set_to = wall_time_of(*request->UTCDateTime);
    if (!set_to)
      return sender_fault(soap, "ter:InvalidArgVal", "ter:InvalidDateTime", "UTCDateTime is not a valid date and time");
  }
  if (auto applied = services_.config->apply(changes); !applied) return fault_from(soap, applied.error());
  if (set_to) {
    services_.clock->set_wall_time(*set_to);
    log_operation("Remote: Set Time", "time set over ONVIF");
  }
  return SOAP_OK;
}

int DeviceService::SystemReboot(_tds__SystemReboot*, _tds__SystemRebootResponse& response) {
  if (!services_.maintenance)
    return receiver_fault(soap, "ter:ActionNotSupported", nullptr, "this device cannot reboot");
  services_.maintenance->reboot({request_.user ? request_.user->name : std::string(), request_.client_address});
  response.Message = "Rebooting";
  return SOAP_OK;
}

int DeviceService::SetSystemFactoryDefault(_tds__SetSystemFactoryDefault* request, _tds__SetSystemFactoryDefaultResponse&) {
  if (!services_.maintenance)
    return receiver_fault(soap, "ter:ActionNotSupported", nullptr, "this device cannot restore its defaults");
  // Soft keeps what a network reset would lose (users, network, ports), as the manuals' Restore does.
  const auto mode = request->FactoryDefault == tt__FactoryDefaultType__Soft ? core::RestoreMode::restore
                                                                            : core::RestoreMode::factory_default;
  auto reset = services_.maintenance->factory_reset(
      mode, {request_.user ? request_.user->name : std::string(), request_.client_address});
  if (!reset) return fault_from(soap, reset.error());
  return SOAP_OK;
}

// One list with WS-Discovery's Hello and ProbeMatches (scopes.hpp).
std::vector<std::string> DeviceService::fixed_scopes() const {
  return onvif::fixed_scopes(*services_.profile, *services_.config);
}

std::vector<std::string> DeviceService::configurable_scopes() const {
  return onvif::configurable_scopes(*services_.config);
}

int DeviceService::store_scopes(const std::vector<std::string>& scopes) {
  std::string text;
  for (const auto& scope : scopes) text += (text.empty() ? "" : " ") + scope;
  if (auto set = services_.config->set("onvif.scopes", core::ConfigValue(text)); !set)
    return receiver_fault(soap, "ter:Action", "ter:TooManyScopes", set.error().message);
  return SOAP_OK;
}

int DeviceService::GetScopes(_tds__GetScopes*, _tds__GetScopesResponse& response) {
  for (const auto& [scopes, definition] : {std::pair{fixed_scopes(), tt__ScopeDefinition__Fixed},
                                           std::pair{configurable_scopes(), tt__ScopeDefinition__Configurable}})
    for (const auto& item : scopes) {
      auto* scope = soap_new_tt__Scope(soap);
      scope->ScopeDef = definition;
      scope->ScopeItem = item;
      response.Scopes.push_back(scope);
    }
  return SOAP_OK;
}

int DeviceService::SetScopes(_tds__SetScopes* request, _tds__SetScopesResponse&) {
  const auto fixed = fixed_scopes();
  for (const auto& scope : request->Scopes) {
    if (scope.empty() || scope.find_first_of(" \t\r\n") != std::string::npos)
      return sender_fault(soap, "ter:InvalidArgVal", nullptr, "'" + scope + "' is not a scope URI");
    if (std::find(fixed.begin(), fixed.end(), scope) != fixed.end())
      return sender_fault(soap, "ter:OperationProhibited", "ter:ScopeOverwrite", scope + " is a fixed scope");
  }
  return store_scopes(request->Scopes);
}

int DeviceService::AddScopes(_tds__AddScopes* request, _tds__AddScopesResponse&) {
  auto scopes = configurable_scopes();
  for (const auto& scope : request->ScopeItem) {
    if (scope.empty() || scope.find_first_of(" \t\r\n") != std::string::npos)
      return sender_fault(soap, "ter:InvalidArgVal", nullptr, "'" + scope + "' is not a scope URI");
    if (std::find(scopes.begin(), scopes.end(), scope) == scopes.end()) scopes.push_back(scope);
  }
  return store_scopes(scopes);
}

int DeviceService::RemoveScopes(_tds__RemoveScopes* request, _tds__RemoveScopesResponse& response) {
  const auto fixed = fixed_scopes();
  auto scopes = configurable_scopes();
  for (const auto& scope : request->ScopeItem) {
    if (std::find(fixed.begin(), fixed.end(), scope) != fixed.end())
      return sender_fault(soap, "ter:OperationProhibited", "ter:FixedScope", scope + " is a fixed scope");
    const auto it = std::find(scopes.begin(), scopes.end(), scope);
    if (it == scopes.end()) return sender_fault(soap, "ter:InvalidArgVal", "ter:NoScope", "no scope " + scope);
    scopes.erase(it);
  }
  if (const int stored = store_scopes(scopes); stored != SOAP_OK) return stored;
  response.ScopeItem = request->ScopeItem;
  return SOAP_OK;
}

int DeviceService::GetDiscoveryMode(_tds__GetDiscoveryMode*, _tds__GetDiscoveryModeResponse& response) {
  response.DiscoveryMode = services_.config->get_string("onvif.discovery_mode") == "NonDiscoverable"
                               ? tt__DiscoveryMode__NonDiscoverable
                               : tt__DiscoveryMode__Discoverable;
  return SOAP_OK;
}

int DeviceService::SetDiscoveryMode(_tds__SetDiscoveryMode* request, _tds__SetDiscoveryModeResponse&) {
  const std::string mode = request->DiscoveryMode == tt__DiscoveryMode__NonDiscoverable ? "NonDiscoverable" : "Discoverable";
  if (auto set = services_.config->set("onvif.discovery_mode", core::ConfigValue(mode)); !set)
    return fault_from(soap, set.error());
  return SOAP_OK;
}

// The host name is the device name (ISAPI deviceInfo deviceName), restricted to host name syntax
// when set over ONVIF.
int DeviceService::GetHostname(_tds__GetHostname*, _tds__GetHostnameResponse& response) {
  response.HostnameInformation = soap_new_tt__HostnameInformation(soap);
  response.HostnameInformation->FromDHCP = false;
  response.HostnameInformation->Name = soap_new_std__string(soap);
  *response.HostnameInformation->Name = services_.config->get_string("device.name");
  return SOAP_OK;
}

int DeviceService::SetHostname(_tds__SetHostname* request, _tds__SetHostnameResponse&) {
  if (!is_hostname(request->Name))
    return sender_fault(soap, "ter:InvalidArgVal", "ter:InvalidHostname",
                        "'" + request->Name + "' is not a host name (letters, digits and hyphens, dot-separated)");
  if (auto set = services_.config->set("device.name", core::ConfigValue(request->Name)); !set)
    return fault_from(soap, set.error(), "ter:InvalidHostname");
  log_operation("Remote: Set Device Name", "host name set to " + request->Name + " over ONVIF");
  return SOAP_OK;
}

int DeviceService::GetDNS(_tds__GetDNS*, _tds__GetDNSResponse& response) {
  response.DNSInformation = soap_new_tt__DNSInformation(soap);
  response.DNSInformation->FromDHCP = false;
  for (const char* key : {"network.interface.dns1", "network.interface.dns2"})
    if (const auto server = services_.config->get_string(key); !server.empty())
      response.DNSInformation->DNSManual.push_back(ip_address(soap, server));
  return SOAP_OK;
}

int DeviceService::SetDNS(_tds__SetDNS* request, _tds__SetDNSResponse&) {
  if (request->FromDHCP)
    return receiver_fault(soap, "ter:ActionNotSupported", nullptr, "DNS servers from DHCP are not supported");
  if (request->DNSManual.size() > 2)
    return sender_fault(soap, "ter:InvalidArgVal", nullptr, "the device keeps two DNS servers (preferred, alternate)");
  std::vector<std::string> servers;
  for (const auto* address : request->DNSManual) {
    const bool v6 = address->Type == tt__IPType__IPv6;
    const std::string* text = v6 ? address->IPv6Address : address->IPv4Address;
    if (!text || !(v6 ? is_ipv6(*text) : is_ipv4(*text)))
      return sender_fault(soap, "ter:InvalidArgVal", v6 ? "ter:InvalidIPv6Address" : "ter:InvalidIPv4Address",
                          "DNS server '" + (text ? *text : std::string()) + "' is not an IP address");
    servers.push_back(*text);
  }
  servers.resize(2);
  std::vector<core::ConfigService::Change> changes = {{"network.interface.dns1", core::ConfigValue(servers[0])},
                                                      {"network.interface.dns2", core::ConfigValue(servers[1])}};
  if (auto applied = services_.config->apply(changes); !applied) return fault_from(soap, applied.error());
  return SOAP_OK;
}

int DeviceService::GetNTP(_tds__GetNTP*, _tds__GetNTPResponse& response) {
  response.NTPInformation = soap_new_tt__NTPInformation(soap);
  response.NTPInformation->FromDHCP = false;
  if (const auto server = services_.config->get_string("time.ntp.server"); !server.empty()) {
    auto* host = soap_new_tt__NetworkHost(soap);
    host->Type = is_ipv4(server) ? tt__NetworkHostType__IPv4 : is_ipv6(server) ? tt__NetworkHostType__IPv6
                                                                                : tt__NetworkHostType__DNS;
    auto* text = soap_new_std__string(soap);
    *text = server;
    (host->Type == tt__NetworkHostType__IPv4 ? host->IPv4Address
     : host->Type == tt__NetworkHostType__IPv6 ? host->IPv6Address
                                                : host->DNSname) = text;
    response.NTPInformation->NTPManual.push_back(host);
  }
  return SOAP_OK;
}

int DeviceService::SetNTP(_tds__SetNTP* request, _tds__SetNTPResponse&) {
  if (request->FromDHCP)
    return receiver_fault(soap, "ter:ActionNotSupported", nullptr, "NTP servers from DHCP are not supported");
  if (request->NTPManual.size() != 1)
    return sender_fault(soap, "ter:InvalidArgVal", nullptr, "the device has exactly one NTP server");
  const auto* host = request->NTPManual.front();
  const std::string* text = host->Type == tt__NetworkHostType__IPv4   ? host->IPv4Address
                            : host->Type == tt__NetworkHostType__IPv6 ? host->IPv6Address
                                                                      : host->DNSname;
  if (!text || text->empty())
    return sender_fault(soap, "ter:InvalidArgVal", "ter:InvalidNetworkHost", "the NTP server has no address");
  if ((host->Type == tt__NetworkHostType__IPv4 && !is_ipv4(*text)) ||
      (host->Type == tt__NetworkHostType__IPv6 && !is_ipv6(*text)) ||
      (host->Type == tt__NetworkHostType__DNS && !is_hostname(*text)))
    return sender_fault(soap, "ter:InvalidArgVal", "ter:InvalidNetworkHost", "'" + *text + "' is not a valid NTP server");
  if (auto set = services_.config->set("time.ntp.server", core::ConfigValue(*text)); !set)
    return fault_from(soap, set.error(), "ter:InvalidNetworkHost");
  return SOAP_OK;
}

// The device's one interface, "eth0": its IPv4 address and mask, IPv6 address and prefix, MTU and
// MAC address are the network.interface.* settings ISAPI's NetworkInterface shows.
int DeviceService::GetNetworkInterfaces(_tds__GetNetworkInterfaces*, _tds__GetNetworkInterfacesResponse& response) {
  const auto& config = *services_.config;
  auto* interface = soap_new_tt__NetworkInterface(soap);
  interface->token = k_interface_token;
  interface->Enabled = true;
  interface->Info = soap_new_tt__NetworkInterfaceInfo(soap);
  interface->Info->Name = soap_new_std__string(soap);
  *interface->Info->Name = k_interface_token;
  interface->Info->HwAddress = services_.profile->device.mac_address;
  interface->Info->MTU = soap_int(soap, static_cast<int>(config.get_int("network.interface.mtu")));
  interface->IPv4 = soap_new_tt__IPv4NetworkInterface(soap);
  interface->IPv4->Enabled = true;
  interface->IPv4->Config = soap_new_tt__IPv4Configuration(soap);
  interface->IPv4->Config->DHCP = config.get_bool("network.interface.dhcp");
  auto* v4 = soap_new_tt__PrefixedIPv4Address(soap);
  v4->Address = config.get_string("network.interface.ipv4_address");
  v4->PrefixLength = core::ipv4_prefix_length(config.get_string("network.interface.ipv4_mask")).value_or(24);
  interface->IPv4->Config->Manual.push_back(v4);
  if (const auto v6_text = config.get_string("network.interface.ipv6_address"); !v6_text.empty()) {
    interface->IPv6 = soap_new_tt__IPv6NetworkInterface(soap);
    interface->IPv6->Enabled = true;
    interface->IPv6->Config = soap_new_tt__IPv6Configuration(soap);
    interface->IPv6->Config->DHCP = tt__IPv6DHCPConfiguration__Off;
    auto* v6 = soap_new_tt__PrefixedIPv6Address(soap);
    v6->Address = v6_text;
    v6->PrefixLength = static_cast<int>(config.get_int("network.interface.ipv6_prefix_length"));
    interface->IPv6->Config->Manual.push_back(v6);
  }
  response.NetworkInterfaces.push_back(interface);
  return SOAP_OK;
}

// Addresses are checked together with the stored gateway and DNS servers, as ISAPI does; the new
// address applies once the device restarts its network, which the answer says (RebootNeeded).
int DeviceService::SetNetworkInterfaces(_tds__SetNetworkInterfaces* request, _tds__SetNetworkInterfacesResponse& response) {
  if (request->InterfaceToken != k_interface_token)
    return sender_fault(soap, "ter:InvalidArgVal", "ter:InvalidNetworkInterface",
                        "no network interface '" + request->InterfaceToken + "' (the device has " + k_interface_token + ")");
  const auto* wanted = request->NetworkInterface;
  if (!wanted) return sender_fault(soap, "ter:InvalidArgVal", nullptr, "NetworkInterface is missing");
  if ((wanted->Enabled && !*wanted->Enabled) || (wanted->IPv4 && wanted->IPv4->Enabled && !*wanted->IPv4->Enabled))
    return sender_fault(soap, "ter:InvalidArgVal", "ter:InvalidNetworkInterface",
                        "the device's only interface and its IPv4 cannot be switched off");
  if (wanted->Link)
    return receiver_fault(soap, "ter:ActionNotSupported", nullptr, "the link speed and duplex are negotiated automatically");
  std::map<std::string, std::string> values;
  for (const char* field : {"ipv4_address", "ipv4_mask", "ipv4_gateway", "ipv6_address", "ipv6_gateway", "dns1", "dns2"})
    values[field] = services_.config->get_string(std::string("network.interface.") + field);
  std::vector<core::ConfigService::Change> changes;
  if (wanted->IPv4) {
    if (wanted->IPv4->Manual.size() > 1)
      return sender_fault(soap, "ter:InvalidArgVal", "ter:InvalidIPv4Address", "the interface has one IPv4 address");
    if (!wanted->IPv4->Manual.empty()) {
      const auto* address = wanted->IPv4->Manual.front();
      if (address->PrefixLength < 1 || address->PrefixLength > 32)
        return sender_fault(soap, "ter:InvalidArgVal", "ter:InvalidIPv4Address", "the IPv4 prefix length is 1..32");
      values["ipv4_address"] = address->Address;
      values["ipv4_mask"] = core::ipv4_mask(address->PrefixLength);
    }
    if (wanted->IPv4->DHCP) changes.emplace_back("network.interface.dhcp", core::ConfigValue(*wanted->IPv4->DHCP));
  }
  if (auto valid = core::check_interface_addresses(values); !valid)
    return sender_fault(soap, "ter:InvalidArgVal", "ter:InvalidIPv4Address", valid.error().message);
  for (const char* field : {"ipv4_address", "ipv4_mask"})
    changes.emplace_back(std::string("network.interface.") + field, core::ConfigValue(values[field]));
  if (wanted->MTU) changes.emplace_back("network.interface.mtu", core::ConfigValue(std::int64_t{*wanted->MTU}));
  if (auto applied = services_.config->apply(changes); !applied) return fault_from(soap, applied.error());
  response.RebootNeeded = true;
  return SOAP_OK;
}

int DeviceService::GetNetworkProtocols(_tds__GetNetworkProtocols*, _tds__GetNetworkProtocolsResponse& response) {
  const std::tuple<tt__NetworkProtocolType, const char*, bool> protocols[] = {
      {tt__NetworkProtocolType__HTTP, "network.http_port", true},
      {tt__NetworkProtocolType__HTTPS, "network.https_port", services_.config->get_bool("network.https.enabled")},
      {tt__NetworkProtocolType__RTSP, "network.rtsp_port", true},
  };
  for (const auto& [name, key, enabled] : protocols) {
    auto* protocol = soap_new_tt__NetworkProtocol(soap);
    protocol->Name = name;
    protocol->Enabled = enabled;
    protocol->Port.push_back(static_cast<int>(services_.config->get_int(key)));
    response.NetworkProtocols.push_back(protocol);
  }
  return SOAP_OK;
}

int DeviceService::SetNetworkProtocols(_tds__SetNetworkProtocols* request, _tds__SetNetworkProtocolsResponse&) {
  std::vector<core::ConfigService::Change> changes;
  for (const auto* protocol : request->NetworkProtocols) {
    if (protocol->Port.size() > 1)
      return sender_fault(soap, "ter:InvalidArgVal", nullptr, "each protocol listens on one port");
    const char* key = protocol->Name == tt__NetworkProtocolType__HTTP    ? "network.http_port"
                      : protocol->Name == tt__NetworkProtocolType__HTTPS ? "network.https_port"
                                                                          : "network.rtsp_port";
    if (protocol->Name == tt__NetworkProtocolType__HTTPS)
      changes.emplace_back("network.https.enabled", core::ConfigValue(protocol->Enabled));
    else if (!protocol->Enabled)
      return receiver_fault(soap, "ter:ActionNotSupported", "ter:EnablingHttpFailed",
                            "HTTP and RTSP cannot be switched off on this device");
    if (!protocol->Port.empty()) changes.emplace_back(key, core::ConfigValue(std::int64_t{protocol->Port.front()}));
  }
  if (auto applied = services_.config->apply(changes); !applied) return fault_from(soap, applied.error(), "ter:PortAlreadyInUse");
  return SOAP_OK;
}

int DeviceService::GetNetworkDefaultGateway(_tds__GetNetworkDefaultGateway*, _tds__GetNetworkDefaultGatewayResponse& response) {
  response.NetworkGateway = soap_new_tt__NetworkGateway(soap);
  if (auto v4 = services_.config->get_string("network.interface.ipv4_gateway"); !v4.empty())
    response.NetworkGateway->IPv4Address.push_back(v4);
  if (auto v6 = services_.config->get_string("network.interface.ipv6_gateway"); !v6.empty())
    response.NetworkGateway->IPv6Address.push_back(v6);
  return SOAP_OK;
}

int DeviceService::SetNetworkDefaultGateway(_tds__SetNetworkDefaultGateway* request, _tds__SetNetworkDefaultGatewayResponse&) {
  if (request->IPv4Address.size() > 1 || request->IPv6Address.size() > 1)
    return sender_fault(soap, "ter:InvalidArgVal", nullptr, "the device has one IPv4 and one IPv6 default gateway");
  std::vector<core::ConfigService::Change> changes;
  if (!request->IPv4Address.empty()) {
    if (!is_ipv4(request->IPv4Address.front()))
      return sender_fault(soap, "ter:InvalidArgVal", "ter:InvalidGatewayAddress",
                          "'" + request->IPv4Address.front() + "' is not an IPv4 address");
    changes.emplace_back("network.interface.ipv4_gateway", core::ConfigValue(request->IPv4Address.front()));
  }
  if (!request->IPv6Address.empty()) {
    if (!is_ipv6(request->IPv6Address.front()))
      return sender_fault(soap, "ter:InvalidArgVal", "ter:InvalidGatewayAddress",
                          "'" + request->IPv6Address.front() + "' is not an IPv6 address");
    changes.emplace_back("network.interface.ipv6_gateway", core::ConfigValue(request->IPv6Address.front()));
  }
  if (auto applied = services_.config->apply(changes); !applied) return fault_from(soap, applied.error());
  return SOAP_OK;
}

int DeviceService::GetUsers(_tds__GetUsers*, _tds__GetUsersResponse& response) {
  for (const auto& account : services_.accounts->list()) {
    auto* user = soap_new_tt__User(soap);
    user->Username = account.name;
    user->UserLevel = onvif_level(account.level);
    response.User.push_back(user);
  }
  return SOAP_OK;
}

int DeviceService::CreateUsers(_tds__CreateUsers* request, _tds__CreateUsersResponse&) {
  // All or none: every user is checked before any is added, and added ones are removed on a failure.
  std::set<std::string> names;
  for (const auto* user : request->User) {
    if (!names.insert(user->Username).second || services_.accounts->find(user->Username))
      return sender_fault(soap, "ter:OperationProhibited", "ter:UsernameClash", "user " + user->Username + " exists");
    if (!level_of(user->UserLevel))
      return sender_fault(soap, "ter:OperationProhibited", "ter:AnonymousNotAllowed",
                          "users are Administrator, Operator or User");
    if (!user->Password || user->Password->empty())
      return sender_fault(soap, "ter:OperationProhibited", "ter:PasswordTooWeak", "user " + user->Username + " needs a password");
  }
  std::vector<int> added;
  for (const auto* user : request->User) {
    auto account = services_.accounts->add(user->Username, *user->Password, *level_of(user->UserLevel));
    if (!account) {
      for (const int id : added) (void)services_.accounts->remove(id);
      const auto& error = account.error();
      if (error.code == ErrorCode::unavailable || error.code == ErrorCode::out_of_range)
        return receiver_fault(soap, "ter:Action", "ter:TooManyUsers", error.message);
      return sender_fault(soap, "ter:OperationProhibited", "ter:PasswordTooWeak", error.message);
    }
    added.push_back(account->id);
    log_operation("Remote: Add User", "user " + user->Username + " added over ONVIF");
  }
  return SOAP_OK;
}

int DeviceService::DeleteUsers(_tds__DeleteUsers* request, _tds__DeleteUsersResponse&) {
  std::vector<int> ids;
  for (const auto& name : request->Username) {
    const auto account = services_.accounts->find(name);
    if (!account) return sender_fault(soap, "ter:InvalidArgVal", "ter:UsernameMissing", "no user " + name);
    if (account->id == 1)
      return sender_fault(soap, "ter:InvalidArgVal", "ter:FixedUser", "the administrator cannot be deleted");
    ids.push_back(account->id);
  }
  for (const int id : ids)
    if (auto removed = services_.accounts->remove(id); !removed) return fault_from(soap, removed.error());
  log_operation("Remote: Delete User", std::to_string(ids.size()) + " user(s) deleted over ONVIF");
  return SOAP_OK;
}

int DeviceService::SetUser(_tds__SetUser* request, _tds__SetUserResponse&) {
  for (const auto* user : request->User) {
    const auto account = services_.accounts->find(user->Username);
    if (!account) return sender_fault(soap, "ter:InvalidArgVal", "ter:UsernameMissing", "no user " + user->Username);
    const auto level = level_of(user->UserLevel);
    if (!level)
      return sender_fault(soap, "ter:OperationProhibited", "ter:AnonymousNotAllowed",
                          "users are Administrator, Operator or User");
    if (account->id == 1 && *level != security::UserLevel::administrator)
      return sender_fault(soap, "ter:InvalidArgVal", "ter:FixedUser", "the administrator's level cannot change");
  }
  for (const auto* user : request->User) {
    const auto account = services_.accounts->find(user->Username);
    std::optional<std::string> password;
    if (user->Password) password = *user->Password;
    auto modified = services_.accounts->modify(account->id, password,
                                               account->id == 1 ? std::nullopt : level_of(user->UserLevel));
    if (!modified) return sender_fault(soap, "ter:OperationProhibited", "ter:PasswordTooWeak", modified.error().message);
    log_operation("Remote: Modify User", "user " + user->Username + " modified over ONVIF");
  }
  return SOAP_OK;
}

int DeviceService::GetWsdlUrl(_tds__GetWsdlUrl*, _tds__GetWsdlUrlResponse& response) {
  response.WsdlUrl = "http://www.onvif.org/ver10/device/wsdl/devicemgmt.wsdl";
  return SOAP_OK;
}

int DeviceService::GetRelayOutputs(_tds__GetRelayOutputs*, _tds__GetRelayOutputsResponse& response) {
  relay_outputs(soap, services_, response.RelayOutputs);  // as DeviceIO lists them
  return SOAP_OK;
}

int DeviceService::SetRelayOutputState(_tds__SetRelayOutputState* request, _tds__SetRelayOutputStateResponse&) {
  const int count = services_.relays ? services_.relays->count() : 0;
  int index = -1;
  for (int i = 0; i < count; ++i)
    if (relay_token(i + 1) == request->RelayOutputToken) index = i;
  if (index < 0)
    return sender_fault(soap, "ter:InvalidArgVal", "ter:RelayToken", "no relay output " + request->RelayOutputToken);
  const bool active = request->LogicalState == tt__RelayLogicalState__active;
  // As DeviceIO does: through the event engine's alarm outputs, in the relay's mode.
  if (auto set = set_relay_output_state(services_, index + 1, active); !set) return fault_from(soap, set.error());
  log_operation("Remote: Manual Alarm Output",
                "alarm output " + std::to_string(index + 1) + (active ? " set high" : " set low") + " over ONVIF");
  return SOAP_OK;
}

}  // namespace camrig::onvif
