#include "device/rtsp/http_tunnel.hpp"

#include "device/core/text.hpp"
#include "device/rtsp/status.hpp"

namespace camrig::rtsp {

namespace {

int base64_value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

}  // namespace

bool may_be_http(std::string_view first_bytes, bool& is_http) {
  is_http = false;
  for (const std::string_view method : {std::string_view("GET "), std::string_view("POST ")}) {
    if (first_bytes.size() >= method.size()) {
      if (first_bytes.substr(0, method.size()) == method) {
        is_http = true;
        return true;
      }
    } else if (method.substr(0, first_bytes.size()) == first_bytes) {
      return true;
    }
  }
  return false;
}

std::size_t http_header_end(std::string_view text) {
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '\n') continue;
    if (i + 1 < text.size() && text[i + 1] == '\n') return i + 2;
    if (i + 2 < text.size() && text[i + 1] == '\r' && text[i + 2] == '\n') return i + 3;
  }
  return std::string_view::npos;
}

Result<TunnelRequest> parse_tunnel_request(std::string_view header_block) {
  const auto line_end = header_block.find('\n');
  const auto request_line = text::trim(header_block.substr(0, line_end));
  const auto first_space = request_line.find(' ');
  const auto last_space = request_line.rfind(' ');
  if (first_space == std::string_view::npos || last_space == first_space)
    return make_error(ErrorCode::invalid_argument, "malformed HTTP request line");
  const auto method = request_line.substr(0, first_space);
  const auto version = request_line.substr(last_space + 1);
  if (version.substr(0, 5) != "HTTP/") return make_error(ErrorCode::invalid_argument, "not an HTTP request");
  TunnelRequest request;
  if (method == "GET") request.kind = TunnelRequest::Kind::get;
  else if (method == "POST") request.kind = TunnelRequest::Kind::post;
  else return make_error(ErrorCode::invalid_argument, "HTTP method " + std::string(method) + " cannot open an RTSP tunnel");

  auto rest = line_end == std::string_view::npos ? std::string_view{} : header_block.substr(line_end + 1);
  while (!rest.empty()) {
    const auto end = rest.find('\n');
    const auto line = text::trim(rest.substr(0, end));
    rest.remove_prefix(end == std::string_view::npos ? rest.size() : end + 1);
    const auto colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    if (text::equal_ignoring_case(text::trim(line.substr(0, colon)), "x-sessioncookie"))
      request.cookie = std::string(text::trim(line.substr(colon + 1)));
  }
  if (request.cookie.empty())
    return make_error(ErrorCode::invalid_argument,
                      "HTTP on the RTSP port is only for RTSP tunnelling, which needs an x-sessioncookie header");
  if (request.cookie.size() > 128) return make_error(ErrorCode::invalid_argument, "x-sessioncookie is too long");
  return request;
}

std::string tunnel_get_reply(std::string_view date) {
  return "HTTP/1.0 200 OK\r\nServer: camrig\r\nDate: " + std::string(date) +
         "\r\nConnection: close\r\nCache-Control: no-store\r\nPragma: no-cache\r\n"
         "Content-Type: application/x-rtsp-tunnelled\r\n\r\n";
}

std::string http_error_reply(int status, std::string_view message) {
  const std::string body = std::string(message) + "\r\n";
  return "HTTP/1.0 " + std::to_string(status) + " " + std::string(reason_phrase(status)) +
         "\r\nServer: camrig\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: " +
         std::to_string(body.size()) + "\r\n\r\n" + body;
}

Result<std::string> Base64StreamDecoder::feed(std::string_view text) {
  std::string out;
  out.reserve(text.size() * 3 / 4 + 3);
  for (const char c : text) {
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') continue;
    if (c == '=') {
      // Padding ends a quantum: "xx==" gives one byte, "xxx=" two.
      if (count_ < 2) return make_error(ErrorCode::invalid_argument, "misplaced base64 padding");
      ++padding_;
      quantum_ <<= 6;
      if (++count_ == 4) {
        out += static_cast<char>(quantum_ >> 16 & 0xff);
        if (padding_ == 1) out += static_cast<char>(quantum_ >> 8 & 0xff);
        quantum_ = 0;
        count_ = 0;
        padding_ = 0;
      }
      continue;
    }
    const int value = base64_value(c);
    if (value < 0 || padding_ > 0) return make_error(ErrorCode::invalid_argument, "invalid base64 in the RTSP tunnel");
    quantum_ = quantum_ << 6 | static_cast<unsigned>(value);
    if (++count_ == 4) {
      out += static_cast<char>(quantum_ >> 16 & 0xff);
      out += static_cast<char>(quantum_ >> 8 & 0xff);
      out += static_cast<char>(quantum_ & 0xff);
      quantum_ = 0;
      count_ = 0;
    }
  }
  return out;
}

}  // namespace camrig::rtsp
