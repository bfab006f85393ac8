// RTP payload format for H.264 (RFC 6184), packetization mode 1: each NAL unit of an Annex B
// access unit becomes one RTP packet, or FU-A fragments when it exceeds the MTU. Owns one
// sender's RTP state: SSRC, sequence number and the 90 kHz timestamp offset.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "device/hal/clock.hpp"
#include "device/rtsp/rtp_packet.hpp"

namespace camrig::rtsp {

class H264Packetizer {
 public:
  struct Setup {
    std::uint32_t ssrc = 0;
    std::uint16_t first_sequence = 0;
    //! Added to every timestamp so that RTP time does not reveal the device clock (RFC 3550 §5.1).
    std::uint32_t timestamp_offset = 0;
    //! Largest RTP packet (header and payload) to emit; keeps UDP datagrams below the path MTU.
    std::size_t mtu = 1400;
    std::uint8_t payload_type = 96;
  };

  explicit H264Packetizer(Setup setup);

  //! Appends the RTP packets of one access unit to `out`; their payloads point into
  //! `access_unit`. The last packet carries the marker bit.
  void packetize(std::span<const std::uint8_t> access_unit, hal::Nanos timestamp, std::vector<RtpPacket>& out);

  //! The RTP timestamp of a device-clock time (90 kHz, with this sender's offset).
  std::uint32_t rtp_timestamp(hal::Nanos timestamp) const;
  std::uint16_t next_sequence() const { return sequence_; }
  std::uint32_t ssrc() const { return setup_.ssrc; }

 private:
  RtpPacket& add_packet(std::vector<RtpPacket>& out, std::uint32_t rtp_time);

  Setup setup_;
  std::uint16_t sequence_;
};

}  // namespace camrig::rtsp
