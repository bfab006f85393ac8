// The ONVIF view of the camera's events, shared by the Event service (pull points, Notify) and the
// RTSP metadata track: which notification topics (tns1:...) a recorded events::Event maps to, with
// their Source and Data items, the last state of each property instance, and the tt:Message and
// wsnt:NotificationMessage XML both deliver. Without gSOAP, so the metadata writer needs none.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "device/events/event.hpp"
#include "device/hal/clock.hpp"

namespace camrig::onvif {

struct Item {
  std::string name;
  std::string value;
};

//! One occurrence on a topic: for a property topic, the new state of one property instance.
struct Notification {
  std::string topic;  //!< path in tns1 without the prefix: "VideoSource/MotionAlarm"
  bool property = false;
  std::vector<Item> source;
  std::vector<Item> data;
  hal::WallTime time{};

  //! The property instance: topic and source.
  std::string key() const;
};

std::string video_source_token(int channel);
std::string source_configuration_token(int channel);
std::string analytics_token(int channel);
std::string input_token(int input);
std::string relay_token(int relay);
//! The Source items of a rule engine topic: the channel's configurations and the rule's name.
std::vector<Item> rule_items(int channel, std::string rule);
const char* boolean(bool value);

//! The ONVIF notifications of one recorded event; none for kinds ONVIF has no topic for here.
std::vector<Notification> notifications_of(const events::Event& event);

//! The tt:Message of a notification; `operation` ("Initialized", "Changed", "Deleted") is written
//! for property topics only. The tt prefix is the enclosing document's.
std::string message_xml(const Notification& notification, const char* operation);

//! The wsnt:NotificationMessage (wsnt:Topic in the ConcreteSet dialect, wsnt:Message holding the
//! tt:Message); the tt, wsnt and tns1 prefixes are the enclosing document's.
std::string notification_message_xml(const Notification& notification, const char* operation);

//! A tt:MetadataStream document with one tt:Event carrying `notifications`, all "Changed".
std::string event_stream_document(const std::vector<Notification>& notifications);

//! The last state of each property instance seen, so that a repeated state is not told again.
class PropertyStates {
 public:
  //! True when `notification` is to be told: not a property, a new instance or a changed state
  //! (which is then remembered).
  bool update(const Notification& notification);
  //! By Notification::key().
  const std::map<std::string, Notification>& current() const { return current_; }

 private:
  std::map<std::string, Notification> current_;
};

}  // namespace camrig::onvif
