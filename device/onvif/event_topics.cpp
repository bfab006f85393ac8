#include "device/onvif/event_topics.hpp"

#include <algorithm>

#include "device/analytics/metadata_producer.hpp"
#include "device/core/xml_escape.hpp"

namespace camrig::onvif {

namespace {

constexpr const char* k_schema_namespace = "http://www.onvif.org/ver10/schema";
constexpr const char* k_notification_namespace = "http://docs.oasis-open.org/wsn/b-2";
constexpr const char* k_topic_namespace = "http://www.onvif.org/ver10/topics";
constexpr const char* k_concrete_set_dialect = "http://www.onvif.org/ver10/tev/topicExpression/ConcreteSet";

using core::xml_escape;

}  // namespace

std::string Notification::key() const {
  std::string key = topic;
  for (const auto& item : source) key += "|" + item.name + "=" + item.value;
  return key;
}

std::string video_source_token(int channel) { return "VideoSource_" + std::to_string(channel); }
std::string source_configuration_token(int channel) { return "VideoSourceConfig_" + std::to_string(channel); }
std::string analytics_token(int channel) { return "VideoAnalytics_" + std::to_string(channel); }
std::string input_token(int input) { return "AlarmIn_" + std::to_string(input); }
std::string relay_token(int relay) { return "AlarmOut_" + std::to_string(relay); }

std::vector<Item> rule_items(int channel, std::string rule) {
  return {{"VideoSourceConfigurationToken", source_configuration_token(channel)},
          {"VideoAnalyticsConfigurationToken", analytics_token(channel)},
          {"Rule", std::move(rule)}};
}

const char* boolean(bool value) { return value ? "true" : "false"; }

std::vector<Notification> notifications_of(const events::Event& event) {
  const bool on = event.state != events::EventState::inactive;
  std::vector<Notification> out;
  auto add = [&](std::string topic, bool property, std::vector<Item> source, std::vector<Item> data) {
    out.push_back({std::move(topic), property, std::move(source), std::move(data), event.wall_time});
  };
  const auto track = event.target && event.target->track_id ? std::to_string(*event.target->track_id) : "0";
  switch (event.kind) {
    case events::EventKind::motion:
      add("VideoSource/MotionAlarm", true, {{"Source", video_source_token(event.channel)}}, {{"State", boolean(on)}});
      add("RuleEngine/CellMotionDetector/Motion", true, rule_items(event.channel, "MotionDetection"),
          {{"IsMotion", boolean(on)}});
      break;
    case events::EventKind::tamper:
      add("VideoSource/GlobalSceneChange/ImagingService", true, {{"Source", video_source_token(event.channel)}},
          {{"State", boolean(on)}});
      break;
    case events::EventKind::line_crossing:
      if (event.state != events::EventState::inactive)
        add("RuleEngine/LineDetector/Crossed", false,
            rule_items(event.channel, "LineCrossing_" + std::to_string(event.rule)), {{"ObjectId", track}});
      break;
    case events::EventKind::intrusion:
      add("RuleEngine/FieldDetector/ObjectsInside", true,
          rule_items(event.channel, "Intrusion_" + std::to_string(event.rule)), {{"IsInside", boolean(on)}});
      break;
    case events::EventKind::alarm_input:
      add("Device/Trigger/DigitalInput", true, {{"InputToken", input_token(event.input)}},
          {{"LogicalState", boolean(on)}});
      break;
    case events::EventKind::vehicle_detection:
      if (event.target && !event.target->plate.empty())
        add("RuleEngine/Recognition/LicensePlate", false, rule_items(event.channel, "LicensePlateRecognition"),
            {{"PlateNumber", event.target->plate},
             {"ListVerdict", event.target->list_verdict.empty() ? "unknown" : event.target->list_verdict}});
      break;
    case events::EventKind::face_capture:
      add("RuleEngine/Recognition/Face", false, rule_items(event.channel, "FaceCapture"), {{"ObjectId", track}});
      break;
    case events::EventKind::storage_error:
    case events::EventKind::no_storage:
      add("Device/HardwareFailure/StorageFailure", true, {{"Token", "MemoryCard_1"}}, {{"Failed", boolean(on)}});
      break;
    default:
      break;
  }
  return out;
}

std::string message_xml(const Notification& notification, const char* operation) {
  auto items = [](const char* element, const std::vector<Item>& list) {
    std::string xml = std::string("<tt:") + element + ">";
    for (const auto& item : list)
      xml += "<tt:SimpleItem Name=\"" + item.name + "\" Value=\"" + xml_escape(item.value) + "\"/>";
    return xml + "</tt:" + element + ">";
  };
  std::string xml = "<tt:Message UtcTime=\"" + analytics::onvif_utc_time(notification.time) + "\"";
  if (notification.property && operation) xml += std::string(" PropertyOperation=\"") + operation + "\"";
  return xml + ">" + items("Source", notification.source) + items("Data", notification.data) + "</tt:Message>";
}

std::string notification_message_xml(const Notification& notification, const char* operation) {
  return std::string("<wsnt:NotificationMessage><wsnt:Topic Dialect=\"") + k_concrete_set_dialect + "\">tns1:" +
         xml_escape(notification.topic) + "</wsnt:Topic><wsnt:Message>" + message_xml(notification, operation) +
         "</wsnt:Message></wsnt:NotificationMessage>";
}

std::string event_stream_document(const std::vector<Notification>& notifications) {
  std::string xml = std::string(R"(<?xml version="1.0" encoding="UTF-8"?><tt:MetadataStream xmlns:tt=")") +
                    k_schema_namespace + "\" xmlns:wsnt=\"" + k_notification_namespace + "\" xmlns:tns1=\"" +
                    k_topic_namespace + "\"><tt:Event>";
  for (const auto& notification : notifications) xml += notification_message_xml(notification, "Changed");
  return xml + "</tt:Event></tt:MetadataStream>";
}

bool PropertyStates::update(const Notification& notification) {
  if (!notification.property) return true;
  auto [it, added] = current_.try_emplace(notification.key(), notification);
  if (added) return true;
  if (std::equal(it->second.data.begin(), it->second.data.end(), notification.data.begin(), notification.data.end(),
                 [](const Item& a, const Item& b) { return a.name == b.name && a.value == b.value; }))
    return false;
  it->second = notification;
  return true;
}

}  // namespace camrig::onvif
