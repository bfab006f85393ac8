// The ONVIF Media service (trt, Profile S) and the media model it shares with Media2: one fixed
// profile per existing stream of each channel, the channel's video source, the stream's encoder
// settings (config service stream.<id>.*, as ISAPI /ISAPI/Streaming/channels), stream and snapshot
// URIs of the camera's RTSP server and ISAPI, key frames through the stream hub, and the channel's
// OSD (channel.<n>.osd.*, as ISAPI overlays).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "soapMediaBindingService.h"

#include "device/onvif/soap_service.hpp"

namespace camrig::onvif {

//! The mount of the Media service at /onvif/media_service.
ServiceMount media_service_mount();

//! The access class of a Media or Media2 operation (ONVIF Media specifications' default policy:
//! reads READ_MEDIA, changes ACTUATE, capabilities PRE_AUTH).
AccessClass media_access_class(std::string_view operation);

namespace media {

//! A stream's encoder settings as ONVIF names them; unset fields stay as they are.
struct EncoderChange {
  std::optional<std::string> codec;  //!< "H.264", "H.265" or "MJPEG" (keeps a current "+")
  std::optional<int> width;
  std::optional<int> height;
  std::optional<int> frame_rate;
  std::optional<int> bitrate_kbps;
  std::optional<bool> constant_bitrate;
  std::optional<int> quality;  //!< 1 (lowest) .. 6 (highest)
  std::optional<int> gov_length;
  std::optional<std::string> profile;  //!< "baseline", "main", "high"
  std::optional<std::string> multicast_address;
  std::optional<int> multicast_port;
  std::optional<int> multicast_ttl;
};

//! The config key of a stream's parameter: "stream.<id>.<field>".
std::string stream_key(int stream_id, std::string_view field);

//! Streams that exist (custom slots once added), in profile order.
std::vector<const core::StreamProfile*> existing_streams(const DeviceServices& services);

//! A media profile: the fixed one of a stream, or one a client made (CreateProfile), kept as JSON
//! in onvif.media.profiles so that it survives a restart.
struct Profile {
  std::string token;
  std::string name;
  bool fixed = true;
  const core::ChannelProfile* source = nullptr;  //!< its video source configuration, if any
  const core::StreamProfile* encoder = nullptr;  //!< its video encoder configuration, if any
};

//! Clients may make this many profiles besides the fixed ones.
inline constexpr int k_max_user_profiles = 8;

std::vector<Profile> profiles(const DeviceServices& services);
std::optional<Profile> find_profile(const DeviceServices& services, std::string_view token);
//! An empty profile; `token` as asked, or the first free "UserProfile_<n>". already_exists for a
//! token in use, unavailable when k_max_user_profiles are made.
Result<std::string> create_profile(const DeviceServices& services, const std::string& name, const std::string* token);
//! not_configurable for a fixed profile.
Result<void> delete_profile(const DeviceServices& services, std::string_view token);
enum class ConfigurationKind { video_source, video_encoder };
//! Puts a configuration (by token) into a made profile, or takes it out (nullptr). A fixed
//! profile keeps its own: asking for what it has is fine, anything else is not_configurable.
Result<void> set_profile_configuration(const DeviceServices& services, std::string_view profile_token, ConfigurationKind kind,
                                       const std::string* configuration_token);
//! The fault ONVIF gives a profile operation's error.
int profile_fault(struct soap* soap, const Error& error);

std::string profile_token(int stream_id);
std::string encoder_token(int stream_id);
std::string source_token(int channel);
std::string source_configuration_token(int channel);
//! The existing stream an encoder configuration token names.
const core::StreamProfile* stream_of(const DeviceServices& services, std::string_view token);
//! The channel a video source or video source configuration token names.
const core::ChannelProfile* channel_of(const DeviceServices& services, std::string_view token);

//! "H.264", "H.265" or "MJPEG": the stream's codec without the smart "+".
std::string base_codec(const DeviceServices& services, int stream_id);
//! 1..6 from the stream's Video Quality.
int quality_level(const DeviceServices& services, int stream_id);
//! The codecs ("H.264", "H.265", "MJPEG") and resolutions the stream accepts.
std::vector<std::string> codecs_allowed(const DeviceServices& services, int stream_id);
std::vector<core::Resolution> resolutions_allowed(const DeviceServices& services, int stream_id);

//! Through the config service, all at once, only what differs: the same checks as an ISAPI PUT.
Result<void> apply_encoder_change(const DeviceServices& services, int stream_id, const EncoderChange& change);

tt__VideoSourceConfiguration* video_source_configuration(struct soap* soap, const DeviceServices& services,
                                                         const core::ChannelProfile& channel);
tt__VideoSourceConfigurationOptions* video_source_configuration_options(struct soap* soap, const DeviceServices& services,
                                                                       const core::ChannelProfile* only);
tt__MulticastConfiguration* multicast_configuration(struct soap* soap, const DeviceServices& services, int stream_id);
//! The multicast fields of a request as config changes; invalid_argument for an IPv6 group.
Result<void> add_multicast_change(const tt__MulticastConfiguration* multicast, EncoderChange& change);

//! rtsp://<host the client used>:<RTSP port>/Streaming/Channels/<id>: the URI for every RTP
//! transport (UDP, TCP, RTSP over HTTP on the same port) and multicast (asked for in SETUP).
std::string stream_uri(const DeviceServices& services, const RequestInfo& request, int stream_id);
//! ISAPI's picture of the stream: http://<host>/ISAPI/Streaming/channels/<id>/picture.
std::string snapshot_uri(const RequestInfo& request, int stream_id);
//! unavailable when the stream is not encoding.
Result<void> request_key_frame(const DeviceServices& services, int stream_id);
//! Start/StopMulticastStreaming of a profile's stream: the stream goes to its multicast group
//! (the stream's multicast settings) without any RTSP client until stopped. Not persisted: the
//! device announces no AutoStart. Returns the gSOAP status, with the fault set.
int multicast_streaming(struct soap* soap, const DeviceServices& services, const RequestInfo& request, int stream_id,
                        bool start);

//! The channels' OSDs shown now (enabled), optionally of one video source configuration or token.
Result<std::vector<tt__OSDConfiguration*>> osds(struct soap* soap, const DeviceServices& services,
                                                const std::string* configuration_token, const std::string* osd_token);
Result<void> set_osd(const DeviceServices& services, const tt__OSDConfiguration& osd);
//! The token of the OSD slot taken.
Result<std::string> create_osd(const DeviceServices& services, const tt__OSDConfiguration& osd);
Result<void> delete_osd(const DeviceServices& services, std::string_view token);
tt__OSDConfigurationOptions* osd_options(struct soap* soap);

}  // namespace media

class MediaService final : public MediaBindingService {
 public:
  MediaService(struct soap* context, const DeviceServices& services, const RequestInfo& request)
      : MediaBindingService(context), services_(services), request_(request) {}

