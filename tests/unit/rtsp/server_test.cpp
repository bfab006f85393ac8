// Drives the RTSP server over loopback with a raw TCP client: the full handshake, RTP delivery,
// error statuses, isolation between clients, session expiry and shutdown.
#include "device/rtsp/server.hpp"
#include "device/core/base64.hpp"
#include "device/rtsp/sdp.hpp"

#include <gtest/gtest.h>

#include <future>
#include <set>
#include <unistd.h>
#include <thread>

#include "tests/support/lockstep_test_clock.hpp"
#include "tests/unit/rtsp/raw_rtsp_client.hpp"

namespace camrig::rtsp {
namespace {

using namespace std::chrono_literals;
using camrig::test::LockstepTestClock;
using test::RawRtspClient;

constexpr const char* kUrl = "/Streaming/Channels/101";

media::StreamDescription synthetic_description() {
  media::StreamDescription description;
  description.width = 1280;
  description.height = 720;
  description.parameter_sets = {{0x67, 0x42, 0xC0, 0x1E, 0xD9, 0x00, 0xA0, 0x47, 0xFE, 0xC8}, {0x68, 0xCE, 0x38, 0x80}};
  return description;
}

//! A fake encoder: publishes Annex B access units at 25 fps, an IDR (big enough for FU-A) every
//! 25 frames or when a new consumer asks for one. Like a camera in a lockstep world it moves
//! device time on by one frame period per frame (a test may jump it further) and stamps each
//! access unit with it, so RTP timestamps advance at the frame rate.
class SyntheticEncoder {
 public:
  static constexpr hal::Nanos kFramePeriod = 40ms;

  SyntheticEncoder(std::shared_ptr<media::StreamHub> hub, core::LockstepClock& clock)
      : thread_([this, hub = std::move(hub), &clock](std::stop_token stop) {
          for (std::uint64_t index = 0; !stop.stop_requested(); ++index) {
            clock.advance_to(clock.now() + kFramePeriod);
            auto packet = std::make_shared<media::EncodedPacket>();
            packet->keyframe = index % 25 == 0 || hub->take_keyframe_request();
            packet->timestamp = clock.now();
            packet->sequence = index;
            auto append = [&](std::uint8_t header, std::size_t size) {
              packet->data.insert(packet->data.end(), {0, 0, 0, 1, header});
              for (std::size_t i = 1; i < size; ++i) packet->data.push_back(static_cast<std::uint8_t>(1 + (i + index) % 200));
            };
            if (packet->keyframe) {
              append(0x67, 10);
              append(0x68, 4);
              append(0x65, 6000);
            } else {
              append(0x41, 700);
            }
            hub->publish(packet);
            std::this_thread::sleep_for(kFramePeriod);
          }
        }) {}

 private:
  std::jthread thread_;
};

std::string session_id(const test::RawReply& reply) {
  const auto header = reply.header("session");
  return header.substr(0, header.find(';'));
}

class ServerLoopback : public ::testing::Test {
 protected:
  void SetUp() override { start_server({}); }

  void start_server(ServerOptions options) {
    hub_ = std::make_shared<media::StreamHub>();
    hub_->set_description(synthetic_description());
    encoder_.emplace(hub_, clock_);
    options.bind_address = "127.0.0.1";
    options.port = 0;
    server_ = std::make_unique<Server>(io_, options, [this](int id) { return id == 101 ? hub() : nullptr; }, clock_);
    auto started = server_->start();
    ASSERT_TRUE(started.ok()) << started.error().message;
    io_done_ = std::async(std::launch::async, [this] { io_.run(); });
  }

  void TearDown() override {
    server_->stop();
    // stop() is the single shutdown path: once every connection has closed, the io_context runs
    // out of work and run() returns by itself.
    if (io_done_.valid()) {
      EXPECT_EQ(io_done_.wait_for(5s), std::future_status::ready) << "connections still open after stop()";
      io_.stop();
      io_done_.wait();
    }
    encoder_.reset();
  }

  std::shared_ptr<media::StreamHub> hub() {
    std::lock_guard lock(hub_mutex_);
    return hub_;
  }
  //! Swaps the hub the server finds at 101 (the lookup runs on the io thread).
  void set_hub(std::shared_ptr<media::StreamHub> hub) {
    std::lock_guard lock(hub_mutex_);
    hub_ = std::move(hub);
  }

