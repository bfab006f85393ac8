// Password and user name rules of each camera family, with errors naming the broken rule.
#include <gtest/gtest.h>

#include "device/security/password_policy.hpp"

namespace camrig::security {
namespace {

TEST(PasswordPolicy, NetworkCameraNeedsEightCharactersFromThreeClasses) {
  const auto policy = PasswordPolicy::for_profile("network-camera");
  EXPECT_TRUE(policy.check_password("Abcdef12"));
  EXPECT_TRUE(policy.check_password("abcdef1!"));
  const auto short_one = policy.check_password("Abc12!");
  ASSERT_FALSE(short_one);
  EXPECT_NE(short_one.error().message.find("8 to 16 characters"), std::string::npos) << short_one.error().message;
  const auto two_classes = policy.check_password("abcdefgh12");
  ASSERT_FALSE(two_classes);
  EXPECT_NE(two_classes.error().message.find("at least 3 of"), std::string::npos) << two_classes.error().message;
  EXPECT_FALSE(policy.check_password("Abcdefgh12345678x")) << "17 characters is over the limit";
}

TEST(PasswordPolicy, PasswordEqualToTheUserNameIsRefused) {
  const auto policy = PasswordPolicy::for_profile("network-camera");
  EXPECT_FALSE(policy.check_password("Operator1", "Operator1"));
}

TEST(PasswordPolicy, LprCameraNeedsTwoClassesNoBlanksAndNoForbiddenCharacters) {
  const auto policy = PasswordPolicy::for_profile("lpr-camera");
  EXPECT_TRUE(policy.check_password("abcdefg1"));
  EXPECT_TRUE(policy.check_password(std::string(31, 'a') + "1")) << "32 characters is allowed";
  EXPECT_FALSE(policy.check_password(std::string(32, 'a') + "1"));
  EXPECT_FALSE(policy.check_password("abcdefgh")) << "one class";
  const auto blank = policy.check_password("abc defg1");
  ASSERT_FALSE(blank);
  EXPECT_NE(blank.error().message.find("blank"), std::string::npos);
  for (const char* bad : {"abcdefg1'", "abcdefg1\"", "abcdefg1;", "abcdefg1:", "abcdefg1&"}) {
    const auto result = policy.check_password(bad);
    ASSERT_FALSE(result) << bad;
    EXPECT_NE(result.error().message.find("must not contain any of"), std::string::npos) << result.error().message;
  }
}

TEST(PasswordPolicy, LprUserNamesAreUpTo31LettersDigitsAndUnderscoreAtDot) {
  const auto policy = PasswordPolicy::for_profile("lpr-camera");
  EXPECT_TRUE(policy.check_username("gate_keeper@site.one"));
  EXPECT_TRUE(policy.check_username(std::string(31, 'u')));
  EXPECT_FALSE(policy.check_username(std::string(32, 'u')));
  EXPECT_FALSE(policy.check_username("gate-keeper"));
  EXPECT_FALSE(policy.check_username(""));
}

}  // namespace
}  // namespace camrig::security
