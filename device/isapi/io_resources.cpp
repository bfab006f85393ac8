// /ISAPI/System/IO: the alarm input terminals (IOInputPort, their level now as IOPortStatus) and
// the alarm output relays (IOOutputPort), which a client can drive high or low by hand.
// Ports are numbered from 1 as the manuals label them (IN1, NO1); the HAL counts from 0.
#include "device/isapi/isapi.hpp"
#include "device/isapi/operation_log.hpp"
#include "device/isapi/xml.hpp"

namespace camrig::isapi {
namespace {

using http::beast_http::verb;

Result<int> port_index(const std::string& id_text, int count, const char* what) {
  const int id = parse_int(id_text).value_or(0);
  if (id < 1 || id > count)
    return make_error(ErrorCode::not_found, std::string("no ") + what + " " + id_text + " (the device has " +
                                                std::to_string(count) + ", numbered from 1)");
  return id - 1;
}

void input_fields(pugi::xml_node port, int index) {
  port.append_child("id").text() = index + 1;
  port.append_child("inputName").text() = ("Alarm Input " + std::to_string(index + 1)).c_str();
  // Normally open: an alarm is a closed contact (ISAPI "high"); NO/NC per input belongs to events.
  port.append_child("triggering").text() = "high";
}

// Names and Delay belong to the event engine's alarm outputs when the device has one.
void output_fields(pugi::xml_node port, int index, const DeviceServices& services) {
  std::string name = "Alarm Output " + std::to_string(index + 1);
  if (services.events)
    if (auto settings = services.events->engine().outputs().settings(index + 1); settings && !settings->name.empty())
      name = settings->name;
  port.append_child("id").text() = index + 1;
  port.append_child("outputName").text() = name.c_str();
  port.append_child("PowerOnState").append_child("defaultState").text() = "low";
}

http::Reply single_input(int index) {
  pugi::xml_document doc;
  input_fields(new_document(doc, "IOInputPort"), index);
  return xml_reply(doc);
}

http::Reply status(const char* type, int index, bool active) {
  pugi::xml_document doc;
  auto root = new_document(doc, "IOPortStatus");
  root.append_child("ioPortID").text() = index + 1;
  root.append_child("ioPortType").text() = type;
  root.append_child("ioState").text() = active ? "active" : "inactive";
  return xml_reply(doc);
}

}  // namespace

void add_io_routes(http::Router& router, DeviceServices services) {
  if (services.inputs) {
    router.add(verb::get, "/ISAPI/System/IO/inputs", security::Permission::parameter_settings,
               [services](http::RequestContext&) -> Result<http::Reply> {
                 pugi::xml_document doc;
                 auto list = new_document(doc, "IOInputPortList");
                 for (int i = 0; i < services.inputs->count(); ++i) input_fields(list.append_child("IOInputPort"), i);
                 return xml_reply(doc);
               });
    router.add(verb::get, "/ISAPI/System/IO/inputs/{id}", security::Permission::parameter_settings,
               [services](http::RequestContext& context) -> Result<http::Reply> {
                 auto index = port_index(context.path_parameters.at("id"), services.inputs->count(), "alarm input");
                 if (!index) return index.error();
                 return single_input(*index);
               });
    router.add(verb::get, "/ISAPI/System/IO/inputs/{id}/status", security::Permission::parameter_settings,
               [services](http::RequestContext& context) -> Result<http::Reply> {
                 auto index = port_index(context.path_parameters.at("id"), services.inputs->count(), "alarm input");
                 if (!index) return index.error();
                 return status("input", *index, services.inputs->closed(*index));
               });
  }
  if (services.relays) {
    router.add(verb::get, "/ISAPI/System/IO/outputs", security::Permission::parameter_settings,
               [services](http::RequestContext&) -> Result<http::Reply> {
                 pugi::xml_document doc;
                 auto list = new_document(doc, "IOOutputPortList");
                 for (int i = 0; i < services.relays->count(); ++i) output_fields(list.append_child("IOOutputPort"), i, services);
                 return xml_reply(doc);
               });
    router.add(verb::get, "/ISAPI/System/IO/outputs/{id}", security::Permission::parameter_settings,
               [services](http::RequestContext& context) -> Result<http::Reply> {
                 auto index = port_index(context.path_parameters.at("id"), services.relays->count(), "alarm output");
                 if (!index) return index.error();
                 pugi::xml_document doc;
                 output_fields(new_document(doc, "IOOutputPort"), *index, services);
                 return xml_reply(doc);
               });
    router.add(verb::get, "/ISAPI/System/IO/outputs/{id}/status", security::Permission::parameter_settings,
               [services](http::RequestContext& context) -> Result<http::Reply> {
                 auto index = port_index(context.path_parameters.at("id"), services.relays->count(), "alarm output");
                 if (!index) return index.error();
                 return status("output", *index, services.relays->closed(*index));
               });
    router.add(verb::put, "/ISAPI/System/IO/outputs/{id}/trigger", security::Permission::parameter_settings,
               [services](http::RequestContext& context) -> Result<http::Reply> {
                 auto index = port_index(context.path_parameters.at("id"), services.relays->count(), "alarm output");
                 if (!index) return index.error();
                 pugi::xml_document doc;
                 auto parsed = parse_body(doc, context, "IOPortData");
                 if (auto* refused = std::get_if<ResponseStatus>(&parsed)) return status_reply(context, *refused);
                 const auto state = text_at(std::get<pugi::xml_node>(parsed), {"outputState"});
                 if (!state || (*state != "high" && *state != "low"))
                   return make_error(ErrorCode::invalid_argument, "IOPortData needs <outputState> high or low");
                 // Through the event engine when there is one, as its Manual Alarm, so linkage and
                 // Delay keep holding the relay consistently; otherwise straight to the relay.
                 const bool high = *state == "high";
                 auto set = services.events ? services.events->engine().outputs().set_manual(*index + 1, high)
                                            : services.relays->set(*index, high);
                 if (!set) return set.error();
                 log_operation(services.system_log, context, "Remote: Manual Alarm Output",
                               "alarm output " + std::to_string(*index + 1) + " set " + *state);
                 return status_reply(context, ResponseStatus{});
               });
  }
}

}  // namespace camrig::isapi
