// A real H.264 encoder for tests (libx264 through libavcodec): encodes a synthetic moving I420
// picture, with SPS/PPS repeated before every keyframe, so RTSP tests can feed a stream hub
// with what a real decoder accepts.
#pragma once

#include <cstdint>
#include <memory>

#include "device/media/encoded_packet.hpp"

struct AVCodecContext;
struct AVFrame;
struct AVPacket;

namespace camrig::rtsp::test {

class H264TestEncoder {
 public:
  H264TestEncoder(int width, int height, int frame_rate, int keyframe_interval);
  ~H264TestEncoder();
  H264TestEncoder(const H264TestEncoder&) = delete;
  H264TestEncoder& operator=(const H264TestEncoder&) = delete;

  //! Size, rate and SPS/PPS (from the encoder's extradata).
  media::StreamDescription description() const;
  //! Encodes frame `index` (the picture moves with it); `force_keyframe` asks for an IDR now.
  media::EncodedPacketPtr encode(std::int64_t index, hal::Nanos timestamp, bool force_keyframe);

 private:
  AVCodecContext* context_ = nullptr;
  AVFrame* frame_ = nullptr;
  AVPacket* packet_ = nullptr;
  int frame_rate_;
};

}  // namespace camrig::rtsp::test
