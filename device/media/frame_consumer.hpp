// Anything that takes a channel's frames on a thread of its own: an encoded stream, the video
// analytics. The channel pipeline gives each consumer its own bounded queue (see
// ChannelPipelineOptions) so a slow one never holds up another.
#pragma once

#include "device/hal/video_frame.hpp"

namespace camrig::media {

class FrameConsumer {
 public:
  virtual ~FrameConsumer() = default;
  //! One frame, in capture order, from one thread at a time.
  virtual void process(const hal::VideoFramePtr& frame) = 0;
};

}  // namespace camrig::media
