// ONVIF StartMulticastStreaming / StopMulticastStreaming (Media and Media2) against a camera started
// in-process on loopback: a UDP socket joined to the stream's group on 127.0.0.1 receives the
// stream's RTP without any RTSP client until Stop, and a profile without a group is refused. Also
// the Media change events such changes raise (tns1:Media/ConfigurationChanged, ProfileChanged).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "soapMedia2BindingProxy.h"
#include "soapMediaBindingProxy.h"
#include "soapPullPointSubscriptionBindingProxy.h"

#include "device/camera/camera.hpp"
#include "device/core/realtime_clock.hpp"
#include "sim/road_scene_source.hpp"
#include "tests/support/loopback_camera.hpp"
#include "tests/support/onvif_client.hpp"

namespace camrig {
namespace {

using namespace std::chrono_literals;
using Steady = std::chrono::steady_clock;

constexpr const char* k_password = "Admin1234";

//! A UDP socket on the group's port, joined to the group on the loopback interface.
class GroupReceiver {
 public:
  GroupReceiver(const std::string& group, std::uint16_t port) {
    fd_ = ::socket(AF_INET, SOCK_DGRAM, 0);
    const int yes = 1;
    ::setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    ::inet_pton(AF_INET, group.c_str(), &address.sin_addr);  // bound to the group: other groups' datagrams stay out
    bound_ = ::bind(fd_, reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0;
    ip_mreq membership{};
    ::inet_pton(AF_INET, group.c_str(), &membership.imr_multiaddr);
    ::inet_pton(AF_INET, "127.0.0.1", &membership.imr_interface);
    joined_ = ::setsockopt(fd_, IPPROTO_IP, IP_ADD_MEMBERSHIP, &membership, sizeof membership) == 0;
  }
  ~GroupReceiver() { ::close(fd_); }
  GroupReceiver(const GroupReceiver&) = delete;
  GroupReceiver& operator=(const GroupReceiver&) = delete;

  bool ready() const { return fd_ >= 0 && bound_ && joined_; }

  //! The next datagram's RTP payload type, or -1 when none arrives within `timeout`.
  int next_payload_type(std::chrono::milliseconds timeout) {
    const auto deadline = Steady::now() + timeout;
    for (;;) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Steady::now());
      if (left <= 0ms) return -1;
      pollfd poll_fd{fd_, POLLIN, 0};
      if (::poll(&poll_fd, 1, static_cast<int>(left.count())) <= 0) continue;
      std::array<std::uint8_t, 2048> buffer{};
      const auto size = ::recv(fd_, buffer.data(), buffer.size(), 0);
      if (size >= 12 && (buffer[0] >> 6) == 2) return buffer[1] & 0x7f;
    }
  }

  //! Reads until nothing arrives for `quiet`, at most for `limit`; true when it went quiet.
  bool drain(std::chrono::milliseconds quiet, std::chrono::milliseconds limit) {
    const auto deadline = Steady::now() + limit;
    while (Steady::now() < deadline)
      if (next_payload_type(quiet) < 0) return true;
    return false;
  }

 private:
  int fd_ = -1;
  bool bound_ = false;
  bool joined_ = false;
};

class OnvifMulticast : public ::testing::Test {
 protected:
  void SetUp() override {
    profile = *core::DeviceProfile::builtin("network-camera");
    const int http_port = test::free_tcp_port();
    const int rtsp_port = test::free_tcp_port();
    source = std::make_unique<sim::RoadSceneSource>(
        sim::RoadSceneOptions{profile.channels[0].sensor, 5, 4}, clock,
        [this](hal::Nanos deadline, std::stop_token stop) { return clock.sleep_until(deadline, stop); });
    auto started = camera::Camera::start(profile, {&clock, {{1, source.get()}}},
                                         test::loopback_camera_options(http_port, rtsp_port, k_password));
    ASSERT_TRUE(started) << started.error().message;
    device = std::move(*started);
    media_endpoint = "http://127.0.0.1:" + std::to_string(http_port) + "/onvif/media_service";
    media2_endpoint = "http://127.0.0.1:" + std::to_string(http_port) + "/onvif/media2_service";
    test::onvif::aim(media.soap, media.soap_endpoint, media_endpoint);
    test::onvif::aim(media2.soap, media2.soap_endpoint, media2_endpoint);
    events_endpoint = "http://127.0.0.1:" + std::to_string(http_port) + "/onvif/event_service";
    test::onvif::aim(events.soap, events.soap_endpoint, events_endpoint);
    // A group and port of this run only: other test runs on the machine use loopback multicast too.
    group = "239.255." + std::to_string(::getpid() % 250) + "." + std::to_string(1 + http_port % 250);
    port = static_cast<std::uint16_t>(test::free_tcp_port() & ~1);
  }

