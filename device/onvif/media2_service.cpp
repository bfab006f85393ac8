#include "device/onvif/media2_service.hpp"
#include "device/onvif/service_namespaces.hpp"

#include <algorithm>

#include "device/core/text.hpp"
#include "device/onvif/analytics_service.hpp"
#include "device/onvif/media_service.hpp"
#include "device/onvif/ptz_service.hpp"

namespace camrig::onvif {
namespace {

using media::stream_key;

// Media2 names codecs by their MIME subtype.
std::string mime_name(const std::string& codec) {
  if (codec == "H.265") return "H265";
  if (codec == "MJPEG") return "JPEG";
  return "H264";
}

std::optional<std::string> codec_of(const std::string& mime) {
  if (mime == "H264") return "H.264";
  if (mime == "H265") return "H.265";
  if (mime == "JPEG") return "MJPEG";
  return std::nullopt;
}

std::string profile_name(const std::string& value) {
  if (value == "baseline") return "Baseline";
  if (value == "main") return "Main";
  return "High";
}

// The encoder of a profile for GetStreamUri and friends; nullptr after a fault was set.
const core::StreamProfile* profile_stream(struct soap* soap, const DeviceServices& services, const std::string& token) {
  const auto found = media::find_profile(services, token);
  if (!found) {
    no_profile(soap, token);
    return nullptr;
  }
  if (!found->encoder)
    receiver_fault(soap, "ter:Action", "ter:IncompleteConfiguration", "profile " + token + " has no video encoder configuration");
  return found->encoder;
}

// Media2 configuration types this device has: VideoSource and VideoEncoder.
std::optional<media::ConfigurationKind> kind_of(const std::string& type) {
  if (type == "VideoSource") return media::ConfigurationKind::video_source;
  if (type == "VideoEncoder") return media::ConfigurationKind::video_encoder;
  return std::nullopt;
}

int unknown_type(struct soap* soap, const std::string& type) {
  return sender_fault(soap, "ter:InvalidArgVal", "ter:NoConfig",
                      "configuration type '" + type + "' is not offered; profiles hold VideoSource, VideoEncoder, Analytics, Metadata and PTZ");
}

// The kinds a stream's own profile may take in and out (device/onvif/analytics_service.hpp).
std::optional<profile_configurations::Kind> extra_kind_of(const std::string& type) {
  if (type == "Analytics") return profile_configurations::Kind::video_analytics;
  if (type == "Metadata") return profile_configurations::Kind::metadata;
  return std::nullopt;
}

}  // namespace

ServiceMount media2_service_mount() {
  return mount_service<Media2Service>("media2_service", k_media2_namespace, media_access_class);
}

std::optional<std::vector<const core::StreamProfile*>> Media2Service::requested_streams(const tr2__GetConfiguration* request) {
  auto streams = media::existing_streams(services_);
  if (request && request->ConfigurationToken) {
    const auto* stream = request->ConfigurationToken->starts_with("VideoEncoder_")
                             ? media::stream_of(services_, *request->ConfigurationToken)
                             : nullptr;
    if (!stream) {
      no_config(soap, *request->ConfigurationToken);
      return std::nullopt;
    }
    return std::vector<const core::StreamProfile*>{stream};
  }
  if (request && request->ProfileToken) {
    const auto* stream = profile_stream(soap, services_, *request->ProfileToken);
    if (!stream) return std::nullopt;
    return std::vector<const core::StreamProfile*>{stream};
  }
  return streams;
}

tt__VideoEncoder2Configuration* Media2Service::encoder_configuration(const core::StreamProfile& stream) {
  const auto& config = *services_.config;
  const auto codec = media::base_codec(services_, stream.id);
  auto* encoder = soap_new_tt__VideoEncoder2Configuration(soap);
  encoder->token = media::encoder_token(stream.id);
  encoder->Name = stream.name;
  encoder->UseCount = 1;
  encoder->Encoding = mime_name(codec);
  const auto size = config.get_resolution(stream_key(stream.id, "resolution"));
  encoder->Resolution = soap_new_tt__VideoResolution2(soap);
  encoder->Resolution->Width = size.width;
  encoder->Resolution->Height = size.height;
  encoder->RateControl = soap_new_tt__VideoRateControl2(soap);
  encoder->RateControl->FrameRateLimit = static_cast<float>(config.get_int(stream_key(stream.id, "frame_rate")));
  encoder->RateControl->BitrateLimit = static_cast<int>(config.get_int(stream_key(stream.id, "max_bitrate")));
  encoder->RateControl->ConstantBitRate = soap_value(soap, config.get_string(stream_key(stream.id, "bitrate_type")) == "constant");
  encoder->Multicast = media::multicast_configuration(soap, services_, stream.id);
  encoder->Quality = static_cast<float>(media::quality_level(services_, stream.id));
  if (codec != "MJPEG") {
    encoder->GovLength = soap_value(soap, static_cast<int>(config.get_int(stream_key(stream.id, "i_frame_interval"))));
    // H.265 streams are encoded in the Main profile whatever the stored setting says.
    encoder->Profile = soap_string(soap, codec == "H.265" ? "Main" : profile_name(config.get_string(stream_key(stream.id, "encoding_profile"))));
  }
  return encoder;
}

int Media2Service::GetServiceCapabilities(_tr2__GetServiceCapabilities*, _tr2__GetServiceCapabilitiesResponse& response) {
  auto* capabilities = soap_new_tr2__Capabilities2(soap);
  capabilities->ProfileCapabilities = soap_new_tr2__ProfileCapabilities(soap);
  capabilities->ProfileCapabilities->MaximumNumberOfProfiles =
      soap_value(soap, static_cast<int>(media::existing_streams(services_).size()) + media::k_max_user_profiles);
  capabilities->ProfileCapabilities->ConfigurationsSupported =
      soap_string(soap, services_.ptz.empty() ? "VideoSource VideoEncoder" : "VideoSource VideoEncoder PTZ");
  capabilities->StreamingCapabilities = soap_new_tr2__StreamingCapabilities(soap);
  capabilities->StreamingCapabilities->RTSPStreaming = soap_value(soap, true);
  capabilities->StreamingCapabilities->RTPMulticast = soap_value(soap, true);
  capabilities->StreamingCapabilities->RTP_USCORERTSP_USCORETCP = soap_value(soap, true);
  capabilities->StreamingCapabilities->NonAggregateControl = soap_value(soap, false);
  capabilities->StreamingCapabilities->AutoStartMulticast = soap_value(soap, false);
  capabilities->SnapshotUri = soap_value(soap, true);
  capabilities->Rotation = soap_value(soap, false);
  capabilities->VideoSourceMode = soap_value(soap, false);
  capabilities->OSD = soap_value(soap, true);
  response.Capabilities = capabilities;
  return SOAP_OK;
}

int Media2Service::GetProfiles(_tr2__GetProfiles* request, _tr2__GetProfilesResponse& response) {
  auto profiles = media::profiles(services_);
  if (request->Token) {
    std::erase_if(profiles, [&](const auto& p) { return p.token != *request->Token; });
    if (profiles.empty()) return no_profile(soap, *request->Token);
  }
  // Without Type, profiles come without their configurations (Media2 GetProfiles).
  const auto wants = [&](const char* type) {
    return std::any_of(request->Type.begin(), request->Type.end(), [&](const std::string& t) { return t == "All" || t == type; });
  };
  for (const auto& found : profiles) {
    auto* profile = soap_new_tr2__MediaProfile(soap);
    profile->token = found.token;
    profile->Name = found.name;
    profile->fixed = soap_value(soap, found.fixed);
    profile->Configurations = soap_new_tr2__ConfigurationSet(soap);
    if (found.source && wants("VideoSource"))
      profile->Configurations->VideoSource = media::video_source_configuration(soap, services_, *found.source);
    if (found.encoder && wants("VideoEncoder")) profile->Configurations->VideoEncoder = encoder_configuration(*found.encoder);
    if (wants("Analytics")) profile->Configurations->Analytics = profile_configurations::video_analytics_of(soap, services_, found);
    if (wants("Metadata")) profile->Configurations->Metadata = profile_configurations::metadata_of(soap, services_, found);
    if (wants("PTZ")) profile->Configurations->PTZ = ptz_configurations::configuration_of(soap, services_, found);
    response.Profiles.push_back(profile);
  }
  return SOAP_OK;
}

int Media2Service::CreateProfile(_tr2__CreateProfile* request, _tr2__CreateProfileResponse& response) {
  for (const auto* reference : request->Configuration)
    if (!reference || !kind_of(reference->Type)) return unknown_type(soap, reference ? reference->Type : std::string());
  auto created = media::create_profile(services_, request->Name, nullptr);
  if (!created) return media::profile_fault(soap, created.error());
  // The source first: an encoder is checked against the profile's source.
  for (const auto kind : {media::ConfigurationKind::video_source, media::ConfigurationKind::video_encoder})
    for (const auto* reference : request->Configuration) {
      if (*kind_of(reference->Type) != kind || !reference->Token) continue;
      if (auto added = media::set_profile_configuration(services_, *created, kind, reference->Token); !added) {
        (void)media::delete_profile(services_, *created);
        return media::profile_fault(soap, added.error());
      }
    }
  response.Token = *created;
  return SOAP_OK;
}

int Media2Service::DeleteProfile(_tr2__DeleteProfile* request, _tr2__DeleteProfileResponse&) {
  if (auto deleted = media::delete_profile(services_, request->Token); !deleted)
    return deleted.error().code == ErrorCode::not_configurable
               ? receiver_fault(soap, "ter:Action", "ter:DeletionOfFixedProfile", deleted.error().message)
               : media::profile_fault(soap, deleted.error());
  return SOAP_OK;
}

int Media2Service::AddConfiguration(_tr2__AddConfiguration* request, _tr2__AddConfigurationResponse&) {
  for (const auto* reference : request->Configuration)
    if (!reference || (!kind_of(reference->Type) && !extra_kind_of(reference->Type) && reference->Type != "PTZ"))
      return unknown_type(soap, reference ? reference->Type : std::string());
  for (const auto kind : {media::ConfigurationKind::video_source, media::ConfigurationKind::video_encoder})
    for (const auto* reference : request->Configuration) {
      if (kind_of(reference->Type) != kind) continue;
      if (!reference->Token) return sender_fault(soap, "ter:InvalidArgVal", "ter:NoConfig", "AddConfiguration needs the configuration's token");
      if (auto added = media::set_profile_configuration(services_, request->ProfileToken, kind, reference->Token); !added)
        return media::profile_fault(soap, added.error());
    }
  for (const auto* reference : request->Configuration) {
    const auto extra = extra_kind_of(reference->Type);
    if (!extra && reference->Type != "PTZ") continue;
    if (!reference->Token) return sender_fault(soap, "ter:InvalidArgVal", "ter:NoConfig", "AddConfiguration needs the configuration's token");
    if (const int added = extra ? profile_configurations::set_in_profile(soap, services_, request->ProfileToken, *extra, reference->Token)
                                : ptz_configurations::set_in_profile(soap, services_, request->ProfileToken, reference->Token);
        added != SOAP_OK)
      return added;
  }
  return SOAP_OK;
}

int Media2Service::RemoveConfiguration(_tr2__RemoveConfiguration* request, _tr2__RemoveConfigurationResponse&) {
  for (const auto* reference : request->Configuration)
    if (!reference || (!kind_of(reference->Type) && !extra_kind_of(reference->Type) && reference->Type != "PTZ"))
      return unknown_type(soap, reference ? reference->Type : std::string());
  for (const auto* reference : request->Configuration) {
    if (reference->Type == "PTZ") {
      if (const int removed = ptz_configurations::set_in_profile(soap, services_, request->ProfileToken, nullptr); removed != SOAP_OK)
        return removed;
      continue;
    }
    if (const auto extra = extra_kind_of(reference->Type)) {
      if (const int removed = profile_configurations::set_in_profile(soap, services_, request->ProfileToken, *extra, nullptr);
          removed != SOAP_OK)
        return removed;
      continue;
    }
    if (auto removed = media::set_profile_configuration(services_, request->ProfileToken, *kind_of(reference->Type), nullptr); !removed)
      return media::profile_fault(soap, removed.error());
  }
  return SOAP_OK;
}

int Media2Service::GetVideoSourceConfigurations(tr2__GetConfiguration* request, _tr2__GetVideoSourceConfigurationsResponse& response) {
  const core::ChannelProfile* only = nullptr;
  if (request->ConfigurationToken) {
    only = request->ConfigurationToken->starts_with("VideoSourceConfig_") ? media::channel_of(services_, *request->ConfigurationToken)
                                                                           : nullptr;
    if (!only) return no_config(soap, *request->ConfigurationToken);
  } else if (request->ProfileToken) {
    const auto found = media::find_profile(services_, *request->ProfileToken);
    if (!found) return no_profile(soap, *request->ProfileToken);
    only = found->source;
  }
  for (const auto& channel : services_.profile->channels)
    if (!only || only->id == channel.id)
      response.Configurations.push_back(media::video_source_configuration(soap, services_, channel));
  return SOAP_OK;
}

int Media2Service::GetVideoSourceConfigurationOptions(tr2__GetConfiguration* request,
                                                      _tr2__GetVideoSourceConfigurationOptionsResponse& response) {
  const core::ChannelProfile* only = nullptr;
  if (request->ConfigurationToken) {
    only = media::channel_of(services_, *request->ConfigurationToken);
    if (!only) return no_config(soap, *request->ConfigurationToken);
  } else if (request->ProfileToken) {
    const auto found = media::find_profile(services_, *request->ProfileToken);
    if (!found) return no_profile(soap, *request->ProfileToken);
    only = found->source;
  }
  response.Options = media::video_source_configuration_options(soap, services_, only);
  return SOAP_OK;
}

int Media2Service::GetVideoEncoderConfigurations(tr2__GetConfiguration* request,
                                                 _tr2__GetVideoEncoderConfigurationsResponse& response) {
  const auto streams = requested_streams(request);
  if (!streams) return soap->error;
  for (const auto* stream : *streams) response.Configurations.push_back(encoder_configuration(*stream));
  return SOAP_OK;
}

int Media2Service::SetVideoEncoderConfiguration(_tr2__SetVideoEncoderConfiguration* request, tr2__SetConfigurationResponse&) {
  if (!request->Configuration) return sender_fault(soap, "ter:InvalidArgVal", "ter:NoConfig", "Configuration is missing");
  const auto& wanted = *request->Configuration;
  const auto* stream = wanted.token.starts_with("VideoEncoder_") ? media::stream_of(services_, wanted.token) : nullptr;
  if (!stream) return no_config(soap, wanted.token);
  media::EncoderChange change;
  change.codec = codec_of(wanted.Encoding);
  if (!change.codec)
    return config_fault(soap, make_error(ErrorCode::out_of_range, "Encoding '" + wanted.Encoding + "' is not offered; choose H264, H265 or JPEG"));
  if (wanted.Resolution) {
    change.width = wanted.Resolution->Width;
    change.height = wanted.Resolution->Height;
  }
  if (wanted.RateControl) {
    const float rate = wanted.RateControl->FrameRateLimit;
    if (rate != static_cast<float>(static_cast<int>(rate)))
      return config_fault(soap, make_error(ErrorCode::out_of_range, "FrameRateLimit is whole frames per second"));
    change.frame_rate = static_cast<int>(rate);
    change.bitrate_kbps = wanted.RateControl->BitrateLimit;
    if (wanted.RateControl->ConstantBitRate) change.constant_bitrate = *wanted.RateControl->ConstantBitRate;
  }
  change.quality = static_cast<int>(wanted.Quality + 0.5f);
  if (wanted.GovLength && *change.codec != "MJPEG") change.gov_length = *wanted.GovLength;
  if (wanted.Profile && *change.codec == "H.264") change.profile = text::to_lower(*wanted.Profile);
  if (auto multicast = media::add_multicast_change(wanted.Multicast, change); !multicast) return config_fault(soap, multicast.error());
  if (auto applied = media::apply_encoder_change(services_, stream->id, change); !applied) return config_fault(soap, applied.error());
  return SOAP_OK;
}

int Media2Service::GetVideoEncoderConfigurationOptions(tr2__GetConfiguration* request,
                                                       _tr2__GetVideoEncoderConfigurationOptionsResponse& response) {
  auto streams = requested_streams(request);
  if (!streams) return soap->error;
  if (streams->empty()) return receiver_fault(soap, "ter:Action", nullptr, "the device has no streams");
  // Without a token: the options of the first stream, as every stream's differ.
  const auto* stream = streams->front();
  const auto& config = *services_.config;
  const auto* bitrate = config.spec(stream_key(stream->id, "max_bitrate"));
  const auto* rate = config.spec(stream_key(stream->id, "frame_rate"));
  const auto* gov = config.spec(stream_key(stream->id, "i_frame_interval"));
  const auto* profiles = config.spec(stream_key(stream->id, "encoding_profile"));
  const auto sizes = media::resolutions_allowed(services_, stream->id);
  std::vector<std::string> rates;
  for (int fps = rate && rate->max ? static_cast<int>(*rate->max) : 25; fps >= (rate && rate->min ? static_cast<int>(*rate->min) : 1); --fps)
    rates.push_back(std::to_string(fps));
  for (const auto& codec : media::codecs_allowed(services_, stream->id)) {
    auto* options = soap_new_tt__VideoEncoder2ConfigurationOptions(soap);
    options->Encoding = mime_name(codec);
    options->QualityRange = soap_new_tt__FloatRange(soap);
    options->QualityRange->Min = 1;
    options->QualityRange->Max = 6;
    for (const auto size : sizes) {
      if (codec == "MJPEG" && (size.width > 2040 || size.height > 2040)) continue;
      auto* resolution = soap_new_tt__VideoResolution2(soap);
      resolution->Width = size.width;
      resolution->Height = size.height;
      options->ResolutionsAvailable.push_back(resolution);
    }
    options->BitrateRange = soap_new_tt__IntRange(soap);
    options->BitrateRange->Min = bitrate && bitrate->min ? static_cast<int>(*bitrate->min) : 32;
    options->BitrateRange->Max = bitrate && bitrate->max ? static_cast<int>(*bitrate->max) : 16384;
    options->FrameRatesSupported = soap_string(soap, text::join(rates, " "));
    options->ConstantBitRateSupported = soap_value(soap, true);
    if (codec != "MJPEG") {
      options->GovLengthRange = soap_string(soap, std::to_string(gov && gov->min ? static_cast<int>(*gov->min) : 1) + " " +
                                                      std::to_string(gov && gov->max ? static_cast<int>(*gov->max) : 400));
      std::vector<std::string> names;
      if (codec == "H.265") names.push_back("Main");
      else if (profiles)
        for (const auto& value : profiles->values) names.push_back(profile_name(value));
      options->ProfilesSupported = soap_string(soap, text::join(names, " "));
    }
    response.Options.push_back(options);
  }
  return SOAP_OK;
}

int Media2Service::GetVideoEncoderInstances(_tr2__GetVideoEncoderInstances* request, _tr2__GetVideoEncoderInstancesResponse& response) {
  const auto* channel = media::channel_of(services_, request->ConfigurationToken);
  if (!channel) return no_config(soap, request->ConfigurationToken);
  // Every stream of the channel has its own encoder, whichever codec it uses.
  const auto streams = media::existing_streams(services_);
  const int count = static_cast<int>(std::count_if(streams.begin(), streams.end(), [&](const auto* s) { return s->channel == channel->id; }));
  response.Info = soap_new_tr2__EncoderInstanceInfo(soap);
  response.Info->Total = count;
  const auto first = std::find_if(streams.begin(), streams.end(), [&](const auto* s) { return s->channel == channel->id; });
  if (first != streams.end())
    for (const auto& codec : media::codecs_allowed(services_, (*first)->id)) {
      auto* instance = soap_new_tr2__EncoderInstance(soap);
      instance->Encoding = mime_name(codec);
      instance->Number = count;
      response.Info->Codec.push_back(instance);
    }
  return SOAP_OK;
}

int Media2Service::GetStreamUri(_tr2__GetStreamUri* request, _tr2__GetStreamUriResponse& response) {
  const auto* stream = profile_stream(soap, services_, request->ProfileToken);
  if (!stream) return soap->error;
  // Media2 StreamUri protocols; RTSP over TLS is not served.
  const auto& protocol = request->Protocol;
  if (protocol != "RtspUnicast" && protocol != "RtspMulticast" && protocol != "RTSP" && protocol != "RtspOverHttp")
    return sender_fault(soap, "ter:InvalidArgVal", "ter:InvalidStreamSetup",
                        "protocol '" + protocol + "' is not served; use RtspUnicast, RtspMulticast, RTSP or RtspOverHttp");
  if (protocol == "RtspMulticast" && services_.config->get_string(stream_key(stream->id, "multicast_address")).empty())
    return sender_fault(soap, "ter:InvalidArgVal", "ter:InvalidStreamSetup",
                        "stream " + std::to_string(stream->id) + " has no multicast address; set one first");
  response.Uri = media::stream_uri(services_, request_, stream->id);
  return SOAP_OK;
}

int Media2Service::GetSnapshotUri(_tr2__GetSnapshotUri* request, _tr2__GetSnapshotUriResponse& response) {
  const auto* stream = profile_stream(soap, services_, request->ProfileToken);
  if (!stream) return soap->error;
  response.Uri = media::snapshot_uri(request_, stream->id);
  return SOAP_OK;
}

int Media2Service::SetSynchronizationPoint(_tr2__SetSynchronizationPoint* request, _tr2__SetSynchronizationPointResponse&) {
  const auto* stream = profile_stream(soap, services_, request->ProfileToken);
  if (!stream) return soap->error;
  if (auto requested = media::request_key_frame(services_, stream->id); !requested) return fault_from(soap, requested.error());
  return SOAP_OK;
}

int Media2Service::StartMulticastStreaming(tr2__StartStopMulticastStreaming* request, tr2__SetConfigurationResponse&) {
  const auto* stream = profile_stream(soap, services_, request->ProfileToken);
  if (!stream) return soap->error;
  return media::multicast_streaming(soap, services_, request_, stream->id, true);
}

int Media2Service::StopMulticastStreaming(tr2__StartStopMulticastStreaming* request, tr2__SetConfigurationResponse&) {
  const auto* stream = profile_stream(soap, services_, request->ProfileToken);
  if (!stream) return soap->error;
  return media::multicast_streaming(soap, services_, request_, stream->id, false);
}

int Media2Service::GetOSDs(_tr2__GetOSDs* request, _tr2__GetOSDsResponse& response) {
  auto found = media::osds(soap, services_, request->ConfigurationToken, request->OSDToken);
  if (!found) return sender_fault(soap, "ter:InvalidArgVal", "ter:NoConfig", found.error().message);
  response.OSDs = std::move(*found);
  return SOAP_OK;
}

int Media2Service::GetOSDOptions(_tr2__GetOSDOptions* request, _tr2__GetOSDOptionsResponse& response) {
  if (!media::channel_of(services_, request->ConfigurationToken)) return no_config(soap, request->ConfigurationToken);
  response.OSDOptions = media::osd_options(soap);
  return SOAP_OK;
}

int Media2Service::SetOSD(_tr2__SetOSD* request, tr2__SetConfigurationResponse&) {
  if (!request->OSD) return sender_fault(soap, "ter:InvalidArgVal", "ter:NoConfig", "OSD is missing");
  if (auto set = media::set_osd(services_, *request->OSD); !set) return config_fault(soap, set.error());
  return SOAP_OK;
}

int Media2Service::CreateOSD(_tr2__CreateOSD* request, _tr2__CreateOSDResponse& response) {
  if (!request->OSD) return sender_fault(soap, "ter:InvalidArgVal", "ter:NoConfig", "OSD is missing");
  auto created = media::create_osd(services_, *request->OSD);
  if (!created) {
    if (created.error().code == ErrorCode::unavailable) return receiver_fault(soap, "ter:Action", "ter:MaxOSDs", created.error().message);
    return config_fault(soap, created.error());
  }
  response.OSDToken = *created;
  return SOAP_OK;
}

int Media2Service::DeleteOSD(_tr2__DeleteOSD* request, tr2__SetConfigurationResponse&) {
  if (auto deleted = media::delete_osd(services_, request->OSDToken); !deleted)
    return sender_fault(soap, "ter:InvalidArgVal", "ter:NoConfig", deleted.error().message);
  return SOAP_OK;
}

// ---- analytics and metadata configurations (device/onvif/analytics_service.hpp) ---------------

int Media2Service::GetAnalyticsConfigurations(tr2__GetConfiguration* request, _tr2__GetAnalyticsConfigurationsResponse& response) {
  std::optional<media::Profile> profile;
  if (request->ProfileToken) {
    profile = media::find_profile(services_, *request->ProfileToken);
    if (!profile) return no_profile(soap, *request->ProfileToken);
  }
  for (auto* configuration : profile_configurations::video_analytics_configurations(soap, services_)) {
    if (request->ConfigurationToken && configuration->token != *request->ConfigurationToken) continue;
    // A profile's compatible ones: its own channel's, for a stream's own profile.
    if (profile && !(profile->fixed && profile->source &&
                     configuration->token == video_analytics::configuration_token(profile->source->id)))
      continue;
    response.Configurations.push_back(configuration);
  }
  if (request->ConfigurationToken && response.Configurations.empty()) return no_config(soap, *request->ConfigurationToken);
  return SOAP_OK;
}

int Media2Service::GetMetadataConfigurations(tr2__GetConfiguration* request, _tr2__GetMetadataConfigurationsResponse& response) {
  std::optional<media::Profile> profile;
  if (request->ProfileToken) {
    profile = media::find_profile(services_, *request->ProfileToken);
    if (!profile) return no_profile(soap, *request->ProfileToken);
  }
  for (auto* configuration : profile_configurations::metadata_configurations(soap, services_)) {
    if (request->ConfigurationToken && configuration->token != *request->ConfigurationToken) continue;
    if (profile && !(profile->fixed && profile->source && configuration->token == profile_configurations::metadata_token(profile->source->id)))
      continue;
    response.Configurations.push_back(configuration);
  }
  if (request->ConfigurationToken && response.Configurations.empty()) return no_config(soap, *request->ConfigurationToken);
  return SOAP_OK;
}

int Media2Service::GetMetadataConfigurationOptions(tr2__GetConfiguration*, _tr2__GetMetadataConfigurationOptionsResponse& response) {
  response.Options = profile_configurations::metadata_options(soap);
  return SOAP_OK;
}

int Media2Service::SetMetadataConfiguration(_tr2__SetMetadataConfiguration* request, tr2__SetConfigurationResponse&) {
  return profile_configurations::set_metadata_configuration(soap, services_, request->Configuration);
}

}  // namespace camrig::onvif
