#include "device/media/annex_b.hpp"

#include <cstring>

namespace camrig::media {

namespace {

// Index of the first byte after the next start code at or after `from`, or size if none;
// `code_begin` receives where that start code begins.
// Every RTSP session packetizes every access unit, so this scan runs once per client per frame:
// memchr (vectorised) jumps between the few zero bytes of compressed data.
std::size_t next_start_code(std::span<const std::uint8_t> bytes, std::size_t from, std::size_t& code_begin) {
  const std::uint8_t* data = bytes.data();
  for (std::size_t i = from; i + 2 < bytes.size(); ++i) {
    const auto* zero = static_cast<const std::uint8_t*>(std::memchr(data + i, 0, bytes.size() - 2 - i));
    if (zero == nullptr) break;
    i = static_cast<std::size_t>(zero - data);
    if (bytes[i + 1] == 0 && bytes[i + 2] == 1) {
      // A 4-byte start code is a zero byte followed by a 3-byte one.
      code_begin = (i > from && bytes[i - 1] == 0) ? i - 1 : i;
      return i + 3;
    }
  }
  code_begin = bytes.size();
  return bytes.size();
}

}  // namespace

std::vector<std::span<const std::uint8_t>> split_annex_b(std::span<const std::uint8_t> bytes) {
  std::vector<std::span<const std::uint8_t>> units;
  std::size_t code_begin = 0;
  std::size_t start = next_start_code(bytes, 0, code_begin);
  while (start < bytes.size()) {
    std::size_t next_code_begin = 0;
    const std::size_t next = next_start_code(bytes, start, next_code_begin);
    std::size_t end = next_code_begin;
    // Trailing zero bytes belong to the stream's padding, not to the unit.
    while (end > start && bytes[end - 1] == 0) --end;
    if (end > start) units.push_back(bytes.subspan(start, end - start));
    start = next;
  }
  return units;
}

std::vector<NalUnitRange> nal_unit_ranges(std::span<const std::uint8_t> access_unit) {
  std::vector<NalUnitRange> ranges;
  for (const auto unit : split_annex_b(access_unit))
    ranges.push_back({static_cast<std::uint32_t>(unit.data() - access_unit.data()), static_cast<std::uint32_t>(unit.size())});
  return ranges;
}

int nal_unit_type(VideoCodec codec, std::span<const std::uint8_t> nal_unit) {
  if (nal_unit.empty()) return -1;
  switch (codec) {
    case VideoCodec::h264: return nal_unit[0] & 0x1f;
    case VideoCodec::h265: return (nal_unit[0] >> 1) & 0x3f;
    case VideoCodec::mjpeg: return -1;
  }
  return -1;
}

}  // namespace camrig::media
