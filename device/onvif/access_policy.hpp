// ONVIF access classes (Core specification, "Default Access Policy") and which user level may use
// each: the one place that decides whether an ONVIF operation needs a login and of whom.
#pragma once

#include <string_view>

#include "device/security/user_level.hpp"

namespace camrig::onvif {

enum class AccessClass {
  pre_auth,               //!< answered without credentials (GetSystemDateAndTime, GetServices, ...)
  read_system,            //!< configuration that is not sensitive
  read_system_sensitive,  //!< configuration an attacker could use (scopes aside, network settings)
  read_system_secret,     //!< user names and credentials
  write_system,           //!< configuration changes
  unrecoverable,          //!< reboot, factory default, firmware
  read_media,
  actuate,                //!< relays, PTZ
};

//! ONVIF's default policy: Administrator everything; Operator all but READ_SYSTEM_SECRET,
//! WRITE_SYSTEM and UNRECOVERABLE; User PRE_AUTH, READ_SYSTEM and READ_MEDIA.
bool level_allows(security::UserLevel level, AccessClass access);

//! ONVIF's names: "Administrator", "Operator", "User".
std::string_view onvif_level_name(security::UserLevel level);

}  // namespace camrig::onvif