  void configure_group(int stream_id) {
    const auto key = "stream." + std::to_string(stream_id) + ".multicast_";
    ASSERT_TRUE(device->config().apply({{key + "address", core::ConfigValue(group)},
                                        {key + "video_port", core::ConfigValue(std::int64_t{port})}}));
  }

  void wait_for_video(int stream_id) {
    auto hub = device->stream(stream_id);
    ASSERT_TRUE(hub);
    ASSERT_TRUE(hub->wait_description(20s)) << "stream " << stream_id << " never started encoding";
  }

  int start(const std::string& profile_token) {
    _trt__StartMulticastStreaming request;
    request.ProfileToken = profile_token;
    _trt__StartMulticastStreamingResponse response;
    EXPECT_EQ(test::onvif::sign(media.soap, "admin", k_password), SOAP_OK);
    return media.StartMulticastStreaming(&request, response);
  }

  int stop(const std::string& profile_token) {
    _trt__StopMulticastStreaming request;
    request.ProfileToken = profile_token;
    _trt__StopMulticastStreamingResponse response;
    EXPECT_EQ(test::onvif::sign(media.soap, "admin", k_password), SOAP_OK);
    return media.StopMulticastStreaming(&request, response);
  }

  int media2_call(const std::string& profile_token, bool start_streaming) {
    tr2__StartStopMulticastStreaming request;
    request.ProfileToken = profile_token;
    tr2__SetConfigurationResponse response;
    EXPECT_EQ(test::onvif::sign(media2.soap, "admin", k_password), SOAP_OK);
    return start_streaming ? media2.StartMulticastStreaming(&request, response)
                           : media2.StopMulticastStreaming(&request, response);
  }

