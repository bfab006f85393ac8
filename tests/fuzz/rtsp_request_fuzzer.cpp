// libFuzzer target: arbitrary bytes into the RTSP request parser (split into reads at
// input-chosen points), every Transport header and URL it yields into parse_transport() and
// resolve_mount(), and the same bytes into the HTTP tunnel's request parser and base64 stream
// decoder. Beyond the sanitizers it checks the parser's contract: an error is sticky and the
// parser never holds more than the request size limit plus one read.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <variant>

#include "device/rtsp/http_tunnel.hpp"
#include "device/rtsp/mount_points.hpp"
#include "device/rtsp/request_parser.hpp"
#include "device/rtsp/transport.hpp"

namespace {

using namespace camrig::rtsp;

constexpr std::size_t kMaxRequestBytes = 4096;

void check(bool condition) {
  if (!condition) std::abort();
}

void exercise_request(const Request& request) {
  if (const auto transport = request.header("Transport")) {
    auto parsed = parse_transport(*transport);
    if (parsed) (void)parsed->to_reply(6970, 6971, 0x12345678);
  }
  (void)resolve_mount(request.uri);
  (void)request.header("CSeq");
  (void)request.header("Session");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);

  // The first byte picks the read size, so requests are split at varying places.
  const std::size_t chunk = size == 0 ? 1 : 1 + data[0] % 64;
  RequestParser parser(kMaxRequestBytes);
  bool failed = false;
  for (std::size_t at = 0; at < size && !failed; at += chunk) {
    const std::size_t read = std::min(chunk, size - at);
    parser.feed(input.substr(at, read));
    check(parser.buffered_bytes() <= kMaxRequestBytes + 64 * 1024);
    for (;;) {
      auto message = parser.next();
      if (std::holds_alternative<RequestParser::NeedMore>(message)) break;
      if (std::holds_alternative<camrig::Error>(message)) {
        failed = true;
        check(std::holds_alternative<camrig::Error>(parser.next()));  // errors are sticky
        break;
      }
      if (const auto* request = std::get_if<Request>(&message)) exercise_request(*request);
    }
  }

  // The Transport grammar on its own, with the whole input as the header value.
  if (auto transport = parse_transport(input)) {
    const auto reply = transport->to_reply(1, 2, 3);
    check(!reply.empty());
  }
  (void)resolve_mount(input);

  // The HTTP side of RTSP-over-HTTP.
  bool is_http = false;
  (void)may_be_http(input, is_http);
  if (const auto end = http_header_end(input); end != std::string_view::npos) (void)parse_tunnel_request(input.substr(0, end));
  Base64StreamDecoder decoder;
  if (auto decoded = decoder.feed(input.substr(0, size / 2))) {
    auto rest = decoder.feed(input.substr(size / 2));
    if (rest) check(decoded->size() + rest->size() <= size);
  }
  return 0;
}
