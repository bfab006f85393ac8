// IP address filter entries (single, CIDR, range; IPv4 and IPv6) and allow/deny decisions.
#include <gtest/gtest.h>

#include "device/security/ip_filter.hpp"

namespace camrig::security {
namespace {

IpFilter filter_of(IpFilterMode mode, const std::string& list, bool enabled = true) {
  auto entries = parse_ip_ranges(list);
  EXPECT_TRUE(entries) << (entries ? "" : entries.error().message);
  IpFilterSettings settings{enabled, mode, entries ? *entries : std::vector<IpRange>{}};
  return IpFilter([settings] { return settings; });
}

TEST(IpFilter, DenyListRefusesListedAddressesCidrAndRanges) {
  const auto filter = filter_of(IpFilterMode::deny, "192.0.2.7, 198.51.100.0/24, 203.0.113.10-203.0.113.20");
  EXPECT_FALSE(filter.allowed("192.0.2.7"));
  EXPECT_TRUE(filter.allowed("192.0.2.8"));
  EXPECT_FALSE(filter.allowed("198.51.100.0"));
  EXPECT_FALSE(filter.allowed("198.51.100.255"));
  EXPECT_TRUE(filter.allowed("198.51.101.0"));
  EXPECT_FALSE(filter.allowed("203.0.113.10"));
  EXPECT_FALSE(filter.allowed("203.0.113.20"));
  EXPECT_TRUE(filter.allowed("203.0.113.21"));
  EXPECT_FALSE(filter.allowed("::ffff:192.0.2.7")) << "an IPv4-mapped peer is the same address";
}

TEST(IpFilter, AllowListAdmitsOnlyListedAddressesIncludingIpv6) {
  const auto filter = filter_of(IpFilterMode::allow, "127.0.0.1,2001:db8::/32");
  EXPECT_TRUE(filter.allowed("127.0.0.1"));
  EXPECT_FALSE(filter.allowed("127.0.0.2"));
  EXPECT_TRUE(filter.allowed("2001:db8:1::5"));
  EXPECT_FALSE(filter.allowed("2001:db9::1"));
  EXPECT_FALSE(filter.allowed("not an address"));
}

TEST(IpFilter, DisabledFilterAdmitsEveryone) {
  const auto filter = filter_of(IpFilterMode::allow, "127.0.0.1", false);
  EXPECT_TRUE(filter.allowed("10.1.2.3"));
}

TEST(IpFilter, BadEntriesAreNamedInTheError) {
  for (const auto* bad : {"300.1.1.1", "10.0.0.0/33", "10.0.0.9-10.0.0.1", "10.0.0.1-2001:db8::1", "abc", "10.0.0.0/x"}) {
    auto parsed = parse_ip_ranges(std::string("10.0.0.1,") + bad);
    ASSERT_FALSE(parsed) << bad;
    EXPECT_NE(parsed.error().message.find(bad), std::string::npos) << parsed.error().message;
  }
}

TEST(IpFilter, AtMostSixteenEntries) {
  std::string list;
  for (int i = 1; i <= 17; ++i) list += (i > 1 ? "," : "") + std::string("10.0.0.") + std::to_string(i);
  auto parsed = parse_ip_ranges(list);
  ASSERT_FALSE(parsed);
  EXPECT_NE(parsed.error().message.find("at most 16"), std::string::npos);
  list.resize(list.rfind(','));
  ASSERT_TRUE(parse_ip_ranges(list));
  EXPECT_EQ(join_ip_ranges(*parse_ip_ranges(list)), list);
}

}  // namespace
}  // namespace camrig::security
