// An RTP payload format: cuts one encoded packet (an access unit or a JPEG) into RTP packets
// whose payloads point into it. One sender's RTP state lives here: SSRC, sequence number and
// the 90 kHz timestamp offset. make_packetizer() picks the format for a stream's codec:
// H.264 (RFC 6184), H.265 (RFC 7798) or JPEG (RFC 2435).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "device/hal/clock.hpp"
#include "device/media/encoded_packet.hpp"
#include "device/rtsp/rtp_packet.hpp"

namespace camrig::rtsp {

//! The RTP sender state a packetizer starts with.
struct RtpSetup {
  std::uint32_t ssrc = 0;
  std::uint16_t first_sequence = 0;
  //! Added to every timestamp so that RTP time does not reveal the device clock (RFC 3550 §5.1).
  std::uint32_t timestamp_offset = 0;
  //! Largest RTP packet (header and payload) to emit; keeps UDP datagrams below the path MTU.
  std::size_t mtu = 1400;
  std::uint8_t payload_type = 96;
};

class Packetizer {
 public:
  using Setup = RtpSetup;

  //! What replaces a NAL unit's own header in front of each of its fragments; the last byte is
  //! the FU header, whose start and end bits packetize_nal_units() sets.
  struct FragmentHeader {
    std::array<std::uint8_t, 3> bytes{};
    std::size_t size = 0;
  };

  explicit Packetizer(Setup setup);
  virtual ~Packetizer() = default;
  Packetizer(const Packetizer&) = delete;
  Packetizer& operator=(const Packetizer&) = delete;

  //! Appends the RTP packets of one encoded packet to `out`; their payloads point into `data`.
  //! The last packet carries the marker bit. Data the format cannot carry adds nothing.
  virtual void packetize(std::span<const std::uint8_t> data, hal::Nanos timestamp, std::vector<RtpPacket>& out) = 0;
  //! The same for a packet of the encoder, using the NAL units it already cut (no start-code scan).
  void packetize(const media::EncodedPacket& packet, std::vector<RtpPacket>& out);

  //! The RTP timestamp of a device-clock time (90 kHz, with this sender's offset).
  std::uint32_t rtp_timestamp(hal::Nanos timestamp) const;
  std::uint16_t next_sequence() const { return sequence_; }
  std::uint32_t ssrc() const { return setup_.ssrc; }
  std::uint8_t payload_type() const { return setup_.payload_type; }

 protected:
  static constexpr std::size_t kRtpHeaderBytes = 12;
  //! A packet with the fixed RTP header filled in (no marker) and the next sequence number.
  RtpPacket& add_packet(std::vector<RtpPacket>& out, std::uint32_t rtp_time);
  //! Sets the marker bit on the last of the packets appended since `first`.
  static void mark_last(std::vector<RtpPacket>& out, std::size_t first);

  //! H.264 and H.265: each NAL unit of an Annex B access unit goes in one packet when it fits,
  //! else in fragmentation units that drop its first `nal_header_bytes` and carry
  //! `fragment_header(unit)` instead. Marks the access unit's last packet.
  void packetize_nal_units(std::span<const std::uint8_t> access_unit, hal::Nanos timestamp,
                           std::vector<RtpPacket>& out, std::size_t nal_header_bytes,
                           FragmentHeader (*fragment_header)(std::span<const std::uint8_t> unit));
  const Setup& setup() const { return setup_; }

 private:
  Setup setup_;
  std::uint16_t sequence_;
  // The NAL units of the packet being cut, while packetize(const EncodedPacket&) runs.
  const std::vector<media::NalUnitRange>* known_units_ = nullptr;
};

//! The RTP payload type of a codec: 26 for JPEG (static, RFC 3551), 96 (dynamic) otherwise.
std::uint8_t payload_type_for(media::VideoCodec codec);

//! The payload format of `codec`; `setup.payload_type` is replaced by payload_type_for(codec).
std::unique_ptr<Packetizer> make_packetizer(media::VideoCodec codec, RtpSetup setup);

}  // namespace camrig::rtsp
