// RTP payload format for H.264 (RFC 6184), packetization mode 1: each NAL unit of an Annex B
// access unit becomes one RTP packet, or FU-A fragments when it exceeds the MTU.
#pragma once

#include "device/rtsp/packetizer.hpp"

namespace camrig::rtsp {

class H264Packetizer final : public Packetizer {
 public:
  using Packetizer::Packetizer;

  void packetize(std::span<const std::uint8_t> access_unit, hal::Nanos timestamp, std::vector<RtpPacket>& out) override;
};

}  // namespace camrig::rtsp
