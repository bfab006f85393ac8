#include "device/rtsp/h264_packetizer.hpp"

namespace camrig::rtsp {

namespace {

constexpr std::uint8_t kFuA = 28;

// FU-A: the FU indicator (F and NRI of the NAL unit, type 28), then the FU header with the
// original type; the NAL unit's own header byte is not repeated in the fragments.
Packetizer::FragmentHeader fu_a_header(std::span<const std::uint8_t> unit) {
  return {{static_cast<std::uint8_t>((unit[0] & 0xe0) | kFuA), static_cast<std::uint8_t>(unit[0] & 0x1f)}, 2};
}

}  // namespace

void H264Packetizer::packetize(std::span<const std::uint8_t> access_unit, hal::Nanos timestamp,
                               std::vector<RtpPacket>& out) {
  packetize_nal_units(access_unit, timestamp, out, 1, fu_a_header);
}

}  // namespace camrig::rtsp
