// One RTSP request as read from the wire, and the interleaved binary frames ('$' framing)
// that share the same TCP stream. Header names are compared case-insensitively.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace camrig::rtsp {

struct Request {
  std::string method;
  std::string uri;
  //! e.g. "RTSP/1.0"; the server answers anything but 1.0 with 505.
  std::string version;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;

  //! The first header of that name (case-insensitive), without surrounding whitespace.
  std::optional<std::string_view> header(std::string_view name) const;
};

//! RTP or RTCP data a client sent inside the RTSP connection: '$', channel, 16-bit length, data.
struct InterleavedFrame {
  std::uint8_t channel = 0;
  std::string data;
};

}  // namespace camrig::rtsp
