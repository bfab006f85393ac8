#include "device/onvif/analytics_service.hpp"
#include "device/onvif/service_namespaces.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <map>
#include <mutex>
#include <optional>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <pugixml.hpp>

#include "device/analytics/behaviour_settings.hpp"
#include "device/onvif/qualified_name.hpp"

namespace camrig::onvif {
namespace {

using analytics::BehaviourSettings;
using analytics::Point;
using analytics::RegionKind;

// ONVIF rule names are the client's; the behaviour rules have slots only, so the names of the
// slots live next to them.
constexpr const char* k_rule_names_key = "onvif.analytics.rule_names";
constexpr const char* k_line_detector = "tt:LineDetector";
constexpr const char* k_field_detector = "tt:FieldDetector";
// The motion grid of the camera (analytics_scene.json: 22 x 18 cells).
constexpr int k_motion_columns = 22;
constexpr int k_motion_rows = 18;

AccessClass analytics_access(std::string_view operation) {
  if (operation == "GetServiceCapabilities") return AccessClass::pre_auth;
  for (const std::string_view verb : {"Create", "Modify", "Delete", "Set"})
    if (operation.starts_with(verb)) return AccessClass::actuate;
  return AccessClass::read_media;
}

// ---- rules: line-crossing lines and intrusion regions as ONVIF rules --------------------------

enum class RuleKind { line, field };

struct Slot {
  RuleKind kind = RuleKind::line;
  int id = 0;
  bool operator==(const Slot&) const = default;
};

const char* rule_type(RuleKind kind) { return kind == RuleKind::line ? k_line_detector : k_field_detector; }

std::string slot_key(int channel, Slot slot) {
  return fmt::format("{}/{}/{}", channel, slot.kind == RuleKind::line ? "line" : "intrusion", slot.id);
}

std::string default_name(Slot slot) {
  return fmt::format("{}_{}", slot.kind == RuleKind::line ? "LineCrossing" : "Intrusion", slot.id);
}

// ONVIF's normalised space is -1..1 with y up; the behaviour rules use 0..1 from the top-left.
Point from_onvif(double x, double y) { return {(x + 1.0) / 2.0, (1.0 - y) / 2.0}; }
double onvif_x(const Point& p) { return p.x * 2.0 - 1.0; }
double onvif_y(const Point& p) { return 1.0 - p.y * 2.0; }

std::string points_xml(const char* element, const std::vector<Point>& points) {
  std::string xml = fmt::format("<tt:{}>", element);
  for (const auto& p : points) xml += fmt::format("<tt:Point x=\"{:g}\" y=\"{:g}\"/>", onvif_x(p), onvif_y(p));
  return xml + fmt::format("</tt:{}>", element);
}

// The points of a tt:Polyline or tt:Polygon element item (the literal XML gSOAP keeps), in the
// behaviour rules' space.
Result<std::vector<Point>> points_of(const char* literal, std::string_view item) {
  pugi::xml_document doc;
  if (!literal || !doc.load_string(literal)) return make_error(ErrorCode::invalid_argument, std::string(item) + " is not XML");
  std::vector<Point> points;
  std::optional<Error> refused;
  const std::function<void(pugi::xml_node)> walk = [&](pugi::xml_node node) {
    for (auto child : node.children()) {
      if (child.type() != pugi::node_element) continue;
      if (local_name(child.name()) == "Point") {
        const auto x = child.attribute("x"), y = child.attribute("y");
        const double vx = x.as_double(NAN), vy = y.as_double(NAN);
        if (!x || !y || !std::isfinite(vx) || !std::isfinite(vy) || vx < -1 || vx > 1 || vy < -1 || vy > 1)
          refused = make_error(ErrorCode::out_of_range, std::string(item) + ": each Point has x and y within -1..1");
        points.push_back(from_onvif(vx, vy));
      } else {
        walk(child);
      }
    }
  };
  walk(doc);
  if (refused) return *refused;
  return points;
}

struct OnvifRule {
  std::string name;
  Slot slot;
  std::vector<Point> points;  //!< line end points or the region's polygon
};

class RuleBook {
 public:
  static Result<RuleBook> load(const DeviceServices& services, int channel) {
    RuleBook book;
    book.channel_ = channel;
    auto settings = analytics::parse_behaviour_settings(services.config->get_string(analytics::behaviour_settings_key(channel)));
    if (!settings) return make_error(ErrorCode::internal, "the stored behaviour rules are damaged: " + settings.error().message);
    book.settings_ = std::move(*settings);
    const auto names = nlohmann::json::parse(services.config->get_string(k_rule_names_key), nullptr, false);
    if (names.is_object())
      for (const auto& [key, value] : names.items())
        if (value.is_string()) book.names_[key] = value.get<std::string>();
    return book;
  }

