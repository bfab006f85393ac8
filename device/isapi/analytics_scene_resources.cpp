// Scene detector resources, mapped to the config service's channel.<id>.{motion, tamper, defocus,
// scene_change, face}.* parameters (device/core/schema/analytics_scene.json):
// /ISAPI/System/Video/inputs/channels/<id>/motionDetection (+ /layout/gridLayout) and
// /tamperDetection, /ISAPI/Smart/{DefocusDetection,SceneChangeDetection,FaceDetect}/<id>.
// Motion's detection target is targetType "human", "vehicle", "human,vehicle" or "all" (neither
// ticked: every moving thing); the scheduled day/night switch's day period is DaySchedule's
// beginTime..endTime in local time. Expert mode's areas are ExpertParams/AreaList/Area (id 1..8,
// gridMap, Day and Night sensitivityLevel and proportion); a PUT changes the areas and fields it names.
// Region points use ISAPI's 704 x 576 normalised screen from the top-left corner. A PUT is
// validated by the analytics' own rules, then applied all at once.
#include <cmath>
#include <functional>
#include <tuple>

#include "device/analytics/scene_detectors.hpp"
#include "device/events/arming_schedule.hpp"
#include "device/isapi/isapi.hpp"
#include "device/isapi/xml.hpp"

namespace camrig::isapi {
namespace {

using http::beast_http::verb;
using Wanted = std::vector<std::pair<std::string, std::string>>;

struct SceneChannel {
  const core::ConfigService* config = nullptr;
  int id = 0;
  std::string key(std::string_view field) const { return "channel." + std::to_string(id) + "." + std::string(field); }
  //! Any value in its text form ("true", "50", a grid or regions).
  std::string text(std::string_view field) const { return core::to_string(config->get(key(field))); }
};

Result<SceneChannel> find_scene_channel(const DeviceServices& services, const std::string& id_text) {
  const auto id = parse_int(id_text);
  SceneChannel channel{services.config, id.value_or(0)};
  if (!id || !services.profile->find_channel(*id) || !services.config->spec(channel.key("motion.enabled")))
    return make_error(ErrorCode::not_found, "no video channel " + id_text + " with scene detectors");
  return channel;
}

// Ranges are the schema's, grids and regions are checked as they are read; what is left is the
// one rule across fields (face minimum <= maximum). Then all changes are stored together.
Result<void> apply_changes(core::ConfigService& config, const SceneChannel& channel, const Wanted& wanted) {
  std::vector<core::ConfigService::Change> changes;
  std::int64_t min_face = config.get_int(channel.key("face.min_size"));
  std::int64_t max_face = config.get_int(channel.key("face.max_size"));
  for (const auto& [key, text] : wanted) {
    const auto* spec = config.spec(key);
    if (!spec) return make_error(ErrorCode::not_found, "this device has no " + key);
    auto value = spec->parse(text);
    if (!value) return value.error();
    if (key == channel.key("face.min_size")) min_face = std::get<std::int64_t>(*value);
    if (key == channel.key("face.max_size")) max_face = std::get<std::int64_t>(*value);
    if (*value != config.get(key)) changes.emplace_back(key, std::move(*value));
  }
  if (min_face > max_face)
    return make_error(ErrorCode::out_of_range, "the minimum face width is larger than the maximum");
  if (changes.empty()) return {};
  return config.apply(changes);
}

Result<void> want(pugi::xml_node node, std::initializer_list<std::string_view> path, const SceneChannel& c,
                  std::string_view field, Wanted& out) {
  if (auto text = text_at(node, path)) out.emplace_back(c.key(field), *text);
  return {};
}

void append_polygons(pugi::xml_node list, const char* item, const std::string& json) {
  auto polygons = analytics::parse_polygons(json, "regions");
  if (!polygons) return;
  int id = 1;
  for (const auto& polygon : *polygons) {
    auto region = list.append_child(item);
    region.append_child("id").text() = id++;
    auto coordinates = region.append_child("RegionCoordinatesList");
    for (const auto& p : polygon) {
      auto point = coordinates.append_child("RegionCoordinates");
      point.append_child("positionX").text() = static_cast<int>(std::lround(p.x * k_screen_width));
      point.append_child("positionY").text() = static_cast<int>(std::lround(p.y * k_screen_height));
    }
  }
}

Result<std::string> collect_polygons(pugi::xml_node list, std::string_view what) {
  std::vector<analytics::NormalisedPolygon> polygons;
  for (auto region : list.children()) {
    auto& polygon = polygons.emplace_back();
    for (auto point : child(region, "RegionCoordinatesList").children()) {
      const auto x = parse_int(text_at(point, {"positionX"}).value_or(""));
      const auto y = parse_int(text_at(point, {"positionY"}).value_or(""));
      if (!x || !y) return make_error(ErrorCode::invalid_argument, std::string(what) + ": positionX and positionY are integers");
      polygon.emplace_back(static_cast<float>(*x) / k_screen_width, static_cast<float>(*y) / k_screen_height);
    }
    if (auto valid = analytics::validate_polygon(polygon, what); !valid) return valid.error();
  }
  return analytics::polygons_to_json(polygons);
}

void append_layout(pugi::xml_node layout, const SceneChannel& c) {
  layout.append_child("sensitivityLevel").text() = c.text("motion.sensitivity").c_str();
  layout.append_child("layout").append_child("gridMap").text() = c.text("motion.grid").c_str();
}

Result<void> collect_layout(pugi::xml_node layout, const SceneChannel& c, Wanted& w) {
  (void)want(layout, {"sensitivityLevel"}, c, "motion.sensitivity", w);
  if (auto grid = text_at(layout, {"layout", "gridMap"})) {
    if (auto parsed = analytics::parse_grid_map(*grid); !parsed) return parsed.error();
    w.emplace_back(c.key("motion.grid"), *grid);
  }
  return {};
}

void append_expert_areas(pugi::xml_node list, const SceneChannel& c) {
  auto areas = analytics::parse_motion_areas(c.text("motion.expert.areas"));
  if (!areas) return;
  int id = 1;
  for (const auto& area : *areas) {
    auto node = list.append_child("Area");
    node.append_child("id").text() = id++;
    node.append_child("gridMap").text() = analytics::to_grid_map(area.grid).c_str();
    for (auto [name, levels] : {std::pair{"Day", &area.day}, std::pair{"Night", &area.night}}) {
      auto period = node.append_child(name);
      period.append_child("sensitivityLevel").text() = levels->sensitivity;
      period.append_child("proportion").text() = levels->proportion;
    }
  }
}

// An area beyond the stored ones is added (those between start with nothing drawn).
Result<void> collect_expert_areas(pugi::xml_node list, const SceneChannel& c, Wanted& w) {
  auto areas = analytics::parse_motion_areas(c.text("motion.expert.areas"));
  if (!areas) return areas.error();
  for (auto node : list.children("Area")) {
    const auto id = parse_int(text_at(node, {"id"}).value_or(""));
    if (!id || *id < 1 || *id > analytics::kMaxMotionAreas)
      return make_error(ErrorCode::invalid_argument,
                        "AreaList: each Area has an id 1.." + std::to_string(analytics::kMaxMotionAreas));
    const std::string which = "Area " + std::to_string(*id);
    if (areas->size() < static_cast<std::size_t>(*id)) areas->resize(static_cast<std::size_t>(*id));
    auto& area = (*areas)[static_cast<std::size_t>(*id - 1)];
    if (auto grid = text_at(node, {"gridMap"})) {
      auto parsed = analytics::parse_grid_map(*grid);
      if (!parsed) return make_error(ErrorCode::invalid_argument, which + ": " + parsed.error().message);
      area.grid = *parsed;
    }
    for (auto [name, levels] : {std::pair{"Day", &area.day}, std::pair{"Night", &area.night}}) {
      for (auto [field, value] : {std::pair{"sensitivityLevel", &levels->sensitivity}, std::pair{"proportion", &levels->proportion}}) {
        const auto text = text_at(node, {name, field});
        if (!text) continue;
        const auto number = parse_int(*text);
        if (!number) return make_error(ErrorCode::invalid_argument, which + " " + name + " " + field + " is a whole number");
        *value = *number;
      }
    }
  }
  analytics::MotionSettings check;
  check.areas = *areas;
  if (auto valid = analytics::validate(check); !valid) return valid.error();
  w.emplace_back(c.key("motion.expert.areas"), analytics::motion_areas_to_json(*areas));
  return {};
}

std::string target_type_text(const SceneChannel& c) {
  const bool human = c.config->get_bool(c.key("motion.target.human"));
  const bool vehicle = c.config->get_bool(c.key("motion.target.vehicle"));
  if (human && vehicle) return "human,vehicle";
  return human ? "human" : vehicle ? "vehicle" : "all";
}

Result<void> collect_target_type(std::string_view text, const SceneChannel& c, Wanted& w) {
  bool human = false, vehicle = false;
  bool all = false;
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t comma = std::min(text.find(',', start), text.size());
    const std::string_view item = text.substr(start, comma - start);
    if (item == "human") human = true;
    else if (item == "vehicle") vehicle = true;
    else if (item == "all") all = true;
    else
      return make_error(ErrorCode::invalid_argument,
                        "targetType is human, vehicle, human,vehicle or all (every moving thing), not '" +
                            std::string(text) + "'");
    start = comma + 1;
  }
  if (all && (human || vehicle)) return make_error(ErrorCode::invalid_argument, "targetType 'all' stands alone");
  w.emplace_back(c.key("motion.target.human"), human ? "true" : "false");
  w.emplace_back(c.key("motion.target.vehicle"), vehicle ? "true" : "false");
  return {};
}

// beginTime/endTime ("06:00:00") to the stored minutes; the day must start before it ends.
Result<void> collect_day_schedule(pugi::xml_node schedule, const SceneChannel& c, Wanted& w) {
  int begin = static_cast<int>(c.config->get_int(c.key("motion.day_start")));
  int end = static_cast<int>(c.config->get_int(c.key("motion.day_end")));
  for (auto [name, minute, field] : {std::tuple{"beginTime", &begin, "motion.day_start"}, std::tuple{"endTime", &end, "motion.day_end"}}) {
    const auto text = text_at(schedule, {name});
    if (!text) continue;
    auto parsed = events::parse_time_of_day(*text);
    if (!parsed) return make_error(ErrorCode::invalid_argument, std::string("DaySchedule ") + name + ": " + parsed.error().message);
    *minute = *parsed;
    w.emplace_back(c.key(field), std::to_string(*parsed));
  }
  if (begin >= end)
    return make_error(ErrorCode::out_of_range, "DaySchedule: the day must begin before it ends (" +
                                                   events::format_time_of_day(begin) + " to " +
                                                   events::format_time_of_day(end) + ")");
  return {};
}

using SceneReader = std::function<void(pugi::xml_node, const SceneChannel&)>;
using SceneCollector = std::function<Result<void>(pugi::xml_node, const SceneChannel&, Wanted&)>;

void add_scene_document(http::Router& router, const DeviceServices& services, const std::string& path,
                        const char* root_name, SceneReader append, SceneCollector collect) {
  router.add(verb::get, path, security::Permission::parameter_settings,
             [services, root_name, append](http::RequestContext& context) -> Result<http::Reply> {
               auto channel = find_scene_channel(services, context.path_parameters.at("id"));
               if (!channel) return channel.error();
               pugi::xml_document doc;
               append(new_document(doc, root_name), *channel);
               return xml_reply(doc);
             });
  router.add(verb::put, path, security::Permission::parameter_settings,
             [services, root_name, collect](http::RequestContext& context) -> Result<http::Reply> {
               auto channel = find_scene_channel(services, context.path_parameters.at("id"));
               if (!channel) return channel.error();
               pugi::xml_document doc;
               auto parsed = parse_body(doc, context, root_name);
               if (auto* refused = std::get_if<ResponseStatus>(&parsed)) return status_reply(context, *refused);
               Wanted wanted;
               if (auto collected = collect(std::get<pugi::xml_node>(parsed), *channel, wanted); !collected)
                 return collected.error();
               if (auto applied = apply_changes(*services.config, *channel, wanted); !applied) return applied.error();
               return status_reply(context, ResponseStatus{});
             });
}

// Enabled + sensitivity: defocus and scene change.
void add_simple(http::Router& router, const DeviceServices& services, const std::string& path, const char* root,
                const std::string& family) {
  add_scene_document(
      router, services, path, root,
      [family](pugi::xml_node node, const SceneChannel& c) {
        node.append_child("id").text() = c.id;
        node.append_child("enabled").text() = c.text(family + ".enabled").c_str();
        node.append_child("sensitivityLevel").text() = c.text(family + ".sensitivity").c_str();
      },
      [family](pugi::xml_node node, const SceneChannel& c, Wanted& w) -> Result<void> {
        (void)want(node, {"enabled"}, c, family + ".enabled", w);
        (void)want(node, {"sensitivityLevel"}, c, family + ".sensitivity", w);
        return {};
      });
}

}  // namespace

