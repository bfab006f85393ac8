// The ONVIF Imaging service (timg): a video source's brightness, colour saturation, contrast,
// sharpness, IR cut filter (the day/night switch), WDR and backlight compensation, read and
// written as the config service's channel.<id>.image.* parameters that ISAPI's /ISAPI/Image uses,
// with the same ranges. Focus moves answer ActionNotSupported: no channel has a focus drive.
#pragma once

#include "soapImagingBindingService.h"

#include "device/onvif/soap_service.hpp"

namespace camrig::onvif {

//! The mount of the Imaging service at /onvif/imaging_service.
ServiceMount imaging_service_mount();

class ImagingService final : public ImagingBindingService {
 public:
  ImagingService(struct soap* context, const DeviceServices& services, const RequestInfo&)
      : ImagingBindingService(context), services_(services) {}

  int GetServiceCapabilities(_timg__GetServiceCapabilities* request, _timg__GetServiceCapabilitiesResponse& response) override;
  int GetImagingSettings(_timg__GetImagingSettings* request, _timg__GetImagingSettingsResponse& response) override;
  int SetImagingSettings(_timg__SetImagingSettings* request, _timg__SetImagingSettingsResponse& response) override;
  int GetOptions(_timg__GetOptions* request, _timg__GetOptionsResponse& response) override;
  int Move(_timg__Move* request, _timg__MoveResponse& response) override;
  int Stop(_timg__Stop* request, _timg__StopResponse& response) override;
  int GetStatus(_timg__GetStatus* request, _timg__GetStatusResponse& response) override;
  int GetMoveOptions(_timg__GetMoveOptions* request, _timg__GetMoveOptionsResponse& response) override;

 private:
  //! The channel of a video source token, or 0 after answering ter:NoSource in `fault`.
  int channel_of(const std::string& token, int& fault);
  int no_focus(const std::string& token);
  tt__FloatRange* range_of(int channel, std::string_view field);

  const DeviceServices& services_;
};

}  // namespace camrig::onvif
