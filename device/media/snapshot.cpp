#include "device/media/snapshot.hpp"

#include <string>

#include "device/media/frame_scaler.hpp"
#include "device/media/video_encoder.hpp"

namespace camrig::media {

Result<Snapshot> take_snapshot(const hal::VideoFramePtr& frame, SnapshotSize size) {
  if (!frame) return make_error(ErrorCode::unavailable, "no picture yet: the channel has not delivered a frame");
  if (size.width <= 0 || size.height <= 0 || size.width % 2 != 0 || size.height % 2 != 0 ||
      size.width > kMaxSnapshotSide || size.height > kMaxSnapshotSide)
    return make_error(ErrorCode::out_of_range, "snapshot size " + std::to_string(size.width) + "x" +
                                                   std::to_string(size.height) + " is not usable: width and height must be even, from 2 to " +
                                                   std::to_string(kMaxSnapshotSide));
  hal::VideoFramePtr picture = frame;
  if (frame->width() != size.width || frame->height() != size.height) {
    auto scaler = FrameScaler::create(size.width, size.height);
    if (!scaler) return scaler.error();
    auto scaled = scaler->scale(*frame);
    if (!scaled) return scaled.error();
    picture = std::move(*scaled);
  }
  StreamSettings settings;
  settings.codec = VideoCodec::mjpeg;
  settings.width = size.width;
  settings.height = size.height;
  settings.bitrate_type = BitrateType::variable;
  settings.video_quality = 6;  // a still picture is judged up close: highest quality
  auto encoder = VideoEncoder::open(settings);
  if (!encoder) return encoder.error();
  auto packets = (*encoder)->encode(picture, true);
  if (!packets) return packets.error();
  if (packets->empty()) return make_error(ErrorCode::internal, "the JPEG encoder returned no picture");
  return Snapshot{packets->front()->data, size.width, size.height, frame->timestamp};
}

}  // namespace camrig::media
