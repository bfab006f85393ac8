// One encoded access unit and the description a stream's consumers need to decode it.
// Packets are immutable and shared: RTSP sessions, the recorder and snapshots hold the same
// buffer, so fan-out costs a reference count, not a copy.
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "device/hal/video_frame.hpp"

namespace camrig::media {

enum class VideoCodec { h264, h265, mjpeg };

std::string_view to_string(VideoCodec codec);

//! One NAL unit inside an access unit: where its first byte (after the start code) is, and its size.
struct NalUnitRange {
  std::uint32_t offset = 0;
  std::uint32_t size = 0;
  friend bool operator==(const NalUnitRange&, const NalUnitRange&) = default;
};

struct EncodedPacket {
  //! H.264/H.265: one access unit in Annex B byte-stream form (start codes); MJPEG: one JPEG.
  std::vector<std::uint8_t> data;
  //! H.264/H.265: the NAL units of `data`, cut once by the encoder, so that consumers (every
  //! RTSP client, the multicast sender) never scan for start codes again. Empty for MJPEG.
  std::vector<NalUnitRange> nal_units;
  //! Presentation time on the device clock: the capture time, or for a stream decimated from the
  //! sensor's rate the slot of the stream's own frame grid that the frame fills (at most half a
  //! sensor frame from its capture time), so timestamps are regular at the stream's rate.
  hal::Nanos timestamp{0};
  bool keyframe = false;
  //! Packet counter of the stream since the encoder was (re)opened.
  std::uint64_t sequence = 0;
};

using EncodedPacketPtr = std::shared_ptr<const EncodedPacket>;

//! What a consumer needs before the first packet: codec, size, rate and parameter sets.
struct StreamDescription {
  VideoCodec codec = VideoCodec::h264;
  int width = 0;
  int height = 0;
  hal::Rational frame_rate{25, 1};
  //! H.264: SPS, PPS; H.265: VPS, SPS, PPS. Each NAL unit without its start code.
  std::vector<std::vector<std::uint8_t>> parameter_sets;
  //! Changes whenever the encoder is reopened with new settings.
  std::uint64_t generation = 0;
};

}  // namespace camrig::media
