// /ISAPI/System maintenance: reboot, factoryReset (basic = Restore, full = Default),
// configurationData (export and import of the encrypted configuration file), updateFirmware
// and upgradeStatus. Each answers first; the restart that follows happens after the reply.
#include "device/isapi/isapi.hpp"
#include "device/isapi/xml.hpp"

namespace camrig::isapi {
namespace {

using http::beast_http::verb;

system::Actor actor_of(const http::RequestContext& context) {
  return {context.user ? context.user->name : std::string(), context.client_address};
}

// The uploaded file: the body itself, or the first part of a multipart/form-data body as a
// browser's file upload sends it.
Result<std::string_view> uploaded_file(const http::RequestContext& context) {
  std::string_view body = context.message.body();
  const auto header = context.message[http::beast_http::field::content_type];
  const std::string_view type(header.data(), header.size());
  if (!type.starts_with("multipart/form-data")) return body;
  const auto at = type.find("boundary=");
  if (at == std::string_view::npos) return make_error(ErrorCode::invalid_argument, "multipart/form-data without a boundary");
  auto boundary = type.substr(at + 9);
  if (boundary.size() >= 2 && boundary.front() == '"') boundary = boundary.substr(1, boundary.find('"', 1) - 1);
  const std::string delimiter = "--" + std::string(boundary);
  const auto start = body.find(delimiter);
  const auto content = start == std::string_view::npos ? start : body.find("\r\n\r\n", start);
  if (content == std::string_view::npos) return make_error(ErrorCode::invalid_argument, "the multipart body has no file part");
  const auto end = body.find("\r\n" + delimiter, content + 4);
  if (end == std::string_view::npos) return make_error(ErrorCode::invalid_argument, "the multipart body is truncated");
  return body.substr(content + 4, end - content - 4);
}

std::string configuration_password(const http::RequestContext& context) {
  return context.query_value("secretkey").value_or(context.query_value("password").value_or(""));
}

}  // namespace

void add_maintenance_routes(http::Router& router, DeviceServices services) {
  router.add(verb::put, "/ISAPI/System/reboot", security::Permission::maintenance,
             [services](http::RequestContext& context) -> Result<http::Reply> {
               services.maintenance->reboot(actor_of(context));
               return status_reply(context, ResponseStatus{});
             });

  router.add(verb::put, "/ISAPI/System/factoryReset", security::Permission::maintenance,
             [services](http::RequestContext& context) -> Result<http::Reply> {
               const auto mode = context.query.find("mode");
               if (mode == context.query.end() || (mode->second != "basic" && mode->second != "full"))
                 return make_error(ErrorCode::invalid_argument,
                                   "factoryReset needs ?mode=basic (Restore: keeps users, network ports and video "
                                   "standard) or ?mode=full (Default: resets everything)");
               auto reset = services.maintenance->factory_reset(
                   mode->second == "basic" ? core::RestoreMode::restore : core::RestoreMode::factory_default, actor_of(context));
               if (!reset) return reset.error();
               return status_reply(context, ResponseStatus{});
             });

  // The password travels in the query (?secretkey=...), as the web client's export dialog sends it.
  router.add(verb::get, "/ISAPI/System/configurationData", security::Permission::maintenance,
             [services](http::RequestContext& context) -> Result<http::Reply> {
               const auto password = configuration_password(context);
               if (password.empty())
                 return make_error(ErrorCode::invalid_argument,
                                   "give a password to encrypt the configuration file with: ?secretkey=<password>");
               auto file = services.maintenance->export_configuration(password, actor_of(context));
               if (!file) return file.error();
               http::Reply reply;
               reply.response.set(http::beast_http::field::content_type, "application/octet-stream");
               reply.response.set(http::beast_http::field::content_disposition, "attachment; filename=\"configurationData\"");
               reply.response.body() = std::move(*file);
               return reply;
             });

  router.add(verb::put, "/ISAPI/System/configurationData", security::Permission::maintenance,
             [services](http::RequestContext& context) -> Result<http::Reply> {
               auto file = uploaded_file(context);
               if (!file) return file.error();
               auto imported = services.maintenance->import_configuration(*file, configuration_password(context), actor_of(context));
               if (!imported) return imported.error();
               return status_reply(context, ResponseStatus{});
             });

  router.add(verb::put, "/ISAPI/System/updateFirmware", security::Permission::maintenance,
             [services](http::RequestContext& context) -> Result<http::Reply> {
               auto package = uploaded_file(context);
               if (!package) return package.error();
               auto upgraded = services.maintenance->upgrade(*package, actor_of(context));
               if (!upgraded) return upgraded.error();
               return status_reply(context, ResponseStatus{});
             });

  router.add(verb::get, "/ISAPI/System/upgradeStatus", security::Permission::maintenance,
             [services](http::RequestContext&) -> Result<http::Reply> {
               const auto status = services.maintenance->upgrade_status();
               pugi::xml_document doc;
               auto root = new_document(doc, "upgradeStatus");
               root.append_child("upgrading").text() = status.state == system::UpgradeStatus::State::verifying;
               root.append_child("percent").text() = status.percent;
               root.append_child("state").text() = system::to_string(status.state);
               root.append_child("message").text() = status.message.c_str();
               return xml_reply(doc);
             });
}

}  // namespace camrig::isapi
