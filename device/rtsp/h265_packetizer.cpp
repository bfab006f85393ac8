#include "device/rtsp/h265_packetizer.hpp"

#include <algorithm>

#include "device/media/annex_b.hpp"

namespace camrig::rtsp {

namespace {

constexpr std::uint8_t kFragmentationUnit = 49;
//! The two-byte payload header and the FU header.
constexpr std::size_t kFuHeaderBytes = 3;

}  // namespace

void H265Packetizer::packetize(std::span<const std::uint8_t> access_unit, hal::Nanos timestamp,
                               std::vector<RtpPacket>& out) {
  const auto rtp_time = rtp_timestamp(timestamp);
  const auto first = out.size();
  const auto mtu = setup().mtu;
  const std::size_t max_payload = mtu > kRtpHeaderBytes + kFuHeaderBytes ? mtu - kRtpHeaderBytes : kFuHeaderBytes + 1;
  for (const auto nal : media::split_annex_b(access_unit)) {
    if (nal.size() < 2) continue;  // not even a NAL unit header
    if (nal.size() <= max_payload) {
      add_packet(out, rtp_time).payload = nal;
      continue;
    }
    // FU (RFC 7798 §4.4.3): the payload header copies F, LayerId and TID of the NAL unit header
    // with type 49; the FU header carries S/E and the original type; the NAL unit header itself
    // is not repeated in the fragments.
    const std::uint8_t header0 = static_cast<std::uint8_t>((nal[0] & 0x81) | (kFragmentationUnit << 1));
    const std::uint8_t header1 = nal[1];
    const std::uint8_t type = static_cast<std::uint8_t>((nal[0] >> 1) & 0x3f);
    const std::size_t chunk = max_payload - kFuHeaderBytes;
    auto rest = nal.subspan(2);
    bool start = true;
    while (!rest.empty()) {
      const auto take = std::min(chunk, rest.size());
      const bool end = take == rest.size();
      auto& packet = add_packet(out, rtp_time);
      auto* h = packet.head.data() + RtpPacket::kInterleaveBytes;
      h[12] = header0;
      h[13] = header1;
      h[14] = static_cast<std::uint8_t>((start ? 0x80 : 0) | (end ? 0x40 : 0) | type);
      packet.header_size = kRtpHeaderBytes + kFuHeaderBytes;
      packet.payload = rest.first(take);
      rest = rest.subspan(take);
      start = false;
    }
  }
  mark_last(out, first);
}

}  // namespace camrig::rtsp