  std::string url() const { return "rtsp://127.0.0.1:" + std::to_string(server_->port()) + kUrl; }

  //! DESCRIBE, SETUP (TCP interleaved 0-1) and PLAY; returns the session id.
  std::string play(RawRtspClient& client) {
    auto describe = client.request("DESCRIBE", url(), "Accept: application/sdp\r\n");
    EXPECT_TRUE(describe && describe->status == 200);
    auto setup = client.request("SETUP", url() + "/trackID=1", "Transport: RTP/AVP/TCP;unicast;interleaved=0-1\r\n");
    EXPECT_TRUE(setup && setup->status == 200);
    if (!setup) return {};
    const auto id = session_id(*setup);
    auto reply = client.request("PLAY", url(), "Session: " + id + "\r\nRange: npt=0.000-\r\n");
    EXPECT_TRUE(reply && reply->status == 200);
    return id;
  }

  //! True as soon as an RTP packet arrives on channel 0; false if none does within `timeout`.
  //! Waits for delivery rather than sampling a fixed window, so a loaded machine only slows it.
  static bool receives_rtp(RawRtspClient& client, std::chrono::milliseconds timeout = 10s) {
    const auto end = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < end) {
      auto frame = client.read_frame(std::chrono::duration_cast<std::chrono::milliseconds>(end - std::chrono::steady_clock::now()) + 1ms);
      if (!frame) return false;
      if (frame->channel == 0) return true;
    }
    return false;
  }

  //! The hub's consumer count as soon as it is zero, else after `timeout`: an expired session is
  //! found by the connection's once-a-second check.
  std::size_t consumers_once_detached(std::chrono::milliseconds timeout = 5s) {
    const auto end = std::chrono::steady_clock::now() + timeout;
    while (hub_->consumer_count() > 0 && std::chrono::steady_clock::now() < end) std::this_thread::sleep_for(10ms);
    return hub_->consumer_count();
  }

  //! Counts RTP packets on channel 0 arriving within `duration`.
  static int count_rtp(RawRtspClient& client, std::chrono::milliseconds duration) {
    int count = 0;
    const auto end = std::chrono::steady_clock::now() + duration;
    while (std::chrono::steady_clock::now() < end) {
      auto frame = client.read_frame(std::chrono::duration_cast<std::chrono::milliseconds>(end - std::chrono::steady_clock::now()) + 1ms);
      if (!frame) break;
      if (frame->channel == 0) ++count;
    }
    return count;
  }

