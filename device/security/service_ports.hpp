// The ports the device's services listen on (HTTP, HTTPS, RTSP, Server/SDK, SRTP) and the rules a
// new set must follow: 1–65535, no two services on one port, and on the LPR camera none of the
// ports its manual reserves (0–1024 apart from each service's own default, 1900, 3800, 5000, ...).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "device/core/result.hpp"

namespace camrig::security {

struct ServicePort {
  std::string label;         //!< "HTTP Port"
  std::int64_t port = 0;
  std::int64_t default_port = 0;  //!< a reserved range never refuses the service's own default
};

//! Checks a complete set; the error names every broken rule and the ports involved.
Result<void> check_service_ports(const std::vector<ServicePort>& ports, std::string_view profile_name);

}  // namespace camrig::security
