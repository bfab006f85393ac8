// The rules a user name and a password must follow, per camera family, with an error that
// names the broken rule. Network camera / smart-linkage PTZ: at least 8 characters from at least
// 3 of the 4 classes (upper, lower, digit, special), at most 16 kept as the web UI's field length.
// LPR camera: 8–32 non-blank characters from at least 2 classes, none of ' " ; : &.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "device/core/result.hpp"

namespace camrig::security {

struct PasswordPolicy {
  std::size_t min_length = 8;
  std::size_t max_length = 16;
  int min_classes = 3;
  std::string forbidden_characters;
  bool allow_blank = true;
  //! User names: at most this many characters; empty `username_characters` allows any printable ASCII.
  std::size_t max_username_length = 32;
  std::string username_characters;

  //! "lpr-camera" gets the LPR manual's rules; every other profile the network camera's.
  static PasswordPolicy for_profile(std::string_view profile_name);

  Result<void> check_password(std::string_view password, std::string_view username = {}) const;
  Result<void> check_username(std::string_view username) const;
};

}  // namespace camrig::security
