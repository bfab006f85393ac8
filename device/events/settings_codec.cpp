#include "device/events/settings_codec.hpp"

#include <nlohmann/json.hpp>

namespace camrig::events {

using nlohmann::json;

namespace {

json encode_schedule(const ArmingSchedule& schedule) {
  json days = json::array();
  for (const auto& day : schedule.days()) {
    json periods = json::array();
    for (const auto& period : day) periods.push_back({period.start_minute, period.end_minute});
    days.push_back(std::move(periods));
  }
  return days;
}

Result<ArmingSchedule> decode_schedule(const json& days, std::size_t max_periods) {
  if (!days.is_array() || days.size() != 7) return make_error(ErrorCode::invalid_argument, "a schedule needs 7 days");
  std::array<std::vector<TimePeriod>, 7> week;
  for (std::size_t day = 0; day < 7; ++day)
    for (const auto& period : days[day]) week[day].push_back({period.at(0).get<int>(), period.at(1).get<int>()});
  return ArmingSchedule::create(std::move(week), max_periods);
}

template <class T>
Result<T> parse_json(const std::string& text, const char* what, auto&& decode) {
  try {
    return decode(json::parse(text));
  } catch (const json::exception& error) {
    return make_error(ErrorCode::invalid_argument, std::string("stored ") + what + " are not valid: " + error.what());
  }
}

}  // namespace

std::string encode_sources(const std::map<std::string, SourceSettings>& sources) {
  json doc = json::object();
  for (const auto& [id, settings] : sources) {
    const auto& linkage = settings.linkage;
    doc[id] = {{"enabled", settings.enabled},
               {"name", settings.name},
               {"sensor", settings.sensor == SensorType::normally_open ? "NO" : "NC"},
               {"schedule", encode_schedule(settings.schedule)},
               {"event_interval", settings.event_interval.count()},
               {"post_alarm", settings.post_alarm.count()},
               {"linkage",
                {{"center", linkage.notify_center},
                 {"outputs", linkage.alarm_outputs},
                 {"flashing_light", linkage.flashing_light},
                 {"audible_warning", linkage.audible_warning},
                 {"email", linkage.send_email},
                 {"upload", linkage.upload},
                 {"record", linkage.record}}}};
  }
  return doc.dump();
}

Result<std::map<std::string, SourceSettings>> decode_sources(const std::string& text, std::size_t max_periods) {
  return parse_json<std::map<std::string, SourceSettings>>(
      text, "event source settings", [max_periods](const json& doc) -> Result<std::map<std::string, SourceSettings>> {
        std::map<std::string, SourceSettings> sources;
        for (const auto& [id, item] : doc.items()) {
          SourceSettings settings;
          settings.enabled = item.at("enabled").get<bool>();
          settings.name = item.at("name").get<std::string>();
          settings.sensor = item.at("sensor").get<std::string>() == "NC" ? SensorType::normally_closed : SensorType::normally_open;
          auto schedule = decode_schedule(item.at("schedule"), max_periods);
          if (!schedule) return make_error(schedule.error().code, id + ": " + schedule.error().message);
          settings.schedule = *schedule;
          settings.event_interval = std::chrono::seconds(item.at("event_interval").get<int>());
          settings.post_alarm = std::chrono::seconds(item.at("post_alarm").get<int>());
          const auto& linkage = item.at("linkage");
          settings.linkage.notify_center = linkage.at("center").get<bool>();
          settings.linkage.alarm_outputs = linkage.at("outputs").get<std::vector<int>>();
          settings.linkage.flashing_light = linkage.at("flashing_light").get<bool>();
          settings.linkage.audible_warning = linkage.at("audible_warning").get<bool>();
          settings.linkage.send_email = linkage.at("email").get<bool>();
          settings.linkage.upload = linkage.at("upload").get<bool>();
          settings.linkage.record = linkage.at("record").get<bool>();
          sources.emplace(id, std::move(settings));
        }
        return sources;
      });
}

std::string encode_outputs(const std::map<int, AlarmOutputSettings>& outputs) {
  json doc = json::object();
  for (const auto& [id, settings] : outputs)
    doc[std::to_string(id)] = {{"name", settings.name},
                               {"delay", settings.delay ? json(settings.delay->count()) : json("manual")}};
  return doc.dump();
}

Result<std::map<int, AlarmOutputSettings>> decode_outputs(const std::string& text) {
  return parse_json<std::map<int, AlarmOutputSettings>>(
      text, "alarm output settings", [](const json& doc) -> Result<std::map<int, AlarmOutputSettings>> {
        std::map<int, AlarmOutputSettings> outputs;
        for (const auto& [id, item] : doc.items()) {
          AlarmOutputSettings settings;
          settings.name = item.at("name").get<std::string>();
          const auto& delay = item.at("delay");
          if (delay.is_string()) settings.delay.reset();
          else settings.delay = std::chrono::seconds(delay.get<int>());
          outputs.emplace(std::stoi(id), std::move(settings));
        }
        return outputs;
      });
}

std::string encode_hosts(const std::vector<HttpHostSettings>& hosts) {
  json doc = json::array();
  for (const auto& host : hosts)
    doc.push_back({{"id", host.id},
                   {"url", host.url},
                   {"protocol", host.protocol == HostProtocol::https ? "HTTPS" : "HTTP"},
                   {"address", host.address},
                   {"port", host.port},
                   {"format", host.format == AlertFormat::json ? "JSON" : "XML"}});
  return doc.dump();
}

Result<std::vector<HttpHostSettings>> decode_hosts(const std::string& text) {
  return parse_json<std::vector<HttpHostSettings>>(
      text, "HTTP hosts", [](const json& doc) -> Result<std::vector<HttpHostSettings>> {
        std::vector<HttpHostSettings> hosts;
        for (const auto& item : doc) {
          HttpHostSettings host;
          host.id = item.at("id").get<int>();
          host.url = item.at("url").get<std::string>();
          host.protocol = item.at("protocol").get<std::string>() == "HTTPS" ? HostProtocol::https : HostProtocol::http;
          host.address = item.at("address").get<std::string>();
          host.port = item.at("port").get<std::uint16_t>();
          host.format = item.at("format").get<std::string>() == "JSON" ? AlertFormat::json : AlertFormat::xml;
          hosts.push_back(std::move(host));
        }
        return hosts;
      });
}

}  // namespace camrig::events
