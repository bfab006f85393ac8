// A video detector of one channel (motion, tamper, line crossing, faces, plates, ...): it looks at
// each analysed frame and submits events. Detectors run in order on the channel's analytics
// thread, so they need no locking among themselves; settings come in from other threads and are
// theirs to guard.
#pragma once

#include <functional>
#include <string_view>

#include "device/analytics/analysis_frame.hpp"
#include "device/events/event.hpp"

namespace camrig::analytics {

//! Where detectors send events: the event engine's submit() in the camera, a recorder in tests.
using EventSink = std::function<void(events::Event)>;

class Detector {
 public:
  virtual ~Detector() = default;
  //! A short name for logs and benchmarks: "motion", "line crossing".
  virtual std::string_view name() const = 0;
  //! One frame, in capture order. Must not block; a detector that is disabled returns at once.
  virtual void analyse(const AnalysisFrame& frame, const EventSink& sink) = 0;
  //! No frame has come for `silence` (the source stopped delivering: cable cut, end of video).
  //! Called now and then while that lasts, never while analyse() runs; must not block.
  virtual void no_frames(int channel, hal::Nanos now, hal::Nanos silence, const EventSink& sink) {
    (void)channel, (void)now, (void)silence, (void)sink;
  }
};

}  // namespace camrig::analytics
