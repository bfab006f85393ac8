#include "device/rtsp/sdp.hpp"

#include "device/core/base64.hpp"

#include <cstdio>

#include "device/rtsp/metadata_packetizer.hpp"
#include "device/rtsp/packetizer.hpp"

namespace camrig::rtsp {

namespace {

std::string frame_rate_text(const hal::Rational& rate) {
  if (rate.den == 0 || rate.num <= 0) return {};
  if (rate.num % rate.den == 0) return std::to_string(rate.num / rate.den);
  char text[32];
  std::snprintf(text, sizeof text, "%.3f", rate.value());
  return text;
}

Result<std::string> h264_fmtp(const media::StreamDescription& description) {
  const std::vector<std::uint8_t>* sps = nullptr;
  const std::vector<std::uint8_t>* pps = nullptr;
  for (const auto& nal : description.parameter_sets) {
    if (nal.empty()) continue;
    const int type = nal[0] & 0x1f;
    if (type == 7 && !sps) sps = &nal;
    if (type == 8 && !pps) pps = &nal;
  }
  if (!sps || !pps || sps->size() < 4)
    return make_error(ErrorCode::invalid_argument, "H.264 stream description has no SPS/PPS");
  char profile_level_id[7];
  std::snprintf(profile_level_id, sizeof profile_level_id, "%02X%02X%02X", (*sps)[1], (*sps)[2], (*sps)[3]);
  return "packetization-mode=1;profile-level-id=" + std::string(profile_level_id) +
         ";sprop-parameter-sets=" + core::base64_encode(*sps) + "," + core::base64_encode(*pps);
}

//! RFC 7798 §7.1: the parameter sets, each base64 without start code.
Result<std::string> h265_fmtp(const media::StreamDescription& description) {
  const std::vector<std::uint8_t>* vps = nullptr;
  const std::vector<std::uint8_t>* sps = nullptr;
  const std::vector<std::uint8_t>* pps = nullptr;
  for (const auto& nal : description.parameter_sets) {
    if (nal.size() < 2) continue;
    const int type = (nal[0] >> 1) & 0x3f;
    if (type == 32 && !vps) vps = &nal;
    if (type == 33 && !sps) sps = &nal;
    if (type == 34 && !pps) pps = &nal;
  }
  if (!vps || !sps || !pps) return make_error(ErrorCode::invalid_argument, "H.265 stream description has no VPS/SPS/PPS");
  return "sprop-vps=" + core::base64_encode(*vps) + ";sprop-sps=" + core::base64_encode(*sps) + ";sprop-pps=" + core::base64_encode(*pps);
}

}  // namespace


Result<std::string> make_sdp(const media::StreamDescription& description, const SdpOrigin& origin,
                             bool metadata_track) {
  std::string rtpmap;
  std::string fmtp;
  switch (description.codec) {
    case media::VideoCodec::h264: {
      auto parameters = h264_fmtp(description);
      if (!parameters) return parameters.error();
      rtpmap = "H264/90000";
      fmtp = std::move(*parameters);
      break;
    }
    case media::VideoCodec::h265: {
      auto parameters = h265_fmtp(description);
      if (!parameters) return parameters.error();
      rtpmap = "H265/90000";
      fmtp = std::move(*parameters);
      break;
    }
    case media::VideoCodec::mjpeg:
      // Static payload type 26 (RFC 3551); size and tables travel in every RTP packet.
      rtpmap = "JPEG/90000";
      break;
    default:
      return make_error(ErrorCode::out_of_range,
                        std::string(media::to_string(description.codec)) + " streams cannot be served over RTSP");
  }
  const auto pt = std::to_string(payload_type_for(description.codec));
  std::string sdp;
  sdp += "v=0\r\n";
  sdp += "o=- " + std::to_string(origin.session_id) + " " + std::to_string(origin.version) + " IN IP4 " + origin.address + "\r\n";
  sdp += "s=Media Presentation\r\n";
  sdp += "t=0 0\r\n";
  sdp += "c=IN IP4 0.0.0.0\r\n";
  sdp += "a=control:*\r\n";
  sdp += "a=range:npt=0-\r\n";
  sdp += "m=video 0 RTP/AVP " + pt + "\r\n";
  sdp += "a=rtpmap:" + pt + " " + rtpmap + "\r\n";
  if (!fmtp.empty()) sdp += "a=fmtp:" + pt + " " + fmtp + "\r\n";
  if (const auto rate = frame_rate_text(description.frame_rate); !rate.empty()) sdp += "a=framerate:" + rate + "\r\n";
  if (description.width > 0 && description.height > 0)
    sdp += "a=x-dimensions:" + std::to_string(description.width) + "," + std::to_string(description.height) + "\r\n";
  sdp += std::string("a=control:") + kVideoControl + "\r\n";
  if (metadata_track) {
    const auto metadata_pt = std::to_string(kMetadataPayloadType);
    sdp += "m=application 0 RTP/AVP " + metadata_pt + "\r\n";
    sdp += "a=rtpmap:" + metadata_pt + " VND.ONVIF.metadata/90000\r\n";
    sdp += std::string("a=control:") + kMetadataControl + "\r\n";
  }
  return sdp;
}

}  // namespace camrig::rtsp
