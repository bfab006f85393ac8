// The Beast server over real sockets: keep-alive, body limit, chunked streamed responses, and
// server-level refusals (413, 400) rendered like route errors.
#include <thread>

#include <boost/asio/connect.hpp>
#include <boost/asio/write.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <gtest/gtest.h>

#include "device/http/server.hpp"
#include "tests/support/lockstep_test_clock.hpp"

namespace camrig::http {
namespace {

namespace net = boost::asio;
using tcp = net::ip::tcp;

class ServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = security::UserAccounts::open(":memory:", "camrig", security::PasswordPolicy::for_profile("network-camera"));
    ASSERT_TRUE(opened);
    accounts = std::move(*opened);
    lock = std::make_unique<security::IllegalLoginLock>(clock, [] { return security::IllegalLoginLockSettings{}; });
    authenticator = std::make_unique<security::Authenticator>(*accounts, *lock, clock);
    router.add(beast_http::verb::post, "/echo", std::nullopt, [](RequestContext& context) -> Result<Reply> {
      Reply reply;
      reply.response.body() = context.message.body();
      return reply;
    });
    router.add(beast_http::verb::get, "/stream", std::nullopt, [this](RequestContext&) -> Result<Reply> {
      Reply reply;
      reply.response.set(beast_http::field::content_type, "multipart/mixed; boundary=boundary");
      reply.stream = std::make_shared<ResponseStream>();
      stream = reply.stream;
      return reply;
    });
    // Stands for the ISAPI ResponseStatus renderer: every error, routed or not, goes through it.
    router.set_error_renderer([](const RequestContext& context, const Error& error, beast_http::status status) {
      Response response{status, 11};
      response.set(beast_http::field::content_type, "application/x-rendered");
      const auto format = context.query.find("format");
      response.body() = context.path + " " + (format == context.query.end() ? "" : format->second) + ": " + error.message;
      return response;
    });
    ServerOptions options;
    options.bind_address = "127.0.0.1";
    options.port = 0;
    options.body_limit = 1024;
    server = std::make_unique<Server>(io, options, router, *authenticator);
    ASSERT_TRUE(server->start());
    thread = std::jthread([this] {
      auto work = net::make_work_guard(io);
      io.run();
    });
  }
  void TearDown() override {
    server->stop();
    io.stop();
  }

  tcp::socket connect() {
    tcp::socket socket(client_io);
    socket.connect({net::ip::make_address("127.0.0.1"), server->port()});
    return socket;
  }

  test::LockstepTestClock clock;
  std::unique_ptr<security::UserAccounts> accounts;
  std::unique_ptr<security::IllegalLoginLock> lock;
  std::unique_ptr<security::Authenticator> authenticator;
  Router router;
  net::io_context io;
  net::io_context client_io;
  std::unique_ptr<Server> server;
  std::shared_ptr<ResponseStream> stream;
  std::jthread thread;
};

Response exchange(tcp::socket& socket, beast_http::verb method, const std::string& target, const std::string& body) {
  Request request{method, target, 11};
  request.set(beast_http::field::host, "127.0.0.1");
  request.body() = body;
  request.prepare_payload();
  beast_http::write(socket, request);
  boost::beast::flat_buffer buffer;
  Response response;
  beast_http::read(socket, buffer, response);
  return response;
}

TEST_F(ServerTest, KeepsTheConnectionAliveAcrossRequests) {
  auto socket = connect();
  EXPECT_EQ(exchange(socket, beast_http::verb::post, "/echo", "one").body(), "one");
  EXPECT_EQ(exchange(socket, beast_http::verb::post, "/echo", "two").body(), "two");
}

TEST_F(ServerTest, RefusesABodyOverTheLimitWith413ThroughTheErrorRenderer) {
  auto socket = connect();
  const auto response = exchange(socket, beast_http::verb::post, "/echo?format=json", std::string(2048, 'x'));
  EXPECT_EQ(response.result(), beast_http::status::payload_too_large);
  EXPECT_EQ(response[beast_http::field::content_type], "application/x-rendered");
  EXPECT_EQ(response.body(), "/echo json: the request body is over 1024 bytes");
  EXPECT_FALSE(response.keep_alive());
}

