#include "device/rtsp/h265_packetizer.hpp"

namespace camrig::rtsp {

namespace {

constexpr std::uint8_t kFragmentationUnit = 49;

// FU (RFC 7798 §4.4.3): a payload header copying F, LayerId and TID of the NAL unit header with
// type 49, then the FU header with the original type; the two-byte NAL unit header itself is
// not repeated in the fragments.
Packetizer::FragmentHeader fu_header(std::span<const std::uint8_t> unit) {
  return {{static_cast<std::uint8_t>((unit[0] & 0x81) | (kFragmentationUnit << 1)), unit[1],
           static_cast<std::uint8_t>((unit[0] >> 1) & 0x3f)},
          3};
}

}  // namespace

void H265Packetizer::packetize(std::span<const std::uint8_t> access_unit, hal::Nanos timestamp,
                               std::vector<RtpPacket>& out) {
  packetize_nal_units(access_unit, timestamp, out, 2, fu_header);
}

}  // namespace camrig::rtsp
