// /ISAPI/PTZCtrl/channels/<id>: continuous and absolute moves, status, presets (list, set, delete,
// goto) and the home position of a PTZ channel, through its ptz::PtzController (ONVIF's PTZ
// service uses the same one). Absolute positions are Hikvision's AbsoluteHigh: azimuth and
// elevation in tenths of a degree (elevation positive looking down), absoluteZoom in tenths of ×.
#include <cmath>

#include "device/isapi/isapi.hpp"
#include "device/isapi/xml.hpp"

namespace camrig::isapi {
namespace {

using http::beast_http::verb;

Result<ptz::PtzController*> controller_of(const DeviceServices& services, const std::string& id_text) {
  const auto id = parse_int(id_text);
  if (id)
    if (auto it = services.ptz.find(*id); it != services.ptz.end()) return it->second;
  return make_error(ErrorCode::not_found, "video channel " + id_text + " has no PTZ");
}

Result<int> preset_id(const std::string& text) {
  const auto id = parse_int(text);
  if (!id) return make_error(ErrorCode::invalid_argument, "preset id '" + text + "' is not a number");
  return *id;
}

void absolute_high(pugi::xml_node node, const hal::PtzPosition& position) {
  node.append_child("elevation").text() = static_cast<int>(std::lround(-position.tilt_degrees * 10));
  node.append_child("azimuth").text() = static_cast<int>(std::lround(position.pan_degrees * 10));
  node.append_child("absoluteZoom").text() = static_cast<int>(std::lround(position.zoom * 10));
}

// An axis left out keeps its position.
Result<std::optional<double>> tenths(pugi::xml_node node, std::string_view element) {
  const auto text = text_at(node, {element});
  if (!text) return std::optional<double>{};
  const auto value = parse_int(*text);
  if (!value) return make_error(ErrorCode::invalid_argument, "<" + std::string(element) + "> must be an integer (got '" + *text + "')");
  return std::optional<double>(*value / 10.0);
}

// A continuous speed: -100..100 of the maximum, 0 stops the axis.
Result<std::optional<double>> level(pugi::xml_node node, std::string_view element) {
  const auto text = text_at(node, {element});
  if (!text) return std::optional<double>{};
  const auto value = parse_int(*text);
  if (!value || *value < -100 || *value > 100)
    return make_error(ErrorCode::out_of_range, "<" + std::string(element) + "> is a speed from -100 to 100 (got '" + *text + "')");
  return std::optional<double>(*value / 100.0);
}

using Handler = std::function<Result<http::Reply>(http::RequestContext&, ptz::PtzController&)>;

void add(http::Router& router, const DeviceServices& services, verb method, const std::string& path, Handler handler) {
  router.add(method, "/ISAPI/PTZCtrl/channels/{id}" + path, security::Permission::ptz_control,
             [services, handler](http::RequestContext& context) -> Result<http::Reply> {
               auto controller = controller_of(services, context.path_parameters.at("id"));
               if (!controller) return controller.error();
               return handler(context, **controller);
             });
}

Result<http::Reply> done(const http::RequestContext& context, const Result<void>& result) {
  if (!result) return result.error();
  return status_reply(context, ResponseStatus{});
}

}  // namespace

void add_ptz_routes(http::Router& router, DeviceServices services) {
  add(router, services, verb::put, "/continuous", [](http::RequestContext& context, ptz::PtzController& controller) -> Result<http::Reply> {
    pugi::xml_document doc;
    auto parsed = parse_body(doc, context, "PTZData");
    if (auto* refused = std::get_if<ResponseStatus>(&parsed)) return status_reply(context, *refused);
    const auto root = std::get<pugi::xml_node>(parsed);
    ptz::AxisValues velocity;
    for (auto [element, axis] : {std::pair{"pan", &velocity.pan}, std::pair{"tilt", &velocity.tilt}, std::pair{"zoom", &velocity.zoom}}) {
      auto value = level(root, element);
      if (!value) return value.error();
      *axis = *value;
    }
    if (velocity.pan.value_or(0) == 0 && velocity.tilt.value_or(0) == 0 && velocity.zoom.value_or(0) == 0) {
      controller.stop();
      return status_reply(context, ResponseStatus{});
    }
    return done(context, controller.move_continuous(velocity));
  });
  add(router, services, verb::put, "/absolute", [](http::RequestContext& context, ptz::PtzController& controller) -> Result<http::Reply> {
    pugi::xml_document doc;
    auto parsed = parse_body(doc, context, "PTZData");
    if (auto* refused = std::get_if<ResponseStatus>(&parsed)) return status_reply(context, *refused);
    const auto high = child(std::get<pugi::xml_node>(parsed), "AbsoluteHigh");
    if (!high) return make_error(ErrorCode::invalid_argument, "<PTZData> needs an <AbsoluteHigh> position");
    auto elevation = tenths(high, "elevation");
    if (!elevation) return elevation.error();
    auto azimuth = tenths(high, "azimuth");
    if (!azimuth) return azimuth.error();
    auto zoom = tenths(high, "absoluteZoom");
    if (!zoom) return zoom.error();
    std::optional<double> tilt;
    if (*elevation) tilt = -**elevation;
    return done(context, controller.move_absolute({*azimuth, tilt, *zoom}));
  });
  add(router, services, verb::get, "/status", [](http::RequestContext&, ptz::PtzController& controller) -> Result<http::Reply> {
    pugi::xml_document doc;
    auto root = new_document(doc, "PTZStatus");
    absolute_high(root.append_child("AbsoluteHigh"), controller.status().position);
    return xml_reply(doc);
  });
  add(router, services, verb::get, "/presets", [](http::RequestContext&, ptz::PtzController& controller) -> Result<http::Reply> {
    pugi::xml_document doc;
    auto list = new_document(doc, "PTZPresetList");
    for (const auto& preset : controller.presets()) {
      auto node = list.append_child("PTZPreset");
      node.append_child("enabled").text() = true;
      node.append_child("id").text() = preset.number;
      node.append_child("presetName").text() = preset.name.c_str();
    }
    return xml_reply(doc);
  });
  // Sets preset <n> at the current position, as the web page's Set button does.
  add(router, services, verb::put, "/presets/{preset}", [](http::RequestContext& context, ptz::PtzController& controller) -> Result<http::Reply> {
    auto number = preset_id(context.path_parameters.at("preset"));
    if (!number) return number.error();
    pugi::xml_document doc;
    std::optional<std::string> name;
    if (!context.message.body().empty()) {
      auto parsed = parse_body(doc, context, "PTZPreset");
      if (auto* refused = std::get_if<ResponseStatus>(&parsed)) return status_reply(context, *refused);
      const auto root = std::get<pugi::xml_node>(parsed);
      if (const auto id = text_at(root, {"id"}); id && parse_int(*id) != *number)
        return make_error(ErrorCode::invalid_argument, "<id> " + *id + " does not match preset " + std::to_string(*number) + " of the URL");
      name = text_at(root, {"presetName"});
    }
    auto preset = controller.set_preset(*number, name);
    if (!preset) return preset.error();
    return status_reply(context, ResponseStatus{});
  });
  add(router, services, verb::delete_, "/presets/{preset}", [](http::RequestContext& context, ptz::PtzController& controller) -> Result<http::Reply> {
    auto number = preset_id(context.path_parameters.at("preset"));
    if (!number) return number.error();
    return done(context, controller.remove_preset(*number));
  });
  add(router, services, verb::put, "/presets/{preset}/goto", [](http::RequestContext& context, ptz::PtzController& controller) -> Result<http::Reply> {
    auto number = preset_id(context.path_parameters.at("preset"));
    if (!number) return number.error();
    return done(context, controller.goto_preset(*number));
  });
  add(router, services, verb::put, "/homeposition", [](http::RequestContext& context, ptz::PtzController& controller) {
    return done(context, controller.set_home());
  });
  add(router, services, verb::put, "/homeposition/goto", [](http::RequestContext& context, ptz::PtzController& controller) {
    return done(context, controller.goto_home());
  });
}

}  // namespace camrig::isapi
