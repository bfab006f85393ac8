// The client side of the RTSP benchmarks: a blocking DESCRIBE/SETUP/PLAY handshake that works
// against any RTSP 1.0 server (camrig's and GStreamer's), the '$' interleaved framing, and the
// per-stream RTP bookkeeping (frames by marker bit, sequence gaps, arrival times).
#pragma once

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

#include "device/core/result.hpp"

namespace camrig::bench {

using SteadyTime = std::chrono::steady_clock::time_point;

struct RtspReply {
  int status = 0;
  std::string headers;  // raw header block, for header()
  std::string body;

  //! The value of a header (case-insensitive name), trimmed; empty when absent.
  std::string header(std::string_view name) const {
    std::size_t pos = 0;
    while (pos < headers.size()) {
      auto eol = headers.find("\r\n", pos);
      if (eol == std::string::npos) eol = headers.size();
      const std::string_view line(headers.data() + pos, eol - pos);
      pos = eol + 2;
      const auto colon = line.find(':');
      if (colon == std::string_view::npos || colon != name.size()) continue;
      bool same = true;
      for (std::size_t i = 0; i < colon && same; ++i)
        same = std::tolower(static_cast<unsigned char>(line[i])) == std::tolower(static_cast<unsigned char>(name[i]));
      if (!same) continue;
      auto value = line.substr(colon + 1);
      while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
      return std::string(value);
    }
    return {};
  }
};

//! One RTSP control connection driven synchronously. Bytes that arrive after the PLAY reply
//! (interleaved media) stay in leftover() for the caller's reader.
class RtspHandshake {
 public:
  using tcp = boost::asio::ip::tcp;

  RtspHandshake(tcp::socket& socket, std::string url) : socket_(socket), url_(std::move(url)) {}

  //! DESCRIBE, SETUP with `transport` (e.g. "RTP/AVP/TCP;unicast;interleaved=0-1") and PLAY.
  Result<void> play(const std::string& transport) {
    auto describe = request("DESCRIBE", url_, "Accept: application/sdp\r\n");
    if (!describe) return describe.error();
    auto setup = request("SETUP", track_url(*describe), "Transport: " + transport + "\r\n");
    if (!setup) return setup.error();
    session_ = setup->header("Session");
    session_ = session_.substr(0, session_.find(';'));
    server_transport_ = setup->header("Transport");
    auto played = request("PLAY", url_, "Session: " + session_ + "\r\nRange: npt=0.000-\r\n");
    if (!played) return played.error();
    return {};
  }

  //! The server's answer to SETUP, e.g. to learn its RTP port.
  const std::string& server_transport() const { return server_transport_; }
  std::string& leftover() { return buffer_; }

 private:
  Result<RtspReply> request(const std::string& method, const std::string& url, const std::string& headers) {
    const auto text = method + " " + url + " RTSP/1.0\r\nCSeq: " + std::to_string(++cseq_) +
                      "\r\nUser-Agent: camrig-bench\r\n" + headers + "\r\n";
    boost::system::error_code error;
    boost::asio::write(socket_, boost::asio::buffer(text), error);
    if (error) return Error{ErrorCode::io_error, method + " could not be sent: " + error.message()};
    auto reply = read_reply();
    if (!reply) return Error{ErrorCode::io_error, method + " " + url + ": " + reply.error().message};
    if (reply->status != 200)
      return Error{ErrorCode::unavailable, method + " " + url + " answered " + std::to_string(reply->status)};
    return reply;
  }

  Result<RtspReply> read_reply() {
    for (;;) {
      // Media may already flow in front of the reply (an interleaved RTCP frame): skip it.
      while (buffer_.size() >= 4 && buffer_[0] == '$') {
        const std::size_t length = static_cast<std::uint8_t>(buffer_[2]) << 8 | static_cast<std::uint8_t>(buffer_[3]);
        if (buffer_.size() < 4 + length) break;
        buffer_.erase(0, 4 + length);
      }
      if (!buffer_.empty() && buffer_[0] != '$') {
        const auto end = buffer_.find("\r\n\r\n");
        if (end != std::string::npos) {
          RtspReply reply;
          const auto first_line_end = buffer_.find("\r\n");
          if (buffer_.compare(0, 9, "RTSP/1.0 ") != 0 || first_line_end < 12)
            return Error{ErrorCode::invalid_argument, "not an RTSP reply: " + buffer_.substr(0, first_line_end)};
          reply.status = std::stoi(buffer_.substr(9, 3));
          reply.headers = buffer_.substr(first_line_end + 2, end + 2 - (first_line_end + 2));
          const auto length_text = reply.header("Content-Length");
          const std::size_t length = length_text.empty() ? 0 : std::stoul(length_text);
          if (buffer_.size() >= end + 4 + length) {
            reply.body = buffer_.substr(end + 4, length);
            buffer_.erase(0, end + 4 + length);
            return reply;
          }
        }
      }
      char data[4096];
      boost::system::error_code error;
      const auto got = socket_.read_some(boost::asio::buffer(data), error);
      if (error) return Error{ErrorCode::io_error, "connection lost: " + error.message()};
      buffer_.append(data, got);
    }
  }

