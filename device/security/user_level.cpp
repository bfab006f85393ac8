#include "device/security/user_level.hpp"

#include <algorithm>
#include <array>
#include <initializer_list>
#include <utility>

#include "device/core/text.hpp"

namespace camrig::security {
namespace {

struct LevelPermissions {
  UserLevel level;
  std::initializer_list<Permission> permissions;
};

// Operator: everything except user management (operations on the administrator, creating accounts).
const std::array<LevelPermissions, 3> k_levels{{
    {UserLevel::administrator,
     {Permission::view_information, Permission::live_view, Permission::ptz_control, Permission::change_own_password,
      Permission::parameter_settings, Permission::maintenance, Permission::user_management}},
    {UserLevel::operator_level,
     {Permission::view_information, Permission::live_view, Permission::ptz_control, Permission::change_own_password,
      Permission::parameter_settings, Permission::maintenance}},
    {UserLevel::user,
     {Permission::view_information, Permission::live_view, Permission::ptz_control, Permission::change_own_password}},
}};

}  // namespace

bool level_has(UserLevel level, Permission permission) {
  for (const auto& entry : k_levels)
    if (entry.level == level)
      return std::find(entry.permissions.begin(), entry.permissions.end(), permission) != entry.permissions.end();
  return false;
}

std::string_view to_string(UserLevel level) {
  switch (level) {
    case UserLevel::administrator: return "Administrator";
    case UserLevel::operator_level: return "Operator";
    case UserLevel::user: return "User";
  }
  return "User";
}

std::string_view to_string(Permission permission) {
  switch (permission) {
    case Permission::view_information: return "view information";
    case Permission::live_view: return "live view";
    case Permission::ptz_control: return "PTZ control";
    case Permission::change_own_password: return "change own password";
    case Permission::parameter_settings: return "parameter settings";
    case Permission::maintenance: return "maintenance";
    case Permission::user_management: return "user management";
  }
  return "unknown";
}

std::optional<UserLevel> parse_user_level(std::string_view text) {
  for (const auto level : {UserLevel::administrator, UserLevel::operator_level, UserLevel::user})
    if (text::equal_ignoring_case(text, to_string(level))) return level;
  return std::nullopt;
}

}  // namespace camrig::security
