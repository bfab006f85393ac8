// /ISAPI/Traffic resources of the LPR camera's vehicle service: the Snapshot Setting (capture mode,
// loops), Barrier Control and the blocklist alarm as settings documents over the config service,
// the manual barrier commands, and the recent vehicles for pull clients (vehicleDetect/plates).
// Paths and elements in device/traffic/README.md.
#include "device/core/wall_time_format.hpp"
#include "device/isapi/isapi.hpp"
#include "device/isapi/settings_resource.hpp"
#include "device/isapi/xml.hpp"
#include "device/traffic/lpr_service.hpp"

namespace camrig::isapi {
namespace {

using http::beast_http::verb;

const std::vector<SettingsField> k_snapshot_fields = {
    {"", "captureMode", "traffic.capture.mode"},
    {"", "snapshotQuantity", "traffic.capture.snapshot_quantity"},
    {"", "drivingDirection", "traffic.capture.direction"},
    {"", "samePlateDelay", "traffic.capture.same_plate_delay"},
    {"", "backingAndLeaving", "traffic.capture.backing_leaving"},
    {"LoopMode", "plan", "traffic.capture.loop_plan"},
    {"LoopMode", "loop1Trigger", "traffic.capture.loop1_trigger"},
    {"LoopMode", "loop2Trigger", "traffic.capture.loop2_trigger"},
    {"LoopMode", "loop1AlarmInput", "traffic.capture.loop1_input"},
    {"LoopMode", "loop2AlarmInput", "traffic.capture.loop2_input"},
    {"LoopMode", "loopDistance", "traffic.capture.loop_distance"},
    {"LoopMode", "maxVehiclePassTime", "traffic.capture.max_pass_time"},
};

const std::vector<SettingsField> k_barrier_fields = {
    {"", "enabled", "traffic.barrier.enabled"},
    {"", "openingMethod", "traffic.barrier.mode"},
    {"OpeningConfig", "alarmOutPort", "traffic.barrier.open_port"},
    {"OpeningConfig", "duration", "traffic.barrier.open_duration"},
    {"ClosingConfig", "alarmOutPort", "traffic.barrier.close_port"},
    {"ClosingConfig", "duration", "traffic.barrier.close_duration"},
    {"", "autoCloseTime", "traffic.barrier.auto_close"},
    {"AlwaysOpen", "enabled", "traffic.barrier.always_open"},
    {"AlwaysOpen", "schedule", "traffic.barrier.always_open_schedule"},
};

const std::vector<SettingsField> k_blocklist_fields = {
    {"", "enabled", "traffic.blocklist_alarm.enabled"},
    {"", "alarmOutPort", "traffic.blocklist_alarm.alarm_output"},
    {"", "postAlarmTime", "traffic.blocklist_alarm.post_alarm"},
    {"", "sendEmail", "traffic.blocklist_alarm.send_email"},
    {"", "pictureType", "traffic.blocklist_alarm.picture"},
};

// "After" of the pull API: ?afterTime= (ISO 8601 with a zone) and ?afterID=, or an <AfterTime>
// document with <picTime> (POST, as pull clients of other cameras send it).
struct After {
  std::uint64_t id = 0;
  std::optional<hal::WallTime> time;
  std::size_t max = 100;
};

Result<After> after_from(const http::RequestContext& context, pugi::xml_node body) {
  After after;
  auto value_of = [&](const char* query, std::initializer_list<std::string_view> path) -> std::optional<std::string> {
    if (auto value = context.query_value(query)) return value;
    if (body) return text_at(body, path);
    return std::nullopt;
  };
  if (auto text = value_of("afterTime", {"picTime"}); text && !text->empty()) {
    auto time = traffic::parse_time(*text);
    if (!time) return make_error(time.error().code, "afterTime: " + time.error().message);
    after.time = *time;
  }
  if (auto text = value_of("afterID", {"afterID"}); text && !text->empty()) {
    const auto id = parse_integer(*text);
    if (!id || *id < 0) return make_error(ErrorCode::invalid_argument, "afterID must be a whole number (got '" + *text + "')");
    after.id = static_cast<std::uint64_t>(*id);
  }
  if (auto text = value_of("maxResults", {"maxResults"}); text && !text->empty()) {
    const auto max = parse_integer(*text);
    if (!max || *max < 1 || *max > 1000) return make_error(ErrorCode::out_of_range, "maxResults must be 1 to 1000 (got '" + *text + "')");
    after.max = static_cast<std::size_t>(*max);
  }
  return after;
}

http::Reply plates_document(const traffic::LprService& lpr, const After& after) {
  pugi::xml_document doc;
  auto root = new_document(doc, "Plates");
  for (const auto& record : lpr.recent(after.id, after.time, after.max)) {
    auto plate = root.append_child("Plate");
    plate.append_child("id").text() = static_cast<unsigned long long>(record.id);
    plate.append_child("captureTime").text() = core::format_utc_iso8601(record.wall_time).c_str();
    plate.append_child("plateNumber").text() = record.read.plate.c_str();
    plate.append_child("confidence").text() = record.read.confidence;
    plate.append_child("direction").text() = std::string(traffic::to_string(record.read.direction)).c_str();
    plate.append_child("listVerdict").text() = std::string(traffic::to_string(record.verdict)).c_str();
    if (record.match) plate.append_child("matchRule").text() = std::string(traffic::to_string(record.match->rule)).c_str();
    plate.append_child("barrier").text() = std::string(traffic::to_string(record.barrier)).c_str();
    plate.append_child("triggerMode").text() = record.read.trigger == traffic::CaptureTrigger::loop ? "loop"
                                               : record.read.trigger == traffic::CaptureTrigger::video ? "video"
                                               : record.read.trigger == traffic::CaptureTrigger::io    ? "io"
                                                                                                      : "manual";
    if (record.speed_kmh) plate.append_child("speed").text() = *record.speed_kmh;
    if (!record.read.plate_colour.empty()) plate.append_child("plateColor").text() = record.read.plate_colour.c_str();
    if (!record.read.vehicle_type.empty()) plate.append_child("vehicleType").text() = record.read.vehicle_type.c_str();
    plate.append_child("backing").text() = record.backing;
  }
  return xml_reply(doc);
}

}  // namespace

void add_lpr_routes(http::Router& router, DeviceServices services) {
  auto* lpr = services.lpr;
  const std::string base = "/ISAPI/Traffic/channels/{channel}";
  const RequestCheck channel_exists = [services](const http::RequestContext& context) {
    return check_video_channel(services, context);
  };
  add_settings_resource(router, services, base + "/snapshotSetting", "SnapshotSetting", k_snapshot_fields, channel_exists);
  // A schedule that does not parse is refused before it is stored: the config only knows it as text.
  router.add(verb::put, base + "/barrierControl", security::Permission::parameter_settings,
             [services, lpr](http::RequestContext& context) -> Result<http::Reply> {
               if (auto checked = check_video_channel(services, context); !checked) return checked.error();
               pugi::xml_document doc;
               auto parsed = parse_body(doc, context, "BarrierControl");
               if (auto* refused = std::get_if<ResponseStatus>(&parsed)) return status_reply(context, *refused);
               auto root = std::get<pugi::xml_node>(parsed);
               if (auto schedule = text_at(root, {"AlwaysOpen", "schedule"}))
                 if (auto periods = traffic::parse_weekly_periods(*schedule); !periods) return periods.error();
               if (auto applied = apply_settings_document(*services.config, root, k_barrier_fields); !applied) return applied.error();
               lpr->settings_changed();
               return status_reply(context, ResponseStatus{});
             });
  router.add(verb::get, base + "/barrierControl", security::Permission::parameter_settings,
             [services](http::RequestContext& context) -> Result<http::Reply> {
               if (auto checked = check_video_channel(services, context); !checked) return checked.error();
               return settings_document(*services.config, "BarrierControl", k_barrier_fields);
             });
  add_settings_resource(router, services, base + "/blocklistAlarm", "BlocklistAlarm", k_blocklist_fields, channel_exists);

  // Manual Control and "Test Barrier Opening/Closing": <BarrierGate><ctrlMode>open|close</ctrlMode>.
  router.add(verb::put, base + "/barrierGate", security::Permission::parameter_settings,
             [services, lpr](http::RequestContext& context) -> Result<http::Reply> {
               if (auto checked = check_video_channel(services, context); !checked) return checked.error();
               pugi::xml_document doc;
               auto parsed = parse_body(doc, context, "BarrierGate");
               if (auto* refused = std::get_if<ResponseStatus>(&parsed)) return status_reply(context, *refused);
               const auto mode = text_at(std::get<pugi::xml_node>(parsed), {"ctrlMode"}).value_or("");
               Result<void> done = make_error(ErrorCode::invalid_argument, "<ctrlMode> must be open or close (got '" + mode + "')");
               if (mode == "open") done = lpr->barrier().open();
               if (mode == "close") done = lpr->barrier().close();
               if (!done) return done.error();
               return status_reply(context, ResponseStatus{});
             });

  // Manual Snapshot / Test Capture: recognition reports what it sees now as a manual capture, whose
  // pictures are stored with event type "manual" (DECISIONS.md). Answered before the picture exists.
  router.add(verb::put, base + "/manualCapture", security::Permission::parameter_settings,
             [services, lpr](http::RequestContext& context) -> Result<http::Reply> {
               if (auto checked = check_video_channel(services, context); !checked) return checked.error();
               if (auto requested = lpr->manual_capture(); !requested) return requested.error();
               return status_reply(context, ResponseStatus{});
             });

  router.add(verb::get, base + "/vehicleDetect/plates", security::Permission::view_information,
             [services, lpr](http::RequestContext& context) -> Result<http::Reply> {
               if (auto checked = check_video_channel(services, context); !checked) return checked.error();
               auto after = after_from(context, pugi::xml_node{});
               if (!after) return after.error();
               return plates_document(*lpr, *after);
             });
  router.add(verb::post, base + "/vehicleDetect/plates", security::Permission::view_information,
             [services, lpr](http::RequestContext& context) -> Result<http::Reply> {
               if (auto checked = check_video_channel(services, context); !checked) return checked.error();
               pugi::xml_document doc;
               pugi::xml_node body;
               if (!context.message.body().empty()) {
                 auto parsed = parse_body(doc, context, "AfterTime");
                 if (auto* refused = std::get_if<ResponseStatus>(&parsed)) return status_reply(context, *refused);
                 body = std::get<pugi::xml_node>(parsed);
               }
               auto after = after_from(context, body);
               if (!after) return after.error();
               return plates_document(*lpr, *after);
             });
}

}  // namespace camrig::isapi
