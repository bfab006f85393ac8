// The ONVIF Device service over real HTTP, driven by a gSOAP client generated from the same WSDLs
// (DeviceBindingProxy with gSOAP's own WS-Security plugin building the UsernameToken) and by curl
// with HTTP Digest, against a camera started in-process; changes are read back through ISAPI.
#include <gtest/gtest.h>

#include "soapDeviceBindingProxy.h"

#include "device/camera/camera.hpp"
#include "device/core/realtime_clock.hpp"
#include "sim/road_scene_source.hpp"
#include "tests/support/loopback_camera.hpp"
#include "tests/support/onvif_client.hpp"

namespace camrig {
namespace {

using namespace std::chrono_literals;

constexpr const char* k_password = "Admin1234";

class OnvifDeviceOverHttp : public ::testing::Test {
 protected:
  void SetUp() override {
    profile = *core::DeviceProfile::builtin("network-camera");
    source = std::make_unique<sim::RoadSceneSource>(
        sim::RoadSceneOptions{profile.channels[0].sensor, 5, 4}, clock,
        [this](hal::Nanos deadline, std::stop_token stop) { return clock.sleep_until(deadline, stop); });
    http_port = test::free_tcp_port();
    const auto options = test::loopback_camera_options(http_port, test::free_tcp_port(), k_password);
    auto started = camera::Camera::start(profile, {&clock, {{1, source.get()}}}, options);
    ASSERT_TRUE(started) << started.error().message;
    device = std::move(*started);
    endpoint = "http://127.0.0.1:" + std::to_string(http_port) + "/onvif/device_service";
    test::onvif::aim(proxy.soap, proxy.soap_endpoint, endpoint);
  }

  void sign(const char* user = "admin", const char* password = k_password) {
    ASSERT_EQ(test::onvif::sign(proxy.soap, user, password), SOAP_OK);
  }

  std::string fault_subcode() { return test::onvif::fault_subcode(proxy.soap); }

  //! A SOAP envelope posted with HTTP Digest; the reply's body ends with a line holding the status.
  test::ProcessResult post_soap(const std::string& envelope) {
    return test::onvif::isapi(http_port, "admin", k_password, "POST", "/onvif/device_service", envelope,
                              {"-w", "\n%{http_code}", "-H", "Content-Type: application/soap+xml"});
  }

  core::RealtimeClock clock{std::chrono::system_clock::now()};
  core::DeviceProfile profile;
  std::unique_ptr<sim::RoadSceneSource> source;
  std::unique_ptr<camera::Camera> device;
  int http_port = 0;
  std::string endpoint;
  DeviceBindingProxy proxy{SOAP_C_UTFSTRING};
};

TEST_F(OnvifDeviceOverHttp, SystemDateAndTimeAndServicesNeedNoCredentials) {
  _tds__GetSystemDateAndTime request;
  _tds__GetSystemDateAndTimeResponse response;
  ASSERT_EQ(proxy.GetSystemDateAndTime(&request, response), SOAP_OK) << fault_subcode();
  ASSERT_TRUE(response.SystemDateAndTime && response.SystemDateAndTime->UTCDateTime);
  const auto today = std::chrono::year_month_day{std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now())};
  EXPECT_EQ(response.SystemDateAndTime->UTCDateTime->Date->Year, static_cast<int>(today.year()));
  EXPECT_EQ(response.SystemDateAndTime->DateTimeType, tt__SetDateTimeType__Manual);

