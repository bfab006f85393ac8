// The Transport header of SETUP (RFC 2326 §12.39): how RTP and RTCP of a session reach the
// client. RTP/AVP over TCP (interleaved channels), unicast UDP (client ports) or multicast UDP
// (the server's group: a client's destination/port/ttl wishes are not honoured) is what we serve.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "device/core/result.hpp"

namespace camrig::rtsp {

enum class LowerTransport { tcp, udp };

struct Transport {
  LowerTransport lower = LowerTransport::tcp;
  //! TCP: the '$' channels of RTP and RTCP.
  std::uint8_t rtp_channel = 0;
  std::uint8_t rtcp_channel = 1;
  //! TCP: the client named the channels; otherwise the server picks them.
  bool interleaved_given = false;
  //! UDP: where the client receives RTP and RTCP.
  std::uint16_t client_rtp_port = 0;
  std::uint16_t client_rtcp_port = 0;
  //! UDP: the client asked for multicast; the server fills in the group for the reply.
  bool multicast = false;
  std::string destination;
  std::uint16_t multicast_port = 0;
  std::uint8_t ttl = 1;

  //! The reply header: the accepted transport plus the server's ports (UDP) and the SSRC.
  std::string to_reply(std::uint16_t server_rtp_port, std::uint16_t server_rtcp_port, std::uint32_t ssrc) const;
};

//! Picks the first transport of a comma-separated list the server supports. invalid_argument
//! when the header is malformed, out_of_range when nothing in it is supported (both 461).
Result<Transport> parse_transport(std::string_view header);

}  // namespace camrig::rtsp