  LockstepTestClock clock_;
  boost::asio::io_context io_;
  std::mutex hub_mutex_;
  std::shared_ptr<media::StreamHub> hub_;
  std::optional<SyntheticEncoder> encoder_;
  std::unique_ptr<Server> server_;
  std::future<void> io_done_;
};

TEST_F(ServerLoopback, PlaysInterleavedRtpAfterOptionsDescribeSetupPlay) {
  RawRtspClient client(server_->port());
  auto options = client.request("OPTIONS", url());
  ASSERT_TRUE(options);
  EXPECT_EQ(options->status, 200);
  EXPECT_EQ(options->header("cseq"), "1");
  EXPECT_NE(options->header("public").find("DESCRIBE"), std::string::npos);

  auto describe = client.request("DESCRIBE", url(), "Accept: application/sdp\r\n");
  ASSERT_TRUE(describe);
  EXPECT_EQ(describe->status, 200);
  EXPECT_EQ(describe->header("content-type"), "application/sdp");
  EXPECT_EQ(describe->header("content-base"), url() + "/");
  EXPECT_NE(describe->body.find("sprop-parameter-sets=Z0LAHtkAoEf+yA==,aM44gA=="), std::string::npos) << describe->body;

  auto setup = client.request("SETUP", url() + "/trackID=1", "Transport: RTP/AVP/TCP;unicast;interleaved=0-1\r\n");
  ASSERT_TRUE(setup);
  ASSERT_EQ(setup->status, 200);
  const auto id = session_id(*setup);
  EXPECT_FALSE(id.empty());
  EXPECT_NE(setup->header("session").find(";timeout=60"), std::string::npos);
  const auto transport = setup->header("transport");
  ASSERT_NE(transport.find("interleaved=0-1;ssrc="), std::string::npos) << transport;
  const auto ssrc = static_cast<std::uint32_t>(std::stoul(transport.substr(transport.find("ssrc=") + 5), nullptr, 16));

  auto play = client.request("PLAY", url(), "Session: " + id + "\r\nRange: npt=0.000-\r\n");
  ASSERT_TRUE(play);
  ASSERT_EQ(play->status, 200);
  const auto rtp_info = play->header("rtp-info");
  EXPECT_NE(rtp_info.find("url=" + url() + "/trackID=1;seq="), std::string::npos) << rtp_info;
  EXPECT_NE(rtp_info.find(";rtptime="), std::string::npos);
  const auto first_seq = static_cast<std::uint16_t>(std::stoul(rtp_info.substr(rtp_info.find("seq=") + 4)));

  // The first access unit is the keyframe: SPS, PPS, then the IDR in FU-A fragments, the last
  // packet marked; sequence numbers start where RTP-Info said.
  std::vector<std::string> access_unit;
  while (access_unit.empty() || !(static_cast<std::uint8_t>(access_unit.back()[1]) & 0x80)) {
    auto frame = client.read_frame();
    ASSERT_TRUE(frame) << "no RTP within 5 s";
    if (frame->channel != 0) continue;
    access_unit.push_back(frame->data);
  }
  ASSERT_GE(access_unit.size(), 4u);
  for (std::size_t i = 0; i < access_unit.size(); ++i) {
    const auto& rtp = access_unit[i];
    ASSERT_GE(rtp.size(), 13u);
    EXPECT_EQ(static_cast<std::uint8_t>(rtp[0]), 0x80);
    EXPECT_EQ(static_cast<std::uint8_t>(rtp[1]) & 0x7f, 96);
    const auto seq = static_cast<std::uint16_t>(static_cast<std::uint8_t>(rtp[2]) << 8 | static_cast<std::uint8_t>(rtp[3]));
    EXPECT_EQ(seq, static_cast<std::uint16_t>(first_seq + i));
    std::uint32_t packet_ssrc = 0;
    for (int b = 8; b < 12; ++b) packet_ssrc = packet_ssrc << 8 | static_cast<std::uint8_t>(rtp[b]);
    EXPECT_EQ(packet_ssrc, ssrc);
  }
  EXPECT_EQ(static_cast<std::uint8_t>(access_unit[0][12]) & 0x1f, 7);   // SPS
  EXPECT_EQ(static_cast<std::uint8_t>(access_unit[1][12]) & 0x1f, 8);   // PPS
  EXPECT_EQ(static_cast<std::uint8_t>(access_unit[2][12]) & 0x1f, 28);  // FU-A
  EXPECT_EQ(static_cast<std::uint8_t>(access_unit[2][13]), 0x80 | 5);   // start of the IDR

  // Five seconds of device time later a sender report arrives on the RTCP channel.
  clock_.advance_to(clock_.now() + 6s);
  bool got_report = false;
  for (int i = 0; i < 500 && !got_report; ++i) {
    auto frame = client.read_frame(3s);
    ASSERT_TRUE(frame);
    got_report = frame->channel == 1 && static_cast<std::uint8_t>(frame->data[1]) == 200;
  }
  EXPECT_TRUE(got_report);

  // PAUSE stops the flow: nothing follows its reply (what was sent before it does not count).
  auto pause = client.request("PAUSE", url(), "Session: " + id + "\r\n");
  ASSERT_TRUE(pause);
  EXPECT_EQ(pause->status, 200);
  client.discard_frames();
  EXPECT_EQ(count_rtp(client, 300ms), 0);
  EXPECT_EQ(hub_->consumer_count(), 0u);

  auto resume = client.request("PLAY", url(), "Session: " + id + "\r\n");
  ASSERT_TRUE(resume);
  EXPECT_EQ(resume->status, 200);
  EXPECT_TRUE(receives_rtp(client));

  auto teardown = client.request("TEARDOWN", url(), "Session: " + id + "\r\n");
  ASSERT_TRUE(teardown);
  EXPECT_EQ(teardown->status, 200);
  EXPECT_EQ(hub_->consumer_count(), 0u) << "TEARDOWN leaves the stream before it is answered";
  auto after = client.request("GET_PARAMETER", url(), "Session: " + id + "\r\n");
  ASSERT_TRUE(after);
  EXPECT_EQ(after->status, 454);
}

TEST_F(ServerLoopback, AnswersBadRequestsWithTheirStatusWithoutDisturbingAnotherClient) {
  RawRtspClient viewer(server_->port());
  const auto viewer_session = play(viewer);
  ASSERT_TRUE(receives_rtp(viewer));

  RawRtspClient bad(server_->port());
  const auto expect_status = [&](const std::string& bytes, int status) {
    bad.send(bytes);
    auto reply = bad.read_reply();
    ASSERT_TRUE(reply) << bytes;
    EXPECT_EQ(reply->status, status) << bytes;
  };
  expect_status("OPTIONS " + url() + " RTSP/1.0\r\n\r\n", 400);  // no CSeq
  expect_status("OPTIONS " + url() + " RTSP/1.0\r\nCSeq: abc\r\n\r\n", 400);
  expect_status("OPTIONS " + url() + " RTSP/2.0\r\nCSeq: 1\r\n\r\n", 505);
  expect_status("RECORD " + url() + " RTSP/1.0\r\nCSeq: 2\r\n\r\n", 501);
  expect_status("DESCRIBE rtsp://127.0.0.1/Streaming/Channels/999 RTSP/1.0\r\nCSeq: 3\r\n\r\n", 404);
  expect_status("DESCRIBE rtsp://127.0.0.1/Streaming/Channels/201 RTSP/1.0\r\nCSeq: 4\r\n\r\n", 404);
  expect_status("PLAY " + url() + " RTSP/1.0\r\nCSeq: 5\r\nSession: 0123456789\r\n\r\n", 454);
  // Sessions belong to their connection: another client cannot tear down the viewer's.
  expect_status("TEARDOWN " + url() + " RTSP/1.0\r\nCSeq: 6\r\nSession: " + viewer_session + "\r\n\r\n", 454);
  expect_status("SETUP " + url() + "/trackID=1 RTSP/1.0\r\nCSeq: 7\r\nTransport: RTP/AVP;multicast\r\n\r\n", 461);
  expect_status("SETUP " + url() + "/trackID=2 RTSP/1.0\r\nCSeq: 8\r\nTransport: RTP/AVP/TCP;interleaved=0-1\r\n\r\n", 404);

  // A playing session cannot be set up again.
  auto setup = bad.request("SETUP", url() + "/trackID=1", "Transport: RTP/AVP/TCP;unicast;interleaved=0-1\r\n");
  ASSERT_TRUE(setup);
  ASSERT_EQ(setup->status, 200);
  const auto id = session_id(*setup);
  auto play_reply = bad.request("PLAY", url(), "Session: " + id + "\r\n");
  ASSERT_TRUE(play_reply);
  EXPECT_EQ(play_reply->status, 200);
  auto again = bad.request("SETUP", url() + "/trackID=1", "Session: " + id + "\r\nTransport: RTP/AVP/TCP;interleaved=0-1\r\n");
  ASSERT_TRUE(again);
  EXPECT_EQ(again->status, 455);

  // Not-implemented replies list what is.
  bad.send("ANNOUNCE " + url() + " RTSP/1.0\r\nCSeq: 20\r\n\r\n");
  auto announce = bad.read_reply();
  ASSERT_TRUE(announce);
  EXPECT_EQ(announce->status, 501);
  EXPECT_NE(announce->header("public").find("TEARDOWN"), std::string::npos);
  EXPECT_EQ(announce->header("cseq"), "20");

  // An oversized request gets 413 and the connection closes. The server stops reading after its
  // limit, so it may close (and reset) the connection before the client has written it all.
  bad.try_send("OPTIONS " + url() + " RTSP/1.0\r\nCSeq: 21\r\nX-Filler: " + std::string(64 * 1024, 'x') + "\r\n\r\n");
  auto too_large = bad.read_reply();
  ASSERT_TRUE(too_large);
  EXPECT_EQ(too_large->status, 413);
  EXPECT_TRUE(bad.wait_closed());

  // The viewer still answers and still plays: RTP keeps coming after that answer.
  auto keep_alive = viewer.request("GET_PARAMETER", url(), "Session: " + viewer_session + "\r\n");
  ASSERT_TRUE(keep_alive);
  EXPECT_EQ(keep_alive->status, 200);
  viewer.discard_frames();
  EXPECT_TRUE(receives_rtp(viewer));
}

TEST_F(ServerLoopback, ClosesTheConnectionAfterGarbage) {
  RawRtspClient client(server_->port());
  client.send(std::string("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 11));
  auto reply = client.read_reply();
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->status, 400);
  EXPECT_TRUE(client.wait_closed());
}

TEST_F(ServerLoopback, AnswersPipelinedRequestsInOrder) {
  RawRtspClient client(server_->port());
  client.send("OPTIONS " + url() + " RTSP/1.0\r\nCSeq: 1\r\n\r\nDESCRIBE " + url() + " RTSP/1.0\r\nCSeq: 2\r\n\r\n");
  auto first = client.read_reply();
  auto second = client.read_reply();
  ASSERT_TRUE(first && second);
  EXPECT_EQ(first->header("cseq"), "1");
  EXPECT_EQ(second->header("cseq"), "2");
  EXPECT_EQ(second->header("content-type"), "application/sdp");
}

TEST_F(ServerLoopback, RemovesASessionThatHearsNothingForTheTimeout) {
  RawRtspClient client(server_->port());
  const auto id = play(client);
  ASSERT_EQ(hub_->consumer_count(), 1u);
  clock_.advance_to(clock_.now() + 61s);
  // The connection checks its sessions once a second.
  EXPECT_EQ(consumers_once_detached(), 0u);
  auto reply = client.request("GET_PARAMETER", url(), "Session: " + id + "\r\n");
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->status, 454);
}

TEST_F(ServerLoopback, PlaysRtpOverUdpToTheClientPorts) {
  boost::asio::io_context io;
  boost::asio::ip::udp::socket rtp(io, {boost::asio::ip::make_address("127.0.0.1"), 0});
  const auto client_port = rtp.local_endpoint().port();
  RawRtspClient client(server_->port());
  auto setup = client.request("SETUP", url() + "/trackID=1",
                              "Transport: RTP/AVP;unicast;client_port=" + std::to_string(client_port) + "-" +
                                  std::to_string(client_port + 1) + "\r\n");
  ASSERT_TRUE(setup);
  ASSERT_EQ(setup->status, 200);
  const auto transport = setup->header("transport");
  EXPECT_NE(transport.find("server_port=" + std::to_string(server_->rtp_port()) + "-" + std::to_string(server_->rtp_port() + 1)),
            std::string::npos)
      << transport;
  auto play = client.request("PLAY", url(), "Session: " + session_id(*setup) + "\r\n");
  ASSERT_TRUE(play);
  ASSERT_EQ(play->status, 200);

  std::array<std::uint8_t, 2048> datagram{};
  boost::asio::ip::udp::endpoint from;
  std::size_t size = 0;
  rtp.async_receive_from(boost::asio::buffer(datagram), from, [&](const boost::system::error_code& ec, std::size_t n) {
    if (!ec) size = n;
  });
  io.run_for(5s);
  ASSERT_GT(size, 12u) << "no RTP datagram within 5 s";
  EXPECT_EQ(from.port(), server_->rtp_port());
  EXPECT_EQ(datagram[0], 0x80);
  EXPECT_EQ(datagram[1] & 0x7f, 96);
}

TEST_F(ServerLoopback, DescribeOfAStreamWithoutVideoAnswers503AfterWaiting) {
  set_hub(std::make_shared<media::StreamHub>());  // never gets a description
  RawRtspClient client(server_->port());
  const auto started = std::chrono::steady_clock::now();
  auto reply = client.request("DESCRIBE", url());
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->status, 503);
  EXPECT_GE(std::chrono::steady_clock::now() - started, 1500ms);
}

