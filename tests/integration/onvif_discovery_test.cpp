// ONVIF WS-Discovery against a camera started in-process with discovery on loopback: Hello and Bye
// seen by a listener joined to 239.255.255.250, Probe and Resolve (multicast and unicast) answered
// or not by Types, Scopes and their matching rule, DiscoveryMode and scopes changed over ONVIF's
// Device service, garbage datagrams; and the Debian client onvif-util finding the camera.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>
#include <pugixml.hpp>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "soapDeviceBindingProxy.h"

#include "device/camera/camera.hpp"
#include "device/core/realtime_clock.hpp"
#include "device/onvif/discovery.hpp"
#include "device/onvif/scopes.hpp"
#include "sim/road_scene_source.hpp"
#include "tests/support/loopback_camera.hpp"
#include "tests/support/onvif_client.hpp"

namespace camrig {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

constexpr const char* k_password = "Admin1234";
constexpr const char* k_group = "239.255.255.250";
// An answer waits up to 500 ms (APP_MAX_DELAY); what has not come after this will not come.
constexpr auto k_answer_window = 1200ms;

// A UDP socket on loopback: a listener joined to the group on the discovery port, or a prober
// on a port of its own.
class UdpPeer {
 public:
  explicit UdpPeer(int port = 0) : fd_(::socket(AF_INET, SOCK_DGRAM, 0)) {
    const int yes = 1;
    ::setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<std::uint16_t>(port));
    address.sin_addr.s_addr = htonl(INADDR_ANY);
    bound_ = ::bind(fd_, reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0;
    in_addr loopback{};
    ::inet_pton(AF_INET, "127.0.0.1", &loopback);
    ::setsockopt(fd_, IPPROTO_IP, IP_MULTICAST_IF, &loopback, sizeof loopback);
    const unsigned char loop = 1;
    ::setsockopt(fd_, IPPROTO_IP, IP_MULTICAST_LOOP, &loop, sizeof loop);
    if (port != 0) {
      ip_mreq membership{};
      ::inet_pton(AF_INET, k_group, &membership.imr_multiaddr);
      membership.imr_interface = loopback;
      bound_ = bound_ && ::setsockopt(fd_, IPPROTO_IP, IP_ADD_MEMBERSHIP, &membership, sizeof membership) == 0;
    }
  }
  ~UdpPeer() { ::close(fd_); }
  UdpPeer(const UdpPeer&) = delete;
  UdpPeer& operator=(const UdpPeer&) = delete;

  bool ready() const { return fd_ >= 0 && bound_; }

  void send(const std::string& message, const char* host, int port) const {
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(static_cast<std::uint16_t>(port));
    ::inet_pton(AF_INET, host, &to.sin_addr);
    ::sendto(fd_, message.data(), message.size(), 0, reinterpret_cast<const sockaddr*>(&to), sizeof to);
  }

  std::optional<std::string> receive(Clock::time_point deadline) const {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    pollfd ready{fd_, POLLIN, 0};
    if (left <= 0 || ::poll(&ready, 1, static_cast<int>(left)) != 1) return std::nullopt;
    std::string buffer(65536, '\0');
    const auto size = ::recv(fd_, buffer.data(), buffer.size(), 0);
    if (size < 0) return std::nullopt;
    buffer.resize(static_cast<std::size_t>(size));
    return buffer;
  }