  //! Rules are the enabled slots; a disabled one is free.
  std::vector<OnvifRule> rules() const {
    std::vector<OnvifRule> result;
    for (const auto& line : settings_.lines)
      if (line.enabled) result.push_back({name_of({RuleKind::line, line.id}), {RuleKind::line, line.id}, {line.a, line.b}});
    for (const auto& region : settings_.of(RegionKind::intrusion))
      if (region.enabled)
        result.push_back({name_of({RuleKind::field, region.id}), {RuleKind::field, region.id}, region.polygon});
    return result;
  }

  std::optional<OnvifRule> find(std::string_view name) const {
    for (auto& rule : rules())
      if (rule.name == name) return rule;
    return std::nullopt;
  }

  std::optional<Slot> free_slot(RuleKind kind) const {
    const int slots = kind == RuleKind::line ? BehaviourSettings::max_lines : BehaviourSettings::max_regions;
    const auto taken = rules();
    for (int id = 1; id <= slots; ++id)
      if (std::none_of(taken.begin(), taken.end(), [&](const OnvifRule& r) { return r.slot == Slot{kind, id}; }))
        return Slot{kind, id};
    return std::nullopt;
  }

  //! Sets a slot's geometry and enables it, keeping what ONVIF does not name (direction,
  //! sensitivity, targets, sizes); a new intrusion region reports at once, as a field detector.
  void put(const std::string& name, Slot slot, const std::vector<Point>& points, bool is_new) {
    names_[slot_key(channel_, slot)] = name;
    if (slot.kind == RuleKind::line) {
      auto it = std::find_if(settings_.lines.begin(), settings_.lines.end(), [&](const auto& l) { return l.id == slot.id; });
      if (it == settings_.lines.end()) {
        settings_.lines.push_back({});
        it = std::prev(settings_.lines.end());
        it->id = slot.id;
      }
      it->enabled = true;
      it->a = points.at(0);
      it->b = points.at(1);
      return;
    }
    auto& regions = settings_.of(RegionKind::intrusion);
    auto it = std::find_if(regions.begin(), regions.end(), [&](const auto& r) { return r.id == slot.id; });
    if (it == regions.end()) {
      regions.push_back({});
      it = std::prev(regions.end());
      it->id = slot.id;
    }
    if (is_new) it->threshold = 0;
    it->enabled = true;
    it->polygon = points;
  }

  void remove(Slot slot) {
    names_.erase(slot_key(channel_, slot));
    if (slot.kind == RuleKind::line)
      std::erase_if(settings_.lines, [&](const auto& l) { return l.id == slot.id; });
    else
      std::erase_if(settings_.of(RegionKind::intrusion), [&](const auto& r) { return r.id == slot.id; });
  }

  //! Both values at once, checked by the behaviour rules' own validation as ISAPI's are.
  Result<void> store(const DeviceServices& services) const {
    if (auto valid = analytics::validate(settings_); !valid) return valid.error();
    nlohmann::json names = nlohmann::json::object();
    for (const auto& [key, value] : names_) names[key] = value;
    return services.config->apply({{analytics::behaviour_settings_key(channel_), core::ConfigValue(analytics::to_json(settings_))},
                                   {k_rule_names_key, core::ConfigValue(names.dump())}});
  }

 private:
  std::string name_of(Slot slot) const {
    const auto it = names_.find(slot_key(channel_, slot));
    return it == names_.end() ? default_name(slot) : it->second;
  }

