// The ONVIF DeviceIO service (tmd): the alarm input terminals as digital inputs and the alarm
// outputs as relay outputs — their Delay (monostable) or Manual (bistable) mode stored through the
// event service's alarm outputs and driven as ISAPI drives them (manual alarm, or hold and release).
#pragma once

#include "soapDeviceIOBindingService.h"

#include "device/onvif/soap_service.hpp"

namespace camrig::onvif {

//! The mount of the DeviceIO service at /onvif/deviceio_service.
ServiceMount deviceio_service_mount();

//! "AlarmOut_1" for relay 1: the token of a relay output in every ONVIF service.
std::string relay_output_token(int relay);
//! The relay outputs with their mode and delay, as GetRelayOutputs of Device and DeviceIO list them.
void relay_outputs(struct soap* soap, const DeviceServices& services, std::vector<tt__RelayOutput*>& relays);
//! SetRelayOutputState of Device and DeviceIO: relay `relay` (1-based) made active or inactive.
Result<void> set_relay_output_state(const DeviceServices& services, int relay, bool active);

class DeviceIoService final : public DeviceIOBindingService {
 public:
  DeviceIoService(struct soap* context, const DeviceServices& services, const RequestInfo& request)
      : DeviceIOBindingService(context), services_(services), request_(request) {}

  int GetServiceCapabilities(_tmd__GetServiceCapabilities* request, _tmd__GetServiceCapabilitiesResponse& response) override;
  int GetDigitalInputs(_tmd__GetDigitalInputs* request, _tmd__GetDigitalInputsResponse& response) override;
  int GetRelayOutputs(_tds__GetRelayOutputs* request, _tds__GetRelayOutputsResponse& response) override;
  int GetRelayOutputOptions(_tmd__GetRelayOutputOptions* request, _tmd__GetRelayOutputOptionsResponse& response) override;
  int SetRelayOutputSettings(_tmd__SetRelayOutputSettings* request, _tmd__SetRelayOutputSettingsResponse& response) override;
  int SetRelayOutputState(_tds__SetRelayOutputState* request, _tds__SetRelayOutputStateResponse& response) override;

 private:
  int relay_count() const;
  //! The 1-based relay a token names, or 0.
  int relay_of(const std::string& token) const;
  void log_operation(std::string minor, std::string description) const;

  const DeviceServices& services_;
  const RequestInfo& request_;
};

}  // namespace camrig::onvif
