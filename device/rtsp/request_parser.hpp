// Incremental RTSP request parser: bytes in (any split, several requests per read), whole
// requests and interleaved frames out. It enforces the request size limit so a client cannot
// make the server buffer without bound.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "device/core/result.hpp"
#include "device/rtsp/request.hpp"

namespace camrig::rtsp {

class RequestParser {
 public:
  //! Not enough bytes yet for a whole message.
  struct NeedMore {};
  //! The stream cannot be parsed further; invalid_argument = malformed (400),
  //! out_of_range = over the size limit (413). The connection must close after answering.
  using Message = std::variant<NeedMore, Request, InterleavedFrame, Error>;

  explicit RequestParser(std::size_t max_request_bytes);

  void feed(std::string_view bytes);
  //! The next complete message, or NeedMore. After an Error every later call returns it again.
  Message next();

  std::size_t buffered_bytes() const { return buffer_.size() - consumed_; }

 private:
  Message parse_request(std::string_view pending);
  Message fail(ErrorCode code, std::string message);
  void consume(std::size_t count);

  std::size_t max_request_bytes_;
  std::string buffer_;
  //! Bytes at the front of buffer_ already handed out; compacted lazily to avoid memmove per message.
  std::size_t consumed_ = 0;
  std::optional<Error> error_;
};

}  // namespace camrig::rtsp
