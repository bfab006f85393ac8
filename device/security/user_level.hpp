// User levels and what each may do, as the manuals' User Management pages give them:
// Administrator (all operations), Operator (all but operations on the administrator and creating
// accounts), User (live view, PTZ, changing their own password). The table is data, in one place.
#pragma once

#include <optional>
#include <string_view>

namespace camrig::security {

enum class UserLevel { administrator, operator_level, user };

//! What a request needs; routes of every protocol declare one of these.
enum class Permission {
  view_information,     //!< device information, own account check
  live_view,
  ptz_control,
  change_own_password,
  parameter_settings,   //!< read and change the configuration
  maintenance,          //!< reboot, upgrade, restore
  user_management,      //!< add, modify and delete accounts
};

bool level_has(UserLevel level, Permission permission);

//! ISAPI spelling: "Administrator", "Operator", "User".
std::string_view to_string(UserLevel level);
std::string_view to_string(Permission permission);
//! Accepts the ISAPI spelling, case-insensitively.
std::optional<UserLevel> parse_user_level(std::string_view text);

}  // namespace camrig::security
