#include "device/rtsp/h264_packetizer.hpp"

#include "device/media/annex_b.hpp"

#include <algorithm>

namespace camrig::rtsp {

namespace {

constexpr std::size_t kRtpHeaderBytes = 12;
constexpr std::uint8_t kFuA = 28;

}  // namespace

H264Packetizer::H264Packetizer(Setup setup) : setup_(setup), sequence_(setup.first_sequence) {}

std::uint32_t H264Packetizer::rtp_timestamp(hal::Nanos timestamp) const {
  // 90 kHz = 9 ticks per 100 us; the 64-bit product is exact for ~3000 years of device time.
  const auto ticks = static_cast<std::uint64_t>(timestamp.count()) * 9 / 100'000;
  return static_cast<std::uint32_t>(ticks + setup_.timestamp_offset);
}

RtpPacket& H264Packetizer::add_packet(std::vector<RtpPacket>& out, std::uint32_t rtp_time) {
  auto& packet = out.emplace_back();
  auto* h = packet.head.data() + RtpPacket::kInterleaveBytes;
  h[0] = 0x80;  // version 2, no padding, no extension, no CSRC
  h[1] = setup_.payload_type & 0x7f;
  h[2] = static_cast<std::uint8_t>(sequence_ >> 8);
  h[3] = static_cast<std::uint8_t>(sequence_ & 0xff);
  h[4] = static_cast<std::uint8_t>(rtp_time >> 24);
  h[5] = static_cast<std::uint8_t>(rtp_time >> 16);
  h[6] = static_cast<std::uint8_t>(rtp_time >> 8);
  h[7] = static_cast<std::uint8_t>(rtp_time);
  h[8] = static_cast<std::uint8_t>(setup_.ssrc >> 24);
  h[9] = static_cast<std::uint8_t>(setup_.ssrc >> 16);
  h[10] = static_cast<std::uint8_t>(setup_.ssrc >> 8);
  h[11] = static_cast<std::uint8_t>(setup_.ssrc);
  packet.header_size = kRtpHeaderBytes;
  ++sequence_;
  return packet;
}

void H264Packetizer::packetize(std::span<const std::uint8_t> access_unit, hal::Nanos timestamp,
                               std::vector<RtpPacket>& out) {
  const auto rtp_time = rtp_timestamp(timestamp);
  const auto first = out.size();
  const std::size_t max_payload = setup_.mtu > kRtpHeaderBytes + 2 ? setup_.mtu - kRtpHeaderBytes : 3;
  for (const auto nal : media::split_annex_b(access_unit)) {
    if (nal.size() <= max_payload) {
      add_packet(out, rtp_time).payload = nal;
      continue;
    }
    // FU-A: the NAL header is replaced by the FU indicator (F and NRI of the NAL, type 28)
    // and the FU header (S/E flags and the original type) in front of every fragment.
    const std::uint8_t indicator = static_cast<std::uint8_t>((nal[0] & 0xe0) | kFuA);
    const std::uint8_t type = nal[0] & 0x1f;
    const std::size_t chunk = max_payload - 2;
    auto rest = nal.subspan(1);
    bool start = true;
    while (!rest.empty()) {
      const auto take = std::min(chunk, rest.size());
      const bool end = take == rest.size();
      auto& packet = add_packet(out, rtp_time);
      auto* h = packet.head.data() + RtpPacket::kInterleaveBytes;
      h[12] = indicator;
      h[13] = static_cast<std::uint8_t>((start ? 0x80 : 0) | (end ? 0x40 : 0) | type);
      packet.header_size = kRtpHeaderBytes + 2;
      packet.payload = rest.first(take);
      rest = rest.subspan(take);
      start = false;
    }
  }
  if (out.size() > first) out.back().head[RtpPacket::kInterleaveBytes + 1] |= 0x80;
}

}  // namespace camrig::rtsp