 private:
  int fd_;
  bool bound_ = false;
};

// A received SOAP message, read by local names (the prefixes are the sender's choice).
struct Message {
  explicit Message(const std::string& text) { parsed = static_cast<bool>(document.load_string(text.c_str())); }
  std::string text(const char* local_name) const {
    const auto node = document.select_node(("//*[local-name()='" + std::string(local_name) + "']").c_str());
    return node ? node.node().text().get() : "";
  }
  std::string action() const { return text("Action"); }
  bool parsed = false;
  pugi::xml_document document;
};

std::string discovery_envelope(const std::string& message_id, const std::string& action, const std::string& body,
                               const std::string& extra_namespaces = {}) {
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
         "<e:Envelope xmlns:e=\"http://www.w3.org/2003/05/soap-envelope\" "
         "xmlns:w=\"http://schemas.xmlsoap.org/ws/2004/08/addressing\" "
         "xmlns:d=\"http://schemas.xmlsoap.org/ws/2005/04/discovery\" " +
         extra_namespaces +
         "><e:Header><w:MessageID>" + message_id +
         "</w:MessageID><w:To e:mustUnderstand=\"true\">urn:schemas-xmlsoap-org:ws:2005:04:discovery</w:To>"
         "<w:Action>http://schemas.xmlsoap.org/ws/2005/04/discovery/" +
         action + "</w:Action></e:Header><e:Body>" + body + "</e:Body></e:Envelope>";
}

constexpr const char* k_onvif_namespaces =
    "xmlns:dn=\"http://www.onvif.org/ver10/network/wsdl\" xmlns:tds=\"http://www.onvif.org/ver10/device/wsdl\"";

std::string probe(const std::string& message_id, const std::string& types, const std::string& scopes = {},
                  const std::string& match_by = {}, const std::string& namespaces = k_onvif_namespaces) {
  std::string body = "<d:Probe>";
  if (!types.empty()) body += "<d:Types>" + types + "</d:Types>";
  if (!scopes.empty())
    body += "<d:Scopes" + (match_by.empty() ? std::string() : " MatchBy=\"" + match_by + "\"") + ">" + scopes + "</d:Scopes>";
  return discovery_envelope(message_id, "Probe", body + "</d:Probe>", namespaces);
}

std::string resolve(const std::string& message_id, const std::string& address) {
  return discovery_envelope(message_id, "Resolve",
                            "<d:Resolve><w:EndpointReference><w:Address>" + address +
                                "</w:Address></w:EndpointReference></d:Resolve>");
}

class OnvifDiscovery : public ::testing::Test {
 protected:
  void SetUp() override {
    profile = *core::DeviceProfile::builtin("network-camera");
    source = std::make_unique<sim::RoadSceneSource>(
        sim::RoadSceneOptions{profile.channels[0].sensor, 5, 4}, clock,
        [this](hal::Nanos deadline, std::stop_token stop) { return clock.sleep_until(deadline, stop); });
    http_port = test::free_tcp_port();
    discovery_port = test::free_tcp_port();
    listener = std::make_unique<UdpPeer>(discovery_port);
    ASSERT_TRUE(listener->ready() && prober.ready()) << "UDP sockets on loopback";
    options = test::loopback_camera_options(http_port, test::free_tcp_port(), k_password);
    options.discovery.emplace();
    options.discovery->interface_address = "127.0.0.1";
    options.discovery->port = static_cast<std::uint16_t>(discovery_port);
    start_camera();
    reference = *onvif::device_endpoint_reference(profile, {});
    endpoint = "http://127.0.0.1:" + std::to_string(http_port) + "/onvif/device_service";
    test::onvif::aim(proxy.soap, proxy.soap_endpoint, endpoint);
  }

  void start_camera() {
    auto started = camera::Camera::start(profile, {&clock, {{1, source.get()}}}, options);
    ASSERT_TRUE(started) << started.error().message;
    device = std::move(*started);
  }

  //! The next message the listener hears whose Action ends with `action`.
  std::optional<Message> heard(const std::string& action, std::chrono::milliseconds timeout = 5000ms) {
    const auto deadline = Clock::now() + timeout;
    while (auto datagram = listener->receive(deadline)) {
      Message message(*datagram);
      if (message.parsed && message.action().ends_with("/" + action)) return message;
    }
    return std::nullopt;
  }

  //! The prober's answers by the MessageID they relate to, over one answer window.
  std::map<std::string, Message> answers() {
    std::map<std::string, Message> by_request;
    const auto deadline = Clock::now() + k_answer_window;
    while (auto datagram = prober.receive(deadline)) {
      Message message(*datagram);
      if (message.parsed) by_request.try_emplace(message.text("RelatesTo"), *datagram);
    }
    return by_request;
  }

  void sign() { ASSERT_EQ(test::onvif::sign(proxy.soap, "admin", k_password), SOAP_OK); }

