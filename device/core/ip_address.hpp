// Textual IP address checks shared by the management APIs (ISAPI network settings, ONVIF Device
// service): what the kernel's own parser accepts, so a stored address is always one the network
// stack can use; and the one check of the network interface's addresses both APIs apply.
#pragma once

#include <map>
#include <optional>
#include <string>

#include "device/core/result.hpp"

namespace camrig::core {

//! Dotted-quad IPv4 ("192.168.1.64").
bool is_ipv4(const std::string& text);
//! Any RFC 4291 textual IPv6 form ("fe80::1", "::ffff:10.0.0.1").
bool is_ipv6(const std::string& text);

//! The prefix length of a contiguous IPv4 mask ("255.255.255.0" -> 24), or nothing.
std::optional<int> ipv4_prefix_length(const std::string& mask);
//! The IPv4 mask of a prefix length 1..32 (24 -> "255.255.255.0").
std::string ipv4_mask(int prefix_length);

//! Checks the network interface's addresses together, by their `network.interface.<field>` names
//! (ipv4_address, ipv4_mask, ipv4_gateway, ipv6_address, ipv6_gateway, dns1, dns2; all present):
//! one error naming every problem, in the manuals' field names.
Result<void> check_interface_addresses(const std::map<std::string, std::string>& fields);

}  // namespace camrig::core
