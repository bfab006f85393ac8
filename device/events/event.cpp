#include "device/events/event.hpp"

namespace camrig::events {

std::string_view isapi_event_type(EventKind kind) {
  switch (kind) {
    case EventKind::motion: return "VMD";
    case EventKind::tamper: return "shelteralarm";
    case EventKind::line_crossing: return "linedetection";
    case EventKind::intrusion: return "fielddetection";
    case EventKind::region_entrance: return "regionEntrance";
    case EventKind::region_exiting: return "regionExiting";
    case EventKind::unattended_baggage: return "unattendedBaggage";
    case EventKind::object_removal: return "attendedBaggage";
    case EventKind::scene_change: return "scenechangedetection";
    case EventKind::defocus: return "defocus";
    case EventKind::audio_exception: return "audioexception";
    case EventKind::face_detection: return "facedetection";
    case EventKind::face_capture: return "faceCapture";
    case EventKind::video_loss: return "videoloss";
    case EventKind::vehicle_detection: return "ANPR";
    case EventKind::pir: return "PIR";
    case EventKind::alarm_input: return "IO";
    case EventKind::storage_full: return "diskfull";
    case EventKind::storage_error: return "diskerror";
    case EventKind::no_storage: return "nodisk";
    case EventKind::network_disconnected: return "nicbroken";
    case EventKind::ip_conflict: return "ipconflict";
    case EventKind::illegal_login: return "illaccess";
    case EventKind::security_exception: return "securityException";
  }
  return "unknown";
}

std::string_view default_description(EventKind kind) {
  switch (kind) {
    case EventKind::motion: return "Motion alarm";
    case EventKind::tamper: return "Video tampering alarm";
    case EventKind::line_crossing: return "Line crossing alarm";
    case EventKind::intrusion: return "Intrusion detection alarm";
    case EventKind::region_entrance: return "Region entrance alarm";
    case EventKind::region_exiting: return "Region exiting alarm";
    case EventKind::unattended_baggage: return "Unattended baggage alarm";
    case EventKind::object_removal: return "Object removal alarm";
    case EventKind::scene_change: return "Scene change alarm";
    case EventKind::defocus: return "Defocus alarm";
    case EventKind::audio_exception: return "Audio exception alarm";
    case EventKind::face_detection: return "Face detection alarm";
    case EventKind::face_capture: return "Face capture";
    case EventKind::video_loss: return "videoloss alarm";
    case EventKind::vehicle_detection: return "ANPR";
    case EventKind::pir: return "PIR alarm";
    case EventKind::alarm_input: return "IO alarm";
    case EventKind::storage_full: return "HDD full";
    case EventKind::storage_error: return "HDD error";
    case EventKind::no_storage: return "No memory card";
    case EventKind::network_disconnected: return "Network disconnected";
    case EventKind::ip_conflict: return "IP address conflicted";
    case EventKind::illegal_login: return "Illegal login";
    case EventKind::security_exception: return "Security exception";
  }
  return "alarm";
}

bool is_exception(EventKind kind) {
  switch (kind) {
    case EventKind::storage_full:
    case EventKind::storage_error:
    case EventKind::no_storage:
    case EventKind::network_disconnected:
    case EventKind::ip_conflict:
    case EventKind::illegal_login:
    case EventKind::security_exception: return true;
    default: return false;
  }
}

std::string source_id(const Event& event) {
  const std::string type(isapi_event_type(event.kind));
  if (is_exception(event.kind)) return type;
  if (event.kind == EventKind::alarm_input) return type + "-" + std::to_string(event.input);
  return type + "-" + std::to_string(event.channel);
}

std::string_view to_string(EventState state) {
  switch (state) {
    case EventState::active: return "active";
    case EventState::inactive: return "inactive";
    case EventState::pulse: return "pulse";
  }
  return "active";
}

}  // namespace camrig::events
