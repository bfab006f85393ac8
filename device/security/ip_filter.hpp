// IP address filter: an allow-list or deny-list of addresses and ranges (IPv4 and IPv6, as a
// single address, CIDR "10.0.0.0/8" or range "10.0.0.1-10.0.0.9") checked when a connection is
// accepted, by every listener (HTTP, HTTPS, RTSP). Settings come from network.ip_filter.*.
#pragma once

#include <array>
#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "device/core/config_service.hpp"
#include "device/core/result.hpp"

namespace camrig::security {

//! An inclusive range of addresses, both ends of the same family (IPv4 kept as IPv4-mapped IPv6).
struct IpRange {
  std::array<unsigned char, 16> first{};
  std::array<unsigned char, 16> last{};
  std::string text;  //!< as the user wrote it, normalised ("192.168.1.0/24")

  bool contains(const std::array<unsigned char, 16>& address) const;
};

enum class IpFilterMode { allow, deny };

struct IpFilterSettings {
  static constexpr std::size_t k_max_entries = 16;

  bool enabled = false;
  IpFilterMode mode = IpFilterMode::deny;
  std::vector<IpRange> entries;

  //! From network.ip_filter.{enabled,mode,addresses}.
  static IpFilterSettings from_config(const core::ConfigService& config);
};

//! One entry: "192.0.2.7", "192.0.2.0/24", "192.0.2.1-192.0.2.9", "2001:db8::/32".
Result<IpRange> parse_ip_range(std::string_view text);
//! A comma-separated list (the stored form), at most k_max_entries; the error names the bad entry.
Result<std::vector<IpRange>> parse_ip_ranges(std::string_view text);
//! The stored form of a list: entries joined by commas.
std::string join_ip_ranges(const std::vector<IpRange>& entries);

class IpFilter {
 public:
  using SettingsSource = std::function<IpFilterSettings()>;
  //! `settings` is asked on every check, so a changed filter applies to the next connection.
  explicit IpFilter(SettingsSource settings) : settings_(std::move(settings)) {}

  //! Whether a connection from `address` ("192.0.2.7", "::ffff:192.0.2.7", "2001:db8::1") may
  //! proceed. An address that does not parse is refused while the filter is enabled.
  bool allowed(std::string_view address) const;

 private:
  SettingsSource settings_;
};

}  // namespace camrig::security