TEST_F(ServerLoopback, DescribeWaitsForAnEncoderThatIsStillOpening) {
  auto late = std::make_shared<media::StreamHub>();
  set_hub(late);
  std::jthread opener([late] {
    std::this_thread::sleep_for(300ms);
    late->set_description(synthetic_description());
  });
  RawRtspClient client(server_->port());
  RawRtspClient other(server_->port());
  client.send("DESCRIBE " + url() + " RTSP/1.0\r\nCSeq: 1\r\n\r\n");
  // While the first client waits, another one is served at once.
  auto options = other.request("OPTIONS", url());
  ASSERT_TRUE(options);
  EXPECT_EQ(options->status, 200);
  auto reply = client.read_reply();
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->status, 200);
}

TEST_F(ServerLoopback, RefusesSetupBeyondTheSessionLimit) {
  TearDown();
  io_.restart();
  ServerOptions options;
  options.max_sessions = 1;
  start_server(options);
  RawRtspClient first(server_->port());
  auto ok = first.request("SETUP", url() + "/trackID=1", "Transport: RTP/AVP/TCP;unicast;interleaved=0-1\r\n");
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200);
  RawRtspClient second(server_->port());
  auto refused = second.request("SETUP", url() + "/trackID=1", "Transport: RTP/AVP/TCP;unicast;interleaved=0-1\r\n");
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 453);
}