  int GetServiceCapabilities(_trt__GetServiceCapabilities* request, _trt__GetServiceCapabilitiesResponse& response) override;
  int GetVideoSources(_trt__GetVideoSources* request, _trt__GetVideoSourcesResponse& response) override;
  int CreateProfile(_trt__CreateProfile* request, _trt__CreateProfileResponse& response) override;
  int DeleteProfile(_trt__DeleteProfile* request, _trt__DeleteProfileResponse& response) override;
  int AddVideoSourceConfiguration(_trt__AddVideoSourceConfiguration* request,
                                  _trt__AddVideoSourceConfigurationResponse& response) override;
  int AddVideoEncoderConfiguration(_trt__AddVideoEncoderConfiguration* request,
                                   _trt__AddVideoEncoderConfigurationResponse& response) override;
  int RemoveVideoSourceConfiguration(_trt__RemoveVideoSourceConfiguration* request,
                                     _trt__RemoveVideoSourceConfigurationResponse& response) override;
  int RemoveVideoEncoderConfiguration(_trt__RemoveVideoEncoderConfiguration* request,
                                      _trt__RemoveVideoEncoderConfigurationResponse& response) override;
  int GetProfiles(_trt__GetProfiles* request, _trt__GetProfilesResponse& response) override;
  int GetProfile(_trt__GetProfile* request, _trt__GetProfileResponse& response) override;
  int GetVideoSourceConfigurations(_trt__GetVideoSourceConfigurations* request,
                                   _trt__GetVideoSourceConfigurationsResponse& response) override;
  int GetVideoSourceConfiguration(_trt__GetVideoSourceConfiguration* request,
                                  _trt__GetVideoSourceConfigurationResponse& response) override;
  int GetCompatibleVideoSourceConfigurations(_trt__GetCompatibleVideoSourceConfigurations* request,
                                             _trt__GetCompatibleVideoSourceConfigurationsResponse& response) override;
  int GetVideoSourceConfigurationOptions(_trt__GetVideoSourceConfigurationOptions* request,
                                         _trt__GetVideoSourceConfigurationOptionsResponse& response) override;
  int GetVideoEncoderConfigurations(_trt__GetVideoEncoderConfigurations* request,
                                    _trt__GetVideoEncoderConfigurationsResponse& response) override;
  int GetVideoEncoderConfiguration(_trt__GetVideoEncoderConfiguration* request,
                                   _trt__GetVideoEncoderConfigurationResponse& response) override;
  int GetCompatibleVideoEncoderConfigurations(_trt__GetCompatibleVideoEncoderConfigurations* request,
                                              _trt__GetCompatibleVideoEncoderConfigurationsResponse& response) override;
  int SetVideoEncoderConfiguration(_trt__SetVideoEncoderConfiguration* request,
                                   _trt__SetVideoEncoderConfigurationResponse& response) override;
  int GetVideoEncoderConfigurationOptions(_trt__GetVideoEncoderConfigurationOptions* request,
                                          _trt__GetVideoEncoderConfigurationOptionsResponse& response) override;
  int GetGuaranteedNumberOfVideoEncoderInstances(_trt__GetGuaranteedNumberOfVideoEncoderInstances* request,
                                                 _trt__GetGuaranteedNumberOfVideoEncoderInstancesResponse& response) override;
  int GetStreamUri(_trt__GetStreamUri* request, _trt__GetStreamUriResponse& response) override;
  int GetSnapshotUri(_trt__GetSnapshotUri* request, _trt__GetSnapshotUriResponse& response) override;
  int SetSynchronizationPoint(_trt__SetSynchronizationPoint* request, _trt__SetSynchronizationPointResponse& response) override;
  int StartMulticastStreaming(_trt__StartMulticastStreaming* request, _trt__StartMulticastStreamingResponse& response) override;
  int StopMulticastStreaming(_trt__StopMulticastStreaming* request, _trt__StopMulticastStreamingResponse& response) override;
  int GetOSDs(_trt__GetOSDs* request, _trt__GetOSDsResponse& response) override;
  int GetOSD(_trt__GetOSD* request, _trt__GetOSDResponse& response) override;
  int GetOSDOptions(_trt__GetOSDOptions* request, _trt__GetOSDOptionsResponse& response) override;
  int SetOSD(_trt__SetOSD* request, _trt__SetOSDResponse& response) override;
  int CreateOSD(_trt__CreateOSD* request, _trt__CreateOSDResponse& response) override;
  int DeleteOSD(_trt__DeleteOSD* request, _trt__DeleteOSDResponse& response) override;
  int GetVideoAnalyticsConfigurations(_trt__GetVideoAnalyticsConfigurations* request,
                                      _trt__GetVideoAnalyticsConfigurationsResponse& response) override;
  int GetVideoAnalyticsConfiguration(_trt__GetVideoAnalyticsConfiguration* request,
                                     _trt__GetVideoAnalyticsConfigurationResponse& response) override;
  int GetCompatibleVideoAnalyticsConfigurations(_trt__GetCompatibleVideoAnalyticsConfigurations* request,
                                                _trt__GetCompatibleVideoAnalyticsConfigurationsResponse& response) override;
  int AddVideoAnalyticsConfiguration(_trt__AddVideoAnalyticsConfiguration* request,
                                     _trt__AddVideoAnalyticsConfigurationResponse& response) override;
  int RemoveVideoAnalyticsConfiguration(_trt__RemoveVideoAnalyticsConfiguration* request,
                                        _trt__RemoveVideoAnalyticsConfigurationResponse& response) override;
  int GetMetadataConfigurations(_trt__GetMetadataConfigurations* request, _trt__GetMetadataConfigurationsResponse& response) override;
  int GetMetadataConfiguration(_trt__GetMetadataConfiguration* request, _trt__GetMetadataConfigurationResponse& response) override;
  int GetCompatibleMetadataConfigurations(_trt__GetCompatibleMetadataConfigurations* request,
                                          _trt__GetCompatibleMetadataConfigurationsResponse& response) override;
  int GetMetadataConfigurationOptions(_trt__GetMetadataConfigurationOptions* request,
                                      _trt__GetMetadataConfigurationOptionsResponse& response) override;
  int SetMetadataConfiguration(_trt__SetMetadataConfiguration* request, _trt__SetMetadataConfigurationResponse& response) override;
  int AddMetadataConfiguration(_trt__AddMetadataConfiguration* request, _trt__AddMetadataConfigurationResponse& response) override;
  int RemoveMetadataConfiguration(_trt__RemoveMetadataConfiguration* request,
                                  _trt__RemoveMetadataConfigurationResponse& response) override;
  int AddPTZConfiguration(_trt__AddPTZConfiguration* request, _trt__AddPTZConfigurationResponse& response) override;
  int RemovePTZConfiguration(_trt__RemovePTZConfiguration* request, _trt__RemovePTZConfigurationResponse& response) override;

 private:
  tt__Profile* profile(const media::Profile& profile);
  //! The encoder of a profile for GetStreamUri and friends; nullptr after a fault was set.
  const core::StreamProfile* profile_encoder(const std::string& token);
  //! Media 1 has no H.265: an H.265 stream's profile carries no encoder configuration.
  tt__VideoEncoderConfiguration* encoder_configuration(const core::StreamProfile& stream);

  const DeviceServices& services_;
  const RequestInfo& request_;
};

}  // namespace camrig::onvif
