// Port rules: range, duplicates, and the LPR camera's reserved ports, each named in the error.
#include <gtest/gtest.h>

#include "device/security/service_ports.hpp"

namespace camrig::security {
namespace {

std::vector<ServicePort> ports(std::int64_t http, std::int64_t https, std::int64_t rtsp) {
  return {{"HTTP Port", http, 80}, {"HTTPS Port", https, 443}, {"RTSP Port", rtsp, 554}};
}

TEST(ServicePorts, DefaultsAndFreePortsAreAccepted) {
  EXPECT_TRUE(check_service_ports(ports(80, 443, 554), "network-camera"));
  EXPECT_TRUE(check_service_ports(ports(80, 443, 554), "lpr-camera")) << "a service's own default is never reserved";
  EXPECT_TRUE(check_service_ports(ports(8080, 8443, 8554), "lpr-camera"));
}

TEST(ServicePorts, DuplicatesAreRefusedNamingBothServices) {
  auto checked = check_service_ports(ports(8080, 8080, 554), "network-camera");
  ASSERT_FALSE(checked);
  EXPECT_NE(checked.error().message.find("HTTPS Port and HTTP Port cannot both be 8080"), std::string::npos)
      << checked.error().message;
}

TEST(ServicePorts, OutOfRangeIsRefused) {
  EXPECT_FALSE(check_service_ports(ports(0, 443, 554), "network-camera"));
  EXPECT_FALSE(check_service_ports(ports(80, 65536, 554), "network-camera"));
}

TEST(ServicePorts, LprReservedPortsAreRefusedWithTheRule) {
  for (const std::int64_t reserved : {81, 1024, 1900, 5000, 37800, 42323}) {
    auto checked = check_service_ports(ports(reserved, 443, 554), "lpr-camera");
    ASSERT_FALSE(checked) << reserved;
    EXPECT_NE(checked.error().message.find("is reserved (ports 0-1024"), std::string::npos) << checked.error().message;
    EXPECT_TRUE(check_service_ports(ports(reserved, 443, 554), "network-camera")) << reserved;
  }
}

}  // namespace
}  // namespace camrig::security
