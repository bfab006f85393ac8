#include "tests/unit/rtsp/h264_test_encoder.hpp"

#include <stdexcept>
#include <string>

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavutil/log.h>
#include <libavutil/opt.h>
}

#include "device/rtsp/h264_packetizer.hpp"

namespace camrig::rtsp::test {

H264TestEncoder::H264TestEncoder(int width, int height, int frame_rate, int keyframe_interval) : frame_rate_(frame_rate) {
  av_log_set_level(AV_LOG_ERROR);  // x264's banner and statistics would drown the test output
  const AVCodec* codec = avcodec_find_encoder_by_name("libx264");
  if (!codec) throw std::runtime_error("libavcodec has no libx264 encoder");
  context_ = avcodec_alloc_context3(codec);
  context_->width = width;
  context_->height = height;
  context_->pix_fmt = AV_PIX_FMT_YUV420P;
  context_->time_base = AVRational{1, frame_rate};
  context_->framerate = AVRational{frame_rate, 1};
  context_->gop_size = keyframe_interval;
  context_->max_b_frames = 0;
  context_->bit_rate = 2'000'000;
  context_->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;  // SPS/PPS in extradata for the description
  av_opt_set(context_->priv_data, "preset", "ultrafast", 0);
  av_opt_set(context_->priv_data, "tune", "zerolatency", 0);
  av_opt_set(context_->priv_data, "forced-idr", "1", 0);
  // ...and in band before every keyframe, as a camera sends them.
  av_opt_set(context_->priv_data, "x264-params",
             ("repeat-headers=1:scenecut=0:keyint=" + std::to_string(keyframe_interval)).c_str(), 0);
  if (const int error = avcodec_open2(context_, codec, nullptr); error < 0)
    throw std::runtime_error("cannot open libx264: " + std::to_string(error));
  frame_ = av_frame_alloc();
  frame_->format = AV_PIX_FMT_YUV420P;
  frame_->width = width;
  frame_->height = height;
  if (av_frame_get_buffer(frame_, 0) < 0) throw std::runtime_error("cannot allocate a frame");
  packet_ = av_packet_alloc();
}

H264TestEncoder::~H264TestEncoder() {
  av_packet_free(&packet_);
  av_frame_free(&frame_);
  avcodec_free_context(&context_);
}

media::StreamDescription H264TestEncoder::description() const {
  media::StreamDescription description;
  description.codec = media::VideoCodec::h264;
  description.width = context_->width;
  description.height = context_->height;
  description.frame_rate = {frame_rate_, 1};
  const std::span<const std::uint8_t> extradata(context_->extradata, static_cast<std::size_t>(context_->extradata_size));
  for (const auto unit : split_annex_b(extradata)) {
    const int type = unit[0] & 0x1f;
    if (type == 7 || type == 8) description.parameter_sets.emplace_back(unit.begin(), unit.end());
  }
  return description;
}

media::EncodedPacketPtr H264TestEncoder::encode(std::int64_t index, hal::Nanos timestamp, bool force_keyframe) {
  if (av_frame_make_writable(frame_) < 0) throw std::runtime_error("frame not writable");
  // A diagonal gradient sliding right and a bright square moving down: enough motion for P-frames.
  const int width = context_->width;
  const int height = context_->height;
  for (int y = 0; y < height; ++y) {
    auto* row = frame_->data[0] + static_cast<std::ptrdiff_t>(y) * frame_->linesize[0];
    for (int x = 0; x < width; ++x) row[x] = static_cast<std::uint8_t>((x + y + index * 4) & 0xff);
  }
  const int square_y = static_cast<int>((index * 8) % (height - 64));
  for (int y = square_y; y < square_y + 64; ++y)
    for (int x = 100; x < 164; ++x) frame_->data[0][static_cast<std::ptrdiff_t>(y) * frame_->linesize[0] + x] = 235;
  for (int plane = 1; plane < 3; ++plane)
    for (int y = 0; y < height / 2; ++y)
      for (int x = 0; x < width / 2; ++x)
        frame_->data[plane][static_cast<std::ptrdiff_t>(y) * frame_->linesize[plane] + x] =
            static_cast<std::uint8_t>(128 + (plane == 1 ? (x - width / 4) / 8 : (y - height / 4) / 8));
  frame_->pts = index;
  frame_->pict_type = force_keyframe ? AV_PICTURE_TYPE_I : AV_PICTURE_TYPE_NONE;
  if (avcodec_send_frame(context_, frame_) < 0) throw std::runtime_error("avcodec_send_frame failed");
  if (avcodec_receive_packet(context_, packet_) < 0) return nullptr;  // zerolatency: should not happen
  auto encoded = std::make_shared<media::EncodedPacket>();
  encoded->data.assign(packet_->data, packet_->data + packet_->size);
  encoded->keyframe = (packet_->flags & AV_PKT_FLAG_KEY) != 0;
  encoded->timestamp = timestamp;
  encoded->sequence = static_cast<std::uint64_t>(index);
  av_packet_unref(packet_);
  return encoded;
}

}  // namespace camrig::rtsp::test
