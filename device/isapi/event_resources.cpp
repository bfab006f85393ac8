// /ISAPI/Event: the alertStream (multipart/mixed EventNotificationAlert push), HTTP hosts, the
// linkage of each event source (Event/triggers/<id>, ids "IO-1", "VMD-1", "diskfull", ...), its
// arming schedule (Event/schedules/<id>, same ids, TimeBlockList with dayOfWeek 1 = Monday) and the
// Delay of each alarm output (PUT System/IO/outputs/<id>). Rules live in device/events.
#include <map>

#include "device/events/alert_document.hpp"
#include "device/isapi/isapi.hpp"
#include "device/isapi/xml.hpp"

namespace camrig::isapi {
namespace {

using http::beast_http::verb;
using namespace std::chrono_literals;

Result<int> int_value(const std::string& text, const std::string& what) {
  if (const auto value = parse_int(text)) return *value;
  return make_error(ErrorCode::invalid_argument, what + " must be a whole number (got '" + text + "')");
}

// The notification methods of EventTriggerNotification, as Hikvision names them.
constexpr const char* k_center = "center";
constexpr const char* k_output = "IO";
constexpr const char* k_email = "email";
constexpr const char* k_upload = "FTP";
constexpr const char* k_record = "record";
constexpr const char* k_flashing_light = "whiteLight";
constexpr const char* k_audible_warning = "beep";

void append_notification(pugi::xml_node list, const std::string& id, const char* method) {
  auto notification = list.append_child("EventTriggerNotification");
  notification.append_child("id").text() = id.c_str();
  notification.append_child("notificationMethod").text() = method;
  notification.append_child("notificationRecurrence").text() = "beginning";
}

void append_trigger(pugi::xml_node trigger, const std::string& id, const events::SourceSettings& settings) {
  const auto dash = id.rfind('-');
  const auto type = dash == std::string::npos ? id : id.substr(0, dash);
  trigger.append_child("id").text() = id.c_str();
  trigger.append_child("eventType").text() = type.c_str();
  trigger.append_child("eventDescription").text() = (type + " Event trigger Information").c_str();
  if (type == "IO") trigger.append_child("inputIOPortID").text() = id.substr(dash + 1).c_str();
  else if (dash != std::string::npos) trigger.append_child("videoInputChannelID").text() = id.substr(dash + 1).c_str();
  trigger.append_child("enabled").text() = settings.enabled;
  if (!settings.name.empty()) trigger.append_child("name").text() = settings.name.c_str();
  if (type == "IO")
    trigger.append_child("alarmType").text() = settings.sensor == events::SensorType::normally_open ? "NO" : "NC";
  trigger.append_child("eventInterval").text() = static_cast<int>(settings.event_interval.count());
  trigger.append_child("postAlarmTime").text() = static_cast<int>(settings.post_alarm.count());
  auto list = trigger.append_child("EventTriggerNotificationList");
  const auto& linkage = settings.linkage;
  if (linkage.notify_center) append_notification(list, k_center, k_center);
  for (const int output : linkage.alarm_outputs) {
    auto notification = list.append_child("EventTriggerNotification");
    notification.append_child("id").text() = ("IO-" + std::to_string(output)).c_str();
    notification.append_child("notificationMethod").text() = k_output;
    notification.append_child("outputIOPortID").text() = output;
    notification.append_child("notificationRecurrence").text() = "beginning";
  }
  if (linkage.send_email) append_notification(list, k_email, k_email);
  if (linkage.upload) append_notification(list, k_upload, k_upload);
  if (linkage.record) append_notification(list, "record-1", k_record);
  if (linkage.flashing_light) append_notification(list, k_flashing_light, k_flashing_light);
  if (linkage.audible_warning) append_notification(list, k_audible_warning, k_audible_warning);
}

// Fields present in the document change; absent ones keep their value. A notification list, when
// present, replaces the whole linkage.
Result<events::SourceSettings> read_trigger(pugi::xml_node trigger, events::SourceSettings settings) {
  if (auto text = text_at(trigger, {"enabled"})) {
    auto value = element_bool(*text, "enabled");
    if (!value) return value.error();
    settings.enabled = *value;
  }
  if (auto text = text_at(trigger, {"name"})) settings.name = *text;
  if (auto text = text_at(trigger, {"alarmType"})) {
    if (*text == "NO") settings.sensor = events::SensorType::normally_open;
    else if (*text == "NC") settings.sensor = events::SensorType::normally_closed;
    else return make_error(ErrorCode::out_of_range, "alarmType must be NO or NC (got '" + *text + "')");
  }
  if (auto text = text_at(trigger, {"eventInterval"})) {
    auto value = int_value(*text, "eventInterval");
    if (!value) return value.error();
    settings.event_interval = std::chrono::seconds(*value);
  }
  if (auto text = text_at(trigger, {"postAlarmTime"})) {
    auto value = int_value(*text, "postAlarmTime");
    if (!value) return value.error();
    settings.post_alarm = std::chrono::seconds(*value);
  }
  if (auto list = child(trigger, "EventTriggerNotificationList")) {
    events::Linkage linkage;
    for (auto item = list.first_child(); item; item = item.next_sibling()) {
      if (item.type() != pugi::node_element || local_name(item) != "EventTriggerNotification") continue;
      const auto method = text_at(item, {"notificationMethod"}).value_or("");
      if (method == k_center) linkage.notify_center = true;
      else if (method == k_email) linkage.send_email = true;
      else if (method == k_upload) linkage.upload = true;
      else if (method == k_record) linkage.record = true;
      else if (method == k_flashing_light) linkage.flashing_light = true;
      else if (method == k_audible_warning) linkage.audible_warning = true;
      else if (method == k_output) {
        const auto port = text_at(item, {"outputIOPortID"});
        if (!port) return make_error(ErrorCode::invalid_argument, "an IO notification needs <outputIOPortID>");
        auto output = int_value(*port, "outputIOPortID");
        if (!output) return output.error();
        linkage.alarm_outputs.push_back(*output);
      } else {
        return make_error(ErrorCode::out_of_range, "notificationMethod '" + method +
                                                       "' is not one of center, IO, email, FTP, record, whiteLight, beep");
      }
    }
    settings.linkage = std::move(linkage);
  }
  return settings;
}

void append_schedule(pugi::xml_node schedule, const std::string& id, const events::ArmingSchedule& arming) {
  schedule.append_child("id").text() = id.c_str();
  schedule.append_child("eventType").text() = id.substr(0, id.rfind('-')).c_str();
  auto list = schedule.append_child("TimeBlockList");
  for (int day = 0; day < 7; ++day)
    for (const auto& period : arming.days()[static_cast<std::size_t>(day)]) {
      auto block = list.append_child("TimeBlock");
      block.append_child("dayOfWeek").text() = day + 1;
      auto range = block.append_child("TimeRange");
      range.append_child("beginTime").text() = events::format_time_of_day(period.start_minute).c_str();
      range.append_child("endTime").text() = events::format_time_of_day(period.end_minute).c_str();
    }
}

Result<events::ArmingSchedule> read_schedule(pugi::xml_node schedule, const events::EventEngine& engine) {
  std::array<std::vector<events::TimePeriod>, 7> days;
  auto list = child(schedule, "TimeBlockList");
  if (!list) return make_error(ErrorCode::invalid_argument, "a Schedule needs a <TimeBlockList> (empty: never armed)");
  for (auto block = list.first_child(); block; block = block.next_sibling()) {
    if (block.type() != pugi::node_element || local_name(block) != "TimeBlock") continue;
    auto day = int_value(text_at(block, {"dayOfWeek"}).value_or(""), "dayOfWeek");
    if (!day) return day.error();
    if (*day < 1 || *day > 7) return make_error(ErrorCode::out_of_range, "dayOfWeek must be 1 (Monday) to 7 (Sunday)");
    auto begin = events::parse_time_of_day(text_at(block, {"TimeRange", "beginTime"}).value_or(""));
    if (!begin) return begin.error();
    auto end = events::parse_time_of_day(text_at(block, {"TimeRange", "endTime"}).value_or(""));
    if (!end) return end.error();
    days[static_cast<std::size_t>(*day - 1)].push_back({*begin, *end});
  }
  return engine.make_schedule(std::move(days));
}

void append_host(pugi::xml_node host, const events::HttpHostSettings& settings) {
  host.append_child("id").text() = settings.id;
  host.append_child("url").text() = settings.url.c_str();
  host.append_child("protocolType").text() = settings.protocol == events::HostProtocol::https ? "HTTPS" : "HTTP";
  host.append_child("parameterFormatType").text() = settings.format == events::AlertFormat::json ? "JSON" : "XML";
  const bool is_name = settings.address.find_first_not_of("0123456789.:") != std::string::npos;
  host.append_child("addressingFormatType").text() = is_name ? "hostname" : "ipaddress";
  if (is_name) host.append_child("hostName").text() = settings.address.c_str();
  else host.append_child("ipAddress").text() = settings.address.empty() ? "0.0.0.0" : settings.address.c_str();
  host.append_child("portNo").text() = settings.port;
  host.append_child("httpAuthenticationMethod").text() = "none";
}

Result<events::HttpHostSettings> read_host(pugi::xml_node host, events::HttpHostSettings settings) {
  if (auto text = text_at(host, {"url"})) settings.url = *text;
  if (auto text = text_at(host, {"protocolType"})) {
    if (*text == "HTTP") settings.protocol = events::HostProtocol::http;
    else if (*text == "HTTPS") settings.protocol = events::HostProtocol::https;
    else return make_error(ErrorCode::out_of_range, "protocolType must be HTTP or HTTPS (got '" + *text + "')");
  }
  if (auto text = text_at(host, {"parameterFormatType"})) {
    if (*text == "XML") settings.format = events::AlertFormat::xml;
    else if (*text == "JSON") settings.format = events::AlertFormat::json;
    else return make_error(ErrorCode::out_of_range, "parameterFormatType must be XML or JSON (got '" + *text + "')");
  }
  const auto addressing = text_at(host, {"addressingFormatType"}).value_or("ipaddress");
  if (auto text = text_at(host, {addressing == "hostname" ? "hostName" : "ipAddress"}))
    settings.address = *text == "0.0.0.0" ? std::string() : *text;
  if (auto text = text_at(host, {"portNo"})) {
    auto port = int_value(*text, "portNo");
    if (!port) return port.error();
    if (*port < 1 || *port > 65535) return make_error(ErrorCode::out_of_range, "portNo must be 1 to 65535");
    settings.port = static_cast<std::uint16_t>(*port);
  }
  return settings;
}

Result<http::Reply> put_hosts(const DeviceServices& services, http::RequestContext& context, pugi::xml_node root,
                              bool single) {
  auto current = services.events->http_hosts().settings();
  std::vector<events::HttpHostSettings> changed;
  auto read_one = [&](pugi::xml_node node, int id) -> Result<void> {
    if (id < 1 || id > events::k_max_http_hosts)
      return make_error(ErrorCode::not_found, "no HTTP host " + std::to_string(id) + " (ids 1 to " +
                                                  std::to_string(events::k_max_http_hosts) + ")");
    auto host = read_host(node, current[static_cast<std::size_t>(id - 1)]);
    if (!host) return host.error();
    changed.push_back(*host);
    return {};
  };
  if (single) {
    auto id = int_value(context.path_parameters.at("id"), "the host id");
    if (!id) return id.error();
    if (auto read = read_one(root, *id); !read) return read.error();
  } else {
    for (auto node = root.first_child(); node; node = node.next_sibling()) {
      if (node.type() != pugi::node_element || local_name(node) != "HttpHostNotification") continue;
      auto id = int_value(text_at(node, {"id"}).value_or(""), "HttpHostNotification id");
      if (!id) return id.error();
      if (auto read = read_one(node, *id); !read) return read.error();
    }
  }
  if (auto applied = services.events->configure_http_hosts(std::move(changed)); !applied) return applied.error();
  return status_reply(context, ResponseStatus{});
}

}  // namespace

void add_event_routes(http::Router& router, DeviceServices services) {
  if (!services.events) return;

  // A long-lived push: the response header now, then one part per alert until the client goes.
  router.add(verb::get, "/ISAPI/Event/notification/alertStream", security::Permission::live_view,
             [services](http::RequestContext&) -> Result<http::Reply> {
               http::Reply reply;
               reply.response.result(http::beast_http::status::ok);
               reply.response.set(http::beast_http::field::content_type, events::k_alert_stream_content_type);
               reply.response.set(http::beast_http::field::connection, "keep-alive");
               reply.stream = std::make_shared<http::ResponseStream>(16);
               services.events->alert_streams().open(reply.stream);
               return reply;
             });

  router.add(verb::get, "/ISAPI/Event/notification/httpHosts", security::Permission::parameter_settings,
             [services](http::RequestContext&) -> Result<http::Reply> {
               pugi::xml_document doc;
               auto list = new_document(doc, "HttpHostNotificationList");
               for (const auto& host : services.events->http_hosts().settings())
                 append_host(list.append_child("HttpHostNotification"), host);
               return xml_reply(doc);
             });
  router.add(verb::put, "/ISAPI/Event/notification/httpHosts", security::Permission::parameter_settings,
             [services](http::RequestContext& context) -> Result<http::Reply> {
               pugi::xml_document doc;
               auto parsed = parse_body(doc, context, "HttpHostNotificationList");
               if (auto* refused = std::get_if<ResponseStatus>(&parsed)) return status_reply(context, *refused);
               return put_hosts(services, context, std::get<pugi::xml_node>(parsed), false);
             });
  router.add(verb::get, "/ISAPI/Event/notification/httpHosts/capabilities", security::Permission::parameter_settings,
             [](http::RequestContext&) -> Result<http::Reply> {
               pugi::xml_document doc;
               auto caps = new_document(doc, "HttpHostNotificationCap");
               caps.append_child("hostNumber").text() = events::k_max_http_hosts;
               caps.append_child("urlLen").append_attribute("max") = 128;
               caps.append_child("protocolType").append_attribute("opt") = "HTTP,HTTPS";
               caps.append_child("parameterFormatType").append_attribute("opt") = "XML,JSON";
               caps.append_child("addressingFormatType").append_attribute("opt") = "ipaddress,hostname";
               caps.append_child("httpAuthenticationMethod").append_attribute("opt") = "none";
               return xml_reply(doc);
             });
  router.add(verb::get, "/ISAPI/Event/notification/httpHosts/{id}", security::Permission::parameter_settings,
             [services](http::RequestContext& context) -> Result<http::Reply> {
               auto id = int_value(context.path_parameters.at("id"), "the host id");
               if (!id) return id.error();
               const auto hosts = services.events->http_hosts().settings();
               if (*id < 1 || *id > static_cast<int>(hosts.size()))
                 return make_error(ErrorCode::not_found, "no HTTP host " + context.path_parameters.at("id"));
               pugi::xml_document doc;
               append_host(new_document(doc, "HttpHostNotification"), hosts[static_cast<std::size_t>(*id - 1)]);
               return xml_reply(doc);
             });
  router.add(verb::put, "/ISAPI/Event/notification/httpHosts/{id}", security::Permission::parameter_settings,
             [services](http::RequestContext& context) -> Result<http::Reply> {
               pugi::xml_document doc;
               auto parsed = parse_body(doc, context, "HttpHostNotification");
               if (auto* refused = std::get_if<ResponseStatus>(&parsed)) return status_reply(context, *refused);
               return put_hosts(services, context, std::get<pugi::xml_node>(parsed), true);
             });

  router.add(verb::get, "/ISAPI/Event/triggers", security::Permission::parameter_settings,
             [services](http::RequestContext&) -> Result<http::Reply> {
               pugi::xml_document doc;
               auto list = new_document(doc, "EventTriggerList");
               auto& engine = services.events->engine();
               for (const auto& id : engine.source_ids())
                 if (auto settings = engine.settings(id)) append_trigger(list.append_child("EventTrigger"), id, *settings);
               return xml_reply(doc);
             });
  router.add(verb::get, "/ISAPI/Event/triggers/{id}", security::Permission::parameter_settings,
             [services](http::RequestContext& context) -> Result<http::Reply> {
               const auto& id = context.path_parameters.at("id");
               auto settings = services.events->engine().settings(id);
               if (!settings) return settings.error();
               pugi::xml_document doc;
               append_trigger(new_document(doc, "EventTrigger"), id, *settings);
               return xml_reply(doc);
             });
  router.add(verb::put, "/ISAPI/Event/triggers/{id}", security::Permission::parameter_settings,
             [services](http::RequestContext& context) -> Result<http::Reply> {
               const auto& id = context.path_parameters.at("id");
               auto& engine = services.events->engine();
               auto current = engine.settings(id);
               if (!current) return current.error();
               pugi::xml_document doc;
               auto parsed = parse_body(doc, context, "EventTrigger");
               if (auto* refused = std::get_if<ResponseStatus>(&parsed)) return status_reply(context, *refused);
               auto settings = read_trigger(std::get<pugi::xml_node>(parsed), *current);
               if (!settings) return settings.error();
               if (auto applied = services.events->configure_source(id, std::move(*settings)); !applied) return applied.error();
               return status_reply(context, ResponseStatus{});
             });

  router.add(verb::get, "/ISAPI/Event/schedules/{id}", security::Permission::parameter_settings,
             [services](http::RequestContext& context) -> Result<http::Reply> {
               const auto& id = context.path_parameters.at("id");
               auto settings = services.events->engine().settings(id);
               if (!settings) return settings.error();
               pugi::xml_document doc;
               append_schedule(new_document(doc, "Schedule"), id, settings->schedule);
               return xml_reply(doc);
             });
  router.add(verb::put, "/ISAPI/Event/schedules/{id}", security::Permission::parameter_settings,
             [services](http::RequestContext& context) -> Result<http::Reply> {
               const auto& id = context.path_parameters.at("id");
               auto& engine = services.events->engine();
               auto settings = engine.settings(id);
               if (!settings) return settings.error();
               pugi::xml_document doc;
               auto parsed = parse_body(doc, context, "Schedule");
               if (auto* refused = std::get_if<ResponseStatus>(&parsed)) return status_reply(context, *refused);
               auto schedule = read_schedule(std::get<pugi::xml_node>(parsed), engine);
               if (!schedule) return schedule.error();
               settings->schedule = std::move(*schedule);
               if (auto applied = services.events->configure_source(id, std::move(*settings)); !applied) return applied.error();
               return status_reply(context, ResponseStatus{});
             });

  // The output's name and Delay: PowerOnState outputState "pulse" with pulseDuration (ms) for an
  // automatic alarm, "high" for Delay "Manual" (on until cleared).
  router.add(verb::put, "/ISAPI/System/IO/outputs/{id}", security::Permission::parameter_settings,
             [services](http::RequestContext& context) -> Result<http::Reply> {
               auto id = int_value(context.path_parameters.at("id"), "the output id");
               if (!id) return id.error();
               auto& outputs = services.events->engine().outputs();
               auto settings = outputs.settings(*id);
               if (!settings) return settings.error();
               pugi::xml_document doc;
               auto parsed = parse_body(doc, context, "IOOutputPort");
               if (auto* refused = std::get_if<ResponseStatus>(&parsed)) return status_reply(context, *refused);
               const auto port = std::get<pugi::xml_node>(parsed);
               if (auto name = text_at(port, {"outputName"})) settings->name = *name;
               const auto state = text_at(port, {"PowerOnState", "outputState"});
               if (state && *state == "high") {
                 settings->delay.reset();
               } else if (auto duration = text_at(port, {"PowerOnState", "pulseDuration"})) {
                 auto milliseconds = int_value(*duration, "pulseDuration");
                 if (!milliseconds) return milliseconds.error();
                 if (*milliseconds % 1000 != 0)
                   return make_error(ErrorCode::out_of_range, "pulseDuration is in whole seconds (ms multiple of 1000)");
                 settings->delay = std::chrono::seconds(*milliseconds / 1000);
               }
               if (auto applied = services.events->configure_output(*id, std::move(*settings)); !applied) return applied.error();
               return status_reply(context, ResponseStatus{});
             });
}

}  // namespace camrig::isapi
