#include "device/rtsp/h264_packetizer.hpp"

#include <algorithm>

#include "device/media/annex_b.hpp"

namespace camrig::rtsp {

namespace {

constexpr std::uint8_t kFuA = 28;

}  // namespace

void H264Packetizer::packetize(std::span<const std::uint8_t> access_unit, hal::Nanos timestamp,
                               std::vector<RtpPacket>& out) {
  const auto rtp_time = rtp_timestamp(timestamp);
  const auto first = out.size();
  const auto mtu = setup().mtu;
  const std::size_t max_payload = mtu > kRtpHeaderBytes + 2 ? mtu - kRtpHeaderBytes : 3;
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
  mark_last(out, first);
}

}  // namespace camrig::rtsp
