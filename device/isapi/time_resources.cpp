// /ISAPI/System/time: time mode, local time and time zone with DST (Time), and the NTP server
// (NTPServerList / NTPServer 1). Settings go through the config service (time.*); a manual
// localTime sets the device clock's calendar time.
#include "device/isapi/isapi.hpp"
#include "device/isapi/operation_log.hpp"
#include "device/isapi/xml.hpp"
#include "device/system/time_settings.hpp"

namespace camrig::isapi {
namespace {

using http::beast_http::verb;

bool is_ip_address(const std::string& host) {
  return !host.empty() && host.find_first_not_of("0123456789.") == std::string::npos;
}

void append_ntp_server(pugi::xml_node parent, const core::ConfigService& config) {
  auto server = parent.append_child("NTPServer");
  const auto host = config.get_string("time.ntp.server");
  const bool ip = is_ip_address(host) || host.find(':') != std::string::npos;
  server.append_child("id").text() = "1";
  server.append_child("addressingFormatType").text() = ip ? "ipaddress" : "hostname";
  if (ip) server.append_child("ipAddress").text() = host.c_str();
  else server.append_child("hostName").text() = host.c_str();
  server.append_child("portNo").text() = static_cast<long long>(config.get_int("time.ntp.port"));
  server.append_child("synchronizeInterval").text() = static_cast<long long>(config.get_int("time.ntp.interval"));
}

Result<void> collect_ntp_server(pugi::xml_node server, std::vector<core::ConfigService::Change>& changes,
                                const core::ConfigService& config) {
  if (auto id = text_at(server, {"id"}); id && *id != "1")
    return make_error(ErrorCode::not_found, "the device has one NTP server, id 1 (got " + *id + ")");
  const auto format = text_at(server, {"addressingFormatType"});
  auto host = text_at(server, {format && *format == "ipaddress" ? "ipAddress" : "hostName"});
  if (!host) host = text_at(server, {"ipv6Address"});
  const std::pair<const char*, const char*> fields[] = {{"portNo", "time.ntp.port"}, {"synchronizeInterval", "time.ntp.interval"}};
  if (host) {
    if (host->empty()) return make_error(ErrorCode::invalid_argument, "the NTP server address must not be empty");
    changes.emplace_back("time.ntp.server", core::ConfigValue(*host));
  }
  for (const auto& [element, key] : fields) {
    const auto text = text_at(server, {element});
    if (!text) continue;
    auto value = config.spec(key)->parse(*text);
    if (!value) return value.error();
    changes.emplace_back(key, *value);
  }
  return {};
}

http::Reply ntp_list_reply(const core::ConfigService& config) {
  pugi::xml_document doc;
  auto list = new_document(doc, "NTPServerList");
  append_ntp_server(list, config);
  return xml_reply(doc);
}

}  // namespace

void add_time_routes(http::Router& router, DeviceServices services) {
  router.add(verb::get, "/ISAPI/System/time", security::Permission::parameter_settings,
             [services](http::RequestContext&) -> Result<http::Reply> {
               auto zone = system::configured_time_zone(*services.config);
               if (!zone) return zone.error();
               pugi::xml_document doc;
               auto time = new_document(doc, "Time");
               time.append_child("timeMode").text() = services.config->get_string("time.mode").c_str();
               time.append_child("localTime").text() =
                   system::format_local_time(*zone, services.clock->wall_time()).c_str();
               time.append_child("timeZone").text() = system::format_time_zone(*zone).c_str();
               return xml_reply(doc);
             });

  router.add(verb::put, "/ISAPI/System/time", security::Permission::parameter_settings,
             [services](http::RequestContext& context) -> Result<http::Reply> {
               pugi::xml_document doc;
               auto parsed = parse_body(doc, context, "Time");
               if (auto* refused = std::get_if<ResponseStatus>(&parsed)) return status_reply(context, *refused);
               const auto time = std::get<pugi::xml_node>(parsed);
               std::vector<core::ConfigService::Change> changes;
               std::string mode = services.config->get_string("time.mode");
               if (auto requested = text_at(time, {"timeMode"})) {
                 if (*requested != "manual" && *requested != "NTP")
                   return make_error(ErrorCode::out_of_range, "timeMode must be manual or NTP (got '" + *requested + "')");
                 mode = *requested;
                 changes.emplace_back("time.mode", core::ConfigValue(mode));
               }
               auto zone = system::configured_time_zone(*services.config);
               if (!zone) return zone.error();
               if (auto text = text_at(time, {"timeZone"})) {
                 zone = system::parse_time_zone(*text);
                 if (!zone) return zone.error();
                 auto zone_changes = system::time_zone_changes(*zone);
                 if (!zone_changes) return zone_changes.error();
                 changes.insert(changes.end(), zone_changes->begin(), zone_changes->end());
               }
               std::optional<hal::WallTime> set_to;
               if (auto local = text_at(time, {"localTime"}); local && mode == "manual") {
                 auto parsed_time = system::parse_local_time(*zone, *local);
                 if (!parsed_time) return parsed_time.error();
                 set_to = *parsed_time;
               }
               if (auto applied = services.config->apply(changes); !applied) return applied.error();
               if (set_to) {
                 services.clock->set_wall_time(*set_to);
                 log_operation(services.system_log, context, "Remote: Set Time",
                               "time set to " + system::format_local_time(*zone, *set_to));
               }
               return status_reply(context, ResponseStatus{});
             });

  router.add(verb::get, "/ISAPI/System/time/ntpServers", security::Permission::parameter_settings,
             [services](http::RequestContext&) -> Result<http::Reply> { return ntp_list_reply(*services.config); });

  router.add(verb::get, "/ISAPI/System/time/ntpServers/{id}", security::Permission::parameter_settings,
             [services](http::RequestContext& context) -> Result<http::Reply> {
               if (context.path_parameters.at("id") != "1")
                 return make_error(ErrorCode::not_found, "the device has one NTP server, id 1");
               pugi::xml_document doc;
               auto declaration = doc.append_child(pugi::node_declaration);
               declaration.append_attribute("version") = "1.0";
               declaration.append_attribute("encoding") = "UTF-8";
               append_ntp_server(doc, *services.config);
               doc.child("NTPServer").prepend_attribute("xmlns") = k_namespace;
               doc.child("NTPServer").prepend_attribute("version") = "2.0";
               return xml_reply(doc);
             });

  const auto put_servers = [services](http::RequestContext& context, const char* root) -> Result<http::Reply> {
    pugi::xml_document doc;
    auto parsed = parse_body(doc, context, root);
    if (auto* refused = std::get_if<ResponseStatus>(&parsed)) return status_reply(context, *refused);
    auto server = std::get<pugi::xml_node>(parsed);
    if (std::string_view(root) == "NTPServerList") server = child(server, "NTPServer");
    if (!server) return make_error(ErrorCode::invalid_argument, "NTPServerList needs an <NTPServer>");
    std::vector<core::ConfigService::Change> changes;
    if (auto collected = collect_ntp_server(server, changes, *services.config); !collected) return collected.error();
    if (auto applied = services.config->apply(changes); !applied) return applied.error();
    return status_reply(context, ResponseStatus{});
  };
  router.add(verb::put, "/ISAPI/System/time/ntpServers", security::Permission::parameter_settings,
             [put_servers](http::RequestContext& context) { return put_servers(context, "NTPServerList"); });
  router.add(verb::put, "/ISAPI/System/time/ntpServers/{id}", security::Permission::parameter_settings,
             [put_servers](http::RequestContext& context) -> Result<http::Reply> {
               if (context.path_parameters.at("id") != "1")
                 return make_error(ErrorCode::not_found, "the device has one NTP server, id 1");
               return put_servers(context, "NTPServer");
             });
}

}  // namespace camrig::isapi
