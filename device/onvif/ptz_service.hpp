// The ONVIF PTZ service (tptz), on the profiles with PTZ channels only: nodes and configurations
// describing the motor's limits in ONVIF's generic spaces, absolute/relative (generic and
// field-of-view)/continuous moves, stop, status from the motor, presets and home position — each
// translated to the channel's ptz::PtzController, which ISAPI drives too. Also the PTZ
// configurations the media profiles carry (Media and Media2), through which clients find a
// profile's PTZ node.
#pragma once

#include "soapPTZBindingService.h"

#include "device/onvif/media_service.hpp"
#include "device/onvif/soap_service.hpp"

namespace camrig::onvif {

//! The mount of the PTZ service at /onvif/ptz_service.
ServiceMount ptz_service_mount();

//! The PTZ configuration (PTZConfig_<channel>) of the media profiles: a stream's own profile on a
//! PTZ channel holds its channel's unless a client took it out; a made profile holds one once a
//! client put it in. Kept in onvif.media.ptz (device/core/schema/onvif_ptz_profiles.json).
namespace ptz_configurations {

std::string token(int channel);
//! The controller of a PTZConfig_<n> token, or nullptr.
ptz::PtzController* controller_of(const DeviceServices& services, std::string_view configuration_token);
//! The controller of the profile's PTZ configuration, or nullptr when it holds none.
ptz::PtzController* controller_of(const DeviceServices& services, const media::Profile& profile);
tt__PTZConfiguration* configuration(struct soap* soap, const DeviceServices& services, const ptz::PtzController& controller);
//! What the profile holds (nullptr: none).
tt__PTZConfiguration* configuration_of(struct soap* soap, const DeviceServices& services, const media::Profile& profile);
//! The configurations a profile may take: those of its video source's channel (all without a source).
std::vector<ptz::PtzController*> compatible(const DeviceServices& services, const media::Profile& profile);
//! Puts a configuration (by token) into a profile or takes it out (nullptr); the gSOAP status, with
//! the fault set (ter:NoProfile, ter:NoConfig, ter:ConfigurationConflict).
int set_in_profile(struct soap* soap, const DeviceServices& services, std::string_view profile_token,
                   const std::string* configuration_token);
//! Forgets what a deleted profile held, so a new profile of the same token starts without it.
Result<void> forget(const DeviceServices& services, std::string_view profile_token);

}  // namespace ptz_configurations

class PtzService final : public PTZBindingService {
 public:
  PtzService(struct soap* context, const DeviceServices& services, const RequestInfo&)
      : PTZBindingService(context), services_(services) {}

  int GetServiceCapabilities(_tptz__GetServiceCapabilities* request, _tptz__GetServiceCapabilitiesResponse& response) override;
  int GetNodes(_tptz__GetNodes* request, _tptz__GetNodesResponse& response) override;
  int GetNode(_tptz__GetNode* request, _tptz__GetNodeResponse& response) override;
  int GetConfigurations(_tptz__GetConfigurations* request, _tptz__GetConfigurationsResponse& response) override;
  int GetConfiguration(_tptz__GetConfiguration* request, _tptz__GetConfigurationResponse& response) override;
  int GetConfigurationOptions(_tptz__GetConfigurationOptions* request,
                              _tptz__GetConfigurationOptionsResponse& response) override;
  int GetCompatibleConfigurations(_tptz__GetCompatibleConfigurations* request,
                                  _tptz__GetCompatibleConfigurationsResponse& response) override;
  int AbsoluteMove(_tptz__AbsoluteMove* request, _tptz__AbsoluteMoveResponse& response) override;
  int RelativeMove(_tptz__RelativeMove* request, _tptz__RelativeMoveResponse& response) override;
  int ContinuousMove(_tptz__ContinuousMove* request, _tptz__ContinuousMoveResponse& response) override;
  int Stop(_tptz__Stop* request, _tptz__StopResponse& response) override;
  int GetStatus(_tptz__GetStatus* request, _tptz__GetStatusResponse& response) override;
  int GetPresets(_tptz__GetPresets* request, _tptz__GetPresetsResponse& response) override;
  int SetPreset(_tptz__SetPreset* request, _tptz__SetPresetResponse& response) override;
  int RemovePreset(_tptz__RemovePreset* request, _tptz__RemovePresetResponse& response) override;
  int GotoPreset(_tptz__GotoPreset* request, _tptz__GotoPresetResponse& response) override;
  int GotoHomePosition(_tptz__GotoHomePosition* request, _tptz__GotoHomePositionResponse& response) override;
  int SetHomePosition(_tptz__SetHomePosition* request, _tptz__SetHomePositionResponse& response) override;

 private:
  //! The controller of a media profile's channel, or a fault (ter:NoProfile, ter:NoPTZProfile) in `fault`.
  ptz::PtzController* controller_of(const std::string& profile_token, int& fault);
  ptz::PtzController* controller_of_configuration(const std::string& token, int& fault);
  tt__PTZNode* node(const ptz::PtzController& controller);
  tt__PTZSpaces* spaces();
  tt__PTZVector* vector(const ptz::PtzController& controller, const hal::PtzPosition& position);

  const DeviceServices& services_;
};

}  // namespace camrig::onvif
