// Textual IP address checks shared by the management APIs (ISAPI network settings, ONVIF Device
// service): what the kernel's own parser accepts, so a stored address is always one the network
// stack can use.
#pragma once

#include <string>

namespace camrig::core {

//! Dotted-quad IPv4 ("192.168.1.64").
bool is_ipv4(const std::string& text);
//! Any RFC 4291 textual IPv6 form ("fe80::1", "::ffff:10.0.0.1").
bool is_ipv6(const std::string& text);

}  // namespace camrig::core
