// RTP payload format for H.265 (RFC 7798) without DONL (sprop-max-don-diff = 0): each NAL unit
// of an Annex B access unit becomes one RTP packet (single NAL unit packet), or Fragmentation
// Units (type 49) when it exceeds the MTU.
#pragma once

#include "device/rtsp/packetizer.hpp"

namespace camrig::rtsp {

class H265Packetizer final : public Packetizer {
 public:
  using Packetizer::Packetizer;

  void packetize(std::span<const std::uint8_t> access_unit, hal::Nanos timestamp, std::vector<RtpPacket>& out) override;
};

}  // namespace camrig::rtsp
