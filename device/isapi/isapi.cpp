#include "device/isapi/isapi.hpp"

#include "device/core/text.hpp"
#include "device/isapi/response_status.hpp"

namespace camrig::isapi {
namespace {

bool is_device_info(std::string_view path) {
  constexpr std::string_view target = "/isapi/system/deviceinfo";
  while (path.size() > 1 && path.back() == '/') path.remove_suffix(1);
  return text::equal_ignoring_case(path, target);
}

}  // namespace

Result<void> check_video_channel(const DeviceServices& services, const http::RequestContext& context) {
  const auto& text = context.path_parameters.at("channel");
  for (const auto& channel : services.profile->channels)
    if (std::to_string(channel.id) == text) return {};
  return make_error(ErrorCode::not_found, "no video channel " + text + " on this camera");
}

void add_routes(http::Router& router, DeviceServices services) {
  router.set_error_renderer([](const http::RequestContext& context, const Error& error, http::beast_http::status status) {
    return render(context, response_status_for(error, status));
  });
  // Until activation only activation itself (no login) and device information (for discovery) answer.
  router.set_precondition([services](const http::RequestContext& context, std::optional<security::Permission> permission)
                              -> std::variant<http::Router::Admission, http::Response> {
    if (services.accounts->activated() || !permission) return http::Router::Admission::as_declared;
    if (context.message.method() == http::beast_http::verb::get && is_device_info(context.path))
      return http::Router::Admission::without_login;
    return render(context, not_activated());
  });
  add_system_routes(router, services);
  add_streaming_routes(router, services);
  add_picture_routes(router, services);
  add_security_routes(router, services);
  add_network_routes(router, services);
  add_image_routes(router, services);
  add_analytics_rules_routes(router, services);
  add_analytics_scene_routes(router, services);
  add_face_capture_routes(router, services);
  if (!services.ptz.empty()) add_ptz_routes(router, services);
  if (services.clock) add_time_routes(router, services);
  if (services.maintenance) add_maintenance_routes(router, services);
  if (services.system_log) add_log_routes(router, services);
  add_io_routes(router, services);
  add_event_routes(router, services);
  add_email_routes(router, services);
  if (services.plates && services.profile->capabilities.license_plate_recognition) add_traffic_routes(router, services);
  if (services.lpr && services.profile->capabilities.license_plate_recognition) add_lpr_routes(router, services);
  if (services.pictures && services.profile->capabilities.license_plate_recognition) add_picture_search_routes(router, services);
  if (services.profile->capabilities.license_plate_recognition) add_lprapi_routes(router, services);
  if (services.profile->capabilities.license_plate_recognition) add_plate_recognition_routes(router, services);
}

}  // namespace camrig::isapi
