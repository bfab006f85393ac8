// One stream's video encoder: I420 frames in, shared encoded packets out (H.264/H.265 access
// units in Annex B form, or one JPEG per frame), with the parameter sets consumers need up front.
// Owns the libavcodec context and the mapping from a stream's settings to encoder options.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "device/core/result.hpp"
#include "device/hal/video_frame.hpp"
#include "device/media/encoded_packet.hpp"
#include "device/media/stream_settings.hpp"

struct AVCodecContext;
struct AVFrame;
struct AVPacket;

namespace camrig::media {

//! Checks what the encoder cannot work with (size, rate, GOP, bitrates, profile) before any
//! library is touched, so a bad setting gets a message naming the field.
Result<void> validate_encoder_settings(const StreamSettings& settings);

class VideoEncoder {
 public:
  //! Opens an encoder for `settings`: libx264 (H.264), libx265 (H.265) or mjpeg, tuned for low
  //! latency (no B-frames, no lookahead: every frame in gives its packet out at once).
  static Result<std::unique_ptr<VideoEncoder>> open(const StreamSettings& settings);

  ~VideoEncoder();
  VideoEncoder(const VideoEncoder&) = delete;
  VideoEncoder& operator=(const VideoEncoder&) = delete;

  //! Encodes a shared frame without copying it: libavcodec holds a reference to the frame
  //! (keeping it alive) for as long as the codec needs the planes. The packets carry
  //! `presentation_time` if given (a decimated stream's own frame grid), else the capture time.
  Result<std::vector<EncodedPacketPtr>> encode(const hal::VideoFramePtr& frame, bool force_keyframe,
                                               std::optional<hal::Nanos> presentation_time = std::nullopt);

  //! Encodes a frame the caller owns; its planes are copied once, because some codecs (mjpeg)
  //! keep a reference to the input after the call returns.
  Result<std::vector<EncodedPacketPtr>> encode(const hal::VideoFrame& frame, bool force_keyframe);

  //! Codec, size, rate and the out-of-band parameter sets (also repeated in band before every
  //! keyframe, so a client that joins mid-stream can decode from the next keyframe).
  const StreamDescription& description() const { return description_; }
  const StreamSettings& settings() const { return settings_; }

  //! Frames between two keyframes as configured in the codec (longer than i_frame_interval
  //! for smart codec).
  int gop_length() const;

 private:
  VideoEncoder(StreamSettings settings, AVCodecContext* context);

  // Sends `input` (owned by the caller, reset afterwards) and collects the packets it produces.
  Result<std::vector<EncodedPacketPtr>> encode_frame(AVFrame* input, hal::Nanos timestamp,
                                                     bool force_keyframe);
  Result<EncodedPacketPtr> take_packet(const AVPacket& packet);
  // Attaches the stream's regions of interest to the frame, for libx264/libx265's quantiser offsets.
  Result<void> mark_regions_of_interest(AVFrame* input) const;

  StreamSettings settings_;
  AVCodecContext* context_ = nullptr;
  AVFrame* frame_ = nullptr;
  AVPacket* packet_ = nullptr;
  StreamDescription description_;
  // Presentation counter in units of 1/frame_rate; the codec's time base stays constant-rate
  // so rate control sees the configured rate even when the timestamps jitter.
  std::int64_t next_pts_ = 0;
  // Frames handed to the codec whose packets have not come out yet: pts -> capture time.
  std::deque<std::pair<std::int64_t, hal::Nanos>> pending_;
  std::uint64_t next_sequence_ = 0;
};

}  // namespace camrig::media
