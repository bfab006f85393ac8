// The security and network documents through the router: IP address filter, ports with their
// rules, network interface validation, illegal login lock settings, HTTPS/TLS switches, web
// sessions with online users and logout, and a CSR answered as PEM.
#include <gtest/gtest.h>
#include <pugixml.hpp>

#include "device/security/ip_filter.hpp"
#include "tests/support/isapi_harness.hpp"

namespace camrig::http {
namespace {

using beast_http::status;
using beast_http::verb;
using namespace std::chrono_literals;

class IsapiSecurityTest : public ::testing::TestWithParam<std::string>, protected test::IsapiHarness {
 protected:
  void SetUp() override {
    open_device(GetParam());
    sessions = std::make_unique<security::WebSessions>(
        clock, [this] { return security::WebSessionSettings::from_config(*config); });
    authenticator->set_sessions(sessions.get());
    auto store = security::CertificateStore::open("", "IP CAMERA", clock);
    ASSERT_TRUE(store);
    certificates = std::move(*store);
    auto with = services();
    with.sessions = sessions.get();
    with.certificates = certificates.get();
    route(with);
  }

  //! As admin (Basic), or with a web session's cookie.
  test::IsapiAnswer send(verb method, const std::string& target, const std::string& body = {}, const std::string& cookie = {}) {
    return std::move(*IsapiHarness::send(method, target, body, test::IsapiRequest{test::k_admin_basic, cookie, {}}));
  }

