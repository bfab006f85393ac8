// An H.264 Annex B file cut into access units, read identically by both servers of the fan-out
// benchmark (camrig's and the GStreamer peer), so they send exactly the same bytes. Header-only
// and free of camrig libraries so that the GStreamer peer stays a plain GStreamer program.
#pragma once

#include <cstddef>
#include <cstdint>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

namespace camrig::bench {

struct AnnexBFile {
  struct AccessUnit {
    std::size_t offset = 0;  // of its first start code
    std::size_t size = 0;
    bool keyframe = false;
  };
  std::vector<std::uint8_t> bytes;
  std::vector<AccessUnit> access_units;
  //! The first SPS and PPS, without start codes.
  std::vector<std::uint8_t> sps;
  std::vector<std::uint8_t> pps;
};

//! Reads `path` and groups its NAL units into access units (ITU-T H.264 §7.4.1.2.3): a new one
//! starts at an access unit delimiter, SEI or parameter set following a picture's slices, or at a
//! slice whose first_mb_in_slice is 0 (a frame may be cut into several slices). nullopt when the
//! file cannot be read or holds no picture.
inline std::optional<AnnexBFile> read_annex_b_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) return std::nullopt;
  AnnexBFile file;
  file.bytes.resize(static_cast<std::size_t>(in.tellg()));
  in.seekg(0);
  if (!in.read(reinterpret_cast<char*>(file.bytes.data()), static_cast<std::streamsize>(file.bytes.size()))) return std::nullopt;
  const auto& b = file.bytes;

  // Start codes (00 00 01, or 00 00 00 01 counted from its first zero).
  std::vector<std::size_t> starts;      // offset of each start code
  std::vector<std::size_t> payloads;    // offset of each NAL unit's header byte
  for (std::size_t i = 0; i + 3 <= b.size(); ++i) {
    if (b[i] == 0 && b[i + 1] == 0 && b[i + 2] == 1) {
      starts.push_back(i > 0 && b[i - 1] == 0 ? i - 1 : i);
      payloads.push_back(i + 3);
      i += 2;
    }
  }
  bool open = false;
  bool has_picture = false;
  for (std::size_t n = 0; n < payloads.size(); ++n) {
    if (payloads[n] >= b.size()) break;
    const int type = b[payloads[n]] & 0x1f;
    const std::size_t end = n + 1 < starts.size() ? starts[n + 1] : b.size();
    const bool slice = type >= 1 && type <= 5;
    const bool first_slice = slice && payloads[n] + 1 < b.size() && (b[payloads[n] + 1] & 0x80) != 0;
    const bool leading = type == 6 || type == 7 || type == 8 || type == 9;
    if (!open || (has_picture && (leading || first_slice))) {
      file.access_units.push_back({starts[n], 0, false});
      open = true;
      has_picture = false;
    }
    auto& unit = file.access_units.back();
    unit.size = end - unit.offset;
    unit.keyframe = unit.keyframe || type == 5;
    has_picture = has_picture || slice;
    if (type == 7 && file.sps.empty()) file.sps.assign(b.begin() + static_cast<long>(payloads[n]), b.begin() + static_cast<long>(end));
    if (type == 8 && file.pps.empty()) file.pps.assign(b.begin() + static_cast<long>(payloads[n]), b.begin() + static_cast<long>(end));
  }
  if (file.access_units.empty() || file.sps.empty() || file.pps.empty()) return std::nullopt;
  return file;
}

}  // namespace camrig::bench
