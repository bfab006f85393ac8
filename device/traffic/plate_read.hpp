// One vehicle's recognised plate as the LPR camera reports it: what plate recognition
// (device/analytics/plates) produces once per vehicle pass, and what capture, the barrier, the
// plate lists, LPRAPI push and the event pictures consume.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "device/hal/clock.hpp"
#include "device/hal/video_frame.hpp"

namespace camrig::traffic {

//! A rectangle in full-frame pixels.
struct PixelBox {
  int x = 0, y = 0, width = 0, height = 0;
};

//! How the capture was triggered (LPR manual "Capture Mode" / "Trigger Mode").
enum class CaptureTrigger { video, loop, io, manual };

inline std::string_view to_string(CaptureTrigger trigger) {
  switch (trigger) {
    case CaptureTrigger::video: return "video";
    case CaptureTrigger::loop: return "loop";
    case CaptureTrigger::io: return "io";
    case CaptureTrigger::manual: return "manual";
  }
  return "video";
}

enum class VehicleDirection { unknown, approaching, leaving };

struct PlateRead {
  int channel = 1;
  std::uint64_t id = 0;        //!< 1, 2, ... per recognition, for pictures and logs
  std::string plate;           //!< normalised text: uppercase letters and digits; "" = no plate read
  double confidence = 0;       //!< 0..1 over the plate, after voting
  std::vector<double> character_confidence;  //!< one per character of `plate`
  PixelBox plate_box;          //!< in the frame that voted best
  std::optional<PixelBox> vehicle_box;
  std::string plate_colour;    //!< "white", "yellow", "blue", ... or ""
  std::string vehicle_colour;  //!< "white", "silver", "grey", "black", "red", "blue", ... or ""
  std::string vehicle_type;    //!< "car", "van", "truck", "motorcycle" or ""
  VehicleDirection direction = VehicleDirection::unknown;
  CaptureTrigger trigger = CaptureTrigger::video;
  hal::Nanos time{0};          //!< capture time (device clock) of the best frame
  int frames_voted = 0;        //!< frames whose reads were combined
  //! The best frame, full size, for the scene and plate pictures (JPEG encoding is the consumer's).
  hal::VideoFramePtr frame;
};

using PlateReadSink = std::function<void(const PlateRead&)>;

}  // namespace camrig::traffic
