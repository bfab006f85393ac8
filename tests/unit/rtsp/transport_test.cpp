#include "device/rtsp/transport.hpp"

#include <gtest/gtest.h>

namespace camrig::rtsp {
namespace {

TEST(Transport, ParsesTcpInterleaved) {
  auto transport = parse_transport("RTP/AVP/TCP;unicast;interleaved=2-3");
  ASSERT_TRUE(transport.ok()) << transport.error().message;
  EXPECT_EQ(transport->lower, LowerTransport::tcp);
  EXPECT_TRUE(transport->interleaved_given);
  EXPECT_EQ(transport->rtp_channel, 2);
  EXPECT_EQ(transport->rtcp_channel, 3);
  EXPECT_EQ(transport->to_reply(0, 0, 0x1234abcd), "RTP/AVP/TCP;unicast;interleaved=2-3;ssrc=1234ABCD");
}

TEST(Transport, ParsesUdpClientPorts) {
  for (const char* header : {"RTP/AVP;unicast;client_port=5000-5001", "RTP/AVP/UDP;unicast;client_port=5000-5001"}) {
    auto transport = parse_transport(header);
    ASSERT_TRUE(transport.ok()) << header;
    EXPECT_EQ(transport->lower, LowerTransport::udp);
    EXPECT_EQ(transport->client_rtp_port, 5000);
    EXPECT_EQ(transport->client_rtcp_port, 5001);
    EXPECT_EQ(transport->to_reply(6970, 6971, 1),
              "RTP/AVP;unicast;client_port=5000-5001;server_port=6970-6971;ssrc=00000001");
  }
}

TEST(Transport, ParsesMulticastAndRepliesWithTheServersGroup) {
  for (const char* header : {"RTP/AVP;multicast", "RTP/AVP/UDP;multicast;destination=239.9.9.9;port=4000-4001;ttl=127"}) {
    auto transport = parse_transport(header);
    ASSERT_TRUE(transport.ok()) << header << ": " << transport.error().message;
    EXPECT_EQ(transport->lower, LowerTransport::udp);
    EXPECT_TRUE(transport->multicast);
    transport->destination = "239.1.2.3";
    transport->multicast_port = 5000;
    transport->ttl = 4;
    EXPECT_EQ(transport->to_reply(6970, 6971, 0xabc),
              "RTP/AVP;multicast;destination=239.1.2.3;port=5000-5001;ttl=4;ssrc=00000ABC");
  }
}

TEST(Transport, PicksTheFirstSupportedOfSeveral) {
  auto transport = parse_transport("RTP/SAVP;unicast;client_port=1-2, RTP/AVP/TCP;unicast;interleaved=0-1");
  ASSERT_TRUE(transport.ok());
  EXPECT_EQ(transport->lower, LowerTransport::tcp);
}

TEST(Transport, RejectsUnsupportedTransports) {
  for (const char* header : {"RTP/AVP/TCP;multicast", "RTP/SAVP;unicast;client_port=1-2", "RAW/RAW/UDP;unicast",
                             "RTP/AVP;unicast", "RTP/AVP/TCP;unicast;mode=record"}) {
    auto transport = parse_transport(header);
    ASSERT_FALSE(transport.ok()) << header;
    EXPECT_EQ(transport.error().code, ErrorCode::out_of_range) << header;
  }
}

TEST(Transport, RejectsMalformedPortsAndChannels) {
  for (const char* header : {"RTP/AVP;unicast;client_port=abc", "RTP/AVP/TCP;interleaved=300-301",
                             "RTP/AVP;unicast;client_port=70000-70001", ""}) {
    auto transport = parse_transport(header);
    ASSERT_FALSE(transport.ok()) << header;
    EXPECT_EQ(transport.error().code, ErrorCode::invalid_argument) << header;
  }
}

}  // namespace
}  // namespace camrig::rtsp
