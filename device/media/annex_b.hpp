// H.264/H.265 byte-stream (Annex B) framing: finding NAL units between start codes and naming
// their types. Shared by the encoder (parameter sets out of extradata) and stream consumers.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "device/media/encoded_packet.hpp"

namespace camrig::media {

//! The NAL units of an Annex B buffer, each without its start code (3- or 4-byte). Bytes before
//! the first start code are ignored; an empty buffer gives no units.
std::vector<std::span<const std::uint8_t>> split_annex_b(std::span<const std::uint8_t> bytes);

//! EncodedPacket::nal_units of an access unit: split_annex_b() as offsets into `access_unit`.
//! Whoever publishes H.264/H.265 packets (the encoder, a file source) cuts them once with this,
//! so that no consumer scans for start codes again.
std::vector<NalUnitRange> nal_unit_ranges(std::span<const std::uint8_t> access_unit);

//! The nal_unit_type of a unit (without start code): 5 bits for H.264, 6 bits for H.265.
int nal_unit_type(VideoCodec codec, std::span<const std::uint8_t> nal_unit);

// NAL unit types the media pipeline cares about.
namespace nal {
inline constexpr int h264_idr = 5;
inline constexpr int h264_sei = 6;
inline constexpr int h264_sps = 7;
inline constexpr int h264_pps = 8;
inline constexpr int h265_idr_w_radl = 19;
inline constexpr int h265_idr_n_lp = 20;
inline constexpr int h265_vps = 32;
inline constexpr int h265_sps = 33;
inline constexpr int h265_pps = 34;
}  // namespace nal

}  // namespace camrig::media
