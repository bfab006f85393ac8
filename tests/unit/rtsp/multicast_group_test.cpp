#include "device/rtsp/multicast_group.hpp"

#include <gtest/gtest.h>

namespace camrig::rtsp {
namespace {

TEST(MulticastGroup, AcceptsAnyIpv4MulticastAddressByDefault) {
  for (const char* address : {"224.0.0.0", "224.0.0.251", "239.255.255.255", "238.1.2.3"}) {
    auto valid = validate_multicast_group({address, 5000, 1}, {});
    ASSERT_TRUE(valid.ok()) << address << ": " << valid.error().message;
    EXPECT_EQ(valid->to_string(), address);
  }
}

TEST(MulticastGroup, TheLprRangeExcludesLocalControlAndAdministrativeScopes) {
  const auto lpr = lpr_multicast_range();
  EXPECT_TRUE(validate_multicast_group({"224.0.1.0", 5000, 1}, lpr).ok());
  EXPECT_TRUE(validate_multicast_group({"238.255.255.255", 5000, 1}, lpr).ok());
  for (const char* address : {"224.0.0.255", "239.0.0.1", "192.168.1.10", "240.0.0.1"}) {
    auto valid = validate_multicast_group({address, 5000, 1}, lpr);
    ASSERT_FALSE(valid.ok()) << address;
    EXPECT_EQ(valid.error().code, ErrorCode::out_of_range) << address;
    EXPECT_NE(valid.error().message.find("224.0.1.0-238.255.255.255"), std::string::npos) << valid.error().message;
  }
}

TEST(MulticastGroup, RefusesBadAddressesPortsAndTtl) {
  EXPECT_EQ(validate_multicast_group({"not-an-address", 5000, 1}, {}).error().code, ErrorCode::invalid_argument);
  EXPECT_EQ(validate_multicast_group({"ff02::1", 5000, 1}, {}).error().code, ErrorCode::invalid_argument);
  EXPECT_EQ(validate_multicast_group({"10.0.0.1", 5000, 1}, {}).error().code, ErrorCode::out_of_range);
  EXPECT_EQ(validate_multicast_group({"239.1.1.1", 0, 1}, {}).error().code, ErrorCode::out_of_range);
  EXPECT_EQ(validate_multicast_group({"239.1.1.1", 5001, 1}, {}).error().code, ErrorCode::out_of_range);
  EXPECT_EQ(validate_multicast_group({"239.1.1.1", 5000, 0}, {}).error().code, ErrorCode::out_of_range);
}

}  // namespace
}  // namespace camrig::rtsp
