#include "device/onvif/access_policy.hpp"

namespace camrig::onvif {

bool level_allows(security::UserLevel level, AccessClass access) {
  switch (level) {
    case security::UserLevel::administrator: return true;
    case security::UserLevel::operator_level:
      return access != AccessClass::read_system_secret && access != AccessClass::write_system &&
             access != AccessClass::unrecoverable;
    case security::UserLevel::user:
      return access == AccessClass::pre_auth || access == AccessClass::read_system || access == AccessClass::read_media;
  }
  return false;
}

std::string_view onvif_level_name(security::UserLevel level) {
  switch (level) {
    case security::UserLevel::administrator: return "Administrator";
    case security::UserLevel::operator_level: return "Operator";
    case security::UserLevel::user: return "User";
  }
  return "User";
}

}  // namespace camrig::onvif
