// The RTP payload of the ONVIF metadata track (ONVIF Streaming §5.2.1.1): one XML document cut
// into packets of at most the MTU, all with the document's 90 kHz timestamp, the marker bit on
// its last packet so that clients know where a document ends.
#pragma once

#include "device/rtsp/packetizer.hpp"

namespace camrig::rtsp {

//! Dynamic payload type of the metadata track; distinct from the video's 96.
inline constexpr std::uint8_t kMetadataPayloadType = 107;
//! The control URL suffix of the metadata track.
inline constexpr const char* kMetadataControl = "trackID=2";
inline constexpr int kMetadataTrackId = 2;

class MetadataPacketizer final : public Packetizer {
 public:
  //! `setup.payload_type` is replaced by kMetadataPayloadType.
  explicit MetadataPacketizer(Setup setup);
  void packetize(std::span<const std::uint8_t> document, hal::Nanos timestamp, std::vector<RtpPacket>& out) override;
  using Packetizer::packetize;

 private:
  static Setup with_payload_type(Setup setup);
};

}  // namespace camrig::rtsp
