// A deliberately simple RTSP client over a raw TCP socket: it writes exactly the bytes a test
// gives it and reads responses and interleaved frames with a timeout, so tests can send
// malformed input that a real client library would refuse to produce.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <boost/asio.hpp>

namespace camrig::rtsp::test {

struct RawReply {
  int status = 0;
  std::map<std::string, std::string> headers;  // lower-case names; the last of repeated ones
  //! Every value of a header that may repeat (WWW-Authenticate), in order.
  std::vector<std::string> all(const std::string& name) const {
    std::vector<std::string> values;
    for (const auto& [line_name, value] : lines)
      if (line_name == name) values.push_back(value);
    return values;
  }
  std::vector<std::pair<std::string, std::string>> lines;  // lower-case names, in order
  std::string body;
  std::string header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? std::string() : it->second;
  }
};

struct RawFrame {
  std::uint8_t channel = 0;
  std::string data;
};

class RawRtspClient {
 public:
  using tcp = boost::asio::ip::tcp;

  explicit RawRtspClient(std::uint16_t port) : socket_(io_) {
    socket_.connect(tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), port));
  }

  void send(const std::string& bytes) { boost::asio::write(socket_, boost::asio::buffer(bytes)); }

  //! Like send(), for bytes the server may refuse part of: false if it closed or reset the
  //! connection before taking them all. What it already sent stays readable.
  bool try_send(const std::string& bytes) {
    boost::system::error_code error;
    boost::asio::write(socket_, boost::asio::buffer(bytes), error);
    return !error;
  }

  //! Sends "METHOD url RTSP/1.0" with a CSeq and the given header lines, returns the reply.
  std::optional<RawReply> request(const std::string& method, const std::string& url, const std::string& headers = {}) {
    send(method + " " + url + " RTSP/1.0\r\nCSeq: " + std::to_string(++cseq_) + "\r\n" + headers + "\r\n");
    return read_reply();
  }

  //! The next response; interleaved frames read meanwhile are kept for read_frame().
  std::optional<RawReply> read_reply(std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      if (auto frame = take_frame()) {
        frames_.push_back(std::move(*frame));
        continue;
      }
      if (auto reply = take_reply()) return reply;
      if (!fill(deadline)) return std::nullopt;
    }
  }

  std::optional<RawFrame> read_frame(std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      if (!frames_.empty()) {
        auto frame = std::move(frames_.front());
        frames_.pop_front();
        return frame;
      }
      if (auto frame = take_frame()) return frame;
      if (!buffer_.empty() && buffer_[0] != '$') return std::nullopt;  // a response is next
      if (!fill(deadline)) return std::nullopt;
    }
  }

  //! Forgets the interleaved frames that read_reply() kept, which arrived before its reply, so
  //! that read_frame() returns only what the server sent after it.
  void discard_frames() { frames_.clear(); }

  //! True when the server closes the connection within `timeout` (pending bytes are discarded).
  bool wait_closed(std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (fill(deadline)) buffer_.clear();
    return closed_;
  }

  int last_cseq() const { return cseq_; }

 private:
  bool fill(std::chrono::steady_clock::time_point deadline) {
    if (closed_) return false;
    char data[8192];
    std::size_t got = 0;
    boost::system::error_code error;
    bool done = false;
    socket_.async_read_some(boost::asio::buffer(data), [&](const boost::system::error_code& ec, std::size_t size) {
      error = ec;
      got = size;
      done = true;
    });
    io_.restart();
    io_.run_until(deadline);
    if (!done) {
      socket_.cancel();
      io_.restart();
      io_.run();
      return false;
    }
    if (error) {
      closed_ = true;
      return false;
    }
    buffer_.append(data, got);
    return true;
  }

  std::optional<RawFrame> take_frame() {
    if (buffer_.size() < 4 || buffer_[0] != '$') return std::nullopt;
    const std::size_t length = static_cast<std::uint8_t>(buffer_[2]) << 8 | static_cast<std::uint8_t>(buffer_[3]);
    if (buffer_.size() < 4 + length) return std::nullopt;
    RawFrame frame{static_cast<std::uint8_t>(buffer_[1]), buffer_.substr(4, length)};
    buffer_.erase(0, 4 + length);
    return frame;
  }

  std::optional<RawReply> take_reply() {
    if (buffer_.empty() || buffer_[0] == '$') return std::nullopt;
    const auto end = buffer_.find("\r\n\r\n");
    if (end == std::string::npos) return std::nullopt;
    RawReply reply;
    std::size_t pos = 0;
    bool first = true;
    while (pos < end) {
      const auto eol = buffer_.find("\r\n", pos);
      const auto line = buffer_.substr(pos, eol - pos);
      pos = eol + 2;
      if (first) {
        first = false;
        reply.status = std::stoi(line.substr(9, 3));
        continue;
      }
      const auto colon = line.find(':');
      auto name = line.substr(0, colon);
      for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      auto value = line.substr(colon + 1);
      while (!value.empty() && value.front() == ' ') value.erase(0, 1);
      reply.lines.emplace_back(name, value);
      reply.headers[name] = value;
    }
    const std::size_t length = reply.headers.count("content-length") ? std::stoul(reply.headers["content-length"]) : 0;
    if (buffer_.size() < end + 4 + length) return std::nullopt;
    reply.body = buffer_.substr(end + 4, length);
    buffer_.erase(0, end + 4 + length);
    return reply;
  }

  boost::asio::io_context io_;
  tcp::socket socket_;
  std::string buffer_;
  std::deque<RawFrame> frames_;
  bool closed_ = false;
  int cseq_ = 0;
};

}  // namespace camrig::rtsp::test