  _tds__GetServices services_request;
  _tds__GetServicesResponse services;
  ASSERT_EQ(proxy.GetServices(&services_request, services), SOAP_OK) << fault_subcode();
  ASSERT_GE(services.Service.size(), 1u) << "the Device service first, then the others mounted";
  EXPECT_EQ(services.Service[0]->Namespace, "http://www.onvif.org/ver10/device/wsdl");
  EXPECT_EQ(services.Service[0]->XAddr, endpoint) << "addressed as the client reached the device";
}

TEST_F(OnvifDeviceOverHttp, DeviceInformationNeedsAUsernameTokenAndAWrongPasswordIsNotAuthorized) {
  _tds__GetDeviceInformation request;
  _tds__GetDeviceInformationResponse response;
  EXPECT_NE(proxy.GetDeviceInformation(&request, response), SOAP_OK) << "no credentials";
  EXPECT_EQ(proxy.soap->status, 401);

  sign("admin", "Wrong-pass-1");
  ASSERT_EQ(proxy.GetDeviceInformation(&request, response), SOAP_CLI_FAULT) << "a Sender fault";
  EXPECT_EQ(fault_subcode(), "ter:NotAuthorized");

  sign();
  ASSERT_EQ(proxy.GetDeviceInformation(&request, response), SOAP_OK) << fault_subcode();
  EXPECT_EQ(response.Model, profile.device.model);
  EXPECT_EQ(response.Manufacturer, profile.device.manufacturer);
  EXPECT_EQ(response.SerialNumber, profile.device.serial_number);
}

TEST_F(OnvifDeviceOverHttp, SetHostnameIsTheDeviceNameIsapiReports) {
  _tds__SetHostname set;
  _tds__SetHostnameResponse set_response;
  set.Name = "gate-cam-7";
  sign();
  ASSERT_EQ(proxy.SetHostname(&set, set_response), SOAP_OK) << fault_subcode();

  _tds__GetHostname get;
  _tds__GetHostnameResponse get_response;
  ASSERT_EQ(proxy.GetHostname(&get, get_response), SOAP_OK) << fault_subcode();
  ASSERT_TRUE(get_response.HostnameInformation && get_response.HostnameInformation->Name);
  EXPECT_EQ(*get_response.HostnameInformation->Name, "gate-cam-7");

  const auto isapi = test::onvif::isapi(http_port, "admin", k_password, "GET", "/ISAPI/System/deviceInfo");
  EXPECT_NE(isapi.out.find("<deviceName>gate-cam-7</deviceName>"), std::string::npos) << isapi.out << isapi.err;

  set.Name = "not a host name";
  sign();
  ASSERT_EQ(proxy.SetHostname(&set, set_response), SOAP_CLI_FAULT) << "a Sender fault";
  EXPECT_EQ(fault_subcode(), "ter:InvalidArgVal");
}

TEST_F(OnvifDeviceOverHttp, NetworkInterfacesAreTheAddressesIsapiShowsAndBadOnesChangeNothing) {
  _tds__GetNetworkInterfaces get;
  _tds__GetNetworkInterfacesResponse got;
  sign();
  ASSERT_EQ(proxy.GetNetworkInterfaces(&get, got), SOAP_OK) << fault_subcode();
  ASSERT_EQ(got.NetworkInterfaces.size(), 1u);
  const auto* interface = got.NetworkInterfaces[0];
  ASSERT_TRUE(interface->Info && interface->IPv4 && interface->IPv4->Config);
  EXPECT_EQ(interface->Info->HwAddress, profile.device.mac_address);
  ASSERT_EQ(interface->IPv4->Config->Manual.size(), 1u);
  EXPECT_EQ(interface->IPv4->Config->Manual[0]->Address, "192.168.1.64");
  EXPECT_EQ(interface->IPv4->Config->Manual[0]->PrefixLength, 24);

  _tds__SetNetworkInterfaces set;
  _tds__SetNetworkInterfacesResponse set_response;
  tt__NetworkInterfaceSetConfiguration configuration;
  tt__IPv4NetworkInterfaceSetConfiguration ipv4;
  tt__PrefixedIPv4Address address;
  address.Address = "10.20.30.40";
  address.PrefixLength = 16;
  ipv4.Manual.push_back(&address);
  configuration.IPv4 = &ipv4;
  set.InterfaceToken = interface->token;
  set.NetworkInterface = &configuration;
  sign();
  ASSERT_EQ(proxy.SetNetworkInterfaces(&set, set_response), SOAP_OK) << fault_subcode();
  EXPECT_TRUE(set_response.RebootNeeded);
  const auto isapi = test::onvif::isapi(http_port, "admin", k_password, "GET", "/ISAPI/System/Network/interfaces/1");
  EXPECT_NE(isapi.out.find("<ipAddress>10.20.30.40</ipAddress>"), std::string::npos) << isapi.out << isapi.err;
  EXPECT_NE(isapi.out.find("<subnetMask>255.255.0.0</subnetMask>"), std::string::npos) << isapi.out;

  address.Address = "127.0.0.5";  // loopback: no device address
  sign();
  ASSERT_EQ(proxy.SetNetworkInterfaces(&set, set_response), SOAP_CLI_FAULT);
  EXPECT_EQ(fault_subcode(), "ter:InvalidArgVal");
  set.InterfaceToken = "wlan0";
  address.Address = "10.20.30.41";
  sign();
  ASSERT_EQ(proxy.SetNetworkInterfaces(&set, set_response), SOAP_CLI_FAULT);
  EXPECT_EQ(fault_subcode(), "ter:InvalidArgVal");
  sign();
  ASSERT_EQ(proxy.GetNetworkInterfaces(&get, got), SOAP_OK) << fault_subcode();
  EXPECT_EQ(got.NetworkInterfaces.at(0)->IPv4->Config->Manual.at(0)->Address, "10.20.30.40");
}

TEST_F(OnvifDeviceOverHttp, HttpDigestLogsInAndUnsupportedOperationsSayActionNotSupported) {
  const std::string envelope_start =
      "<?xml version=\"1.0\"?><s:Envelope xmlns:s=\"http://www.w3.org/2003/05/soap-envelope\" "
      "xmlns:tds=\"http://www.onvif.org/ver10/device/wsdl\"><s:Body>";
  const auto information = post_soap(envelope_start + "<tds:GetDeviceInformation/></s:Body></s:Envelope>");
  EXPECT_NE(information.out.find("<tds:Model>" + profile.device.model + "</tds:Model>"), std::string::npos)
      << information.out;
  EXPECT_TRUE(information.out.ends_with("\n200")) << information.out;

  const auto unsupported = post_soap(envelope_start + "<tds:GetDot1XConfigurations/></s:Body></s:Envelope>");
  EXPECT_NE(unsupported.out.find("ter:ActionNotSupported"), std::string::npos) << unsupported.out;
  EXPECT_TRUE(unsupported.out.ends_with("\n500")) << unsupported.out;
}

TEST_F(OnvifDeviceOverHttp, UsersCreatedOverOnvifLogInOverIsapiWithTheirLevel) {
  _tds__CreateUsers create;
  _tds__CreateUsersResponse created;
  tt__User user;
  user.Username = "nvr1";
  std::string password = "Nvr-pass-12";
  user.Password = &password;
  user.UserLevel = tt__UserLevel__Operator;
  create.User.push_back(&user);
  sign();
  ASSERT_EQ(proxy.CreateUsers(&create, created), SOAP_OK) << fault_subcode();

  const auto check = test::onvif::isapi(http_port, "nvr1", "Nvr-pass-12", "GET", "/ISAPI/Security/userCheck");
  EXPECT_NE(check.out.find("<userLevel>Operator</userLevel>"), std::string::npos) << check.out;

  // An operator may read but not manage users (READ_SYSTEM_SECRET).
  _tds__GetUsers get;
  _tds__GetUsersResponse users;
  sign("nvr1", "Nvr-pass-12");
  ASSERT_EQ(proxy.GetUsers(&get, users), SOAP_CLI_FAULT) << "a Sender fault";
  EXPECT_EQ(fault_subcode(), "ter:NotAuthorized");
  sign();
  ASSERT_EQ(proxy.GetUsers(&get, users), SOAP_OK) << fault_subcode();
  EXPECT_EQ(users.User.size(), 2u);
}

}  // namespace
}  // namespace camrig
