// RTCP (RFC 3550 §6) as a sender needs it: the periodic sender report that lets clients map
// RTP time to wall-clock time, and recognising the receiver reports clients send back.
#pragma once

#include <chrono>
#include <cstdint>
#include <span>
#include <string>

#include "device/hal/clock.hpp"

namespace camrig::rtsp {

//! How often a sender sends its report on each stream (RFC 3550 §6.2's 5 s minimum).
inline constexpr std::chrono::seconds kSenderReportInterval{5};

struct SenderReport {
  std::uint32_t ssrc = 0;
  hal::WallTime wall_time{};
  //! RTP timestamp of the same instant as wall_time.
  std::uint32_t rtp_time = 0;
  std::uint32_t packet_count = 0;
  //! Payload octets sent (RTP headers excluded).
  std::uint32_t octet_count = 0;
  //! SDES CNAME; RFC 3550 §6.1 requires it in every compound packet.
  std::string cname = "camrig";
};

//! A compound RTCP packet: SR followed by SDES with the CNAME.
std::string serialize(const SenderReport& report);

//! NTP timestamp (seconds since 1900 in the high 32 bits, fraction in the low 32 bits).
std::uint64_t ntp_time(hal::WallTime wall_time);

//! True when `packet` is a well-formed compound RTCP packet (version 2, lengths add up, the
//! first packet an SR or RR).
bool is_rtcp(std::span<const std::uint8_t> packet);

}  // namespace camrig::rtsp
