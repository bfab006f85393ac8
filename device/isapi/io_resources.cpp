// /ISAPI/System/IO: the alarm input terminals (IOInputPort, their level now as IOPortStatus) and
// the alarm output relays (IOOutputPort), which a client can drive high or low by hand.
// Ports are numbered from 1 as the manuals label them (IN1, NO1); the HAL counts from 0.
// /ISAPI/System/Serial/ports: the RS-485 terminal's line settings (SerialPort), stored as
// serial.<id>.*; the camera applies them to the port.
#include "device/isapi/isapi.hpp"
#include "device/isapi/operation_log.hpp"
#include "device/isapi/xml.hpp"
#include "device/system/serial_ports.hpp"

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

// ---- serial ports ----

Result<system::SerialPortDescription> serial_port(const DeviceServices& services, const std::string& id_text) {
  const auto ports = system::serial_ports_of(*services.profile);
  if (ports.empty()) return make_error(ErrorCode::not_found, "this device has no serial port");
  const auto id = parse_int(id_text);
  for (const auto& port : ports)
    if (id && port.id == *id) return port;
  return make_error(ErrorCode::not_found, "no serial port " + id_text + " (the device has " +
                                              std::to_string(ports.size()) + ", numbered from 1)");
}

void serial_fields(pugi::xml_node node, const system::SerialPortDescription& port, const core::ConfigService& config) {
  node.append_child("id").text() = port.id;
  node.append_child("serialPortType").text() = port.type.c_str();
  node.append_child("baudRate").text() = config.get_string(system::serial_key(port.id, "baud_rate")).c_str();
  node.append_child("dataBits").text() = config.get_int(system::serial_key(port.id, "data_bits"));
  node.append_child("parityType").text() = config.get_string(system::serial_key(port.id, "parity")).c_str();
  node.append_child("stopBits").text() = config.get_int(system::serial_key(port.id, "stop_bits"));
  node.append_child("flowCtrl").text() = config.get_string(system::serial_key(port.id, "flow_control")).c_str();
  node.append_child("workMode").text() = config.get_string(system::serial_key(port.id, "work_mode")).c_str();
}

// Fields left out keep their value; the config service checks each against the schema's list or range.
Result<void> apply_serial_document(const DeviceServices& services, int id, pugi::xml_node root) {
  std::vector<core::ConfigService::Change> changes;
  for (const auto& [element, field] : {std::pair{"baudRate", "baud_rate"}, std::pair{"parityType", "parity"},
                                       std::pair{"flowCtrl", "flow_control"}, std::pair{"workMode", "work_mode"}})
    if (const auto text = text_at(root, {element})) changes.emplace_back(system::serial_key(id, field), *text);
  for (const auto& [element, field] : {std::pair{"dataBits", "data_bits"}, std::pair{"stopBits", "stop_bits"}}) {
    const auto text = text_at(root, {element});
    if (!text) continue;
    const auto value = parse_integer(*text);
    if (!value)
      return make_error(ErrorCode::invalid_argument,
                        "<" + std::string(element) + "> must be a whole number (got '" + *text + "')");
    changes.emplace_back(system::serial_key(id, field), *value);
  }
  if (changes.empty()) return {};
  return services.config->apply(changes);
}

void add_serial_routes(http::Router& router, const DeviceServices& services) {
  router.add(verb::get, "/ISAPI/System/Serial/ports", security::Permission::parameter_settings,
             [services](http::RequestContext&) -> Result<http::Reply> {
               const auto ports = system::serial_ports_of(*services.profile);
               if (ports.empty()) return make_error(ErrorCode::not_found, "this device has no serial port");
               pugi::xml_document doc;
               auto list = new_document(doc, "SerialPortList");
               for (const auto& port : ports) serial_fields(list.append_child("SerialPort"), port, *services.config);
               return xml_reply(doc);
             });
  router.add(verb::get, "/ISAPI/System/Serial/ports/{id}", security::Permission::parameter_settings,
             [services](http::RequestContext& context) -> Result<http::Reply> {
               auto port = serial_port(services, context.path_parameters.at("id"));
               if (!port) return port.error();
               pugi::xml_document doc;
               serial_fields(new_document(doc, "SerialPort"), *port, *services.config);
               return xml_reply(doc);
             });
  router.add(verb::put, "/ISAPI/System/Serial/ports/{id}", security::Permission::parameter_settings,
             [services](http::RequestContext& context) -> Result<http::Reply> {
               auto port = serial_port(services, context.path_parameters.at("id"));
               if (!port) return port.error();
               pugi::xml_document doc;
               auto parsed = parse_body(doc, context, "SerialPort");
               if (auto* refused = std::get_if<ResponseStatus>(&parsed)) return status_reply(context, *refused);
               const auto root = std::get<pugi::xml_node>(parsed);
               if (const auto id = text_at(root, {"id"}); id && parse_int(*id) != port->id)
                 return make_error(ErrorCode::invalid_argument,
                                   "<id> " + *id + " does not match serial port " + std::to_string(port->id) + " of the URL");
               if (auto applied = apply_serial_document(services, port->id, root); !applied) return applied.error();
               return status_reply(context, ResponseStatus{});
             });
}

}  // namespace

void add_io_routes(http::Router& router, DeviceServices services) {
  add_serial_routes(router, services);
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