// A client like curl sends the whole body before it looks for an answer, and gives up when a send
// fails; closing on its unread body would reset the connection under it. The server reads and
// drops the rest, so the send completes and the 413 is there to read, then it closes.
TEST_F(ServerTest, AClientThatSendsAllOfARefusedBodyFirstStillReadsThe413) {
  auto socket = connect();
  const std::size_t size = 64 * 1024 * 1024;  // far more than the socket buffers of both ends hold
  net::write(socket, net::buffer("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: " + std::to_string(size) + "\r\n\r\n"));
  const std::string block(1024 * 1024, 'x');
  for (std::size_t sent = 0; sent < size; sent += block.size()) {
    boost::system::error_code ec;
    net::write(socket, net::buffer(block), ec);
    ASSERT_FALSE(ec) << "after " << sent << " bytes: " << ec.message();
  }
  boost::beast::flat_buffer buffer;
  Response response;
  beast_http::read(socket, buffer, response);
  EXPECT_EQ(response.result(), beast_http::status::payload_too_large);
  EXPECT_FALSE(response.keep_alive());
  boost::system::error_code ec;
  char byte = 0;
  socket.read_some(net::buffer(&byte, 1), ec);
  EXPECT_EQ(ec, net::error::eof) << "the refusal is the last the server sends";
}

TEST_F(ServerTest, AnswersAMalformedRequestWith400ThroughTheErrorRenderer) {
  auto socket = connect();
  net::write(socket, net::buffer(std::string("GET /echo HTTP/1.1\r\nHost: x\r\nNo colon here\r\n\r\n")));
  boost::beast::flat_buffer buffer;
  Response response;
  beast_http::read(socket, buffer, response);
  EXPECT_EQ(response.result(), beast_http::status::bad_request);
  EXPECT_EQ(response[beast_http::field::content_type], "application/x-rendered");
  EXPECT_TRUE(response.body().starts_with("/echo : malformed HTTP request")) << response.body();
}

TEST_F(ServerTest, UnknownPathAndMethodGoThroughTheErrorRenderer) {
  auto socket = connect();
  const auto unknown = exchange(socket, beast_http::verb::get, "/nothing", "");
  EXPECT_EQ(unknown.result(), beast_http::status::not_found);
  EXPECT_EQ(unknown.body(), "/nothing : no resource /nothing");
  const auto wrong_method = exchange(socket, beast_http::verb::delete_, "/echo", "");
  EXPECT_EQ(wrong_method.result(), beast_http::status::method_not_allowed);
  EXPECT_EQ(wrong_method[beast_http::field::content_type], "application/x-rendered");
}

TEST_F(ServerTest, StreamsChunksAsTheyAreWrittenUntilClosed) {
  auto socket = connect();
  Request request{beast_http::verb::get, "/stream", 11};
  beast_http::write(socket, request);
  boost::beast::flat_buffer buffer;
  beast_http::response_parser<beast_http::string_body> parser;
  boost::beast::error_code ec;
  beast_http::read_header(socket, buffer, parser, ec);
  ASSERT_FALSE(ec) << "header: " << ec.message();
  EXPECT_TRUE(parser.chunked());
  ASSERT_TRUE(stream);
  EXPECT_TRUE(stream->write("--boundary\r\n\r\nfirst\r\n"));
  EXPECT_TRUE(stream->write("--boundary\r\n\r\nsecond\r\n"));
  stream->close();
  beast_http::read(socket, buffer, parser, ec);
  ASSERT_FALSE(ec) << "body: " << ec.message() << " after " << parser.get().body();
  EXPECT_EQ(parser.get().body(), "--boundary\r\n\r\nfirst\r\n--boundary\r\n\r\nsecond\r\n");
}

TEST_F(ServerTest, ClientThatGoesAwayClosesTheStreamForItsProducer) {
  {
    auto socket = connect();
    Request request{beast_http::verb::get, "/stream", 11};
    beast_http::write(socket, request);
    boost::beast::flat_buffer buffer;
    beast_http::response_parser<beast_http::string_body> parser;
    beast_http::read_header(socket, buffer, parser);
  }
  ASSERT_TRUE(stream);
  for (int i = 0; i < 200 && !stream->closed(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_TRUE(stream->closed());
  EXPECT_FALSE(stream->write("late"));
}

TEST_F(ServerTest, StartFailsWithAClearMessageWhenThePortIsTaken) {
  ServerOptions options;
  options.bind_address = "127.0.0.1";
  options.port = server->port();
  Server second(io, options, router, *authenticator);
  const auto started = second.start();
  ASSERT_FALSE(started);
  EXPECT_NE(started.error().message.find("in use"), std::string::npos) << started.error().message;
}

}  // namespace
}  // namespace camrig::http