  //! The SETUP URL of the first video track: its a=control, absolute or relative to the base.
  std::string track_url(const RtspReply& describe) const {
    std::string base = describe.header("Content-Base");
    if (base.empty()) base = url_;
    const auto video = describe.body.find("m=video");
    const auto control = describe.body.find("a=control:", video == std::string::npos ? 0 : video);
    if (control == std::string::npos) return base;
    auto end = describe.body.find_first_of("\r\n", control);
    auto value = describe.body.substr(control + 10, end - (control + 10));
    if (value == "*") return base;
    if (value.rfind("rtsp://", 0) == 0) return value;
    if (!base.empty() && base.back() != '/') base += '/';
    return base + value;
  }

  tcp::socket& socket_;
  std::string url_;
  std::string buffer_;
  std::string session_;
  std::string server_transport_;
  int cseq_ = 0;
};

//! The fields of an RTP fixed header a receiver needs here.
struct RtpHeader {
  std::uint16_t sequence = 0;
  std::uint32_t timestamp = 0;
  bool marker = false;
};

inline std::optional<RtpHeader> parse_rtp(const std::uint8_t* data, std::size_t size) {
  if (size < 12 || (data[0] >> 6) != 2) return std::nullopt;
  RtpHeader header;
  header.marker = (data[1] & 0x80) != 0;
  header.sequence = static_cast<std::uint16_t>(data[2] << 8 | data[3]);
  header.timestamp = static_cast<std::uint32_t>(data[4]) << 24 | static_cast<std::uint32_t>(data[5]) << 16 |
                     static_cast<std::uint32_t>(data[6]) << 8 | data[7];
  return header;
}

//! What one receiver saw of one RTP stream: a frame is complete when its marker packet arrives.
struct RtpReceiverStats {
  struct Frame {
    std::uint32_t rtp_timestamp = 0;
    SteadyTime arrival;
  };
  std::vector<Frame> frames;
  std::uint64_t packets = 0;
  std::uint64_t bytes = 0;
  //! Packets missing according to the sequence numbers (drops by the server or the network).
  std::uint64_t lost_packets = 0;
  std::optional<std::uint16_t> last_sequence;

  void on_rtp(const std::uint8_t* data, std::size_t size, SteadyTime arrival) {
    const auto header = parse_rtp(data, size);
    if (!header) return;
    ++packets;
    bytes += size;
    if (last_sequence) lost_packets += static_cast<std::uint16_t>(header->sequence - *last_sequence - 1);
    last_sequence = header->sequence;
    if (header->marker) frames.push_back({header->timestamp, arrival});
  }
};

//! Splits a TCP byte stream into '$' frames; RTP on `rtp_channel` goes to `stats`, anything else
//! (RTCP, a stray reply) is skipped.
class InterleavedReader {
 public:
  explicit InterleavedReader(std::uint8_t rtp_channel) : rtp_channel_(rtp_channel) {}

  void feed(const char* data, std::size_t size, SteadyTime arrival, RtpReceiverStats& stats) {
    buffer_.append(data, size);
    std::size_t pos = 0;
    while (buffer_.size() - pos >= 4) {
      if (buffer_[pos] != '$') {
        // An RTSP message (e.g. a server's request): skip to the end of its header block.
        const auto end = buffer_.find("\r\n\r\n", pos);
        if (end == std::string::npos) break;
        pos = end + 4;
        continue;
      }
      const std::size_t length = static_cast<std::uint8_t>(buffer_[pos + 2]) << 8 | static_cast<std::uint8_t>(buffer_[pos + 3]);
      if (buffer_.size() - pos < 4 + length) break;
      if (static_cast<std::uint8_t>(buffer_[pos + 1]) == rtp_channel_)
        stats.on_rtp(reinterpret_cast<const std::uint8_t*>(buffer_.data() + pos + 4), length, arrival);
      pos += 4 + length;
    }
    buffer_.erase(0, pos);
  }

 private:
  std::uint8_t rtp_channel_;
  std::string buffer_;
};

//! Percentile (0..100) of `values` by nearest rank; 0 for none.
inline double percentile(std::vector<double> values, double p) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const auto rank = static_cast<std::size_t>(std::ceil(p / 100.0 * static_cast<double>(values.size())));
  return values[std::min(values.size() - 1, rank == 0 ? 0 : rank - 1)];
}

}  // namespace camrig::bench