//! A port pair for a multicast group that parallel test runs do not share.
std::uint16_t multicast_test_port() { return static_cast<std::uint16_t>(40000 + (::getpid() % 5000) * 2); }

TEST_F(ServerLoopback, RefusesMulticastSetupWithoutAConfiguredGroupWith461) {
  RawRtspClient client(server_->port());
  auto reply = client.request("SETUP", url() + "/trackID=1", "Transport: RTP/AVP;multicast\r\n");
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->status, 461);
  EXPECT_NE(reply->body.find("multicast is not configured for stream 101"), std::string::npos) << reply->body;
}

TEST_F(ServerLoopback, RefusesAMulticastGroupOutsideTheAllowedRangeWith461) {
  TearDown();
  io_.restart();
  ServerOptions options;
  options.multicast = [](int) { return MulticastGroup{"239.1.2.3", 5000, 1}; };
  options.multicast_range = lpr_multicast_range();
  start_server(options);
  RawRtspClient client(server_->port());
  auto reply = client.request("SETUP", url() + "/trackID=1", "Transport: RTP/AVP;multicast\r\n");
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->status, 461);
  EXPECT_NE(reply->body.find("outside 224.0.1.0-238.255.255.255"), std::string::npos) << reply->body;
}

//! Joined to a group on the loopback interface: the server's sender leaves through 127.0.0.1
//! (its bind address) with IP_MULTICAST_LOOP on, so no multicast route is needed.
class GroupReceiver {
 public:
  GroupReceiver(const std::string& group, std::uint16_t port) : socket_(io_) {
    using boost::asio::ip::udp;
    socket_.open(udp::v4());
    socket_.set_option(udp::socket::reuse_address(true));
    socket_.bind(udp::endpoint(boost::asio::ip::make_address_v4(group), port));
    socket_.set_option(boost::asio::ip::multicast::join_group(boost::asio::ip::make_address_v4(group),
                                                              boost::asio::ip::make_address_v4("127.0.0.1")));
    socket_.non_blocking(true);
  }

