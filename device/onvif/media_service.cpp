#include "device/onvif/media_service.hpp"
#include "device/onvif/service_namespaces.hpp"

#include "device/onvif/analytics_service.hpp"
#include "device/onvif/ptz_service.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <map>
#include <mutex>

#include <nlohmann/json.hpp>

namespace camrig::onvif {
namespace {

// The ONVIF release of the WSDLs this firmware is generated from (media.wsdl).
constexpr int k_text_overlays = 8;

constexpr std::array<const char*, 6> k_quality_levels{"lowest", "lower", "low", "medium", "higher", "highest"};

// ONVIF date/time formats (Media spec, OSDTextConfiguration) and the OSD settings' own names.
constexpr std::array<std::pair<const char*, const char*>, 6> k_date_formats{{{"yyyy-MM-dd", "YYYY-MM-DD"},
                                                                            {"MM-dd-yyyy", "MM-DD-YYYY"},
                                                                            {"dd-MM-yyyy", "DD-MM-YYYY"},
                                                                            {"yyyy/MM/dd", "YYYY/MM/DD"},
                                                                            {"MM/dd/yyyy", "MM/DD/YYYY"},
                                                                            {"dd/MM/yyyy", "DD/MM/YYYY"}}};
constexpr std::array<std::pair<const char*, const char*>, 2> k_time_formats{{{"HH:mm:ss", "24hour"}, {"hh:mm:ss tt", "12hour"}}};

using media::stream_key;

tt__IntRange* int_range(struct soap* soap, int min, int max) {
  auto* range = soap_new_tt__IntRange(soap);
  range->Min = min;
  range->Max = max;
  return range;
}

tt__VideoResolution* resolution(struct soap* soap, core::Resolution size) {
  auto* result = soap_new_tt__VideoResolution(soap);
  result->Width = size.width;
  result->Height = size.height;
  return result;
}

tt__H264Profile h264_profile(const std::string& value) {
  if (value == "baseline") return tt__H264Profile__Baseline;
  if (value == "main") return tt__H264Profile__Main;
  return tt__H264Profile__High;
}

std::string profile_value(tt__H264Profile profile) {
  switch (profile) {
    case tt__H264Profile__Baseline: return "baseline";
    case tt__H264Profile__Main: return "main";
    default: return "high";
  }
}

int range_int(const core::ParameterSpec* spec, bool upper, int fallback) {
  if (!spec) return fallback;
  const auto& bound = upper ? spec->max : spec->min;
  return bound ? static_cast<int>(*bound) : fallback;
}

// ---- OSD slots: the channel's name, date and text overlays 1..8 -----------------------------------

struct OsdSlot {
  int channel = 0;
  std::string field;  //!< "name", "date", "text.3"
};

std::string osd_token(int channel, std::string_view field) {
  std::string token = "OSD_" + std::to_string(channel) + "_";
  if (field == "name") return token + "Name";
  if (field == "date") return token + "Date";
  return token + "Text" + std::string(field.substr(5));
}

std::optional<OsdSlot> osd_slot(const DeviceServices& services, std::string_view token) {
  if (!token.starts_with("OSD_")) return std::nullopt;
  const auto rest = token.substr(4);
  const auto underscore = rest.find('_');
  if (underscore == std::string_view::npos) return std::nullopt;
  const auto channel = number_after(rest.substr(0, underscore), "");
  if (!channel || !services.profile->find_channel(*channel)) return std::nullopt;
  const auto kind = rest.substr(underscore + 1);
  if (kind == "Name") return OsdSlot{*channel, "name"};
  if (kind == "Date") return OsdSlot{*channel, "date"};
  if (const auto line = number_after(kind, "Text"); line && *line >= 1 && *line <= k_text_overlays)
    return OsdSlot{*channel, "text." + std::to_string(*line)};
  return std::nullopt;
}

std::string osd_key(const OsdSlot& slot, std::string_view field) {
  return "channel." + std::to_string(slot.channel) + ".osd." + slot.field + "." + std::string(field);
}

bool has_osd(const DeviceServices& services, int channel) {
  return services.config->spec("channel." + std::to_string(channel) + ".osd.name.enabled") != nullptr;
}

tt__OSDConfiguration* osd_configuration(struct soap* soap, const DeviceServices& services, const OsdSlot& slot) {
  const auto& config = *services.config;
  auto* osd = soap_new_tt__OSDConfiguration(soap);
  osd->token = osd_token(slot.channel, slot.field);
  osd->VideoSourceConfigurationToken = soap_new_tt__OSDReference(soap);
  osd->VideoSourceConfigurationToken->__item = media::source_configuration_token(slot.channel);
  osd->Type = tt__OSDType__Text;
  osd->Position = soap_new_tt__OSDPosConfiguration(soap);
  osd->Position->Type = "Custom";
  osd->Position->Pos = soap_new_tt__Vector(soap);
  // ONVIF's OSD space runs -1..1 with y up; the settings' 0..1 from the top-left.
  osd->Position->Pos->x = static_cast<float>(config.get_number(osd_key(slot, "x")) * 2 - 1);
  osd->Position->Pos->y = static_cast<float>(1 - config.get_number(osd_key(slot, "y")) * 2);
  osd->TextString = soap_new_tt__OSDTextConfiguration(soap);
  if (slot.field == "date") {
    osd->TextString->Type = "DateAndTime";
    const auto format = config.get_string(osd_key(slot, "format"));
    for (const auto& [onvif, own] : k_date_formats)
      if (format == own) osd->TextString->DateFormat = soap_string(soap, onvif);
    const auto time_format = config.get_string(osd_key(slot, "time_format"));
    for (const auto& [onvif, own] : k_time_formats)
      if (time_format == own) osd->TextString->TimeFormat = soap_string(soap, onvif);
  } else {
    osd->TextString->Type = "Plain";
    osd->TextString->PlainText = soap_string(soap, config.get_string(osd_key(slot, "text")));
  }
  return osd;
}

// The changes an OSD configuration asks of its slot: position, text or date and time formats.
Result<void> osd_changes(const OsdSlot& slot, const tt__OSDConfiguration& osd, std::vector<std::pair<std::string, core::ConfigValue>>& changes) {
  if (osd.Type != tt__OSDType__Text)
    return make_error(ErrorCode::invalid_argument, "this camera's OSDs are text (name, date and time, text overlays)");
  if (osd.Position) {
    if (osd.Position->Type != "Custom" || !osd.Position->Pos)
      return make_error(ErrorCode::invalid_argument, "OSD positions are Custom with a Pos (x, y in -1..1)");
    const double x = (osd.Position->Pos->x + 1) / 2;
    const double y = (1 - osd.Position->Pos->y) / 2;
    changes.emplace_back(osd_key(slot, "x"), core::ConfigValue(x));
    changes.emplace_back(osd_key(slot, "y"), core::ConfigValue(y));
  }
  if (!osd.TextString) return {};
  const auto& text = *osd.TextString;
  if (slot.field == "date") {
    if (text.Type != "DateAndTime" && text.Type != "Date" && text.Type != "Time")
      return make_error(ErrorCode::invalid_argument, osd_token(slot.channel, slot.field) + " shows the date and time");
    if (text.DateFormat) {
      const auto it = std::find_if(k_date_formats.begin(), k_date_formats.end(), [&](const auto& f) { return *text.DateFormat == f.first; });
      if (it == k_date_formats.end()) return make_error(ErrorCode::out_of_range, "date format '" + *text.DateFormat + "' is not offered (see GetOSDOptions)");
      changes.emplace_back(osd_key(slot, "format"), core::ConfigValue(std::string(it->second)));
    }
    if (text.TimeFormat) {
      const auto it = std::find_if(k_time_formats.begin(), k_time_formats.end(), [&](const auto& f) { return *text.TimeFormat == f.first; });
      if (it == k_time_formats.end()) return make_error(ErrorCode::out_of_range, "time format '" + *text.TimeFormat + "' is not offered (see GetOSDOptions)");
      changes.emplace_back(osd_key(slot, "time_format"), core::ConfigValue(std::string(it->second)));
    }
    return {};
  }
  if (text.Type != "Plain") return make_error(ErrorCode::invalid_argument, osd_token(slot.channel, slot.field) + " shows plain text");
  if (text.PlainText) changes.emplace_back(osd_key(slot, "text"), core::ConfigValue(*text.PlainText));
  return {};
}

const std::map<std::string, AccessClass, std::less<>>& media_access_classes() {
  static const std::map<std::string, AccessClass, std::less<>> classes = {
      {"GetServiceCapabilities", AccessClass::pre_auth},
      {"SetVideoEncoderConfiguration", AccessClass::actuate},
      {"SetSynchronizationPoint", AccessClass::actuate},
      {"SetOSD", AccessClass::actuate},
      {"CreateOSD", AccessClass::actuate},
      {"DeleteOSD", AccessClass::actuate},
      {"CreateProfile", AccessClass::actuate},
      {"DeleteProfile", AccessClass::actuate},
      {"AddConfiguration", AccessClass::actuate},
      {"RemoveConfiguration", AccessClass::actuate},
      {"StartMulticastStreaming", AccessClass::actuate},
      {"StopMulticastStreaming", AccessClass::actuate},
  };
  return classes;
}

}  // namespace

AccessClass media_access_class(std::string_view operation) {
  const auto& classes = media_access_classes();
  if (const auto it = classes.find(operation); it != classes.end()) return it->second;
  // Set*, Add*, Remove*, Create*, Delete* not listed change the device; the rest read media.
  for (const std::string_view verb : {"Set", "Add", "Remove", "Create", "Delete", "Start", "Stop"})
    if (operation.starts_with(verb)) return AccessClass::actuate;
  return AccessClass::read_media;
}

ServiceMount media_service_mount() {
  return mount_service<MediaService>("media_service", k_media_namespace, media_access_class);
}

namespace media {

std::string stream_key(int stream_id, std::string_view field) {
  return "stream." + std::to_string(stream_id) + "." + std::string(field);
}

std::vector<const core::StreamProfile*> existing_streams(const DeviceServices& services) {
  std::vector<const core::StreamProfile*> result;
  for (const auto& channel : services.profile->channels)
    for (const auto& stream : channel.streams) {
      const auto added = stream_key(stream.id, "custom.added");
      if (!services.config->spec(added) || services.config->get_bool(added)) result.push_back(&stream);
    }
  return result;
}

namespace {

constexpr const char* k_profiles_key = "onvif.media.profiles";

// Made profiles are read, changed and written back as one value: one change at a time.
std::mutex& profiles_mutex() {
  static std::mutex mutex;
  return mutex;
}

struct StoredProfile {
  std::string token;
  std::string name;
  int source = 0;
  int encoder = 0;
};

std::vector<StoredProfile> stored_profiles(const DeviceServices& services) {
  std::vector<StoredProfile> result;
  const auto text = services.config->get_string(k_profiles_key);
  if (text.empty()) return result;
  const auto document = nlohmann::json::parse(text, nullptr, false);
  if (!document.is_array()) return result;  // written only here; a damaged value loses the made profiles
  for (const auto& item : document) {
    if (!item.is_object() || !item.contains("token") || !item["token"].is_string()) continue;
    result.push_back({item["token"].get<std::string>(), item.value("name", std::string()), item.value("source", 0),
                      item.value("encoder", 0)});
  }
  return result;
}

Result<void> store_profiles(const DeviceServices& services, const std::vector<StoredProfile>& stored) {
  auto document = nlohmann::json::array();
  for (const auto& profile : stored)
    document.push_back({{"token", profile.token}, {"name", profile.name}, {"source", profile.source}, {"encoder", profile.encoder}});
  return services.config->set(k_profiles_key, core::ConfigValue(stored.empty() ? std::string() : document.dump()));
}

bool valid_token(std::string_view token) {
  return !token.empty() && token.size() <= 64 &&
         std::all_of(token.begin(), token.end(), [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.'; });
}

}  // namespace

std::vector<Profile> profiles(const DeviceServices& services) {
  std::vector<Profile> result;
  for (const auto* stream : existing_streams(services)) {
    Profile profile;
    profile.token = profile_token(stream->id);
    const auto* channel = services.profile->find_channel(stream->channel);
    const auto custom = stream_key(stream->id, "custom.name");
    profile.name = services.config->spec(custom) ? services.config->get_string(custom)
                                                 : (channel ? channel->name + " " : std::string()) + stream->name;
    profile.source = channel;
    profile.encoder = stream;
    result.push_back(std::move(profile));
  }
  if (!services.config->spec(k_profiles_key)) return result;
  const auto streams = existing_streams(services);
  for (const auto& stored : stored_profiles(services)) {
    Profile profile;
    profile.token = stored.token;
    profile.name = stored.name;
    profile.fixed = false;
    profile.source = stored.source ? services.profile->find_channel(stored.source) : nullptr;
    // A custom stream deleted over ISAPI leaves the profile without its encoder.
    const auto it = std::find_if(streams.begin(), streams.end(), [&](const auto* s) { return s->id == stored.encoder; });
    profile.encoder = it == streams.end() ? nullptr : *it;
    result.push_back(std::move(profile));
  }
  return result;
}

std::optional<Profile> find_profile(const DeviceServices& services, std::string_view token) {
  for (auto& profile : profiles(services))
    if (profile.token == token) return std::move(profile);
  return std::nullopt;
}

Result<std::string> create_profile(const DeviceServices& services, const std::string& name, const std::string* token) {
  if (!services.config->spec(k_profiles_key)) return make_error(ErrorCode::not_configurable, "this device keeps no made profiles");
  if (name.empty() || name.size() > 64) return make_error(ErrorCode::invalid_argument, "a profile name has 1 to 64 characters");
  std::lock_guard lock(profiles_mutex());
  auto stored = stored_profiles(services);
  if (static_cast<int>(stored.size()) >= k_max_user_profiles)
    return make_error(ErrorCode::unavailable, "the device keeps " + std::to_string(k_max_user_profiles) +
                                                  " profiles besides one per stream; delete one first");
  std::string chosen;
  if (token && !token->empty()) {
    if (!valid_token(*token))
      return make_error(ErrorCode::invalid_argument, "a profile token has up to 64 letters, digits, '_', '-' or '.'");
    if (find_profile(services, *token)) return make_error(ErrorCode::already_exists, "profile " + *token + " exists");
    chosen = *token;
  } else {
    for (int n = 1; chosen.empty(); ++n)
      if (!find_profile(services, "UserProfile_" + std::to_string(n))) chosen = "UserProfile_" + std::to_string(n);
  }
  stored.push_back({chosen, name, 0, 0});
  if (auto written = store_profiles(services, stored); !written) return written.error();
  return chosen;
}

Result<void> delete_profile(const DeviceServices& services, std::string_view token) {
  const auto profile = find_profile(services, token);
  if (!profile) return make_error(ErrorCode::not_found, "no media profile '" + std::string(token) + "'");
  if (profile->fixed) return make_error(ErrorCode::not_configurable, "profile " + profile->token + " is a stream's own and cannot be deleted");
  std::lock_guard lock(profiles_mutex());
  auto stored = stored_profiles(services);
  std::erase_if(stored, [&](const auto& s) { return s.token == token; });
  if (auto written = store_profiles(services, stored); !written) return written;
  return ptz_configurations::forget(services, token);
}

Result<void> set_profile_configuration(const DeviceServices& services, std::string_view profile_token_wanted, ConfigurationKind kind,
                                       const std::string* configuration_token) {
  const auto profile = find_profile(services, profile_token_wanted);
  if (!profile) return make_error(ErrorCode::not_found, "no media profile '" + std::string(profile_token_wanted) + "'");
  int value = 0;
  if (configuration_token) {
    if (kind == ConfigurationKind::video_source) {
      const auto* channel = configuration_token->starts_with("VideoSourceConfig_") ? channel_of(services, *configuration_token) : nullptr;
      if (!channel) return make_error(ErrorCode::invalid_argument, "no video source configuration '" + *configuration_token + "'");
      value = channel->id;
    } else {
      const auto* stream = stream_of(services, *configuration_token);
      if (!stream) return make_error(ErrorCode::invalid_argument, "no video encoder configuration '" + *configuration_token + "'");
      value = stream->id;
    }
  }
  const int current = kind == ConfigurationKind::video_source ? (profile->source ? profile->source->id : 0)
                                                              : (profile->encoder ? profile->encoder->id : 0);
  if (profile->fixed) {
    if (value == current) return {};
    return make_error(ErrorCode::not_configurable, "profile " + profile->token + " is a stream's own; its configurations are fixed");
  }
  // A stream encodes its own channel's picture only.
  const int source = kind == ConfigurationKind::video_source ? value : (profile->source ? profile->source->id : 0);
  const int encoder = kind == ConfigurationKind::video_encoder ? value : (profile->encoder ? profile->encoder->id : 0);
  if (source && encoder && services.profile->find_stream(encoder)->channel != source)
    return make_error(ErrorCode::not_configurable, "stream " + std::to_string(encoder) + " does not encode video source " + std::to_string(source));
  std::lock_guard lock(profiles_mutex());
  auto stored = stored_profiles(services);
  for (auto& s : stored)
    if (s.token == profile_token_wanted) (kind == ConfigurationKind::video_source ? s.source : s.encoder) = value;
  return store_profiles(services, stored);
}

int profile_fault(struct soap* soap, const Error& error) {
  switch (error.code) {
    case ErrorCode::not_found: return sender_fault(soap, "ter:InvalidArgVal", "ter:NoProfile", error.message);
    case ErrorCode::already_exists: return sender_fault(soap, "ter:InvalidArgVal", "ter:ProfileExists", error.message);
    case ErrorCode::invalid_argument:
    case ErrorCode::out_of_range: return sender_fault(soap, "ter:InvalidArgVal", "ter:NoConfig", error.message);
    case ErrorCode::unavailable: return receiver_fault(soap, "ter:Action", "ter:MaxNVTProfiles", error.message);
    case ErrorCode::not_configurable: return receiver_fault(soap, "ter:Action", "ter:ConfigurationConflict", error.message);
    default: return fault_from(soap, error);
  }
}

std::string profile_token(int stream_id) { return "Profile_" + std::to_string(stream_id); }
std::string encoder_token(int stream_id) { return "VideoEncoder_" + std::to_string(stream_id); }
std::string source_token(int channel) { return "VideoSource_" + std::to_string(channel); }
std::string source_configuration_token(int channel) { return "VideoSourceConfig_" + std::to_string(channel); }

const core::StreamProfile* stream_of(const DeviceServices& services, std::string_view token) {
  const auto id = number_after(token, "VideoEncoder_");
  if (!id) return nullptr;
  for (const auto* stream : existing_streams(services))
    if (stream->id == *id) return stream;
  return nullptr;
}

const core::ChannelProfile* channel_of(const DeviceServices& services, std::string_view token) {
  auto id = number_after(token, "VideoSourceConfig_");
  if (!id) id = number_after(token, "VideoSource_");
  return id ? services.profile->find_channel(*id) : nullptr;
}

std::string base_codec(const DeviceServices& services, int stream_id) {
  auto codec = services.config->get_string(stream_key(stream_id, "video_codec"));
  if (codec.ends_with('+')) codec.pop_back();
  return codec;
}

int quality_level(const DeviceServices& services, int stream_id) {
  const auto quality = services.config->get_string(stream_key(stream_id, "video_quality"));
  for (std::size_t level = 0; level < k_quality_levels.size(); ++level)
    if (quality == k_quality_levels[level]) return static_cast<int>(level) + 1;
  return 4;
}

std::vector<std::string> codecs_allowed(const DeviceServices& services, int stream_id) {
  std::vector<std::string> codecs;
  if (const auto* spec = services.config->spec(stream_key(stream_id, "video_codec")))
    for (const auto& value : spec->values) {
      auto base = value.ends_with('+') ? value.substr(0, value.size() - 1) : value;
      if (std::find(codecs.begin(), codecs.end(), base) == codecs.end()) codecs.push_back(base);
    }
  return codecs;
}

std::vector<core::Resolution> resolutions_allowed(const DeviceServices& services, int stream_id) {
  std::vector<core::Resolution> sizes;
  if (const auto* spec = services.config->spec(stream_key(stream_id, "resolution")))
    for (const auto& value : spec->values) {
      const auto x = value.find('x');
      const auto width = number_after(std::string_view(value).substr(0, x), "");
      const auto height = x == std::string::npos ? std::nullopt : number_after(std::string_view(value).substr(x + 1), "");
      if (width && height) sizes.push_back({*width, *height});
    }
  return sizes;
}

Result<void> apply_encoder_change(const DeviceServices& services, int stream_id, const EncoderChange& change) {
  const auto& config = *services.config;
  std::vector<std::pair<std::string, std::string>> wanted;
  if (change.codec) {
    const auto current = config.get_string(stream_key(stream_id, "video_codec"));
    const bool smart = current.ends_with('+') && current.starts_with(*change.codec);
    wanted.emplace_back(stream_key(stream_id, "video_codec"), *change.codec + (smart ? "+" : ""));
  }
  if (change.width || change.height) {
    const auto current = config.get_resolution(stream_key(stream_id, "resolution"));
    wanted.emplace_back(stream_key(stream_id, "resolution"), std::to_string(change.width.value_or(current.width)) + "x" +
                                                                 std::to_string(change.height.value_or(current.height)));
  }
  if (change.frame_rate) wanted.emplace_back(stream_key(stream_id, "frame_rate"), std::to_string(*change.frame_rate));
  if (change.bitrate_kbps) wanted.emplace_back(stream_key(stream_id, "max_bitrate"), std::to_string(*change.bitrate_kbps));
  if (change.constant_bitrate)
    wanted.emplace_back(stream_key(stream_id, "bitrate_type"), *change.constant_bitrate ? "constant" : "variable");
  if (change.quality) {
    if (*change.quality < 1 || *change.quality > static_cast<int>(k_quality_levels.size()))
      return make_error(ErrorCode::out_of_range, "Quality is 1 (lowest) .. 6 (highest) (got " + std::to_string(*change.quality) + ")");
    wanted.emplace_back(stream_key(stream_id, "video_quality"), k_quality_levels[static_cast<std::size_t>(*change.quality - 1)]);
  }
  if (change.gov_length) wanted.emplace_back(stream_key(stream_id, "i_frame_interval"), std::to_string(*change.gov_length));
  if (change.profile) wanted.emplace_back(stream_key(stream_id, "encoding_profile"), *change.profile);
  if (change.multicast_address) wanted.emplace_back(stream_key(stream_id, "multicast_address"), *change.multicast_address);
  if (change.multicast_port) wanted.emplace_back(stream_key(stream_id, "multicast_video_port"), std::to_string(*change.multicast_port));
  if (change.multicast_ttl) wanted.emplace_back(stream_key(stream_id, "multicast_ttl"), std::to_string(*change.multicast_ttl));

  // Only what differs, as ISAPI's PUT: a configuration read and sent back with one change changes
  // one thing, and values a rule makes not configurable (Quality under CBR) pass when unchanged.
  std::vector<core::ConfigService::Change> changes;
  for (const auto& [key, text] : wanted) {
    const auto* spec = config.spec(key);
    if (!spec) return make_error(ErrorCode::not_found, "stream " + std::to_string(stream_id) + " has no " + key);
    auto value = spec->parse(text);
    if (!value) return value.error();
    if (*value != config.get(key)) changes.emplace_back(key, std::move(*value));
  }
  if (changes.empty()) return {};
  return services.config->apply(changes);
}

tt__VideoSourceConfiguration* video_source_configuration(struct soap* soap, const DeviceServices& services,
                                                         const core::ChannelProfile& channel) {
  auto* configuration = soap_new_tt__VideoSourceConfiguration(soap);
  configuration->token = source_configuration_token(channel.id);
  configuration->Name = channel.name;
  configuration->SourceToken = source_token(channel.id);
  const auto all = profiles(services);
  configuration->UseCount =
      static_cast<int>(std::count_if(all.begin(), all.end(), [&](const auto& p) { return p.source && p.source->id == channel.id; }));
  configuration->Bounds = soap_new_tt__IntRectangle(soap);
  configuration->Bounds->x = 0;
  configuration->Bounds->y = 0;
  configuration->Bounds->width = channel.sensor.width;
  configuration->Bounds->height = channel.sensor.height;
  return configuration;
}

tt__VideoSourceConfigurationOptions* video_source_configuration_options(struct soap* soap, const DeviceServices& services,
                                                                       const core::ChannelProfile* only) {
  auto* options = soap_new_tt__VideoSourceConfigurationOptions(soap);
  int width = 0;
  int height = 0;
  for (const auto& channel : services.profile->channels) {
    if (only && only->id != channel.id) continue;
    options->VideoSourceTokensAvailable.push_back(source_token(channel.id));
    width = std::max(width, channel.sensor.width);
    height = std::max(height, channel.sensor.height);
  }
  // The whole sensor is always encoded: the bounds are fixed.
  options->BoundsRange = soap_new_tt__IntRectangleRange(soap);
  options->BoundsRange->XRange = int_range(soap, 0, 0);
  options->BoundsRange->YRange = int_range(soap, 0, 0);
  options->BoundsRange->WidthRange = int_range(soap, width, width);
  options->BoundsRange->HeightRange = int_range(soap, height, height);
  options->MaximumNumberOfProfiles = soap_value(soap, static_cast<int>(existing_streams(services).size()) + k_max_user_profiles);
  return options;
}

tt__MulticastConfiguration* multicast_configuration(struct soap* soap, const DeviceServices& services, int stream_id) {
  const auto& config = *services.config;
  auto* multicast = soap_new_tt__MulticastConfiguration(soap);
  multicast->Address = soap_new_tt__IPAddress(soap);
  multicast->Address->Type = tt__IPType__IPv4;
  const auto address = config.get_string(stream_key(stream_id, "multicast_address"));
  multicast->Address->IPv4Address = soap_string(soap, address.empty() ? "0.0.0.0" : address);
  multicast->Port = static_cast<int>(config.get_int(stream_key(stream_id, "multicast_video_port")));
  multicast->TTL = static_cast<int>(config.get_int(stream_key(stream_id, "multicast_ttl")));
  multicast->AutoStart = false;
  return multicast;
}

Result<void> add_multicast_change(const tt__MulticastConfiguration* multicast, EncoderChange& change) {
  if (!multicast) return {};
  if (multicast->AutoStart)
    return make_error(ErrorCode::invalid_argument, "multicast starts when a client asks for it in RTSP SETUP (AutoStart is not supported)");
  if (multicast->Address) {
    if (multicast->Address->Type != tt__IPType__IPv4 || !multicast->Address->IPv4Address)
      return make_error(ErrorCode::invalid_argument, "the multicast group is an IPv4 address");
    const auto& address = *multicast->Address->IPv4Address;
    // 0.0.0.0 is how ONVIF clients say "no group": multicast off, as an empty ISAPI address.
    change.multicast_address = address == "0.0.0.0" ? std::string() : address;
  }
  change.multicast_port = multicast->Port;
  change.multicast_ttl = multicast->TTL;
  return {};
}

std::string stream_uri(const DeviceServices& services, const RequestInfo& request, int stream_id) {
  // The host the client reached the HTTP server at, with the RTSP port instead of the HTTP one.
  std::string host = request.base_url.substr(request.base_url.find("://") + 3);
  const auto bracket = host.rfind(']');
  if (const auto colon = host.rfind(':'); colon != std::string::npos && (bracket == std::string::npos || colon > bracket))
    host.resize(colon);
  return "rtsp://" + host + ":" + std::to_string(services.config->get_int("network.rtsp_port")) + "/Streaming/Channels/" +
         std::to_string(stream_id);
}

std::string snapshot_uri(const RequestInfo& request, int stream_id) {
  return request.base_url + "/ISAPI/Streaming/channels/" + std::to_string(stream_id) + "/picture";
}

Result<void> request_key_frame(const DeviceServices& services, int stream_id) {
  auto hub = services.stream_hubs ? services.stream_hubs(stream_id) : nullptr;
  if (!hub) return make_error(ErrorCode::unavailable, "stream " + std::to_string(stream_id) + " is not encoding");
  // A new consumer makes the hub ask its encoder for an IDR at once (as an RTSP PLAY does);
  // this one leaves again before the key frame arrives.
  auto subscription = hub->subscribe([](const camrig::media::EncodedPacketPtr&) {});
  subscription.reset();
  return {};
}

int multicast_streaming(struct soap* soap, const DeviceServices& services, const RequestInfo& request, int stream_id,
                        bool start) {
  if (!services.multicast)
    return receiver_fault(soap, "ter:ActionNotSupported", nullptr, "this device streams multicast only to RTSP clients");
  if (start && services.config->get_string(stream_key(stream_id, "multicast_address")).empty())
    return receiver_fault(soap, "ter:Action", "ter:IncompleteConfiguration",
                          "stream " + std::to_string(stream_id) +
                              " has no multicast address; set one in its video encoder configuration first");
  if (auto done = services.multicast(stream_id, start); !done) {
    // A group outside the device's range is an incomplete configuration too; the rest is state.
    if (done.error().code == ErrorCode::out_of_range)
      return receiver_fault(soap, "ter:Action", "ter:IncompleteConfiguration", done.error().message);
    return fault_from(soap, done.error());
  }
  log_operation(services, request, start ? "Remote: Start Multicast" : "Remote: Stop Multicast",
                "multicast of stream " + std::to_string(stream_id) + (start ? " started" : " stopped") + " over ONVIF");
  return SOAP_OK;
}

Result<std::vector<tt__OSDConfiguration*>> osds(struct soap* soap, const DeviceServices& services,
                                                const std::string* configuration_token, const std::string* osd_token_wanted) {
  std::vector<tt__OSDConfiguration*> result;
  const core::ChannelProfile* only = nullptr;
  if (configuration_token && !configuration_token->empty()) {
    only = channel_of(services, *configuration_token);
    if (!only) return make_error(ErrorCode::not_found, "no video source configuration '" + *configuration_token + "'");
  }
  std::optional<OsdSlot> wanted;
  if (osd_token_wanted) {
    wanted = osd_slot(services, *osd_token_wanted);
    if (!wanted) return make_error(ErrorCode::not_found, "no OSD '" + *osd_token_wanted + "'");
  }
  for (const auto& channel : services.profile->channels) {
    if ((only && only->id != channel.id) || !has_osd(services, channel.id)) continue;
    std::vector<std::string> fields{"name", "date"};
    for (int line = 1; line <= k_text_overlays; ++line) fields.push_back("text." + std::to_string(line));
    for (const auto& field : fields) {
      const OsdSlot slot{channel.id, field};
      if (wanted && (wanted->channel != slot.channel || wanted->field != slot.field)) continue;
      // A hidden overlay is an OSD that does not exist: CreateOSD shows it again.
      if (!services.config->get_bool(osd_key(slot, "enabled"))) continue;
      result.push_back(osd_configuration(soap, services, slot));
    }
  }
  if (wanted && result.empty()) return make_error(ErrorCode::not_found, "OSD '" + *osd_token_wanted + "' is not shown (create it first)");
  return result;
}

Result<void> set_osd(const DeviceServices& services, const tt__OSDConfiguration& osd) {
  const auto slot = osd_slot(services, osd.token);
  if (!slot || !has_osd(services, slot->channel) || !services.config->get_bool(osd_key(*slot, "enabled")))
    return make_error(ErrorCode::not_found, "no OSD '" + osd.token + "'");
  std::vector<core::ConfigService::Change> changes;
  if (auto collected = osd_changes(*slot, osd, changes); !collected) return collected.error();
  return services.config->apply(changes);
}

Result<std::string> create_osd(const DeviceServices& services, const tt__OSDConfiguration& osd) {
  if (!osd.VideoSourceConfigurationToken) return make_error(ErrorCode::invalid_argument, "an OSD needs a VideoSourceConfigurationToken");
  const auto* channel = channel_of(services, osd.VideoSourceConfigurationToken->__item);
  if (!channel || !has_osd(services, channel->id))
    return make_error(ErrorCode::not_found, "no video source configuration '" + osd.VideoSourceConfigurationToken->__item + "' with OSDs");
  const bool date = osd.TextString && osd.TextString->Type != "Plain";
  std::vector<std::string> candidates;
  if (date) candidates.push_back("date");
  else
    for (int line = 1; line <= k_text_overlays; ++line) candidates.push_back("text." + std::to_string(line));
  for (const auto& field : candidates) {
    const OsdSlot slot{channel->id, field};
    if (services.config->get_bool(osd_key(slot, "enabled"))) continue;
    std::vector<core::ConfigService::Change> changes{{osd_key(slot, "enabled"), core::ConfigValue(true)}};
    if (auto collected = osd_changes(slot, osd, changes); !collected) return collected.error();
    if (auto applied = services.config->apply(changes); !applied) return applied.error();
    return osd_token(slot.channel, slot.field);
  }
  return make_error(ErrorCode::unavailable, date ? "the date and time OSD is shown already"
                                                 : "all " + std::to_string(k_text_overlays) + " text overlays are in use; delete one first");
}

Result<void> delete_osd(const DeviceServices& services, std::string_view token) {
  const auto slot = osd_slot(services, token);
  if (!slot || !has_osd(services, slot->channel) || !services.config->get_bool(osd_key(*slot, "enabled")))
    return make_error(ErrorCode::not_found, "no OSD '" + std::string(token) + "'");
  return services.config->set(osd_key(*slot, "enabled"), core::ConfigValue(false));
}

tt__OSDConfigurationOptions* osd_options(struct soap* soap) {
  auto* options = soap_new_tt__OSDConfigurationOptions(soap);
  options->MaximumNumberOfOSDs = soap_new_tt__MaximumNumberOfOSDs(soap);
  options->MaximumNumberOfOSDs->Total = k_text_overlays + 2;
  options->MaximumNumberOfOSDs->PlainText = soap_value(soap, k_text_overlays + 1);
  options->MaximumNumberOfOSDs->DateAndTime = soap_value(soap, 1);
  options->MaximumNumberOfOSDs->Image = soap_value(soap, 0);
  options->Type.push_back(tt__OSDType__Text);
  options->PositionOption.push_back("Custom");
  options->TextOption = soap_new_tt__OSDTextOptions(soap);
  options->TextOption->Type = {"Plain", "DateAndTime"};
  for (const auto& [onvif, own] : k_date_formats) options->TextOption->DateFormat.push_back(onvif);
  for (const auto& [onvif, own] : k_time_formats) options->TextOption->TimeFormat.push_back(onvif);
  return options;
}

}  // namespace media

// ---- the Media service ------------------------------------------------------------------------

tt__VideoEncoderConfiguration* MediaService::encoder_configuration(const core::StreamProfile& stream) {
  const auto& config = *services_.config;
  const auto codec = media::base_codec(services_, stream.id);
  if (codec == "H.265") return nullptr;
  auto* encoder = soap_new_tt__VideoEncoderConfiguration(soap);
  encoder->token = media::encoder_token(stream.id);
  encoder->Name = stream.name;
  encoder->UseCount = 1;
  encoder->Encoding = codec == "MJPEG" ? tt__VideoEncoding__JPEG : tt__VideoEncoding__H264;
  encoder->Resolution = resolution(soap, config.get_resolution(stream_key(stream.id, "resolution")));
  encoder->Quality = static_cast<float>(media::quality_level(services_, stream.id));
  encoder->RateControl = soap_new_tt__VideoRateControl(soap);
  encoder->RateControl->FrameRateLimit = static_cast<int>(config.get_int(stream_key(stream.id, "frame_rate")));
  encoder->RateControl->EncodingInterval = 1;
  encoder->RateControl->BitrateLimit = static_cast<int>(config.get_int(stream_key(stream.id, "max_bitrate")));
  if (encoder->Encoding == tt__VideoEncoding__H264) {
    encoder->H264 = soap_new_tt__H264Configuration(soap);
    encoder->H264->GovLength = static_cast<int>(config.get_int(stream_key(stream.id, "i_frame_interval")));
    encoder->H264->H264Profile = h264_profile(config.get_string(stream_key(stream.id, "encoding_profile")));
  }
  encoder->Multicast = media::multicast_configuration(soap, services_, stream.id);
  encoder->SessionTimeout = "PT60S";
  return encoder;
}

tt__Profile* MediaService::profile(const media::Profile& wanted) {
  auto* result = soap_new_tt__Profile(soap);
  result->token = wanted.token;
  result->Name = wanted.name;
  result->fixed = soap_value(soap, wanted.fixed);
  if (wanted.source) result->VideoSourceConfiguration = media::video_source_configuration(soap, services_, *wanted.source);
  if (wanted.encoder) result->VideoEncoderConfiguration = encoder_configuration(*wanted.encoder);
  result->VideoAnalyticsConfiguration = profile_configurations::video_analytics_of(soap, services_, wanted);
  result->MetadataConfiguration = profile_configurations::metadata_of(soap, services_, wanted);
  result->PTZConfiguration = ptz_configurations::configuration_of(soap, services_, wanted);
  return result;
}

const core::StreamProfile* MediaService::profile_encoder(const std::string& token) {
  const auto found = media::find_profile(services_, token);
  if (!found) {
    no_profile(soap, token);
    return nullptr;
  }
  if (!found->encoder) {
    receiver_fault(soap, "ter:Action", "ter:IncompleteConfiguration", "profile " + token + " has no video encoder configuration");
    return nullptr;
  }
  return found->encoder;
}

int MediaService::GetServiceCapabilities(_trt__GetServiceCapabilities*, _trt__GetServiceCapabilitiesResponse& response) {
  auto* capabilities = soap_new_trt__Capabilities(soap);
  capabilities->ProfileCapabilities = soap_new_trt__ProfileCapabilities(soap);
  capabilities->ProfileCapabilities->MaximumNumberOfProfiles =
      soap_value(soap, static_cast<int>(media::existing_streams(services_).size()) + media::k_max_user_profiles);
  capabilities->StreamingCapabilities = soap_new_trt__StreamingCapabilities(soap);
  capabilities->StreamingCapabilities->RTPMulticast = soap_value(soap, true);
  capabilities->StreamingCapabilities->RTP_USCORETCP = soap_value(soap, true);
  capabilities->StreamingCapabilities->RTP_USCORERTSP_USCORETCP = soap_value(soap, true);
  capabilities->StreamingCapabilities->NonAggregateControl = soap_value(soap, false);
  capabilities->StreamingCapabilities->NoRTSPStreaming = soap_value(soap, false);
  capabilities->SnapshotUri = soap_value(soap, true);
  capabilities->Rotation = soap_value(soap, false);
  capabilities->VideoSourceMode = soap_value(soap, false);
  capabilities->OSD = soap_value(soap, true);
  response.Capabilities = capabilities;
  return SOAP_OK;
}

int MediaService::GetVideoSources(_trt__GetVideoSources*, _trt__GetVideoSourcesResponse& response) {
  for (const auto& channel : services_.profile->channels) {
    auto* source = soap_new_tt__VideoSource(soap);
    source->token = media::source_token(channel.id);
    source->Framerate = static_cast<float>(channel.sensor.frame_rate.value());
    source->Resolution = resolution(soap, {channel.sensor.width, channel.sensor.height});
    response.VideoSources.push_back(source);
  }
  return SOAP_OK;
}

int MediaService::GetProfiles(_trt__GetProfiles*, _trt__GetProfilesResponse& response) {
  for (const auto& found : media::profiles(services_)) response.Profiles.push_back(profile(found));
  return SOAP_OK;
}

int MediaService::GetProfile(_trt__GetProfile* request, _trt__GetProfileResponse& response) {
  const auto found = media::find_profile(services_, request->ProfileToken);
  if (!found) return no_profile(soap, request->ProfileToken);
  response.Profile = profile(*found);
  return SOAP_OK;
}

int MediaService::CreateProfile(_trt__CreateProfile* request, _trt__CreateProfileResponse& response) {
  auto created = media::create_profile(services_, request->Name, request->Token);
  if (!created) return media::profile_fault(soap, created.error());
  response.Profile = profile(*media::find_profile(services_, *created));
  return SOAP_OK;
}

int MediaService::DeleteProfile(_trt__DeleteProfile* request, _trt__DeleteProfileResponse&) {
  if (auto deleted = media::delete_profile(services_, request->ProfileToken); !deleted)
    return deleted.error().code == ErrorCode::not_configurable
               ? receiver_fault(soap, "ter:Action", "ter:DeletionOfFixedProfile", deleted.error().message)
               : media::profile_fault(soap, deleted.error());
  return SOAP_OK;
}

int MediaService::AddVideoSourceConfiguration(_trt__AddVideoSourceConfiguration* request, _trt__AddVideoSourceConfigurationResponse&) {
  if (auto added = media::set_profile_configuration(services_, request->ProfileToken, media::ConfigurationKind::video_source,
                                                    &request->ConfigurationToken);
      !added)
    return media::profile_fault(soap, added.error());
  return SOAP_OK;
}

int MediaService::AddVideoEncoderConfiguration(_trt__AddVideoEncoderConfiguration* request, _trt__AddVideoEncoderConfigurationResponse&) {
  if (auto added = media::set_profile_configuration(services_, request->ProfileToken, media::ConfigurationKind::video_encoder,
                                                    &request->ConfigurationToken);
      !added)
    return media::profile_fault(soap, added.error());
  return SOAP_OK;
}

int MediaService::RemoveVideoSourceConfiguration(_trt__RemoveVideoSourceConfiguration* request,
                                                 _trt__RemoveVideoSourceConfigurationResponse&) {
  if (auto removed = media::set_profile_configuration(services_, request->ProfileToken, media::ConfigurationKind::video_source, nullptr);
      !removed)
    return media::profile_fault(soap, removed.error());
  return SOAP_OK;
}

int MediaService::RemoveVideoEncoderConfiguration(_trt__RemoveVideoEncoderConfiguration* request,
                                                  _trt__RemoveVideoEncoderConfigurationResponse&) {
  if (auto removed = media::set_profile_configuration(services_, request->ProfileToken, media::ConfigurationKind::video_encoder, nullptr);
      !removed)
    return media::profile_fault(soap, removed.error());
  return SOAP_OK;
}

int MediaService::GetVideoSourceConfigurations(_trt__GetVideoSourceConfigurations*,
                                               _trt__GetVideoSourceConfigurationsResponse& response) {
  for (const auto& channel : services_.profile->channels)
    response.Configurations.push_back(media::video_source_configuration(soap, services_, channel));
  return SOAP_OK;
}

int MediaService::GetVideoSourceConfiguration(_trt__GetVideoSourceConfiguration* request,
                                              _trt__GetVideoSourceConfigurationResponse& response) {
  const auto* channel = request->ConfigurationToken.starts_with("VideoSourceConfig_")
                            ? media::channel_of(services_, request->ConfigurationToken)
                            : nullptr;
  if (!channel) return no_config(soap, request->ConfigurationToken);
  response.Configuration = media::video_source_configuration(soap, services_, *channel);
  return SOAP_OK;
}

int MediaService::GetCompatibleVideoSourceConfigurations(_trt__GetCompatibleVideoSourceConfigurations* request,
                                                         _trt__GetCompatibleVideoSourceConfigurationsResponse& response) {
  const auto found = media::find_profile(services_, request->ProfileToken);
  if (!found) return no_profile(soap, request->ProfileToken);
  // A stream encodes its own channel's picture only.
  for (const auto& channel : services_.profile->channels)
    if (!found->encoder || found->encoder->channel == channel.id)
      response.Configurations.push_back(media::video_source_configuration(soap, services_, channel));
  return SOAP_OK;
}

int MediaService::GetVideoSourceConfigurationOptions(_trt__GetVideoSourceConfigurationOptions* request,
                                                     _trt__GetVideoSourceConfigurationOptionsResponse& response) {
  const core::ChannelProfile* only = nullptr;
  if (request->ConfigurationToken) {
    only = media::channel_of(services_, *request->ConfigurationToken);
    if (!only) return no_config(soap, *request->ConfigurationToken);
  } else if (request->ProfileToken) {
    const auto found = media::find_profile(services_, *request->ProfileToken);
    if (!found) return no_profile(soap, *request->ProfileToken);
    if (found->encoder) only = services_.profile->find_channel(found->encoder->channel);
  }
  response.Options = media::video_source_configuration_options(soap, services_, only);
  return SOAP_OK;
}

int MediaService::GetVideoEncoderConfigurations(_trt__GetVideoEncoderConfigurations*,
                                                _trt__GetVideoEncoderConfigurationsResponse& response) {
  for (const auto* stream : media::existing_streams(services_))
    if (auto* encoder = encoder_configuration(*stream)) response.Configurations.push_back(encoder);
  return SOAP_OK;
}

int MediaService::GetVideoEncoderConfiguration(_trt__GetVideoEncoderConfiguration* request,
                                               _trt__GetVideoEncoderConfigurationResponse& response) {
  const auto* stream = request->ConfigurationToken.starts_with("VideoEncoder_")
                           ? media::stream_of(services_, request->ConfigurationToken)
                           : nullptr;
  auto* encoder = stream ? encoder_configuration(*stream) : nullptr;
  if (!encoder) return no_config(soap, request->ConfigurationToken);
  response.Configuration = encoder;
  return SOAP_OK;
}

int MediaService::GetCompatibleVideoEncoderConfigurations(_trt__GetCompatibleVideoEncoderConfigurations* request,
                                                          _trt__GetCompatibleVideoEncoderConfigurationsResponse& response) {
  const auto found = media::find_profile(services_, request->ProfileToken);
  if (!found) return no_profile(soap, request->ProfileToken);
  // A fixed profile is one stream; a made one takes any stream of its video source.
  for (const auto* stream : media::existing_streams(services_)) {
    if (found->fixed ? stream != found->encoder : (found->source && found->source->id != stream->channel)) continue;
    if (auto* encoder = encoder_configuration(*stream)) response.Configurations.push_back(encoder);
  }
  return SOAP_OK;
}

int MediaService::SetVideoEncoderConfiguration(_trt__SetVideoEncoderConfiguration* request,
                                               _trt__SetVideoEncoderConfigurationResponse&) {
  if (!request->Configuration) return sender_fault(soap, "ter:InvalidArgVal", "ter:NoConfig", "Configuration is missing");
  const auto& wanted = *request->Configuration;
  const auto* stream = wanted.token.starts_with("VideoEncoder_") ? media::stream_of(services_, wanted.token) : nullptr;
  if (!stream || media::base_codec(services_, stream->id) == "H.265") return no_config(soap, wanted.token);
  media::EncoderChange change;
  switch (wanted.Encoding) {
    case tt__VideoEncoding__H264: change.codec = "H.264"; break;
    case tt__VideoEncoding__JPEG: change.codec = "MJPEG"; break;
    default: return config_fault(soap, make_error(ErrorCode::out_of_range, "MPEG4 is not offered; choose H264 or JPEG"));
  }
  if (wanted.Resolution) {
    change.width = wanted.Resolution->Width;
    change.height = wanted.Resolution->Height;
  }
  if (wanted.RateControl) {
    if (wanted.RateControl->EncodingInterval > 1)
      return config_fault(soap, make_error(ErrorCode::out_of_range, "every frame is encoded (EncodingInterval 1)"));
    change.frame_rate = wanted.RateControl->FrameRateLimit;
    change.bitrate_kbps = wanted.RateControl->BitrateLimit;
  }
  change.quality = static_cast<int>(wanted.Quality + 0.5f);
  if (wanted.H264 && wanted.Encoding == tt__VideoEncoding__H264) {
    change.gov_length = wanted.H264->GovLength;
    change.profile = profile_value(wanted.H264->H264Profile);
  }
  if (auto multicast = media::add_multicast_change(wanted.Multicast, change); !multicast) return config_fault(soap, multicast.error());
  if (auto applied = media::apply_encoder_change(services_, stream->id, change); !applied) return config_fault(soap, applied.error());
  return SOAP_OK;
}

int MediaService::GetVideoEncoderConfigurationOptions(_trt__GetVideoEncoderConfigurationOptions* request,
                                                      _trt__GetVideoEncoderConfigurationOptionsResponse& response) {
  const core::StreamProfile* stream = nullptr;
  if (request->ConfigurationToken) {
    stream = media::stream_of(services_, *request->ConfigurationToken);
    if (!stream) return no_config(soap, *request->ConfigurationToken);
  } else if (request->ProfileToken) {
    stream = profile_encoder(*request->ProfileToken);
    if (!stream) return soap->error;
  } else {
    const auto streams = media::existing_streams(services_);
    if (streams.empty()) return receiver_fault(soap, "ter:Action", nullptr, "the device has no streams");
    stream = streams.front();
  }
  const auto& config = *services_.config;
  auto* options = soap_new_tt__VideoEncoderConfigurationOptions(soap);
  options->QualityRange = int_range(soap, 1, static_cast<int>(k_quality_levels.size()));
  const auto* rate = config.spec(stream_key(stream->id, "frame_rate"));
  const auto* gov = config.spec(stream_key(stream->id, "i_frame_interval"));
  const auto codecs = media::codecs_allowed(services_, stream->id);
  const auto sizes = media::resolutions_allowed(services_, stream->id);
  if (std::find(codecs.begin(), codecs.end(), "H.264") != codecs.end()) {
    options->H264 = soap_new_tt__H264Options(soap);
    for (const auto size : sizes) options->H264->ResolutionsAvailable.push_back(resolution(soap, size));
    options->H264->GovLengthRange = int_range(soap, range_int(gov, false, 1), range_int(gov, true, 400));
    options->H264->FrameRateRange = int_range(soap, range_int(rate, false, 1), range_int(rate, true, 25));
    options->H264->EncodingIntervalRange = int_range(soap, 1, 1);
    if (const auto* profiles = config.spec(stream_key(stream->id, "encoding_profile")))
      for (const auto& value : profiles->values) options->H264->H264ProfilesSupported.push_back(h264_profile(value));
  }
  if (std::find(codecs.begin(), codecs.end(), "MJPEG") != codecs.end()) {
    options->JPEG = soap_new_tt__JpegOptions(soap);
    for (const auto size : sizes)
      if (size.width <= 2040 && size.height <= 2040) options->JPEG->ResolutionsAvailable.push_back(resolution(soap, size));
    options->JPEG->FrameRateRange = int_range(soap, range_int(rate, false, 1), range_int(rate, true, 25));
    options->JPEG->EncodingIntervalRange = int_range(soap, 1, 1);
  }
  response.Options = options;
  return SOAP_OK;
}

int MediaService::GetGuaranteedNumberOfVideoEncoderInstances(_trt__GetGuaranteedNumberOfVideoEncoderInstances* request,
                                                             _trt__GetGuaranteedNumberOfVideoEncoderInstancesResponse& response) {
  const auto* channel = media::channel_of(services_, request->ConfigurationToken);
  if (!channel) return no_config(soap, request->ConfigurationToken);
  // Every stream of the channel has its own encoder, whichever codec it uses.
  const auto streams = media::existing_streams(services_);
  const int count = static_cast<int>(std::count_if(streams.begin(), streams.end(), [&](const auto* s) { return s->channel == channel->id; }));
  response.TotalNumber = count;
  response.H264 = soap_value(soap, count);
  response.JPEG = soap_value(soap, count);
  return SOAP_OK;
}

int MediaService::GetStreamUri(_trt__GetStreamUri* request, _trt__GetStreamUriResponse& response) {
  const auto* stream = profile_encoder(request->ProfileToken);
  if (!stream) return soap->error;
  if (request->StreamSetup && request->StreamSetup->Stream == tt__StreamType__RTP_Multicast &&
      services_.config->get_string(stream_key(stream->id, "multicast_address")).empty())
    return sender_fault(soap, "ter:InvalidArgVal", "ter:InvalidStreamSetup",
                        "stream " + std::to_string(stream->id) + " has no multicast address; set one first");
  response.MediaUri = soap_new_tt__MediaUri(soap);
  response.MediaUri->Uri = media::stream_uri(services_, request_, stream->id);
  response.MediaUri->InvalidAfterConnect = false;
  response.MediaUri->InvalidAfterReboot = false;
  response.MediaUri->Timeout = "PT0S";
  return SOAP_OK;
}

int MediaService::GetSnapshotUri(_trt__GetSnapshotUri* request, _trt__GetSnapshotUriResponse& response) {
  const auto* stream = profile_encoder(request->ProfileToken);
  if (!stream) return soap->error;
  response.MediaUri = soap_new_tt__MediaUri(soap);
  response.MediaUri->Uri = media::snapshot_uri(request_, stream->id);
  response.MediaUri->InvalidAfterConnect = false;
  response.MediaUri->InvalidAfterReboot = false;
  response.MediaUri->Timeout = "PT0S";
  return SOAP_OK;
}

int MediaService::SetSynchronizationPoint(_trt__SetSynchronizationPoint* request, _trt__SetSynchronizationPointResponse&) {
  const auto* stream = profile_encoder(request->ProfileToken);
  if (!stream) return soap->error;
  if (auto requested = media::request_key_frame(services_, stream->id); !requested) return fault_from(soap, requested.error());
  return SOAP_OK;
}

int MediaService::StartMulticastStreaming(_trt__StartMulticastStreaming* request, _trt__StartMulticastStreamingResponse&) {
  const auto* stream = profile_encoder(request->ProfileToken);
  if (!stream) return soap->error;
  return media::multicast_streaming(soap, services_, request_, stream->id, true);
}

int MediaService::StopMulticastStreaming(_trt__StopMulticastStreaming* request, _trt__StopMulticastStreamingResponse&) {
  const auto* stream = profile_encoder(request->ProfileToken);
  if (!stream) return soap->error;
  return media::multicast_streaming(soap, services_, request_, stream->id, false);
}

int MediaService::GetOSDs(_trt__GetOSDs* request, _trt__GetOSDsResponse& response) {
  auto found = media::osds(soap, services_, request->ConfigurationToken, nullptr);
  if (!found) return no_config(soap, request->ConfigurationToken ? *request->ConfigurationToken : std::string());
  response.OSDs = std::move(*found);
  return SOAP_OK;
}

int MediaService::GetOSD(_trt__GetOSD* request, _trt__GetOSDResponse& response) {
  auto found = media::osds(soap, services_, nullptr, &request->OSDToken);
  if (!found) return sender_fault(soap, "ter:InvalidArgVal", "ter:NoConfig", found.error().message);
  response.OSD = found->front();
  return SOAP_OK;
}

int MediaService::GetOSDOptions(_trt__GetOSDOptions* request, _trt__GetOSDOptionsResponse& response) {
  if (!media::channel_of(services_, request->ConfigurationToken)) return no_config(soap, request->ConfigurationToken);
  response.OSDOptions = media::osd_options(soap);
  return SOAP_OK;
}

int MediaService::SetOSD(_trt__SetOSD* request, _trt__SetOSDResponse&) {
  if (!request->OSD) return sender_fault(soap, "ter:InvalidArgVal", "ter:NoConfig", "OSD is missing");
  if (auto set = media::set_osd(services_, *request->OSD); !set) return config_fault(soap, set.error());
  return SOAP_OK;
}

int MediaService::CreateOSD(_trt__CreateOSD* request, _trt__CreateOSDResponse& response) {
  if (!request->OSD) return sender_fault(soap, "ter:InvalidArgVal", "ter:NoConfig", "OSD is missing");
  auto created = media::create_osd(services_, *request->OSD);
  if (!created) {
    if (created.error().code == ErrorCode::unavailable) return receiver_fault(soap, "ter:Action", "ter:MaxOSDs", created.error().message);
    return config_fault(soap, created.error());
  }
  response.OSDToken = *created;
  return SOAP_OK;
}

int MediaService::DeleteOSD(_trt__DeleteOSD* request, _trt__DeleteOSDResponse&) {
  if (auto deleted = media::delete_osd(services_, request->OSDToken); !deleted)
    return sender_fault(soap, "ter:InvalidArgVal", "ter:NoConfig", deleted.error().message);
  return SOAP_OK;
}

// ---- video analytics and metadata configurations (device/onvif/analytics_service.hpp) ----------

int MediaService::GetVideoAnalyticsConfigurations(_trt__GetVideoAnalyticsConfigurations*,
                                                  _trt__GetVideoAnalyticsConfigurationsResponse& response) {
  response.Configurations = profile_configurations::video_analytics_configurations(soap, services_);
  return SOAP_OK;
}

int MediaService::GetVideoAnalyticsConfiguration(_trt__GetVideoAnalyticsConfiguration* request,
                                                 _trt__GetVideoAnalyticsConfigurationResponse& response) {
  for (auto* configuration : profile_configurations::video_analytics_configurations(soap, services_))
    if (configuration->token == request->ConfigurationToken) response.Configuration = configuration;
  return response.Configuration ? SOAP_OK : no_config(soap, request->ConfigurationToken);
}

int MediaService::GetCompatibleVideoAnalyticsConfigurations(_trt__GetCompatibleVideoAnalyticsConfigurations* request,
                                                            _trt__GetCompatibleVideoAnalyticsConfigurationsResponse& response) {
  const auto found = media::find_profile(services_, request->ProfileToken);
  if (!found) return no_profile(soap, request->ProfileToken);
  for (auto* configuration : profile_configurations::video_analytics_configurations(soap, services_))
    if (found->fixed && found->source && configuration->token == video_analytics::configuration_token(found->source->id))
      response.Configurations.push_back(configuration);
  return SOAP_OK;
}

int MediaService::AddVideoAnalyticsConfiguration(_trt__AddVideoAnalyticsConfiguration* request,
                                                 _trt__AddVideoAnalyticsConfigurationResponse&) {
  return profile_configurations::set_in_profile(soap, services_, request->ProfileToken,
                                                profile_configurations::Kind::video_analytics, &request->ConfigurationToken);
}

int MediaService::RemoveVideoAnalyticsConfiguration(_trt__RemoveVideoAnalyticsConfiguration* request,
                                                    _trt__RemoveVideoAnalyticsConfigurationResponse&) {
  return profile_configurations::set_in_profile(soap, services_, request->ProfileToken,
                                                profile_configurations::Kind::video_analytics, nullptr);
}

int MediaService::GetMetadataConfigurations(_trt__GetMetadataConfigurations*, _trt__GetMetadataConfigurationsResponse& response) {
  response.Configurations = profile_configurations::metadata_configurations(soap, services_);
  return SOAP_OK;
}

int MediaService::GetMetadataConfiguration(_trt__GetMetadataConfiguration* request, _trt__GetMetadataConfigurationResponse& response) {
  const auto* channel = profile_configurations::metadata_channel_of(services_, request->ConfigurationToken);
  if (!channel) return no_config(soap, request->ConfigurationToken);
  response.Configuration = profile_configurations::metadata_configuration(soap, services_, *channel);
  return SOAP_OK;
}

int MediaService::GetCompatibleMetadataConfigurations(_trt__GetCompatibleMetadataConfigurations* request,
                                                      _trt__GetCompatibleMetadataConfigurationsResponse& response) {
  const auto found = media::find_profile(services_, request->ProfileToken);
  if (!found) return no_profile(soap, request->ProfileToken);
  for (auto* configuration : profile_configurations::metadata_configurations(soap, services_))
    if (found->fixed && found->source && configuration->token == profile_configurations::metadata_token(found->source->id))
      response.Configurations.push_back(configuration);
  return SOAP_OK;
}

int MediaService::GetMetadataConfigurationOptions(_trt__GetMetadataConfigurationOptions*,
                                                  _trt__GetMetadataConfigurationOptionsResponse& response) {
  response.Options = profile_configurations::metadata_options(soap);
  return SOAP_OK;
}

int MediaService::SetMetadataConfiguration(_trt__SetMetadataConfiguration* request, _trt__SetMetadataConfigurationResponse&) {
  return profile_configurations::set_metadata_configuration(soap, services_, request->Configuration);
}

int MediaService::AddMetadataConfiguration(_trt__AddMetadataConfiguration* request, _trt__AddMetadataConfigurationResponse&) {
  return profile_configurations::set_in_profile(soap, services_, request->ProfileToken, profile_configurations::Kind::metadata,
                                                &request->ConfigurationToken);
}

int MediaService::RemoveMetadataConfiguration(_trt__RemoveMetadataConfiguration* request, _trt__RemoveMetadataConfigurationResponse&) {
  return profile_configurations::set_in_profile(soap, services_, request->ProfileToken, profile_configurations::Kind::metadata, nullptr);
}

int MediaService::AddPTZConfiguration(_trt__AddPTZConfiguration* request, _trt__AddPTZConfigurationResponse&) {
  return ptz_configurations::set_in_profile(soap, services_, request->ProfileToken, &request->ConfigurationToken);
}

int MediaService::RemovePTZConfiguration(_trt__RemovePTZConfiguration* request, _trt__RemovePTZConfigurationResponse&) {
  return ptz_configurations::set_in_profile(soap, services_, request->ProfileToken, nullptr);
}

}  // namespace camrig::onvif
