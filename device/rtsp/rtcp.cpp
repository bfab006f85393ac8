#include "device/rtsp/rtcp.hpp"

#include <algorithm>

namespace camrig::rtsp {

namespace {

constexpr std::uint8_t kSenderReport = 200;
constexpr std::uint8_t kReceiverReport = 201;
constexpr std::uint8_t kSourceDescription = 202;
//! Seconds from 1900-01-01 (NTP era 0) to 1970-01-01.
constexpr std::uint64_t kNtpUnixOffset = 2'208'988'800ULL;

void put32(std::string& out, std::uint32_t value) {
  out += static_cast<char>(value >> 24);
  out += static_cast<char>(value >> 16);
  out += static_cast<char>(value >> 8);
  out += static_cast<char>(value);
}

void put16(std::string& out, std::uint16_t value) {
  out += static_cast<char>(value >> 8);
  out += static_cast<char>(value);
}

}  // namespace

std::uint64_t ntp_time(hal::WallTime wall_time) {
  const auto since_epoch = std::chrono::duration_cast<std::chrono::nanoseconds>(wall_time.time_since_epoch()).count();
  const auto seconds = static_cast<std::uint64_t>(since_epoch / 1'000'000'000);
  const auto nanos = static_cast<std::uint64_t>(since_epoch % 1'000'000'000);
  const auto fraction = (nanos << 32) / 1'000'000'000ULL;
  return (seconds + kNtpUnixOffset) << 32 | fraction;
}

std::string serialize(const SenderReport& report) {
  std::string out;
  // SR: header, SSRC, NTP (2 words), RTP time, packet count, octet count = 7 words.
  out += static_cast<char>(0x80);
  out += static_cast<char>(kSenderReport);
  put16(out, 6);
  put32(out, report.ssrc);
  const auto ntp = ntp_time(report.wall_time);
  put32(out, static_cast<std::uint32_t>(ntp >> 32));
  put32(out, static_cast<std::uint32_t>(ntp));
  put32(out, report.rtp_time);
  put32(out, report.packet_count);
  put32(out, report.octet_count);

  // SDES with one chunk: SSRC, CNAME item, END, padded to a word boundary.
  const auto cname_size = std::min<std::size_t>(report.cname.size(), 255);
  const std::size_t chunk_bytes = 4 + 2 + cname_size + 1;
  const std::size_t padded = (chunk_bytes + 3) / 4 * 4;
  out += static_cast<char>(0x81);
  out += static_cast<char>(kSourceDescription);
  put16(out, static_cast<std::uint16_t>(padded / 4));
  put32(out, report.ssrc);
  out += static_cast<char>(1);  // CNAME
  out += static_cast<char>(cname_size);
  out.append(report.cname, 0, cname_size);
  out.append(padded - chunk_bytes + 1, '\0');
  return out;
}

bool is_rtcp(std::span<const std::uint8_t> packet) {
  if (packet.size() < 4) return false;
  if ((packet[1] != kSenderReport && packet[1] != kReceiverReport)) return false;
  std::size_t offset = 0;
  while (offset < packet.size()) {
    if (packet.size() - offset < 4 || (packet[offset] >> 6) != 2) return false;
    const std::size_t words = static_cast<std::size_t>(packet[offset + 2]) << 8 | packet[offset + 3];
    offset += (words + 1) * 4;
  }
  return offset == packet.size();
}

}  // namespace camrig::rtsp