  std::unique_ptr<security::WebSessions> sessions;
  std::unique_ptr<security::CertificateStore> certificates;
};

TEST_P(IsapiSecurityTest, IpFilterIsStoredNormalisedAndBadEntriesAreNamed) {
  auto answer = send(verb::put, "/ISAPI/System/Network/ipFilter",
                     "<IPFilter><enabled>true</enabled><permissionType>allow</permissionType><IPFilterItemList>"
                     "<IPFilterItem><id>1</id><address> 192.0.2.0/24 </address></IPFilterItem>"
                     "<IPFilterItem><id>2</id><address>10.0.0.1-10.0.0.9</address></IPFilterItem>"
                     "</IPFilterItemList></IPFilter>");
  ASSERT_EQ(answer.http_status, status::ok) << answer.body;
  EXPECT_EQ(config->get_string("network.ip_filter.addresses"), "192.0.2.0/24,10.0.0.1-10.0.0.9");
  EXPECT_FALSE(security::IpFilter([this] { return security::IpFilterSettings::from_config(*config); }).allowed("192.0.3.1"));
  answer = send(verb::get, "/ISAPI/System/Network/ipFilter");
  EXPECT_EQ(answer.text({"permissionType"}), "allow");
  EXPECT_EQ(answer.text({"IPFilterItemList", "IPFilterItem", "address"}), "192.0.2.0/24");

  answer = send(verb::put, "/ISAPI/System/Network/ipFilter",
                "<IPFilter><IPFilterItemList><IPFilterItem><address>10.0.0.300</address></IPFilterItem></IPFilterItemList></IPFilter>");
  EXPECT_EQ(answer.http_status, status::bad_request);
  EXPECT_NE(answer.text({"errorMsg"}).find("10.0.0.300"), std::string::npos) << answer.body;
  EXPECT_EQ(config->get_string("network.ip_filter.addresses"), "192.0.2.0/24,10.0.0.1-10.0.0.9") << "nothing changed";
}

TEST_P(IsapiSecurityTest, PortsRefuseDuplicatesAndLprReservedPortsWithTheRule) {
  auto answer = send(verb::put, "/ISAPI/Security/adminAccesses",
                     "<AdminAccessProtocolList><AdminAccessProtocol><protocol>HTTP</protocol><portNo>8554</portNo>"
                     "</AdminAccessProtocol><AdminAccessProtocol><protocol>RTSP</protocol><portNo>8554</portNo>"
                     "</AdminAccessProtocol></AdminAccessProtocolList>");
  EXPECT_EQ(answer.http_status, status::bad_request);
  EXPECT_NE(answer.text({"errorMsg"}).find("cannot both be 8554"), std::string::npos) << answer.body;

  answer = send(verb::put, "/ISAPI/Security/adminAccesses",
                "<AdminAccessProtocolList><AdminAccessProtocol><protocol>HTTPS</protocol><portNo>1900</portNo>"
                "</AdminAccessProtocol></AdminAccessProtocolList>");
  if (GetParam() == "lpr-camera") {
    EXPECT_EQ(answer.http_status, status::bad_request);
    EXPECT_NE(answer.text({"errorMsg"}).find("is reserved"), std::string::npos) << answer.body;
  } else {
    EXPECT_EQ(answer.http_status, status::ok) << answer.body;
    EXPECT_EQ(config->get_int("network.https_port"), 1900);
  }
  answer = send(verb::put, "/ISAPI/Security/adminAccesses",
                "<AdminAccessProtocolList><AdminAccessProtocol><protocol>HTTPS</protocol><enabled>false</enabled>"
                "<portNo>8443</portNo></AdminAccessProtocol></AdminAccessProtocolList>");
  ASSERT_EQ(answer.http_status, status::ok) << answer.body;
  EXPECT_FALSE(config->get_bool("network.https.enabled"));
  EXPECT_EQ(send(verb::get, "/ISAPI/Security/adminAccesses").body.find("<portNo>8443</portNo>") != std::string::npos, true);
}

TEST_P(IsapiSecurityTest, NetworkInterfaceIsValidatedAndStored) {
  auto answer = send(verb::put, "/ISAPI/System/Network/interfaces/1",
                     "<NetworkInterface><IPAddress><ipAddress>10.1.2.3</ipAddress><subnetMask>255.255.0.0</subnetMask>"
                     "<DefaultGateway><ipAddress>10.1.0.1</ipAddress></DefaultGateway></IPAddress>"
                     "<Link><MTU>1400</MTU></Link></NetworkInterface>");
  ASSERT_EQ(answer.http_status, status::ok) << answer.body;
  answer = send(verb::get, "/ISAPI/System/Network/interfaces/1");
  EXPECT_EQ(answer.text({"IPAddress", "ipAddress"}), "10.1.2.3");
  EXPECT_EQ(answer.text({"Link", "MTU"}), "1400");

  answer = send(verb::put, "/ISAPI/System/Network/interfaces/1",
                "<NetworkInterface><IPAddress><subnetMask>255.0.255.0</subnetMask></IPAddress><Link><MTU>1600</MTU></Link></NetworkInterface>");
  EXPECT_EQ(answer.http_status, status::bad_request);
  EXPECT_NE(answer.text({"errorMsg"}).find("contiguous"), std::string::npos) << answer.body;
  answer = send(verb::put, "/ISAPI/System/Network/interfaces/1", "<NetworkInterface><Link><MTU>1600</MTU></Link></NetworkInterface>");
  EXPECT_EQ(answer.http_status, status::bad_request) << "MTU is 1280-1500";
  EXPECT_EQ(send(verb::get, "/ISAPI/System/Network/interfaces/2").http_status, status::not_found);
}

TEST_P(IsapiSecurityTest, IllegalLoginLockSettingsFollowTheProfile) {
  auto answer = send(verb::put, "/ISAPI/Security/illegalLoginLock",
                     "<IllegalLoginLock><enabled>true</enabled><maxIllegalLoginTimes>4</maxIllegalLoginTimes>"
                     "<resumeTime>10</resumeTime></IllegalLoginLock>");
  ASSERT_EQ(answer.http_status, status::ok) << answer.body;
  const auto settings = security::IllegalLoginLockSettings::from_config(*config);
  EXPECT_EQ(settings.user_attempts, 4);
  EXPECT_EQ(settings.locking_duration, 10min);
  answer = send(verb::get, "/ISAPI/Security/illegalLoginLock");
  EXPECT_EQ(answer.text({"maxIllegalLoginTimes"}), "4");
  answer = send(verb::put, "/ISAPI/Security/illegalLoginLock",
                "<IllegalLoginLock><adminMaxIllegalLoginTimes>9</adminMaxIllegalLoginTimes></IllegalLoginLock>");
  if (GetParam() == "lpr-camera") EXPECT_EQ(answer.http_status, status::forbidden) << "one limit on the LPR camera";
  else EXPECT_EQ(security::IllegalLoginLockSettings::from_config(*config).admin_attempts, 9);
  EXPECT_EQ(send(verb::put, "/ISAPI/Security/illegalLoginLock", "<IllegalLoginLock><resumeTime>0</resumeTime></IllegalLoginLock>").http_status,
            status::bad_request);
}

TEST_P(IsapiSecurityTest, TlsSwitchesNeedOneVersion) {
  auto answer = send(verb::put, "/ISAPI/Security/HTTPS",
                     "<HTTPS><TLSVersion><TLS1_1>false</TLS1_1><TLS1_2>false</TLS1_2><TLS1_3>false</TLS1_3></TLSVersion></HTTPS>");
  EXPECT_EQ(answer.http_status, status::bad_request);
  EXPECT_NE(answer.text({"errorMsg"}).find("at least one TLS version"), std::string::npos);
  answer = send(verb::put, "/ISAPI/Security/HTTPS", "<HTTPS><httpsBrowsing>true</httpsBrowsing><TLSVersion><TLS1_2>false</TLS1_2></TLSVersion></HTTPS>");
  ASSERT_EQ(answer.http_status, status::ok) << answer.body;
  EXPECT_TRUE(config->get_bool("network.https.https_browsing"));
  EXPECT_FALSE(config->get_bool("security.tls.v1_2"));
}

TEST_P(IsapiSecurityTest, SessionLoginListsOnlineUserUntilLogoutOrControlTimeout) {
  auto login = send(verb::post, "/ISAPI/Security/sessionLogin");
  ASSERT_EQ(login.http_status, status::ok) << login.body;
  const auto token = login.text({"sessionID"});
  EXPECT_EQ(login.set_cookie, "WebSession=" + token + "; Path=/; HttpOnly");
  auto online = send(verb::get, "/ISAPI/Security/onlineUser", {}, token);
  ASSERT_EQ(online.http_status, status::ok) << online.body;
  EXPECT_EQ(online.text({"OnlineUser", "userName"}), "admin");
  EXPECT_EQ(online.text({"OnlineUser", "clientAddress", "ipAddress"}), "192.0.2.7");
  EXPECT_EQ(online.text({"OnlineUser", "loginTime"}), "2024-03-01T12:00:00Z");

  ASSERT_EQ(send(verb::put, "/ISAPI/Security/sessionLogout", {}, token).http_status, status::ok);
  EXPECT_EQ(send(verb::get, "/ISAPI/Security/onlineUser", {}, token).http_status, status::unauthorized);

  const auto second = send(verb::post, "/ISAPI/Security/sessionLogin").text({"sessionID"});
  clock.advance_to(16min);  // Control Timeout: 15 min by default
  EXPECT_EQ(send(verb::get, "/ISAPI/Security/onlineUser", {}, second).http_status, status::unauthorized);
}

TEST_P(IsapiSecurityTest, SimultaneousLoginLimitGivesAClearError) {
  ASSERT_TRUE(config->set_text("security.simultaneous_login", "1"));
  ASSERT_EQ(send(verb::post, "/ISAPI/Security/sessionLogin").http_status, status::ok);
  const auto refused = send(verb::post, "/ISAPI/Security/sessionLogin");
  EXPECT_EQ(refused.http_status, status::service_unavailable);
  EXPECT_NE(refused.text({"errorMsg"}).find("Simultaneous Login"), std::string::npos) << refused.body;
}

TEST_P(IsapiSecurityTest, CertificateRequestIsAnsweredAsPemAndInfoShowsExpiry) {
  auto answer = send(verb::post, "/ISAPI/Security/serverCertificate/certSignReq", "<CertSignReq><subjectName>cam.example</subjectName></CertSignReq>");
  ASSERT_EQ(answer.http_status, status::ok) << answer.body;
  EXPECT_EQ(answer.body.rfind("-----BEGIN CERTIFICATE REQUEST-----", 0), 0u);
  answer = send(verb::get, "/ISAPI/Security/serverCertificate/certificate");
  EXPECT_EQ(answer.text({"CertificateInfo", "subjectName"}), "CN=IP CAMERA");
  EXPECT_EQ(answer.text({"CertificateInfo", "daysToExpiry"}), "3650");
  EXPECT_EQ(send(verb::put, "/ISAPI/Security/serverCertificate/certificate", "garbage").http_status, status::bad_request);
}

INSTANTIATE_TEST_SUITE_P(Profiles, IsapiSecurityTest, ::testing::Values("network-camera", "lpr-camera"),
                         [](const auto& instance) {
                           auto name = instance.param;
                           std::replace(name.begin(), name.end(), '-', '_');
                           return name;
                         });

}  // namespace
}  // namespace camrig::http
