// ISAPI resources of the LPR camera's LPRAPI push and Wiegand output: settings documents over the
// config service (`lprapi.*`, `wiegand.*`) and the push's delivery state. Paths and elements in
// device/traffic/lprapi.md.
#include "device/isapi/isapi.hpp"
#include "device/isapi/settings_resource.hpp"
#include "device/isapi/xml.hpp"
#include "device/traffic/lprapi_service.hpp"

namespace camrig::isapi {
namespace {

using http::beast_http::verb;

const std::vector<SettingsField> k_lprapi_fields = {
    {"", "enabled", "lprapi.enabled"},
    {"Basic", "protocolVersion", "lprapi.protocol_version"},
    {"Basic", "platformServer", "lprapi.server"},
    {"Basic", "deviceID", "lprapi.device_id"},
    {"Basic", "keepAliveInterval", "lprapi.keep_alive_interval"},
    {"Basic", "maxKeepAliveRequest", "lprapi.max_keep_alive_requests"},
    {"Basic", "heartbeatInterface", "lprapi.heartbeat_path"},
    {"Basic", "vehicleInterface", "lprapi.event_path"},
    {"Basic", "uploadPicture", "lprapi.upload_picture"},
    {"Basic", "requestTimeout", "lprapi.request_timeout"},
    {"Authentication", "enabled", "lprapi.authentication"},
    {"Authentication", "userName", "lprapi.username"},
    {"Authentication", "password", "lprapi.password", true},
    {"DataType", "deviceBasicInfo", "lprapi.data.device_info"},
    {"DataType", "lprInfo", "lprapi.data.lpr_info"},
    {"DataType", "barrierInfo", "lprapi.data.barrier_info"},
    {"UploadingInfo", "plateNo", "lprapi.info.plate"},
    {"UploadingInfo", "lprDirection", "lprapi.info.direction"},
    {"UploadingInfo", "time", "lprapi.info.time"},
    {"UploadingInfo", "location", "lprapi.info.location"},
    {"UploadingInfo", "locationText", "lprapi.location"},
    {"UploadingInfo", "accuracy", "lprapi.info.accuracy"},
    {"UploadingInfo", "vehicleInBlocklist", "lprapi.info.blocklist"},
    {"ImageConfig", "filterUnlicensedVehicle", "lprapi.filter.unlicensed"},
    {"ImageConfig", "originalImage", "lprapi.image.original"},
    {"ImageConfig", "plateCutout", "lprapi.image.plate_cutout"},
    {"ImageConfig", "vehicleBodyCutout", "lprapi.image.vehicle_cutout"},
};

const std::vector<SettingsField> k_wiegand_fields = {
    {"", "enabled", "wiegand.enabled"},
    {"", "format", "wiegand.format"},
    {"", "cardNumberSource", "wiegand.card_source"},
    {"", "facilityCode", "wiegand.facility_code"},
};

}  // namespace

void add_lprapi_routes(http::Router& router, DeviceServices services) {
  // An address the push cannot use is refused here, not found later in the log.
  add_settings_resource(router, services, "/ISAPI/System/Network/LPRAPI", "LPRAPI", k_lprapi_fields, {},
                        [](pugi::xml_node root) -> Result<void> {
                          if (auto server = text_at(root, {"Basic", "platformServer"}))
                            if (auto parsed = traffic::parse_platform_server(*server); !parsed)
                              return make_error(parsed.error().code, "<platformServer>: " + parsed.error().message);
                          return {};
                        });
  if (services.lprapi) {
    auto* push = services.lprapi;
    router.add(verb::get, "/ISAPI/System/Network/LPRAPI/status", security::Permission::view_information,
               [push](http::RequestContext&) -> Result<http::Reply> {
                 const auto stats = push->stats();
                 pugi::xml_document doc;
                 auto root = new_document(doc, "LPRAPIStatus");
                 root.append_child("connected").text() = stats.connected;
                 root.append_child("queuedMessages").text() = static_cast<unsigned long long>(stats.queued);
                 root.append_child("deliveredMessages").text() = static_cast<unsigned long long>(stats.delivered);
                 root.append_child("refusedMessages").text() = static_cast<unsigned long long>(stats.refused);
                 root.append_child("droppedMessages").text() = static_cast<unsigned long long>(stats.dropped);
                 root.append_child("failedAttempts").text() = static_cast<unsigned long long>(stats.failed_attempts);
                 root.append_child("heartbeats").text() = static_cast<unsigned long long>(stats.heartbeats);
                 root.append_child("missedHeartbeats").text() = stats.missed_heartbeats;
                 root.append_child("lastError").text() = stats.last_error.c_str();
                 return xml_reply(doc);
               });
  }
  add_settings_resource(router, services, "/ISAPI/System/Wiegand/1", "Wiegand", k_wiegand_fields);
}

}  // namespace camrig::isapi
