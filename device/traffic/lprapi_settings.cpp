#include "device/traffic/lprapi_settings.hpp"

#include <charconv>

namespace camrig::traffic {

Result<PlatformServer> parse_platform_server(std::string_view url) {
  const std::string quoted = "platform server '" + std::string(url) + "'";
  constexpr std::string_view scheme = "http://";
  if (url.substr(0, scheme.size()) != scheme)
    return make_error(ErrorCode::invalid_argument, quoted + " must start with http:// (LPRAPI uses plain HTTP)");
  auto rest = url.substr(scheme.size());
  PlatformServer server;
  const auto slash = rest.find('/');
  if (slash != std::string_view::npos) {
    server.base_path = std::string(rest.substr(slash));
    while (!server.base_path.empty() && server.base_path.back() == '/') server.base_path.pop_back();
    rest = rest.substr(0, slash);
  }
  std::string_view host = rest;
  std::string_view port_text;
  bool has_port = false;
  if (!rest.empty() && rest.front() == '[') {  // [IPv6]:port
    const auto close = rest.find(']');
    if (close == std::string_view::npos) return make_error(ErrorCode::invalid_argument, quoted + ": unclosed '['");
    host = rest.substr(1, close - 1);
    if (close + 1 < rest.size()) {
      if (rest[close + 1] != ':') return make_error(ErrorCode::invalid_argument, quoted + ": expected ':' after ']'");
      port_text = rest.substr(close + 2);
      has_port = true;
    }
  } else if (const auto colon = rest.rfind(':'); colon != std::string_view::npos) {
    host = rest.substr(0, colon);
    port_text = rest.substr(colon + 1);
    has_port = true;
  }
  if (has_port) {
    unsigned port = 0;
    const auto [end, error] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (port_text.empty() || error != std::errc{} || end != port_text.data() + port_text.size() || port == 0 || port > 65535)
      return make_error(ErrorCode::invalid_argument, quoted + ": the port must be 1 to 65535");
    server.port = static_cast<std::uint16_t>(port);
  }
  if (host.empty()) return make_error(ErrorCode::invalid_argument, quoted + " has no host name or address");
  server.host = std::string(host);
  return server;
}

LprApiSettings LprApiSettings::from_config(const core::ConfigService& config) {
  LprApiSettings s;
  s.enabled = config.get_bool("lprapi.enabled");
  s.authentication = config.get_bool("lprapi.authentication");
  s.username = config.get_string("lprapi.username");
  s.password = config.get_string("lprapi.password");
  s.protocol_version = config.get_string("lprapi.protocol_version");
  s.server = config.get_string("lprapi.server");
  s.device_id = config.get_string("lprapi.device_id");
  s.keep_alive_interval = std::chrono::seconds(config.get_int("lprapi.keep_alive_interval"));
  s.max_keep_alive_requests = static_cast<int>(config.get_int("lprapi.max_keep_alive_requests"));
  s.heartbeat_path = config.get_string("lprapi.heartbeat_path");
  s.event_path = config.get_string("lprapi.event_path");
  const auto upload = config.get_string("lprapi.upload_picture");
  s.upload_picture = upload == "none" ? PictureUpload::none : upload == "blocklist" ? PictureUpload::blocklist : PictureUpload::all;
  s.request_timeout = std::chrono::seconds(config.get_int("lprapi.request_timeout"));
  s.device_info = config.get_bool("lprapi.data.device_info");
  s.lpr_info = config.get_bool("lprapi.data.lpr_info");
  s.barrier_info = config.get_bool("lprapi.data.barrier_info");
  s.plate = config.get_bool("lprapi.info.plate");
  s.direction = config.get_bool("lprapi.info.direction");
  s.time = config.get_bool("lprapi.info.time");
  s.location = config.get_bool("lprapi.info.location");
  s.accuracy = config.get_bool("lprapi.info.accuracy");
  s.blocklist = config.get_bool("lprapi.info.blocklist");
  s.location_text = config.get_string("lprapi.location");
  s.filter_unlicensed = config.get_bool("lprapi.filter.unlicensed");
  s.original_image = config.get_bool("lprapi.image.original");
  s.plate_cutout = config.get_bool("lprapi.image.plate_cutout");
  s.vehicle_cutout = config.get_bool("lprapi.image.vehicle_cutout");
  return s;
}

}  // namespace camrig::traffic
