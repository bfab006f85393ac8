// RTSP tunnelled through HTTP (the QuickTime scheme, as ffmpeg's "-rtsp_transport http" and VLC
// use it): a client opens two HTTP connections to the RTSP port carrying the same
// x-sessioncookie. The GET connection receives the server->client stream (RTSP responses and
// interleaved RTP/RTCP) after a "Content-Type: application/x-rtsp-tunnelled" header; the POST
// connection carries the client's RTSP requests base64-encoded and gets no reply. This file
// holds the HTTP side: the opening request, the replies and the base64 stream decoder.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "device/core/result.hpp"

namespace camrig::rtsp {

//! The opening request of a tunnel connection.
struct TunnelRequest {
  enum class Kind { get, post };
  Kind kind = Kind::get;
  std::string cookie;
};

//! True when the first bytes of a connection may still turn out to be "GET " or "POST ";
//! `is_http` says whether they already do.
bool may_be_http(std::string_view first_bytes, bool& is_http);

//! Parses the HTTP request line and headers (up to and including the blank line).
//! invalid_argument when it is not an HTTP GET/POST or has no x-sessioncookie.
Result<TunnelRequest> parse_tunnel_request(std::string_view header_block);

//! End of the HTTP header block in `text` (just past the blank line), or npos.
std::size_t http_header_end(std::string_view text);

//! The reply that turns a GET connection into the server->client half of a tunnel.
std::string tunnel_get_reply(std::string_view date);
//! An HTTP error reply with a plain-text reason; the connection closes after it.
std::string http_error_reply(int status, std::string_view message);

//! Decodes a base64 byte stream split anywhere; whitespace between quanta is ignored
//! (clients may send CRLF between requests).
class Base64StreamDecoder {
 public:
  //! The bytes decoded so far from `text` and what was held back; invalid_argument on a
  //! character outside the base64 alphabet.
  Result<std::string> feed(std::string_view text);

 private:
  unsigned quantum_ = 0;
  int count_ = 0;
  int padding_ = 0;
};

}  // namespace camrig::rtsp