  int channel_ = 0;
  BehaviourSettings settings_;
  std::map<std::string, std::string> names_;
};

// Rules are read, changed and written back as one value: one change at a time.
std::mutex& rules_mutex() {
  static std::mutex mutex;
  return mutex;
}

bool has_rules(const DeviceServices& services, int channel) {
  return services.config->spec(analytics::behaviour_settings_key(channel)) && services.config->spec(k_rule_names_key);
}

tt__Config* rule_config(struct soap* soap, const OnvifRule& rule) {
  auto* config = soap_new_tt__Config(soap);
  config->Name = rule.name;
  config->Type = rule_type(rule.slot.kind);
  config->Parameters = soap_new_tt__ItemList(soap);
  _tt__ItemList_ElementItem item;
  item.Name = rule.slot.kind == RuleKind::line ? "Segments" : "Field";
  item.__any = soap_text(soap, points_xml(rule.slot.kind == RuleKind::line ? "Polyline" : "Polygon", rule.points));
  config->Parameters->ElementItem.push_back(item);
  return config;
}

int invalid_rule(struct soap* soap, const std::string& reason) {
  return sender_fault(soap, "ter:InvalidArgVal", "ter:InvalidRule", reason);
}

// The kind and geometry a client's rule asks for; the message says what is wrong with it.
Result<std::pair<RuleKind, std::vector<Point>>> requested(const tt__Config& rule) {
  const std::string where = "rule '" + rule.Name + "'";
  std::optional<RuleKind> kind;
  if (rule.Type == k_line_detector) kind = RuleKind::line;
  if (rule.Type == k_field_detector) kind = RuleKind::field;
  if (!kind)
    return make_error(ErrorCode::invalid_argument,
                      where + ": type " + rule.Type + " is not supported (tt:LineDetector or tt:FieldDetector)");
  const char* wanted = *kind == RuleKind::line ? "Segments" : "Field";
  const _tt__ItemList_ElementItem* geometry = nullptr;
  if (rule.Parameters) {
    for (const auto& item : rule.Parameters->ElementItem)
      if (item.Name == wanted) geometry = &item;
    if (!rule.Parameters->SimpleItem.empty())
      return make_error(ErrorCode::invalid_argument, where + ": " + rule.Type + " has no simple item " + rule.Parameters->SimpleItem[0].Name);
  }
  if (!geometry) return make_error(ErrorCode::invalid_argument, where + " needs its " + wanted + " element item");
  auto points = points_of(geometry->__any, where + " " + wanted);
  if (!points) return points.error();
  if (*kind == RuleKind::line && points->size() != 2)
    return make_error(ErrorCode::out_of_range, where + ": a line of this camera is one segment (2 points)");
  if (*kind == RuleKind::field && (points->size() < 3 || points->size() > 10))
    return make_error(ErrorCode::out_of_range, where + ": a field has 3..10 points");
  return std::pair{*kind, std::move(*points)};
}

// ---- analytics modules: the scene detectors with a sensitivity --------------------------------

struct Module {
  const char* name;
  const char* type;
  const char* field;  //!< channel.<n>.<field>.sensitivity
};

constexpr Module k_modules[] = {
    {"MotionDetection", "tt:CellMotionEngine", "motion"},
    {"TamperDetection", "tt:TamperEngine", "tamper"},
};

std::string sensitivity_key(int channel, const Module& module) {
  return fmt::format("channel.{}.{}.sensitivity", channel, module.field);
}

std::vector<const Module*> modules_of(const DeviceServices& services, int channel) {
  std::vector<const Module*> result;
  for (const auto& module : k_modules)
    if (services.config->spec(sensitivity_key(channel, module))) result.push_back(&module);
  return result;
}

// The 22 x 18 motion grid over ONVIF's -1..1 space, first cell at the top-left.
std::string cell_layout_xml() {
  return fmt::format("<tt:CellLayout Columns=\"{}\" Rows=\"{}\"><tt:Transformation><tt:Translate x=\"-1\" y=\"1\"/>"
                     "<tt:Scale x=\"{:g}\" y=\"{:g}\"/></tt:Transformation></tt:CellLayout>",
                     k_motion_columns, k_motion_rows, 2.0 / k_motion_columns, -2.0 / k_motion_rows);
}

tt__Config* module_config(struct soap* soap, const DeviceServices& services, int channel, const Module& module) {
  auto* config = soap_new_tt__Config(soap);
  config->Name = module.name;
  config->Type = module.type;
  config->Parameters = soap_new_tt__ItemList(soap);
  _tt__ItemList_SimpleItem sensitivity;
  sensitivity.Name = "Sensitivity";
  sensitivity.Value = std::to_string(services.config->get_int(sensitivity_key(channel, module)));
  config->Parameters->SimpleItem.push_back(sensitivity);
  if (std::string_view(module.field) == "motion") {
    _tt__ItemList_ElementItem layout;
    layout.Name = "Layout";
    layout.__any = soap_text(soap, cell_layout_xml());
    config->Parameters->ElementItem.push_back(layout);
  }
  return config;
}

tt__ConfigDescription* description(struct soap* soap, const char* type, std::vector<std::pair<const char*, const char*>> simple,
                                   std::vector<std::pair<const char*, const char*>> elements) {
  auto* result = soap_new_tt__ConfigDescription(soap);
  result->Name = type;
  result->Parameters = soap_new_tt__ItemListDescription(soap);
  for (const auto& [name, item_type] : simple) {
    _tt__ItemListDescription_SimpleItemDescription item;
    item.Name = name;
    item.Type = item_type;
    result->Parameters->SimpleItemDescription.push_back(item);
  }
  for (const auto& [name, item_type] : elements) {
    _tt__ItemListDescription_ElementItemDescription item;
    item.Name = name;
    item.Type = item_type;
    result->Parameters->ElementItemDescription.push_back(item);
  }
  return result;
}

}  // namespace

ServiceMount analytics_service_mount() {
  return mount_service<AnalyticsService>("analytics_service", k_analytics_namespace, analytics_access);
}

namespace video_analytics {

std::string configuration_token(int channel) { return "VideoAnalyticsConfig_" + std::to_string(channel); }

const core::ChannelProfile* channel_of(const DeviceServices& services, std::string_view token) {
  const auto id = number_after(token, "VideoAnalyticsConfig_");
  const auto* channel = id ? services.profile->find_channel(*id) : nullptr;
  if (!channel || (modules_of(services, channel->id).empty() && !has_rules(services, channel->id))) return nullptr;
  return channel;
}

tt__VideoAnalyticsConfiguration* configuration(struct soap* soap, const DeviceServices& services, const core::ChannelProfile& channel) {
  auto* result = soap_new_tt__VideoAnalyticsConfiguration(soap);
  result->token = configuration_token(channel.id);
  result->Name = channel.name + " analytics";
  result->UseCount = 1;
  result->AnalyticsEngineConfiguration = soap_new_tt__AnalyticsEngineConfiguration(soap);
  for (const auto* module : modules_of(services, channel.id))
    result->AnalyticsEngineConfiguration->AnalyticsModule.push_back(module_config(soap, services, channel.id, *module));
  result->RuleEngineConfiguration = soap_new_tt__RuleEngineConfiguration(soap);
  if (has_rules(services, channel.id))
    if (auto book = RuleBook::load(services, channel.id))
      for (const auto& rule : book->rules()) result->RuleEngineConfiguration->Rule.push_back(rule_config(soap, rule));
  return result;
}

}  // namespace video_analytics

namespace profile_configurations {
namespace {

constexpr const char* k_analytics_removed_key = "onvif.media.analytics_removed";

std::string metadata_key(int stream_id, std::string_view field) { return fmt::format("stream.{}.metadata.{}", stream_id, field); }

std::vector<std::string> analytics_removed(const DeviceServices& services) {
  std::vector<std::string> result;
  if (!services.config->spec(k_analytics_removed_key)) return result;
  const auto document = nlohmann::json::parse(services.config->get_string(k_analytics_removed_key), nullptr, false);
  if (document.is_array())
    for (const auto& token : document)
      if (token.is_string()) result.push_back(token.get<std::string>());
  return result;
}

bool holds_analytics(const DeviceServices& services, const media::Profile& profile) {
  if (!profile.fixed || !profile.source || !video_analytics::channel_of(services, video_analytics::configuration_token(profile.source->id)))
    return false;
  const auto removed = analytics_removed(services);
  return std::find(removed.begin(), removed.end(), profile.token) == removed.end();
}

bool holds_metadata(const DeviceServices& services, const media::Profile& profile) {
  if (!profile.fixed || !profile.encoder || !services.config->spec(metadata_key(profile.encoder->id, "enabled"))) return false;
  return services.config->get_bool(metadata_key(profile.encoder->id, "enabled"));
}

int use_count(const DeviceServices& services, int channel, Kind kind) {
  int count = 0;
  for (const auto& profile : media::profiles(services))
    if (profile.source && profile.source->id == channel &&
        (kind == Kind::video_analytics ? holds_analytics(services, profile) : holds_metadata(services, profile)))
      ++count;
  return count;
}

std::mutex& removed_mutex() {
  static std::mutex mutex;
  return mutex;
}

}  // namespace

std::string metadata_token(int channel) { return "MetadataConfig_" + std::to_string(channel); }

const core::ChannelProfile* metadata_channel_of(const DeviceServices& services, std::string_view token) {
  const auto id = number_after(token, "MetadataConfig_");
  const auto* channel = id ? services.profile->find_channel(*id) : nullptr;
  if (!channel || channel->streams.empty() || !services.config->spec(metadata_key(channel->streams.front().id, "enabled")))
    return nullptr;
  return channel;
}

tt__MetadataConfiguration* metadata_configuration(struct soap* soap, const DeviceServices& services, const core::ChannelProfile& channel) {
  auto* result = soap_new_tt__MetadataConfiguration(soap);
  result->token = metadata_token(channel.id);
  result->Name = channel.name + " metadata";
  result->UseCount = use_count(services, channel.id, Kind::metadata);
  // The channel's streams are set together, so the first one speaks for all.
  const int stream = channel.streams.front().id;
  result->Analytics = soap_new_bool(soap);
  *result->Analytics = services.config->get_bool(metadata_key(stream, "analytics"));
  if (services.config->get_bool(metadata_key(stream, "events"))) result->Events = soap_new_tt__EventSubscription(soap);
  result->SessionTimeout = "PT60S";
  result->Multicast = media::multicast_configuration(soap, services, stream);
  return result;
}

int set_metadata_configuration(struct soap* soap, const DeviceServices& services, const tt__MetadataConfiguration* configuration) {
  if (!configuration) return sender_fault(soap, "ter:InvalidArgVal", "ter:NoConfig", "SetMetadataConfiguration needs a Configuration");
  const auto* channel = metadata_channel_of(services, configuration->token);
  if (!channel) return sender_fault(soap, "ter:InvalidArgVal", "ter:NoConfig", "no metadata configuration '" + configuration->token + "'");
  if (configuration->PTZStatus && (configuration->PTZStatus->Status || configuration->PTZStatus->Position))
    return sender_fault(soap, "ter:InvalidArgVal", "ter:ConfigModify", "the metadata of this camera carries no PTZ status");
  std::vector<core::ConfigService::Change> changes;
  for (const auto& stream : channel->streams) {
    if (!services.config->spec(metadata_key(stream.id, "analytics"))) continue;
    changes.emplace_back(metadata_key(stream.id, "analytics"), core::ConfigValue(configuration->Analytics && *configuration->Analytics));
    changes.emplace_back(metadata_key(stream.id, "events"), core::ConfigValue(configuration->Events != nullptr));
  }
  if (auto applied = services.config->apply(changes); !applied)
    return sender_fault(soap, "ter:InvalidArgVal", "ter:ConfigModify", applied.error().message);
  return SOAP_OK;
}

tt__MetadataConfigurationOptions* metadata_options(struct soap* soap) {
  auto* options = soap_new_tt__MetadataConfigurationOptions(soap);
  options->PTZStatusFilterOptions = soap_new_tt__PTZStatusFilterOptions(soap);
  options->PTZStatusFilterOptions->PanTiltStatusSupported = false;
  options->PTZStatusFilterOptions->ZoomStatusSupported = false;
  return options;
}

tt__VideoAnalyticsConfiguration* video_analytics_of(struct soap* soap, const DeviceServices& services, const media::Profile& profile) {
  if (!holds_analytics(services, profile)) return nullptr;
  auto* result = video_analytics::configuration(soap, services, *profile.source);
  result->UseCount = use_count(services, profile.source->id, Kind::video_analytics);
  return result;
}

tt__MetadataConfiguration* metadata_of(struct soap* soap, const DeviceServices& services, const media::Profile& profile) {
  return holds_metadata(services, profile) ? metadata_configuration(soap, services, *profile.source) : nullptr;
}

std::vector<tt__VideoAnalyticsConfiguration*> video_analytics_configurations(struct soap* soap, const DeviceServices& services) {
  std::vector<tt__VideoAnalyticsConfiguration*> result;
  for (const auto& channel : services.profile->channels)
    if (video_analytics::channel_of(services, video_analytics::configuration_token(channel.id))) {
      result.push_back(video_analytics::configuration(soap, services, channel));
      result.back()->UseCount = use_count(services, channel.id, Kind::video_analytics);
    }
  return result;
}

std::vector<tt__MetadataConfiguration*> metadata_configurations(struct soap* soap, const DeviceServices& services) {
  std::vector<tt__MetadataConfiguration*> result;
  for (const auto& channel : services.profile->channels)
    if (metadata_channel_of(services, metadata_token(channel.id))) result.push_back(metadata_configuration(soap, services, channel));
  return result;
}

int set_in_profile(struct soap* soap, const DeviceServices& services, std::string_view profile_token, Kind kind,
                   const std::string* configuration_token) {
  const auto profile = media::find_profile(services, profile_token);
  if (!profile) return media::profile_fault(soap, make_error(ErrorCode::not_found, "no media profile '" + std::string(profile_token) + "'"));
  const char* what = kind == Kind::video_analytics ? "video analytics" : "metadata";
  if (!profile->fixed || !profile->source || !profile->encoder)
    return media::profile_fault(soap, make_error(ErrorCode::not_configurable,
                                                 fmt::format("profile {} holds a video source and encoder only; add the {} configuration "
                                                             "to a stream's own profile (Profile_<stream>)",
                                                             profile->token, what)));
  if (configuration_token) {
    const auto* channel = kind == Kind::video_analytics ? video_analytics::channel_of(services, *configuration_token)
                                                        : metadata_channel_of(services, *configuration_token);
    if (!channel) return media::profile_fault(soap, make_error(ErrorCode::invalid_argument, fmt::format("no {} configuration '{}'", what, *configuration_token)));
    if (channel->id != profile->source->id)
      return media::profile_fault(soap, make_error(ErrorCode::not_configurable,
                                                   fmt::format("{} is of video source {}; profile {} shows video source {}", *configuration_token,
                                                               channel->id, profile->token, profile->source->id)));
  }
  const bool wanted = configuration_token != nullptr;
  if (kind == Kind::metadata) {
    const auto key = metadata_key(profile->encoder->id, "enabled");
    if (!services.config->spec(key))
      return media::profile_fault(soap, make_error(ErrorCode::not_configurable, "stream " + std::to_string(profile->encoder->id) + " has no metadata track"));
    if (auto set = services.config->set(key, core::ConfigValue(wanted)); !set) return fault_from(soap, set.error());
    return SOAP_OK;
  }
  if (wanted && !video_analytics::channel_of(services, video_analytics::configuration_token(profile->source->id)))
    return media::profile_fault(soap, make_error(ErrorCode::invalid_argument, "video source " + std::to_string(profile->source->id) + " has no analytics"));
  std::lock_guard lock(removed_mutex());
  auto removed = analytics_removed(services);
  std::erase(removed, profile->token);
  if (!wanted) removed.push_back(profile->token);
  if (auto set = services.config->set(k_analytics_removed_key, core::ConfigValue(nlohmann::json(removed).dump())); !set)
    return fault_from(soap, set.error());
  return SOAP_OK;
}

}  // namespace profile_configurations

const core::ChannelProfile* AnalyticsService::channel_of(const std::string& token) {
  const auto* channel = video_analytics::channel_of(services_, token);
  if (!channel) sender_fault(soap, "ter:InvalidArgVal", "ter:NoConfig", "no video analytics configuration '" + token + "'");
  return channel;
}

int AnalyticsService::GetServiceCapabilities(_tan__GetServiceCapabilities*, _tan__GetServiceCapabilitiesResponse& response) {
  auto* capabilities = soap_new_tan__Capabilities(soap);
  const auto flag = [this](bool value) {
    auto* result = soap_new_bool(soap);
    *result = value;
    return result;
  };
  capabilities->RuleSupport = flag(true);
  capabilities->AnalyticsModuleSupport = flag(true);
  capabilities->CellBasedSceneDescriptionSupported = flag(false);
  capabilities->RuleOptionsSupported = flag(false);
  capabilities->AnalyticsModuleOptionsSupported = flag(true);
  capabilities->SupportedMetadata = flag(false);
  response.Capabilities = capabilities;
  return SOAP_OK;
}

int AnalyticsService::GetSupportedRules(_tan__GetSupportedRules* request, _tan__GetSupportedRulesResponse& response) {
  const auto* channel = channel_of(request->ConfigurationToken);
  if (!channel) return soap->error;
  response.SupportedRules = soap_new_tt__SupportedRules(soap);
  if (!has_rules(services_, channel->id)) return SOAP_OK;
  auto& rules = response.SupportedRules->RuleDescription;
  rules.push_back(description(soap, k_line_detector, {}, {{"Segments", "tt:Polyline"}}));
  rules.push_back(description(soap, k_field_detector, {}, {{"Field", "tt:Polygon"}}));
  for (auto* rule : rules) rule->maxInstances = soap_new_std__string(soap);
  *rules[0]->maxInstances = std::to_string(BehaviourSettings::max_lines);
  *rules[1]->maxInstances = std::to_string(BehaviourSettings::max_regions);
  response.SupportedRules->Limit = soap_new_int(soap);
  *response.SupportedRules->Limit = BehaviourSettings::max_lines + BehaviourSettings::max_regions;
  return SOAP_OK;
}

int AnalyticsService::GetRules(_tan__GetRules* request, _tan__GetRulesResponse& response) {
  const auto* channel = channel_of(request->ConfigurationToken);
  if (!channel) return soap->error;
  if (!has_rules(services_, channel->id)) return SOAP_OK;
  auto book = RuleBook::load(services_, channel->id);
  if (!book) return fault_from(soap, book.error());
  for (const auto& rule : book->rules()) response.Rule.push_back(rule_config(soap, rule));
  return SOAP_OK;
}

int AnalyticsService::CreateRules(_tan__CreateRules* request, _tan__CreateRulesResponse&) {
  const auto* channel = channel_of(request->ConfigurationToken);
  if (!channel) return soap->error;
  if (!has_rules(services_, channel->id))
    return receiver_fault(soap, "ter:Action", "ter:TooManyRules", "video channel " + std::to_string(channel->id) + " has no behaviour rules");
  std::lock_guard lock(rules_mutex());
  auto book = RuleBook::load(services_, channel->id);
  if (!book) return fault_from(soap, book.error());
  for (const auto* rule : request->Rule) {
    if (!rule || rule->Name.empty()) return invalid_rule(soap, "every rule needs a name");
    if (book->find(rule->Name))
      return sender_fault(soap, "ter:InvalidArgs", "ter:RuleAlreadyExistent", "a rule named '" + rule->Name + "' exists");
    auto wanted = requested(*rule);
    if (!wanted) return invalid_rule(soap, wanted.error().message);
    const auto slot = book->free_slot(wanted->first);
    if (!slot)
      return receiver_fault(soap, "ter:Action", "ter:TooManyRules",
                            fmt::format("all {} {} slots are in use; delete one first", rule->Type,
                                        wanted->first == RuleKind::line ? BehaviourSettings::max_lines : BehaviourSettings::max_regions));
    book->put(rule->Name, *slot, wanted->second, true);
  }
  if (auto stored = book->store(services_); !stored) return invalid_rule(soap, stored.error().message);
  log_operation(services_, request_, "Remote: Set Parameters", "ONVIF CreateRules on " + request->ConfigurationToken);
  return SOAP_OK;
}

int AnalyticsService::ModifyRules(_tan__ModifyRules* request, _tan__ModifyRulesResponse&) {
  const auto* channel = channel_of(request->ConfigurationToken);
  if (!channel) return soap->error;
  if (request->Rule.empty()) return SOAP_OK;
  if (!has_rules(services_, channel->id))
    return sender_fault(soap, "ter:InvalidArgs", "ter:RuleNotExistent", "no rule named '" + std::string(request->Rule[0] ? request->Rule[0]->Name : "") + "'");
  std::lock_guard lock(rules_mutex());
  auto book = RuleBook::load(services_, channel->id);
  if (!book) return fault_from(soap, book.error());
  for (const auto* rule : request->Rule) {
    const auto existing = rule ? book->find(rule->Name) : std::nullopt;
    if (!existing)
      return sender_fault(soap, "ter:InvalidArgs", "ter:RuleNotExistent", "no rule named '" + (rule ? rule->Name : "") + "'");
    auto wanted = requested(*rule);
    if (!wanted) return invalid_rule(soap, wanted.error().message);
    if (wanted->first != existing->slot.kind)
      return invalid_rule(soap, "rule '" + rule->Name + "' is a " + rule_type(existing->slot.kind) + "; delete it to make another type");
    book->put(rule->Name, existing->slot, wanted->second, false);
  }
  if (auto stored = book->store(services_); !stored) return invalid_rule(soap, stored.error().message);
  log_operation(services_, request_, "Remote: Set Parameters", "ONVIF ModifyRules on " + request->ConfigurationToken);
  return SOAP_OK;
}

int AnalyticsService::DeleteRules(_tan__DeleteRules* request, _tan__DeleteRulesResponse&) {
  const auto* channel = channel_of(request->ConfigurationToken);
  if (!channel) return soap->error;
  if (request->RuleName.empty()) return SOAP_OK;
  if (!has_rules(services_, channel->id))
    return sender_fault(soap, "ter:InvalidArgs", "ter:RuleNotExistent", "no rule named '" + std::string(request->RuleName[0]) + "'");
  std::lock_guard lock(rules_mutex());
  auto book = RuleBook::load(services_, channel->id);
  if (!book) return fault_from(soap, book.error());
  for (const auto& name : request->RuleName) {
    const auto existing = book->find(name);
    if (!existing) return sender_fault(soap, "ter:InvalidArgs", "ter:RuleNotExistent", "no rule named '" + name + "'");
    book->remove(existing->slot);
  }
  if (auto stored = book->store(services_); !stored) return fault_from(soap, stored.error());
  log_operation(services_, request_, "Remote: Set Parameters", "ONVIF DeleteRules on " + request->ConfigurationToken);
  return SOAP_OK;
}

int AnalyticsService::GetSupportedAnalyticsModules(_tan__GetSupportedAnalyticsModules* request,
                                                   _tan__GetSupportedAnalyticsModulesResponse& response) {
  const auto* channel = channel_of(request->ConfigurationToken);
  if (!channel) return soap->error;
  response.SupportedAnalyticsModules = soap_new_tt__SupportedAnalyticsModules(soap);
  for (const auto* module : modules_of(services_, channel->id)) {
    auto* described = std::string_view(module->field) == "motion"
                          ? description(soap, module->type, {{"Sensitivity", "xsd:integer"}}, {{"Layout", "tt:CellLayout"}})
                          : description(soap, module->type, {{"Sensitivity", "xsd:integer"}}, {});
    // One detector of each kind per channel: a client changes it, it cannot make another.
    described->fixed = soap_new_bool(soap);
    *described->fixed = true;
    described->maxInstances = soap_new_std__string(soap);
    *described->maxInstances = "1";
    response.SupportedAnalyticsModules->AnalyticsModuleDescription.push_back(described);
  }
  return SOAP_OK;
}

int AnalyticsService::GetAnalyticsModules(_tan__GetAnalyticsModules* request, _tan__GetAnalyticsModulesResponse& response) {
  const auto* channel = channel_of(request->ConfigurationToken);
  if (!channel) return soap->error;
  for (const auto* module : modules_of(services_, channel->id))
    response.AnalyticsModule.push_back(module_config(soap, services_, channel->id, *module));
  return SOAP_OK;
}

int AnalyticsService::ModifyAnalyticsModules(_tan__ModifyAnalyticsModules* request, _tan__ModifyAnalyticsModulesResponse&) {
  const auto* channel = channel_of(request->ConfigurationToken);
  if (!channel) return soap->error;
  const auto modules = modules_of(services_, channel->id);
  std::vector<core::ConfigService::Change> changes;
  for (const auto* wanted : request->AnalyticsModule) {
    const auto it = std::find_if(modules.begin(), modules.end(), [&](const Module* m) { return wanted && wanted->Name == m->name; });
    if (it == modules.end())
      return sender_fault(soap, "ter:InvalidArgs", "ter:NameNotExistent", "no analytics module named '" + (wanted ? wanted->Name : "") + "'");
    if (wanted->Type != (*it)->type)
      return sender_fault(soap, "ter:InvalidArgVal", "ter:InvalidModule", wanted->Name + " is a " + (*it)->type);
    if (!wanted->Parameters) continue;
    // The motion grid's layout is the camera's own: a client sends back what it read.
    for (const auto& item : wanted->Parameters->SimpleItem) {
      if (item.Name != "Sensitivity")
        return sender_fault(soap, "ter:InvalidArgVal", "ter:InvalidModule", wanted->Name + " has no parameter " + item.Name);
      const auto key = sensitivity_key(channel->id, **it);
      auto value = services_.config->spec(key)->parse(item.Value);
      if (!value) return sender_fault(soap, "ter:InvalidArgVal", "ter:InvalidModule", wanted->Name + " Sensitivity: " + value.error().message);
      changes.emplace_back(key, std::move(*value));
    }
  }
  if (auto applied = services_.config->apply(changes); !applied)
    return sender_fault(soap, "ter:InvalidArgVal", "ter:InvalidModule", applied.error().message);
  log_operation(services_, request_, "Remote: Set Parameters", "ONVIF ModifyAnalyticsModules on " + request->ConfigurationToken);
  return SOAP_OK;
}

int AnalyticsService::GetAnalyticsModuleOptions(_tan__GetAnalyticsModuleOptions* request,
                                                _tan__GetAnalyticsModuleOptionsResponse& response) {
  const auto* channel = channel_of(request->ConfigurationToken);
  if (!channel) return soap->error;
  for (const auto* module : modules_of(services_, channel->id)) {
    if (request->Type && *request->Type != module->type) continue;
    const auto* spec = services_.config->spec(sensitivity_key(channel->id, *module));
    auto* options = soap_new_tan__ConfigOptions(soap);
    options->Name = "Sensitivity";
    options->AnalyticsModule = soap_new_std__string(soap);
    *options->AnalyticsModule = module->type;
    options->__any = soap_text(soap, fmt::format("<tt:IntRange><tt:Min>{}</tt:Min><tt:Max>{}</tt:Max></tt:IntRange>",
                                                 spec->min ? static_cast<int>(*spec->min) : 0, spec->max ? static_cast<int>(*spec->max) : 100));
    response.Options.push_back(options);
  }
  return SOAP_OK;
}

}  // namespace camrig::onvif
