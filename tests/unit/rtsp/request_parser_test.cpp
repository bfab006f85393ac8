#include "device/rtsp/request_parser.hpp"

#include <gtest/gtest.h>

namespace camrig::rtsp {
namespace {

constexpr std::string_view kOptions = "OPTIONS rtsp://cam/Streaming/Channels/101 RTSP/1.0\r\nCSeq: 1\r\nUser-Agent: test\r\n\r\n";

TEST(RequestParser, ParsesACompleteRequest) {
  RequestParser parser(4096);
  parser.feed(kOptions);
  auto message = parser.next();
  ASSERT_TRUE(std::holds_alternative<Request>(message));
  const auto& request = std::get<Request>(message);
  EXPECT_EQ(request.method, "OPTIONS");
  EXPECT_EQ(request.uri, "rtsp://cam/Streaming/Channels/101");
  EXPECT_EQ(request.version, "RTSP/1.0");
  EXPECT_EQ(request.header("cseq"), "1");
  EXPECT_EQ(request.header("USER-AGENT"), "test");
  EXPECT_FALSE(request.header("Session"));
  EXPECT_TRUE(std::holds_alternative<RequestParser::NeedMore>(parser.next()));
  EXPECT_EQ(parser.buffered_bytes(), 0u);
}

TEST(RequestParser, AssemblesARequestFedOneByteAtATime) {
  RequestParser parser(4096);
  const std::string text = "SET_PARAMETER rtsp://cam/ RTSP/1.0\r\nCSeq: 7\r\nContent-Length: 5\r\n\r\nhello";
  for (std::size_t i = 0; i + 1 < text.size(); ++i) {
    parser.feed(text.substr(i, 1));
    ASSERT_TRUE(std::holds_alternative<RequestParser::NeedMore>(parser.next())) << "at byte " << i;
  }
  parser.feed(text.substr(text.size() - 1));
  auto message = parser.next();
  ASSERT_TRUE(std::holds_alternative<Request>(message));
  EXPECT_EQ(std::get<Request>(message).body, "hello");
}

TEST(RequestParser, SplitsTwoPipelinedRequestsInOneBuffer) {
  RequestParser parser(4096);
  parser.feed(std::string(kOptions) + "DESCRIBE rtsp://cam/x RTSP/1.0\r\nCSeq: 2\r\nAccept: application/sdp\r\n\r\n");
  auto first = parser.next();
  auto second = parser.next();
  ASSERT_TRUE(std::holds_alternative<Request>(first));
  ASSERT_TRUE(std::holds_alternative<Request>(second));
  EXPECT_EQ(std::get<Request>(first).header("CSeq"), "1");
  EXPECT_EQ(std::get<Request>(second).method, "DESCRIBE");
  EXPECT_EQ(std::get<Request>(second).header("CSeq"), "2");
  EXPECT_TRUE(std::holds_alternative<RequestParser::NeedMore>(parser.next()));
}

TEST(RequestParser, KeepsARequestWithoutCSeqForTheServerToReject) {
  // Framing is fine; the missing CSeq is a protocol error the connection answers with 400.
  RequestParser parser(4096);
  parser.feed("OPTIONS * RTSP/1.0\r\n\r\n");
  auto message = parser.next();
  ASSERT_TRUE(std::holds_alternative<Request>(message));
  EXPECT_FALSE(std::get<Request>(message).header("CSeq"));
}

TEST(RequestParser, RejectsAHugeHeaderAsTooLarge) {
  RequestParser parser(1024);
  parser.feed("OPTIONS * RTSP/1.0\r\nCSeq: 1\r\nX-Filler: " + std::string(2000, 'a'));
  auto message = parser.next();
  ASSERT_TRUE(std::holds_alternative<Error>(message));
  EXPECT_EQ(std::get<Error>(message).code, ErrorCode::out_of_range);
  // The error is sticky: the stream cannot be resynchronised.
  EXPECT_TRUE(std::holds_alternative<Error>(parser.next()));
}

TEST(RequestParser, RejectsABodyLargerThanTheLimit) {
  RequestParser parser(1024);
  parser.feed("SET_PARAMETER * RTSP/1.0\r\nCSeq: 1\r\nContent-Length: 100000\r\n\r\n");
  auto message = parser.next();
  ASSERT_TRUE(std::holds_alternative<Error>(message));
  EXPECT_EQ(std::get<Error>(message).code, ErrorCode::out_of_range);
}

TEST(RequestParser, RejectsGarbageBytes) {
  RequestParser parser(4096);
  parser.feed(std::string("\x01\x02\xff\xfe garbage\r\n\r\n", 15));
  auto message = parser.next();
  ASSERT_TRUE(std::holds_alternative<Error>(message));
  EXPECT_EQ(std::get<Error>(message).code, ErrorCode::invalid_argument);
}

TEST(RequestParser, RejectsAMalformedRequestLineBeforeTheHeadersEnd) {
  RequestParser parser(4096);
  parser.feed("HELLO THERE\r\nCSeq: 1\r\n");
  auto message = parser.next();
  ASSERT_TRUE(std::holds_alternative<Error>(message));
  EXPECT_EQ(std::get<Error>(message).code, ErrorCode::invalid_argument);
}

TEST(RequestParser, RejectsAHeaderLineWithoutColon) {
  RequestParser parser(4096);
  parser.feed("OPTIONS * RTSP/1.0\r\nCSeq 1\r\n\r\n");
  EXPECT_TRUE(std::holds_alternative<Error>(parser.next()));
}

TEST(RequestParser, ReportsAnotherRtspVersionForTheServerToAnswer505) {
  RequestParser parser(4096);
  parser.feed("OPTIONS * RTSP/2.0\r\nCSeq: 1\r\n\r\n");
  auto message = parser.next();
  ASSERT_TRUE(std::holds_alternative<Request>(message));
  EXPECT_EQ(std::get<Request>(message).version, "RTSP/2.0");
}

TEST(RequestParser, RejectsANonRtspProtocolToken) {
  RequestParser parser(4096);
  parser.feed("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_TRUE(std::holds_alternative<Error>(parser.next()));
}

TEST(RequestParser, SeparatesInterleavedFramesFromRequests) {
  RequestParser parser(4096);
  std::string bytes = "$";
  bytes += '\x01';
  bytes += '\x00';
  bytes += '\x03';
  bytes += "abc";
  bytes += kOptions;
  parser.feed(bytes.substr(0, 5));
  EXPECT_TRUE(std::holds_alternative<RequestParser::NeedMore>(parser.next()));
  parser.feed(bytes.substr(5));
  auto frame = parser.next();
  ASSERT_TRUE(std::holds_alternative<InterleavedFrame>(frame));
  EXPECT_EQ(std::get<InterleavedFrame>(frame).channel, 1);
  EXPECT_EQ(std::get<InterleavedFrame>(frame).data, "abc");
  EXPECT_TRUE(std::holds_alternative<Request>(parser.next()));
}

}  // namespace
}  // namespace camrig::rtsp
