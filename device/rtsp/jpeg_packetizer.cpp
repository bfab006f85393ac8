#include "device/rtsp/jpeg_packetizer.hpp"

#include <algorithm>
#include <cstring>
#include <optional>
#include <string>

#include "device/core/log.hpp"

namespace camrig::rtsp {

namespace {

constexpr std::size_t kMainHeaderBytes = 8;
constexpr std::size_t kRestartHeaderBytes = 4;
constexpr std::size_t kQuantizationHeaderBytes = 4;
//! Q values 128..255 mean "tables in the first packet"; 255 also means "do not cache them".
constexpr std::uint8_t kDynamicQ = 255;

// Standard Huffman tables of ITU T.81 Annex K.3 (code lengths then values), as DHT payloads:
// class/id byte, 16 counts, values.
constexpr std::uint8_t kDcLuminance[] = {0x00, 0, 1, 5, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0,
                                         0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11};
constexpr std::uint8_t kDcChrominance[] = {0x01, 0, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0,
                                           0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11};
constexpr std::uint8_t kAcLuminanceCounts[] = {0x10, 0, 2, 1, 3, 3, 2, 4, 3, 5, 5, 4, 4, 0, 0, 1, 0x7d};
constexpr std::uint8_t kAcChrominanceCounts[] = {0x11, 0, 2, 1, 2, 4, 4, 3, 4, 7, 5, 4, 4, 0, 1, 2, 0x77};

std::uint16_t be16(std::span<const std::uint8_t> bytes, std::size_t at) {
  return static_cast<std::uint16_t>(bytes[at] << 8 | bytes[at + 1]);
}

//! Checks one table of a DHT segment against the standard ones; returns its size or nullopt.
std::optional<std::size_t> check_huffman_table(std::span<const std::uint8_t> table, bool& standard) {
  if (table.size() < 17) return std::nullopt;
  std::size_t values = 0;
  for (std::size_t i = 1; i <= 16; ++i) values += table[i];
  if (table.size() < 17 + values) return std::nullopt;
  const auto whole = table.first(17 + values);
  const auto same_prefix = [&](std::span<const std::uint8_t> reference) {
    return whole.size() >= reference.size() && std::equal(reference.begin(), reference.end(), whole.begin());
  };
  switch (table[0]) {
    case 0x00: standard = standard && same_prefix(kDcLuminance) && whole.size() == sizeof kDcLuminance; break;
    case 0x01: standard = standard && same_prefix(kDcChrominance) && whole.size() == sizeof kDcChrominance; break;
    // AC value lists are long; the counts identify the standard tables in practice.
    case 0x10: standard = standard && same_prefix(kAcLuminanceCounts); break;
    case 0x11: standard = standard && same_prefix(kAcChrominanceCounts); break;
    default: standard = false; break;
  }
  return whole.size();
}

}  // namespace

Result<JpegFrame> parse_jpeg(std::span<const std::uint8_t> jpeg) {
  if (jpeg.size() < 4 || jpeg[0] != 0xff || jpeg[1] != 0xd8)
    return make_error(ErrorCode::invalid_argument, "not a JPEG image (no SOI marker)");
  JpegFrame frame;
  std::array<std::optional<std::array<std::uint8_t, 64>>, 4> tables;
  std::array<std::uint8_t, 3> component_tables{};
  bool have_frame = false;
  std::size_t at = 2;
  while (at + 4 <= jpeg.size()) {
    if (jpeg[at] != 0xff) return make_error(ErrorCode::invalid_argument, "JPEG marker expected at byte " + std::to_string(at));
    const std::uint8_t marker = jpeg[at + 1];
    if (marker == 0xff) {  // fill byte
      ++at;
      continue;
    }
    const std::size_t length = be16(jpeg, at + 2);
    if (length < 2 || at + 2 + length > jpeg.size())
      return make_error(ErrorCode::invalid_argument, "truncated JPEG segment");
    const auto body = jpeg.subspan(at + 4, length - 2);
    switch (marker) {
      case 0xdb: {  // DQT: one or more tables
        for (std::size_t p = 0; p < body.size();) {
          const std::uint8_t precision = body[p] >> 4;
          const std::uint8_t id = body[p] & 0x0f;
          if (precision != 0) return make_error(ErrorCode::out_of_range, "16-bit JPEG quantisation tables cannot be sent over RTP");
          if (id > 3 || p + 65 > body.size()) return make_error(ErrorCode::invalid_argument, "malformed DQT segment");
          std::array<std::uint8_t, 64> table{};
          std::copy_n(body.begin() + static_cast<std::ptrdiff_t>(p + 1), 64, table.begin());
          tables[id] = table;
          p += 65;
        }
        break;
      }
      case 0xc0: {  // SOF0, baseline
        if (body.size() < 6) return make_error(ErrorCode::invalid_argument, "malformed SOF0 segment");
        frame.height = be16(body, 1);
        frame.width = be16(body, 3);
        const std::size_t components = body[5];
        if (components != 3 || body.size() < 6 + 3 * components)
          return make_error(ErrorCode::out_of_range, "RTP/JPEG carries 3-component (YCbCr) images only");
        const std::uint8_t luma_sampling = body[7];
        if (body[10] != 0x11 || body[13] != 0x11)
          return make_error(ErrorCode::out_of_range, "RTP/JPEG needs 1x1 chroma sampling");
        if (luma_sampling == 0x21) frame.type = 0;
        else if (luma_sampling == 0x22) frame.type = 1;
        else return make_error(ErrorCode::out_of_range, "RTP/JPEG carries 4:2:0 or 4:2:2 images only");
        for (std::size_t c = 0; c < 3; ++c) component_tables[c] = body[6 + 3 * c + 2] & 0x0f;
        if (frame.width <= 0 || frame.height <= 0 || frame.width > 2040 || frame.height > 2040)
          return make_error(ErrorCode::out_of_range, "RTP/JPEG carries images up to 2040x2040, not " +
                                                         std::to_string(frame.width) + "x" + std::to_string(frame.height));
        have_frame = true;
        break;
      }
      case 0xc1: case 0xc2: case 0xc3: case 0xc5: case 0xc6: case 0xc7:
      case 0xc9: case 0xca: case 0xcb: case 0xcd: case 0xce: case 0xcf:
        return make_error(ErrorCode::out_of_range, "RTP/JPEG carries baseline JPEG only");
      case 0xc4: {  // DHT
        for (std::size_t p = 0; p < body.size();) {
          const auto size = check_huffman_table(body.subspan(p), frame.standard_huffman_tables);
          if (!size) return make_error(ErrorCode::invalid_argument, "malformed DHT segment");
          p += *size;
        }
        break;
      }
      case 0xdd:  // DRI
        if (body.size() < 2) return make_error(ErrorCode::invalid_argument, "malformed DRI segment");
        frame.restart_interval = be16(body, 0);
        break;
      case 0xda: {  // SOS: the scan runs to the end of the image
        if (!have_frame) return make_error(ErrorCode::invalid_argument, "JPEG scan before its frame header");
        auto scan = jpeg.subspan(at + 2 + length);
        if (scan.size() >= 2 && scan[scan.size() - 2] == 0xff && scan[scan.size() - 1] == 0xd9)
          scan = scan.first(scan.size() - 2);
        frame.scan = scan;
        if (frame.restart_interval != 0) frame.type = static_cast<std::uint8_t>(frame.type + 64);
        const auto& luma = tables[component_tables[0]];
        const auto& chroma = tables[component_tables[1]];
        if (!luma || !chroma) return make_error(ErrorCode::invalid_argument, "JPEG refers to a missing quantisation table");
        std::copy(luma->begin(), luma->end(), frame.quantization_tables.begin());
        std::copy(chroma->begin(), chroma->end(), frame.quantization_tables.begin() + 64);
        return frame;
      }
      default: break;  // APPn, COM, ...
    }
    at += 2 + length;
  }
  return make_error(ErrorCode::invalid_argument, "JPEG image without a scan");
}

void JpegPacketizer::packetize(std::span<const std::uint8_t> jpeg, hal::Nanos timestamp, std::vector<RtpPacket>& out) {
  auto frame = parse_jpeg(jpeg);
  if (!frame) {
    if (!warned_) log::get("rtsp")->warn("cannot send this JPEG over RTP: {}", frame.error().message);
    warned_ = true;
    return;
  }
  if (!frame->standard_huffman_tables && !warned_) {
    log::get("rtsp")->warn("the JPEG encoder uses its own Huffman tables; RTP/JPEG receivers assume the standard ones "
                           "and will not decode the picture (set the mjpeg encoder's huffman option to \"default\")");
    warned_ = true;
  }
  const auto rtp_time = rtp_timestamp(timestamp);
  const auto first = out.size();
  const std::size_t extra = frame->restart_interval ? kRestartHeaderBytes : 0;
  const std::size_t mtu = std::max<std::size_t>(setup().mtu, kRtpHeaderBytes + kMainHeaderBytes + extra + 1);
  auto rest = frame->scan;
  std::size_t offset = 0;
  do {
    auto& packet = add_packet(out, rtp_time);
    auto* h = packet.head.data() + RtpPacket::kInterleaveBytes + kRtpHeaderBytes;
    std::size_t header = 0;
    h[header++] = 0;  // type-specific
    h[header++] = static_cast<std::uint8_t>(offset >> 16);
    h[header++] = static_cast<std::uint8_t>(offset >> 8);
    h[header++] = static_cast<std::uint8_t>(offset);
    h[header++] = frame->type;
    h[header++] = kDynamicQ;
    h[header++] = static_cast<std::uint8_t>(frame->width / 8);
    h[header++] = static_cast<std::uint8_t>(frame->height / 8);
    if (frame->restart_interval) {
      h[header++] = static_cast<std::uint8_t>(frame->restart_interval >> 8);
      h[header++] = static_cast<std::uint8_t>(frame->restart_interval);
      h[header++] = 0xff;  // F = L = 1, restart count 0x3fff: fragments need not align with intervals
      h[header++] = 0xff;
    }
    if (offset == 0) {
      h[header++] = 0;  // MBZ
      h[header++] = 0;  // precision: 8-bit tables
      h[header++] = 0;
      h[header++] = static_cast<std::uint8_t>(frame->quantization_tables.size());
      std::memcpy(h + header, frame->quantization_tables.data(), frame->quantization_tables.size());
      header += frame->quantization_tables.size();
    }
    packet.header_size = static_cast<std::uint8_t>(kRtpHeaderBytes + header);
    const std::size_t room = mtu > packet.header_size ? mtu - packet.header_size : 1;
    const auto take = std::min(room, rest.size());
    packet.payload = rest.first(take);
    rest = rest.subspan(take);
    offset += take;
  } while (!rest.empty());
  mark_last(out, first);
}

}  // namespace camrig::rtsp
