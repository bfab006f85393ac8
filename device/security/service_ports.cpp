#include "device/security/service_ports.hpp"

#include <utility>

namespace camrig::security {
namespace {

// LPR camera, "Configure Port": "Ports 0–1024, 1900, 3800, 5000, 5050, 9999, 37776, 37780–37880,
// 39999, and 42323 are reserved for specific uses."
constexpr std::pair<std::int64_t, std::int64_t> k_lpr_reserved[] = {
    {0, 1024}, {1900, 1900}, {3800, 3800}, {5000, 5000}, {5050, 5050}, {9999, 9999},
    {37776, 37776}, {37780, 37880}, {39999, 39999}, {42323, 42323}};

}  // namespace

Result<void> check_service_ports(const std::vector<ServicePort>& ports, std::string_view profile_name) {
  std::string problems;
  auto add = [&](const std::string& problem) { problems += (problems.empty() ? "" : "; ") + problem; };
  for (std::size_t i = 0; i < ports.size(); ++i) {
    const auto& port = ports[i];
    if (port.port < 1 || port.port > 65535) {
      add(port.label + " must be 1-65535 (got " + std::to_string(port.port) + ")");
      continue;
    }
    for (std::size_t j = 0; j < i; ++j)
      if (ports[j].port == port.port)
        add(port.label + " and " + ports[j].label + " cannot both be " + std::to_string(port.port));
    if (profile_name == "lpr-camera" && port.port != port.default_port)
      for (const auto& [first, last] : k_lpr_reserved)
        if (port.port >= first && port.port <= last)
          add(port.label + " " + std::to_string(port.port) +
              " is reserved (ports 0-1024, 1900, 3800, 5000, 5050, 9999, 37776, 37780-37880, 39999 and 42323 "
              "are reserved)");
  }
  if (!problems.empty()) return make_error(ErrorCode::out_of_range, problems);
  return {};
}

}  // namespace camrig::security
