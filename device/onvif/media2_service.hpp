// The ONVIF Media2 service (tr2, Profile T) over the same media model as Media (media_service.hpp):
// the fixed stream profiles, video source and encoder configurations with H.264, H.265 and JPEG,
// stream and snapshot URIs, key frames, OSDs and encoder instances.
#pragma once

#include "soapMedia2BindingService.h"

#include "device/onvif/soap_service.hpp"

namespace camrig::onvif {

//! The mount of the Media2 service at /onvif/media2_service.
ServiceMount media2_service_mount();

class Media2Service final : public Media2BindingService {
 public:
  Media2Service(struct soap* context, const DeviceServices& services, const RequestInfo& request)
      : Media2BindingService(context), services_(services), request_(request) {}

  int GetServiceCapabilities(_tr2__GetServiceCapabilities* request, _tr2__GetServiceCapabilitiesResponse& response) override;
  int GetProfiles(_tr2__GetProfiles* request, _tr2__GetProfilesResponse& response) override;
  int CreateProfile(_tr2__CreateProfile* request, _tr2__CreateProfileResponse& response) override;
  int DeleteProfile(_tr2__DeleteProfile* request, _tr2__DeleteProfileResponse& response) override;
  int AddConfiguration(_tr2__AddConfiguration* request, _tr2__AddConfigurationResponse& response) override;
  int RemoveConfiguration(_tr2__RemoveConfiguration* request, _tr2__RemoveConfigurationResponse& response) override;
  int GetVideoSourceConfigurations(tr2__GetConfiguration* request, _tr2__GetVideoSourceConfigurationsResponse& response) override;
  int GetVideoSourceConfigurationOptions(tr2__GetConfiguration* request,
                                         _tr2__GetVideoSourceConfigurationOptionsResponse& response) override;
  int GetVideoEncoderConfigurations(tr2__GetConfiguration* request, _tr2__GetVideoEncoderConfigurationsResponse& response) override;
  int SetVideoEncoderConfiguration(_tr2__SetVideoEncoderConfiguration* request, tr2__SetConfigurationResponse& response) override;
  int GetVideoEncoderConfigurationOptions(tr2__GetConfiguration* request,
                                          _tr2__GetVideoEncoderConfigurationOptionsResponse& response) override;
  int GetVideoEncoderInstances(_tr2__GetVideoEncoderInstances* request, _tr2__GetVideoEncoderInstancesResponse& response) override;
  int GetStreamUri(_tr2__GetStreamUri* request, _tr2__GetStreamUriResponse& response) override;
  int GetSnapshotUri(_tr2__GetSnapshotUri* request, _tr2__GetSnapshotUriResponse& response) override;
  int SetSynchronizationPoint(_tr2__SetSynchronizationPoint* request, _tr2__SetSynchronizationPointResponse& response) override;
  int StartMulticastStreaming(tr2__StartStopMulticastStreaming* request, tr2__SetConfigurationResponse& response) override;
  int StopMulticastStreaming(tr2__StartStopMulticastStreaming* request, tr2__SetConfigurationResponse& response) override;
  int GetOSDs(_tr2__GetOSDs* request, _tr2__GetOSDsResponse& response) override;
  int GetOSDOptions(_tr2__GetOSDOptions* request, _tr2__GetOSDOptionsResponse& response) override;
  int SetOSD(_tr2__SetOSD* request, tr2__SetConfigurationResponse& response) override;
  int GetAnalyticsConfigurations(tr2__GetConfiguration* request, _tr2__GetAnalyticsConfigurationsResponse& response) override;
  int GetMetadataConfigurations(tr2__GetConfiguration* request, _tr2__GetMetadataConfigurationsResponse& response) override;
  int GetMetadataConfigurationOptions(tr2__GetConfiguration* request,
                                      _tr2__GetMetadataConfigurationOptionsResponse& response) override;
  int SetMetadataConfiguration(_tr2__SetMetadataConfiguration* request, tr2__SetConfigurationResponse& response) override;
  int CreateOSD(_tr2__CreateOSD* request, _tr2__CreateOSDResponse& response) override;
  int DeleteOSD(_tr2__DeleteOSD* request, tr2__SetConfigurationResponse& response) override;

 private:
  tt__VideoEncoder2Configuration* encoder_configuration(const core::StreamProfile& stream);
  //! The streams a GetConfiguration request names (by configuration or profile token), or all;
  //! nullopt after a fault was set.
  std::optional<std::vector<const core::StreamProfile*>> requested_streams(const tr2__GetConfiguration* request);

  const DeviceServices& services_;
  const RequestInfo& request_;
};

}  // namespace camrig::onvif
