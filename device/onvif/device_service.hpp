// The ONVIF Device service (tds): identity, capabilities and service list, device time, reboot
// and factory default, scopes and discovery mode, hostname and network settings, users and
// relays — each operation translated to the config service, user accounts, device clock,
// maintenance or relay outputs that ISAPI uses too.
#pragma once

#include "soapDeviceBindingService.h"

#include "device/onvif/soap_service.hpp"

namespace camrig::onvif {

//! The mount of the Device service at /onvif/device_service.
ServiceMount device_service_mount();

class DeviceService final : public DeviceBindingService {
 public:
  DeviceService(struct soap* context, const DeviceServices& services, const RequestInfo& request)
      : DeviceBindingService(context), services_(services), request_(request) {}

  int GetServices(_tds__GetServices* request, _tds__GetServicesResponse& response) override;
  int GetServiceCapabilities(_tds__GetServiceCapabilities* request, _tds__GetServiceCapabilitiesResponse& response) override;
  int GetCapabilities(_tds__GetCapabilities* request, _tds__GetCapabilitiesResponse& response) override;
  int GetDeviceInformation(_tds__GetDeviceInformation* request, _tds__GetDeviceInformationResponse& response) override;
  int GetSystemDateAndTime(_tds__GetSystemDateAndTime* request, _tds__GetSystemDateAndTimeResponse& response) override;
  int SetSystemDateAndTime(_tds__SetSystemDateAndTime* request, _tds__SetSystemDateAndTimeResponse& response) override;
  int SystemReboot(_tds__SystemReboot* request, _tds__SystemRebootResponse& response) override;
  int SetSystemFactoryDefault(_tds__SetSystemFactoryDefault* request, _tds__SetSystemFactoryDefaultResponse& response) override;
  int GetScopes(_tds__GetScopes* request, _tds__GetScopesResponse& response) override;
  int SetScopes(_tds__SetScopes* request, _tds__SetScopesResponse& response) override;
  int AddScopes(_tds__AddScopes* request, _tds__AddScopesResponse& response) override;
  int RemoveScopes(_tds__RemoveScopes* request, _tds__RemoveScopesResponse& response) override;
  int GetDiscoveryMode(_tds__GetDiscoveryMode* request, _tds__GetDiscoveryModeResponse& response) override;
  int SetDiscoveryMode(_tds__SetDiscoveryMode* request, _tds__SetDiscoveryModeResponse& response) override;
  int GetHostname(_tds__GetHostname* request, _tds__GetHostnameResponse& response) override;
  int SetHostname(_tds__SetHostname* request, _tds__SetHostnameResponse& response) override;
  int GetDNS(_tds__GetDNS* request, _tds__GetDNSResponse& response) override;
  int SetDNS(_tds__SetDNS* request, _tds__SetDNSResponse& response) override;
  int GetNTP(_tds__GetNTP* request, _tds__GetNTPResponse& response) override;
  int SetNTP(_tds__SetNTP* request, _tds__SetNTPResponse& response) override;
  int GetNetworkInterfaces(_tds__GetNetworkInterfaces* request, _tds__GetNetworkInterfacesResponse& response) override;
  int SetNetworkInterfaces(_tds__SetNetworkInterfaces* request, _tds__SetNetworkInterfacesResponse& response) override;
  int GetNetworkProtocols(_tds__GetNetworkProtocols* request, _tds__GetNetworkProtocolsResponse& response) override;
  int SetNetworkProtocols(_tds__SetNetworkProtocols* request, _tds__SetNetworkProtocolsResponse& response) override;
  int GetNetworkDefaultGateway(_tds__GetNetworkDefaultGateway* request,
                               _tds__GetNetworkDefaultGatewayResponse& response) override;
  int SetNetworkDefaultGateway(_tds__SetNetworkDefaultGateway* request,
                               _tds__SetNetworkDefaultGatewayResponse& response) override;
  int GetUsers(_tds__GetUsers* request, _tds__GetUsersResponse& response) override;
  int CreateUsers(_tds__CreateUsers* request, _tds__CreateUsersResponse& response) override;
  int DeleteUsers(_tds__DeleteUsers* request, _tds__DeleteUsersResponse& response) override;
  int SetUser(_tds__SetUser* request, _tds__SetUserResponse& response) override;
  int GetWsdlUrl(_tds__GetWsdlUrl* request, _tds__GetWsdlUrlResponse& response) override;
  int GetRelayOutputs(_tds__GetRelayOutputs* request, _tds__GetRelayOutputsResponse& response) override;
  int SetRelayOutputState(_tds__SetRelayOutputState* request, _tds__SetRelayOutputStateResponse& response) override;

 private:
  std::string xaddr(std::string_view path) const { return request_.base_url + "/onvif/" + std::string(path); }
  std::vector<std::string> fixed_scopes() const;
  std::vector<std::string> configurable_scopes() const;
  int store_scopes(const std::vector<std::string>& scopes);
  void log_operation(std::string minor, std::string description) const;

  const DeviceServices& services_;
  const RequestInfo& request_;
};

}  // namespace camrig::onvif