  //! RTP packets (SSRC, sequence) received within `duration`.
  std::vector<std::pair<std::uint32_t, std::uint16_t>> receive_for(std::chrono::milliseconds duration) {
    std::vector<std::pair<std::uint32_t, std::uint16_t>> packets;
    const auto end = std::chrono::steady_clock::now() + duration;
    std::array<std::uint8_t, 2048> buffer{};
    while (std::chrono::steady_clock::now() < end) {
      boost::system::error_code ec;
      const auto size = socket_.receive(boost::asio::buffer(buffer), 0, ec);
      if (ec == boost::asio::error::would_block) {
        std::this_thread::sleep_for(1ms);
        continue;
      }
      if (ec || size < 12) continue;
      packets.emplace_back(static_cast<std::uint32_t>(buffer[8]) << 24 | static_cast<std::uint32_t>(buffer[9]) << 16 |
                               static_cast<std::uint32_t>(buffer[10]) << 8 | buffer[11],
                           static_cast<std::uint16_t>(buffer[2] << 8 | buffer[3]));
    }
    return packets;
  }

 private:
  boost::asio::io_context io_;
  boost::asio::ip::udp::socket socket_;
};

TEST_F(ServerLoopback, SendsMulticastOnceForAllClientsAndStopsWhenTheLastLeaves) {
  TearDown();
  io_.restart();
  const auto port = multicast_test_port();
  ServerOptions options;
  options.multicast = [port](int id) -> std::optional<MulticastGroup> {
    if (id != 101) return std::nullopt;
    return MulticastGroup{"239.255.42.42", port, 1};
  };
  start_server(options);
  GroupReceiver receiver("239.255.42.42", port);

  RawRtspClient first(server_->port());
  RawRtspClient second(server_->port());
  std::vector<std::string> ids;
  std::set<std::string> ssrcs;
  for (auto* client : {&first, &second}) {
    auto setup = client->request("SETUP", url() + "/trackID=1", "Transport: RTP/AVP;multicast\r\n");
    ASSERT_TRUE(setup);
    ASSERT_EQ(setup->status, 200) << setup->body;
    const auto transport = setup->header("transport");
    EXPECT_NE(transport.find("RTP/AVP;multicast;destination=239.255.42.42;port=" + std::to_string(port) + "-" +
                             std::to_string(port + 1) + ";ttl=1;ssrc="),
              std::string::npos)
        << transport;
    ssrcs.insert(transport.substr(transport.find("ssrc=")));
    ids.push_back(session_id(*setup));
    auto play = client->request("PLAY", url(), "Session: " + ids.back() + "\r\n");
    ASSERT_TRUE(play);
    EXPECT_EQ(play->status, 200);
  }
  EXPECT_EQ(ssrcs.size(), 1u) << "both clients must be told the one group sender's SSRC";
  EXPECT_EQ(hub_->consumer_count(), 1u) << "one subscription for the group, not one per client";

  const auto packets = receiver.receive_for(2s);
  ASSERT_GT(packets.size(), 20u);
  std::set<std::uint32_t> seen_ssrcs;
  std::set<std::uint16_t> sequences;
  for (const auto& [ssrc, sequence] : packets) {
    seen_ssrcs.insert(ssrc);
    EXPECT_TRUE(sequences.insert(sequence).second) << "sequence " << sequence << " arrived twice";
  }
  EXPECT_EQ(seen_ssrcs.size(), 1u);

  // The first client leaves: the group keeps flowing for the second.
  auto teardown = first.request("TEARDOWN", url(), "Session: " + ids[0] + "\r\n");
  ASSERT_TRUE(teardown);
  EXPECT_EQ(teardown->status, 200);
  EXPECT_GT(receiver.receive_for(1s).size(), 5u);
  // The last one leaves: the sender stops.
  teardown = second.request("TEARDOWN", url(), "Session: " + ids[1] + "\r\n");
  ASSERT_TRUE(teardown);
  EXPECT_EQ(teardown->status, 200);
  EXPECT_EQ(consumers_once_detached(), 0u);
  receiver.receive_for(200ms);  // what was already in flight
  EXPECT_TRUE(receiver.receive_for(1s).empty());
}

