#include "device/rtsp/http_tunnel.hpp"

#include <gtest/gtest.h>

namespace camrig::rtsp {
namespace {

TEST(HttpTunnel, TellsHttpFromRtspByTheFirstBytes) {
  bool is_http = false;
  EXPECT_TRUE(may_be_http("GE", is_http));
  EXPECT_FALSE(is_http);
  EXPECT_TRUE(may_be_http("POST", is_http));
  EXPECT_FALSE(is_http);
  EXPECT_TRUE(may_be_http("GET /a HTTP/1.0", is_http));
  EXPECT_TRUE(is_http);
  EXPECT_TRUE(may_be_http("POST /a", is_http));
  EXPECT_TRUE(is_http);
  EXPECT_FALSE(may_be_http("GET_PARAMETER rtsp://x RTSP/1.0", is_http));
  EXPECT_FALSE(is_http);
  EXPECT_FALSE(may_be_http("OPTIONS", is_http));
  EXPECT_FALSE(may_be_http("$", is_http));
}

TEST(HttpTunnel, ParsesTheGetAndPostOfATunnel) {
  auto get = parse_tunnel_request(
      "GET /Streaming/Channels/101 HTTP/1.0\r\nx-sessioncookie: 3d6f1a2b\r\nAccept: application/x-rtsp-tunnelled\r\n\r\n");
  ASSERT_TRUE(get.ok()) << get.error().message;
  EXPECT_EQ(get->kind, TunnelRequest::Kind::get);
  EXPECT_EQ(get->cookie, "3d6f1a2b");
  auto post = parse_tunnel_request("POST /x HTTP/1.0\r\nX-SessionCookie:  abc \r\nContent-Length: 32767\r\n\r\n");
  ASSERT_TRUE(post.ok()) << post.error().message;
  EXPECT_EQ(post->kind, TunnelRequest::Kind::post);
  EXPECT_EQ(post->cookie, "abc");
}

TEST(HttpTunnel, RefusesPlainHttpAndMissingCookies) {
  EXPECT_EQ(parse_tunnel_request("GET / HTTP/1.1\r\nHost: x\r\n\r\n").error().code, ErrorCode::invalid_argument);
  EXPECT_FALSE(parse_tunnel_request("GET /\r\n\r\n").ok());
  EXPECT_FALSE(parse_tunnel_request("PUT / HTTP/1.0\r\nx-sessioncookie: a\r\n\r\n").ok());
  EXPECT_FALSE(parse_tunnel_request("GET / RTSP/1.0\r\nx-sessioncookie: a\r\n\r\n").ok());
}

TEST(HttpTunnel, GetReplyAnnouncesTheTunnelledContentType) {
  const auto reply = tunnel_get_reply("Thu, 01 Jan 2026 00:00:00 GMT");
  EXPECT_EQ(reply.rfind("HTTP/1.0 200 OK\r\n", 0), 0u);
  EXPECT_NE(reply.find("Content-Type: application/x-rtsp-tunnelled\r\n"), std::string::npos);
  EXPECT_EQ(reply.substr(reply.size() - 4), "\r\n\r\n");
  EXPECT_EQ(http_error_reply(404, "no").rfind("HTTP/1.0 404 Not Found\r\n", 0), 0u);
}

TEST(HttpTunnel, DecodesBase64SplitAnywhereAndIgnoresLineBreaks) {
  const std::string encoded = "T1BUSU9OUyBydHNwOi8veCBSVFNQLzEuMA0KQ1NlcTogMQ0KDQo=";  // OPTIONS rtsp://x RTSP/1.0 CSeq: 1
  for (std::size_t split = 0; split <= encoded.size(); ++split) {
    Base64StreamDecoder decoder;
    auto first = decoder.feed(encoded.substr(0, split));
    auto second = decoder.feed("\r\n" + encoded.substr(split));
    ASSERT_TRUE(first.ok() && second.ok()) << split;
    EXPECT_EQ(*first + *second, "OPTIONS rtsp://x RTSP/1.0\r\nCSeq: 1\r\n\r\n") << split;
  }
  Base64StreamDecoder decoder;
  EXPECT_EQ(*decoder.feed("Zg==Zm8=Zm9v"), "ffofoo");
  EXPECT_FALSE(decoder.feed("Zm9*").ok());
  Base64StreamDecoder padded;
  EXPECT_FALSE(padded.feed("Z===").ok());
}

}  // namespace
}  // namespace camrig::rtsp
