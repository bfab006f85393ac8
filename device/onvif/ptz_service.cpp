#include "device/onvif/ptz_service.hpp"
#include "device/onvif/service_namespaces.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <map>
#include <mutex>

#include <nlohmann/json.hpp>

namespace camrig::onvif {
namespace {


constexpr const char* k_absolute_pan_tilt = "http://www.onvif.org/ver10/tptz/PanTiltSpaces/PositionGenericSpace";
constexpr const char* k_absolute_zoom = "http://www.onvif.org/ver10/tptz/ZoomSpaces/PositionGenericSpace";
constexpr const char* k_relative_pan_tilt = "http://www.onvif.org/ver10/tptz/PanTiltSpaces/TranslationGenericSpace";
constexpr const char* k_relative_pan_tilt_fov = "http://www.onvif.org/ver10/tptz/PanTiltSpaces/TranslationSpaceFov";
constexpr const char* k_relative_zoom = "http://www.onvif.org/ver10/tptz/ZoomSpaces/TranslationGenericSpace";
constexpr const char* k_continuous_pan_tilt = "http://www.onvif.org/ver10/tptz/PanTiltSpaces/VelocityGenericSpace";
constexpr const char* k_continuous_zoom = "http://www.onvif.org/ver10/tptz/ZoomSpaces/VelocityGenericSpace";
constexpr const char* k_pan_tilt_speed = "http://www.onvif.org/ver10/tptz/PanTiltSpaces/GenericSpeedSpace";
constexpr const char* k_zoom_speed = "http://www.onvif.org/ver10/tptz/ZoomSpaces/ZoomGenericSpeedSpace";

// The ONVIF Core specification's access class of each PTZ operation: reading is READ_MEDIA,
// everything that moves the head or changes its presets is ACTUATE.
AccessClass ptz_access(std::string_view operation) {
  static const std::map<std::string, AccessClass, std::less<>> classes = {
      {"GetServiceCapabilities", AccessClass::pre_auth}, {"GetNodes", AccessClass::read_media},
      {"GetNode", AccessClass::read_media},               {"GetConfigurations", AccessClass::read_media},
      {"GetConfiguration", AccessClass::read_media},      {"GetConfigurationOptions", AccessClass::read_media},
      {"GetStatus", AccessClass::read_media},             {"GetPresets", AccessClass::read_media},
      {"GetCompatibleConfigurations", AccessClass::read_media},
  };
  const auto it = classes.find(operation);
  return it == classes.end() ? AccessClass::actuate : it->second;
}

std::string node_token(int channel) { return "PTZNode_" + std::to_string(channel); }

tt__FloatRange* range(struct soap* soap, float min, float max) {
  auto* result = soap_new_tt__FloatRange(soap);
  result->Min = min;
  result->Max = max;
  return result;
}

tt__Space2DDescription* space_2d(struct soap* soap, const char* uri, float min, float max) {
  auto* space = soap_new_tt__Space2DDescription(soap);
  space->URI = uri;
  space->XRange = range(soap, min, max);
  space->YRange = range(soap, min, max);
  return space;
}

tt__Space1DDescription* space_1d(struct soap* soap, const char* uri, float min, float max) {
  auto* space = soap_new_tt__Space1DDescription(soap);
  space->URI = uri;
  space->XRange = range(soap, min, max);
  return space;
}

bool in_space(const std::string* given, const char* wanted) { return !given || *given == wanted; }

// Generic position spaces: pan -1..1 over the pan range (on an endless axis, -180°..180°), tilt
// -1..1 over the tilt range, zoom 0..1 over the zoom range.
double pan_degrees(const hal::PtzLimits& limits, double x) {
  return limits.endless_pan ? x * 180.0 : limits.pan_min + (x + 1) / 2 * (limits.pan_max - limits.pan_min);
}
double pan_generic(const hal::PtzLimits& limits, double degrees) {
  if (limits.endless_pan) return (degrees > 180.0 ? degrees - 360.0 : degrees) / 180.0;
  return (degrees - limits.pan_min) / (limits.pan_max - limits.pan_min) * 2 - 1;
}
double pan_span(const hal::PtzLimits& limits) { return limits.endless_pan ? 360.0 : limits.pan_max - limits.pan_min; }
double tilt_degrees(const hal::PtzLimits& limits, double y) {
  return limits.tilt_min + (y + 1) / 2 * (limits.tilt_max - limits.tilt_min);
}
double tilt_generic(const hal::PtzLimits& limits, double degrees) {
  return (degrees - limits.tilt_min) / (limits.tilt_max - limits.tilt_min) * 2 - 1;
}
double zoom_ratio(const hal::PtzLimits& limits, double x) { return limits.zoom_min + x * (limits.zoom_max - limits.zoom_min); }
double zoom_generic(const hal::PtzLimits& limits, double zoom) {
  return (zoom - limits.zoom_min) / (limits.zoom_max - limits.zoom_min);
}

bool within(double value, double min, double max) { return std::isfinite(value) && value >= min && value <= max; }

std::optional<ptz::Speed> speed_of(const tt__PTZSpeed* speed) {
  ptz::Speed result;
  if (!speed) return result;
  if (speed->PanTilt) {
    const double value = std::max(std::abs(speed->PanTilt->x), std::abs(speed->PanTilt->y));
    if (!within(value, 0, 1) || value == 0) return std::nullopt;
    result.pan_tilt = value;
  }
  if (speed->Zoom) {
    const double value = std::abs(speed->Zoom->x);
    if (!within(value, 0, 1) || value == 0) return std::nullopt;
    result.zoom = value;
  }
  return result;
}

int bad_speed(struct soap* soap) {
  return sender_fault(soap, "ter:InvalidArgVal", "ter:InvalidSpeed", "a speed is within (0, 1] of the generic speed space");
}

std::optional<int> preset_number(const std::string& token) {
  int value = 0;
  const auto [end, error] = std::from_chars(token.data(), token.data() + token.size(), value);
  if (error != std::errc() || end != token.data() + token.size() || token.empty()) return std::nullopt;
  return value;
}

int no_token(struct soap* soap, const std::string& token) {
  return sender_fault(soap, "ter:InvalidArgVal", "ter:NoToken", "no preset '" + token + "' (tokens are preset numbers 1.." +
                                                                      std::to_string(ptz::k_max_presets) + ")");
}

}  // namespace

namespace ptz_configurations {
namespace {

constexpr const char* k_profile_ptz_key = "onvif.media.ptz";

// The stored value is read, changed and written back whole: one change at a time.
std::mutex& stored_mutex() {
  static std::mutex mutex;
  return mutex;
}

//! Profile token -> channel of the PTZ configuration it holds (0: none), as a client set it.
std::map<std::string, int> stored(const DeviceServices& services) {
  std::map<std::string, int> result;
  if (!services.config->spec(k_profile_ptz_key)) return result;
  const auto document = nlohmann::json::parse(services.config->get_string(k_profile_ptz_key), nullptr, false);
  if (!document.is_object()) return result;  // written only here; a damaged value falls back to the defaults
  for (const auto& [profile, channel] : document.items())
    if (channel.is_number_integer()) result[profile] = channel.get<int>();
  return result;
}

Result<void> store(const DeviceServices& services, const std::map<std::string, int>& entries) {
  return services.config->set(k_profile_ptz_key, core::ConfigValue(nlohmann::json(entries).dump()));
}

ptz::PtzController* controller_of_channel(const DeviceServices& services, int channel) {
  for (auto* controller : services.ptz)
    if (controller->channel() == channel) return controller;
  return nullptr;
}

}  // namespace

std::string token(int channel) { return "PTZConfig_" + std::to_string(channel); }

ptz::PtzController* controller_of(const DeviceServices& services, std::string_view configuration_token) {
  const auto channel = number_after(configuration_token, "PTZConfig_");
  return channel ? controller_of_channel(services, *channel) : nullptr;
}

ptz::PtzController* controller_of(const DeviceServices& services, const media::Profile& profile) {
  const auto entries = stored(services);
  int channel = 0;
  if (const auto it = entries.find(profile.token); it != entries.end()) channel = it->second;
  else if (profile.fixed && profile.source) channel = profile.source->id;
  // A made profile given another video source since keeps no PTZ of a channel it does not show.
  if (!channel || (profile.source && profile.source->id != channel)) return nullptr;
  return controller_of_channel(services, channel);
}

tt__PTZConfiguration* configuration(struct soap* soap, const DeviceServices& services, const ptz::PtzController& controller) {
  auto* configuration = soap_new_tt__PTZConfiguration(soap);
  configuration->token = token(controller.channel());
  configuration->Name = configuration->token;
  for (const auto& profile : media::profiles(services))
    if (controller_of(services, profile) == &controller) ++configuration->UseCount;
  configuration->NodeToken = node_token(controller.channel());
  configuration->DefaultAbsolutePantTiltPositionSpace = soap_string(soap, k_absolute_pan_tilt);
  configuration->DefaultAbsoluteZoomPositionSpace = soap_string(soap, k_absolute_zoom);
  configuration->DefaultRelativePanTiltTranslationSpace = soap_string(soap, k_relative_pan_tilt);
  configuration->DefaultRelativeZoomTranslationSpace = soap_string(soap, k_relative_zoom);
  configuration->DefaultContinuousPanTiltVelocitySpace = soap_string(soap, k_continuous_pan_tilt);
  configuration->DefaultContinuousZoomVelocitySpace = soap_string(soap, k_continuous_zoom);
  configuration->DefaultPTZSpeed = soap_new_tt__PTZSpeed(soap);
  configuration->DefaultPTZSpeed->PanTilt = soap_new_tt__Vector2D(soap);
  configuration->DefaultPTZSpeed->PanTilt->x = configuration->DefaultPTZSpeed->PanTilt->y = 1;
  configuration->DefaultPTZSpeed->Zoom = soap_new_tt__Vector1D(soap);
  configuration->DefaultPTZSpeed->Zoom->x = 1;
  configuration->DefaultPTZTimeout = soap_string(soap, "PT5S");
  configuration->PanTiltLimits = soap_new_tt__PanTiltLimits(soap);
  configuration->PanTiltLimits->Range = space_2d(soap, k_absolute_pan_tilt, -1, 1);
  configuration->ZoomLimits = soap_new_tt__ZoomLimits(soap);
  configuration->ZoomLimits->Range = space_1d(soap, k_absolute_zoom, 0, 1);
  return configuration;
}

tt__PTZConfiguration* configuration_of(struct soap* soap, const DeviceServices& services, const media::Profile& profile) {
  const auto* controller = controller_of(services, profile);
  return controller ? configuration(soap, services, *controller) : nullptr;
}

std::vector<ptz::PtzController*> compatible(const DeviceServices& services, const media::Profile& profile) {
  std::vector<ptz::PtzController*> result;
  for (auto* controller : services.ptz)
    if (!profile.source || profile.source->id == controller->channel()) result.push_back(controller);
  return result;
}

int set_in_profile(struct soap* soap, const DeviceServices& services, std::string_view profile_token,
                   const std::string* configuration_token) {
  const auto profile = media::find_profile(services, profile_token);
  if (!profile)
    return media::profile_fault(soap, make_error(ErrorCode::not_found, "no media profile '" + std::string(profile_token) + "'"));
  int channel = 0;
  if (configuration_token) {
    const auto* controller = controller_of(services, *configuration_token);
    if (!controller)
      return media::profile_fault(soap, make_error(ErrorCode::invalid_argument, "no PTZ configuration '" + *configuration_token +
                                                                                    "' (GetConfigurations of the PTZ service lists them)"));
    channel = controller->channel();
    if (profile->source && profile->source->id != channel)
      return media::profile_fault(
          soap, make_error(ErrorCode::not_configurable, *configuration_token + " moves video source " + std::to_string(channel) +
                                                            "; profile " + profile->token + " shows video source " +
                                                            std::to_string(profile->source->id)));
  }
  // Without PTZ drives nothing is held, so taking it out is done already.
  if (!services.config->spec(k_profile_ptz_key)) return SOAP_OK;
  std::lock_guard lock(stored_mutex());
  auto entries = stored(services);
  entries[profile->token] = channel;
  if (auto written = store(services, entries); !written) return fault_from(soap, written.error());
  return SOAP_OK;
}

Result<void> forget(const DeviceServices& services, std::string_view profile_token) {
  if (!services.config->spec(k_profile_ptz_key)) return {};
  std::lock_guard lock(stored_mutex());
  auto entries = stored(services);
  if (entries.erase(std::string(profile_token)) == 0) return {};
  return store(services, entries);
}

}  // namespace ptz_configurations

ServiceMount ptz_service_mount() {
  return mount_service<PtzService>("ptz_service", k_ptz_namespace, ptz_access);
}

ptz::PtzController* PtzService::controller_of(const std::string& profile_token, int& fault) {
  const auto profile = media::find_profile(services_, profile_token);
  if (!profile) {
    fault = sender_fault(soap, "ter:InvalidArgVal", "ter:NoProfile", "no media profile '" + profile_token + "'");
    return nullptr;
  }
  if (auto* controller = ptz_configurations::controller_of(services_, *profile)) return controller;
  fault = sender_fault(soap, "ter:InvalidArgVal", "ter:NoPTZProfile",
                       "media profile '" + profile_token + "' holds no PTZ configuration" +
                           (profile->source && !ptz_configurations::controller_of(services_, ptz_configurations::token(profile->source->id))
                                ? "; its channel " + std::to_string(profile->source->id) + " has no pan/tilt/zoom drive"
                                : "; add one with AddPTZConfiguration (Media) or AddConfiguration Type PTZ (Media2)"));
  return nullptr;
}

ptz::PtzController* PtzService::controller_of_configuration(const std::string& token, int& fault) {
  auto channel = number_after(token, "PTZConfig_");
  if (!channel) channel = number_after(token, "PTZNode_");
  if (channel)
    for (auto* controller : services_.ptz)
      if (controller->channel() == *channel) return controller;
  fault = sender_fault(soap, "ter:InvalidArgVal", "ter:NoEntity", "no PTZ node or configuration '" + token + "'");
  return nullptr;
}

tt__PTZSpaces* PtzService::spaces() {
  auto* spaces = soap_new_tt__PTZSpaces(soap);
  spaces->AbsolutePanTiltPositionSpace.push_back(space_2d(soap, k_absolute_pan_tilt, -1, 1));
  spaces->AbsoluteZoomPositionSpace.push_back(space_1d(soap, k_absolute_zoom, 0, 1));
  spaces->RelativePanTiltTranslationSpace.push_back(space_2d(soap, k_relative_pan_tilt, -1, 1));
  spaces->RelativePanTiltTranslationSpace.push_back(space_2d(soap, k_relative_pan_tilt_fov, -1, 1));
  spaces->RelativeZoomTranslationSpace.push_back(space_1d(soap, k_relative_zoom, -1, 1));
  spaces->ContinuousPanTiltVelocitySpace.push_back(space_2d(soap, k_continuous_pan_tilt, -1, 1));
  spaces->ContinuousZoomVelocitySpace.push_back(space_1d(soap, k_continuous_zoom, -1, 1));
  spaces->PanTiltSpeedSpace.push_back(space_1d(soap, k_pan_tilt_speed, 0, 1));
  spaces->ZoomSpeedSpace.push_back(space_1d(soap, k_zoom_speed, 0, 1));
  return spaces;
}

tt__PTZNode* PtzService::node(const ptz::PtzController& controller) {
  auto* node = soap_new_tt__PTZNode(soap);
  node->token = node_token(controller.channel());
  const auto* channel = services_.profile->find_channel(controller.channel());
  node->Name = soap_string(soap, channel ? channel->name : node->token);
  node->SupportedPTZSpaces = spaces();
  node->MaximumNumberOfPresets = ptz::k_max_presets;
  node->HomeSupported = true;
  node->FixedHomePosition = soap_new_bool(soap);
  *node->FixedHomePosition = false;
  return node;
}

tt__PTZVector* PtzService::vector(const ptz::PtzController& controller, const hal::PtzPosition& position) {
  const auto limits = controller.limits();
  auto* result = soap_new_tt__PTZVector(soap);
  result->PanTilt = soap_new_tt__Vector2D(soap);
  result->PanTilt->x = static_cast<float>(pan_generic(limits, position.pan_degrees));
  result->PanTilt->y = static_cast<float>(tilt_generic(limits, position.tilt_degrees));
  result->PanTilt->space = soap_string(soap, k_absolute_pan_tilt);
  result->Zoom = soap_new_tt__Vector1D(soap);
  result->Zoom->x = static_cast<float>(zoom_generic(limits, position.zoom));
  result->Zoom->space = soap_string(soap, k_absolute_zoom);
  return result;
}

int PtzService::GetServiceCapabilities(_tptz__GetServiceCapabilities*, _tptz__GetServiceCapabilitiesResponse& response) {
  response.Capabilities = soap_new_tptz__Capabilities(soap);
  response.Capabilities->MoveStatus = soap_new_bool(soap);
  *response.Capabilities->MoveStatus = true;
  response.Capabilities->StatusPosition = soap_new_bool(soap);
  *response.Capabilities->StatusPosition = true;
  return SOAP_OK;
}

int PtzService::GetNodes(_tptz__GetNodes*, _tptz__GetNodesResponse& response) {
  for (const auto* controller : services_.ptz) response.PTZNode.push_back(node(*controller));
  return SOAP_OK;
}

int PtzService::GetNode(_tptz__GetNode* request, _tptz__GetNodeResponse& response) {
  int fault = SOAP_OK;
  const auto* controller = controller_of_configuration(request->NodeToken, fault);
  if (!controller || !request->NodeToken.starts_with("PTZNode_"))
    return fault != SOAP_OK ? fault
                            : sender_fault(soap, "ter:InvalidArgVal", "ter:NoEntity", "no PTZ node '" + request->NodeToken + "'");
  response.PTZNode = node(*controller);
  return SOAP_OK;
}

int PtzService::GetConfigurations(_tptz__GetConfigurations*, _tptz__GetConfigurationsResponse& response) {
  for (const auto* controller : services_.ptz) response.PTZConfiguration.push_back(ptz_configurations::configuration(soap, services_, *controller));
  return SOAP_OK;
}

int PtzService::GetConfiguration(_tptz__GetConfiguration* request, _tptz__GetConfigurationResponse& response) {
  int fault = SOAP_OK;
  const auto* controller = controller_of_configuration(request->PTZConfigurationToken, fault);
  if (!controller || !request->PTZConfigurationToken.starts_with("PTZConfig_"))
    return fault != SOAP_OK ? fault
                            : sender_fault(soap, "ter:InvalidArgVal", "ter:NoConfig",
                                           "no PTZ configuration '" + request->PTZConfigurationToken + "'");
  response.PTZConfiguration = ptz_configurations::configuration(soap, services_, *controller);
  return SOAP_OK;
}

int PtzService::GetConfigurationOptions(_tptz__GetConfigurationOptions* request,
                                        _tptz__GetConfigurationOptionsResponse& response) {
  int fault = SOAP_OK;
  if (!controller_of_configuration(request->ConfigurationToken, fault)) return fault;
  response.PTZConfigurationOptions = soap_new_tt__PTZConfigurationOptions(soap);
  response.PTZConfigurationOptions->Spaces = spaces();
  response.PTZConfigurationOptions->PTZTimeout = soap_new_tt__DurationRange(soap);
  response.PTZConfigurationOptions->PTZTimeout->Min = "PT1S";
  response.PTZConfigurationOptions->PTZTimeout->Max = "PT1M";
  return SOAP_OK;
}

int PtzService::GetCompatibleConfigurations(_tptz__GetCompatibleConfigurations* request,
                                            _tptz__GetCompatibleConfigurationsResponse& response) {
  const auto profile = media::find_profile(services_, request->ProfileToken);
  if (!profile) return sender_fault(soap, "ter:InvalidArgVal", "ter:NoProfile", "no media profile '" + request->ProfileToken + "'");
  for (const auto* controller : ptz_configurations::compatible(services_, *profile))
    response.PTZConfiguration.push_back(ptz_configurations::configuration(soap, services_, *controller));
  return SOAP_OK;
}

int PtzService::AbsoluteMove(_tptz__AbsoluteMove* request, _tptz__AbsoluteMoveResponse&) {
  int fault = SOAP_OK;
  auto* controller = controller_of(request->ProfileToken, fault);
  if (!controller) return fault;
  if (!request->Position)
    return sender_fault(soap, "ter:InvalidArgVal", "ter:InvalidPosition", "AbsoluteMove needs a Position");
  const auto limits = controller->limits();
  ptz::AxisValues target;
  if (const auto* pan_tilt = request->Position->PanTilt) {
    if (!in_space(pan_tilt->space, k_absolute_pan_tilt))
      return sender_fault(soap, "ter:InvalidArgVal", "ter:SpaceNotSupported", "pan/tilt space " + *pan_tilt->space + " is not supported");
    if (!within(pan_tilt->x, -1, 1) || !within(pan_tilt->y, -1, 1))
      return sender_fault(soap, "ter:InvalidArgVal", "ter:InvalidPosition", "a pan/tilt position is within [-1, 1] of the generic space");
    target.pan = pan_degrees(limits, pan_tilt->x);
    target.tilt = tilt_degrees(limits, pan_tilt->y);
  }
  if (const auto* zoom = request->Position->Zoom) {
    if (!in_space(zoom->space, k_absolute_zoom))
      return sender_fault(soap, "ter:InvalidArgVal", "ter:SpaceNotSupported", "zoom space " + *zoom->space + " is not supported");
    if (!within(zoom->x, 0, 1))
      return sender_fault(soap, "ter:InvalidArgVal", "ter:InvalidPosition", "a zoom position is within [0, 1] of the generic space");
    target.zoom = zoom_ratio(limits, zoom->x);
  }
  const auto speed = speed_of(request->Speed);
  if (!speed) return bad_speed(soap);
  if (auto moved = controller->move_absolute(target, *speed); !moved) return fault_from(soap, moved.error(), "ter:InvalidPosition");
  return SOAP_OK;
}

int PtzService::RelativeMove(_tptz__RelativeMove* request, _tptz__RelativeMoveResponse&) {
  int fault = SOAP_OK;
  auto* controller = controller_of(request->ProfileToken, fault);
  if (!controller) return fault;
  if (!request->Translation)
    return sender_fault(soap, "ter:InvalidArgVal", "ter:InvalidTranslation", "RelativeMove needs a Translation");
  const auto speed = speed_of(request->Speed);
  if (!speed) return bad_speed(soap);
  const auto limits = controller->limits();
  const auto* pan_tilt = request->Translation->PanTilt;
  const auto* zoom = request->Translation->Zoom;
  if (pan_tilt && (!within(pan_tilt->x, -1, 1) || !within(pan_tilt->y, -1, 1)))
    return sender_fault(soap, "ter:InvalidArgVal", "ter:InvalidTranslation", "a pan/tilt translation is within [-1, 1]");
  if (zoom && !within(zoom->x, -1, 1))
    return sender_fault(soap, "ter:InvalidArgVal", "ter:InvalidTranslation", "a zoom translation is within [-1, 1]");
  if (zoom && !in_space(zoom->space, k_relative_zoom))
    return sender_fault(soap, "ter:InvalidArgVal", "ter:SpaceNotSupported", "zoom space " + *zoom->space + " is not supported");
  std::optional<double> zoom_delta;
  if (zoom) zoom_delta = zoom->x * (limits.zoom_max - limits.zoom_min);
  if (pan_tilt && pan_tilt->space && *pan_tilt->space == k_relative_pan_tilt_fov) {
    // Click to centre: the point (x, y) of the picture, ±1 at its edges, becomes the centre.
    if (auto moved = controller->move_relative_fov(pan_tilt->x, pan_tilt->y, zoom_delta, *speed); !moved)
      return fault_from(soap, moved.error(), "ter:InvalidTranslation");
    return SOAP_OK;
  }
  if (pan_tilt && !in_space(pan_tilt->space, k_relative_pan_tilt))
    return sender_fault(soap, "ter:InvalidArgVal", "ter:SpaceNotSupported", "pan/tilt space " + *pan_tilt->space + " is not supported");
  ptz::AxisValues delta;
  if (pan_tilt) {
    delta.pan = pan_tilt->x * pan_span(limits) / 2;
    delta.tilt = pan_tilt->y * (limits.tilt_max - limits.tilt_min) / 2;
  }
  delta.zoom = zoom_delta;
  if (auto moved = controller->move_relative(delta, *speed); !moved) return fault_from(soap, moved.error(), "ter:InvalidTranslation");
  return SOAP_OK;
}

int PtzService::ContinuousMove(_tptz__ContinuousMove* request, _tptz__ContinuousMoveResponse&) {
  int fault = SOAP_OK;
  auto* controller = controller_of(request->ProfileToken, fault);
  if (!controller) return fault;
  if (!request->Velocity)
    return sender_fault(soap, "ter:InvalidArgVal", "ter:InvalidVelocity", "ContinuousMove needs a Velocity");
  ptz::AxisValues velocity;
  if (const auto* pan_tilt = request->Velocity->PanTilt) {
    if (!in_space(pan_tilt->space, k_continuous_pan_tilt))
      return sender_fault(soap, "ter:InvalidArgVal", "ter:SpaceNotSupported", "pan/tilt space " + *pan_tilt->space + " is not supported");
    if (!within(pan_tilt->x, -1, 1) || !within(pan_tilt->y, -1, 1))
      return sender_fault(soap, "ter:InvalidArgVal", "ter:InvalidVelocity", "a pan/tilt velocity is within [-1, 1]");
    velocity.pan = pan_tilt->x;
    velocity.tilt = pan_tilt->y;
  }
  if (const auto* zoom = request->Velocity->Zoom) {
    if (!in_space(zoom->space, k_continuous_zoom))
      return sender_fault(soap, "ter:InvalidArgVal", "ter:SpaceNotSupported", "zoom space " + *zoom->space + " is not supported");
    if (!within(zoom->x, -1, 1))
      return sender_fault(soap, "ter:InvalidArgVal", "ter:InvalidVelocity", "a zoom velocity is within [-1, 1]");
    velocity.zoom = zoom->x;
  }
  std::optional<hal::Nanos> timeout;
  if (request->Timeout) {
    timeout = parse_duration(*request->Timeout);
    if (!timeout || timeout->count() <= 0)
      return sender_fault(soap, "ter:InvalidArgVal", "ter:TimeoutNotSupported",
                          "Timeout '" + *request->Timeout + "' is not a positive xs:duration such as PT5S");
  }
  if (auto moved = controller->move_continuous(velocity, timeout); !moved)
    return fault_from(soap, moved.error(), "ter:InvalidVelocity");
  return SOAP_OK;
}

int PtzService::Stop(_tptz__Stop* request, _tptz__StopResponse&) {
  int fault = SOAP_OK;
  auto* controller = controller_of(request->ProfileToken, fault);
  if (!controller) return fault;
  // Neither flag given stops everything.
  const bool neither = !request->PanTilt && !request->Zoom;
  controller->stop(neither || (request->PanTilt && *request->PanTilt), neither || (request->Zoom && *request->Zoom));
  return SOAP_OK;
}

int PtzService::GetStatus(_tptz__GetStatus* request, _tptz__GetStatusResponse& response) {
  int fault = SOAP_OK;
  auto* controller = controller_of(request->ProfileToken, fault);
  if (!controller) return fault;
  const auto status = controller->status();
  auto* result = soap_new_tt__PTZStatus(soap);
  result->Position = vector(*controller, status.position);
  result->MoveStatus = soap_new_tt__PTZMoveStatus(soap);
  const auto move = status.move == ptz::MoveStatus::moving ? tt__MoveStatus__MOVING : tt__MoveStatus__IDLE;
  result->MoveStatus->PanTilt = soap_new_tt__MoveStatus(soap);
  *result->MoveStatus->PanTilt = move;
  result->MoveStatus->Zoom = soap_new_tt__MoveStatus(soap);
  *result->MoveStatus->Zoom = move;
  result->UtcTime = std::chrono::system_clock::to_time_t(
      std::chrono::time_point_cast<std::chrono::system_clock::duration>(services_.clock->wall_time()));
  response.PTZStatus = result;
  return SOAP_OK;
}

int PtzService::GetPresets(_tptz__GetPresets* request, _tptz__GetPresetsResponse& response) {
  int fault = SOAP_OK;
  auto* controller = controller_of(request->ProfileToken, fault);
  if (!controller) return fault;
  for (const auto& preset : controller->presets()) {
    auto* entry = soap_new_tt__PTZPreset(soap);
    entry->token = soap_string(soap, std::to_string(preset.number));
    entry->Name = soap_string(soap, preset.name);
    entry->PTZPosition = vector(*controller, preset.position);
    response.Preset.push_back(entry);
  }
  return SOAP_OK;
}

int PtzService::SetPreset(_tptz__SetPreset* request, _tptz__SetPresetResponse& response) {
  int fault = SOAP_OK;
  auto* controller = controller_of(request->ProfileToken, fault);
  if (!controller) return fault;
  std::optional<int> number;
  if (request->PresetToken && !request->PresetToken->empty()) {
    number = preset_number(*request->PresetToken);
    if (!number) return no_token(soap, *request->PresetToken);
  }
  std::optional<std::string> name;
  if (request->PresetName) name = *request->PresetName;
  auto preset = controller->set_preset(number, name);
  if (!preset) {
    const auto& error = preset.error();
    if (error.code == ErrorCode::unavailable)
      return receiver_fault(soap, "ter:Action", controller->status().move == ptz::MoveStatus::moving ? "ter:MovingPTZ"
                                                                                                      : "ter:TooManyPresets",
                            error.message);
    // A special preset number is a bad token for SetPreset, not a state of the device.
    if (error.code == ErrorCode::not_configurable) return sender_fault(soap, "ter:InvalidArgVal", "ter:NoToken", error.message);
    return fault_from(soap, error, name && name->size() > ptz::k_max_preset_name ? "ter:PresetNameTooLong" : "ter:NoToken");
  }
  response.PresetToken = std::to_string(preset->number);
  return SOAP_OK;
}

int PtzService::RemovePreset(_tptz__RemovePreset* request, _tptz__RemovePresetResponse&) {
  int fault = SOAP_OK;
  auto* controller = controller_of(request->ProfileToken, fault);
  if (!controller) return fault;
  const auto number = preset_number(request->PresetToken);
  if (!number) return no_token(soap, request->PresetToken);
  if (auto removed = controller->remove_preset(*number); !removed) return fault_from(soap, removed.error(), "ter:NoToken");
  return SOAP_OK;
}

int PtzService::GotoPreset(_tptz__GotoPreset* request, _tptz__GotoPresetResponse&) {
  int fault = SOAP_OK;
  auto* controller = controller_of(request->ProfileToken, fault);
  if (!controller) return fault;
  const auto number = preset_number(request->PresetToken);
  if (!number) return no_token(soap, request->PresetToken);
  const auto speed = speed_of(request->Speed);
  if (!speed) return bad_speed(soap);
  if (auto moved = controller->goto_preset(*number, *speed); !moved) return fault_from(soap, moved.error(), "ter:NoToken");
  return SOAP_OK;
}

int PtzService::GotoHomePosition(_tptz__GotoHomePosition* request, _tptz__GotoHomePositionResponse&) {
  int fault = SOAP_OK;
  auto* controller = controller_of(request->ProfileToken, fault);
  if (!controller) return fault;
  const auto speed = speed_of(request->Speed);
  if (!speed) return bad_speed(soap);
  if (auto moved = controller->goto_home(*speed); !moved) return fault_from(soap, moved.error());
  return SOAP_OK;
}

int PtzService::SetHomePosition(_tptz__SetHomePosition* request, _tptz__SetHomePositionResponse&) {
  int fault = SOAP_OK;
  auto* controller = controller_of(request->ProfileToken, fault);
  if (!controller) return fault;
  if (auto set = controller->set_home(); !set)
    return set.error().code == ErrorCode::unavailable ? receiver_fault(soap, "ter:Action", "ter:MovingPTZ", set.error().message)
                                                      : fault_from(soap, set.error());
  return SOAP_OK;
}

}  // namespace camrig::onvif