TEST_F(ServerLoopback, TunnelsRtspOverHttpGetAndPost) {
  RawRtspClient get(server_->port());
  get.send("GET " + std::string(kUrl) + " HTTP/1.0\r\nx-sessioncookie: a1b2c3\r\nAccept: application/x-rtsp-tunnelled\r\n\r\n");
  auto opened = get.read_reply();
  ASSERT_TRUE(opened);
  EXPECT_EQ(opened->status, 200);
  EXPECT_EQ(opened->header("content-type"), "application/x-rtsp-tunnelled");

  RawRtspClient post(server_->port());
  post.send("POST " + std::string(kUrl) + " HTTP/1.0\r\nx-sessioncookie: a1b2c3\r\nContent-Type: application/x-rtsp-tunnelled\r\n"
            "Content-Length: 32767\r\n\r\n");
  // A request split across two base64 writes, the second after the first was sent.
  const auto options = core::base64_encode("OPTIONS " + url() + " RTSP/1.0\r\nCSeq: 1\r\n\r\n");
  post.send(options.substr(0, 10));
  post.send(options.substr(10));
  auto reply = get.read_reply();
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->status, 200);
  EXPECT_EQ(reply->header("cseq"), "1");
  EXPECT_NE(reply->header("public").find("DESCRIBE"), std::string::npos);

  post.send(core::base64_encode("SETUP " + url() + "/trackID=1 RTSP/1.0\r\nCSeq: 2\r\nTransport: RTP/AVP/TCP;unicast;interleaved=0-1\r\n\r\n"));
  reply = get.read_reply();
  ASSERT_TRUE(reply);
  ASSERT_EQ(reply->status, 200);
  post.send(core::base64_encode("PLAY " + url() + " RTSP/1.0\r\nCSeq: 3\r\nSession: " + session_id(*reply) + "\r\n\r\n"));
  reply = get.read_reply();
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->status, 200);
  EXPECT_TRUE(receives_rtp(get)) << "media is interleaved over the GET connection";
}

