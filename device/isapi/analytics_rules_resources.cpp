// Behaviour rule resources, per video channel: /ISAPI/Smart/LineDetection/<id> (line crossing),
// FieldDetection (intrusion), regionEntrance, regionExiting, unattendedBaggage and
// attendedBaggage (object removal). They read and write the channel's rules (one JSON text in the
// config, device/analytics/behaviour_settings.hpp) on ISAPI's 1000 x 1000 normalised screen with
// its origin at the bottom-left corner. A PUT changes the items it lists, by id; the running rules
// follow the stored value.
#include <cmath>
#include <string>

#include "device/analytics/behaviour_settings.hpp"
#include "device/isapi/isapi.hpp"
#include "device/isapi/xml.hpp"

namespace camrig::isapi {
namespace {

using analytics::BehaviourSettings;
using analytics::CrossingDirection;
using analytics::LineRule;
using analytics::Point;
using analytics::RegionKind;
using analytics::RegionRule;
using http::beast_http::verb;

// The Smart rules' own normalised screen: 1000 x 1000 units from the bottom-left corner.
constexpr int k_rule_screen = 1000;

struct Family {
  RegionKind kind;
  const char* path;  //!< under /ISAPI/Smart/
  const char* root;  //!< document root; the list is <root>RegionList of <root>Region
  bool has_threshold;
  bool has_target;
};

constexpr Family k_families[] = {
    {RegionKind::intrusion, "FieldDetection", "FieldDetection", true, true},
    {RegionKind::region_entrance, "regionEntrance", "RegionEntrance", false, true},
    {RegionKind::region_exiting, "regionExiting", "RegionExiting", false, true},
    {RegionKind::unattended_baggage, "unattendedBaggage", "UnattendedBaggage", true, false},
    {RegionKind::object_removal, "attendedBaggage", "AttendedBaggage", true, false},
};

Error bad(std::string message) { return make_error(ErrorCode::invalid_argument, std::move(message)); }

Result<int> number_at(pugi::xml_node node, std::string_view element, int low, int high) {
  const auto text = text_at(node, {element});
  if (!text) return bad("<" + std::string(element) + "> is missing");
  const auto value = parse_int(*text);
  if (!value) return bad("<" + std::string(element) + "> must be an integer (got '" + *text + "')");
  if (*value < low || *value > high)
    return make_error(ErrorCode::out_of_range, "<" + std::string(element) + "> must be within " + std::to_string(low) +
                                                   ".." + std::to_string(high) + " (got " + *text + ")");
  return *value;
}

Result<bool> flag_at(pugi::xml_node node, std::string_view element) {
  const auto text = text_at(node, {element});
  if (!text) return bad("<" + std::string(element) + "> is missing");
  return element_bool(*text, element);
}

int screen_units(double fraction) { return static_cast<int>(std::lround(fraction * k_rule_screen)); }

void append_point(pugi::xml_node node, Point p) {
  node.append_child("positionX").text() = screen_units(p.x);
  node.append_child("positionY").text() = screen_units(1.0 - p.y);
}

Result<Point> point_of(pugi::xml_node node) {
  auto x = number_at(node, "positionX", 0, k_rule_screen);
  if (!x) return x.error();
  auto y = number_at(node, "positionY", 0, k_rule_screen);
  if (!y) return y.error();
  return Point{static_cast<double>(*x) / k_rule_screen, 1.0 - static_cast<double>(*y) / k_rule_screen};
}

std::string target_text(const analytics::TargetFilter& t) {
  if (t.human && t.vehicle) return "human,vehicle";
  if (t.human) return "human";
  if (t.vehicle) return "vehicle";
  return "all";
}

Result<analytics::TargetFilter> target_of(const std::string& text) {
  if (text == "all") return analytics::TargetFilter{};
  if (text == "human") return analytics::TargetFilter{true, false};
  if (text == "vehicle") return analytics::TargetFilter{false, true};
  if (text == "human,vehicle" || text == "vehicle,human") return analytics::TargetFilter{true, true};
  return make_error(ErrorCode::out_of_range, "<detectionTarget> must be all, human, vehicle or human,vehicle (got '" + text + "')");
}

void append_size(pugi::xml_node node, const analytics::SizeFilter& s) {
  auto size = node.append_child("SizeFilter");
  size.append_child("minWidth").text() = screen_units(s.min_width);
  size.append_child("minHeight").text() = screen_units(s.min_height);
  size.append_child("maxWidth").text() = screen_units(s.max_width);
  size.append_child("maxHeight").text() = screen_units(s.max_height);
}

Result<void> collect_size(pugi::xml_node node, analytics::SizeFilter& s) {
  const auto size = child(node, "SizeFilter");
  if (!size) return {};
  for (const auto& [element, field] : {std::pair{"minWidth", &s.min_width}, std::pair{"minHeight", &s.min_height},
                                      std::pair{"maxWidth", &s.max_width}, std::pair{"maxHeight", &s.max_height}}) {
    if (!text_at(size, {element})) continue;
    auto units = number_at(size, element, 0, k_rule_screen);
    if (!units) return units.error();
    *field = static_cast<double>(*units) / k_rule_screen;
  }
  return {};
}

void append_rule_screen(pugi::xml_node root) {
  auto screen = root.append_child("normalizedScreenSize");
  screen.append_child("normalizedScreenWidth").text() = k_rule_screen;
  screen.append_child("normalizedScreenHeight").text() = k_rule_screen;
}

// The direction as ISAPI's directionSensitivity names it: side A is on the left of the line.
const char* direction_text(CrossingDirection d) {
  switch (d) {
    case CrossingDirection::both: return "any";
    case CrossingDirection::a_to_b: return "left-right";
    case CrossingDirection::b_to_a: return "right-left";
  }
  return "any";
}

Result<CrossingDirection> direction_of(const std::string& text) {
  if (text == "any") return CrossingDirection::both;
  if (text == "left-right") return CrossingDirection::a_to_b;
  if (text == "right-left") return CrossingDirection::b_to_a;
  return make_error(ErrorCode::out_of_range,
                    "<directionSensitivity> must be any (A<->B), left-right (A->B) or right-left (B->A) (got '" + text + "')");
}

// ---- the channel's stored rules -------------------------------------------------------------

struct RuleChannel {
  core::ConfigService* config = nullptr;
  int id = 0;
  std::string key() const { return analytics::behaviour_settings_key(id); }
};

Result<RuleChannel> find_rule_channel(const DeviceServices& services, const std::string& id_text) {
  const auto id = parse_int(id_text);
  if (!id || !services.profile->find_channel(*id)) return make_error(ErrorCode::not_found, "no video channel " + id_text);
  RuleChannel channel{services.config, *id};
  if (!services.config->spec(channel.key()))
    return make_error(ErrorCode::not_found, "video channel " + id_text + " has no behaviour rules");
  return channel;
}

Result<BehaviourSettings> load(const RuleChannel& channel) {
  auto settings = analytics::parse_behaviour_settings(channel.config->get_string(channel.key()));
  if (!settings) return make_error(ErrorCode::internal, "the stored behaviour rules are damaged: " + settings.error().message);
  return settings;
}

Result<void> store(const RuleChannel& channel, const BehaviourSettings& settings) {
  if (auto valid = analytics::validate(settings); !valid) return valid.error();
  return channel.config->set_text(channel.key(), analytics::to_json(settings));
}

template <class Rule>
Rule& item_with_id(std::vector<Rule>& rules, int id) {
  for (auto& rule : rules)
    if (rule.id == id) return rule;
  Rule rule;
  rule.id = id;
  rules.push_back(rule);
  return rules.back();
}

// ---- LineDetection -------------------------------------------------------------------------

void append_lines(pugi::xml_node root, const RuleChannel& channel, const BehaviourSettings& s) {
  root.append_child("id").text() = channel.id;
  bool any = false;
  for (const auto& line : s.lines) any = any || line.enabled;
  root.append_child("enabled").text() = any;
  append_rule_screen(root);
  auto list = root.append_child("LineItemList");
  for (int id = 1; id <= BehaviourSettings::max_lines; ++id) {
    LineRule line;
    line.id = id;
    for (const auto& l : s.lines)
      if (l.id == id) line = l;
    auto item = list.append_child("LineItem");
    item.append_child("id").text() = id;
    item.append_child("enabled").text() = line.enabled;
    item.append_child("sensitivityLevel").text() = line.sensitivity;
    item.append_child("directionSensitivity").text() = direction_text(line.direction);
    item.append_child("detectionTarget").text() = target_text(line.targets).c_str();
    auto coordinates = item.append_child("CoordinatesList");
    append_point(coordinates.append_child("Coordinates"), line.a);
    append_point(coordinates.append_child("Coordinates"), line.b);
    append_size(item, line.size);
  }
}

Result<void> collect_lines(pugi::xml_node root, BehaviourSettings& s) {
  const bool all_off = text_at(root, {"enabled"}) == std::optional<std::string>("false");
  if (all_off)
    for (auto& line : s.lines) line.enabled = false;
  const auto list = child(root, "LineItemList");
  if (!list) return {};
  for (auto item : list.children()) {
    if (local_name(item) != "LineItem") continue;
    auto id = number_at(item, "id", 1, BehaviourSettings::max_lines);
    if (!id) return id.error();
    LineRule& line = item_with_id(s.lines, *id);
    if (text_at(item, {"enabled"})) {
      auto enabled = flag_at(item, "enabled");
      if (!enabled) return enabled.error();
      line.enabled = *enabled && !all_off;
    }
    if (text_at(item, {"sensitivityLevel"})) {
      auto level = number_at(item, "sensitivityLevel", 0, 100);
      if (!level) return level.error();
      line.sensitivity = *level;
    }
    if (auto text = text_at(item, {"directionSensitivity"})) {
      auto direction = direction_of(*text);
      if (!direction) return direction.error();
      line.direction = *direction;
    }
    if (auto text = text_at(item, {"detectionTarget"})) {
      auto target = target_of(*text);
      if (!target) return target.error();
      line.targets = *target;
    }
    if (const auto coordinates = child(item, "CoordinatesList")) {
      std::vector<Point> points;
      for (auto c : coordinates.children()) {
        if (local_name(c) != "Coordinates") continue;
        auto p = point_of(c);
        if (!p) return p.error();
        points.push_back(*p);
      }
      if (points.size() != 2) return bad("line " + std::to_string(*id) + ": <CoordinatesList> needs exactly 2 <Coordinates>");
      line.a = points[0];
      line.b = points[1];
    }
    if (auto size = collect_size(item, line.size); !size) return size;
  }
  return {};
}

// ---- the region families ---------------------------------------------------------------------

void append_regions(pugi::xml_node root, const RuleChannel& channel, const BehaviourSettings& s, const Family& family) {
  root.append_child("id").text() = channel.id;
  bool any = false;
  for (const auto& region : s.of(family.kind)) any = any || region.enabled;
  root.append_child("enabled").text() = any;
  append_rule_screen(root);
  const std::string region_name = std::string(family.root) + "Region";
  auto list = root.append_child((region_name + "List").c_str());
  for (int id = 1; id <= BehaviourSettings::max_regions; ++id) {
    RegionRule region;
    region.id = id;
    region.threshold = analytics::threshold_range(family.kind).default_value;
    for (const auto& r : s.of(family.kind))
      if (r.id == id) region = r;
    auto item = list.append_child(region_name.c_str());
    item.append_child("id").text() = id;
    item.append_child("enabled").text() = region.enabled;
    item.append_child("sensitivityLevel").text() = region.sensitivity;
    if (family.has_threshold) item.append_child("timeThreshold").text() = region.threshold;
    if (family.has_target) item.append_child("detectionTarget").text() = target_text(region.targets).c_str();
    auto coordinates = item.append_child("RegionCoordinatesList");
    for (const auto& p : region.polygon) append_point(coordinates.append_child("RegionCoordinates"), p);
    append_size(item, region.size);
  }
}

Result<void> collect_regions(pugi::xml_node root, BehaviourSettings& s, const Family& family) {
  auto& rules = s.of(family.kind);
  const bool all_off = text_at(root, {"enabled"}) == std::optional<std::string>("false");
  if (all_off)
    for (auto& region : rules) region.enabled = false;
  const std::string region_name = std::string(family.root) + "Region";
  const auto list = child(root, region_name + "List");
  if (!list) return {};
  for (auto item : list.children()) {
    if (local_name(item) != region_name) continue;
    auto id = number_at(item, "id", 1, BehaviourSettings::max_regions);
    if (!id) return id.error();
    const bool is_new = std::none_of(rules.begin(), rules.end(), [&](const RegionRule& r) { return r.id == *id; });
    RegionRule& region = item_with_id(rules, *id);
    if (is_new) region.threshold = analytics::threshold_range(family.kind).default_value;
    if (text_at(item, {"enabled"})) {
      auto enabled = flag_at(item, "enabled");
      if (!enabled) return enabled.error();
      region.enabled = *enabled && !all_off;
    }
    if (text_at(item, {"sensitivityLevel"})) {
      auto level = number_at(item, "sensitivityLevel", 0, 100);
      if (!level) return level.error();
      region.sensitivity = *level;
    }
    if (family.has_threshold && text_at(item, {"timeThreshold"})) {
      const auto limits = analytics::threshold_range(family.kind);
      auto threshold = number_at(item, "timeThreshold", limits.min, limits.max);
      if (!threshold) return threshold.error();
      region.threshold = *threshold;
    }
    if (family.has_target) {
      if (auto text = text_at(item, {"detectionTarget"})) {
        auto target = target_of(*text);
        if (!target) return target.error();
        region.targets = *target;
      }
    }
    if (const auto coordinates = child(item, "RegionCoordinatesList")) {
      region.polygon.clear();
      for (auto c : coordinates.children()) {
        if (local_name(c) != "RegionCoordinates") continue;
        auto p = point_of(c);
        if (!p) return p.error();
        region.polygon.push_back(*p);
      }
    }
    if (auto size = collect_size(item, region.size); !size) return size;
    if (region.polygon.empty() && !region.enabled) {
      std::erase_if(rules, [&](const RegionRule& r) { return r.id == *id; });  // an unset, unused area
    }
  }
  return {};
}

// ---- routes -------------------------------------------------------------------------------

using RuleReader = std::function<void(pugi::xml_node, const RuleChannel&, const BehaviourSettings&)>;
using RuleCollector = std::function<Result<void>(pugi::xml_node, BehaviourSettings&)>;

void add_rule_document(http::Router& router, const DeviceServices& services, const std::string& path,
                       std::string root_name, RuleReader append, RuleCollector collect) {
  router.add(verb::get, path, security::Permission::parameter_settings,
             [services, root_name, append](http::RequestContext& context) -> Result<http::Reply> {
               auto channel = find_rule_channel(services, context.path_parameters.at("id"));
               if (!channel) return channel.error();
               auto settings = load(*channel);
               if (!settings) return settings.error();
               pugi::xml_document doc;
               append(new_document(doc, root_name.c_str()), *channel, *settings);
               return xml_reply(doc);
             });
  router.add(verb::put, path, security::Permission::parameter_settings,
             [services, root_name, collect](http::RequestContext& context) -> Result<http::Reply> {
               auto channel = find_rule_channel(services, context.path_parameters.at("id"));
               if (!channel) return channel.error();
               auto settings = load(*channel);
               if (!settings) return settings.error();
               pugi::xml_document doc;
               auto parsed = parse_body(doc, context, root_name);
               if (auto* refused = std::get_if<ResponseStatus>(&parsed)) return status_reply(context, *refused);
               if (auto collected = collect(std::get<pugi::xml_node>(parsed), *settings); !collected)
                 return collected.error();
               if (auto stored = store(*channel, *settings); !stored) return stored.error();
               return status_reply(context, ResponseStatus{});
             });
}

}  // namespace

void add_analytics_rules_routes(http::Router& router, DeviceServices services) {
  add_rule_document(router, services, "/ISAPI/Smart/LineDetection/{id}", "LineDetection", append_lines, collect_lines);
  for (const Family& family : k_families) {
    add_rule_document(
        router, services, std::string("/ISAPI/Smart/") + family.path + "/{id}", family.root,
        [&family](pugi::xml_node root, const RuleChannel& c, const BehaviourSettings& s) {
          append_regions(root, c, s, family);
        },
        [&family](pugi::xml_node root, BehaviourSettings& s) { return collect_regions(root, s, family); });
  }
}

}  // namespace camrig::isapi
