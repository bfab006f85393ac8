#include "device/rtsp/transport.hpp"

#include <charconv>
#include <cstdio>
#include <optional>
#include <utility>

#include "device/core/text.hpp"

namespace camrig::rtsp {

namespace {

std::optional<unsigned> parse_number(std::string_view text, unsigned max) {
  unsigned value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size() || value > max) return std::nullopt;
  return value;
}

//! "a-b" or "a" (then b = a + 1, as RFC 2326 allows for a single port or channel).
std::optional<std::pair<unsigned, unsigned>> parse_range(std::string_view text, unsigned max) {
  const auto dash = text.find('-');
  const auto first = parse_number(text::trim(text.substr(0, dash)), max);
  if (!first) return std::nullopt;
  if (dash == std::string_view::npos) {
    if (*first + 1 > max) return std::nullopt;
    return std::pair{*first, *first + 1};
  }
  const auto second = parse_number(text::trim(text.substr(dash + 1)), max);
  if (!second) return std::nullopt;
  return std::pair{*first, *second};
}

//! One transport spec; an empty optional means well-formed but not one we serve.
Result<std::optional<Transport>> parse_one(std::string_view spec) {
  Transport transport;
  bool multicast = false;
  bool have_client_port = false;
  std::size_t index = 0;
  while (!spec.empty()) {
    const auto semicolon = spec.find(';');
    const auto part = text::trim(spec.substr(0, semicolon));
    spec.remove_prefix(semicolon == std::string_view::npos ? spec.size() : semicolon + 1);
    if (index++ == 0) {
      if (text::equal_ignoring_case(part, "RTP/AVP") || text::equal_ignoring_case(part, "RTP/AVP/UDP"))
        transport.lower = LowerTransport::udp;
      else if (text::equal_ignoring_case(part, "RTP/AVP/TCP")) transport.lower = LowerTransport::tcp;
      else return std::optional<Transport>{};  // RTP/SAVP, RAW/RAW/UDP, ...: not ours
      continue;
    }
    const auto equals = part.find('=');
    const auto name = part.substr(0, equals);
    const auto value = equals == std::string_view::npos ? std::string_view{} : part.substr(equals + 1);
    if (text::equal_ignoring_case(name, "multicast")) {
      multicast = true;
    } else if (text::equal_ignoring_case(name, "interleaved")) {
      const auto range = parse_range(value, 255);
      if (!range) return make_error(ErrorCode::invalid_argument, "invalid interleaved channels \"" + std::string(value) + "\"");
      transport.rtp_channel = static_cast<std::uint8_t>(range->first);
      transport.rtcp_channel = static_cast<std::uint8_t>(range->second);
      transport.interleaved_given = true;
    } else if (text::equal_ignoring_case(name, "client_port")) {
      const auto range = parse_range(value, 65535);
      if (!range || range->first == 0) return make_error(ErrorCode::invalid_argument, "invalid client_port \"" + std::string(value) + "\"");
      transport.client_rtp_port = static_cast<std::uint16_t>(range->first);
      transport.client_rtcp_port = static_cast<std::uint16_t>(range->second);
      have_client_port = true;
    } else if (text::equal_ignoring_case(name, "mode")) {
      // Only playback is served; RECORD (ANNOUNCE-style publishing) is not.
      const auto mode = text::trim(value);
      if (!value.empty() && !text::equal_ignoring_case(mode, "PLAY") && !text::equal_ignoring_case(mode, "\"PLAY\""))
        return std::optional<Transport>{};
    }
    // unicast, ssrc, ttl, destination, ...: nothing to do for a unicast sender.
  }
  if (multicast) {
    if (transport.lower == LowerTransport::tcp) return std::optional<Transport>{};
    transport.multicast = true;
    return std::optional<Transport>{transport};
  }
  if (transport.lower == LowerTransport::udp && !have_client_port) return std::optional<Transport>{};
  return std::optional<Transport>{transport};
}

}  // namespace

std::string Transport::to_reply(std::uint16_t server_rtp_port, std::uint16_t server_rtcp_port,
                                std::uint32_t ssrc) const {
  char ssrc_text[9];
  std::snprintf(ssrc_text, sizeof ssrc_text, "%08X", ssrc);
  if (multicast)
    return "RTP/AVP;multicast;destination=" + destination + ";port=" + std::to_string(multicast_port) + "-" +
           std::to_string(multicast_port + 1) + ";ttl=" + std::to_string(ttl) + ";ssrc=" + ssrc_text;
  if (lower == LowerTransport::tcp)
    return "RTP/AVP/TCP;unicast;interleaved=" + std::to_string(rtp_channel) + "-" +
           std::to_string(rtcp_channel) + ";ssrc=" + ssrc_text;
  return "RTP/AVP;unicast;client_port=" + std::to_string(client_rtp_port) + "-" +
         std::to_string(client_rtcp_port) + ";server_port=" + std::to_string(server_rtp_port) + "-" +
         std::to_string(server_rtcp_port) + ";ssrc=" + ssrc_text;
}

Result<Transport> parse_transport(std::string_view header) {
  if (text::trim(header).empty()) return make_error(ErrorCode::invalid_argument, "empty Transport header");
  while (!header.empty()) {
    const auto comma = header.find(',');
    const auto spec = text::trim(header.substr(0, comma));
    header.remove_prefix(comma == std::string_view::npos ? header.size() : comma + 1);
    auto parsed = parse_one(spec);
    if (!parsed) return parsed.error();
    if (*parsed) return **parsed;
  }
  return make_error(ErrorCode::out_of_range,
                    "only RTP/AVP over TCP (interleaved), UDP (client_port) or UDP multicast is supported");
}

}  // namespace camrig::rtsp
