// /ISAPI/Streaming/channels[/<id>]: StreamingChannel documents mapped to the config service's
// stream.<id>.* parameters. A PUT changes only what differs, all at once through the config
// service, so its range checks and combination rules give the error. Custom streams are added
// (POST) into the profile's free custom slots and deleted (DELETE), also through the config service.
#include <algorithm>
#include <array>
#include <memory>
#include <mutex>
#include <optional>
#include <set>

#include "device/core/text.hpp"
#include "device/isapi/isapi.hpp"
#include "device/isapi/xml.hpp"

namespace camrig::isapi {
namespace {

using http::beast_http::verb;

// Video Quality as ISAPI's fixedQuality percentage.
constexpr std::array<std::pair<const char*, int>, 6> k_quality{
    {{"lowest", 1}, {"lower", 20}, {"low", 40}, {"medium", 60}, {"higher", 80}, {"highest", 100}}};

std::string key(int id, const char* field) { return "stream." + std::to_string(id) + "." + field; }

bool is_custom(const core::ConfigService& config, int id) { return config.spec(key(id, "custom.added")) != nullptr; }

//! Main, sub and third streams always exist; a custom stream slot once added.
bool exists(const core::ConfigService& config, int id) { return !is_custom(config, id) || config.get_bool(key(id, "custom.added")); }

std::string profile_name(const std::string& value) {
  if (value == "baseline") return "Baseline";
  if (value == "main") return "Main";
  return "High";
}

void append_channel(pugi::xml_node parent, const DeviceServices& services, const core::StreamProfile& stream) {
  const auto& config = *services.config;
  const int id = stream.id;
  const auto codec = config.get_string(key(id, "video_codec"));
  const bool smart = codec.ends_with('+');
  const auto resolution = config.get_resolution(key(id, "resolution"));
  const auto* channel = services.profile->find_channel(stream.channel);
  const auto max_bitrate = config.get_int(key(id, "max_bitrate"));

  auto node = parent.append_child("StreamingChannel");
  if (parent.type() == pugi::node_document) {
    auto declaration = parent.insert_child_before(pugi::node_declaration, node);
    declaration.append_attribute("version") = "1.0";
    declaration.append_attribute("encoding") = "UTF-8";
  }
  node.append_attribute("version") = "2.0";
  node.append_attribute("xmlns") = k_namespace;
  node.append_child("id").text() = id;
  const auto channel_name = is_custom(config, id) ? config.get_string(key(id, "custom.name"))
                                                   : (channel ? channel->name + " " : std::string()) + stream.name;
  node.append_child("channelName").text() = channel_name.c_str();
  node.append_child("enabled").text() = config.get_bool(key(id, "enabled"));
  auto transport = node.append_child("Transport");
  auto protocols = transport.append_child("ControlProtocolList").append_child("ControlProtocol");
  protocols.append_child("streamingTransport").text() = "RTSP";
  auto video = node.append_child("Video");
  video.append_child("enabled").text() = true;
  video.append_child("videoInputChannelID").text() = stream.channel;
  video.append_child("videoCodecType").text() = (smart ? codec.substr(0, codec.size() - 1) : codec).c_str();
  video.append_child("videoResolutionWidth").text() = resolution.width;
  video.append_child("videoResolutionHeight").text() = resolution.height;
  const bool constant = config.get_string(key(id, "bitrate_type")) == "constant";
  video.append_child("videoQualityControlType").text() = constant ? "CBR" : "VBR";
  video.append_child("constantBitRate").text() = max_bitrate;
  const auto quality = config.get_string(key(id, "video_quality"));
  for (const auto& [name, percent] : k_quality)
    if (quality == name) video.append_child("fixedQuality").text() = percent;
  video.append_child("vbrUpperCap").text() = max_bitrate;
  video.append_child("maxFrameRate").text() = config.get_int(key(id, "frame_rate")) * 100;
  video.append_child("GovLength").text() = config.get_int(key(id, "i_frame_interval"));
  const auto profile = profile_name(config.get_string(key(id, "encoding_profile")));
  if (codec.starts_with("H.265")) video.append_child("H265Profile").text() = profile.c_str();
  else video.append_child("H264Profile").text() = profile.c_str();
  video.append_child("SVC").append_child("enabled").text() = config.get_bool(key(id, "svc"));
  video.append_child("smoothing").text() = config.get_int(key(id, "smoothing"));
  video.append_child("SmartCodec").append_child("enabled").text() = smart;
  video.append_child("vbrAverageCap").text() = config.get_int(key(id, "max_average_bitrate"));
}

// The config values a StreamingChannel document asks for, as (key, text) pairs.
Result<std::vector<std::pair<std::string, std::string>>> requested(pugi::xml_node channel, int id,
                                                                   const core::ConfigService& config) {
  std::vector<std::pair<std::string, std::string>> wanted;
  const auto enabled = bool_at(channel, {"enabled"});
  if (!enabled) return enabled.error();
  if (*enabled) wanted.emplace_back(key(id, "enabled"), **enabled ? "true" : "false");
  // Only a custom stream's name is the user's; the others are named by the device.
  if (auto name = text_at(channel, {"channelName"}); name && is_custom(config, id)) {
    if (name->empty()) return make_error(ErrorCode::invalid_argument, "stream " + std::to_string(id) + ": the Stream Name must not be empty");
    wanted.emplace_back(key(id, "custom.name"), *name);
  }
  const auto video = child(channel, "Video");
  if (!video) return wanted;

  auto codec = text_at(video, {"videoCodecType"});
  const auto smart = bool_at(video, {"SmartCodec", "enabled"});
  if (!smart) return smart.error();
  if (codec || smart->has_value()) {
    auto current = config.get_string(key(id, "video_codec"));
    std::string base = codec ? *codec : (current.ends_with('+') ? current.substr(0, current.size() - 1) : current);
    const bool plus = smart->value_or(current.ends_with('+'));
    wanted.emplace_back(key(id, "video_codec"), base + (plus ? "+" : ""));
  }
  const auto width = text_at(video, {"videoResolutionWidth"});
  const auto height = text_at(video, {"videoResolutionHeight"});
  if (width || height) {
    if (!width || !height)
      return make_error(ErrorCode::invalid_argument, "videoResolutionWidth and videoResolutionHeight go together");
    wanted.emplace_back(key(id, "resolution"), *width + "x" + *height);
  }
  std::optional<std::string> bitrate_type;
  if (auto control = text_at(video, {"videoQualityControlType"})) {
    if (*control == "CBR" || *control == "cbr") bitrate_type = "constant";
    else if (*control == "VBR" || *control == "vbr") bitrate_type = "variable";
    else return make_error(ErrorCode::out_of_range, "videoQualityControlType must be CBR or VBR (got '" + *control + "')");
    wanted.emplace_back(key(id, "bitrate_type"), *bitrate_type);
  }
  const bool constant = (bitrate_type ? *bitrate_type : config.get_string(key(id, "bitrate_type"))) == "constant";
  auto cap = text_at(video, {constant ? "constantBitRate" : "vbrUpperCap"});
  if (!cap) cap = text_at(video, {constant ? "vbrUpperCap" : "constantBitRate"});
  if (cap) wanted.emplace_back(key(id, "max_bitrate"), *cap);
  if (auto quality = text_at(video, {"fixedQuality"})) {
    auto percent = element_int(*quality, "fixedQuality");
    if (!percent) return percent.error();
    const char* name = nullptr;
    for (const auto& [level, value] : k_quality)
      if (value == *percent) name = level;
    if (!name) return make_error(ErrorCode::out_of_range, "fixedQuality must be one of 1, 20, 40, 60, 80, 100 (got " + *quality + ")");
    wanted.emplace_back(key(id, "video_quality"), name);
  }
  if (auto rate = text_at(video, {"maxFrameRate"})) {
    auto hundredths = element_int(*rate, "maxFrameRate");
    if (!hundredths) return hundredths.error();
    if (*hundredths % 100 != 0 || *hundredths <= 0)
      return make_error(ErrorCode::out_of_range, "maxFrameRate is in 1/100 fps and must be whole frames per second (got " + *rate + ")");
    wanted.emplace_back(key(id, "frame_rate"), std::to_string(*hundredths / 100));
  }
  if (auto gop = text_at(video, {"GovLength"})) wanted.emplace_back(key(id, "i_frame_interval"), *gop);
  auto profile = text_at(video, {"H264Profile"});
  if (!profile) profile = text_at(video, {"H265Profile"});
  if (profile) wanted.emplace_back(key(id, "encoding_profile"), text::to_lower(*profile));
  const auto svc = bool_at(video, {"SVC", "enabled"});
  if (!svc) return svc.error();
  if (*svc) wanted.emplace_back(key(id, "svc"), **svc ? "true" : "false");
  if (auto smoothing = text_at(video, {"smoothing"})) wanted.emplace_back(key(id, "smoothing"), *smoothing);
  if (auto average = text_at(video, {"vbrAverageCap"})) wanted.emplace_back(key(id, "max_average_bitrate"), *average);
  return wanted;
}

// Only the values that differ: a document read with GET and sent back with one change changes one thing.
Result<void> collect_changes(pugi::xml_node channel, int id, const core::ConfigService& config,
                             std::vector<core::ConfigService::Change>& changes) {
  auto wanted = requested(channel, id, config);
  if (!wanted) return wanted.error();
  for (const auto& [config_key, text] : *wanted) {
    const auto* spec = config.spec(config_key);
    if (!spec) return make_error(ErrorCode::not_found, "stream " + std::to_string(id) + " has no " + config_key);
    auto value = spec->parse(text);
    if (!value) return value.error();
    if (*value != config.get(config_key)) changes.emplace_back(config_key, std::move(*value));
  }
  return {};
}

Result<const core::StreamProfile*> find_stream(const DeviceServices& services, const std::string& id_text) {
  auto id = element_int(id_text, "id");
  const auto* stream = id ? services.profile->find_stream(*id) : nullptr;
  if (!stream || !exists(*services.config, stream->id)) return make_error(ErrorCode::not_found, "no streaming channel " + id_text);
  return stream;
}

// POST /ISAPI/Streaming/channels: a new custom stream in the first free slot of the document's
// video input channel (or the slot its <id> names), named and set up as the document says.
Result<int> add_custom_stream(const DeviceServices& services, pugi::xml_node document) {
  const auto& config = *services.config;
  int channel_id = 1;
  if (auto input = text_at(document, {"Video", "videoInputChannelID"})) {
    auto parsed = element_int(*input, "videoInputChannelID");
    if (!parsed) return parsed.error();
    channel_id = *parsed;
  }
  const auto* channel = services.profile->find_channel(channel_id);
  if (!channel) return make_error(ErrorCode::not_found, "no video input channel " + std::to_string(channel_id));
  std::optional<int> wanted_id;
  if (auto id = text_at(document, {"id"})) {
    auto parsed = element_int(*id, "id");
    if (!parsed) return parsed.error();
    wanted_id = *parsed;
  }
  const core::StreamProfile* slot = nullptr;
  bool has_slots = false;
  for (const auto& stream : channel->streams) {
    if (!is_custom(config, stream.id)) continue;
    has_slots = true;
    if (wanted_id && stream.id != *wanted_id) continue;
    if (!exists(config, stream.id)) {
      slot = &stream;
      break;
    }
  }
  if (!has_slots)
    return make_error(ErrorCode::not_configurable, "channel " + std::to_string(channel_id) + " (" + channel->name +
                                                    ") offers no custom streams");
  if (!slot && wanted_id) {
    if (services.profile->find_stream(*wanted_id) && exists(config, *wanted_id))
      return make_error(ErrorCode::already_exists, "stream " + std::to_string(*wanted_id) + " already exists");
    return make_error(ErrorCode::not_found, "stream " + std::to_string(*wanted_id) + " is not a custom stream slot of channel " +
                                                std::to_string(channel_id));
  }
  if (!slot)
    return make_error(ErrorCode::out_of_range, "channel " + std::to_string(channel_id) + " already has its " +
                                                   std::to_string(std::count_if(channel->streams.begin(), channel->streams.end(),
                                                                                [&](const auto& s) { return is_custom(config, s.id); })) +
                                                   " custom streams; delete one first");
  std::vector<core::ConfigService::Change> changes{{key(slot->id, "custom.added"), true}};
  if (!text_at(document, {"channelName"})) changes.emplace_back(key(slot->id, "custom.name"), slot->name);
  auto wanted = requested(document, slot->id, config);
  if (!wanted) return wanted.error();
  for (const auto& [config_key, text] : *wanted) {
    auto value = config.spec(config_key)->parse(text);
    if (!value) return value.error();
    changes.emplace_back(config_key, std::move(*value));
  }
  if (auto applied = services.config->apply(changes); !applied) return applied.error();
  return slot->id;
}

}  // namespace

void add_streaming_routes(http::Router& router, DeviceServices services) {
  router.add(verb::get, "/ISAPI/Streaming/channels", security::Permission::parameter_settings,
             [services](http::RequestContext&) -> Result<http::Reply> {
               pugi::xml_document doc;
               auto list = new_document(doc, "StreamingChannelList");
               for (const auto& stream : services.profile->streams())
                 if (exists(*services.config, stream.id)) append_channel(list, services, stream);
               for (auto channel = list.first_child(); channel; channel = channel.next_sibling())
                 channel.remove_attribute("xmlns");
               return xml_reply(doc);
             });

  router.add(verb::get, "/ISAPI/Streaming/channels/{id}", security::Permission::parameter_settings,
             [services](http::RequestContext& context) -> Result<http::Reply> {
               auto stream = find_stream(services, context.path_parameters.at("id"));
               if (!stream) return stream.error();
               pugi::xml_document doc;
               append_channel(doc, services, **stream);
               return xml_reply(doc);
             });

  router.add(verb::put, "/ISAPI/Streaming/channels/{id}", security::Permission::parameter_settings,
             [services](http::RequestContext& context) -> Result<http::Reply> {
               auto stream = find_stream(services, context.path_parameters.at("id"));
               if (!stream) return stream.error();
               pugi::xml_document doc;
               auto parsed = parse_body(doc, context, "StreamingChannel");
               if (auto* refused = std::get_if<ResponseStatus>(&parsed)) return status_reply(context, *refused);
               const auto channel = std::get<pugi::xml_node>(parsed);
               if (auto id = text_at(channel, {"id"}); id && *id != std::to_string((*stream)->id))
                 return make_error(ErrorCode::invalid_argument, "the document's <id> " + *id + " is not channel " +
                                                                    std::to_string((*stream)->id));
               std::vector<core::ConfigService::Change> changes;
               if (auto collected = collect_changes(channel, (*stream)->id, *services.config, changes); !collected)
                 return collected.error();
               if (!changes.empty())
                 if (auto applied = services.config->apply(changes); !applied) return applied.error();
               return status_reply(context, ResponseStatus{});
             });

  // Choosing a free slot and taking it is one step: two clients adding at once get two slots.
  auto adding = std::make_shared<std::mutex>();
  router.add(verb::post, "/ISAPI/Streaming/channels", security::Permission::parameter_settings,
             [services, adding](http::RequestContext& context) -> Result<http::Reply> {
               pugi::xml_document doc;
               auto parsed = parse_body(doc, context, "StreamingChannel");
               if (auto* refused = std::get_if<ResponseStatus>(&parsed)) return status_reply(context, *refused);
               std::unique_lock lock(*adding);
               auto added = add_custom_stream(services, std::get<pugi::xml_node>(parsed));
               lock.unlock();
               if (!added) return added.error();
               ResponseStatus created;
               created.id = *added;
               return status_reply(context, created);
             });

  router.add(verb::delete_, "/ISAPI/Streaming/channels/{id}", security::Permission::parameter_settings,
             [services](http::RequestContext& context) -> Result<http::Reply> {
               auto stream = find_stream(services, context.path_parameters.at("id"));
               if (!stream) return stream.error();
               if (!is_custom(*services.config, (*stream)->id))
                 return make_error(ErrorCode::not_configurable, "stream " + std::to_string((*stream)->id) + " (" + (*stream)->name +
                                                                 ") is not a custom stream and cannot be deleted");
               // A deleted stream leaves its slot with every parameter at its default.
               if (auto done = services.config->reset("stream." + std::to_string((*stream)->id) + "."); !done)
                 return done.error();
               return status_reply(context, ResponseStatus{});
             });

  router.add(verb::put, "/ISAPI/Streaming/channels", security::Permission::parameter_settings,
             [services](http::RequestContext& context) -> Result<http::Reply> {
               pugi::xml_document doc;
               auto parsed = parse_body(doc, context, "StreamingChannelList");
               if (auto* refused = std::get_if<ResponseStatus>(&parsed)) return status_reply(context, *refused);
               std::vector<core::ConfigService::Change> changes;
               for (auto channel = std::get<pugi::xml_node>(parsed).first_child(); channel; channel = channel.next_sibling()) {
                 if (channel.type() != pugi::node_element || local_name(channel) != "StreamingChannel") continue;
                 const auto id = text_at(channel, {"id"});
                 if (!id) return make_error(ErrorCode::invalid_argument, "every StreamingChannel needs an <id>");
                 auto stream = find_stream(services, *id);
                 if (!stream) return stream.error();
                 if (auto collected = collect_changes(channel, (*stream)->id, *services.config, changes); !collected)
                   return collected.error();
               }
               if (!changes.empty())
                 if (auto applied = services.config->apply(changes); !applied) return applied.error();
               return status_reply(context, ResponseStatus{});
             });
}

}  // namespace camrig::isapi