TEST_F(ServerLoopback, RefusesHttpThatIsNotATunnel) {
  RawRtspClient plain(server_->port());
  plain.send("GET / HTTP/1.1\r\nHost: camera\r\n\r\n");
  auto reply = plain.read_reply();
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->status, 400);
  EXPECT_TRUE(plain.wait_closed());

  RawRtspClient orphan(server_->port());
  orphan.send("POST / HTTP/1.0\r\nx-sessioncookie: nobody\r\nContent-Length: 32767\r\n\r\n");
  reply = orphan.read_reply();
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->status, 404);

  RawRtspClient first(server_->port());
  first.send("GET / HTTP/1.0\r\nx-sessioncookie: same\r\n\r\n");
  ASSERT_TRUE(first.read_reply());
  RawRtspClient second(server_->port());
  second.send("GET / HTTP/1.0\r\nx-sessioncookie: same\r\n\r\n");
  reply = second.read_reply();
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->status, 409);
}

TEST_F(ServerLoopback, TheEleventhClientOnALimitOfTenGets453AtOnceAndATornDownSlotIsReused) {
  TearDown();
  io_.restart();
  ServerOptions options;
  options.max_sessions = 10;
  start_server(options);
  // Connections that only ask questions hold no slot.
  RawRtspClient browser(server_->port());
  ASSERT_TRUE(browser.request("DESCRIBE", url()));
  std::vector<std::unique_ptr<RawRtspClient>> clients;
  std::vector<std::string> ids;
  for (int i = 0; i < 10; ++i) {
    auto& client = *clients.emplace_back(std::make_unique<RawRtspClient>(server_->port()));
    if (i % 2 == 0) {
      ids.push_back(play(client));  // playing
    } else {
      auto setup = client.request("SETUP", url() + "/trackID=1", "Transport: RTP/AVP/TCP;unicast;interleaved=0-1\r\n");
      ASSERT_TRUE(setup);
      ASSERT_EQ(setup->status, 200) << "client " << i;  // set up, not playing
      ids.push_back(session_id(*setup));
    }
  }
  RawRtspClient eleventh(server_->port());
  const auto start = std::chrono::steady_clock::now();
  auto refused = eleventh.request("SETUP", url() + "/trackID=1", "Transport: RTP/AVP/TCP;unicast;interleaved=0-1\r\n");
  ASSERT_TRUE(refused);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 1s) << "the refusal must not wait for a slot";
  EXPECT_EQ(refused->status, 453);
  EXPECT_NE(refused->body.find("session limit reached: all 10 streaming sessions"), std::string::npos) << refused->body;

  auto teardown = clients[3]->request("TEARDOWN", url(), "Session: " + ids[3] + "\r\n");
  ASSERT_TRUE(teardown);
  EXPECT_EQ(teardown->status, 200);
  auto admitted = eleventh.request("SETUP", url() + "/trackID=1", "Transport: RTP/AVP/TCP;unicast;interleaved=0-1\r\n");
  ASSERT_TRUE(admitted);
  EXPECT_EQ(admitted->status, 200) << admitted->body;
  // And a closed connection gives its slot back too.
  clients[4].reset();
  RawRtspClient twelfth(server_->port());
  std::optional<test::RawReply> reply;
  for (int attempt = 0; attempt < 50; ++attempt) {
    reply = twelfth.request("SETUP", url() + "/trackID=1", "Transport: RTP/AVP/TCP;unicast;interleaved=0-1\r\n");
    if (!reply || reply->status != 453) break;
    std::this_thread::sleep_for(20ms);
  }
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->status, 200);
}

TEST(Server, ReportsAPortInUse) {
  LockstepTestClock clock;
  boost::asio::io_context io;
  ServerOptions options;
  options.bind_address = "127.0.0.1";
  options.port = 0;
  Server first(io, options, {}, clock);
  ASSERT_TRUE(first.start().ok());
  options.port = first.port();
  Server second(io, options, {}, clock);
  auto started = second.start();
  ASSERT_FALSE(started.ok());
  EXPECT_EQ(started.error().message, "RTSP port " + std::to_string(first.port()) + " is in use");
}

TEST(Server, RejectsABindAddressThatIsNotAnAddress) {
  LockstepTestClock clock;
  boost::asio::io_context io;
  ServerOptions options;
  options.bind_address = "camera.local";
  Server server(io, options, {}, clock);
  auto started = server.start();
  ASSERT_FALSE(started.ok());
  EXPECT_EQ(started.error().code, ErrorCode::invalid_argument);
}

}  // namespace
}  // namespace camrig::rtsp
