// One outgoing RTP packet of one client: the few header bytes that differ per client live
// here, the payload is a view into the shared encoded packet (which the sender keeps alive).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

namespace camrig::rtsp {

struct RtpPacket {
  //! Room in front of the RTP header for the TCP interleave prefix ('$', channel, length).
  static constexpr std::size_t kInterleaveBytes = 4;
  //! RTP fixed header (12) plus the largest payload header: RFC 2435's main (8), restart (4)
  //! and quantisation table (4 + 128) headers of a JPEG's first packet.
  static constexpr std::size_t kMaxHeaderBytes = 12 + 8 + 4 + 4 + 128;

  std::array<std::uint8_t, kInterleaveBytes + kMaxHeaderBytes> head{};
  std::uint8_t header_size = 12;
  static_assert(kMaxHeaderBytes <= 255);
  //! Bytes inside the access unit this packet was cut from.
  std::span<const std::uint8_t> payload;

  std::span<const std::uint8_t> rtp_header() const { return {head.data() + kInterleaveBytes, header_size}; }
  //! '$' prefix followed by the RTP header, ready for a TCP write.
  std::span<const std::uint8_t> interleaved_header(std::uint8_t channel) {
    const auto length = size();
    head[0] = '$';
    head[1] = channel;
    head[2] = static_cast<std::uint8_t>(length >> 8);
    head[3] = static_cast<std::uint8_t>(length & 0xff);
    return {head.data(), kInterleaveBytes + header_size};
  }
  //! Size of the RTP packet (header and payload), without the interleave prefix.
  std::size_t size() const { return header_size + payload.size(); }
  bool marker() const { return (head[kInterleaveBytes + 1] & 0x80) != 0; }
};

}  // namespace camrig::rtsp
