// GET/PUT /ISAPI/Traffic/channels/<id>/plateRecognition: the LPR camera's recognition settings
// (LPR manual "Config(LPR)": capture area, shield areas, plate algorithm; plate size and
// confidence) over the config service's plate_recognition.* parameters. Area corners use ISAPI's
// 704 x 576 normalised screen from the top-left corner. A PUT is checked as a whole by the
// recognition's own rules, then stored all at once; elements left out keep their values.
#include <cmath>

#include "device/analytics/plates/plate_recognition_settings.hpp"
#include "device/isapi/isapi.hpp"
#include "device/isapi/settings_resource.hpp"
#include "device/isapi/xml.hpp"

namespace camrig::isapi {
namespace {

using http::beast_http::verb;
using analytics::NormalisedQuadrilateral;

//! Elements holding one parameter each.
const std::vector<SettingsField> k_fields = {
    {"", "enabled", "plate_recognition.enabled"},
    {"", "plateAlgorithm", "plate_recognition.algorithm"},
    {"", "plateLayouts", "plate_recognition.plate_layouts"},
    {"PlateSizeFilter", "minWidth", "plate_recognition.min_plate_width"},
    {"PlateSizeFilter", "maxWidth", "plate_recognition.max_plate_width"},
    {"", "minConfidence", "plate_recognition.min_confidence"},
};

// Recognition runs on the LPR channel only: the profile's first.
Result<void> check_lpr_channel(const DeviceServices& services, const http::RequestContext& context) {
  const auto& text = context.path_parameters.at("channel");
  if (!services.profile->channels.empty() && std::to_string(services.profile->channels.front().id) == text) return {};
  return make_error(ErrorCode::not_found, "no licence plate recognition on video channel " + text);
}

void append_area(pugi::xml_node node, const NormalisedQuadrilateral& area) {
  auto coordinates = node.append_child("RegionCoordinatesList");
  for (const auto& p : area) {
    auto point = coordinates.append_child("RegionCoordinates");
    point.append_child("positionX").text() = static_cast<int>(std::lround(p.x * k_screen_width));
    point.append_child("positionY").text() = static_cast<int>(std::lround(p.y * k_screen_height));
  }
}

Result<NormalisedQuadrilateral> collect_area(pugi::xml_node node, const std::string& what) {
  NormalisedQuadrilateral area;
  for (auto point : child(node, "RegionCoordinatesList").children()) {
    const auto x = parse_int(text_at(point, {"positionX"}).value_or(""));
    const auto y = parse_int(text_at(point, {"positionY"}).value_or(""));
    if (!x || !y) return make_error(ErrorCode::invalid_argument, what + ": positionX and positionY are integers");
    area.push_back({static_cast<double>(*x) / k_screen_width, static_cast<double>(*y) / k_screen_height});
  }
  return area;
}

Result<http::Reply> settings_document(const core::ConfigService& config) {
  auto settings = analytics::plate_recognition_settings_from_config(config);
  if (!settings) return settings.error();
  pugi::xml_document doc;
  auto root = new_document(doc, "PlateRecognition");
  append_settings(root, config, k_fields);
  append_screen(root);
  append_area(root.append_child("CaptureArea"), settings->capture_area);
  auto shields = root.append_child("ShieldAreaList");
  int id = 1;
  for (const auto& area : settings->shield_areas) {
    auto shield = shields.append_child("ShieldArea");
    shield.append_child("id").text() = id++;
    append_area(shield, area);
  }
  return xml_reply(doc);
}

Result<std::vector<core::ConfigService::Change>> collect_changes(const core::ConfigService& config, pugi::xml_node root) {
  auto changes = settings_changes(config, root, k_fields);
  if (!changes) return changes.error();
  if (auto capture = child(root, "CaptureArea")) {
    auto area = collect_area(capture, "the capture area");
    if (!area) return area.error();
    changes->emplace_back("plate_recognition.capture_area", analytics::area_to_json(*area));
  }
  if (auto list = child(root, "ShieldAreaList")) {
    std::vector<NormalisedQuadrilateral> areas;
    for (auto shield : list.children()) {
      auto area = collect_area(shield, "shield area " + std::to_string(areas.size() + 1));
      if (!area) return area.error();
      areas.push_back(std::move(*area));
    }
    changes->emplace_back("plate_recognition.shield_areas", analytics::areas_to_json(areas));
  }
  return changes;
}

}  // namespace

void add_plate_recognition_routes(http::Router& router, DeviceServices services) {
  const std::string path = "/ISAPI/Traffic/channels/{channel}/plateRecognition";
  router.add(verb::get, path, security::Permission::parameter_settings,
             [services](http::RequestContext& context) -> Result<http::Reply> {
               if (auto checked = check_lpr_channel(services, context); !checked) return checked.error();
               return settings_document(*services.config);
             });
  router.add(verb::put, path, security::Permission::parameter_settings,
             [services](http::RequestContext& context) -> Result<http::Reply> {
               if (auto checked = check_lpr_channel(services, context); !checked) return checked.error();
               pugi::xml_document doc;
               auto parsed = parse_body(doc, context, "PlateRecognition");
               if (auto* refused = std::get_if<ResponseStatus>(&parsed)) return status_reply(context, *refused);
               auto changes = collect_changes(*services.config, std::get<pugi::xml_node>(parsed));
               if (!changes) return changes.error();
               // The set as it would be stored: areas, layouts and the width order are rules
               // across parameters that the schema's per-value checks cannot see.
               if (auto checked = analytics::plate_recognition_settings_from_config(*services.config, *changes); !checked)
                 return checked.error();
               if (auto applied = services.config->apply(*changes); !applied) return applied.error();
               return status_reply(context, ResponseStatus{});
             });
}

}  // namespace camrig::isapi
