// The one internal event type of the camera: what happened (kind), where (channel, alarm input,
// rule/region), its state, when (device and wall time), and optionally the target and pictures.
// Every source (alarm inputs, exceptions, video detectors) produces it; every adapter maps it.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "device/hal/clock.hpp"

namespace camrig::events {

enum class EventKind {
  // Video analytics (detectors submit these).
  motion,
  tamper,
  line_crossing,
  intrusion,
  region_entrance,
  region_exiting,
  unattended_baggage,
  object_removal,
  scene_change,
  defocus,
  audio_exception,
  face_detection,
  face_capture,
  video_loss,
  vehicle_detection,
  pir,
  // Alarm input terminals.
  alarm_input,
  // Exceptions (network camera 6.1.4, LPR camera "Exception").
  storage_full,
  storage_error,
  no_storage,
  network_disconnected,
  ip_conflict,
  illegal_login,
  security_exception,
};

//! Active/inactive for conditions with a duration (an input held, motion going on); pulse for
//! instantaneous events (a line crossed, a failed login).
enum class EventState { active, inactive, pulse };

struct Box {
  double x = 0, y = 0, width = 0, height = 0;  //!< normalised to the picture, 0..1
};

//! Face capture "Upload Feature": what the camera tells from the face, "yes"/"no" or "unknown"; the
//! values of gender ("male", "female") and expression ("smile", "neutral") are "unknown" when not told.
struct FaceAttributes {
  std::string gender = "unknown";
  std::string expression = "unknown";
  std::string glasses = "unknown";
};

struct Target {
  std::optional<Box> box;
  std::string object_class;  //!< "human", "vehicle"
  std::optional<std::uint64_t> track_id;
  std::string plate;
  //! ANPR: the plate's list verdict ("allowed", "blocked", "expired", "unknown") and the
  //! vehicle's direction ("approaching", "leaving", "unknown").
  std::string list_verdict;
  std::string direction;
  //! ANPR: how the capture was triggered ("video", "loop", "io", "manual").
  std::string capture_trigger;
  std::string face_id;
  //! Face capture: the captured picture's face quality grade, 0..100.
  std::optional<int> face_quality;
  //! Face capture with Upload Feature on.
  std::optional<FaceAttributes> face_attributes;
};

//! A picture taken for the event, stored elsewhere (memory card, picture store) or carried along.
struct PictureRef {
  std::string kind;  //!< "scene", "plate", "face", "vehicle"
  std::string uri;
  //! The JPEG itself when the event carries it (face capture); shared, as events are copied per consumer.
  std::shared_ptr<const std::string> jpeg;
};

struct Event {
  EventKind kind = EventKind::alarm_input;
  int channel = 0;  //!< video channel, 0 when the event belongs to no channel
  int input = 0;    //!< alarm input number (1-based) for alarm_input
  int rule = 0;     //!< rule or region id of an analytics event
  EventState state = EventState::pulse;
  hal::Nanos device_time{0};
  hal::WallTime wall_time{};
  std::optional<Target> target;
  std::vector<PictureRef> pictures;
  std::string description;

  // Filled in by the event engine.
  std::uint64_t sequence = 0;     //!< 1, 2, ... in the order the engine recorded events
  int active_post_count = 0;      //!< 1, 2, ... per post of one occurrence of the same source
  bool armed = false;             //!< inside the source's arming schedule
};

//! The source an event belongs to, named as ISAPI names triggers: "IO-1", "VMD-1",
//! "linedetection-1", "diskfull", "illaccess".
std::string source_id(const Event& event);
//! ISAPI eventType: "IO", "VMD", "linedetection", "diskfull", "illaccess", ...
std::string_view isapi_event_type(EventKind kind);
//! A short text for eventDescription: "IO alarm", "Motion alarm".
std::string_view default_description(EventKind kind);
bool is_exception(EventKind kind);
std::string_view to_string(EventState state);

//! Published on the core event bus by the subsystem that sees an exception (storage, network,
//! security); the event engine turns it into an Event. `active` false ends a lasting exception.
struct ExceptionReport {
  EventKind kind = EventKind::storage_error;
  std::string description;
  bool active = true;
};

//! Published on the core event bus for every event the engine records (armed or not).
struct RecordedEvent {
  Event event;
};

//! Published on the core event bus for every event whose linkage notifies the surveillance
//! center: the alertStream clients and HTTP hosts consume these.
struct CenterNotification {
  Event event;
};

}  // namespace camrig::events
