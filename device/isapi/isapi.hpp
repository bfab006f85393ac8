// The ISAPI front-end: adds Hikvision's management resources (System, Streaming, Security) to an
// HTTP router, translating XML/JSON documents to the device's shared services and back. It holds
// no rules of its own: validation is the config service's and the user accounts'.
#pragma once

#include "device/core/config_service.hpp"
#include "device/core/device_profile.hpp"
#include "device/http/router.hpp"
#include "device/security/user_accounts.hpp"

namespace camrig::isapi {

//! The services ISAPI reads and writes; each must outlive the router.
struct DeviceServices {
  const core::DeviceProfile* profile = nullptr;
  core::ConfigService* config = nullptr;
  security::UserAccounts* accounts = nullptr;
};

//! Adds every ISAPI route, the ResponseStatus error renderer and the activation gate.
void add_routes(http::Router& router, DeviceServices services);

// The resource groups, each adding its routes.
void add_system_routes(http::Router& router, DeviceServices services);
void add_streaming_routes(http::Router& router, DeviceServices services);
void add_security_routes(http::Router& router, DeviceServices services);

}  // namespace camrig::isapi
