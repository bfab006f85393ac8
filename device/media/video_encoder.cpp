#include "device/media/video_encoder.hpp"

#include <algorithm>
#include <cmath>
#include <string>

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavutil/error.h>
#include <libavutil/frame.h>
#include <libavutil/imgutils.h>
#include <libavutil/opt.h>
}

#include "device/core/log.hpp"
#include "device/media/annex_b.hpp"
#include "device/media/libav_log.hpp"

namespace camrig::media {

namespace {

// x264 preset. Measured on 2 cores with 1080p25 main + 640x360 sub of the road scene encoding
// in parallel (main profile, CBR 4 Mbit/s): ultrafast ~9 ms per 1080p frame (both streams
// together ~85-90 fps), superfast ~12 ms (~65-75 fps) for 2-3 % fewer bits at the same rate.
// Both keep up with 25 fps; ultrafast leaves most of the CPU to analytics, RTSP and the sim.
constexpr const char* k_x264_preset = "ultrafast";
constexpr const char* k_x265_preset = "ultrafast";
// At most two encoder threads per stream: the camera has two cores shared by main and sub
// stream. Slice threads measured ~15 % slower than frame threads in that run, but frame
// threads hold every frame back by one frame period (40 ms at 25 fps) and a forced keyframe
// comes out a frame late; a camera's glass-to-glass latency matters more than headroom it
// already has.
constexpr int k_encoder_threads = 2;

std::string av_error_text(int code) {
  char text[AV_ERROR_MAX_STRING_SIZE] = {};
  av_strerror(code, text, sizeof text);
  return text;
}

Error libav_error(ErrorCode code, const std::string& what, int av_code) {
  return make_error(code, what + ": " + av_error_text(av_code));
}

bool profile_supported(const StreamSettings& settings) {
  const auto& profile = settings.encoding_profile;
  switch (settings.codec) {
    case VideoCodec::h264: return profile == "baseline" || profile == "main" || profile == "high";
    case VideoCodec::h265: return profile == "main";
    // JPEG has no profiles to choose from; whatever the stream's field holds is irrelevant.
    case VideoCodec::mjpeg: return true;
  }
  return false;
}

int frames_per_second(const StreamSettings& settings) {
  return std::max(1, static_cast<int>(std::lround(settings.frame_rate.value())));
}

// Smart codec (H.264+/H.265+) keeps the picture quality of a static scene with far fewer
// keyframes: the GOP becomes four times the configured I-frame interval, but no longer than
// ten seconds (or the configured interval, if that is longer already), so a client joining
// the stream still waits a bounded time for its first picture.
int gop_frames(const StreamSettings& settings) {
  if (!settings.smart_codec || settings.codec == VideoCodec::mjpeg) return settings.i_frame_interval;
  const int ten_seconds = 10 * frames_per_second(settings);
  return std::min(settings.i_frame_interval * 4, std::max(settings.i_frame_interval, ten_seconds));
}

// Smoothing 1..100 sets how long a burst the VBV buffer absorbs: 0.1 s (bitrate follows the
// scene closely) to 2 s (flat bitrate, keyframes borrowed from the frames around them).
double buffer_seconds(const StreamSettings& settings) {
  return 0.1 + 1.9 * (std::clamp(settings.smoothing, 1, 100) - 1) / 99.0;
}

// Video quality 1..6 maps linearly onto CRF 35..18: 18 is visually lossless for x264, 35 is
// where blocking becomes obvious; both ends stay under the max bitrate cap.
double crf_for_quality(int quality) { return 35.0 - (std::clamp(quality, 1, 6) - 1) * 17.0 / 5.0; }

// MJPEG quantiser for quality 1..6: 22 (coarse) .. 2 (finest).
int mjpeg_qscale_for_quality(int quality) { return 2 + (6 - std::clamp(quality, 1, 6)) * 4; }

const char* encoder_name(VideoCodec codec) {
  switch (codec) {
    case VideoCodec::h264: return "libx264";
    case VideoCodec::h265: return "libx265";
    case VideoCodec::mjpeg: return "mjpeg";
  }
  return "";
}

Result<void> set_option(AVCodecContext* context, const char* name, const std::string& value) {
  const int rc = av_opt_set(context->priv_data, name, value.c_str(), 0);
  if (rc < 0) return libav_error(ErrorCode::internal, std::string("encoder option ") + name + "=" + value, rc);
  return {};
}

// Rate control shared by the x264 and x265 wrappers (both read bit_rate, rc_max_rate and
// rc_buffer_size from the context and "crf" from their private options).
Result<void> configure_rate_control(AVCodecContext* context, const StreamSettings& settings) {
  const std::int64_t max_bps = std::int64_t{settings.max_bitrate_kbps} * 1000;
  if (settings.smart_codec) {
    // Average toward max_average_bitrate over a long window, peaks allowed up to the max.
    const std::int64_t average_bps = std::int64_t{settings.max_average_bitrate_kbps} * 1000;
    context->bit_rate = std::min(average_bps, max_bps);
    context->rc_max_rate = max_bps;
    context->rc_buffer_size = static_cast<int>(std::min<std::int64_t>(max_bps * 2, INT32_MAX));
    return {};
  }
  context->rc_max_rate = max_bps;
  context->rc_buffer_size =
      static_cast<int>(std::min<double>(static_cast<double>(max_bps) * buffer_seconds(settings), INT32_MAX));
  if (settings.bitrate_type == BitrateType::constant) {
    context->bit_rate = max_bps;
    return {};
  }
  char crf[16];
  std::snprintf(crf, sizeof crf, "%.1f", crf_for_quality(settings.video_quality));
  return set_option(context, "crf", crf);
}

Result<void> configure_x264(AVCodecContext* context, const StreamSettings& settings) {
  context->thread_count = k_encoder_threads;
  context->thread_type = FF_THREAD_SLICE;
  // With a global header x264 would stop writing SPS/PPS in band; repeat them before every IDR
  // so a client joining mid-stream (or a recorder cutting files) can decode. No scene-cut
  // keyframes: the GOP is exactly what the user configured.
  std::string params = "repeat-headers=1:scenecut=0:bframes=0:rc-lookahead=0";
  // x264's "profile" is only a ceiling: the ultrafast preset turns CABAC and 8x8 transforms
  // off, which would make every stream Constrained Baseline. Turn on what the chosen profile
  // is for, so a "main" or "high" stream really is one (CABAC saves 10-15 % bitrate).
  if (settings.encoding_profile == "main") params += ":cabac=1";
  if (settings.encoding_profile == "high") params += ":cabac=1:8x8dct=1";
  // ROI works through adaptive quantisation, which the ultrafast preset turns off.
  if (!settings.roi_regions.empty()) params += ":aq-mode=1";
  for (const auto& [name, value] : {
           std::pair<const char*, std::string>{"preset", k_x264_preset},
           {"tune", "zerolatency"},
           {"profile", settings.encoding_profile},
           {"forced-idr", "1"},
           {"x264-params", params},
       }) {
    if (auto set = set_option(context, name, value); !set) return set;
  }
  return configure_rate_control(context, settings);
}

Result<void> configure_x265(AVCodecContext* context, const StreamSettings& settings) {
  for (const auto& [name, value] : {
           std::pair<const char*, std::string>{"preset", k_x265_preset},
           {"tune", "zerolatency"},
           {"profile", settings.encoding_profile},
           {"forced-idr", "1"},
           {"x265-params",
            "repeat-headers=1:scenecut=0:bframes=0:rc-lookahead=0:pools=" + std::to_string(k_encoder_threads) +
                ":frame-threads=1:log-level=error" + (settings.roi_regions.empty() ? "" : ":aq-mode=1")},
       }) {
    if (auto set = set_option(context, name, value); !set) return set;
  }
  return configure_rate_control(context, settings);
}

void configure_mjpeg(AVCodecContext* context, const StreamSettings& settings) {
  context->thread_count = k_encoder_threads;
  context->thread_type = FF_THREAD_SLICE;
  const std::int64_t max_bps = std::int64_t{settings.max_bitrate_kbps} * 1000;
  if (settings.bitrate_type == BitrateType::constant) {
    // Average rate control only: every JPEG is a keyframe of similar size, and a VBV model
    // sized for inter-coded video underflows on the first one.
    context->bit_rate = max_bps;
  } else {
    context->flags |= AV_CODEC_FLAG_QSCALE;
    context->global_quality = FF_QP2LAMBDA * mjpeg_qscale_for_quality(settings.video_quality);
  }
}

// The parameter sets of the stream header, in the order consumers expect them.
Result<std::vector<std::vector<std::uint8_t>>> parameter_sets(VideoCodec codec, const AVCodecContext& context) {
  std::vector<std::vector<std::uint8_t>> sets;
  if (codec == VideoCodec::mjpeg) return sets;
  const std::vector<int> wanted = codec == VideoCodec::h264
                                      ? std::vector<int>{nal::h264_sps, nal::h264_pps}
                                      : std::vector<int>{nal::h265_vps, nal::h265_sps, nal::h265_pps};
  const auto units = split_annex_b({context.extradata, static_cast<std::size_t>(std::max(0, context.extradata_size))});
  for (const int type : wanted) {
    const auto it = std::find_if(units.begin(), units.end(),
                                 [&](const auto& unit) { return nal_unit_type(codec, unit) == type; });
    if (it == units.end()) {
      return make_error(ErrorCode::internal, std::string(to_string(codec)) + " encoder header lacks NAL unit type " +
                                                 std::to_string(type));
    }
    sets.emplace_back(it->begin(), it->end());
  }
  return sets;
}

void free_shared_frame(void* opaque, std::uint8_t* /*data*/) { delete static_cast<hal::VideoFramePtr*>(opaque); }

}  // namespace

Result<void> validate_encoder_settings(const StreamSettings& settings) {
  auto invalid = [](std::string message) { return make_error(ErrorCode::out_of_range, std::move(message)); };
  if (settings.width <= 0 || settings.height <= 0 || settings.width % 2 != 0 || settings.height % 2 != 0) {
    return invalid("resolution " + std::to_string(settings.width) + "x" + std::to_string(settings.height) +
                   " must be positive and even in both directions");
  }
  if (settings.width > 8192 || settings.height > 8192) {
    return invalid("resolution " + std::to_string(settings.width) + "x" + std::to_string(settings.height) +
                   " exceeds 8192 pixels in one direction");
  }
  if (settings.frame_rate.num <= 0 || settings.frame_rate.den <= 0 || settings.frame_rate.value() > 240.0) {
    return invalid("frame rate " + std::to_string(settings.frame_rate.num) + "/" +
                   std::to_string(settings.frame_rate.den) + " must be above 0 and at most 240 fps");
  }
  if (settings.i_frame_interval < 1 || settings.i_frame_interval > 1000) {
    return invalid("I-frame interval " + std::to_string(settings.i_frame_interval) + " must be 1..1000 frames");
  }
  if (settings.max_bitrate_kbps < 32 || settings.max_bitrate_kbps > 100000) {
    return invalid("max bitrate " + std::to_string(settings.max_bitrate_kbps) + " kbps must be 32..100000");
  }
  if (settings.smart_codec &&
      (settings.max_average_bitrate_kbps < 32 || settings.max_average_bitrate_kbps > settings.max_bitrate_kbps)) {
    return invalid("max average bitrate " + std::to_string(settings.max_average_bitrate_kbps) +
                   " kbps must be 32..max bitrate (" + std::to_string(settings.max_bitrate_kbps) + ")");
  }
  if (settings.video_quality < 1 || settings.video_quality > 6) {
    return invalid("video quality " + std::to_string(settings.video_quality) + " must be 1..6");
  }
  if (settings.smoothing < 1 || settings.smoothing > 100) {
    return invalid("smoothing " + std::to_string(settings.smoothing) + " must be 1..100");
  }
  if (!profile_supported(settings)) {
    return make_error(ErrorCode::invalid_argument, "encoding profile \"" + settings.encoding_profile +
                                                       "\" is not supported for " +
                                                       std::string(to_string(settings.codec)));
  }
  return {};
}

Result<std::unique_ptr<VideoEncoder>> VideoEncoder::open(const StreamSettings& settings) {
  if (auto valid = validate_encoder_settings(settings); !valid) return valid.error();
  route_libav_logs();

  const AVCodec* codec = avcodec_find_encoder_by_name(encoder_name(settings.codec));
  if (codec == nullptr) {
    return make_error(ErrorCode::unavailable, std::string("encoder ") + encoder_name(settings.codec) +
                                                  " is not available in this FFmpeg build");
  }
  AVCodecContext* context = avcodec_alloc_context3(codec);
  if (context == nullptr) return make_error(ErrorCode::internal, "out of memory allocating the encoder");
  // Owned from here on: the destructor frees the context whatever happens below.
  std::unique_ptr<VideoEncoder> encoder(new VideoEncoder(settings, context));

  context->width = settings.width;
  context->height = settings.height;
  context->framerate = AVRational{settings.frame_rate.num, settings.frame_rate.den};
  context->time_base = AVRational{settings.frame_rate.den, settings.frame_rate.num};
  context->gop_size = gop_frames(settings);
  context->keyint_min = context->gop_size;
  context->max_b_frames = 0;
  // Sensor frames are full-range; say so in the VUI instead of squeezing the levels.
  context->color_range = AVCOL_RANGE_JPEG;
  context->pix_fmt = settings.codec == VideoCodec::mjpeg ? AV_PIX_FMT_YUVJ420P : AV_PIX_FMT_YUV420P;
  if (settings.codec != VideoCodec::mjpeg) context->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;

  Result<void> configured;
  switch (settings.codec) {
    case VideoCodec::h264: configured = configure_x264(context, settings); break;
    case VideoCodec::h265: configured = configure_x265(context, settings); break;
    case VideoCodec::mjpeg: configure_mjpeg(context, settings); break;
  }
  if (!configured) return configured.error();

  if (const int rc = avcodec_open2(context, codec, nullptr); rc < 0) {
    return libav_error(ErrorCode::invalid_argument,
                       std::string("opening the ") + std::string(to_string(settings.codec)) + " encoder at " +
                           std::to_string(settings.width) + "x" + std::to_string(settings.height) + " failed",
                       rc);
  }
  auto sets = parameter_sets(settings.codec, *context);
  if (!sets) return sets.error();

  encoder->frame_ = av_frame_alloc();
  encoder->packet_ = av_packet_alloc();
  if (encoder->frame_ == nullptr || encoder->packet_ == nullptr) {
    return make_error(ErrorCode::internal, "out of memory allocating encoder buffers");
  }
  encoder->description_.codec = settings.codec;
  encoder->description_.width = settings.width;
  encoder->description_.height = settings.height;
  encoder->description_.frame_rate = settings.frame_rate;
  encoder->description_.parameter_sets = std::move(sets.value());
  return encoder;
}

VideoEncoder::VideoEncoder(StreamSettings settings, AVCodecContext* context)
    : settings_(std::move(settings)), context_(context) {}

VideoEncoder::~VideoEncoder() {
  av_packet_free(&packet_);
  av_frame_free(&frame_);
  avcodec_free_context(&context_);
}

int VideoEncoder::gop_length() const { return context_->gop_size; }

Result<std::vector<EncodedPacketPtr>> VideoEncoder::encode(const hal::VideoFramePtr& frame, bool force_keyframe,
                                                           std::optional<hal::Nanos> presentation_time) {
  if (!frame) return make_error(ErrorCode::invalid_argument, "no frame to encode");
  if (frame->width() != settings_.width || frame->height() != settings_.height) {
    return make_error(ErrorCode::invalid_argument,
                      "frame is " + std::to_string(frame->width()) + "x" + std::to_string(frame->height()) +
                          ", the encoder expects " + std::to_string(settings_.width) + "x" +
                          std::to_string(settings_.height));
  }
  // The buffer owns a reference to the shared frame: the planes stay valid for as long as the
  // codec keeps the AVFrame, and are released when it lets go.
  auto* holder = new hal::VideoFramePtr(frame);
  AVBufferRef* buffer =
      av_buffer_create(const_cast<std::uint8_t*>(frame->plane(0)), frame->size_bytes(), free_shared_frame, holder,
                       AV_BUFFER_FLAG_READONLY);
  if (buffer == nullptr) {
    delete holder;
    return make_error(ErrorCode::internal, "out of memory wrapping a frame");
  }
  frame_->buf[0] = buffer;
  frame_->format = context_->pix_fmt;
  frame_->width = frame->width();
  frame_->height = frame->height();
  for (int plane = 0; plane < 3; ++plane) {
    frame_->data[plane] = const_cast<std::uint8_t*>(frame->plane(plane));
    frame_->linesize[plane] = frame->stride(plane);
  }
  return encode_frame(frame_, presentation_time.value_or(frame->timestamp), force_keyframe);
}

Result<std::vector<EncodedPacketPtr>> VideoEncoder::encode(const hal::VideoFrame& frame, bool force_keyframe) {
  if (frame.width() != settings_.width || frame.height() != settings_.height) {
    return make_error(ErrorCode::invalid_argument,
                      "frame is " + std::to_string(frame.width()) + "x" + std::to_string(frame.height()) +
                          ", the encoder expects " + std::to_string(settings_.width) + "x" +
                          std::to_string(settings_.height));
  }
  frame_->format = context_->pix_fmt;
  frame_->width = frame.width();
  frame_->height = frame.height();
  if (const int rc = av_frame_get_buffer(frame_, 0); rc < 0) {
    av_frame_unref(frame_);
    return libav_error(ErrorCode::internal, "allocating an encoder frame", rc);
  }
  for (int plane = 0; plane < 3; ++plane) {
    const int width = plane == 0 ? frame.width() : frame.width() / 2;
    const int height = plane == 0 ? frame.height() : frame.height() / 2;
    av_image_copy_plane(frame_->data[plane], frame_->linesize[plane], frame.plane(plane), frame.stride(plane), width,
                        height);
  }
  return encode_frame(frame_, frame.timestamp, force_keyframe);
}

Result<void> VideoEncoder::mark_regions_of_interest(AVFrame* input) const {
  if (settings_.roi_regions.empty() || settings_.codec == VideoCodec::mjpeg) return {};
  const auto count = settings_.roi_regions.size();
  auto* side_data = av_frame_new_side_data(input, AV_FRAME_DATA_REGIONS_OF_INTEREST, count * sizeof(AVRegionOfInterest));
  if (!side_data) return make_error(ErrorCode::internal, "out of memory for the regions of interest");
  auto* regions = reinterpret_cast<AVRegionOfInterest*>(side_data->data);
  const auto edge = [](double value, int size) {
    return static_cast<int>(std::lround(std::clamp(value, 0.0, 1.0) * size));
  };
  for (std::size_t i = 0; i < count; ++i) {
    const auto& region = settings_.roi_regions[i];
    regions[i].self_size = sizeof(AVRegionOfInterest);
    regions[i].left = edge(region.x, input->width);
    regions[i].top = edge(region.y, input->height);
    regions[i].right = edge(region.x + region.width, input->width);
    regions[i].bottom = edge(region.y + region.height, input->height);
    // Level 1..6 lowers the quantiser by about 2..12 steps (the offset is a fraction of the QP range).
    regions[i].qoffset = AVRational{-std::clamp(region.level, 1, 6), 25};
  }
  return {};
}

Result<std::vector<EncodedPacketPtr>> VideoEncoder::encode_frame(AVFrame* input, hal::Nanos timestamp,
                                                                 bool force_keyframe) {
  input->pts = next_pts_++;
  input->pict_type = force_keyframe ? AV_PICTURE_TYPE_I : AV_PICTURE_TYPE_NONE;
  if (auto marked = mark_regions_of_interest(input); !marked) {
    av_frame_unref(input);
    return marked.error();
  }
  pending_.emplace_back(input->pts, timestamp);
  const int sent = avcodec_send_frame(context_, input);
  av_frame_unref(input);
  if (sent < 0) {
    pending_.pop_back();
    return libav_error(ErrorCode::internal, std::string(to_string(settings_.codec)) + " encoder refused a frame", sent);
  }

  std::vector<EncodedPacketPtr> packets;
  for (;;) {
    const int received = avcodec_receive_packet(context_, packet_);
    if (received == AVERROR(EAGAIN) || received == AVERROR_EOF) break;
    if (received < 0) {
      return libav_error(ErrorCode::internal, std::string(to_string(settings_.codec)) + " encoding failed", received);
    }
    auto packet = take_packet(*packet_);
    av_packet_unref(packet_);
    if (!packet) return packet.error();
    packets.push_back(std::move(packet.value()));
  }
  return packets;
}

Result<EncodedPacketPtr> VideoEncoder::take_packet(const AVPacket& av_packet) {
  // Without B-frames packets come out in input order; drop entries of frames the codec skipped.
  while (!pending_.empty() && pending_.front().first < av_packet.pts) pending_.pop_front();
  if (pending_.empty() || pending_.front().first != av_packet.pts) {
    return make_error(ErrorCode::internal, "encoder produced a packet for an unknown frame (pts " +
                                               std::to_string(av_packet.pts) + ")");
  }
  auto packet = std::make_shared<EncodedPacket>();
  packet->timestamp = pending_.front().second;
  pending_.pop_front();
  packet->data.assign(av_packet.data, av_packet.data + av_packet.size);
  if (settings_.codec != VideoCodec::mjpeg) packet->nal_units = nal_unit_ranges(packet->data);
  packet->keyframe = (av_packet.flags & AV_PKT_FLAG_KEY) != 0;
  packet->sequence = next_sequence_++;
  return EncodedPacketPtr(std::move(packet));
}

}  // namespace camrig::media