  core::RealtimeClock clock{std::chrono::system_clock::now()};
  core::DeviceProfile profile;
  std::unique_ptr<sim::RoadSceneSource> source;
  std::unique_ptr<UdpPeer> listener;
  UdpPeer prober;
  camera::CameraOptions options;
  std::unique_ptr<camera::Camera> device;
  int http_port = 0;
  int discovery_port = 0;
  std::string reference;
  std::string endpoint;
  DeviceBindingProxy proxy{SOAP_C_UTFSTRING};
};

TEST_F(OnvifDiscovery, HelloOnStartNamesTheDeviceServiceAndByeOnStop) {
  const auto hello = heard("Hello");
  ASSERT_TRUE(hello) << "no Hello on " << k_group << ":" << discovery_port;
  EXPECT_EQ(hello->text("Address"), reference);
  EXPECT_TRUE(reference.starts_with("urn:uuid:")) << reference;
  EXPECT_EQ(hello->text("XAddrs"), endpoint);
  EXPECT_EQ(hello->text("Types"), "dn:NetworkVideoTransmitter tds:Device");
  EXPECT_NE(hello->text("Scopes").find("onvif://www.onvif.org/Profile/Streaming"), std::string::npos);
  EXPECT_NE(hello->text("Scopes").find("onvif://www.onvif.org/name/"), std::string::npos);
  EXPECT_EQ(hello->text("MetadataVersion"), "1");
  EXPECT_EQ(hello->text("To"), "urn:schemas-xmlsoap-org:ws:2005:04:discovery");

  device->stop();
  const auto bye = heard("Bye");
  ASSERT_TRUE(bye) << "no Bye when the camera stopped";
  EXPECT_EQ(bye->text("Address"), reference);
}

TEST_F(OnvifDiscovery, ProbeIsAnsweredByTypesAndScopesUnderEachMatchingRule) {
  const std::string strcmp0 = "http://schemas.xmlsoap.org/ws/2005/04/discovery/strcmp0";
  const std::map<std::string, bool> expected = {
      {"urn:uuid:00000000-0000-4000-8000-000000000001", true},   // no Types, no Scopes: every device
      {"urn:uuid:00000000-0000-4000-8000-000000000002", true},   // the ONVIF transmitter type
      {"urn:uuid:00000000-0000-4000-8000-000000000003", true},   // both types, another prefix for dn
      {"urn:uuid:00000000-0000-4000-8000-000000000004", false},  // a type the device is not
      {"urn:uuid:00000000-0000-4000-8000-000000000005", true},   // scope prefix, segment-wise (RFC 2396 default)
      {"urn:uuid:00000000-0000-4000-8000-000000000006", false},  // "Prof" is no segment of Profile/T
      {"urn:uuid:00000000-0000-4000-8000-000000000007", true},   // strcmp0: the whole scope
      {"urn:uuid:00000000-0000-4000-8000-000000000008", false},  // strcmp0: a prefix is not enough
      {"urn:uuid:00000000-0000-4000-8000-000000000009", false},  // a scope the device lacks
      {"urn:uuid:00000000-0000-4000-8000-00000000000a", false},  // an unbound prefix
      {"urn:uuid:00000000-0000-4000-8000-00000000000b", false},  // a matching rule the device lacks
      {"urn:uuid:00000000-0000-4000-8000-00000000000c", true},   // as onvif-util (libonvif 1.4) sends it
  };
  const auto send = [&](const std::string& message) { prober.send(message, k_group, discovery_port); };
  send(probe("urn:uuid:00000000-0000-4000-8000-000000000001", ""));
  send(probe("urn:uuid:00000000-0000-4000-8000-000000000002", "dn:NetworkVideoTransmitter"));
  send(probe("urn:uuid:00000000-0000-4000-8000-000000000003", "nvt:NetworkVideoTransmitter tds:Device", {}, {},
             "xmlns:nvt=\"http://www.onvif.org/ver10/network/wsdl\" xmlns:tds=\"http://www.onvif.org/ver10/device/wsdl\""));
  send(probe("urn:uuid:00000000-0000-4000-8000-000000000004", "dn:NetworkVideoDisplay"));
  send(probe("urn:uuid:00000000-0000-4000-8000-000000000005", "dn:NetworkVideoTransmitter",
             "ONVIF://WWW.onvif.org/Profile onvif://www.onvif.org/type/"));
  send(probe("urn:uuid:00000000-0000-4000-8000-000000000006", "", "onvif://www.onvif.org/Prof"));
  send(probe("urn:uuid:00000000-0000-4000-8000-000000000007", "", "onvif://www.onvif.org/Profile/T", strcmp0));
  send(probe("urn:uuid:00000000-0000-4000-8000-000000000008", "", "onvif://www.onvif.org/Profile", strcmp0));
  send(probe("urn:uuid:00000000-0000-4000-8000-000000000009", "", "onvif://www.onvif.org/location/city/nowhere"));
  send(probe("urn:uuid:00000000-0000-4000-8000-00000000000a", "x:NetworkVideoTransmitter"));
  send(probe("urn:uuid:00000000-0000-4000-8000-00000000000b", "", "onvif://www.onvif.org/Profile/T",
             "http://schemas.xmlsoap.org/ws/2005/04/discovery/ldap"));
  // The datagram of `onvif-util -a`: Types declared on the element itself, Probe under another prefix.
  send("<SOAP-ENV:Envelope xmlns:SOAP-ENV=\"http://www.w3.org/2003/05/soap-envelope\" "
       "xmlns:a=\"http://schemas.xmlsoap.org/ws/2004/08/addressing\"><SOAP-ENV:Header>"
       "<a:Action SOAP-ENV:mustUnderstand=\"1\">http://schemas.xmlsoap.org/ws/2005/04/discovery/Probe</a:Action>"
       "<a:MessageID>urn:uuid:00000000-0000-4000-8000-00000000000c</a:MessageID><a:ReplyTo><a:Address>"
       "http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous</a:Address></a:ReplyTo>"
       "<a:To SOAP-ENV:mustUnderstand=\"1\">urn:schemas-xmlsoap-org:ws:2005:04:discovery</a:To></SOAP-ENV:Header>"
       "<SOAP-ENV:Body><p:Probe xmlns:p=\"http://schemas.xmlsoap.org/ws/2005/04/discovery\">"
       "<d:Types xmlns:d=\"http://schemas.xmlsoap.org/ws/2005/04/discovery\" "
       "xmlns:dp0=\"http://www.onvif.org/ver10/network/wsdl\">dp0:NetworkVideoTransmitter</d:Types></p:Probe>"
       "</SOAP-ENV:Body></SOAP-ENV:Envelope>");
  const auto received = answers();
  for (const auto& [id, answered] : expected) EXPECT_EQ(received.contains(id), answered) << id;
  ASSERT_TRUE(received.contains("urn:uuid:00000000-0000-4000-8000-000000000002"));
  const auto& match = received.at("urn:uuid:00000000-0000-4000-8000-000000000002");
  EXPECT_EQ(match.action(), "http://schemas.xmlsoap.org/ws/2005/04/discovery/ProbeMatches");
  EXPECT_EQ(match.text("Address"), reference);
  EXPECT_EQ(match.text("XAddrs"), endpoint);
  EXPECT_NE(match.text("Scopes").find("onvif://www.onvif.org/hardware/"), std::string::npos);
  EXPECT_EQ(match.text("MetadataVersion"), "1");
}

TEST_F(OnvifDiscovery, UnicastProbeAndResolveAreAnsweredAndGarbageIsNot) {
  listener.reset();  // a unicast datagram reaches one of the sockets sharing the port: the camera's
  prober.send("not xml at all", "127.0.0.1", discovery_port);
  prober.send("<e:Envelope xmlns:e=\"http://www.w3.org/2003/05/soap-envelope\"><e:Body><unclosed>", "127.0.0.1",
              discovery_port);
  prober.send(std::string(60000, '<'), "127.0.0.1", discovery_port);
  prober.send(probe("urn:uuid:10000000-0000-4000-8000-000000000001", "tds:Device"), "127.0.0.1", discovery_port);
  prober.send(resolve("urn:uuid:10000000-0000-4000-8000-000000000002", reference), k_group, discovery_port);
  prober.send(resolve("urn:uuid:10000000-0000-4000-8000-000000000003", "urn:uuid:5f0d1e6a-0000-4000-8000-000000000000"),
              k_group, discovery_port);
  const auto received = answers();
  EXPECT_TRUE(received.contains("urn:uuid:10000000-0000-4000-8000-000000000001")) << "unicast Probe after garbage";
  ASSERT_TRUE(received.contains("urn:uuid:10000000-0000-4000-8000-000000000002")) << "Resolve of the device";
  const auto& resolved = received.at("urn:uuid:10000000-0000-4000-8000-000000000002");
  EXPECT_EQ(resolved.action(), "http://schemas.xmlsoap.org/ws/2005/04/discovery/ResolveMatches");
  EXPECT_EQ(resolved.text("XAddrs"), endpoint);
  EXPECT_FALSE(received.contains("urn:uuid:10000000-0000-4000-8000-000000000003")) << "Resolve of another device";
  EXPECT_EQ(received.size(), 2u);

  // What the device answers, its capabilities offer (a camera without --discovery offers neither).
  _tds__GetServiceCapabilities request;
  _tds__GetServiceCapabilitiesResponse response;
  sign();
  ASSERT_EQ(proxy.GetServiceCapabilities(&request, response), SOAP_OK) << test::onvif::fault_subcode(proxy.soap);
  ASSERT_TRUE(response.Capabilities && response.Capabilities->System);
  EXPECT_TRUE(response.Capabilities->System->DiscoveryResolve && *response.Capabilities->System->DiscoveryResolve);
  EXPECT_TRUE(response.Capabilities->System->DiscoveryBye && *response.Capabilities->System->DiscoveryBye);
}

TEST_F(OnvifDiscovery, NonDiscoverableSaysByeAndAnswersNothingUntilDiscoverableAgain) {
  ASSERT_TRUE(heard("Hello"));
  _tds__SetDiscoveryMode set;
  _tds__SetDiscoveryModeResponse set_response;
  set.DiscoveryMode = tt__DiscoveryMode__NonDiscoverable;
  sign();
  ASSERT_EQ(proxy.SetDiscoveryMode(&set, set_response), SOAP_OK) << test::onvif::fault_subcode(proxy.soap);
  ASSERT_TRUE(heard("Bye")) << "leaving the network's view";
  prober.send(probe("urn:uuid:20000000-0000-4000-8000-000000000001", ""), k_group, discovery_port);
  prober.send(probe("urn:uuid:20000000-0000-4000-8000-000000000002", ""), "127.0.0.1", discovery_port);
  prober.send(resolve("urn:uuid:20000000-0000-4000-8000-000000000003", reference), k_group, discovery_port);
  EXPECT_TRUE(answers().empty());

  set.DiscoveryMode = tt__DiscoveryMode__Discoverable;
  sign();
  ASSERT_EQ(proxy.SetDiscoveryMode(&set, set_response), SOAP_OK) << test::onvif::fault_subcode(proxy.soap);
  ASSERT_TRUE(heard("Hello"));
  prober.send(probe("urn:uuid:20000000-0000-4000-8000-000000000004", ""), k_group, discovery_port);
  EXPECT_TRUE(answers().contains("urn:uuid:20000000-0000-4000-8000-000000000004"));

  // A device that starts NonDiscoverable neither announces itself nor says goodbye.
  device.reset();
  ASSERT_TRUE(heard("Bye"));
  options.settings.emplace_back("onvif.discovery_mode", "NonDiscoverable");
  start_camera();
  EXPECT_FALSE(heard("Hello", k_answer_window));
  device.reset();
  EXPECT_FALSE(heard("Bye", k_answer_window));
}

TEST_F(OnvifDiscovery, ScopesSetOverOnvifAreAnnouncedAndMatchedInTheNextProbe) {
  ASSERT_TRUE(heard("Hello"));
  _tds__SetScopes set;
  _tds__SetScopesResponse set_response;
  set.Scopes = {"onvif://www.onvif.org/location/city/lisbon"};
  sign();
  ASSERT_EQ(proxy.SetScopes(&set, set_response), SOAP_OK) << test::onvif::fault_subcode(proxy.soap);
  auto hello = heard("Hello");
  ASSERT_TRUE(hello) << "new scopes are new metadata";
  EXPECT_NE(hello->text("Scopes").find("onvif://www.onvif.org/location/city/lisbon"), std::string::npos);
  EXPECT_EQ(hello->text("MetadataVersion"), "2");

  _tds__AddScopes add;
  _tds__AddScopesResponse add_response;
  add.ScopeItem = {"onvif://www.onvif.org/location/floor/3"};
  sign();
  ASSERT_EQ(proxy.AddScopes(&add, add_response), SOAP_OK) << test::onvif::fault_subcode(proxy.soap);
  hello = heard("Hello");
  ASSERT_TRUE(hello);
  EXPECT_EQ(hello->text("MetadataVersion"), "3");

  prober.send(probe("urn:uuid:30000000-0000-4000-8000-000000000001", "", "onvif://www.onvif.org/location/city/lisbon"),
              k_group, discovery_port);
  prober.send(probe("urn:uuid:30000000-0000-4000-8000-000000000002", "", "onvif://www.onvif.org/location/floor/3"),
              k_group, discovery_port);
  const auto received = answers();
  ASSERT_TRUE(received.contains("urn:uuid:30000000-0000-4000-8000-000000000001"));
  EXPECT_TRUE(received.contains("urn:uuid:30000000-0000-4000-8000-000000000002"));
  const auto scopes = received.at("urn:uuid:30000000-0000-4000-8000-000000000001").text("Scopes");
  EXPECT_NE(scopes.find("onvif://www.onvif.org/location/floor/3"), std::string::npos) << scopes;
  EXPECT_EQ(received.at("urn:uuid:30000000-0000-4000-8000-000000000001").text("MetadataVersion"), "3");
}

TEST(OnvifDiscoveryScopes, UriPrefixRuleComparesSchemeAndAuthorityWithoutCaseAndPathBySegments) {
  EXPECT_TRUE(onvif::scope_matches_uri_prefix("onvif://www.onvif.org/Profile", "onvif://www.onvif.org/Profile/T"));
  EXPECT_TRUE(onvif::scope_matches_uri_prefix("ONVIF://WWW.ONVIF.ORG/Profile/", "onvif://www.onvif.org/Profile/T"));
  EXPECT_TRUE(onvif::scope_matches_uri_prefix("onvif://www.onvif.org", "onvif://www.onvif.org/name/cam"));
  EXPECT_TRUE(onvif::scope_matches_uri_prefix("onvif://www.onvif.org/name/front%20door",
                                              "onvif://www.onvif.org/name/front door"));
  EXPECT_FALSE(onvif::scope_matches_uri_prefix("onvif://www.onvif.org/profile", "onvif://www.onvif.org/Profile/T"))
      << "paths are case-sensitive";
  EXPECT_FALSE(onvif::scope_matches_uri_prefix("onvif://www.onvif.org/Prof", "onvif://www.onvif.org/Profile"));
  EXPECT_FALSE(onvif::scope_matches_uri_prefix("onvif://www.onvif.org/Profile/T/x", "onvif://www.onvif.org/Profile/T"));
  EXPECT_FALSE(onvif::scope_matches_uri_prefix("http://www.onvif.org/Profile", "onvif://www.onvif.org/Profile/T"));
  EXPECT_FALSE(onvif::scope_matches_uri_prefix("onvif://www.onvif.org/a/../Profile", "onvif://www.onvif.org/Profile"));
  EXPECT_FALSE(onvif::scope_matches_uri_prefix("no scheme", "onvif://www.onvif.org/Profile"));
}

TEST(OnvifDiscoveryIdentity, EndpointReferenceIsStableAndKeptInTheDataDirectory) {
  const auto profile = *core::DeviceProfile::builtin("network-camera");
  const auto derived = onvif::device_endpoint_reference(profile, {});
  ASSERT_TRUE(derived) << derived.error().message;
  EXPECT_EQ(*derived, *onvif::device_endpoint_reference(profile, {}));
  EXPECT_NE(*derived, *onvif::device_endpoint_reference(*core::DeviceProfile::builtin("lpr-camera"), {}));
  EXPECT_EQ(derived->size(), 9u + 36u);
  EXPECT_EQ((*derived)[9 + 14], '5') << "a name-based (SHA-1) UUID: " << *derived;

  const auto directory = std::filesystem::temp_directory_path() / ("camrig-discovery-" + std::to_string(::getpid()));
  std::filesystem::create_directories(directory);
  ASSERT_EQ(*onvif::device_endpoint_reference(profile, directory.string()), *derived);
  {
    std::ofstream kept(directory / "discovery_endpoint_reference", std::ios::trunc);
    kept << "urn:uuid:0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9\n";
  }
  EXPECT_EQ(*onvif::device_endpoint_reference(profile, directory.string()),
            "urn:uuid:0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9")
      << "a kept identity wins over the derived one";
  std::filesystem::remove_all(directory);
}

}  // namespace
}  // namespace camrig
