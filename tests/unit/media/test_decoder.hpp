// Test peer: decodes what the encoder produced with libavcodec's own decoders, so encoder tests
// check real decodability instead of trusting flags.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

extern "C" {
#include <libavcodec/avcodec.h>
}

#include "device/media/encoded_packet.hpp"

namespace camrig::testing {

struct DecodedPicture {
  int width = 0;
  int height = 0;
  bool keyframe = false;
  std::vector<std::uint8_t> luma;  // width x height, tightly packed
};

class TestDecoder {
 public:
  explicit TestDecoder(media::VideoCodec codec) {
    const AVCodecID id = codec == media::VideoCodec::h264   ? AV_CODEC_ID_H264
                         : codec == media::VideoCodec::h265 ? AV_CODEC_ID_HEVC
                                                            : AV_CODEC_ID_MJPEG;
    const AVCodec* decoder = avcodec_find_decoder(id);
    if (decoder == nullptr) throw std::runtime_error("no decoder");
    context_ = avcodec_alloc_context3(decoder);
    context_->thread_count = 1;
    context_->flags |= AV_CODEC_FLAG_LOW_DELAY;
    if (avcodec_open2(context_, decoder, nullptr) < 0) throw std::runtime_error("cannot open decoder");
    frame_ = av_frame_alloc();
    packet_ = av_packet_alloc();
  }
  ~TestDecoder() {
    av_packet_free(&packet_);
    av_frame_free(&frame_);
    avcodec_free_context(&context_);
  }
  TestDecoder(const TestDecoder&) = delete;
  TestDecoder& operator=(const TestDecoder&) = delete;

  //! Decodes one packet; returns the pictures it released (none if the decoder rejected it).
  std::vector<DecodedPicture> decode(const std::vector<std::uint8_t>& bytes) {
    if (av_new_packet(packet_, static_cast<int>(bytes.size())) < 0) throw std::runtime_error("packet");
    std::copy(bytes.begin(), bytes.end(), packet_->data);
    const int sent = avcodec_send_packet(context_, packet_);
    av_packet_unref(packet_);
    if (sent < 0) ++errors_;
    return drain();
  }

  std::vector<DecodedPicture> flush() {
    avcodec_send_packet(context_, nullptr);
    return drain();
  }

  int errors() const { return errors_; }

 private:
  std::vector<DecodedPicture> drain() {
    std::vector<DecodedPicture> pictures;
    while (avcodec_receive_frame(context_, frame_) == 0) {
      DecodedPicture picture;
      picture.width = frame_->width;
      picture.height = frame_->height;
      picture.keyframe = frame_->key_frame != 0;
      if (frame_->decode_error_flags != 0) ++errors_;
      picture.luma.resize(static_cast<std::size_t>(frame_->width) * frame_->height);
      for (int row = 0; row < frame_->height; ++row) {
        std::copy_n(frame_->data[0] + static_cast<std::ptrdiff_t>(row) * frame_->linesize[0], frame_->width,
                    picture.luma.begin() + static_cast<std::ptrdiff_t>(row) * frame_->width);
      }
      pictures.push_back(std::move(picture));
      av_frame_unref(frame_);
    }
    return pictures;
  }

  AVCodecContext* context_ = nullptr;
  AVFrame* frame_ = nullptr;
  AVPacket* packet_ = nullptr;
  int errors_ = 0;
};

}  // namespace camrig::testing