void add_analytics_scene_routes(http::Router& router, DeviceServices services) {
  const std::string input = "/ISAPI/System/Video/inputs/channels/{id}";
  add_scene_document(
      router, services, input + "/motionDetection", "MotionDetection",
      [](pugi::xml_node root, const SceneChannel& c) {
        root.append_child("enabled").text() = c.text("motion.enabled").c_str();
        root.append_child("configurationMode").text() = c.text("motion.mode").c_str();
        root.append_child("targetType").text() = target_type_text(c).c_str();
        root.append_child("regionType").text() = "grid";
        auto grid = root.append_child("Grid");
        grid.append_child("rowGranularity").text() = analytics::kMotionGridRows;
        grid.append_child("columnGranularity").text() = analytics::kMotionGridColumns;
        append_layout(root.append_child("MotionDetectionLayout"), c);
        auto expert = root.append_child("ExpertParams");
        expert.append_child("dayNightSwitch").text() = c.text("motion.day_night").c_str();
        auto schedule = expert.append_child("DaySchedule");
        schedule.append_child("beginTime").text() =
            events::format_time_of_day(static_cast<int>(c.config->get_int(c.key("motion.day_start")))).c_str();
        schedule.append_child("endTime").text() =
            events::format_time_of_day(static_cast<int>(c.config->get_int(c.key("motion.day_end")))).c_str();
        append_expert_areas(expert.append_child("AreaList"), c);
      },
      [](pugi::xml_node root, const SceneChannel& c, Wanted& w) -> Result<void> {
        (void)want(root, {"enabled"}, c, "motion.enabled", w);
        (void)want(root, {"configurationMode"}, c, "motion.mode", w);
        if (auto target = text_at(root, {"targetType"}))
          if (auto done = collect_target_type(*target, c, w); !done) return done;
        if (auto schedule = child(child(root, "ExpertParams"), "DaySchedule"))
          if (auto done = collect_day_schedule(schedule, c, w); !done) return done;
        if (auto layout = child(root, "MotionDetectionLayout"))
          if (auto done = collect_layout(layout, c, w); !done) return done;
        (void)want(root, {"ExpertParams", "dayNightSwitch"}, c, "motion.day_night", w);
        if (auto areas = child(child(root, "ExpertParams"), "AreaList"))
          if (auto done = collect_expert_areas(areas, c, w); !done) return done;
        return {};
      });
  add_scene_document(router, services, input + "/motionDetection/layout/gridLayout", "MotionDetectionLayout",
                     append_layout, collect_layout);
  add_scene_document(
      router, services, input + "/tamperDetection", "TamperDetection",
      [](pugi::xml_node root, const SceneChannel& c) {
        root.append_child("enabled").text() = c.text("tamper.enabled").c_str();
        root.append_child("sensitivityLevel").text() = c.text("tamper.sensitivity").c_str();
        append_screen(root);
        append_polygons(root.append_child("TamperDetectionRegionList"), "TamperDetectionRegion", c.text("tamper.areas"));
      },
      [](pugi::xml_node root, const SceneChannel& c, Wanted& w) -> Result<void> {
        (void)want(root, {"enabled"}, c, "tamper.enabled", w);
        (void)want(root, {"sensitivityLevel"}, c, "tamper.sensitivity", w);
        if (auto list = child(root, "TamperDetectionRegionList")) {
          auto json = collect_polygons(list, "a tampering area");
          if (!json) return json.error();
          w.emplace_back(c.key("tamper.areas"), *json);
        }
        return {};
      });
  add_simple(router, services, "/ISAPI/Smart/DefocusDetection/{id}", "DefocusDetection", "defocus");
  add_simple(router, services, "/ISAPI/Smart/SceneChangeDetection/{id}", "SceneChangeDetection", "scene_change");
  add_scene_document(
      router, services, "/ISAPI/Smart/FaceDetect/{id}", "FaceDetect",
      [](pugi::xml_node root, const SceneChannel& c) {
        root.append_child("id").text() = c.id;
        root.append_child("enabled").text() = c.text("face.enabled").c_str();
        root.append_child("sensitivityLevel").text() = c.text("face.sensitivity").c_str();
        auto filter = root.append_child("FaceSizeFilter");
        filter.append_child("minWidth").text() = c.text("face.min_size").c_str();
        filter.append_child("maxWidth").text() = c.text("face.max_size").c_str();
        append_screen(root);
        append_polygons(root.append_child("ShieldRegionList"), "ShieldRegion", c.text("face.shield_regions"));
      },
      [](pugi::xml_node root, const SceneChannel& c, Wanted& w) -> Result<void> {
        (void)want(root, {"enabled"}, c, "face.enabled", w);
        (void)want(root, {"sensitivityLevel"}, c, "face.sensitivity", w);
        (void)want(root, {"FaceSizeFilter", "minWidth"}, c, "face.min_size", w);
        (void)want(root, {"FaceSizeFilter", "maxWidth"}, c, "face.max_size", w);
        if (auto list = child(root, "ShieldRegionList")) {
          auto json = collect_polygons(list, "a shield region");
          if (!json) return json.error();
          w.emplace_back(c.key("face.shield_regions"), *json);
        }
        return {};
      });
}

}  // namespace camrig::isapi
