// RTP payload format for JPEG (RFC 2435) as libavcodec's mjpeg encoder produces it: baseline,
// 8-bit quantisation tables, 4:2:0 or 4:2:2 (yuvj420p/yuvj422p), optional restart markers.
// The JPEG headers are not sent; each packet carries the main JPEG header (type, Q = 255,
// size in 8-pixel blocks, fragment offset) and the first one also the quantisation tables, so
// the receiver rebuilds the headers. Receivers assume the standard Huffman tables (K.3).
#pragma once

#include <array>
#include <cstdint>
#include <span>

#include "device/core/result.hpp"
#include "device/rtsp/packetizer.hpp"

namespace camrig::rtsp {

//! What RFC 2435 needs of one JPEG image.
struct JpegFrame {
  //! 0 = 4:2:2, 1 = 4:2:0; plus 64 when restart markers are present.
  std::uint8_t type = 1;
  int width = 0;
  int height = 0;
  //! MCUs between restart markers; 0 when the image has none.
  std::uint16_t restart_interval = 0;
  //! Luma table then chroma table, 64 bytes each in zig-zag order, as in the DQT segment.
  std::array<std::uint8_t, 128> quantization_tables{};
  //! The entropy-coded data after the SOS header, without the final EOI marker.
  std::span<const std::uint8_t> scan;
  //! False when the DHT segments differ from the standard tables the receiver will assume.
  bool standard_huffman_tables = true;
};

//! invalid_argument for data that is not a baseline JPEG, out_of_range for one RFC 2435 cannot
//! describe (not 3 components, other sampling, 16-bit tables, larger than 2040 pixels).
Result<JpegFrame> parse_jpeg(std::span<const std::uint8_t> jpeg);

class JpegPacketizer final : public Packetizer {
 public:
  using Packetizer::Packetizer;

  void packetize(std::span<const std::uint8_t> jpeg, hal::Nanos timestamp, std::vector<RtpPacket>& out) override;

 private:
  bool warned_ = false;
};

}  // namespace camrig::rtsp
