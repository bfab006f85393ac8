// The session description (RFC 4566) a DESCRIBE returns for one stream, built from the
// stream hub's description: codec, frame rate and the parameter sets (RFC 6184 §8.1 for H.264,
// RFC 7798 §7.1 for H.265; RFC 2435 JPEG needs none).
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "device/core/result.hpp"
#include "device/media/encoded_packet.hpp"

namespace camrig::rtsp {

struct SdpOrigin {
  //! o= session id and version; the version changes when the encoder is reopened.
  std::uint64_t session_id = 0;
  std::uint64_t version = 0;
  //! The address the client reached us at, for o= (informational to clients).
  std::string address = "0.0.0.0";
};

//! The payload type of the single video track for H.264/H.265; JPEG uses the static type 26
//! (see payload_type_for()).
inline constexpr int kVideoPayloadType = 96;
//! The control URL suffix of the video track.
inline constexpr const char* kVideoControl = "trackID=1";

//! out_of_range (415) for a codec with no RTP payloader; invalid_argument when the description
//! lacks what the payload format needs (H.264 without SPS and PPS). With `metadata_track`, an
//! ONVIF metadata track (application/VND.ONVIF.metadata, see metadata_packetizer.hpp) follows the video.
Result<std::string> make_sdp(const media::StreamDescription& description, const SdpOrigin& origin,
                             bool metadata_track = false);

}  // namespace camrig::rtsp
