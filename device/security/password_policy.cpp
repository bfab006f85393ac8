#include "device/security/password_policy.hpp"

#include <cctype>

namespace camrig::security {

PasswordPolicy PasswordPolicy::for_profile(std::string_view profile_name) {
  PasswordPolicy policy;
  if (profile_name == "lpr-camera") {
    policy.max_length = 32;
    policy.min_classes = 2;
    policy.forbidden_characters = "'\";:&";
    policy.allow_blank = false;
    policy.max_username_length = 31;
    policy.username_characters = "_@.";
  }
  return policy;
}

Result<void> PasswordPolicy::check_password(std::string_view password, std::string_view username) const {
  if (password.size() < min_length || password.size() > max_length)
    return make_error(ErrorCode::out_of_range, "the password must have " + std::to_string(min_length) + " to " +
                                                   std::to_string(max_length) + " characters (it has " +
                                                   std::to_string(password.size()) + ")");
  bool upper = false, lower = false, digit = false, special = false;
  for (const char c : password) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u > 0x7e)
      return make_error(ErrorCode::invalid_argument, "the password may only contain printable ASCII characters");
    if (c == ' ' && !allow_blank) return make_error(ErrorCode::invalid_argument, "the password must not contain blanks");
    if (forbidden_characters.find(c) != std::string::npos)
      return make_error(ErrorCode::invalid_argument,
                        "the password must not contain any of " + forbidden_characters + " (found " + c + ")");
    if (std::isupper(u)) upper = true;
    else if (std::islower(u)) lower = true;
    else if (std::isdigit(u)) digit = true;
    else special = true;
  }
  const int classes = int{upper} + int{lower} + int{digit} + int{special};
  if (classes < min_classes)
    return make_error(ErrorCode::out_of_range,
                      "the password must combine at least " + std::to_string(min_classes) +
                          " of: upper case letters, lower case letters, numbers, special characters (it has " +
                          std::to_string(classes) + ")");
  if (!username.empty() && password == username)
    return make_error(ErrorCode::invalid_argument, "the password must not be the user name");
  return {};
}

Result<void> PasswordPolicy::check_username(std::string_view username) const {
  if (username.empty()) return make_error(ErrorCode::invalid_argument, "the user name must not be empty");
  if (username.size() > max_username_length)
    return make_error(ErrorCode::out_of_range,
                      "the user name must have at most " + std::to_string(max_username_length) + " characters");
  for (const char c : username) {
    const auto u = static_cast<unsigned char>(c);
    const bool allowed = username_characters.empty()
                             ? (u > 0x20 && u < 0x7f && c != ':' && c != '"' && c != '\\')
                             : (std::isalnum(u) || username_characters.find(c) != std::string::npos);
    if (!allowed)
      return make_error(ErrorCode::invalid_argument,
                        username_characters.empty()
                            ? std::string("the user name must not contain blanks, ':', '\"' or '\\'")
                            : "the user name may only contain letters, numbers and " + username_characters);
  }
  return {};
}

}  // namespace camrig::security
