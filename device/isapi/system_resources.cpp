// /ISAPI/System: activation (ActivateInfo) and device information (DeviceInfo) from the profile.
#include <nlohmann/json.hpp>

#include "device/isapi/isapi.hpp"
#include "device/isapi/xml.hpp"

namespace camrig::isapi {

using http::beast_http::verb;

void add_system_routes(http::Router& router, DeviceServices services) {
  // Clients that first fetch an RSA challenge send the password encrypted; this device takes
  // the plain <password> of ActivateInfo.
  router.add(verb::put, "/ISAPI/System/activate", std::nullopt, [services](http::RequestContext& context) -> Result<http::Reply> {
    pugi::xml_document doc;
    auto parsed = parse_body(doc, context, "ActivateInfo");
    if (auto* refused = std::get_if<ResponseStatus>(&parsed)) return status_reply(context, *refused);
    const auto password = text_at(std::get<pugi::xml_node>(parsed), {"password"});
    if (!password) return make_error(ErrorCode::invalid_argument, "ActivateInfo needs a <password>");
    if (auto activated = services.accounts->activate(*password); !activated) return activated.error();
    return status_reply(context, ResponseStatus{});
  });

  router.add(verb::get, "/ISAPI/System/deviceInfo", security::Permission::view_information,
             [services](http::RequestContext& context) -> Result<http::Reply> {
               const auto& device = services.profile->device;
               const std::string name = services.config->get_string("device.name");
               const std::pair<const char*, std::string> fields[] = {
                   {"deviceName", name},
                   {"deviceID", device.serial_number},
                   {"model", device.model},
                   {"serialNumber", device.serial_number},
                   {"macAddress", device.mac_address},
                   {"firmwareVersion", device.firmware_version},
                   {"hardwareVersion", device.hardware_version},
                   {"deviceType", device.device_type},
                   {"manufacturer", device.manufacturer},
               };
               if (auto format = context.query.find("format"); format != context.query.end() && format->second == "json") {
                 nlohmann::json info;
                 for (const auto& [key, value] : fields) info[key] = value;
                 info["activated"] = services.accounts->activated();
                 http::Reply reply;
                 reply.response.set(http::beast_http::field::content_type, "application/json; charset=\"UTF-8\"");
                 reply.response.body() = nlohmann::json{{"DeviceInfo", info}}.dump(1);
                 return reply;
               }
               pugi::xml_document doc;
               auto root = new_document(doc, "DeviceInfo");
               for (const auto& [key, value] : fields) root.append_child(key).text() = value.c_str();
               root.append_child("activated").text() = services.accounts->activated();
               return xml_reply(doc);
             });
}

}  // namespace camrig::isapi
