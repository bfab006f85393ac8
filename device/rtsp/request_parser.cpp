#include "device/rtsp/request_parser.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>

#include "device/core/text.hpp"

namespace camrig::rtsp {

namespace {

bool is_method_char(char c) {
  return std::isupper(static_cast<unsigned char>(c)) || std::isdigit(static_cast<unsigned char>(c)) ||
         c == '_' || c == '-';
}

//! "RTSP/<digit>.<digit>"; anything else is not RTSP at all (400), while a well-formed other
//! version is RTSP we do not speak (505, decided by the connection).
bool is_version_token(std::string_view version) {
  return version.size() == 8 && version.substr(0, 5) == "RTSP/" &&
         std::isdigit(static_cast<unsigned char>(version[5])) && version[6] == '.' &&
         std::isdigit(static_cast<unsigned char>(version[7]));
}

//! End of the header block: index just past the blank line, or npos. Bare LF line ends are
//! accepted because some hand-written clients send them.
std::size_t find_header_end(std::string_view text) {
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '\n') continue;
    if (i + 1 < text.size() && text[i + 1] == '\n') return i + 2;
    if (i + 2 < text.size() && text[i + 1] == '\r' && text[i + 2] == '\n') return i + 3;
  }
  return std::string_view::npos;
}

}  // namespace

std::optional<std::string_view> Request::header(std::string_view name) const {
  for (const auto& [key, value] : headers)
    if (text::equal_ignoring_case(key, name)) return std::string_view(value);
  return std::nullopt;
}

RequestParser::RequestParser(std::size_t max_request_bytes) : max_request_bytes_(max_request_bytes) {}

void RequestParser::feed(std::string_view bytes) {
  if (consumed_ > 0 && consumed_ >= buffer_.size() / 2) {
    buffer_.erase(0, consumed_);
    consumed_ = 0;
  }
  buffer_.append(bytes);
}

void RequestParser::consume(std::size_t count) {
  consumed_ += count;
  if (consumed_ == buffer_.size()) {
    buffer_.clear();
    consumed_ = 0;
  }
}

RequestParser::Message RequestParser::fail(ErrorCode code, std::string message) {
  error_ = Error{code, std::move(message)};
  return *error_;
}

RequestParser::Message RequestParser::next() {
  if (error_) return *error_;
  const std::string_view pending = std::string_view(buffer_).substr(consumed_);
  if (pending.empty()) return NeedMore{};

  if (pending.front() == '$') {
    if (pending.size() < 4) return NeedMore{};
    const auto length = static_cast<std::size_t>(static_cast<unsigned char>(pending[2]) << 8 |
                                                 static_cast<unsigned char>(pending[3]));
    if (pending.size() < 4 + length) return NeedMore{};
    InterleavedFrame frame{static_cast<std::uint8_t>(pending[1]), std::string(pending.substr(4, length))};
    consume(4 + length);
    return frame;
  }
  // Tolerate the blank lines some clients put between requests (RFC 2326 §4 style keep-alives).
  std::size_t skip = 0;
  while (skip < pending.size() && (pending[skip] == '\r' || pending[skip] == '\n')) ++skip;
  if (skip > 0) {
    consume(skip);
    return next();
  }
  if (!is_method_char(pending.front()))
    return fail(ErrorCode::invalid_argument, "request does not start with an RTSP method");
  return parse_request(pending);
}

RequestParser::Message RequestParser::parse_request(std::string_view pending) {
  const auto header_end = find_header_end(pending);
  if (header_end == std::string_view::npos) {
    if (pending.size() > max_request_bytes_)
      return fail(ErrorCode::out_of_range,
                  "request headers exceed " + std::to_string(max_request_bytes_) + " bytes");
    // Reject a bad request line as soon as it is complete rather than waiting for the limit.
    const auto line_end = pending.find('\n');
    if (line_end != std::string_view::npos) {
      const auto line = text::trim(pending.substr(0, line_end));
      const auto first = line.find(' ');
      const auto last = line.rfind(' ');
      if (first == std::string_view::npos || first == last || !is_version_token(line.substr(last + 1)))
        return fail(ErrorCode::invalid_argument, "malformed request line");
    }
    return NeedMore{};
  }
  if (header_end > max_request_bytes_)
    return fail(ErrorCode::out_of_range, "request headers exceed " + std::to_string(max_request_bytes_) + " bytes");

  Request request;
  std::string_view head = pending.substr(0, header_end);
  bool first_line = true;
  std::size_t content_length = 0;
  while (!head.empty()) {
    const auto eol = head.find('\n');
    const auto line = text::trim(head.substr(0, eol));
    head.remove_prefix(eol == std::string_view::npos ? head.size() : eol + 1);
    if (first_line) {
      first_line = false;
      const auto first = line.find(' ');
      const auto last = line.rfind(' ');
      if (first == std::string_view::npos || first == last)
        return fail(ErrorCode::invalid_argument, "malformed request line");
      request.method = std::string(line.substr(0, first));
      request.uri = std::string(text::trim(line.substr(first + 1, last - first - 1)));
      request.version = std::string(line.substr(last + 1));
      if (!std::all_of(request.method.begin(), request.method.end(), is_method_char) ||
          request.uri.empty() || !is_version_token(request.version))
        return fail(ErrorCode::invalid_argument, "malformed request line");
      continue;
    }
    if (line.empty()) continue;
    const auto colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0)
      return fail(ErrorCode::invalid_argument, "malformed header line");
    auto name = text::trim(line.substr(0, colon));
    auto value = text::trim(line.substr(colon + 1));
    if (text::equal_ignoring_case(name, "Content-Length")) {
      const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), content_length);
      if (ec != std::errc{} || end != value.data() + value.size())
        return fail(ErrorCode::invalid_argument, "invalid Content-Length");
    }
    request.headers.emplace_back(std::string(name), std::string(value));
  }
  if (content_length > max_request_bytes_ || header_end + content_length > max_request_bytes_)
    return fail(ErrorCode::out_of_range, "request body exceeds " + std::to_string(max_request_bytes_) + " bytes");
  if (pending.size() < header_end + content_length) return NeedMore{};
  request.body = std::string(pending.substr(header_end, content_length));
  consume(header_end + content_length);
  return request;
}

}  // namespace camrig::rtsp
