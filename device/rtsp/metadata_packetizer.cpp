#include "device/rtsp/metadata_packetizer.hpp"

#include <algorithm>

namespace camrig::rtsp {

MetadataPacketizer::Setup MetadataPacketizer::with_payload_type(Setup setup) {
  setup.payload_type = kMetadataPayloadType;
  return setup;
}

MetadataPacketizer::MetadataPacketizer(Setup setup) : Packetizer(with_payload_type(setup)) {}

void MetadataPacketizer::packetize(std::span<const std::uint8_t> document, hal::Nanos timestamp,
                                   std::vector<RtpPacket>& out) {
  if (document.empty()) return;
  const auto rtp_time = rtp_timestamp(timestamp);
  const auto first = out.size();
  const std::size_t chunk = setup().mtu > kRtpHeaderBytes ? setup().mtu - kRtpHeaderBytes : 1;
  while (!document.empty()) {
    const auto take = std::min(chunk, document.size());
    add_packet(out, rtp_time).payload = document.first(take);
    document = document.subspan(take);
  }
  mark_last(out, first);
}

}  // namespace camrig::rtsp
