// The ONVIF Analytics service (tan, Profile M) and the video analytics configuration the media
// profiles carry: per channel one configuration (VideoAnalyticsConfig_<n>) whose rules are the
// channel's line-crossing lines (tt:LineDetector) and intrusion regions (tt:FieldDetector), stored as
// the behaviour rules ISAPI's /ISAPI/Smart resources write, and whose modules are the motion and
// tampering detectors (tt:CellMotionEngine, tt:TamperEngine) with their sensitivity. Also the
// video analytics and metadata configurations of the media profiles (MetadataConfig_<n>: the
// stream.<id>.metadata.* settings the RTSP server's metadata track follows).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "soapRuleEngineBindingService.h"

#include "device/onvif/media_service.hpp"
#include "device/onvif/soap_service.hpp"

namespace camrig::onvif {

//! The mount of the Analytics service at /onvif/analytics_service.
ServiceMount analytics_service_mount();

namespace video_analytics {

std::string configuration_token(int channel);
//! The channel of a VideoAnalyticsConfig_<n> token that has analytics, or nullptr.
const core::ChannelProfile* channel_of(const DeviceServices& services, std::string_view token);
//! The channel's configuration with its modules and rules as the Analytics service reports them.
tt__VideoAnalyticsConfiguration* configuration(struct soap* soap, const DeviceServices& services, const core::ChannelProfile& channel);

}  // namespace video_analytics

//! The video analytics and metadata configurations of the media profiles, for Media and Media2.
//! A stream's own (fixed) profile may take them in and out; a made profile holds neither.
namespace profile_configurations {

enum class Kind { video_analytics, metadata };

std::string metadata_token(int channel);
//! The channel of a MetadataConfig_<n> token whose streams have a metadata track, or nullptr.
const core::ChannelProfile* metadata_channel_of(const DeviceServices& services, std::string_view token);
tt__MetadataConfiguration* metadata_configuration(struct soap* soap, const DeviceServices& services, const core::ChannelProfile& channel);
//! Analytics and Events of all the channel's streams; the fault (ter:ConfigModify) is set on failure.
int set_metadata_configuration(struct soap* soap, const DeviceServices& services, const tt__MetadataConfiguration* configuration);
tt__MetadataConfigurationOptions* metadata_options(struct soap* soap);

//! What the profile holds of that kind (nullptr: none).
tt__VideoAnalyticsConfiguration* video_analytics_of(struct soap* soap, const DeviceServices& services, const media::Profile& profile);
tt__MetadataConfiguration* metadata_of(struct soap* soap, const DeviceServices& services, const media::Profile& profile);
//! Every configuration of that kind on the device.
std::vector<tt__VideoAnalyticsConfiguration*> video_analytics_configurations(struct soap* soap, const DeviceServices& services);
std::vector<tt__MetadataConfiguration*> metadata_configurations(struct soap* soap, const DeviceServices& services);
//! Adds a configuration (by token) to a profile or removes it (nullptr); the gSOAP status, with
//! the fault set (ter:NoProfile, ter:NoConfig, ter:ConfigurationConflict).
int set_in_profile(struct soap* soap, const DeviceServices& services, std::string_view profile_token, Kind kind,
                   const std::string* configuration_token);

}  // namespace profile_configurations

class AnalyticsService final : public RuleEngineBindingService {
 public:
  AnalyticsService(struct soap* context, const DeviceServices& services, const RequestInfo& request)
      : RuleEngineBindingService(context), services_(services), request_(request) {}

  int GetServiceCapabilities(_tan__GetServiceCapabilities* request, _tan__GetServiceCapabilitiesResponse& response) override;
  int GetSupportedRules(_tan__GetSupportedRules* request, _tan__GetSupportedRulesResponse& response) override;
  int GetRules(_tan__GetRules* request, _tan__GetRulesResponse& response) override;
  int CreateRules(_tan__CreateRules* request, _tan__CreateRulesResponse& response) override;
  int ModifyRules(_tan__ModifyRules* request, _tan__ModifyRulesResponse& response) override;
  int DeleteRules(_tan__DeleteRules* request, _tan__DeleteRulesResponse& response) override;
  int GetSupportedAnalyticsModules(_tan__GetSupportedAnalyticsModules* request,
                                   _tan__GetSupportedAnalyticsModulesResponse& response) override;
  int GetAnalyticsModules(_tan__GetAnalyticsModules* request, _tan__GetAnalyticsModulesResponse& response) override;
  int ModifyAnalyticsModules(_tan__ModifyAnalyticsModules* request, _tan__ModifyAnalyticsModulesResponse& response) override;
  int GetAnalyticsModuleOptions(_tan__GetAnalyticsModuleOptions* request, _tan__GetAnalyticsModuleOptionsResponse& response) override;

 private:
  //! The channel of a configuration token, or nullptr after answering ter:NoConfig.
  const core::ChannelProfile* channel_of(const std::string& token);

  const DeviceServices& services_;
  const RequestInfo& request_;
};

}  // namespace camrig::onvif
