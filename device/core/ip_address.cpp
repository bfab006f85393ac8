#include "device/core/ip_address.hpp"

#include <arpa/inet.h>

#include <cstdint>
#include <string_view>

namespace camrig::core {

bool is_ipv4(const std::string& text) {
  in_addr address{};
  return inet_pton(AF_INET, text.c_str(), &address) == 1;
}

bool is_ipv6(const std::string& text) {
  in6_addr address{};
  return inet_pton(AF_INET6, text.c_str(), &address) == 1;
}

namespace {

std::uint32_t ipv4_value(const std::string& text) {
  in_addr address{};
  inet_pton(AF_INET, text.c_str(), &address);
  return ntohl(address.s_addr);
}

}  // namespace

std::optional<int> ipv4_prefix_length(const std::string& mask) {
  if (!is_ipv4(mask)) return std::nullopt;
  const auto value = ipv4_value(mask);
  if (value == 0 || (~value & (~value + 1)) != 0) return std::nullopt;
  int length = 0;
  for (auto bits = value; bits != 0; bits <<= 1) ++length;
  return length;
}

std::string ipv4_mask(int prefix_length) {
  const std::uint32_t value = prefix_length <= 0 ? 0 : prefix_length >= 32 ? 0xffffffffu : ~(0xffffffffu >> prefix_length);
  in_addr address{htonl(value)};
  char text[INET_ADDRSTRLEN] = {};
  inet_ntop(AF_INET, &address, text, sizeof text);
  return text;
}

Result<void> check_interface_addresses(const std::map<std::string, std::string>& values) {
  std::string problems;
  auto add = [&](const std::string& problem) { problems += (problems.empty() ? "" : "; ") + problem; };
  const auto& address = values.at("ipv4_address");
  const auto& mask = values.at("ipv4_mask");
  const auto& gateway = values.at("ipv4_gateway");
  if (!is_ipv4(address)) add("IPv4 Address '" + address + "' is not an IPv4 address");
  else {
    const auto value = ipv4_value(address);
    if (value == 0 || value == 0xffffffffu || (value >> 28) == 0xe || (value >> 24) == 127)
      add("IPv4 Address " + address + " cannot be a device address (unspecified, loopback, multicast or broadcast)");
  }
  if (!is_ipv4(mask)) add("IPv4 Subnet Mask '" + mask + "' is not an IPv4 mask");
  else if (!ipv4_prefix_length(mask)) add("IPv4 Subnet Mask " + mask + " must be contiguous ones then zeros");
  if (!gateway.empty() && !is_ipv4(gateway)) add("IPv4 Default Gateway '" + gateway + "' is not an IPv4 address");
  for (const char* key : {"ipv6_address", "ipv6_gateway"})
    if (const auto& value = values.at(key); !value.empty() && !is_ipv6(value))
      add(std::string(key == std::string_view("ipv6_address") ? "IPv6 Address" : "IPv6 Default Gateway") + " '" + value +
          "' is not an IPv6 address");
  for (const char* key : {"dns1", "dns2"})
    if (const auto& value = values.at(key); !value.empty() && !is_ipv4(value) && !is_ipv6(value))
      add(std::string(key == std::string_view("dns1") ? "Preferred" : "Alternate") + " DNS Server '" + value +
          "' is not an IP address");
  if (!problems.empty()) return Error{ErrorCode::invalid_argument, problems};
  return {};
}

}  // namespace camrig::core