  core::RealtimeClock clock{std::chrono::system_clock::now()};
  core::DeviceProfile profile;
  std::unique_ptr<sim::RoadSceneSource> source;
  std::unique_ptr<camera::Camera> device;
  std::string media_endpoint;
  std::string media2_endpoint;
  std::string events_endpoint;
  std::string group;
  std::uint16_t port = 0;
  MediaBindingProxy media{SOAP_C_UTFSTRING};
  Media2BindingProxy media2{SOAP_C_UTFSTRING};
  PullPointSubscriptionBindingProxy events{SOAP_C_UTFSTRING};
};

TEST_F(OnvifMulticast, StartSendsTheStreamToItsGroupUntilStop) {
  configure_group(101);
  wait_for_video(101);
  GroupReceiver receiver(group, port);
  ASSERT_TRUE(receiver.ready()) << "cannot join " << group << " on 127.0.0.1";
  EXPECT_EQ(receiver.next_payload_type(500ms), -1) << "multicast before any Start";

  ASSERT_EQ(start("Profile_101"), SOAP_OK) << test::onvif::fault_subcode(media.soap) << " "
                                           << test::onvif::detail_subcode(media.soap);
  EXPECT_EQ(receiver.next_payload_type(10s), 96) << "no H.264 RTP (payload type 96) at " << group << ":" << port;
  // Starting a started profile changes nothing; one Stop still ends it.
  ASSERT_EQ(start("Profile_101"), SOAP_OK) << test::onvif::detail_subcode(media.soap);
  EXPECT_EQ(receiver.next_payload_type(5s), 96);

  ASSERT_EQ(stop("Profile_101"), SOAP_OK) << test::onvif::detail_subcode(media.soap);
  EXPECT_TRUE(receiver.drain(300ms, 3s)) << "packets go on after StopMulticastStreaming";
  EXPECT_EQ(receiver.next_payload_type(1s), -1);

  // Media2 starts and stops the same sender.
  ASSERT_EQ(media2_call("Profile_101", true), SOAP_OK) << test::onvif::detail_subcode(media2.soap);
  EXPECT_EQ(receiver.next_payload_type(10s), 96);
  ASSERT_EQ(media2_call("Profile_101", false), SOAP_OK) << test::onvif::detail_subcode(media2.soap);
  EXPECT_TRUE(receiver.drain(300ms, 3s));
  EXPECT_EQ(receiver.next_payload_type(1s), -1);

  // The encoder configuration names the group the packets went to.
  _trt__GetVideoEncoderConfiguration request;
  request.ConfigurationToken = "VideoEncoder_101";
  _trt__GetVideoEncoderConfigurationResponse response;
  ASSERT_EQ(test::onvif::sign(media.soap, "admin", k_password), SOAP_OK);
  ASSERT_EQ(media.GetVideoEncoderConfiguration(&request, response), SOAP_OK);
  ASSERT_TRUE(response.Configuration && response.Configuration->Multicast && response.Configuration->Multicast->Address);
  ASSERT_TRUE(response.Configuration->Multicast->Address->IPv4Address);
  EXPECT_EQ(*response.Configuration->Multicast->Address->IPv4Address, group);
  EXPECT_EQ(response.Configuration->Multicast->Port, port);
}

TEST_F(OnvifMulticast, AProfileWithoutAGroupOrAnUnknownProfileIsAFault) {
  // Stream 102 has no multicast address by default.
  EXPECT_NE(start("Profile_102"), SOAP_OK);
  EXPECT_EQ(test::onvif::fault_subcode(media.soap), "ter:Action");
  EXPECT_EQ(test::onvif::detail_subcode(media.soap), "ter:IncompleteConfiguration");
  EXPECT_NE(media2_call("Profile_102", true), SOAP_OK);
  EXPECT_EQ(test::onvif::detail_subcode(media2.soap), "ter:IncompleteConfiguration");

  EXPECT_NE(start("Profile_999"), SOAP_OK);
  EXPECT_EQ(test::onvif::fault_subcode(media.soap), "ter:InvalidArgVal");
  EXPECT_EQ(test::onvif::detail_subcode(media.soap), "ter:NoProfile");

  // A stop of a profile that was never started is no error.
  EXPECT_EQ(stop("Profile_101"), SOAP_OK) << test::onvif::detail_subcode(media.soap);
}

//! "<topic> <tt:Message ...>" of each message one PullMessages returns within `timeout`.
std::vector<std::string> pull(const std::string& address, const std::string& timeout) {
  PullPointSubscriptionBindingProxy client{SOAP_C_UTFSTRING};
  client.soap->connect_timeout = 10;
  client.soap->recv_timeout = 30;
  _tev__PullMessages request;
  request.Timeout = timeout;
  request.MessageLimit = 20;
  _tev__PullMessagesResponse response;
  EXPECT_EQ(test::onvif::sign(client.soap, "admin", k_password), SOAP_OK);
  std::vector<std::string> messages;
  EXPECT_EQ(client.PullMessages(address.c_str(), nullptr, &request, response), SOAP_OK)
      << test::onvif::fault_subcode(client.soap);
  for (const auto* message : response.wsnt__NotificationMessage)
    messages.push_back((message->Topic ? message->Topic->__item : std::string()) + " " +
                       (message->Message.__any ? message->Message.__any : ""));
  return messages;
}

bool any_contains(const std::vector<std::string>& messages, const std::vector<std::string>& parts) {
  return std::any_of(messages.begin(), messages.end(), [&](const std::string& message) {
    return std::all_of(parts.begin(), parts.end(), [&](const std::string& part) { return message.find(part) != std::string::npos; });
  });
}

TEST_F(OnvifMulticast, EncoderAndProfileChangesAreMediaEvents) {
  // A pull point on both topics: refused (ter:InvalidFilter) if the topic set did not list them.
  wsnt__TopicExpressionType expression;
  expression.Dialect = "http://www.onvif.org/ver10/tev/topicExpression/ConcreteSet";
  expression.__item = "tns1:Media/ConfigurationChanged|tns1:Media/ProfileChanged";
  wsnt__FilterType filter;
  filter.wsnt__TopicExpression = &expression;
  _tev__CreatePullPointSubscription create;
  create.Filter = &filter;
  _tev__CreatePullPointSubscriptionResponse created;
  ASSERT_EQ(test::onvif::sign(events.soap, "admin", k_password), SOAP_OK);
  ASSERT_EQ(events.CreatePullPointSubscription(&create, created), SOAP_OK) << test::onvif::fault_subcode(events.soap);
  ASSERT_TRUE(created.SubscriptionReference.Address);
  const std::string address = created.SubscriptionReference.Address;
  EXPECT_TRUE(pull(address, "PT0.2S").empty()) << "no change yet";

  // The stream's settings changed as an ISAPI PUT changes them (through the config service).
  configure_group(101);
  auto messages = pull(address, "PT10S");
  EXPECT_TRUE(any_contains(messages, {"tns1:Media/ConfigurationChanged", "Name=\"Token\" Value=\"VideoEncoder_101\"",
                                      "Name=\"Type\" Value=\"VideoEncoder\""}))
      << testing::PrintToString(messages);
  EXPECT_FALSE(any_contains(messages, {"VideoEncoder_102"})) << testing::PrintToString(messages);

  // A profile made over ONVIF.
  _trt__CreateProfile request;
  request.Name = "made";
  std::string token = "MadeProfile_1";
  request.Token = &token;
  _trt__CreateProfileResponse response;
  ASSERT_EQ(test::onvif::sign(media.soap, "admin", k_password), SOAP_OK);
  ASSERT_EQ(media.CreateProfile(&request, response), SOAP_OK) << test::onvif::detail_subcode(media.soap);
  messages = pull(address, "PT10S");
  EXPECT_TRUE(any_contains(messages, {"tns1:Media/ProfileChanged", "Name=\"Token\" Value=\"MadeProfile_1\""}))
      << testing::PrintToString(messages);
}

}  // namespace
}  // namespace camrig
