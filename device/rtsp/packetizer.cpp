#include "device/rtsp/packetizer.hpp"

#include <algorithm>

#include "device/media/annex_b.hpp"

#include "device/rtsp/h264_packetizer.hpp"
#include "device/rtsp/h265_packetizer.hpp"
#include "device/rtsp/jpeg_packetizer.hpp"

namespace camrig::rtsp {

Packetizer::Packetizer(Setup setup) : setup_(setup), sequence_(setup.first_sequence) {}

std::uint32_t Packetizer::rtp_timestamp(hal::Nanos timestamp) const {
  // 90 kHz = 9 ticks per 100 us; the 64-bit product is exact for ~3000 years of device time.
  const auto ticks = static_cast<std::uint64_t>(timestamp.count()) * 9 / 100'000;
  return static_cast<std::uint32_t>(ticks + setup_.timestamp_offset);
}

RtpPacket& Packetizer::add_packet(std::vector<RtpPacket>& out, std::uint32_t rtp_time) {
  auto& packet = out.emplace_back();
  auto* h = packet.head.data() + RtpPacket::kInterleaveBytes;
  h[0] = 0x80;  // version 2, no padding, no extension, no CSRC
  h[1] = setup_.payload_type & 0x7f;
  h[2] = static_cast<std::uint8_t>(sequence_ >> 8);
  h[3] = static_cast<std::uint8_t>(sequence_ & 0xff);
  h[4] = static_cast<std::uint8_t>(rtp_time >> 24);
  h[5] = static_cast<std::uint8_t>(rtp_time >> 16);
  h[6] = static_cast<std::uint8_t>(rtp_time >> 8);
  h[7] = static_cast<std::uint8_t>(rtp_time);
  h[8] = static_cast<std::uint8_t>(setup_.ssrc >> 24);
  h[9] = static_cast<std::uint8_t>(setup_.ssrc >> 16);
  h[10] = static_cast<std::uint8_t>(setup_.ssrc >> 8);
  h[11] = static_cast<std::uint8_t>(setup_.ssrc);
  packet.header_size = kRtpHeaderBytes;
  ++sequence_;
  return packet;
}

void Packetizer::mark_last(std::vector<RtpPacket>& out, std::size_t first) {
  if (out.size() > first) out.back().head[RtpPacket::kInterleaveBytes + 1] |= 0x80;
}

void Packetizer::packetize_nal_units(std::span<const std::uint8_t> access_unit, hal::Nanos timestamp,
                                     std::vector<RtpPacket>& out, std::size_t nal_header_bytes,
                                     FragmentHeader (*fragment_header)(std::span<const std::uint8_t> unit)) {
  const auto rtp_time = rtp_timestamp(timestamp);
  const auto first = out.size();
  const auto mtu = setup_.mtu;
  std::vector<std::span<const std::uint8_t>> units;
  if (known_units_ && !known_units_->empty()) {
    units.reserve(known_units_->size());
    for (const auto& range : *known_units_) units.push_back(access_unit.subspan(range.offset, range.size));
  } else {
    units = media::split_annex_b(access_unit);
  }
  for (const auto unit : units) {
    if (unit.size() < nal_header_bytes) continue;  // not even a NAL unit header
    const auto header = fragment_header(unit);
    const std::size_t max_payload = mtu > kRtpHeaderBytes + header.size ? mtu - kRtpHeaderBytes : header.size + 1;
    if (unit.size() <= max_payload) {
      add_packet(out, rtp_time).payload = unit;
      continue;
    }
    const std::size_t chunk = max_payload - header.size;
    auto rest = unit.subspan(nal_header_bytes);
    bool start = true;
    while (!rest.empty()) {
      const auto take = std::min(chunk, rest.size());
      const bool end = take == rest.size();
      auto& packet = add_packet(out, rtp_time);
      auto* h = packet.head.data() + RtpPacket::kInterleaveBytes + kRtpHeaderBytes;
      std::copy_n(header.bytes.begin(), header.size, h);
      h[header.size - 1] |= static_cast<std::uint8_t>((start ? 0x80 : 0) | (end ? 0x40 : 0));
      packet.header_size = kRtpHeaderBytes + header.size;
      packet.payload = rest.first(take);
      rest = rest.subspan(take);
      start = false;
    }
  }
  mark_last(out, first);
}

void Packetizer::packetize(const media::EncodedPacket& packet, std::vector<RtpPacket>& out) {
  known_units_ = &packet.nal_units;
  packetize(packet.data, packet.timestamp, out);
  known_units_ = nullptr;
}

std::uint8_t payload_type_for(media::VideoCodec codec) { return codec == media::VideoCodec::mjpeg ? 26 : 96; }

std::unique_ptr<Packetizer> make_packetizer(media::VideoCodec codec, RtpSetup setup) {
  setup.payload_type = payload_type_for(codec);
  switch (codec) {
    case media::VideoCodec::h265: return std::make_unique<H265Packetizer>(setup);
    case media::VideoCodec::mjpeg: return std::make_unique<JpegPacketizer>(setup);
    case media::VideoCodec::h264: break;
  }
  return std::make_unique<H264Packetizer>(setup);
}

}  // namespace camrig::rtsp
